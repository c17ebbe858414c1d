//! SSL Certificate Manager bodies: list, export.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroize;

use super::lenient;

/// `GET /v3/scm/certificates` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListCertificatesResponse {
    /// This page.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    /// Total matching certificates.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub total_count: u64,
}

/// One SSL certificate bought or uploaded through SCM.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Certificate {
    /// `scs` + 13 digits.
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// The main domain.
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain: String,
    /// Further domains, comma-separated.
    #[serde(default, deserialize_with = "lenient::string")]
    pub sans: String,
    /// `DV_SSL_CERT`, `OV_SSL_CERT`, ...
    #[serde(default, rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
    /// CA brand (`GlobalSign`, `DigiCert`, ...).
    #[serde(default, deserialize_with = "lenient::string")]
    pub brand: String,
    /// `ISSUED`, `PAID`, `CHECKING`, `UPLOAD`, `EXPIRED`, `REVOKED`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// Expiry as `2021-05-27 16:46:25.0` (no zone; read as UTC).
    #[serde(default, deserialize_with = "lenient::string")]
    pub expire_time: String,
    /// `RSA2048`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub signature_algorithm: String,
    /// Whether it can be deployed to other services (which needs its key in SCM).
    #[serde(default, deserialize_with = "lenient::bool")]
    pub deploy_support: bool,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /v3/scm/certificates/{id}/export` response. The key is wiped when dropped.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct ExportResponse {
    /// Certificate and chain in one PEM (newer API versions).
    #[serde(default, deserialize_with = "lenient::string")]
    pub entire_certificate: String,
    /// The certificate (PEM).
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate: String,
    /// The chain (PEM), issuer first.
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate_chain: String,
    /// The private key (PEM); empty when SCM does not hold it.
    #[serde(default, deserialize_with = "lenient::string")]
    pub private_key: String,
}

impl std::fmt::Debug for ExportResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportResponse")
            .field("entire_certificate", &self.entire_certificate.len())
            .field("certificate", &self.certificate.len())
            .field("certificate_chain", &self.certificate_chain.len())
            .field("private_key", &if self.private_key.is_empty() { "none" } else { "<redacted>" })
            .finish()
    }
}

impl Drop for ExportResponse {
    fn drop(&mut self) {
        self.private_key.zeroize();
    }
}
