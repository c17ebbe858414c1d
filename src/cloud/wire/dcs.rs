//! DCS (Redis) bodies: list instances, query SSL, download SSL certificate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `GET /v2/{project_id}/instances` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListInstancesResponse {
    /// Total matching instances (pagination ends when offset reaches it).
    #[serde(default, deserialize_with = "lenient::u64")]
    pub instance_num: u64,
    /// This page.
    #[serde(default)]
    pub instances: Vec<Instance>,
}

/// One DCS instance (fields certdesk uses; the rest is kept in `extra`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Instance {
    /// UUID.
    pub instance_id: String,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// `RUNNING`, `CREATING`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// `Redis` or `Memcached`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub engine: String,
    /// `5.0`, `6.0`, `7.0`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub engine_version: String,
    /// Spec code.
    #[serde(default, deserialize_with = "lenient::string")]
    pub spec_code: String,
    /// IP, comma-separated for clusters.
    #[serde(default, deserialize_with = "lenient::string")]
    pub ip: String,
    /// Port: an int here (a string in `/ssl`).
    #[serde(default, deserialize_with = "lenient::opt_u64", serialize_with = "ser_port")]
    pub port: Option<u64>,
    /// Domain name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain_name: String,
    /// Creation time, ISO-8601 UTC.
    #[serde(default, deserialize_with = "lenient::string")]
    pub created_at: String,
    /// Capability flags; `support_ssl` says whether SSL can be on at all.
    #[serde(default)]
    pub features: Features,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

#[expect(clippy::ref_option, reason = "serde's serialize_with passes &Option")]
fn ser_port<S: serde::Serializer>(port: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match port {
        Some(p) => s.serialize_u64(*p),
        None => s.serialize_none(),
    }
}

/// `features` of a DCS instance.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Features {
    /// Whether the instance can do SSL at all.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub support_ssl: bool,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

/// `GET /v2/{project_id}/instances/{id}/ssl` response (200; 204 means no SSL info).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct SslInfo {
    /// Whether SSL is on.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub enabled: bool,
    /// SSL IP.
    #[serde(default, deserialize_with = "lenient::string")]
    pub ip: String,
    /// SSL IPv6 (documented, absent from the SDK model).
    #[serde(default, deserialize_with = "lenient::string")]
    pub ipv6: String,
    /// SSL port: a **string** in this API.
    #[serde(default, deserialize_with = "lenient::string")]
    pub port: String,
    /// Domain name with `:port`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain_name: String,
    /// Certificate expiry, ISO-8601 UTC; empty when off.
    #[serde(default, deserialize_with = "lenient::string")]
    pub ssl_expired_at: String,
    /// Whether the certificate is validated.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub ssl_validated: bool,
}

/// `POST /v2/{project_id}/instances/{id}/ssl-certs/download` response.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct DownloadResponse {
    /// File name, e.g. `ssl-3c49a5c4.zip`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub file_name: String,
    /// Presigned object-storage link (a secret while it lives: never logged).
    #[serde(default, deserialize_with = "lenient::string")]
    pub link: String,
    /// Bucket name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub bucket_name: String,
}

impl std::fmt::Debug for DownloadResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A presigned link is a credential while it lives.
        f.debug_struct("DownloadResponse")
            .field("file_name", &self.file_name)
            .field("bucket_name", &self.bucket_name)
            .field("link", &"** redacted **")
            .finish()
    }
}
