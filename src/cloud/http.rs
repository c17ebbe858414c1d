//! Sending signed requests: timeouts, size caps, retries for idempotent calls, and a bounded
//! number of requests in flight per host.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::sync::Semaphore;
use url::Url;

use super::credentials::Secret;
use super::error::{CloudError, ServiceError};
use super::signer;
use super::wire::error_body;
use crate::clock::{Clock, SystemClock};

/// Limits and retry rules for API calls.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// TCP + TLS connect limit.
    pub connect_timeout_secs: u64,
    /// Limit between two reads of the response.
    pub read_timeout_secs: u64,
    /// Limit for one whole attempt.
    pub request_timeout_secs: u64,
    /// Largest API response body accepted.
    pub max_body_bytes: usize,
    /// Retry rules.
    pub retry: RetryPolicy,
    /// Requests in flight per host at most.
    pub max_in_flight_per_host: usize,
    /// Extra CA certificate (PEM) to trust, for TLS proxies and private clouds.
    pub ca_file: Option<std::path::PathBuf>,
    /// Another extra CA certificate (PEM) held in memory: the in-process simulator's.
    pub ca_pem: Option<String>,
    /// Production host names answered by a simulator on loopback (nothing else is resolved).
    pub host_override: Option<super::resolve::HostOverride>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout_secs: 10,
            read_timeout_secs: 30,
            request_timeout_secs: 60,
            max_body_bytes: 16 * 1024 * 1024,
            retry: RetryPolicy::default(),
            max_in_flight_per_host: 8,
            ca_file: None,
            ca_pem: None,
            host_override: None,
        }
    }
}

/// When and how long to retry (retries only ever apply to idempotent calls).
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// Base of the exponential backoff.
    pub base_delay_ms: u64,
    /// Cap of one backoff.
    pub max_delay_ms: u64,
    /// Cap on a server's `Retry-After`.
    pub max_retry_after_secs: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 3, base_delay_ms: 200, max_delay_ms: 5_000, max_retry_after_secs: 30 }
    }
}

impl RetryPolicy {
    /// Full-jitter backoff before retry number `attempt` (1-based), or the server's `Retry-After`.
    fn delay(&self, attempt: u32, retry_after_secs: Option<u64>) -> Duration {
        if let Some(secs) = retry_after_secs {
            return Duration::from_secs(secs.min(self.max_retry_after_secs));
        }
        let cap = self.base_delay_ms.saturating_mul(1 << attempt.min(16)).min(self.max_delay_ms);
        Duration::from_millis(jitter(cap))
    }
}

/// A random number in `0..=max`, good enough to spread retries (not for cryptography).
fn jitter(max: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static STATE: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    #[expect(clippy::cast_possible_truncation, reason = "only the low bits seed the mix")]
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ (nanos as u64);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    if max == 0 { 0 } else { x % (max + 1) }
}

/// How a call authenticates.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    /// AK/SK signature (with a security token for temporary keys).
    AkSk {
        /// Access key id.
        access_key: &'a str,
        /// Secret key.
        secret_key: &'a Secret,
        /// STS token for temporary keys.
        security_token: Option<&'a Secret>,
    },
    /// An IAM token in `X-Auth-Token`.
    Token(&'a Secret),
    /// No authentication (password sign-in).
    None,
}

/// A call to make. Its `Debug` shows no body and no header values: a sign-in body holds a password.
#[derive(Clone)]
pub struct ApiRequest {
    /// `GET`, `POST`.
    pub method: reqwest::Method,
    /// Service base URL (scheme, host, port).
    pub base: Url,
    /// Resource path.
    pub path: String,
    /// Raw query pairs.
    pub query: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<Vec<u8>>,
    /// Scope headers (`X-Project-Id`, `X-Domain-Id`), signed.
    pub headers: Vec<(String, String)>,
    /// Whether the call may be repeated safely (reads, exports).
    pub idempotent: bool,
}

impl std::fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("host", &host_label(&self.base))
            .field("path", &self.path)
            .field("query_keys", &self.query.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl ApiRequest {
    /// A GET.
    pub fn get(base: &Url, path: impl Into<String>) -> Self {
        Self {
            method: reqwest::Method::GET,
            base: base.clone(),
            path: path.into(),
            query: Vec::new(),
            body: None,
            headers: Vec::new(),
            idempotent: true,
        }
    }

    /// A POST with an optional JSON body.
    pub fn post(base: &Url, path: impl Into<String>, body: Option<Vec<u8>>, idempotent: bool) -> Self {
        Self { method: reqwest::Method::POST, body, idempotent, ..Self::get(base, path) }
    }

    /// Adds a query parameter.
    #[must_use]
    pub fn query(mut self, key: &str, value: impl std::fmt::Display) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, key: &str, value: impl Into<String>) -> Self {
        self.headers.push((key.to_owned(), value.into()));
        self
    }
}

/// A successful response.
#[derive(Clone)]
pub struct ApiResponse {
    /// HTTP status (2xx).
    pub status: u16,
    /// `Content-Type`, lower-cased.
    pub content_type: String,
    /// `Content-Disposition`, when sent.
    pub content_disposition: Option<String>,
    /// `X-Subject-Token` (IAM sign-in), a secret.
    pub subject_token: Option<Secret>,
    /// The body.
    pub body: Bytes,
}

impl std::fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl ApiResponse {
    /// Parses the body as JSON, with the endpoint and field path in the error.
    pub fn json<T: serde::de::DeserializeOwned>(&self, endpoint: &Url) -> Result<T, CloudError> {
        let de = &mut serde_json::Deserializer::from_slice(&self.body);
        serde_path_to_error_lite(de).map_err(|reason| CloudError::BadResponse {
            endpoint: host_label(endpoint),
            status: self.status,
            reason,
        })
    }
}

fn serde_path_to_error_lite<'de, T: serde::Deserialize<'de>>(
    de: &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
) -> Result<T, String> {
    T::deserialize(de).map_err(|e| format!("the body is not the expected JSON ({e})"))
}

/// `host[:port]` of a URL, for messages (never the path or query, which may hold secrets).
pub fn host_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => "(no host)".to_owned(),
    }
}

/// The calls in flight to one host. Until the first call to a host has ended, it goes alone:
/// that call opens the connection, and HTTP/2 (which the cloud's gateways speak) then
/// carries every later call over it, instead of each of the first burst opening a TLS
/// connection of its own (as browsers wait for the first connection before opening more).
#[derive(Debug)]
pub(crate) struct HostGate {
    permits: Semaphore,
    opened: std::sync::atomic::AtomicBool,
    limit: usize,
}

impl HostGate {
    fn new(limit: usize) -> Self {
        // Bounded so that opening the other places can never overflow the semaphore, whatever
        // `--concurrency` says.
        let limit = limit.clamp(1, 4096);
        Self { permits: Semaphore::new(1), opened: std::sync::atomic::AtomicBool::new(false), limit }
    }

    /// Waits for a place among the calls in flight.
    pub(crate) async fn acquire(&self) -> Result<HostPermit<'_>, CloudError> {
        let permit = self.permits.acquire().await.map_err(|_| CloudError::NotSent("client is shutting down".into()))?;
        Ok(HostPermit { _permit: permit, gate: self })
    }
}

/// A place among a host's calls in flight. When the first call ends, however it ends (answered,
/// failed, or stopped), the host's other places open.
pub(crate) struct HostPermit<'a> {
    _permit: tokio::sync::SemaphorePermit<'a>,
    gate: &'a HostGate,
}

impl Drop for HostPermit<'_> {
    fn drop(&mut self) {
        if !self.gate.opened.swap(true, std::sync::atomic::Ordering::AcqRel) {
            self.gate.permits.add_permits(self.gate.limit - 1);
        }
    }
}

/// Sends API calls; cheap to clone and share.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
    config: Arc<HttpConfig>,
    hosts: Arc<Mutex<HashMap<String, Arc<HostGate>>>>,
    /// The client for presigned links, built once (https only, or also plain http to a
    /// loopback simulator): one connection pool for every download of the session.
    link_clients: Arc<Mutex<[Option<reqwest::Client>; 2]>>,
    clock: Arc<dyn Clock>,
}

impl HttpClient {
    /// A client with the system clock.
    pub fn new(config: HttpConfig) -> Result<Self, CloudError> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A client with a given clock (tests simulate skew with it).
    pub fn with_clock(config: HttpConfig, clock: Arc<dyn Clock>) -> Result<Self, CloudError> {
        let builder = client_builder(&config)?.user_agent(concat!("certdesk/", env!("CARGO_PKG_VERSION")));
        let client = build_client(builder, "HTTP client")?;
        Ok(Self { client, config: Arc::new(config), hosts: Arc::default(), link_clients: Arc::default(), clock })
    }

    /// The configuration.
    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// The clock used for signing.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The gate that bounds requests in flight to a host; shared with the link fetcher.
    pub(crate) fn host_gate(&self, base: &Url) -> Arc<HostGate> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        hosts
            .entry(host_label(base))
            .or_insert_with(|| Arc::new(HostGate::new(self.config.max_in_flight_per_host)))
            .clone()
    }

    /// The client for presigned links (no credentials ever go through it), built on first use.
    pub(crate) fn link_client(&self, allow_plain_http: bool) -> Result<reqwest::Client, CloudError> {
        let mut clients = self.link_clients.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = &mut clients[usize::from(allow_plain_http)];
        if let Some(client) = slot {
            return Ok(client.clone());
        }
        let mut builder = client_builder(&self.config)?;
        if !allow_plain_http {
            builder = builder.https_only(true);
        }
        let client = build_client(builder, "download client")?;
        *slot = Some(client.clone());
        Ok(client)
    }

    /// Sends a call, retrying idempotent ones on throttling, 5xx and connection failures.
    pub async fn send(&self, auth: Auth<'_>, req: &ApiRequest) -> Result<ApiResponse, CloudError> {
        // Ids from anywhere end up here: none may add, remove or rename a path segment.
        super::validate::path(&req.path)?;
        let policy = &self.config.retry;
        let mut attempt = 1;
        loop {
            let result = self.send_once(auth, req).await;
            let retry_after = match &result {
                Err(CloudError::Service(e)) if matches!(e.status, 429 | 500 | 502 | 503 | 504) => {
                    Some(e.retry_after_secs)
                }
                Err(CloudError::NoResponse { .. } | CloudError::Timeout { .. }) => Some(None),
                _ => None,
            };
            match retry_after {
                Some(after) if req.idempotent && attempt < policy.max_attempts => {
                    let delay = policy.delay(attempt, after);
                    tracing::debug!(host = %host_label(&req.base), attempt, ?delay, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                _ => return result,
            }
        }
    }

    async fn send_once(&self, auth: Auth<'_>, req: &ApiRequest) -> Result<ApiResponse, CloudError> {
        if let Some(hosts) = &self.config.host_override {
            hosts.check_url(&req.base)?;
        }
        let gate = self.host_gate(&req.base);
        let _permit = gate.acquire().await?;
        let host = host_label(&req.base);
        let body = req.body.clone().unwrap_or_default();
        let mut headers = req.headers.clone();
        headers.push(("Content-Type".into(), "application/json".into()));
        let sdk_date = signer::format_sdk_date(self.clock.now());
        let uri = match auth {
            Auth::AkSk { access_key, secret_key, security_token } => {
                if let Some(token) = security_token {
                    headers.push(("X-Security-Token".into(), token.expose().to_owned()));
                }
                let signing = signer::SigningRequest {
                    method: req.method.as_str(),
                    host: &host,
                    path: &req.path,
                    query: &req.query,
                    headers: &headers,
                    body: &body,
                    sdk_date: &sdk_date,
                };
                let signed = signer::sign(&signing, access_key, secret_key.expose().as_bytes());
                headers.extend(signed.headers.into_iter().filter(|(k, _)| !k.eq_ignore_ascii_case("host")));
                signed.uri
            }
            Auth::Token(token) => {
                headers.push(("X-Auth-Token".into(), token.expose().to_owned()));
                wire_uri(&req.path, &req.query)
            }
            Auth::None => wire_uri(&req.path, &req.query),
        };
        let url = format!("{}://{host}{uri}", req.base.scheme());
        let mut builder = self.client.request(req.method.clone(), &url);
        for (k, v) in &mut headers {
            let mut value = reqwest::header::HeaderValue::from_str(v)
                .map_err(|_| CloudError::NotSent(format!("header {k} holds characters HTTP cannot carry")))?;
            // Tokens and signatures: never shown by the HTTP stack's own Debug output or logs.
            if ["x-auth-token", "x-security-token", "authorization"].contains(&k.to_ascii_lowercase().as_str()) {
                value.set_sensitive(true);
            }
            zeroize::Zeroize::zeroize(v);
            builder = builder.header(k.as_str(), value);
        }
        if body.is_empty() && req.method == reqwest::Method::POST {
            // A POST without a body says so (`Content-Length: 0`), as the SDK's HTTP stack does;
            // some gateways refuse a POST that sends neither a length nor a chunked body. The
            // HTTP stack leaves the header out for an empty body, so it is set here.
            builder = builder.header(reqwest::header::CONTENT_LENGTH, "0");
        } else if req.body.is_some() {
            builder = builder.body(body);
        }
        let response = builder.send().await.map_err(|e| transport_error(&host, &e, &self.config))?;
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header("content-type").unwrap_or_default().to_ascii_lowercase();
        let content_disposition = header("content-disposition");
        let request_id = header("x-request-id");
        let retry_after_secs = header("retry-after").and_then(|v| v.trim().parse().ok());
        let subject_token = header("x-subject-token").map(Secret::new);
        if (300..400).contains(&status) {
            return Err(CloudError::BadResponse {
                endpoint: host,
                status,
                reason: "unexpected redirect, not followed".into(),
            });
        }
        let body = read_capped(response, self.config.max_body_bytes, &host, status, &self.config).await?;
        if status >= 400 {
            let (code, message, body_request_id) = error_body::parse(&body).unwrap_or_else(|| {
                (String::new(), String::from_utf8_lossy(&body[..body.len().min(200)]).trim().to_owned(), None)
            });
            return Err(CloudError::Service(ServiceError {
                status,
                code,
                message,
                request_id: request_id.or(body_request_id),
                retry_after_secs,
            }));
        }
        Ok(ApiResponse { status, content_type, content_disposition, subject_token, body })
    }
}

/// Path + canonical query, encoded as the signer would send them.
fn wire_uri(path: &str, query: &[(String, String)]) -> String {
    let mut uri = signer::wire_path(path);
    let q = signer::canonical_query(query);
    if !q.is_empty() {
        uri.push('?');
        uri.push_str(&q);
    }
    uri
}

/// The settings both clients share (API calls, presigned links): timeouts, no redirects (one
/// would re-send signed headers, or fetch a link elsewhere), extra trusted CAs, and with a host
/// override no proxy (a proxy would resolve the names itself) and no other resolver.
pub(crate) fn client_builder(config: &HttpConfig) -> Result<reqwest::ClientBuilder, CloudError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
        .read_timeout(Duration::from_secs(config.read_timeout_secs))
        .timeout(Duration::from_secs(config.request_timeout_secs))
        .redirect(reqwest::redirect::Policy::none());
    let mut roots = Vec::new();
    if let Some(path) = &config.ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| CloudError::NotSent(format!("cannot read CA file {}: {e}", path.display())))?;
        let cert = reqwest::Certificate::from_pem(&pem)
            .map_err(|e| CloudError::NotSent(format!("CA file {} is not a PEM certificate: {e}", path.display())))?;
        roots.push(cert);
    }
    if let Some(pem) = &config.ca_pem {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| CloudError::NotSent(format!("the simulator's CA is not a PEM certificate: {e}")))?;
        roots.push(cert);
    }
    if let Some(hosts) = &config.host_override {
        // A simulator stands in for the cloud: only the CA given for it is trusted, not the
        // system's (which also keeps the platform verifier out, whose extra-root engine Wine
        // does not support).
        builder = builder.no_proxy().dns_resolver(Arc::new(hosts.clone())).tls_certs_only(roots);
    } else {
        for cert in roots {
            builder = builder.add_root_certificate(cert);
        }
    }
    Ok(builder)
}

/// A client from a builder; the error names the cause (a CA the platform refuses, say).
pub(crate) fn build_client(builder: reqwest::ClientBuilder, what: &str) -> Result<reqwest::Client, CloudError> {
    builder.build().map_err(|e| CloudError::NotSent(format!("{what} setup failed: {}", cause_chain(&e))))
}

/// An error and its causes, joined with `: `, each said once and none that holds a URL (a
/// presigned URL's query is a credential).
fn cause_chain(e: &reqwest::Error) -> String {
    let mut reason = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        let text = err.to_string();
        if !text.contains("://") && !reason.contains(&text) {
            if !reason.is_empty() {
                reason.push_str(": ");
            }
            reason.push_str(&text);
        }
        source = err.source();
    }
    reason
}

/// Maps a transport error, with no URL in it (a presigned URL's query is a credential).
pub(crate) fn transport_error(host: &str, e: &reqwest::Error, config: &HttpConfig) -> CloudError {
    if e.is_timeout() {
        return CloudError::Timeout { endpoint: host.to_owned(), timeout_secs: config.request_timeout_secs };
    }
    let mut reason = cause_chain(e);
    if reason.is_empty() {
        reason = "connection failed".into();
    }
    CloudError::NoResponse { endpoint: host.to_owned(), reason }
}

/// Reads a body up to `max` bytes; a larger or cut-off body is an error, never a partial result.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
    host: &str,
    status: u16,
    config: &HttpConfig,
) -> Result<Bytes, CloudError> {
    let too_large = || CloudError::BadResponse {
        endpoint: host.to_owned(),
        status,
        reason: format!("the body is larger than the {max}-byte limit"),
    };
    let declared = response.content_length();
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    let mut buf = BytesMut::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if buf.len() + chunk.len() > max {
                    return Err(too_large());
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => {
                return Err(CloudError::Timeout { endpoint: host.to_owned(), timeout_secs: config.read_timeout_secs });
            }
            Err(_) => {
                return Err(CloudError::BadResponse {
                    endpoint: host.to_owned(),
                    status,
                    reason: format!("the body was cut off after {} bytes", buf.len()),
                });
            }
        }
    }
    if declared.is_some_and(|len| len != buf.len() as u64) {
        return Err(CloudError::BadResponse {
            endpoint: host.to_owned(),
            status,
            reason: format!("the body was cut off after {} bytes", buf.len()),
        });
    }
    Ok(buf.freeze())
}
