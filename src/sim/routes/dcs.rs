//! DCS routes: list instances, query SSL, SSL certificate download.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::{ApiError, list_body, number, page, project_region as region};
use crate::cloud::wire::dcs::SslInfo;
use crate::sim::auth::Caller;
use crate::sim::estate::{DcsRecord, RegionEstate};
use crate::sim::objects::presign;
use crate::sim::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v2/{project_id}/instances", get(list))
        .route("/v2/{project_id}/instances/{instance_id}/ssl", get(show_ssl))
        .route("/v2/{project_id}/instances/{instance_id}/ssl-certs/download", post(download))
}

async fn list(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(project_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let offset = number(q.get("offset")).map_err(|()| invalid_offset())?.unwrap_or(0);
    let limit = number(q.get("limit")).map_err(|()| invalid_limit())?.unwrap_or(10);
    if offset < 0 {
        return Err(invalid_offset());
    }
    if !(1..=1000).contains(&limit) {
        return Err(invalid_limit());
    }
    let exact = q.get("name_equal").is_some_and(|v| v == "true");
    let matches: Vec<_> = region
        .dcs
        .iter()
        .filter(|d| match q.get("name") {
            Some(n) if exact => d.instance.name == *n,
            Some(n) => d.instance.name.contains(n.as_str()),
            None => true,
        })
        .filter(|d| q.get("status").is_none_or(|s| d.instance.status == *s))
        .filter(|d| q.get("instance_id").is_none_or(|id| d.instance.instance_id == *id))
        .map(|d| &d.instance)
        .collect();
    let items = page(&matches, usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(10));
    Ok(list_body("instance_num", matches.len(), "instances", &items))
}

fn invalid_offset() -> ApiError {
    ApiError::new(400, "DCS.4800", "Invalid offset in the request.")
}

fn invalid_limit() -> ApiError {
    ApiError::new(400, "DCS.4801", "Invalid limit in the request.")
}

fn instance<'a>(region: &'a RegionEstate, id: &str) -> Result<&'a DcsRecord, ApiError> {
    region
        .dcs
        .iter()
        .find(|d| d.instance.instance_id == id)
        .ok_or_else(|| ApiError::new(404, "DCS.4133", "The instance does not exist."))
}

fn not_supported() -> ApiError {
    ApiError::new(400, "DCS.4201", "Do not support SSL.")
}

async fn show_ssl(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path((project_id, instance_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let record = instance(&region, &instance_id)?;
    let Some(ssl) = &record.ssl else { return Err(not_supported()) };
    if record.no_info {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let info = if ssl.enabled {
        let i = &record.instance;
        let fmt =
            time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
        SslInfo {
            enabled: true,
            ip: i.ip.clone(),
            ipv6: String::new(),
            port: "6379".into(),
            domain_name: format!("{}:6379", i.domain_name),
            ssl_expired_at: ssl.expires_at.format(&fmt).unwrap_or_default(),
            ssl_validated: ssl.validated,
        }
    } else {
        SslInfo::default()
    };
    Ok(Json(info).into_response())
}

async fn download(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path((project_id, instance_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let region = region(&state, &caller, &project_id)?;
    let record = instance(&region, &instance_id)?;
    let Some(ssl) = &record.ssl else { return Err(not_supported()) };
    if !ssl.enabled {
        // The documented error table has no code for this; the simulator says it plainly.
        return Err(ApiError::new(400, "DCS.4202", "SSL is not enabled for this instance."));
    }
    let short = &instance_id[..8.min(instance_id.len())];
    let file_name = format!("ssl-{short}.zip");
    let link = presign(&state, &format!("dcs/{}/{instance_id}/{file_name}", region.name));
    Ok(Json(json!({"file_name": file_name, "link": link, "bucket_name": format!("dcs-ssl-{}", region.name)}))
        .into_response())
}
