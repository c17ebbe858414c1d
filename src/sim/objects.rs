//! Presigned object-storage links: signed with the simulator's link key, expiring, served
//! without any other authentication (as OBS serves presigned URLs).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use time::Duration;

use super::pki::{KeyKind, Spec};
use super::state::SimState;
use crate::certs::archive::write_zip;

fn sign(state: &SimState, path: &str, expires: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&state.link_key).unwrap_or_else(|_| unreachable!());
    mac.update(format!("GET\n{expires}\n{path}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A presigned link to an object path (e.g. `dcs/eu-de/<id>/ssl-1234.zip`).
pub fn presign(state: &SimState, path: &str) -> String {
    let expires = state.now().unix_timestamp() + state.faults().link_ttl_secs;
    let signature = sign(state, path, expires);
    let encoded = crate::cloud::signer::encode(&signature);
    let region = path.split('/').nth(1).unwrap_or_default();
    let base = state.object_base(region);
    format!("{base}/{path}?AWSAccessKeyId=SIMOBSAK0000000000&Expires={expires}&Signature={encoded}")
}

fn obs_error(status: StatusCode, code: &str, message: &str) -> Response {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

/// `GET /obs/{path}`: checks the signature and expiry, then serves the object.
pub async fn fetch(
    State(state): State<Arc<SimState>>,
    Path(path): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let expires = query.get("Expires").and_then(|v| v.parse::<i64>().ok());
    let (Some(expires), Some(signature)) = (expires, query.get("Signature")) else {
        return obs_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires Expires and Signature",
        );
    };
    if !crate::cloud::signer::constant_time_eq(&sign(&state, &path, expires), signature) {
        return obs_error(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match",
        );
    }
    if expires < state.now().unix_timestamp() {
        return obs_error(StatusCode::FORBIDDEN, "AccessDenied", "Request has expired");
    }
    match object_bytes(&state, &path) {
        Ok(Some((bytes, content_type))) => {
            (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], bytes).into_response()
        }
        Ok(None) => obs_error(StatusCode::NOT_FOUND, "NoSuchKey", "The specified key does not exist."),
        Err(e) => obs_error(StatusCode::INTERNAL_SERVER_ERROR, "InternalError", &e),
    }
}

/// The bytes of an object: DCS zips with `ca.crt`, GeminiDB `ca.crt`.
fn object_bytes(state: &SimState, path: &str) -> Result<Option<(Vec<u8>, &'static str)>, String> {
    let parts: Vec<&str> = path.split('/').collect();
    let [kind, region, instance_id, _file] = parts.as_slice() else { return Ok(None) };
    let estate = state.estate();
    let Some(region) = estate.region(region) else { return Ok(None) };
    let expires_at = match *kind {
        "dcs" => region
            .dcs
            .iter()
            .find(|d| d.instance.instance_id == *instance_id)
            .and_then(|d| d.ssl.as_ref())
            .map(|s| s.expires_at),
        "gemini" => region.gemini.iter().find(|g| g.instance.id == *instance_id).map(|g| g.ca_expires_at),
        _ => None,
    };
    let Some(expires_at) = expires_at else { return Ok(None) };
    let name = format!("{kind} {} CA {}", region.name, &instance_id[..8.min(instance_id.len())]);
    let ca = state.material(&format!("{kind}-ca-{instance_id}"), || {
        let spec = Spec {
            common_name: &name,
            dns_names: Vec::new(),
            not_before: expires_at - Duration::days(730),
            not_after: expires_at,
            key: KeyKind::Ec256,
            serial: instance_id.bytes().take(8).collect(),
        };
        let (cert_der, cert_pem) = super::pki::self_signed_ca(&spec, &state.instance_ca_key)?;
        Ok(super::pki::Material {
            cert_der,
            cert_pem,
            chain_der: Vec::new(),
            chain_pem: String::new(),
            key_der: Vec::new(),
            key_pem: String::new(),
        })
    })?;
    if *kind == "dcs" {
        let zip = write_zip(&[("ca.crt", ca.cert_pem.as_bytes())]).map_err(|e| e.to_string())?;
        return Ok(Some((zip, "application/zip")));
    }
    Ok(Some((ca.cert_pem.clone().into_bytes(), "application/x-x509-ca-cert")))
}
