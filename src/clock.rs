//! Time behind a trait, so tests can run the client with a skewed clock.

use time::OffsetDateTime;

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current UTC time.
    fn now(&self) -> OffsetDateTime;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// The system clock shifted by a fixed number of seconds (clock-skew tests).
#[derive(Debug, Clone, Copy)]
pub struct SkewedClock {
    /// Seconds added to the system time; negative is behind.
    pub offset_secs: i64,
}

impl Clock for SkewedClock {
    fn now(&self) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc();
        now.checked_add(time::Duration::seconds(self.offset_secs)).unwrap_or(now)
    }
}
