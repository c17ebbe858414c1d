//! IAM: password sign-in (tokens), projects, domains.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use time::Duration;

use super::ApiError;
use crate::sim::auth::Caller;
use crate::sim::state::{IssuedToken, SimState, TokenScope};

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v3/projects", get(projects))
        .route("/v3/auth/projects", get(auth_projects))
        .route("/v3/auth/domains", get(domains))
        .route("/v3.0/OS-CREDENTIAL/securitytokens", axum::routing::post(security_token))
}

fn project_json(state: &SimState, name: &str, id: &str) -> Value {
    json!({"id": id, "name": name, "domain_id": state.estate().domain_id, "parent_id": state.estate().domain_id,
           "enabled": true, "is_domain": false, "description": "",
           "links": {"self": format!("{}/v3/projects/{id}", state.endpoint)}})
}

fn all_projects(state: &SimState) -> Vec<Value> {
    state.estate().regions.iter().map(|r| project_json(state, &r.name, &r.project_id)).collect()
}

async fn projects(State(state): State<Arc<SimState>>, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let mut list = all_projects(&state);
    if let Some(name) = q.get("name") {
        list.retain(|p| p["name"] == name.as_str());
    }
    Json(
        json!({"projects": list, "links": {"self": format!("{}/v3/projects", state.endpoint), "next": null, "previous": null}}),
    )
}

async fn auth_projects(
    State(state): State<Arc<SimState>>,
    Extension(_caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    if state.faults().deny_project_listing {
        return Err(ApiError::new(
            403,
            "IAM.0003",
            "Policy doesn't allow iam:projects:listAuthProjects to be performed.",
        ));
    }
    Ok(Json(
        json!({"projects": all_projects(&state), "links": {"self": format!("{}/v3/auth/projects", state.endpoint)}}),
    ))
}

async fn domains(State(state): State<Arc<SimState>>) -> Json<Value> {
    Json(json!({"domains": [{"id": state.estate().domain_id, "name": state.estate().domain_name, "enabled": true,
                             "description": "", "links": {"self": format!("{}/v3/domains/{}", state.endpoint, state.estate().domain_id)}}],
                "links": {"self": format!("{}/v3/auth/domains", state.endpoint)}}))
}

/// `POST /v3.0/OS-CREDENTIAL/securitytokens`: temporary AK/SK and security token for a token holder.
async fn security_token(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Json(req): Json<Value>,
) -> Result<Response, ApiError> {
    if !matches!(caller, Caller::Token(_)) {
        return Err(ApiError::new(403, "IAM.0002", "Temporary credentials are issued for a token only."));
    }
    let secs = req["auth"]["identity"]["token"]["duration_seconds"].as_i64().unwrap_or(900);
    if !(900..=86_400).contains(&secs) {
        return Err(ApiError::new(400, "IAM.0007", "duration_seconds must be between 900 and 86400."));
    }
    let access = format!("SIMTEMP{}", state.random_hex(13).to_ascii_uppercase());
    let temp = crate::sim::state::TemporaryKey {
        secret_key: state.random_hex(40),
        security_token: format!("sim-sts-{}", state.random_hex(120)),
        expires_at: state.now() + Duration::seconds(secs),
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    let body = json!({"credential": {"access": access, "secret": temp.secret_key, "securitytoken": temp.security_token,
                                      "expires_at": temp.expires_at.format(&fmt).unwrap_or_default()}});
    state.temporary_keys().insert(access, temp);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

fn keystone_401(message: &str) -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": {"code": 401, "title": "Unauthorized", "message": message}})))
        .into_response()
}

/// `POST /v3/auth/tokens`: password sign-in, project or domain scope; the token in `X-Subject-Token`.
pub(super) async fn sign_in(State(state): State<Arc<SimState>>, body: axum::body::Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return ApiError::new(400, "IAM.0007", "The request body is not valid JSON.").into_response();
    };
    let identity = &req["auth"]["identity"];
    if !identity["methods"].as_array().is_some_and(|m| m.iter().any(|x| x == "password")) {
        return ApiError::new(400, "IAM.0008", "Only the password method is supported.").into_response();
    }
    let user = &identity["password"]["user"];
    let domain_ok = user["domain"]["name"] == state.estate().domain_name.as_str();
    if !domain_ok || user["name"] != state.iam_user.as_str() || user["password"] != state.iam_password.as_str() {
        let who = format!("{}/{}", user["domain"]["name"].as_str().unwrap_or(""), user["name"].as_str().unwrap_or(""));
        state.record_auth_failure(&who);
        return keystone_401("The username or password is wrong.");
    }
    let scope = &req["auth"]["scope"];
    let (token_scope, project) = if let Some(name) = scope["project"]["name"].as_str() {
        match state.estate().region(name) {
            Some(r) => (TokenScope::Project(r.project_id.clone()), Some((r.name.clone(), r.project_id.clone()))),
            None => return ApiError::new(400, "IAM.0010", &format!("Project {name} does not exist.")).into_response(),
        }
    } else if let Some(id) = scope["project"]["id"].as_str() {
        match state.estate().region_by_project(id) {
            Some(r) => (TokenScope::Project(r.project_id.clone()), Some((r.name.clone(), r.project_id.clone()))),
            None => return ApiError::new(400, "IAM.0010", &format!("Project {id} does not exist.")).into_response(),
        }
    } else {
        (TokenScope::Domain, None)
    };
    let now = state.now();
    let expires_at = now + Duration::hours(24);
    let token = format!("MIIsim{}", state.random_hex(480));
    state.tokens().insert(token.clone(), IssuedToken { scope: token_scope, expires_at });
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    let domain = json!({"id": state.estate().domain_id, "name": state.estate().domain_name});
    let mut body = json!({"token": {
        "expires_at": expires_at.format(&fmt).unwrap_or_default(),
        "issued_at": now.format(&fmt).unwrap_or_default(),
        "methods": ["password"],
        "user": {"id": state.random_hex(32), "name": state.iam_user, "domain": domain.clone(), "password_expires_at": ""},
        "roles": [{"id": "0", "name": "te_admin"}],
    }});
    match project {
        Some((name, id)) => body["token"]["project"] = json!({"id": id, "name": name, "domain": domain}),
        None => body["token"]["domain"] = domain,
    }
    let mut resp = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&token) {
        resp.headers_mut().insert("x-subject-token", v);
    }
    resp
}
