//! `certdesk check`: a monitoring plugin (Nagios, Icinga, Zabbix, cron). Exit 0 OK, 1 WARNING,
//! 2 CRITICAL, 3 UNKNOWN; one status line, then performance data after `|`.

use clap::Args;

use super::list::{ScanArgs, scan};
use super::output;
use crate::certs::summary::Validity;
use crate::inventory::{InventoryRow, RefreshError};

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// What to scan, and the WARNING threshold (`--warn-days`).
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Days left at or below which an item is CRITICAL (expired, revoked and frozen ones always
    /// are; not-yet-valid ones are WARNING).
    #[arg(long, default_value_t = 7)]
    pub crit_days: i64,
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
    let (state, line) = match scan(&args.scan).await {
        Ok((rows, errors)) => verdict(&rows, &errors, args.scan.warn_days, args.crit_days),
        Err(e) => (State::Unknown, format!("CERTDESK UNKNOWN - {e}")),
    };
    output::line(&line);
    state as u8
}

/// The state and the status line (with performance data) for what a scan found.
fn verdict(rows: &[InventoryRow], errors: &[RefreshError], warn_days: i64, crit_days: i64) -> (State, String) {
    let critical: Vec<&InventoryRow> = rows
        .iter()
        .filter(|r| {
            r.is_expired()
                || matches!(r.validity, Some(Validity::Revoked | Validity::Frozen))
                || r.days_left.is_some_and(|d| d <= crit_days)
        })
        .collect();
    let warning: Vec<&InventoryRow> = rows
        .iter()
        .filter(|r| {
            !critical.contains(r)
                && (r.validity == Some(Validity::NotYetValid) || r.days_left.is_some_and(|d| d <= warn_days))
        })
        .collect();
    let expired = rows.iter().filter(|r| r.is_expired()).count();
    let state = if !critical.is_empty() {
        State::Critical
    } else if !errors.is_empty() {
        // Parts that did not answer may hide anything: not OK, and not a guess.
        State::Unknown
    } else if !warning.is_empty() {
        State::Warning
    } else {
        State::Ok
    };
    let named = |items: &[&InventoryRow]| {
        let mut names: Vec<String> = items.iter().take(3).map(|r| format!("{} ({})", r.name, days_text(r))).collect();
        if items.len() > 3 {
            names.push(format!("{} more", items.len() - 3));
        }
        names.join(", ")
    };
    let mut parts = Vec::new();
    if !critical.is_empty() {
        parts.push(format!("{} critical: {}", critical.len(), named(&critical)));
    }
    if !warning.is_empty() {
        parts.push(format!("{} expiring within {warn_days} days: {}", warning.len(), named(&warning)));
    }
    if !errors.is_empty() {
        let first = &errors[0];
        parts.push(format!(
            "{} part(s) failed, e.g. {} {} ({}): {}",
            errors.len(),
            first.service.label(),
            first.region,
            first.profile,
            first.message
        ));
    }
    if parts.is_empty() {
        parts.push(format!("{} item(s), none expiring within {warn_days} days", rows.len()));
    }
    let min_days = rows.iter().filter_map(|r| r.days_left).min();
    let perf = format!(
        "items={} expired={expired} critical={} warning={} failed_parts={}{}",
        rows.len(),
        critical.len(),
        warning.len(),
        errors.len(),
        min_days.map(|d| format!(" min_days_left={d};{warn_days};{crit_days}")).unwrap_or_default()
    );
    // One line: a status line must not break (names from the cloud could hold a line break).
    let line = format!("CERTDESK {} - {} | {perf}", state.word(), parts.join("; ")).replace(['\r', '\n'], " ");
    (state, line)
}

fn days_text(row: &InventoryRow) -> String {
    match row.validity {
        Some(v @ (Validity::Revoked | Validity::Frozen | Validity::NotYetValid)) => v.label().into(),
        _ => row.expiry_words(),
    }
}
