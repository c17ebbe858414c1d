//! `SDK-HMAC-SHA256` request signing, as the official Huawei Cloud SDKs do it (CLOUD_API.md §1).
//!
//! A pure function: a request description goes in, the headers to add come out. The simulator
//! uses the same canonicalisation to verify what clients send, so both sides of the wire share
//! one definition and the golden vectors from the official signer pin it down.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

/// The algorithm name that starts the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Header carrying the signing time, `YYYYMMDDTHHMMSSZ`.
pub const HEADER_SDK_DATE: &str = "X-Sdk-Date";
/// Header that replaces the body hash for non-JSON bodies.
pub const HEADER_CONTENT_SHA256: &str = "X-Sdk-Content-Sha256";
/// SHA-256 of the empty body, used for GETs and POSTs without a body.
pub const EMPTY_BODY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What the signer needs to know about a request.
#[derive(Clone, Copy)]
pub struct SigningRequest<'a> {
    /// HTTP method, any case.
    pub method: &'a str,
    /// URL authority exactly as sent: `host` or `host:port`.
    pub host: &'a str,
    /// Resource path as given; `%XX` escapes are decoded per segment, then re-encoded.
    pub path: &'a str,
    /// Query parameters as raw (unencoded) pairs, in any order.
    pub query: &'a [(String, String)],
    /// Headers to sign besides `Host` and `X-Sdk-Date` (names with `_` are skipped, as the SDK does).
    pub headers: &'a [(String, String)],
    /// The exact body bytes that will be sent.
    pub body: &'a [u8],
    /// The `X-Sdk-Date` value, see [`format_sdk_date`].
    pub sdk_date: &'a str,
}

/// The result of signing: headers to add and the path+query to put on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// Headers to add to the request, `Authorization` last.
    pub headers: Vec<(String, String)>,
    /// Encoded path plus `?` and the canonical query string when there is one.
    pub uri: String,
    /// The canonical request (kept for diagnostics and tests; holds no secret).
    pub canonical_request: String,
    /// The string that was HMAC'd (holds no secret).
    pub string_to_sign: String,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The Authorization header is not secret, but a security token header is.
        f.debug_struct("SignedRequest")
            .field("uri", &self.uri)
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Formats a UTC time the way `X-Sdk-Date` wants it.
pub fn format_sdk_date(at: OffsetDateTime) -> String {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    at.to_offset(time::UtcOffset::UTC).format(&fmt).unwrap_or_default()
}

/// Parses an `X-Sdk-Date` value.
pub fn parse_sdk_date(value: &str) -> Option<OffsetDateTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(value, &fmt).ok().map(time::PrimitiveDateTime::assume_utc)
}

/// Percent-encodes with the SDK's unreserved set (`A-Z a-z 0-9 - _ . ~`), upper-case hex.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(byte >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(byte & 0x0f)]));
        }
    }
    out
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Decodes `%XX` escapes; invalid escapes are kept as they are. `+` stays `+`.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            out.push(h << 4 | l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The encoded path as sent on the wire (no trailing slash added).
///
/// Each segment is decoded then encoded, so an already-encoded id is not encoded twice. Unlike
/// the Python SDK we split before decoding, so `%2F` stays inside its segment (the SDK's quirk).
pub fn wire_path(path: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    path.split('/').map(|seg| encode(&decode(seg))).collect::<Vec<_>>().join("/")
}

/// The canonical URI: the wire path with a trailing `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = wire_path(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// The canonical query string: pairs sorted by raw key then raw value, each side encoded.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = query.iter().collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

/// Parses a raw query string from the wire into decoded pairs (for the verifying side).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn hmac_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Whether the SDK would add `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` for this content type.
fn wants_unsigned_payload(headers: &[(String, String)]) -> bool {
    headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type")
            && !v.trim().starts_with("application/json")
            && !v.trim().starts_with("application/bson")
    })
}

/// The headers to sign, lower-cased, trimmed, sorted; names with `_` are skipped.
fn signable_headers(req: &SigningRequest<'_>, extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = req
        .headers
        .iter()
        .chain(extra.iter())
        .filter(|(k, _)| !k.contains('_'))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    if !out.iter().any(|(k, _)| k == "host") {
        out.push(("host".to_owned(), req.host.to_owned()));
    }
    if !out.iter().any(|(k, _)| k == "x-sdk-date") {
        out.push(("x-sdk-date".to_owned(), req.sdk_date.to_owned()));
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// Builds the canonical request over exactly the headers listed (already lower-case and sorted).
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    signed: &[(String, String)],
    payload_hash: &str,
) -> String {
    let mut out = String::new();
    out.push_str(&method.to_ascii_uppercase());
    out.push('\n');
    out.push_str(&canonical_uri(path));
    out.push('\n');
    out.push_str(&canonical_query(query));
    out.push('\n');
    for (k, v) in signed {
        out.push_str(k);
        out.push(':');
        out.push_str(v.trim());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The string to sign for a canonical request.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{sdk_date}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// The hex signature of a string to sign with the secret key.
pub fn signature(secret_key: &[u8], string_to_sign: &str) -> String {
    hmac_hex(secret_key, string_to_sign.as_bytes())
}

/// The payload hash: the body's SHA-256, or the `X-Sdk-Content-Sha256` value for a non-empty body.
pub fn payload_hash(body: &[u8], content_sha256_header: Option<&str>) -> String {
    match content_sha256_header {
        Some(v) if !body.is_empty() => v.to_owned(),
        _ => sha256_hex(body),
    }
}

/// Signs a request with an access key and secret key.
pub fn sign(req: &SigningRequest<'_>, access_key: &str, secret_key: &[u8]) -> SignedRequest {
    let mut added: Vec<(String, String)> = Vec::new();
    let has = |name: &str| req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("host") {
        added.push(("Host".to_owned(), req.host.to_owned()));
    }
    if !has(HEADER_SDK_DATE) {
        added.push((HEADER_SDK_DATE.to_owned(), req.sdk_date.to_owned()));
    }
    if !has(HEADER_CONTENT_SHA256) && wants_unsigned_payload(req.headers) {
        added.push((HEADER_CONTENT_SHA256.to_owned(), "UNSIGNED-PAYLOAD".to_owned()));
    }
    let signed = signable_headers(req, &added);
    let content_sha = signed.iter().find(|(k, _)| k == "x-sdk-content-sha256").map(|(_, v)| v.as_str());
    let hash = payload_hash(req.body, content_sha);
    let canonical = canonical_request(req.method, req.path, req.query, &signed, &hash);
    let sts = string_to_sign(req.sdk_date, &canonical);
    let sig = signature(secret_key, &sts);
    let names = signed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    added.push((
        "Authorization".to_owned(),
        format!("{ALGORITHM} Access={access_key}, SignedHeaders={names}, Signature={sig}"),
    ));
    let query = canonical_query(req.query);
    let mut uri = wire_path(req.path);
    if !query.is_empty() {
        uri.push('?');
        uri.push_str(&query);
    }
    SignedRequest { headers: added, uri, canonical_request: canonical, string_to_sign: sts }
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationHeader {
    /// The access key id.
    pub access_key: String,
    /// Lower-case header names the client signed.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses an `Authorization` header; `None` when it is not `SDK-HMAC-SHA256` with all three parts.
pub fn parse_authorization(value: &str) -> Option<AuthorizationHeader> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let (mut access, mut names, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Access" => access = Some(v.to_owned()),
            "SignedHeaders" => names = Some(v.split(';').map(str::to_ascii_lowercase).collect()),
            "Signature" => sig = Some(v.to_ascii_lowercase()),
            _ => {}
        }
    }
    Some(AuthorizationHeader { access_key: access?, signed_headers: names?, signature: sig? })
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
