//! The rows the UI and CLI show, and the concurrent refresh that fills them region by region.

pub mod ca_download;
pub mod changes;
pub mod elb;
pub mod estate;
pub mod export;
pub mod fuzzing;
pub mod pca_export;
pub mod policy;
mod refresh;
pub mod reminders;
pub mod scm;
pub mod snapshot;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub use refresh::{RefreshEvent, RefreshOptions, discover_regions, plan, refresh, refresh_all, refresh_parts};

use crate::certs::summary::expiry_words;
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
    /// Certificate start, when known (before it, the certificate is not yet valid).
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
        ["REVOKED", "FROZEN", "ABNORMAL", "ERROR", "FAILED", "CREATEFAILED", "EXPIRED_FROZEN"]
            .iter()
            .any(|s| self.status.eq_ignore_ascii_case(s))
    }

    /// Days left in words at `now` (see [`expiry_words`]).
    pub fn expiry_words_at(&self, now: OffsetDateTime) -> String {
        expiry_words(policy::days_left_at(self, now), policy::is_past_expiry(self, now))
    }

    /// Sets the certificate's start (when known) and expiry.
    pub fn set_expiry(&mut self, not_before: Option<OffsetDateTime>, not_after: OffsetDateTime) {
        self.expires_at = Some(not_after);
        self.not_before = not_before;
    }

    /// Whether the cloud froze it (status `FROZEN`, or PCA's freeze flag).
    pub fn is_frozen(&self) -> bool {
        // Judged for every row at every filter: no allocation.
        self.frozen || ["FROZEN", "EXPIRED_FROZEN"].iter().any(|s| self.status.eq_ignore_ascii_case(s))
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

impl RefreshError {
    /// A profile that could not sign in: no part of it was asked (its lines and JSON say
    /// service `iam`, region `all`).
    pub fn sign_in(profile: String, message: String) -> Self {
        Self { profile, region: SIGN_IN_REGION.into(), service: Service::Iam, message }
    }

    /// Whether it is a profile's failed sign-in rather than one part's failure.
    pub fn is_sign_in(&self) -> bool {
        self.service == Service::Iam && self.region == SIGN_IN_REGION
    }
}

/// The region a failed sign-in is reported under: every region of the profile.
const SIGN_IN_REGION: &str = "all";
