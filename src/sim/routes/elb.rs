//! ELB routes: certificates of the dedicated (v3) and shared (v2; OTC `/v2.0/lbaas`) APIs, with
//! marker pages, and the dedicated API's listeners. Certificates carry a real PEM, issued on
//! first use by the simulator's issuing CA.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::{ApiError, number, project_region as region};
use crate::sim::auth::Caller;
use crate::sim::estate::{ElbCertRecord, RegionEstate};
use crate::sim::pki::{KeyKind, Spec};
use crate::sim::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v3/{project_id}/elb/certificates", get(list_dedicated))
        .route("/v3/{project_id}/elb/certificates/{certificate_id}", get(show_dedicated))
        .route("/v3/{project_id}/elb/listeners", get(list_listeners))
        .route("/v2/{project_id}/elb/certificates", get(list_shared))
        // Open Telekom Cloud's shared load balancers: the project comes from the token or header.
        .route("/v2.0/lbaas/certificates", get(list_shared_otc))
}

/// What the lists send as each certificate's key (the real ones send the uploaded key): a client
/// must never keep or show it.
const SIM_KEY: &str = "-----BEGIN PRIVATE KEY-----\nELB-LIST-KEY-NEVER-KEPT\n-----END PRIVATE KEY-----\n";

fn bad(field: &str) -> ApiError {
    ApiError::new(400, "ELB.8902", &format!("Invalid parameter: {field}."))
}

/// A page of certificates with the markers before and after it.
struct MarkerPage<'a> {
    items: Vec<&'a ElbCertRecord>,
    previous: Option<String>,
    next: Option<String>,
}

/// `limit` (1..=2000, default 2000) and `marker` (an id of the list).
fn marker_page<'a>(certs: &[&'a ElbCertRecord], q: &HashMap<String, String>) -> Result<MarkerPage<'a>, ApiError> {
    let limit = number(q.get("limit")).map_err(|()| bad("limit"))?.unwrap_or(2000);
    if !(1..=2000).contains(&limit) {
        return Err(bad("limit"));
    }
    let start = match q.get("marker") {
        None => 0,
        Some(m) => certs.iter().position(|c| c.id == *m).map(|p| p + 1).ok_or_else(|| bad("marker"))?,
    };
    let limit = usize::try_from(limit).unwrap_or(2000);
    let page: Vec<&ElbCertRecord> = certs.iter().skip(start).take(limit).copied().collect();
    let more = start + page.len() < certs.len();
    let next = page.last().filter(|_| more).map(|c| c.id.clone());
    let previous = page.first().filter(|_| start > 0).map(|c| c.id.clone());
    Ok(MarkerPage { items: page, previous, next })
}

fn wire(state: &SimState, record: &ElbCertRecord, shared: bool) -> Result<Value, ApiError> {
    let m = state
        .material(&format!("elb-{}", record.id), || {
            let cn = if record.domain.is_empty() { record.name.as_str() } else { record.domain.as_str() };
            let spec = Spec {
                common_name: cn,
                dns_names: if record.domain.is_empty() { Vec::new() } else { vec![record.domain.clone()] },
                not_before: record.not_before,
                not_after: record.not_after,
                key: KeyKind::Ec256,
                serial: hex::decode(&record.id[..16]).unwrap_or_else(|_| vec![1]),
            };
            // A client CA is the issuing CA's own certificate line; a server one is issued by it.
            state.issuing_ca.issue(&spec)
        })
        .map_err(|e| ApiError::new(500, "ELB.9999", &format!("Certificate generation failed: {e}")))?;
    let pem = format!("{}{}", m.cert_pem, m.chain_pem);
    let at = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    Ok(if shared {
        json!({"id": record.id, "name": record.name, "type": record.kind, "domain": record.domain,
               "certificate": pem, "private_key": SIM_KEY, "expire_time": at(record.not_after).replace('T', " ").replace('Z', ""),
               "create_time": at(record.created_at), "update_time": at(record.created_at), "admin_state_up": true,
               "description": "", "tenant_id": "", "source": "", "protection_status": "nonProtection"})
    } else {
        json!({"id": record.id, "name": record.name, "type": record.kind, "domain": record.domain,
               "certificate": pem, "private_key": SIM_KEY, "expire_time": at(record.not_after),
               "created_at": at(record.created_at), "updated_at": at(record.created_at), "admin_state_up": true,
               "description": "", "project_id": "", "enterprise_project_id": "0", "scm_certificate_id": null,
               "common_name": record.domain, "fingerprint": "", "subject_alternative_names": [record.domain],
               "source": "", "protection_status": "nonProtection", "protection_reason": ""})
    })
}

async fn list_dedicated(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let certs: Vec<&ElbCertRecord> = region.elb.iter().filter(|c| !c.shared).collect();
    let MarkerPage { items: page, previous, next } = marker_page(&certs, &q)?;
    let items = page.iter().map(|c| wire(&state, c, false)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({
        "request_id": "sim",
        "page_info": {"previous_marker": previous, "next_marker": next, "current_count": items.len()},
        "certificates": items,
    }))
    .into_response())
}

async fn show_dedicated(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path((project_id, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let record = region
        .elb
        .iter()
        .find(|c| c.id == id && !c.shared)
        .ok_or_else(|| ApiError::new(404, "ELB.8904", "Certificate not found."))?;
    Ok(Json(json!({"request_id": "sim", "certificate": wire(&state, record, false)?})).into_response())
}

async fn list_listeners(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let limit = usize::try_from(number(q.get("limit")).map_err(|()| bad("limit"))?.unwrap_or(2000)).unwrap_or(2000);
    let start = match q.get("marker") {
        None => 0,
        Some(m) => region.listeners.iter().position(|l| l.id == *m).map(|p| p + 1).ok_or_else(|| bad("marker"))?,
    };
    let page: Vec<_> = region.listeners.iter().skip(start).take(limit.max(1)).cloned().collect();
    let next = page.last().filter(|_| start + page.len() < region.listeners.len()).map(|l| l.id.clone());
    Ok(Json(json!({
        "request_id": "sim",
        "page_info": {"previous_marker": null, "next_marker": next, "current_count": page.len()},
        "listeners": page,
    }))
    .into_response())
}

fn shared_page(state: &SimState, region: &RegionEstate, q: &HashMap<String, String>) -> Result<Response, ApiError> {
    let certs: Vec<&ElbCertRecord> = region.elb.iter().filter(|c| c.shared).collect();
    let page = marker_page(&certs, q)?.items;
    let items = page.iter().map(|c| wire(state, c, true)).collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({"certificates": items, "instance_num": certs.len()})).into_response())
}

async fn list_shared(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    shared_page(&state, &region, &q)
}

async fn list_shared_otc(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let project_id = caller.project().ok_or_else(|| ApiError::new(403, "APIG.0302", "No project in the request."))?;
    let region = region(&state, &caller, &project_id)?;
    shared_page(&state, &region, &q)
}
