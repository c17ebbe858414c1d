//! Deserializers that accept the type confusion seen in the real API.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Any scalar as a string; `null` and objects/arrays become `""`.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

/// Any scalar as an optional string; `null`, `""` and objects become `None`.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(string(d)?).filter(|s| !s.is_empty()))
}

/// A boolean from `true`, `"true"`, `"1"`, `1`; anything else is false.
pub fn bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"),
        Value::Number(n) => n.as_i64() == Some(1),
        _ => false,
    })
}

/// An unsigned integer from a number or a numeric string; anything else is `None`.
pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A signed integer from a number or a numeric string; anything else is `None`.
pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An integer from a number or numeric string, 0 otherwise.
pub fn u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(opt_u64(d)?.unwrap_or(0))
}

/// Epoch milliseconds (strict: a present non-null value must be an integer, as dates matter).
pub fn opt_epoch_ms<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| serde::de::Error::custom("epoch ms is not an integer")),
        Value::String(s) if s.trim().is_empty() => Ok(None),
        Value::String(s) => {
            s.trim().parse().map(Some).map_err(|_| serde::de::Error::custom(format!("epoch ms {s:?} is not a number")))
        }
        other => Err(serde::de::Error::custom(format!("epoch ms has the wrong type: {other}"))),
    }
}
