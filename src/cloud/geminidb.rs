//! GeminiDB: list instances, get the SSL certificate download link.

use super::endpoints::Service;
use super::error::CloudError;
use super::http::ApiRequest;
use super::pages::all_pages;
use super::session::CloudSession;
use super::wire::geminidb::{DownloadLink, DownloadLinkResponse, Instance, ListInstancesResponse};

/// Page size for the instance list (the API allows up to 100).
pub const PAGE_LIMIT: u64 = 100;

/// Lists every GeminiDB instance of a region.
pub async fn list_instances(session: &CloudSession, region: &str) -> Result<Vec<Instance>, CloudError> {
    list_instances_paged(session, region, PAGE_LIMIT).await
}

/// Lists every GeminiDB instance of a region, `page_limit` per call.
pub async fn list_instances_paged(
    session: &CloudSession,
    region: &str,
    page_limit: u64,
) -> Result<Vec<Instance>, CloudError> {
    let base = session.base_url(Service::GeminiDb, region)?;
    all_pages(page_limit, |offset, limit| {
        let req = ApiRequest::get(&base, "/v3/{project_id}/instances").query("offset", offset).query("limit", limit);
        let base = base.clone();
        async move {
            let resp = session.call_regional(region, req).await?;
            let body: ListInstancesResponse = resp.json(&base)?;
            Ok((body.instances, body.total_count))
        }
    })
    .await
}

/// Gets the CA certificate download link of an instance (the first `certs` entry).
pub async fn ssl_cert_link(
    session: &CloudSession,
    region: &str,
    instance_id: &str,
) -> Result<DownloadLink, CloudError> {
    let base = session.base_url(Service::GeminiDb, region)?;
    let instance_id = super::validate::id("instance id", instance_id)?;
    let req = ApiRequest::get(&base, format!("/v3/{{project_id}}/instances/{instance_id}/ssl-cert/download-link"));
    let resp = session.call_regional(region, req).await?;
    let body: DownloadLinkResponse = resp.json(&base)?;
    body.certs.into_iter().find(|c| !c.download_link.is_empty()).ok_or_else(|| CloudError::BadResponse {
        endpoint: super::http::host_label(&base),
        status: resp.status,
        reason: "the answer had no download link".into(),
    })
}
