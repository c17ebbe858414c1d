//! Fetching presigned object-storage links: no credentials, no redirects, only the cloud's own
//! object-storage hosts over https (plain http only for a loopback simulator), and a size cap.

use bytes::Bytes;
use url::Url;

use super::endpoints::LinkPolicy;
use super::error::CloudError;
use super::http::{HttpClient, HttpConfig, host_label, read_capped, transport_error};
use crate::clock::Clock;

/// Largest certificate download accepted (certificate files are a few KB).
pub const MAX_DOWNLOAD_BYTES: usize = 4 * 1024 * 1024;

/// A client for presigned links, separate from the API client so no credential can leak to it.
#[derive(Clone, Debug)]
pub struct LinkFetcher {
    client: reqwest::Client,
    config: HttpConfig,
    policy: LinkPolicy,
    /// The API client, only for its per-host limits (never its credentials).
    gates: HttpClient,
}

impl LinkFetcher {
    /// A fetcher for the links allowed by `policy`, sharing `http`'s per-host limits.
    pub fn new(http: &HttpClient, policy: LinkPolicy) -> Result<Self, CloudError> {
        let client = http.link_client(policy.allow_plain_http)?;
        Ok(Self { client, config: http.config().clone(), policy, gates: http.clone() })
    }

    /// Checks a link against the policy and its `Expires` time, without fetching it.
    pub fn check(&self, link: &str, clock: &dyn Clock) -> Result<Url, CloudError> {
        let url = Url::parse(link).map_err(|_| CloudError::LinkRejected("it is not a URL".into()))?;
        match url.scheme() {
            "https" => {}
            "http" if self.policy.allow_plain_http && super::endpoints::is_loopback(&url) => {}
            other => return Err(CloudError::LinkRejected(format!("scheme {other:?} is not allowed; only https"))),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(CloudError::LinkRejected("it carries user credentials".into()));
        }
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let suffix = self.policy.host_suffix.to_ascii_lowercase();
        if host != suffix && !host.ends_with(&format!(".{suffix}")) {
            return Err(CloudError::LinkRejected(format!(
                "host {host} is not on the cloud's object storage ({suffix})"
            )));
        }
        if url.port_or_known_default() != Some(self.policy.port) {
            let port = url.port_or_known_default().map_or_else(|| "none".to_owned(), |p| p.to_string());
            return Err(CloudError::LinkRejected(format!(
                "port {port} is not the object storage's ({}); only that port is used",
                self.policy.port
            )));
        }
        if let Some(hosts) = &self.config.host_override {
            hosts.check_url(&url).map_err(|e| CloudError::LinkRejected(e.to_string()))?;
        }
        let expires = url.query_pairs().find(|(k, _)| k == "Expires").and_then(|(_, v)| v.parse::<i64>().ok());
        if expires.is_some_and(|at| at < clock.now().unix_timestamp()) {
            return Err(CloudError::LinkExpired);
        }
        Ok(url)
    }

    /// Fetches a link; the whole body or an error, never part of it.
    pub async fn fetch(&self, link: &str, clock: &dyn Clock) -> Result<Bytes, CloudError> {
        let url = self.check(link, clock)?;
        let host = host_label(&url);
        let gate = self.gates.host_gate(&url);
        let _permit = gate.acquire().await?;
        let response = self.client.get(url).send().await.map_err(|e| transport_error(&host, &e, &self.config))?;
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            return Err(CloudError::LinkRejected(format!(
                "the link redirects (HTTP {status}); redirects are not followed"
            )));
        }
        let body = read_capped(response, MAX_DOWNLOAD_BYTES, &host, status, &self.config).await?;
        if status == 403 && String::from_utf8_lossy(&body).to_ascii_lowercase().contains("expired") {
            return Err(CloudError::LinkExpired);
        }
        if status >= 400 {
            return Err(CloudError::BadResponse {
                endpoint: host,
                status,
                reason: "the object storage refused the download link".into(),
            });
        }
        if body.is_empty() {
            return Err(CloudError::BadResponse { endpoint: host, status, reason: "the download was empty".into() });
        }
        Ok(body)
    }
}
