//! Errors of the cloud layer, split by where the request got to (never sent, no response, bad
//! response, service said no), each with a message an administrator can act on.

use std::fmt;

/// What the service or gateway said, kept whole for the activity log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// `error_code` from the body (`APIG.0301`, `DCS.4201`, ...), empty when the body had none.
    pub code: String,
    /// `error_msg` from the body, or the start of the raw body.
    pub message: String,
    /// `X-Request-Id` or `request_id`, for support tickets.
    pub request_id: Option<String>,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after_secs: Option<u64>,
}

/// What kind of refusal a [`ServiceError`] is, so callers can react (and never retry a 401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceErrorKind {
    /// The signature did not verify: wrong secret key, or a request changed on the way.
    BadSignature,
    /// `X-Sdk-Date` more than 15 minutes off the server's clock.
    ClockSkew,
    /// Five failed attempts locked the access key for five minutes.
    AkLocked,
    /// The IAM token expired or was revoked.
    TokenExpired,
    /// Other authentication failure (unknown AK, wrong password).
    Unauthenticated,
    /// Authenticated, but the account or user lacks the permission.
    AccessDenied,
    /// Throttled (429).
    Throttled,
    /// The resource does not exist.
    NotFound,
    /// The API itself was not found: wrong host, path or method.
    ApiNotFound,
    /// DCS.4201: the instance's engine version cannot do SSL.
    SslNotSupported,
    /// The request was rejected as invalid (400).
    InvalidRequest,
    /// The service failed (5xx).
    ServerError,
}

impl ServiceError {
    /// Classifies the error by status and code suffix (old gateways say `APIGW.`, new `APIG.`).
    pub fn kind(&self) -> ServiceErrorKind {
        let suffix = self.code.rsplit('.').next().unwrap_or("");
        let gateway = self.code.starts_with("APIG");
        let msg = self.message.to_ascii_lowercase();
        match self.status {
            401 if gateway && suffix == "0303" && msg.contains("expired") => ServiceErrorKind::ClockSkew,
            401 if gateway && suffix == "0307" => ServiceErrorKind::TokenExpired,
            401 if msg.contains("reach the limit") || msg.contains("locked") => ServiceErrorKind::AkLocked,
            401 if msg.contains("signature") => ServiceErrorKind::BadSignature,
            401 => ServiceErrorKind::Unauthenticated,
            403 => ServiceErrorKind::AccessDenied,
            429 => ServiceErrorKind::Throttled,
            404 if gateway && suffix == "0101" => ServiceErrorKind::ApiNotFound,
            404 => ServiceErrorKind::NotFound,
            400 if self.code == "DCS.4201" => ServiceErrorKind::SslNotSupported,
            s if s >= 500 => ServiceErrorKind::ServerError,
            _ => ServiceErrorKind::InvalidRequest,
        }
    }

    /// What the administrator should do about it.
    pub fn advice(&self) -> &'static str {
        match self.kind() {
            ServiceErrorKind::BadSignature => {
                "Check the secret key of this profile (it must belong to the access key), then test the connection again."
            }
            ServiceErrorKind::ClockSkew => {
                "This computer's clock is more than 15 minutes off; synchronise it (NTP) and try again."
            }
            ServiceErrorKind::AkLocked => {
                "Too many failed attempts locked this access key for 5 minutes; fix the secret key and wait before retrying."
            }
            ServiceErrorKind::TokenExpired => "The sign-in expired; certdesk will sign in again on the next attempt.",
            ServiceErrorKind::Unauthenticated => "Check the credentials of this profile.",
            ServiceErrorKind::AccessDenied => {
                "The IAM user lacks a permission for this service; ask the account admin for read access (and export for PCA)."
            }
            ServiceErrorKind::Throttled => "The cloud is throttling requests; wait a minute and refresh.",
            ServiceErrorKind::NotFound => "It no longer exists; refresh the list.",
            ServiceErrorKind::ApiNotFound => {
                "The endpoint does not offer this API; check the profile's cloud, region or custom endpoint."
            }
            ServiceErrorKind::SslNotSupported => {
                "This instance's engine version has no SSL (DCS needs Redis 6.0 or later)."
            }
            ServiceErrorKind::InvalidRequest => "The cloud rejected the request as invalid.",
            ServiceErrorKind::ServerError => "The cloud service failed; try again later.",
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = if self.code.is_empty() { String::new() } else { format!(" {}", self.code) };
        // The cloud's sentence, then ours: a full stop between them, whatever the cloud ended with.
        let message = self.message.trim().trim_end_matches(['.', '!', ' ']);
        write!(f, "HTTP {}{code}: {message}. {}", self.status, self.advice())?;
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Any failure of a cloud call.
#[derive(Clone, Debug, thiserror::Error)]
pub enum CloudError {
    /// The request could not be built; nothing was sent.
    #[error("Not sent: {0}")]
    NotSent(String),
    /// No response: connection refused, DNS, TLS or reset.
    #[error("No response from {endpoint}: {reason}. Check the network, the endpoint and any proxy or CA file.")]
    NoResponse {
        /// Host that did not answer.
        endpoint: String,
        /// Short cause, with no URL query or secret.
        reason: String,
    },
    /// The server did not answer in time.
    #[error("{endpoint} did not answer within {timeout_secs} s. Try again, or raise the timeout.")]
    Timeout {
        /// Host that timed out.
        endpoint: String,
        /// The limit that was reached.
        timeout_secs: u64,
    },
    /// A response came but could not be used.
    #[error("Unusable response from {endpoint} (HTTP {status}): {reason}")]
    BadResponse {
        /// Host that answered.
        endpoint: String,
        /// HTTP status.
        status: u16,
        /// What was wrong with it.
        reason: String,
    },
    /// The service answered with an error.
    #[error("{0}")]
    Service(ServiceError),
    /// A presigned download link was refused before fetching.
    #[error("Refused to fetch the download link: {0}")]
    LinkRejected(String),
    /// The presigned download link had expired.
    #[error("The download link expired; request the certificate again.")]
    LinkExpired,
    /// Region, project or account could not be resolved.
    #[error("{0}")]
    Scope(String),
}

impl CloudError {
    /// The service error, when this is one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(e) => Some(e),
            _ => None,
        }
    }
}
