//! Elastic Load Balance bodies: certificates (dedicated v3 and shared v2 APIs) and listeners.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `GET /v3/{project_id}/elb/certificates` response (marker pages).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListCertificatesResponse {
    /// This page.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// Markers of the pages around this one (v3); absent in the shared API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_info: Option<PageInfo>,
    /// The total in the shared API (`instance_num`).
    #[serde(default, deserialize_with = "lenient::opt_u64", skip_serializing_if = "Option::is_none")]
    pub instance_num: Option<u64>,
    /// The request's id (v3).
    #[serde(default, deserialize_with = "lenient::string", skip_serializing_if = "String::is_empty")]
    pub request_id: String,
}

/// Marker pagination facts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PageInfo {
    /// Marker of the page before (its first id).
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub previous_marker: Option<String>,
    /// Marker of the next page (this page's last id); `None` on the last page.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub next_marker: Option<String>,
    /// Items on this page.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub current_count: u64,
}

/// One certificate uploaded to ELB (the fields certdesk uses; the key the API sends is not kept).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Certificate {
    /// 32 hex characters.
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// `server` or `client` (a CA certificate for mutual TLS).
    #[serde(default, rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
    /// The domain(s) it is for, comma-separated.
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain: String,
    /// The certificate (PEM, with its chain).
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate: String,
    /// Expiry, `2030-01-01T00:00:00Z` or `2030-01-01 00:00:00`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub expire_time: String,
    /// The id of the SCM certificate it came from, if any.
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub scm_certificate_id: Option<String>,
    /// Subject CN (v3).
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// SHA-1 fingerprint (v3).
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    // No catch-all map: the lists carry each certificate's `private_key`, which certdesk never
    // keeps; unknown fields are skipped while reading, never stored.
}

/// `GET /v3/{project_id}/elb/listeners` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListListenersResponse {
    /// This page.
    #[serde(default)]
    pub listeners: Vec<Listener>,
    /// Marker pagination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_info: Option<PageInfo>,
}

/// A listener, as far as certificates go.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Listener {
    /// Its id.
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// `HTTPS`, `TLS`, `TCP`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub protocol: String,
    /// Port.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub protocol_port: u64,
    /// The server certificate's id.
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub default_tls_container_ref: Option<String>,
    /// The client CA certificate's id (mutual TLS).
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub client_ca_tls_container_ref: Option<String>,
    /// SNI certificates' ids.
    #[serde(default)]
    pub sni_container_refs: Vec<String>,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

impl Listener {
    /// Whether it uses the certificate with this id.
    pub fn uses(&self, certificate_id: &str) -> bool {
        self.default_tls_container_ref.as_deref() == Some(certificate_id)
            || self.client_ca_tls_container_ref.as_deref() == Some(certificate_id)
            || self.sni_container_refs.iter().any(|r| r == certificate_id)
    }
}
