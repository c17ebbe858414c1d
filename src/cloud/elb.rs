//! Elastic Load Balance: the certificates uploaded to load balancers, and the listeners that use
//! them. The dedicated API (`/v3/{project_id}/elb/...`, Huawei Cloud and Open Telekom Cloud) pages
//! with markers; the shared API (Huawei Cloud `/v2/{project_id}/elb/certificates`, Open Telekom
//! Cloud `/v2.0/lbaas/certificates`) lists its certificates with markers too, without page facts.

use super::endpoints::{Cloud, Service};
use super::error::CloudError;
use super::http::ApiRequest;
use super::pages::all_marker_pages;
use super::session::CloudSession;
use super::wire::elb::{Certificate, ListCertificatesResponse, ListListenersResponse, Listener};

/// Page size (the API allows up to 2000).
pub const PAGE_LIMIT: u64 = 1000;

/// Every certificate of the dedicated API in a region.
pub async fn list_certificates(session: &CloudSession, region: &str) -> Result<Vec<Certificate>, CloudError> {
    list_certificates_paged(session, region, PAGE_LIMIT).await
}

/// Every certificate of the dedicated API in a region, `page_limit` per call.
pub async fn list_certificates_paged(
    session: &CloudSession,
    region: &str,
    page_limit: u64,
) -> Result<Vec<Certificate>, CloudError> {
    let base = session.base_url(Service::Elb, region)?;
    all_marker_pages(page_limit, |marker, limit| {
        let mut req = ApiRequest::get(&base, "/v3/{project_id}/elb/certificates").query("limit", limit);
        if let Some(m) = &marker {
            req = req.query("marker", m);
        }
        let base = base.clone();
        async move {
            let body: ListCertificatesResponse = session.call_regional(region, req).await?.json(&base)?;
            let next = body.page_info.and_then(|p| p.next_marker);
            Ok((body.certificates, next))
        }
    })
    .await
}

/// Every certificate of the shared (classic) API in a region.
pub async fn list_shared_certificates(session: &CloudSession, region: &str) -> Result<Vec<Certificate>, CloudError> {
    let base = session.base_url(Service::Elb, region)?;
    let path = match session.endpoints().cloud() {
        Cloud::HuaweiCloud => "/v2/{project_id}/elb/certificates",
        Cloud::OpenTelekomCloud | Cloud::SwissOtc => "/v2.0/lbaas/certificates",
    };
    all_marker_pages(PAGE_LIMIT, |marker, limit| {
        let mut req = ApiRequest::get(&base, path).query("limit", limit);
        if let Some(m) = &marker {
            req = req.query("marker", m);
        }
        let base = base.clone();
        async move {
            let body: ListCertificatesResponse = session.call_regional(region, req).await?.json(&base)?;
            // No page facts here: a full page may have a next one, which starts after its last id.
            let full = u64::try_from(body.certificates.len()).unwrap_or(u64::MAX) >= limit;
            let next = body.certificates.last().filter(|_| full).map(|c| c.id.clone());
            Ok((body.certificates, next))
        }
    })
    .await
}

/// Every listener of the dedicated API in a region (to name where a certificate is used).
pub async fn list_listeners(session: &CloudSession, region: &str) -> Result<Vec<Listener>, CloudError> {
    let base = session.base_url(Service::Elb, region)?;
    all_marker_pages(PAGE_LIMIT, |marker, limit| {
        let mut req = ApiRequest::get(&base, "/v3/{project_id}/elb/listeners").query("limit", limit);
        if let Some(m) = &marker {
            req = req.query("marker", m);
        }
        let base = base.clone();
        async move {
            let body: ListListenersResponse = session.call_regional(region, req).await?.json(&base)?;
            Ok((body.listeners, body.page_info.and_then(|p| p.next_marker)))
        }
    })
    .await
}
