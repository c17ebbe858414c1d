//! The view settings remembered between runs (eframe persistence; never secrets).

use serde::{Deserialize, Serialize};

use super::filter::ViewState;

/// View settings remembered between runs (eframe persistence; never secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            view: ViewState::default(),
            critical_days: 7,
            show_activity: true,
            show_profiles: true,
            show_details: true,
        }
    }
}
