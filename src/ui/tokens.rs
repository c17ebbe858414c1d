//! Design tokens: every colour and size the views use, named for what it means, for dark and
//! light themes alike (chosen for contrast on both backgrounds).

use egui::Color32;

/// Status colours for one theme.
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    /// Past expiry, or expiring within the critical threshold.
    pub expired: Color32,
    /// Within the critical threshold (default 7 days).
    pub critical: Color32,
    /// Within the warning threshold (default 30 days).
    pub expiring: Color32,
    /// Comfortably valid.
    pub valid: Color32,
    /// Unknown or not applicable.
    pub muted: Color32,
    /// A failed region or job.
    pub error: Color32,
    /// A revoked, frozen or abnormal item.
    pub problem: Color32,
    /// A row its last refresh could not update.
    pub stale: Color32,
    /// Frozen by the cloud.
    pub frozen: Color32,
    /// Not valid yet.
    pub not_yet_valid: Color32,
    /// A change badge (new, renewed, SSL switched).
    pub changed: Color32,
    /// Timeline bars, one colour per service: DCS, GeminiDB, private certificates, load
    /// balancers, SCM.
    pub services: [Color32; 5],
}

/// The palette for the current theme.
pub fn palette(dark: bool) -> Palette {
    if dark {
        Palette {
            expired: Color32::from_rgb(255, 107, 107),
            critical: Color32::from_rgb(255, 146, 77),
            expiring: Color32::from_rgb(240, 200, 80),
            valid: Color32::from_rgb(110, 210, 130),
            muted: Color32::from_gray(150),
            error: Color32::from_rgb(255, 107, 107),
            problem: Color32::from_rgb(214, 140, 255),
            stale: Color32::from_gray(125),
            frozen: Color32::from_rgb(120, 190, 255),
            not_yet_valid: Color32::from_rgb(150, 170, 255),
            changed: Color32::from_rgb(90, 200, 220),
            services: [
                Color32::from_rgb(230, 120, 90),
                Color32::from_rgb(90, 170, 240),
                Color32::from_rgb(170, 130, 240),
                Color32::from_rgb(120, 200, 150),
                Color32::from_rgb(230, 190, 90),
            ],
        }
    } else {
        Palette {
            expired: Color32::from_rgb(190, 30, 45),
            critical: Color32::from_rgb(200, 80, 0),
            expiring: Color32::from_rgb(150, 105, 0),
            valid: Color32::from_rgb(20, 130, 60),
            muted: Color32::from_gray(100),
            error: Color32::from_rgb(190, 30, 45),
            problem: Color32::from_rgb(130, 40, 170),
            stale: Color32::from_gray(120),
            frozen: Color32::from_rgb(20, 100, 190),
            not_yet_valid: Color32::from_rgb(70, 70, 200),
            changed: Color32::from_rgb(0, 120, 140),
            services: [
                Color32::from_rgb(200, 80, 40),
                Color32::from_rgb(30, 110, 200),
                Color32::from_rgb(120, 70, 200),
                Color32::from_rgb(20, 140, 80),
                Color32::from_rgb(170, 120, 0),
            ],
        }
    }
}

/// Height of a table row.
pub const ROW_HEIGHT: f32 = 22.0;
/// Width of the details pane when first opened.
pub const DETAILS_WIDTH: f32 = 300.0;
/// Widest details pane.
pub const DETAILS_MAX_WIDTH: f32 = 380.0;
/// Narrowest details pane.
pub const DETAILS_MIN_WIDTH: f32 = 200.0;
/// Width of the profiles panel when first opened, and its bounds.
pub const PROFILES_WIDTH: f32 = 210.0;
/// Narrowest profiles panel.
pub const PROFILES_MIN_WIDTH: f32 = 140.0;
/// Widest profiles panel.
pub const PROFILES_MAX_WIDTH: f32 = 300.0;
/// Distance of dialogs from the top of the window.
pub const MODAL_TOP: f32 = 48.0;
/// Below this window width the profiles panel hides itself (the table needs the room).
pub const PROFILES_AUTO_HIDE_BELOW: f32 = 1000.0;
/// Width of the labels in the details pane.
pub const FACT_LABEL_WIDTH: f32 = 76.0;
/// The Name column never gets narrower than this.
pub const NAME_MIN_WIDTH: f32 = 140.0;

/// Height of the expiry timeline when first shown.
pub const TIMELINE_HEIGHT: f32 = 150.0;
/// Height of the validity bar in the details pane.
pub const VALIDITY_BAR_HEIGHT: f32 = 10.0;

/// The colour of a state that is not about days left (revoked, frozen, not yet valid).
pub fn state_color(palette: &Palette, state: crate::certs::summary::Validity) -> Color32 {
    use crate::certs::summary::Validity;
    match state {
        Validity::Revoked => palette.problem,
        Validity::Frozen => palette.frozen,
        Validity::NotYetValid => palette.not_yet_valid,
        Validity::Expired => palette.expired,
        Validity::Expiring => palette.expiring,
        Validity::Valid => palette.valid,
    }
}

/// The colour of a severity (the policy's verdict on a row).
pub fn severity_color(palette: &Palette, severity: crate::inventory::policy::Severity) -> Color32 {
    use crate::inventory::policy::Severity;
    match severity {
        Severity::Revoked => palette.problem,
        Severity::Frozen => palette.frozen,
        Severity::NotYetValid => palette.not_yet_valid,
        Severity::Expired => palette.expired,
        Severity::Critical => palette.critical,
        Severity::Warning => palette.expiring,
        Severity::Ok => palette.valid,
        Severity::Unknown => palette.muted,
    }
}
