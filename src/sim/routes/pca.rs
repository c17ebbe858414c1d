//! CCM private CA routes: list and show certificates and CAs, export a certificate (JSON or a
//! zip per server type), export a CA certificate.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Extension, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::{ApiError, list_body, number, page};
use crate::cloud::pca::ServerType;
use crate::cloud::wire::pca::{Certificate, CertificateAuthority};
use crate::sim::auth::Caller;
use crate::sim::estate::PcaCertRecord;
use crate::sim::pki::{Material, Spec};
use crate::sim::state::SimState;

pub(super) fn routes() -> Router<Arc<SimState>> {
    Router::new()
        .route("/v1/private-certificates", get(list_certificates))
        .route("/v1/private-certificates/{certificate_id}", get(show_certificate))
        .route("/v1/private-certificates/{certificate_id}/export", post(export_certificate))
        .route("/v1/private-certificate-authorities", get(list_cas))
        .route("/v1/private-certificate-authorities/{ca_id}", get(show_ca))
        .route("/v1/private-certificate-authorities/{ca_id}/export", post(export_ca))
}

fn bad_param(what: &str) -> ApiError {
    ApiError::new(400, "PCA.10010001", &format!("Invalid parameter: {what}."))
}

fn paging(q: &HashMap<String, String>) -> Result<(usize, usize), ApiError> {
    let offset = number(q.get("offset")).map_err(|()| bad_param("offset"))?.unwrap_or(0);
    let limit = number(q.get("limit")).map_err(|()| bad_param("limit"))?.unwrap_or(10);
    if offset < 0 || !(0..=1000).contains(&limit) {
        return Err(bad_param("offset or limit"));
    }
    let limit = if limit == 0 { 10 } else { limit };
    Ok((usize::try_from(offset).unwrap_or(0), usize::try_from(limit).unwrap_or(10)))
}

/// What a list is sorted by: a number, or text (anything else sorts as empty text, as the
/// service does).
enum SortKey<'a> {
    Number(i64),
    Text(&'a str),
}

impl SortKey<'_> {
    fn text(&self) -> &str {
        match self {
            Self::Text(t) => t,
            Self::Number(_) => "",
        }
    }
}

/// Sorts by `sort_key` (one of `keys`) and `sort_dir`; `field` reads a key of an item.
fn sort_by_query<'a, T>(
    items: &mut [&'a T],
    q: &HashMap<String, String>,
    keys: &[&str],
    field: impl Fn(&'a T, &str) -> Option<SortKey<'a>>,
) -> Result<(), ApiError> {
    let key = q.get("sort_key").map_or("create_time", String::as_str);
    if !keys.contains(&key) {
        return Err(bad_param("sort_key"));
    }
    let desc = match q.get("sort_dir").map(String::as_str) {
        None | Some("DESC") => true,
        Some("ASC") => false,
        Some(_) => return Err(bad_param("sort_dir")),
    };
    items.sort_by(|a, b| {
        let (fa, fb) = (field(a, key), field(b, key));
        let ord = match (&fa, &fb) {
            (Some(SortKey::Number(x)), Some(SortKey::Number(y))) => x.cmp(y),
            _ => fa.as_ref().map_or("", SortKey::text).cmp(fb.as_ref().map_or("", SortKey::text)),
        };
        if desc { ord.reverse() } else { ord }
    });
    Ok(())
}

async fn list_certificates(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let (offset, limit) = paging(&q)?;
    if let Some(s) = q.get("status")
        && !["ISSUED", "REVOKED", "EXPIRED"].contains(&s.as_str())
    {
        return Err(bad_param("status"));
    }
    let estate = state.estate();
    let mut items: Vec<&Certificate> = estate
        .certificates
        .iter()
        .map(|c| &c.wire)
        .filter(|c| q.get("name").is_none_or(|n| c.distinguished_name.common_name.contains(n.as_str())))
        .filter(|c| q.get("status").is_none_or(|s| c.status == *s))
        .collect();
    sort_by_query(&mut items, &q, &["create_time", "common_name", "issuer_name", "not_after"], |c, key| match key {
        "common_name" => Some(SortKey::Text(&c.distinguished_name.common_name)),
        "issuer_name" => c.issuer_name.as_deref().map(SortKey::Text),
        "not_after" => c.not_after.map(SortKey::Number),
        _ => c.create_time.map(SortKey::Number),
    })?;
    let shown = page(&items, offset, limit);
    if state.faults().odd_pca_entry && offset == 0 {
        // A date as another API version writes it: one entry a strict reader cannot take.
        let mut odd: Vec<Value> = shown.iter().map(|c| serde_json::to_value(c).unwrap_or_default()).collect();
        if let Some(first) = odd.first_mut() {
            first["not_after"] = json!("2027-01-01 00:00:00");
        }
        return Ok(list_body("total", items.len(), "certificates", &odd));
    }
    Ok(list_body("total", items.len(), "certificates", &shown))
}

fn find_certificate(state: &SimState, id: &str) -> Result<PcaCertRecord, ApiError> {
    state
        .estate()
        .certificates
        .iter()
        .find(|c| c.wire.certificate_id == id)
        .cloned()
        .ok_or_else(|| ApiError::new(404, "PCA.10010002", "Certificate not found."))
}

async fn show_certificate(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_domain(&state)?;
    Ok(Json(serde_json::to_value(&find_certificate(&state, &id)?.wire).unwrap_or_default()))
}

async fn list_cas(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let (offset, limit) = paging(&q)?;
    let estate = state.estate();
    let mut items: Vec<&CertificateAuthority> = estate
        .cas
        .iter()
        .filter(|c| q.get("type").is_none_or(|t| c.kind == *t))
        .filter(|c| q.get("status").is_none_or(|s| c.status == *s))
        .filter(|c| q.get("name").is_none_or(|n| c.distinguished_name.common_name.contains(n.as_str())))
        .collect();
    sort_by_query(&mut items, &q, &["create_time", "common_name", "type", "not_after"], |c, key| match key {
        "common_name" => Some(SortKey::Text(&c.distinguished_name.common_name)),
        "type" => Some(SortKey::Text(&c.kind)),
        "not_after" => c.not_after.map(SortKey::Number),
        _ => c.extra.get("create_time").and_then(Value::as_i64).map(SortKey::Number),
    })?;
    Ok(list_body("total", items.len(), "certificate_authorities", &page(&items, offset, limit)))
}

async fn show_ca(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_domain(&state)?;
    let estate = state.estate();
    let ca =
        estate.cas.iter().find(|c| c.ca_id == id).ok_or_else(|| ApiError::new(404, "PCA.10010003", "CA not found."))?;
    Ok(Json(serde_json::to_value(ca).unwrap_or_default()))
}

/// PEM as the API sends it: `\r\n` line breaks.
fn crlf(pem: &str) -> String {
    pem.replace("\r\n", "\n").replace('\n', "\r\n")
}

fn material(state: &SimState, record: &PcaCertRecord) -> Result<Arc<Material>, ApiError> {
    let ms_to = |ms: Option<i64>| {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms.unwrap_or(0)) * 1_000_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    state
        .material(&record.wire.certificate_id, || {
            state.issuing_ca.issue(&Spec {
                common_name: &record.wire.distinguished_name.common_name,
                dns_names: record.dns_names.clone(),
                not_before: ms_to(record.wire.not_before),
                not_after: ms_to(record.wire.not_after),
                key: record.key,
                serial: hex::decode(&record.wire.serial_number).unwrap_or_else(|_| vec![1]),
            })
        })
        .map_err(|e| ApiError::new(500, "PCA.10010500", &format!("Certificate generation failed: {e}")))
}

async fn export_certificate(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    caller.require_domain(&state)?;
    let req: Value = serde_json::from_slice(&body).map_err(|_| bad_param("body is not JSON"))?;
    let server_type: ServerType = req["type"].as_str().unwrap_or_default().parse().map_err(|_| bad_param("type"))?;
    // The SDK sends the string "true"/"false"; the doc example sends a boolean. Accept both.
    let compressed = match &req["is_compressed"] {
        Value::Bool(b) => *b,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        _ => return Err(bad_param("is_compressed")),
    };
    let record = find_certificate(&state, &id)?;
    if record.wire.status != "ISSUED" {
        return Err(ApiError::new(400, "PCA.10010014", "Only certificates in the ISSUED status can be exported."));
    }
    if record.wire.gen_mode == "CSR" {
        return Err(ApiError::new(
            400,
            "PCA.10010015",
            "The private key of a certificate issued from a CSR is not hosted by PCA.",
        ));
    }
    if !compressed && !server_type.has_json_export() {
        return Err(ApiError::new(400, "PCA.10010016", "Uncompressed export is not defined for IIS and TOMCAT."));
    }
    let m = material(&state, &record)?;
    if !compressed {
        return Ok(Json(json!({
            "certificate": crlf(&m.cert_pem),
            "certificate_chain": crlf(&m.chain_pem),
            "private_key": crlf(&m.key_pem),
        }))
        .into_response());
    }
    let zip = bundle_zip(&state, server_type, &m).map_err(|e| ApiError::new(500, "PCA.10010500", &e))?;
    let content_type = if state.faults().pca_zip_as_json { "application/json" } else { "application/octet-stream" };
    let name =
        format!("{}_{}.zip", record.wire.distinguished_name.common_name, server_type.api_name().to_ascii_lowercase());
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        zip,
    )
        .into_response())
}

/// The zip the console hands out for each server type (file names as documented).
fn bundle_zip(state: &SimState, server_type: ServerType, m: &Material) -> Result<Vec<u8>, String> {
    let key = crate::certs::keys::PrivateKey::from_pkcs8("export", &m.key_der).map_err(|e| e.to_string())?;
    let identity = crate::certs::bundle::Identity { leaf: &m.cert_der, chain: &m.chain_der, key: Some(&key) };
    identity.server_zip(server_type, &state.random_hex(16)).map_err(|e| e.to_string())
}

async fn export_ca(
    State(state): State<Arc<SimState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require_domain(&state)?;
    let index = state
        .estate()
        .cas
        .iter()
        .position(|c| c.ca_id == id)
        .ok_or_else(|| ApiError::new(404, "PCA.10010003", "CA not found."))?;
    let (cert, chain) = if index == 0 {
        (&state.root_ca.pem, String::new())
    } else {
        (&state.issuing_ca.pem, state.issuing_ca.chain_pem.clone())
    };
    Ok(Json(json!({"certificate": crlf(cert), "certificate_chain": crlf(&chain)})))
}
