//! `certdesk check`: a monitoring plugin (Nagios, Icinga, Zabbix, cron). Exit 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN; one status line, then performance data after `|`.

use clap::Args;

use super::list::{ScanArgs, scan};
use super::output;
use time::OffsetDateTime;

use crate::inventory::policy::{Alarm, Severity, Thresholds, assess, days_left_at, is_past_expiry};
use crate::inventory::{InventoryRow, RefreshError};

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to scan, and the WARNING and CRITICAL thresholds (`--warn-days`, `--crit-days`).
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// Monitoring-plugin states, as exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "WARNING",
            Self::Critical => "CRITICAL",
            Self::Unknown => "UNKNOWN",
        }
    }
}

pub(super) async fn run(args: CheckArgs) -> u8 {
    let thresholds = args.scan.thresholds();
    let (code, line) = match scan(&args.scan).await {
        Ok((rows, errors)) => status_line(&rows, &errors, thresholds, time::OffsetDateTime::now_utc()),
        Err(e) => (State::Unknown as u8, format!("CERTDESK UNKNOWN - {}", from_outside(&e, MAX_MESSAGE))),
    };
    output::line(&line);
    code
}

/// The exit code and the status line for what a scan found at `now` (also for tests of every path).
pub(crate) fn status_line(
    rows: &[InventoryRow],
    errors: &[RefreshError],
    thresholds: Thresholds,
    now: OffsetDateTime,
) -> (u8, String) {
    let (state, line) = verdict(rows, errors, thresholds, now);
    (state as u8, line)
}

/// The state and the status line (with performance data) for what a scan found, each row judged
/// by the policy: critical, expired, revoked and frozen items are CRITICAL; expiring and not yet
/// valid ones WARNING, each said as what it is.
fn verdict(rows: &[InventoryRow], errors: &[RefreshError], t: Thresholds, now: OffsetDateTime) -> (State, String) {
    // One pass: a cloud listing 100,000 items must not make this quadratic.
    let judged: Vec<(&InventoryRow, Severity)> = rows.iter().map(|r| (r, assess(r, now, t))).collect();
    let pick = |keep: &dyn Fn(Severity) -> bool| -> Vec<(&InventoryRow, Severity)> {
        judged.iter().filter(|(_, s)| keep(*s)).copied().collect()
    };
    let critical = pick(&|s| s.alarm() == Alarm::Critical);
    let expiring = pick(&|s| s == Severity::Warning);
    let not_yet_valid = pick(&|s| s == Severity::NotYetValid);
    let expired = rows.iter().filter(|r| is_past_expiry(r, now)).count();
    let warnings = expiring.len() + not_yet_valid.len();
    let state = if !critical.is_empty() {
        State::Critical
    } else if !errors.is_empty() {
        // Parts that did not answer may hide anything: not OK, and not a guess.
        State::Unknown
    } else if warnings > 0 {
        State::Warning
    } else {
        State::Ok
    };
    let named = |items: &[(&InventoryRow, Severity)]| {
        let mut names: Vec<String> = items
            .iter()
            .take(3)
            .map(|(r, s)| format!("{} ({})", from_outside(&r.name, MAX_NAME), days_text(r, *s, now)))
            .collect();
        if items.len() > 3 {
            names.push(format!("{} more", items.len() - 3));
        }
        names.join(", ")
    };
    let warn_days = t.warn_days;
    let mut parts = Vec::new();
    if !critical.is_empty() {
        parts.push(format!("{} critical: {}", critical.len(), named(&critical)));
    }
    if !expiring.is_empty() {
        parts.push(format!("{} expiring within {warn_days} days: {}", expiring.len(), named(&expiring)));
    }
    if !not_yet_valid.is_empty() {
        parts.push(format!("{} not yet valid: {}", not_yet_valid.len(), named(&not_yet_valid)));
    }
    if !errors.is_empty() {
        let first = &errors[0];
        parts.push(format!(
            "{} part(s) failed, e.g. {} {} ({}): {}",
            errors.len(),
            first.service.label(),
            from_outside(&first.region, MAX_NAME),
            from_outside(&first.profile, MAX_NAME),
            from_outside(&first.message, MAX_MESSAGE)
        ));
    }
    if parts.is_empty() {
        parts.push(format!("{} item(s), none expiring within {warn_days} days", rows.len()));
    }
    let min_days = rows.iter().filter_map(|r| days_left_at(r, now)).min();
    let crit_days = t.critical_days;
    let perf = format!(
        "items={} expired={expired} critical={} warning={warnings} failed_parts={}{}",
        rows.len(),
        critical.len(),
        errors.len(),
        min_days.map(|d| format!(" min_days_left={d};{warn_days};{crit_days}")).unwrap_or_default()
    );
    // One line, and the performance data whole: the status text gives way when the line would not
    // fit what a monitoring plugin may print.
    let room = MAX_LINE_BYTES.saturating_sub(perf.len() + state.word().len() + " |  - CERTDESK ".len());
    let status = fit_bytes(&parts.join("; "), room);
    let line = format!("CERTDESK {} - {status} | {perf}", state.word());
    (state, line)
}

/// Characters kept of a name (a row's, a profile's, a region's) in the status text.
const MAX_NAME: usize = 64;
/// Characters kept of a cloud's message.
const MAX_MESSAGE: usize = 200;
/// What Nagios and Icinga plugins may print as the first line (4 KiB, less a margin).
const MAX_LINE_BYTES: usize = 4000;

/// Text from the cloud as the status line shows it: one inert line, capped, and no `|`, which
/// would end the status text there and make the rest read as performance data.
fn from_outside(text: &str, max: usize) -> String {
    crate::text::capped(&crate::text::inert(text), max).replace('|', "/")
}

/// At most `max` bytes of `text`, cut at a character boundary with `...` in place of the rest.
fn fit_bytes(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut cut = max.saturating_sub(3);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &text[..cut])
}

fn days_text(row: &InventoryRow, severity: Severity, now: OffsetDateTime) -> String {
    match severity.state() {
        Some(state) if severity.is_unusable() => state.label().into(),
        _ => row.expiry_words_at(now),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::cloud::Service;

    const NOW: OffsetDateTime = time::macros::datetime!(2026-12-07 12:00 UTC);
    const T: Thresholds = Thresholds { warn_days: 30, critical_days: 7 };

    fn row(name: &str, days: i64) -> InventoryRow {
        let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
            "service": "dcs", "profile": "p", "region": "eu-de", "name": name, "id": "i", "engine": "Redis",
            "engine_version": "6.0", "status": "RUNNING", "ssl": "on", "expires_at": null,
            "validated": null, "endpoint": "", "note": ""
        }))
        .unwrap();
        r.set_expiry(None, NOW + time::Duration::days(days) + time::Duration::hours(1));
        r
    }

    #[test]
    fn not_yet_valid_items_are_a_warning_said_as_such_and_revoked_ones_critical() {
        let mut early = row("early", 348);
        early.not_before = Some(NOW + time::Duration::days(2));
        let (state, line) = verdict(&[early, row("fine", 200)], &[], T, NOW);
        assert_eq!(state, State::Warning, "{line}");
        assert!(line.contains("1 not yet valid: early (not yet valid)"), "{line}");
        assert!(!line.contains("expiring within"), "{line}");
        let mut revoked = row("gone", 200);
        revoked.status = "REVOKED".into();
        let (state, line) = verdict(&[revoked], &[], T, NOW);
        assert_eq!(state, State::Critical);
        assert!(line.contains("1 critical: gone (revoked)"), "{line}");
        let mut ran_out = row("old", -3);
        ran_out.status = "REVOKED".into();
        let (_, line) = verdict(&[ran_out], &[], T, NOW);
        assert!(line.contains(" expired=1 critical=1 "), "revoked and past its date: expired too: {line}");
    }

    #[test]
    fn names_and_messages_from_the_cloud_cannot_forge_performance_data_or_break_the_line() {
        let forged = "x | items=0 expired=0 critical=0 warning=0 failed_parts=0\nOK";
        let error = RefreshError {
            profile: "p".into(),
            region: "eu-de".into(),
            service: Service::Dcs,
            message: format!("boom | items=0 \x1b]0;title\x07{}", "m".repeat(10_000)),
        };
        let (state, line) = verdict(&[row(forged, 3)], &[error], T, NOW);
        assert_eq!(state, State::Critical);
        assert_eq!(line.matches('|').count(), 1, "{line}");
        let (status, perf) = line.split_once(" | ").unwrap();
        assert_eq!(perf, "items=1 expired=0 critical=1 warning=0 failed_parts=1 min_days_left=3;30;7");
        assert!(status.contains("x / items=0"), "{status}");
        assert!(!line.contains(['\n', '\r', '\x1b', '\x07']), "{line}");
        assert!(line.len() <= MAX_LINE_BYTES, "{}", line.len());
    }

    #[test]
    fn a_status_line_of_many_long_names_keeps_its_performance_data_within_4_kib() {
        let rows: Vec<InventoryRow> = (0..50).map(|i| row(&format!("{i}{}", "名".repeat(300)), 1)).collect();
        let errors: Vec<RefreshError> = (0..50)
            .map(|i| RefreshError {
                profile: "中".repeat(500),
                region: format!("r{i}"),
                service: Service::Elb,
                message: "é".repeat(5000),
            })
            .collect();
        let (_, line) = verdict(&rows, &errors, T, NOW);
        assert!(line.len() <= MAX_LINE_BYTES, "{}", line.len());
        assert!(
            line.ends_with("items=50 expired=0 critical=50 warning=0 failed_parts=50 min_days_left=1;30;7"),
            "{line}"
        );
    }
}
