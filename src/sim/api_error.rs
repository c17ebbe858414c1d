//! An error answer in a service's shape (status, JSON error body, request id, `Retry-After`):
//! what the routes, the signature check and the host check answer with.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::cloud::wire::error_body::ErrorBody;

/// An error answer in the service's shape.
#[derive(Clone, Debug)]
pub struct ApiError {
    status: u16,
    body: ErrorBody,
    retry_after_secs: Option<u64>,
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// An error with status, code and message.
    pub fn new(status: u16, code: &str, msg: &str) -> Self {
        Self { status, body: ErrorBody::new(code, msg), retry_after_secs: None }
    }

    /// The same, telling the client when to try again (`Retry-After`).
    #[must_use]
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = format!("{:032x}", rand_id(&self.body.error_msg));
        let mut body = self.body;
        if body.error_code.starts_with("APIG") {
            body.request_id = Some(request_id.clone());
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, Json(body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        if let Some(secs) = self.retry_after_secs {
            resp.headers_mut().insert("retry-after", HeaderValue::from(secs));
        }
        resp
    }
}

fn rand_id(seed: &str) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    seed.hash(&mut h);
    std::time::SystemTime::now().hash(&mut h);
    u128::from(h.finish())
}
