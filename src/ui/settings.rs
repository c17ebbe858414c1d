//! The view settings remembered between runs (eframe persistence; never secrets).

use serde::{Deserialize, Serialize};

use super::filter::ViewState;

/// View settings remembered between runs (eframe persistence; never secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[expect(clippy::struct_excessive_bools, reason = "independent view toggles")]
pub struct Settings {
    /// Filters, sort and the warning threshold.
    pub view: ViewState,
    /// Days left that count as critical.
    pub critical_days: i64,
    /// Whether the activity log is open.
    pub show_activity: bool,
    /// Whether the profiles panel is open.
    pub show_profiles: bool,
    /// Whether the details pane is open.
    pub show_details: bool,
    /// Whether the expiry timeline is shown above the table.
    pub show_timeline: bool,
    /// Refresh every this many minutes while the app is open (0: only when asked).
    pub auto_refresh_minutes: u32,
    /// Desktop notifications when items enter the warning or critical window or a refresh fails.
    pub notifications: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            view: ViewState::default(),
            critical_days: 7,
            show_activity: true,
            show_profiles: true,
            show_details: true,
            show_timeline: true,
            auto_refresh_minutes: 0,
            notifications: false,
        }
    }
}
