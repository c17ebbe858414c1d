//! The view settings remembered between runs (eframe persistence; never secrets).

use serde::{Deserialize, Serialize};

use super::filter::ViewState;
use crate::inventory::policy::Thresholds;

/// View settings remembered between runs (eframe persistence; never secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[expect(clippy::struct_excessive_bools, reason = "independent view toggles")]
pub struct Settings {
    /// Filters and sort.
    pub view: ViewState,
    /// Days left that count as warning and critical: the one policy's thresholds.
    pub thresholds: Thresholds,
    /// Settings saved before the thresholds were one: their critical days (read, never written).
    #[serde(skip_serializing)]
    critical_days: Option<i64>,
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
            thresholds: Thresholds::default(),
            critical_days: None,
            show_activity: true,
            show_profiles: true,
            show_details: true,
            show_timeline: true,
            auto_refresh_minutes: 0,
            notifications: false,
        }
    }
}

impl Settings {
    /// What rows are judged against at this moment.
    pub fn judge_now(&self) -> crate::inventory::policy::Judge {
        crate::inventory::policy::Judge { thresholds: self.thresholds, now: time::OffsetDateTime::now_utc() }
    }

    /// Settings as read from an earlier version: the warning days then sat in the view and the
    /// critical days beside it; both move into the thresholds.
    #[must_use]
    pub fn upgraded(mut self) -> Self {
        if let Some(warn) = self.view.legacy_warn_days.take() {
            self.thresholds.warn_days = warn;
        }
        if let Some(critical) = self.critical_days.take() {
            self.thresholds.critical_days = critical;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Settings;

    #[test]
    fn thresholds_saved_by_an_earlier_version_are_kept() {
        let old = r#"{"view": {"search": "", "warn_days": 45}, "critical_days": 10, "notifications": true}"#;
        let read: Settings = serde_json::from_str::<Settings>(old).unwrap().upgraded();
        assert_eq!((read.thresholds.warn_days, read.thresholds.critical_days), (45, 10));
        assert!(read.notifications);
        let written = serde_json::to_value(&read).unwrap();
        assert_eq!(written["thresholds"]["warn_days"], 45);
        assert!(written.get("critical_days").is_none() && written["view"].get("warn_days").is_none(), "{written}");
    }
}
