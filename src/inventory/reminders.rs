//! Which reminders are due after a refresh: items that entered the warning or critical window
//! (each named at most once per window), and a refresh that failed (once per set of failures).

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::changes::{ItemKey, item_key};
use super::policy::{Alarm, Judge};
use super::{InventoryRow, RefreshError};

/// A window an item can be in: the policy's alarm (revoked, frozen and expired items are
/// critical; not-yet-valid ones a warning, as `check` says).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Window {
    Warning,
    Critical,
}

fn window(row: &InventoryRow, judge: Judge) -> Option<Window> {
    match judge.assess(row).alarm() {
        Alarm::Critical => Some(Window::Critical),
        Alarm::Warning => Some(Window::Warning),
        Alarm::None => None,
    }
}

/// What the line of an item says: its state when that is the news, else its days left.
fn state_words(row: &InventoryRow, judge: Judge) -> String {
    let severity = judge.assess(row);
    match severity.state() {
        Some(state) if severity.is_unusable() => state.label().to_owned(),
        _ => row.expiry_words_at(judge.now),
    }
}

/// Text from the cloud as a notification may show it: one line, at most 80 characters, and the
/// characters notification services read as markup (`<b>`, `<a href>`, `&amp;`) escaped, so a
/// certificate's name can neither style the notice nor put a link in it.
fn plain(text: &str) -> String {
    const MAX: usize = 80;
    let one_line: String = text.chars().map(|c| if crate::text::is_unsafe(c) { ' ' } else { c }).collect();
    let mut short: String = one_line.chars().take(MAX).collect();
    if one_line.chars().count() > MAX {
        short.push_str("...");
    }
    short.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// What was already shown.
#[derive(Debug, Default)]
pub struct Reminders {
    shown: HashSet<(ItemKey, Window)>,
    failures_shown: Vec<(String, String, crate::cloud::Service)>,
}

impl Reminders {
    /// The notification due now (title, body), if any. `previous` is the look before this
    /// refresh and when it was taken; without one (the very first refresh) nothing "entered" a
    /// window.
    pub fn due(
        &mut self,
        rows: &[&InventoryRow],
        previous: Option<(&[InventoryRow], OffsetDateTime)>,
        errors: &[RefreshError],
        judge: Judge,
    ) -> Option<(String, String)> {
        let t = judge.thresholds;
        let mut lines = Vec::new();
        let (mut critical, mut warning) = (0_usize, 0_usize);
        if let Some((previous, then)) = previous {
            let before_judge = Judge { now: then, ..judge };
            let before: HashMap<ItemKey, Option<Window>> =
                previous.iter().map(|r| (item_key(r), window(r, before_judge))).collect();
            for row in rows {
                let key = item_key(row);
                let Some(now) = window(row, judge) else { continue };
                let was = before.get(&key).copied().flatten();
                if was.is_some_and(|w| w >= now) || self.shown.contains(&(key.clone(), now)) {
                    continue;
                }
                // Critical covers warning: an item that jumps straight in is not named twice.
                self.shown.insert((key.clone(), Window::Warning));
                self.shown.insert((key, now));
                if now == Window::Critical {
                    critical += 1;
                } else {
                    warning += 1;
                }
                if lines.len() < 5 {
                    let (service, region) = (row.service.label(), plain(&row.region));
                    lines.push(format!("{} ({service} {region}): {}", plain(&row.name), state_words(row, judge)));
                }
            }
        }
        let failures: Vec<_> = errors.iter().map(|e| (e.profile.clone(), e.region.clone(), e.service)).collect();
        let failed = !failures.is_empty() && failures != self.failures_shown;
        self.failures_shown = failures;
        let more = (critical + warning).saturating_sub(lines.len());
        if more > 0 {
            lines.push(format!("and {more} more"));
        }
        if failed {
            let e = &errors[0];
            lines.push(format!(
                "The refresh failed for {} part(s), e.g. {} {} ({}): {}",
                errors.len(),
                e.service.label(),
                plain(&e.region),
                plain(&e.profile),
                plain(&e.message)
            ));
        }
        let title = match (critical, warning, failed) {
            (0, 0, false) => return None,
            (0, 0, true) => "certdesk: the refresh failed".to_owned(),
            (c, 0, _) => {
                format!("certdesk: {c} item(s) expire within {} days, have expired or are unusable", t.critical_days)
            }
            (0, w, _) => format!("certdesk: {w} item(s) expire within {} days", t.warn_days),
            (c, w, _) => format!("certdesk: {c} critical, {w} expiring item(s)"),
        };
        Some((title, lines.join("\n")))
    }
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn names_from_the_cloud_cannot_mark_up_a_notification_or_add_lines() {
        assert_eq!(
            plain("<a href=\"https://evil\">renew</a>\nnow & here"),
            "&lt;a href=\"https://evil\"&gt;renew&lt;/a&gt; now &amp; here"
        );
        assert_eq!(plain(&"x".repeat(100)).len(), 83);
    }
}
