//! CCM private CA: list certificates and CAs, export a certificate (JSON or zip), export a CA.

use std::fmt;
use std::str::FromStr;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::endpoints::Service;
use super::error::CloudError;
use super::http::ApiRequest;
use super::pages::all_pages;
use super::session::CloudSession;
use super::wire::pca::{
    Certificate, CertificateAuthority, ExportCaResponse, ExportRequest, ExportResponse, ListCasResponse,
    ListCertificatesResponse,
};

/// Page size for the lists (the API allows up to 1000).
pub const PAGE_LIMIT: u64 = 1000;

/// The region whose endpoint serves this global service.
const GLOBAL: &str = "";

/// Filters for the certificate list.
#[derive(Clone, Debug, Default)]
pub struct CertificateFilter {
    /// Substring of the name.
    pub name: Option<String>,
    /// `ISSUED`, `REVOKED`, `EXPIRED`.
    pub status: Option<String>,
    /// `create_time`, `common_name`, `issuer_name`, `not_after`.
    pub sort_key: Option<String>,
    /// `ASC` or `DESC`.
    pub sort_dir: Option<String>,
}

/// Lists every private certificate of the account.
pub async fn list_certificates(
    session: &CloudSession,
    filter: &CertificateFilter,
) -> Result<Vec<Certificate>, CloudError> {
    list_certificates_paged(session, filter, PAGE_LIMIT).await
}

/// Lists every private certificate of the account, `page_limit` per call.
pub async fn list_certificates_paged(
    session: &CloudSession,
    filter: &CertificateFilter,
    page_limit: u64,
) -> Result<Vec<Certificate>, CloudError> {
    let base = session.base_url(Service::Ccm, GLOBAL)?;
    all_pages(page_limit, |offset, limit| {
        let mut req = ApiRequest::get(&base, "/v1/private-certificates").query("offset", offset).query("limit", limit);
        for (key, value) in [
            ("name", &filter.name),
            ("status", &filter.status),
            ("sort_key", &filter.sort_key),
            ("sort_dir", &filter.sort_dir),
        ] {
            if let Some(v) = value {
                req = req.query(key, v);
            }
        }
        let base = base.clone();
        async move {
            let body: ListCertificatesResponse = session.call_global(req).await?.json(&base)?;
            Ok((body.certificates, body.total))
        }
    })
    .await
}

/// An entry of the certificate list that did not read as a certificate (a date in another
/// format, a field of the wrong type): shown as a row with a note, never failing the page.
#[derive(Clone, Debug)]
pub struct OddCertificate {
    /// Its id, when the entry has one.
    pub id: String,
    /// Its common name, when the entry has one.
    pub name: String,
    /// Its status, as sent.
    pub status: String,
    /// What could not be read.
    pub reason: String,
}

/// Every private certificate of the account, each entry read on its own: entries that do not
/// read are returned apart, with what was wrong.
pub async fn list_certificates_tolerant(
    session: &CloudSession,
) -> Result<(Vec<Certificate>, Vec<OddCertificate>), CloudError> {
    let base = session.base_url(Service::Ccm, GLOBAL)?;
    let entries: Vec<Box<RawValue>> = all_pages(PAGE_LIMIT, |offset, limit| {
        let req = ApiRequest::get(&base, "/v1/private-certificates").query("offset", offset).query("limit", limit);
        let base = base.clone();
        async move {
            let body: RawList = session.call_global(req).await?.json(&base)?;
            Ok((body.certificates, body.total))
        }
    })
    .await?;
    Ok(read_entries(entries))
}

/// Reads a list page's entries each on its own: those that do not read come apart, with their
/// names read loosely and what was wrong.
pub fn read_entries(entries: Vec<Box<RawValue>>) -> (Vec<Certificate>, Vec<OddCertificate>) {
    let (mut good, mut odd) = (Vec::new(), Vec::new());
    for entry in entries {
        match serde_json::from_str::<Certificate>(entry.get()) {
            Ok(c) => good.push(c),
            Err(e) => {
                // Only an entry that does not read is read a second time, loosely, for its names.
                let entry: Value = serde_json::from_str(entry.get()).unwrap_or_default();
                let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
                odd.push(OddCertificate {
                    id: text(entry.get("certificate_id")),
                    name: text(entry.get("distinguished_name").and_then(|d| d.get("common_name"))),
                    status: text(entry.get("status")),
                    reason: e.to_string(),
                });
            }
        }
    }
    (good, odd)
}

/// The entries of a private-certificate list page, unread.
pub fn page_entries(body: &[u8]) -> Result<Vec<Box<RawValue>>, serde_json::Error> {
    serde_json::from_slice::<RawList>(body).map(|page| page.certificates)
}

/// A list page with its entries unread (each is read on its own, from its own text).
#[derive(serde::Deserialize)]
struct RawList {
    #[serde(default, deserialize_with = "super::wire::lenient::u64")]
    total: u64,
    #[serde(default)]
    certificates: Vec<Box<RawValue>>,
}

/// Lists every private CA of the account.
pub async fn list_cas(session: &CloudSession) -> Result<Vec<CertificateAuthority>, CloudError> {
    let base = session.base_url(Service::Ccm, GLOBAL)?;
    all_pages(PAGE_LIMIT, |offset, limit| {
        let req =
            ApiRequest::get(&base, "/v1/private-certificate-authorities").query("offset", offset).query("limit", limit);
        let base = base.clone();
        async move {
            let body: ListCasResponse = session.call_global(req).await?.json(&base)?;
            Ok((body.certificate_authorities, body.total))
        }
    })
    .await
}

/// The server type a certificate is exported for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ServerType {
    /// server.key, chain.crt, server.crt.
    Apache,
    /// server.key, server.crt (with chain).
    Nginx,
    /// server.pfx + keystorePass.txt.
    Iis,
    /// server.jks + keystorePass.txt.
    Tomcat,
    /// server.key, chain.pem, server.pem.
    Other,
}

impl ServerType {
    /// All five, in the console's order.
    pub const ALL: [Self; 5] = [Self::Apache, Self::Nginx, Self::Iis, Self::Tomcat, Self::Other];

    /// The API's name.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Apache => "APACHE",
            Self::Nginx => "NGINX",
            Self::Iis => "IIS",
            Self::Tomcat => "TOMCAT",
            Self::Other => "OTHER",
        }
    }

    /// Whether the API defines a JSON (uncompressed) export for this type.
    pub fn has_json_export(self) -> bool {
        matches!(self, Self::Apache | Self::Nginx | Self::Other)
    }
}

impl fmt::Display for ServerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.api_name())
    }
}

impl FromStr for ServerType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.api_name().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown server type {s:?}: use apache, nginx, iis, tomcat or other"))
    }
}

/// What an export returned.
#[derive(Debug)]
pub enum Export {
    /// PEM texts (`is_compressed: "false"`).
    Pem(ExportResponse),
    /// A zip archive (`is_compressed: "true"`), with the file name the server suggested.
    Zip {
        /// `<certname>_<type>.zip` from Content-Disposition, when given.
        file_name: Option<String>,
        /// The archive bytes.
        bytes: Bytes,
    },
}

/// Exports a private certificate with its key.
pub async fn export_certificate(
    session: &CloudSession,
    certificate_id: &str,
    server_type: ServerType,
    compressed: bool,
) -> Result<Export, CloudError> {
    if !compressed && !server_type.has_json_export() {
        return Err(CloudError::NotSent(format!("{server_type} is only exported as a zip")));
    }
    let base = session.base_url(Service::Ccm, GLOBAL)?;
    let body = ExportRequest { kind: server_type.api_name().into(), is_compressed: compressed.to_string() };
    let body = serde_json::to_vec(&body).map_err(|e| CloudError::NotSent(e.to_string()))?;
    let certificate_id = super::validate::id("certificate id", certificate_id)?;
    let req = ApiRequest::post(&base, format!("/v1/private-certificates/{certificate_id}/export"), Some(body), true);
    let resp = session.call_global(req).await?;
    // The API answers JSON or a binary zip. The bytes decide, not the Content-Type: gateways have
    // been seen labelling a zip `application/json` (a zip starts with `PK`, JSON with `{`).
    let zip = resp.body.starts_with(b"PK");
    if !zip && (resp.content_type.starts_with("application/json") || resp.body.first() == Some(&b'{')) {
        return Ok(Export::Pem(resp.json(&base)?));
    }
    if !resp.body.starts_with(b"PK") {
        return Err(CloudError::BadResponse {
            endpoint: super::http::host_label(&base),
            status: resp.status,
            reason: format!("expected a zip archive, got {:?} content", resp.content_type),
        });
    }
    let file_name = resp.content_disposition.as_deref().and_then(disposition_file_name);
    Ok(Export::Zip { file_name, bytes: resp.body })
}

/// Exports a CA certificate and its chain.
pub async fn export_ca(session: &CloudSession, ca_id: &str) -> Result<ExportCaResponse, CloudError> {
    let base = session.base_url(Service::Ccm, GLOBAL)?;
    let ca_id = super::validate::id("CA id", ca_id)?;
    let req = ApiRequest::post(&base, format!("/v1/private-certificate-authorities/{ca_id}/export"), None, true);
    session.call_global(req).await?.json(&base)
}

/// The file name of a `Content-Disposition` header, reduced to a safe base name.
fn disposition_file_name(value: &str) -> Option<String> {
    let raw = value.split(';').map(str::trim).find_map(|p| p.strip_prefix("filename="))?;
    let name = raw.trim_matches('"');
    let base = name.rsplit(['/', '\\']).next()?.trim();
    (!base.is_empty() && base != "." && base != "..").then(|| base.to_owned())
}
