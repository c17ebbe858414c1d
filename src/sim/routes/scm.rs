//! SCM routes (global): list certificates (offset/limit 10, 20 or 50), show one, export one.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::{ApiError, number, page};
use crate::sim::auth::Caller;
use crate::sim::estate::ScmCertRecord;
use crate::sim::pki::{KeyKind, Spec};
use crate::sim::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v3/scm/certificates", get(list))
        .route("/v3/scm/certificates/{certificate_id}", get(show))
        .route("/v3/scm/certificates/{certificate_id}/export", post(export))
}

fn bad(field: &str) -> ApiError {
    ApiError::new(400, "SCM.0002", &format!("Invalid parameter: {field}."))
}

fn find(state: &SimState, id: &str) -> Result<ScmCertRecord, ApiError> {
    state
        .estate()
        .scm
        .iter()
        .find(|c| c.wire.id == id)
        .cloned()
        .ok_or_else(|| ApiError::new(404, "SCM.0404", "The certificate does not exist."))
}

async fn list(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let limit = number(q.get("limit")).map_err(|()| bad("limit"))?.unwrap_or(10);
    if ![10, 20, 50].contains(&limit) {
        return Err(bad("limit"));
    }
    let offset = number(q.get("offset")).map_err(|()| bad("offset"))?.unwrap_or(0);
    if offset < 0 {
        return Err(bad("offset"));
    }
    let status = q.get("status").map_or("ALL", String::as_str);
    let estate = state.estate();
    let matches: Vec<_> =
        estate.scm.iter().filter(|c| status == "ALL" || c.wire.status == status).map(|c| c.wire.clone()).collect();
    let items = page(&matches, usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(10));
    Ok(Json(json!({"certificates": items, "total_count": matches.len()})).into_response())
}

async fn show(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let c = find(&state, &id)?;
    let at = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default().replace('T', " ").replace('Z', "")
    };
    Ok(Json(json!({
        "id": c.wire.id, "status": c.wire.status, "order_id": "", "name": c.wire.name, "type": c.wire.kind,
        "brand": c.wire.brand, "push_support": "OFF", "revoke_reason": "", "signature_algorithm": c.wire.signature_algorithm,
        "issue_time": at(c.not_before), "not_before": at(c.not_before), "not_after": at(c.not_after),
        "validity_period": 12, "validation_method": "DNS", "domain_type": "SINGLE_DOMAIN", "multi_domain_type": "",
        "domain": c.wire.domain, "sans": c.wire.sans, "domain_count": 1, "wildcard_count": 0, "fingerprint": "",
        "shared": false, "description": "", "enterprise_project_id": "0", "authentification": [],
    }))
    .into_response())
}

async fn export(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let c = find(&state, &id)?;
    if c.wire.status != "ISSUED" {
        return Err(ApiError::new(400, "SCM.0310", "Only issued certificates can be exported."));
    }
    let m = state
        .material(&format!("scm-{}", c.wire.id), || {
            let names: Vec<String> =
                c.wire.sans.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
            state.issuing_ca.issue(&Spec {
                common_name: &c.wire.domain,
                dns_names: names,
                not_before: c.not_before,
                not_after: c.not_after,
                key: KeyKind::Rsa2048,
                serial: c.wire.id.as_bytes()[3..].to_vec(),
            })
        })
        .map_err(|e| ApiError::new(500, "SCM.0500", &format!("Certificate generation failed: {e}")))?;
    // A certificate SCM cannot deploy was uploaded without its key: the export has none.
    let key = if c.wire.deploy_support { m.key_pem.clone() } else { String::new() };
    Ok(Json(json!({
        "entire_certificate": format!("{}{}", m.cert_pem, m.chain_pem),
        "certificate": m.cert_pem,
        "certificate_chain": m.chain_pem,
        "private_key": key,
    }))
    .into_response())
}
