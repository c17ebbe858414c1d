//! Desktop notifications behind a trait: the app uses the platform's (notify-rust: the freedesktop
//! notification service on Linux, toasts on Windows, Notification Center on macOS); tests record.

use std::sync::Mutex;

/// A notification that could not be shown.
#[derive(Debug, thiserror::Error)]
#[error(
    "A desktop notification could not be shown ({0}). Turn notifications off in View, or start a notification service."
)]
pub struct NotifyError(pub String);

/// Shows a desktop notification.
pub trait Notifier: Send + Sync {
    /// Shows `title` and `body`; blocking is allowed (it runs off the runtime's threads).
    fn notify(&self, title: &str, body: &str) -> Result<(), NotifyError>;
}

/// The platform's notifications.
#[derive(Debug, Default)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    #[cfg(feature = "gui")]
    fn notify(&self, title: &str, body: &str) -> Result<(), NotifyError> {
        let mut n = notify_rust::Notification::new();
        n.summary(title).body(body).appname("certdesk");
        // The id the installer gives the Start menu shortcut, so Windows names the toast's sender.
        #[cfg(windows)]
        n.app_id(crate::build_info::APP_ID);
        n.show().map(drop).map_err(|e| NotifyError(e.to_string()))
    }

    #[cfg(not(feature = "gui"))]
    fn notify(&self, _title: &str, _body: &str) -> Result<(), NotifyError> {
        Err(NotifyError("this build has no desktop parts".into()))
    }
}

/// Keeps what it was asked to show (tests, and a record of what the app would show).
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    shown: Mutex<Vec<(String, String)>>,
}

impl RecordingNotifier {
    /// Every (title, body) shown so far.
    pub fn shown(&self) -> Vec<(String, String)> {
        super::jobs::locked(&self.shown).clone()
    }
}

impl Notifier for RecordingNotifier {
    fn notify(&self, title: &str, body: &str) -> Result<(), NotifyError> {
        super::jobs::locked(&self.shown).push((title.to_owned(), body.to_owned()));
        Ok(())
    }
}
