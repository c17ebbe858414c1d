//! The rows the UI and CLI show, and the concurrent refresh that fills them region by region.

pub mod ca_download;
pub mod changes;
pub mod elb;
pub mod export;
pub mod fuzzing;
pub mod pca_export;
mod refresh;
pub mod scm;
pub mod snapshot;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use refresh::{RefreshEvent, RefreshOptions, discover_regions, plan, refresh, refresh_all};

use crate::certs::summary::{Validity, days_left, expiry_words};
use crate::cloud::Service;

/// The SSL state of a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SslStatus {
    /// SSL is on.
    On,
    /// SSL is off.
    Off,
    /// The engine or version cannot do SSL.
    NotSupported,
    /// Not known (no information, or the query failed).
    Unknown,
}

impl SslStatus {
    /// Word for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
            Self::NotSupported => "n/a",
            Self::Unknown => "?",
        }
    }
}

/// One instance or certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    /// `dcs`, `gemini-db` or `ccm`.
    pub service: Service,
    /// The profile it came from.
    pub profile: String,
    /// Region id, or `global` for PCA.
    pub region: String,
    /// Display name (PCA: the common name).
    pub name: String,
    /// Instance or certificate id.
    pub id: String,
    /// Engine or key algorithm.
    pub engine: String,
    /// Engine version (empty for PCA).
    pub engine_version: String,
    /// Instance or certificate status as the cloud says it.
    pub status: String,
    /// SSL state (PCA certificates are `on`).
    pub ssl: SslStatus,
    /// Certificate expiry, when known.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Whole days until expiry; negative once expired.
    pub days_left: Option<i64>,
    /// Valid / expiring / expired / not yet valid / revoked.
    pub validity: Option<Validity>,
    /// DCS `ssl_validated`.
    pub validated: Option<bool>,
    /// Where clients connect with TLS (DCS SSL domain:port, GeminiDB port).
    pub endpoint: String,
    /// A note, e.g. why expiry is unknown.
    pub note: String,
    /// Certificate facts the list call gave (PCA: subject, serial, key, signature, validity), for
    /// the details pane; not part of the CLI's JSON.
    #[serde(skip)]
    pub facts: Vec<(String, String)>,
    /// Certificate start, when known (to classify again with another threshold).
    #[serde(skip)]
    pub not_before: Option<OffsetDateTime>,
    /// Frozen by the cloud although its status does not say so (PCA's `freeze_flag`).
    #[serde(skip)]
    pub frozen: bool,
}

impl InventoryRow {
    /// Whether its status says it does not work as it should (revoked, frozen, abnormal, failed),
    /// whatever its expiry says.
    pub fn has_problem_status(&self) -> bool {
        matches!(
            self.status.to_ascii_uppercase().as_str(),
            "REVOKED" | "FROZEN" | "ABNORMAL" | "ERROR" | "FAILED" | "CREATEFAILED" | "EXPIRED_FROZEN"
        )
    }

    /// Whether it has expired (on its last day the time decides, not the day count).
    pub fn is_expired(&self) -> bool {
        self.validity == Some(Validity::Expired) || self.days_left.is_some_and(|d| d < 0)
    }

    /// Days left in words (see [`expiry_words`]).
    pub fn expiry_words(&self) -> String {
        expiry_words(self.days_left, self.is_expired())
    }

    /// Fills expiry, days left and validity from an expiry time.
    pub fn set_expiry(
        &mut self,
        now: OffsetDateTime,
        not_before: Option<OffsetDateTime>,
        not_after: OffsetDateTime,
        warn_days: i64,
    ) {
        self.expires_at = Some(not_after);
        self.days_left = Some(days_left(now, not_after));
        self.not_before = not_before;
        self.classify(now, warn_days);
    }

    /// Whether the cloud froze it (status `FROZEN`, or PCA's freeze flag).
    pub fn is_frozen(&self) -> bool {
        self.frozen || matches!(self.status.to_ascii_uppercase().as_str(), "FROZEN" | "EXPIRED_FROZEN")
    }

    /// Whether its certificate can be trusted at all: not revoked, not frozen, already valid.
    pub fn is_unusable(&self) -> bool {
        matches!(self.validity, Some(Validity::Revoked | Validity::Frozen | Validity::NotYetValid))
    }

    /// Its state under the user's warning threshold: revoked, frozen and not yet valid whatever
    /// the days say; otherwise expired, expiring or valid by days left; `None` when unknown.
    pub fn state(&self, warn_days: i64) -> Option<Validity> {
        if self.is_unusable() {
            return self.validity;
        }
        match self.days_left {
            _ if self.is_expired() => Some(Validity::Expired),
            Some(d) if d <= warn_days => Some(Validity::Expiring),
            Some(_) => Some(Validity::Valid),
            None => None,
        }
    }

    /// Classifies it again with another warning threshold (the user's, for exports). A revoked or
    /// frozen item is that whatever its dates say (also when its expiry is unknown).
    pub fn classify(&mut self, now: OffsetDateTime, warn_days: i64) {
        if self.status.eq_ignore_ascii_case("REVOKED") {
            self.validity = Some(Validity::Revoked);
            return;
        }
        if self.is_frozen() {
            self.validity = Some(Validity::Frozen);
            return;
        }
        let Some(not_after) = self.expires_at else { return };
        let not_before = self.not_before.unwrap_or(OffsetDateTime::UNIX_EPOCH);
        self.validity = Some(Validity::classify(now, not_before, not_after, warn_days));
    }

    /// Expiry, days left and validity again at another time (a saved inventory read later).
    pub fn reclassify_at(&mut self, now: OffsetDateTime, warn_days: i64) {
        // No expiry, no days left: a saved row cannot carry a count of its own.
        self.days_left = self.expires_at.map(|at| days_left(now, at));
        self.classify(now, warn_days);
    }
}

/// A part of the refresh that failed; the rest goes on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshError {
    /// Profile.
    pub profile: String,
    /// Region, or `global`.
    pub region: String,
    /// Service.
    pub service: Service,
    /// What went wrong and what to do, from the cloud layer.
    pub message: String,
}
