//! The one judgement of a row: how serious it is now, under the user's thresholds. Rows hold
//! facts (status, frozen flag, start and expiry); the table's colours and filters, the summary
//! line, `check`, reminders, the timeline, OpenMetrics and every export ask [`assess`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::InventoryRow;
use crate::certs::summary::{Validity, days_left};

/// Days before expiry that count as warning and as critical.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Days left that count as expiring (a warning).
    pub warn_days: i64,
    /// Days left that count as critical.
    pub critical_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { warn_days: 30, critical_days: 7 }
    }
}

/// How serious a row is, with its reason. Ordered from the worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Revoked by its CA: not to be trusted, whatever its dates say.
    Revoked,
    /// Frozen by the cloud (unpaid or suspended): not usable until unfrozen.
    Frozen,
    /// Past its expiry.
    Expired,
    /// Expires within the critical threshold.
    Critical,
    /// Its validity has not begun: clients refuse it until then.
    NotYetValid,
    /// Expires within the warning threshold.
    Warning,
    /// Valid beyond the warning threshold.
    Ok,
    /// Its expiry is not known.
    Unknown,
}

/// How loud a severity is: what `check` exits with and which reminder window it falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Alarm {
    /// Act now.
    Critical,
    /// Act soon.
    Warning,
    /// Nothing to do.
    None,
}

impl Severity {
    /// Its reason as a word (`not_yet_valid`): OpenMetrics' `state` label and reminders say it.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Revoked => "revoked",
            Self::Frozen => "frozen",
            Self::Expired => "expired",
            Self::Critical => "critical",
            Self::NotYetValid => "not_yet_valid",
            Self::Warning => "warning",
            Self::Ok => "ok",
            Self::Unknown => "unknown",
        }
    }

    /// How loud it is.
    pub fn alarm(self) -> Alarm {
        match self {
            Self::Revoked | Self::Frozen | Self::Expired | Self::Critical => Alarm::Critical,
            Self::NotYetValid | Self::Warning => Alarm::Warning,
            Self::Ok | Self::Unknown => Alarm::None,
        }
    }

    /// The coarser state the list's `validity` field, the table's state filter and the summary
    /// line use: critical and warning are both "expiring"; unknown has none.
    pub fn state(self) -> Option<Validity> {
        match self {
            Self::Revoked => Some(Validity::Revoked),
            Self::Frozen => Some(Validity::Frozen),
            Self::Expired => Some(Validity::Expired),
            Self::NotYetValid => Some(Validity::NotYetValid),
            Self::Critical | Self::Warning => Some(Validity::Expiring),
            Self::Ok => Some(Validity::Valid),
            Self::Unknown => None,
        }
    }

    /// Whether the certificate can be trusted at all (not revoked, frozen or not yet valid): the
    /// ones that cannot are not "expiring", whatever their dates.
    pub fn is_unusable(self) -> bool {
        matches!(self, Self::Revoked | Self::Frozen | Self::NotYetValid)
    }
}

/// The row's severity at `now` under `t`. Revoked and frozen win over dates (also when the
/// expiry is unknown); then not yet valid; then the dates, as [`Validity::classify`] reads them,
/// with the critical threshold inside the warning one.
pub fn assess(row: &InventoryRow, now: OffsetDateTime, t: Thresholds) -> Severity {
    if row.status.eq_ignore_ascii_case("REVOKED") {
        return Severity::Revoked;
    }
    if row.is_frozen() {
        return Severity::Frozen;
    }
    let Some(not_after) = row.expires_at else { return Severity::Unknown };
    let not_before = row.not_before.unwrap_or(OffsetDateTime::UNIX_EPOCH);
    // The widest threshold decides "expiring"; critical is judged within it.
    let widest = t.warn_days.max(t.critical_days);
    match Validity::classify(now, not_before, not_after, widest) {
        Validity::NotYetValid => Severity::NotYetValid,
        Validity::Expired => Severity::Expired,
        Validity::Expiring if days_left(now, not_after) <= t.critical_days => Severity::Critical,
        Validity::Expiring => Severity::Warning,
        _ => Severity::Ok,
    }
}

/// What rows are judged against: the thresholds, and the moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Judge {
    /// The thresholds from settings (or the CLI's flags).
    pub thresholds: Thresholds,
    /// The moment rows are judged at.
    pub now: OffsetDateTime,
}

impl Default for Judge {
    fn default() -> Self {
        Self { thresholds: Thresholds::default(), now: OffsetDateTime::now_utc() }
    }
}

impl Judge {
    /// The severity of a row (see [`assess`]).
    pub fn assess(self, row: &InventoryRow) -> Severity {
        assess(row, self.now, self.thresholds)
    }
}

/// Whether the row's certificate is past its expiry, whatever else it is (a revoked or frozen one
/// that ran out is expired too: the Expired filter, `check`'s `expired=` and "now expired" say so).
pub fn is_past_expiry(row: &InventoryRow, now: OffsetDateTime) -> bool {
    row.expires_at.is_some_and(|at| now > at)
}

/// Whole UTC days until the row's expiry at `now` (negative once past); `None` when unknown.
pub fn days_left_at(row: &InventoryRow, now: OffsetDateTime) -> Option<i64> {
    row.expires_at.map(|at| days_left(now, at))
}

/// A row with its judgement, as the list's JSON and the exports write it: the row's facts, plus
/// `days_left` and `validity` at the moment written.
#[derive(Serialize)]
pub struct Judged<'a> {
    /// The facts.
    #[serde(flatten)]
    pub row: &'a InventoryRow,
    /// Whole days until expiry; negative once expired.
    pub days_left: Option<i64>,
    /// valid / expiring / expired / not_yet_valid / revoked / frozen.
    pub validity: Option<Validity>,
    /// The reason in full (critical and warning apart).
    pub severity: Severity,
}

impl<'a> Judged<'a> {
    /// Judges a row at `now`.
    pub fn new(row: &'a InventoryRow, now: OffsetDateTime, t: Thresholds) -> Self {
        let severity = assess(row, now, t);
        Self { row, days_left: days_left_at(row, now), validity: severity.state(), severity }
    }

    /// Judges every row at `now`.
    pub fn all(rows: &'a [InventoryRow], now: OffsetDateTime, t: Thresholds) -> Vec<Self> {
        rows.iter().map(|r| Self::new(r, now, t)).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-12-07 12:00 UTC);

    fn row(status: &str, not_before: Option<OffsetDateTime>, expires: Option<OffsetDateTime>) -> InventoryRow {
        let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
            "service": "ccm", "profile": "p", "region": "global", "name": "n", "id": "i", "engine": "",
            "engine_version": "", "status": status, "ssl": "on", "expires_at": null, "validated": null,
            "endpoint": "", "note": ""
        }))
        .unwrap();
        r.expires_at = expires;
        r.not_before = not_before;
        r
    }

    fn in_days(days: i64) -> OffsetDateTime {
        NOW + time::Duration::days(days)
    }

    #[test]
    fn every_reason_is_named() {
        let t = Thresholds { warn_days: 30, critical_days: 7 };
        let cases = [
            (row("REVOKED", None, None), Severity::Revoked),
            (row("revoked", None, Some(in_days(400))), Severity::Revoked),
            (row("FROZEN", None, Some(in_days(400))), Severity::Frozen),
            (row("EXPIRED_FROZEN", None, Some(in_days(-3))), Severity::Frozen),
            (row("ISSUED", None, Some(in_days(-1))), Severity::Expired),
            (row("ISSUED", None, Some(NOW - time::Duration::minutes(1))), Severity::Expired),
            (row("ISSUED", None, Some(in_days(0))), Severity::Critical),
            (row("ISSUED", None, Some(in_days(7))), Severity::Critical),
            (row("ISSUED", None, Some(in_days(8))), Severity::Warning),
            (row("ISSUED", None, Some(in_days(30))), Severity::Warning),
            (row("ISSUED", None, Some(in_days(31))), Severity::Ok),
            (row("ISSUED", Some(in_days(2)), Some(in_days(365))), Severity::NotYetValid),
            (row("ISSUED", Some(in_days(2)), Some(in_days(5))), Severity::NotYetValid),
            (row("RUNNING", None, None), Severity::Unknown),
        ];
        for (r, want) in cases {
            assert_eq!(assess(&r, NOW, t), want, "{} {:?}", r.status, r.expires_at);
        }
        let mut frozen = row("ISSUED", None, Some(in_days(100)));
        frozen.frozen = true;
        assert_eq!(assess(&frozen, NOW, t), Severity::Frozen, "PCA's freeze flag");
    }

    #[test]
    fn the_thresholds_decide_and_critical_may_exceed_warning() {
        let r = row("ISSUED", None, Some(in_days(20)));
        assert_eq!(assess(&r, NOW, Thresholds { warn_days: 30, critical_days: 7 }), Severity::Warning);
        assert_eq!(assess(&r, NOW, Thresholds { warn_days: 10, critical_days: 7 }), Severity::Ok);
        assert_eq!(assess(&r, NOW, Thresholds { warn_days: 30, critical_days: 20 }), Severity::Critical);
        assert_eq!(assess(&r, NOW, Thresholds { warn_days: 5, critical_days: 25 }), Severity::Critical);
        let extreme = Thresholds { warn_days: i64::MAX, critical_days: i64::MIN };
        assert_eq!(assess(&r, NOW, extreme), Severity::Warning);
    }

    #[test]
    fn alarms_and_states_follow_the_severity() {
        assert_eq!(Severity::Revoked.alarm(), Alarm::Critical);
        assert_eq!(Severity::NotYetValid.alarm(), Alarm::Warning);
        assert_eq!(Severity::Unknown.alarm(), Alarm::None);
        assert_eq!(Severity::Critical.state(), Some(Validity::Expiring));
        assert_eq!(Severity::Unknown.state(), None);
        let json =
            serde_json::to_value(Judged::new(&row("ISSUED", None, Some(in_days(3))), NOW, Thresholds::default()));
        let json = json.unwrap();
        assert_eq!((json["days_left"].as_i64(), json["validity"].as_str()), (Some(3), Some("expiring")));
        assert_eq!(json["severity"], "critical");
    }
}
