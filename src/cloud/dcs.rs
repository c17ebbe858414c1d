//! DCS (Redis): list instances, query SSL, get the SSL certificate download link.

use super::endpoints::Service;
use super::error::{CloudError, ServiceErrorKind};
use super::http::ApiRequest;
use super::pages::all_pages;
use super::session::CloudSession;
use super::wire::dcs::{DownloadResponse, Instance, ListInstancesResponse, SslInfo};

/// Page size for the instance list (the API allows up to 1000).
pub const PAGE_LIMIT: u64 = 1000;

/// Lists every DCS instance of a region.
pub async fn list_instances(session: &CloudSession, region: &str) -> Result<Vec<Instance>, CloudError> {
    list_instances_paged(session, region, PAGE_LIMIT).await
}

/// Lists every DCS instance of a region, `page_limit` per call.
pub async fn list_instances_paged(
    session: &CloudSession,
    region: &str,
    page_limit: u64,
) -> Result<Vec<Instance>, CloudError> {
    let base = session.base_url(Service::Dcs, region)?;
    all_pages(page_limit, |offset, limit| {
        let req = ApiRequest::get(&base, "/v2/{project_id}/instances").query("offset", offset).query("limit", limit);
        let base = base.clone();
        async move {
            let resp = session.call_regional(region, req).await?;
            let body: ListInstancesResponse = resp.json(&base)?;
            Ok((body.instances, body.instance_num))
        }
    })
    .await
}

/// The SSL state of an instance, as DCS reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SslState {
    /// SSL is on (or reported off with details).
    Reported(SslInfo),
    /// 204: no SSL information.
    NoInfo,
    /// DCS.4201: the engine version cannot do SSL.
    NotSupported,
}

/// Queries an instance's SSL (`GET .../ssl`).
pub async fn show_ssl(session: &CloudSession, region: &str, instance_id: &str) -> Result<SslState, CloudError> {
    let base = session.base_url(Service::Dcs, region)?;
    let instance_id = super::validate::id("instance id", instance_id)?;
    let req = ApiRequest::get(&base, format!("/v2/{{project_id}}/instances/{instance_id}/ssl"));
    match session.call_regional(region, req).await {
        Ok(resp) if resp.status == 204 || resp.body.iter().all(u8::is_ascii_whitespace) => Ok(SslState::NoInfo),
        Ok(resp) => Ok(SslState::Reported(resp.json(&base)?)),
        Err(CloudError::Service(e)) if e.kind() == ServiceErrorKind::SslNotSupported => Ok(SslState::NotSupported),
        Err(e) => Err(e),
    }
}

/// Asks for the SSL certificate download link (`POST .../ssl-certs/download`).
pub async fn ssl_cert_link(
    session: &CloudSession,
    region: &str,
    instance_id: &str,
) -> Result<DownloadResponse, CloudError> {
    let base = session.base_url(Service::Dcs, region)?;
    // A read in effect, so safe to retry although it is a POST.
    let req = ApiRequest::post(
        &base,
        format!("/v2/{{project_id}}/instances/{}/ssl-certs/download", super::validate::id("instance id", instance_id)?),
        None,
        true,
    );
    let resp = session.call_regional(region, req).await?;
    let body: DownloadResponse = resp.json(&base)?;
    if body.link.is_empty() {
        return Err(CloudError::BadResponse {
            endpoint: super::http::host_label(&base),
            status: resp.status,
            reason: "the answer had no download link".into(),
        });
    }
    Ok(body)
}
