//! A short summary of a certificate: who, by whom, until when, and how many days are left.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::CertError;

/// Where a certificate stands in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// Valid for longer than the warning threshold.
    Valid,
    /// Valid, but expires within the warning threshold.
    Expiring,
    /// Past not-after.
    Expired,
    /// Before not-before.
    NotYetValid,
    /// Revoked by its CA: not to be trusted, whatever its dates say.
    Revoked,
    /// Frozen by the cloud (an unpaid or suspended resource): not usable until unfrozen.
    Frozen,
}

impl Validity {
    /// Classifies by days left and start time.
    pub fn classify(
        now: OffsetDateTime,
        not_before: OffsetDateTime,
        not_after: OffsetDateTime,
        warn_days: i64,
    ) -> Self {
        if now < not_before {
            Self::NotYetValid
        } else if now > not_after {
            Self::Expired
        } else if days_left(now, not_after) <= warn_days {
            Self::Expiring
        } else {
            Self::Valid
        }
    }

    /// Word for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
            Self::NotYetValid => "not yet valid",
            Self::Revoked => "revoked",
            Self::Frozen => "frozen",
        }
    }
}

/// Days left, the one rule everywhere: UTC calendar days from today to the expiry date (0 on the
/// day it expires; negative once that day is past). Two items expiring on the same date always
/// show the same number. Whether it has expired yet on its last day is [`Validity::classify`]'s.
pub fn days_left(now: OffsetDateTime, at: OffsetDateTime) -> i64 {
    (utc_date(at) - utc_date(now)).whole_days()
}

/// Days left in words, as the table, the details pane, `certdesk check` and `certdesk inspect`
/// say them: "12 days left", "1 day left", "expires today", "expired today" (on its last day the
/// time decides, `expired`), "expired 1 day ago", "expired 3 days ago".
pub fn expiry_words(days_left: Option<i64>, expired: bool) -> String {
    match days_left {
        None => "expiry unknown".into(),
        Some(0) if expired => "expired today".into(),
        Some(0) => "expires today".into(),
        Some(-1) => "expired 1 day ago".into(),
        Some(d) if d < 0 => format!("expired {} days ago", d.unsigned_abs()),
        Some(1) => "1 day left".into(),
        Some(d) => format!("{d} days left"),
    }
}

/// The UTC calendar day of a moment. A moment whose UTC day lies beyond the year 9999 (a date
/// with an offset at the very edge, from a file or a cloud) keeps its own day instead of panicking.
pub fn utc_date(at: OffsetDateTime) -> time::Date {
    at.checked_to_offset(time::UtcOffset::UTC).map_or_else(|| at.date(), OffsetDateTime::date)
}

/// The moment in UTC, when it can be written so (every date certdesk keeps is; see [`utc_date`]).
pub fn in_utc(at: OffsetDateTime) -> Option<OffsetDateTime> {
    at.checked_to_offset(time::UtcOffset::UTC)
}

/// The facts a list row needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    /// Subject CN (or the whole DN when there is no CN).
    pub subject: String,
    /// Issuer CN (or DN).
    pub issuer: String,
    /// Serial, lower-case hex.
    pub serial_hex: String,
    /// Not-before.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// Not-after.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Whether it is a CA certificate.
    pub is_ca: bool,
}

/// Summarises one DER certificate.
pub fn summarize(name: &str, der: &[u8]) -> Result<CertSummary, CertError> {
    let bad = |reason: String| CertError::BadCertificate { name: name.to_owned(), reason };
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| bad(e.to_string()))?;
    let cn = |n: &x509_parser::x509::X509Name<'_>| {
        n.iter_common_name().next().and_then(|a| a.as_str().ok()).map_or_else(|| n.to_string(), str::to_owned)
    };
    Ok(CertSummary {
        subject: cn(cert.subject()),
        issuer: cn(cert.issuer()),
        serial_hex: cert.raw_serial_as_string().replace(':', ""),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        is_ca: cert.is_ca(),
    })
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::{Validity, days_left, expiry_words};

    #[test]
    fn expiry_words_say_expired_today_by_the_time_not_the_day_count() {
        assert_eq!(expiry_words(Some(0), true), "expired today");
        assert_eq!(expiry_words(Some(0), false), "expires today");
        assert_eq!(expiry_words(Some(-1), true), "expired 1 day ago");
        assert_eq!(expiry_words(Some(-3), true), "expired 3 days ago");
        assert_eq!(expiry_words(Some(1), false), "1 day left");
        assert_eq!(expiry_words(Some(12), false), "12 days left");
        assert_eq!(expiry_words(None, false), "expiry unknown");
    }

    #[test]
    fn days_left_counts_utc_calendar_days_across_midnight() {
        let now = datetime!(2026-11-30 23:59:59 UTC);
        assert_eq!(days_left(now, datetime!(2026-12-01 00:00:01 UTC)), 1, "tomorrow, two seconds away");
        assert_eq!(days_left(now, datetime!(2026-11-30 00:00:00 UTC)), 0, "today, already past");
        assert_eq!(days_left(now, datetime!(2026-11-29 23:59:59 UTC)), -1);
        // Same expiry date, different times: the same number.
        let a = days_left(now, datetime!(2026-11-28 00:10:00 UTC));
        let b = days_left(now, datetime!(2026-11-28 23:50:00 UTC));
        assert_eq!((a, b), (-2, -2));
        // A local offset does not change the UTC date used.
        assert_eq!(days_left(now, datetime!(2026-12-01 00:30:00 +02:00)), 0);
        // Expired on its last day: the time decides.
        let nb = datetime!(2026-01-01 00:00:00 UTC);
        assert_eq!(Validity::classify(now, nb, datetime!(2026-11-30 12:00:00 UTC), 30), Validity::Expired);
        assert_eq!(
            Validity::classify(datetime!(2026-11-30 11:00:00 UTC), nb, datetime!(2026-11-30 12:00:00 UTC), 30),
            Validity::Expiring
        );
    }
}
