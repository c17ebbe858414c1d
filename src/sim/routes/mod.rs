//! The simulator's routes: the open ones (sign-in, presigned objects, control) and the
//! authenticated API, all behind the fault layer.

mod dcs;
mod elb;
mod geminidb;
mod iam;
mod pca;
mod scm;

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::stream;

pub use super::api_error::ApiError;
use super::auth;
use super::faults::{BodyFault, Faults};
use super::objects;
use super::state::SimState;

/// The whole application.
pub fn router(state: Arc<SimState>) -> axum::Router {
    let api = axum::Router::new()
        .merge(iam::routes())
        .merge(dcs::routes())
        .merge(geminidb::routes())
        .merge(pca::routes())
        .merge(elb::routes())
        .merge(scm::routes())
        .layer(middleware::from_fn_with_state(state.clone(), auth::authenticate));
    let open =
        axum::Router::new().route("/v3/auth/tokens", post(iam::sign_in)).route("/obs/{*path}", get(objects::fetch));
    let control = axum::Router::new()
        .route("/__sim/faults", get(get_faults).put(put_faults))
        .route("/__sim/reset", post(reset))
        .route("/__sim/evolve", post(evolve))
        .route("/__sim/stats", get(stats))
        .layer(middleware::from_fn_with_state(state.clone(), guard_controls));
    axum::Router::new()
        .merge(api)
        .merge(open)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), inject_faults))
        .merge(control)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::new(404, "APIG.0101", "The API does not exist or has not been published in the environment.")
}

/// The controls answer only with the admin key, when the run has one (beyond loopback).
async fn guard_controls(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let Some(key) = &state.admin_key else { return next.run(req).await };
    let given = req.headers().get("x-sim-admin-key").and_then(|v| v.to_str().ok());
    let matches = given.is_some_and(|g| crate::cloud::signer::constant_time_eq(g, key));
    if matches {
        next.run(req).await
    } else {
        ApiError::new(401, "SIM.0001", "The simulator's controls need the X-Sim-Admin-Key header.").into_response()
    }
}

async fn get_faults(State(state): State<Arc<SimState>>) -> Json<Faults> {
    Json(state.faults())
}

async fn put_faults(State(state): State<Arc<SimState>>, Json(faults): Json<Faults>) -> Json<Faults> {
    state.set_faults(faults);
    Json(state.faults())
}

async fn stats(State(state): State<Arc<SimState>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "requests": state.request_count(),
        "connections": state.connection_count(),
        "auth_failures": state.auth_failures(),
        "hosts": state.host_counts(),
    }))
}

async fn reset(State(state): State<Arc<SimState>>) -> StatusCode {
    *state.lockout() = super::state::Lockout::default();
    state.tokens().clear();
    state.set_faults(Faults::default());
    StatusCode::NO_CONTENT
}

/// Changes the account as its operators would between two refreshes (see `Estate::evolve`).
async fn evolve(State(state): State<Arc<SimState>>) -> axum::Json<super::estate::Evolution> {
    let now = time::OffsetDateTime::now_utc();
    axum::Json(state.change_estate(|estate| estate.evolve(now)))
}

/// The region a path's project id belongs to, for region faults.
fn region_of_path(state: &SimState, path: &str) -> Option<String> {
    let project = path.split('/').nth(2)?;
    state.estate().region_by_project(project).map(|r| r.name.clone())
}

/// Middleware: latency, failing regions, 429 bursts, 5xx, and body faults.
async fn inject_faults(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    // Gateways refuse a POST that says neither how long its body is nor that it is chunked (some
    // answer 411, some wait for a body that never comes). HTTP/2 too: certdesk always says it.
    let headers = req.headers();
    if req.method() == axum::http::Method::POST
        && !headers.contains_key(axum::http::header::CONTENT_LENGTH)
        && !headers.contains_key(axum::http::header::TRANSFER_ENCODING)
    {
        return ApiError::new(411, "APIG.0101", "Length Required: a POST must say its Content-Length.").into_response();
    }
    let faults = state.faults();
    let n = state.next_request();
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if let Some(region) = region_of_path(&state, req.uri().path())
        && faults.fail_regions.contains(&region)
    {
        return ApiError::new(503, "APIG.0201", &format!("Backend unavailable in {region}.")).into_response();
    }
    if faults.throttled(n) {
        let message = "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute";
        return ApiError::new(429, "APIG.0308", message).with_retry_after(faults.retry_after_secs).into_response();
    }
    if faults.error_rate > 0.0 && state.roll() < faults.error_rate {
        return ApiError::new(503, "APIG.0201", "Backend unavailable.").into_response();
    }
    let fault = if faults.reset_rate + faults.truncate_rate > 0.0 || faults.drip_bytes_per_sec > 0 {
        faults.body_fault(state.roll())
    } else {
        BodyFault::None
    };
    let response = next.run(req).await;
    if fault == BodyFault::None {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.insert("content-length", HeaderValue::from(bytes.len()));
    let broken = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "simulated fault");
    let body = match fault {
        BodyFault::Reset => Body::from_stream(stream::iter(vec![Err::<Bytes, _>(broken())])),
        BodyFault::Truncate => {
            let half = bytes.slice(..bytes.len() / 2);
            Body::from_stream(stream::iter(vec![Ok(half), Err(broken())]))
        }
        BodyFault::Drip(rate) => {
            let chunk = usize::try_from((rate / 10).max(1)).unwrap_or(1);
            let pieces: Vec<Bytes> = bytes.chunks(chunk).map(Bytes::copy_from_slice).collect();
            Body::from_stream(stream::unfold(pieces.into_iter(), |mut it| async move {
                let next = it.next()?;
                tokio::time::sleep(Duration::from_millis(100)).await;
                Some((Ok::<_, std::io::Error>(next), it))
            }))
        }
        BodyFault::None => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

/// Parses `offset` / `limit` query values; `None` when absent, `Err` when not a number.
pub(super) fn number(value: Option<&String>) -> Result<Option<i64>, ()> {
    value.map(|v| v.trim().parse::<i64>().map_err(|_| ())).transpose()
}

/// The region of the project a regional call names, once the caller may use it.
pub(super) fn project_region(
    state: &SimState,
    caller: &crate::sim::auth::Caller,
    project_id: &str,
) -> Result<RegionRef, ApiError> {
    caller.require_project(state, project_id)?;
    let estate = state.estate();
    let index = estate
        .regions
        .iter()
        .position(|r| r.project_id == project_id)
        .ok_or_else(|| ApiError::new(403, "APIG.0302", "Unknown project."))?;
    Ok(RegionRef { estate, index })
}

/// A region of the estate as it was when the request came: a handle, not a copy (a copy of a
/// large region per request was most of the simulator's work).
pub(super) struct RegionRef {
    estate: Arc<super::estate::Estate>,
    index: usize,
}

impl std::ops::Deref for RegionRef {
    type Target = super::estate::RegionEstate;

    fn deref(&self) -> &Self::Target {
        &self.estate.regions[self.index]
    }
}

/// A list's answer, `{"<count_key>": count, "<items_key>": [items]}`, written straight from the
/// estate's records: a `serde_json::Value` copy of every item per request was most of the
/// simulator's CPU when a refresh's lists all come at once (and the simulator shares the cores
/// with the client it is measured against).
pub(super) fn list_body<T: serde::Serialize>(count_key: &str, count: usize, items_key: &str, items: &[T]) -> Response {
    struct Body<'a, T>(&'a str, usize, &'a str, &'a [T]);
    impl<T: serde::Serialize> serde::Serialize for Body<'_, T> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut map = s.serialize_map(Some(2))?;
            map.serialize_entry(self.0, &self.1)?;
            map.serialize_entry(self.2, self.3)?;
            map.end()
        }
    }
    Json(Body(count_key, count, items_key, items)).into_response()
}

/// A page of `items` at `offset`, `limit`.
pub(super) fn page<T: Clone>(items: &[T], offset: usize, limit: usize) -> Vec<T> {
    items.iter().skip(offset).take(limit).cloned().collect()
}
