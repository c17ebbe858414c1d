//! CCM private CA bodies: list certificates and CAs, export certificate and CA certificate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `GET /v1/private-certificates` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListCertificatesResponse {
    /// Total matching certificates.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub total: u64,
    /// This page.
    #[serde(default)]
    pub certificates: Vec<Certificate>,
}

/// One private certificate.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Certificate {
    /// UUID, 36 characters.
    pub certificate_id: String,
    /// `ISSUED`, `REVOKED`, `EXPIRED`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// Issuing CA id.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub issuer_id: Option<String>,
    /// Issuing CA name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub issuer_name: Option<String>,
    /// `EC256`, `RSA2048`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub key_algorithm: String,
    /// `SHA256`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub signature_algorithm: String,
    /// `GENERATE`, `IMPORT`, `CSR` (then PCA holds no private key).
    #[serde(default, deserialize_with = "lenient::string")]
    pub gen_mode: String,
    /// Serial number.
    #[serde(default, deserialize_with = "lenient::string")]
    pub serial_number: String,
    /// Epoch ms.
    #[serde(default, deserialize_with = "lenient::opt_epoch_ms")]
    pub create_time: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "lenient::opt_epoch_ms")]
    pub not_before: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "lenient::opt_epoch_ms")]
    pub not_after: Option<i64>,
    /// Subject fields.
    #[serde(default)]
    pub distinguished_name: DistinguishedName,
    /// 0 when not frozen; anything else: the cloud froze it (unusable whatever `status` says).
    #[serde(default, deserialize_with = "lenient::opt_i64", skip_serializing_if = "Option::is_none")]
    pub freeze_flag: Option<i64>,
    /// SANs, in the API versions that list them (strings, or objects with a `value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_alternative_names: Option<Value>,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

/// `distinguished_name` of a certificate or CA.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct DistinguishedName {
    /// CN.
    #[serde(default, deserialize_with = "lenient::string")]
    pub common_name: String,
    /// C.
    #[serde(default, deserialize_with = "lenient::string")]
    pub country: String,
    /// ST.
    #[serde(default, deserialize_with = "lenient::string")]
    pub state: String,
    /// L.
    #[serde(default, deserialize_with = "lenient::string")]
    pub locality: String,
    /// O.
    #[serde(default, deserialize_with = "lenient::string")]
    pub organization: String,
    /// OU.
    #[serde(default, deserialize_with = "lenient::string")]
    pub organizational_unit: String,
}

/// `GET /v1/private-certificate-authorities` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListCasResponse {
    /// Total matching CAs.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub total: u64,
    /// This page.
    #[serde(default)]
    pub certificate_authorities: Vec<CertificateAuthority>,
}

/// One private CA.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CertificateAuthority {
    /// UUID.
    pub ca_id: String,
    /// `ROOT` or `SUBORDINATE`.
    #[serde(default, rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
    /// `ACTIVED` (sic), `DISABLED`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// Parent CA id, null for a root.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub issuer_id: Option<String>,
    /// Parent CA name.
    #[serde(default, deserialize_with = "lenient::opt_string")]
    pub issuer_name: Option<String>,
    /// `EC256`, `RSA2048`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub key_algorithm: String,
    /// Epoch ms.
    #[serde(default, deserialize_with = "lenient::opt_epoch_ms")]
    pub not_before: Option<i64>,
    /// Epoch ms.
    #[serde(default, deserialize_with = "lenient::opt_epoch_ms")]
    pub not_after: Option<i64>,
    /// Subject fields.
    #[serde(default)]
    pub distinguished_name: DistinguishedName,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

/// `POST /v1/private-certificates/{id}/export` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportRequest {
    /// `APACHE`, `NGINX`, `IIS`, `TOMCAT`, `OTHER`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `"true"` for a zip, `"false"` for JSON (a string, as the SDK model types it).
    #[serde(deserialize_with = "lenient::string")]
    pub is_compressed: String,
}

/// JSON export of a certificate (`is_compressed: "false"`); PEM with `\r\n` line breaks.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct ExportResponse {
    /// The certificate, PEM.
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate: String,
    /// Intermediates up to the root, PEM.
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate_chain: String,
    /// The private key, PEM (secret: never logged).
    #[serde(default, deserialize_with = "lenient::string")]
    pub private_key: String,
}

impl Drop for ExportResponse {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.private_key);
    }
}

impl std::fmt::Debug for ExportResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportResponse")
            .field("certificate_len", &self.certificate.len())
            .field("certificate_chain_len", &self.certificate_chain.len())
            .field("private_key", &"** redacted **")
            .finish()
    }
}

/// `POST /v1/private-certificate-authorities/{ca_id}/export` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ExportCaResponse {
    /// The CA certificate, PEM.
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate: String,
    /// Its chain up to the root, PEM (may be empty for a root).
    #[serde(default, deserialize_with = "lenient::string")]
    pub certificate_chain: String,
}
