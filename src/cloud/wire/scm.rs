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
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
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

/// The end of a PEM certificate block.
const END: &str = "-----END CERTIFICATE-----";

impl ExportResponse {
    /// Certificate and chain: the separate fields, or split from `entire_certificate` when only
    /// that one came (newer API versions); the leaf is its first PEM block.
    pub fn certificate_and_chain(&self) -> (String, String) {
        if !self.certificate.trim().is_empty() || self.entire_certificate.trim().is_empty() {
            return (self.certificate.clone(), self.certificate_chain.clone());
        }
        let text = self.entire_certificate.replace("\r\n", "\n");
        match text.find(END) {
            Some(at) => {
                let (leaf, rest) = text.split_at(at + END.len());
                (format!("{leaf}\n"), rest.trim_start().to_owned())
            }
            None => (String::new(), String::new()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::ExportResponse;

    #[test]
    fn an_export_with_only_the_entire_certificate_is_split_into_leaf_and_chain() {
        let pem = |n: &str| format!("-----BEGIN CERTIFICATE-----\r\n{n}\r\n-----END CERTIFICATE-----\r\n");
        let response = |entire: String, certificate: String, certificate_chain: String| ExportResponse {
            entire_certificate: entire,
            certificate,
            certificate_chain,
            private_key: String::new(),
        };
        let e = response(format!("{}{}", pem("LEAF"), pem("CA")), String::new(), String::new());
        let (leaf, chain) = e.certificate_and_chain();
        assert!(leaf.contains("LEAF") && !leaf.contains("CA\n") && chain.contains("CA") && !chain.contains("LEAF"));
        let both = response(e.entire_certificate.clone(), pem("C"), pem("H"));
        assert_eq!(both.certificate_and_chain(), (pem("C"), pem("H")), "the separate fields win");
    }
}
