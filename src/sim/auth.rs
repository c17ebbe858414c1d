//! The gateway's check of every API call: an AK/SK signature within the 15-minute window, or a
//! valid IAM token; five bad signatures in a row lock the key for five minutes.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use time::Duration;

use super::api_error::ApiError;
use super::state::{SimState, TokenScope};
use crate::cloud::signer;

/// Largest request body the gateway reads (the real one allows 12 MB).
pub const MAX_REQUEST_BYTES: usize = 12 * 1024 * 1024;
/// Allowed distance between `X-Sdk-Date` and the server clock.
const SKEW_WINDOW_SECS: i64 = 15 * 60;

/// Who made a call, for the handlers' scope checks.
#[derive(Clone, Debug)]
pub enum Caller {
    /// A signed call, with the scope headers it carried.
    AkSk {
        /// `X-Project-Id`, when sent.
        project_id: Option<String>,
        /// `X-Domain-Id`, when sent.
        domain_id: Option<String>,
    },
    /// A token call.
    Token(TokenScope),
}

impl Caller {
    /// The project the call names outside its path (`X-Project-Id`, or the token's scope).
    pub fn project(&self) -> Option<String> {
        match self {
            Self::AkSk { project_id, .. } => project_id.clone(),
            Self::Token(TokenScope::Project(p)) => Some(p.clone()),
            Self::Token(_) => None,
        }
    }

    /// Checks that the caller may use a project; the project must belong to the account.
    pub fn require_project(&self, state: &SimState, project_id: &str) -> Result<(), ApiError> {
        if state.estate().region_by_project(project_id).is_none() {
            return Err(ApiError::new(403, "APIG.0302", "The project id in the path does not belong to this account."));
        }
        match self {
            Self::AkSk { project_id: Some(header), .. } if header != project_id => {
                Err(ApiError::new(403, "APIG.0302", "X-Project-Id does not match the project in the path."))
            }
            Self::AkSk { .. } => Ok(()),
            Self::Token(TokenScope::Project(p)) if p == project_id => Ok(()),
            Self::Token(_) => Err(ApiError::new(403, "APIG.0302", "The token is not scoped to this project.")),
        }
    }

    /// Checks that the caller may use a global service of the account.
    pub fn require_domain(&self, state: &SimState) -> Result<(), ApiError> {
        match self {
            Self::AkSk { domain_id: Some(d), .. } if *d == state.estate().domain_id => Ok(()),
            Self::AkSk { domain_id: Some(_), .. } => {
                Err(ApiError::new(403, "APIG.0302", "X-Domain-Id does not match the account of this access key."))
            }
            Self::AkSk { domain_id: None, .. } => {
                Err(ApiError::new(400, "APIG.0201", "Global services need the X-Domain-Id header with AK/SK."))
            }
            Self::Token(TokenScope::Domain) => Ok(()),
            Self::Token(_) => Err(ApiError::new(403, "APIG.0302", "Global services need a domain-scoped token.")),
        }
    }
}

fn header<'a>(req: &'a axum::http::request::Parts, name: &str) -> Option<&'a str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

/// Middleware: authenticates the call and passes a [`Caller`] on, or answers the gateway's error.
pub async fn authenticate(State(state): State<Arc<SimState>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = to_bytes(body, MAX_REQUEST_BYTES).await else {
        return ApiError::new(413, "APIG.0201", "Request body too large.").into_response();
    };
    let caller = match check(&state, &parts, &body) {
        Ok(c) => c,
        Err(e) => {
            // An AK/SK signature the gateway refused counts against that access key.
            if e.status() == 401
                && let Some(auth) = header(&parts, "authorization").and_then(signer::parse_authorization)
            {
                state.record_auth_failure(&auth.access_key);
            }
            return e.into_response();
        }
    };
    let mut req = Request::from_parts(parts, Body::from(body));
    req.extensions_mut().insert(caller);
    next.run(req).await
}

fn check(state: &SimState, parts: &axum::http::request::Parts, body: &[u8]) -> Result<Caller, ApiError> {
    let now = state.now();
    if let Some(token) = header(parts, "x-auth-token") {
        let tokens = state.tokens();
        return match tokens.get(token) {
            Some(t) if t.expires_at > now => Ok(Caller::Token(t.scope.clone())),
            Some(_) => Err(ApiError::new(401, "APIG.0307", "The token must be updated.")),
            None => Err(ApiError::new(401, "APIG.0301", "Incorrect IAM authentication information: token invalid.")),
        };
    }
    let Some(authorization) = header(parts, "authorization") else {
        return Err(ApiError::new(
            401,
            "APIG.0301",
            "Incorrect IAM authentication information: Authorization not found.",
        ));
    };
    let Some(auth) = signer::parse_authorization(authorization) else {
        return Err(ApiError::new(
            401,
            "APIG.0301",
            "Incorrect IAM authentication information: unsupported authorization method.",
        ));
    };
    let secret_key = if auth.access_key == state.access_key {
        state.secret_key.clone()
    } else {
        let temporary = state.temporary_keys().get(&auth.access_key).cloned();
        let Some(temp) = temporary else {
            return Err(ApiError::new(
                401,
                "APIG.0301",
                "Incorrect IAM authentication information: Get secretKey failed, ak not exist.",
            ));
        };
        // Temporary keys only work with their security token, and only until they expire.
        if header(parts, "x-security-token") != Some(temp.security_token.as_str()) || temp.expires_at <= now {
            return Err(ApiError::new(
                401,
                "APIG.0301",
                "Incorrect IAM authentication information: the security token is missing, wrong or expired.",
            ));
        }
        temp.secret_key
    };
    {
        let lock = state.lockout();
        if lock.locked_until.is_some_and(|until| until > now) {
            return Err(ApiError::new(
                401,
                "APIG.0301",
                "Incorrect IAM authentication information: AK access failed to reach the limit,forbidden.",
            ));
        }
    }
    let Some(sdk_date) = header(parts, "x-sdk-date") else {
        return Err(ApiError::new(401, "APIG.0301", "Incorrect IAM authentication information: x-sdk-date not found."));
    };
    let Some(signed_at) = signer::parse_sdk_date(sdk_date) else {
        return Err(ApiError::new(401, "APIG.0301", "Incorrect IAM authentication information: x-sdk-date malformed."));
    };
    if (now - signed_at).whole_seconds().abs() > SKEW_WINDOW_SECS {
        let server = signer::format_sdk_date(now);
        return Err(ApiError::new(
            401,
            "APIG.0303",
            &format!(
                "Incorrect app authentication information: signature expired, signature time:{sdk_date},server time:{server}"
            ),
        ));
    }
    if !auth.signed_headers.iter().any(|h| h == "host") || !auth.signed_headers.iter().any(|h| h == "x-sdk-date") {
        return Err(bad_signature(state, now));
    }
    let mut signed = Vec::new();
    for name in &auth.signed_headers {
        // HTTP/2 carries the host as the `:authority` pseudo-header, not as a Host header.
        let value = match (header(parts, name), name.as_str()) {
            (Some(v), _) => v.to_owned(),
            (None, "host") => match parts.uri.authority() {
                Some(a) => a.as_str().to_owned(),
                None => return Err(bad_signature(state, now)),
            },
            (None, _) => return Err(bad_signature(state, now)),
        };
        signed.push((name.clone(), value));
    }
    let query = parts.uri.query().map(signer::parse_query).unwrap_or_default();
    let content_sha = signed.iter().find(|(k, _)| k == "x-sdk-content-sha256").map(|(_, v)| v.as_str());
    let hash = signer::payload_hash(body, content_sha);
    let canonical = signer::canonical_request(parts.method.as_str(), parts.uri.path(), &query, &signed, &hash);
    let expected = signer::signature(secret_key.as_bytes(), &signer::string_to_sign(sdk_date, &canonical));
    if !signer::constant_time_eq(&expected, &auth.signature) {
        return Err(bad_signature(state, now));
    }
    state.lockout().failures = 0;
    Ok(Caller::AkSk {
        project_id: header(parts, "x-project-id").map(str::to_owned),
        domain_id: header(parts, "x-domain-id").map(str::to_owned),
    })
}

fn bad_signature(state: &SimState, now: time::OffsetDateTime) -> ApiError {
    let mut lock = state.lockout();
    lock.failures += 1;
    if lock.failures >= 5 {
        lock.failures = 0;
        lock.locked_until = Some(now + Duration::minutes(5));
    }
    ApiError::new(401, "APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail")
}
