//! GeminiDB routes: list instances, SSL certificate download link.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::{ApiError, list_body, number, page};
use crate::cloud::wire::geminidb::Instance;
use crate::sim::auth::Caller;
use crate::sim::objects::presign;
use crate::sim::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v3/{project_id}/instances", get(list))
        .route("/v3/{project_id}/instances/{instance_id}/ssl-cert/download-link", get(download_link))
}

fn parameter_error() -> ApiError {
    ApiError::new(400, "DBS.200001", "Parameter error.")
}

/// `id` / `name` filter: exact, or fuzzy with a leading `*`.
fn filter_match(filter: Option<&String>, value: &str) -> bool {
    match filter {
        None => true,
        Some(f) => match f.strip_prefix('*') {
            Some(part) => value.contains(part),
            None => value == f,
        },
    }
}

async fn list(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_project(&state, &project_id)?;
    let estate = state.estate();
    let region = estate.region_by_project(&project_id).ok_or_else(parameter_error)?;
    let offset = number(q.get("offset")).map_err(|()| parameter_error())?.unwrap_or(0);
    let limit = number(q.get("limit")).map_err(|()| parameter_error())?.unwrap_or(100);
    if offset < 0 || !(1..=100).contains(&limit) {
        return Err(parameter_error());
    }
    let matches: Vec<_> = region
        .gemini
        .iter()
        .map(|g| &g.instance)
        .filter(|i| filter_match(q.get("id"), &i.id) && filter_match(q.get("name"), &i.name))
        .filter(|i| q.get("datastore_type").is_none_or(|t| i.datastore.kind == *t))
        .collect();
    let items = page(&matches, usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(100));
    if state.faults().omit_gemini_ssl {
        let items: Vec<Instance> = items.into_iter().map(|i| Instance { ssl: None, ..i.clone() }).collect();
        return Ok(list_body("total_count", matches.len(), "instances", &items));
    }
    Ok(list_body("total_count", matches.len(), "instances", &items))
}

async fn download_link(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path((project_id, instance_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    caller.require_project(&state, &project_id)?;
    let estate = state.estate();
    let region = estate.region_by_project(&project_id).ok_or_else(parameter_error)?;
    let Some(record) = region.gemini.iter().find(|g| g.instance.id == instance_id) else {
        return Err(ApiError::new(404, "DBS.200022", "The instance does not exist."));
    };
    if record.instance.ssl.as_deref() != Some("1") {
        return Err(ApiError::new(400, "DBS.280239", "SSL is not enabled for this instance."));
    }
    let link = presign(&state, &format!("gemini/{}/{instance_id}/ca.crt", region.name));
    Ok(Json(json!({"certs": [{"category": "international", "download_link": link}]})).into_response())
}
