//! SSL Certificate Manager (Huawei Cloud, global): list certificates, export one.

use super::endpoints::Service;
use super::error::CloudError;
use super::http::ApiRequest;
use super::pages::all_pages;
use super::session::CloudSession;
use super::wire::scm::{Certificate, ExportResponse, ListCertificatesResponse};

/// Page size: the API takes 10, 20 or 50 only.
pub const PAGE_LIMIT: u64 = 50;

/// The region whose endpoint serves this global service.
const GLOBAL: &str = "";

/// Every SSL certificate of the account (all states).
pub async fn list_certificates(session: &CloudSession) -> Result<Vec<Certificate>, CloudError> {
    let base = session.base_url(Service::Scm, GLOBAL)?;
    all_pages(PAGE_LIMIT, |offset, limit| {
        let req = ApiRequest::get(&base, "/v3/scm/certificates")
            .query("offset", offset)
            .query("limit", limit)
            .query("status", "ALL");
        let base = base.clone();
        async move {
            let body: ListCertificatesResponse = session.call_global(req).await?.json(&base)?;
            Ok((body.certificates, body.total_count))
        }
    })
    .await
}

/// Exports a certificate: certificate, chain and (when SCM holds it) the private key.
pub async fn export_certificate(session: &CloudSession, certificate_id: &str) -> Result<ExportResponse, CloudError> {
    let base = session.base_url(Service::Scm, GLOBAL)?;
    let id = super::validate::id("certificate id", certificate_id)?;
    // No body, as the SDK sends it; not retried (a second export is harmless but not idempotent by contract).
    let req = ApiRequest::post(&base, format!("/v3/scm/certificates/{id}/export"), None, false);
    session.call_global(req).await?.json(&base)
}

/// Exports a certificate as PCA's PEM export has it (certificate, chain, key), so one set of
/// converters writes both services' files; an export without a certificate is an error, never
/// an empty file.
pub async fn export_as_pem(
    session: &CloudSession,
    certificate_id: &str,
) -> Result<super::wire::pca::ExportResponse, CloudError> {
    let export = export_certificate(session, certificate_id).await?;
    let (certificate, certificate_chain) = export.certificate_and_chain();
    if certificate.trim().is_empty() {
        let base = session.base_url(Service::Scm, GLOBAL)?;
        return Err(CloudError::BadResponse {
            endpoint: super::http::host_label(&base),
            status: 200,
            reason: "the export holds no certificate; nothing was saved".into(),
        });
    }
    Ok(super::wire::pca::ExportResponse { certificate, certificate_chain, private_key: export.private_key.clone() })
}
