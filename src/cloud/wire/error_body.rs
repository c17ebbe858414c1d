//! The three error body shapes (CLOUD_API.md §3.7), parsed in the order the official SDK does.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The gateway/service shape: `{"error_code", "error_msg", "request_id"}`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorBody {
    /// `APIG.0301`, `DCS.4201`, `PCA.10010002`, ...
    pub error_code: String,
    /// Human text from the service.
    pub error_msg: String,
    /// Gateway request id, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorBody {
    /// A body with code and message.
    pub fn new(code: &str, msg: &str) -> Self {
        Self { error_code: code.into(), error_msg: msg.into(), request_id: None }
    }
}

/// Extracts `(code, message, request_id)` from any known error shape.
pub fn parse(body: &[u8]) -> Option<(String, String, Option<String>)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let s = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let request_id = s(v.get("request_id"));
    if let Some(code) = s(v.get("error_code")) {
        return Some((code, s(v.get("error_msg")).unwrap_or_default(), request_id));
    }
    if let Some(code) = s(v.get("errorCode")) {
        return Some((code, s(v.get("errorMsg")).unwrap_or_default(), request_id));
    }
    let inner = v.get("error").unwrap_or(&v);
    let code = s(inner.get("code"))?;
    let message = s(inner.get("message")).or_else(|| s(inner.get("title"))).unwrap_or_default();
    Some((code, message, request_id))
}
