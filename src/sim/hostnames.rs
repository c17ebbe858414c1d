//! Production host names in the simulator: which service and region each name serves (from the
//! cloud's catalog, which the SDK suite checks against the official SDKs' region tables), object
//! storage on bucket hosts, one TLS certificate for every name handed out only to a matching SNI,
//! and the check that each request came to the host production would serve it from.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api_error::ApiError;
use super::state::SimState;
use crate::cloud::{Endpoints, Service};

/// The bucket presigned links point into (`<bucket>.obs.<region>.<suffix>`).
const BUCKET: &str = "certdesk-sim-certificates";

/// Regions a simulated account of these endpoints has, `n` at most: the cloud's own (Huawei
/// Cloud's European site second, so small estates have it), or `region-1`.. for a private cloud.
pub fn default_regions(endpoints: &Endpoints, n: usize) -> Vec<String> {
    const HUAWEI: &[&str] = &[
        "ap-southeast-1",
        "eu-west-101",
        "ap-southeast-3",
        "af-south-1",
        "la-south-2",
        "cn-north-4",
        "me-east-1",
        "tr-west-1",
        "sa-brazil-1",
        "ap-southeast-2",
        "ru-moscow-1",
        "la-north-2",
    ];
    if let Some(home) = endpoints.template_spec().map(|t| t.home_region.as_str()) {
        let mut regions = vec![home.to_owned()];
        regions.extend((2..=n).map(|i| format!("region-{i}")).filter(|r| r != home));
        regions.truncate(n.max(1));
        return regions;
    }
    let known: &[&str] = match endpoints.cloud() {
        crate::cloud::Cloud::HuaweiCloud => HUAWEI,
        other => other.regions(),
    };
    known.iter().take(n.max(1)).map(|r| (*r).to_owned()).collect()
}

/// Which names the simulator answers, and for what.
#[derive(Clone, Debug)]
pub struct HostPlan {
    /// API host → the services and regions it serves (`None`: every region, a global service).
    api: BTreeMap<String, Vec<(Service, Option<String>)>>,
    /// Object-storage host of each region (`obs.<region>.<suffix>`; buckets are one label more).
    object_storage: BTreeMap<String, String>,
}

impl HostPlan {
    /// The hosts of `endpoints` for these regions, as certdesk and the official SDKs name them.
    pub fn new(endpoints: &Endpoints, regions: &[String]) -> Self {
        let mut api: BTreeMap<String, Vec<(Service, Option<String>)>> = BTreeMap::new();
        let mut add = |service: Service, region: &str| {
            if let Ok(url) = endpoints.base_url(service, region)
                && let Some(host) = url.host_str()
            {
                let region = (!region.is_empty()).then(|| region.to_owned());
                api.entry(host.to_ascii_lowercase()).or_default().push((service, region));
            }
        };
        for region in regions {
            // Global services too: an account whose home is this region uses its host.
            for service in [Service::Iam, Service::Dcs, Service::GeminiDb, Service::Elb, Service::Ccm, Service::Scm] {
                if endpoints.offers(service, region) {
                    add(service, region);
                }
            }
        }
        for service in [Service::Ccm, Service::Scm] {
            if endpoints.offers(service, "") {
                add(service, "");
            }
        }
        let object_storage = regions.iter().map(|r| (endpoints.object_storage_host(r), r.clone())).collect();
        Self { api, object_storage }
    }

    /// Names the TLS certificate must cover: every API host and a wildcard per bucket domain.
    pub fn tls_names(&self) -> Vec<String> {
        let mut names: BTreeSet<String> = self.api.keys().cloned().collect();
        names.extend(self.object_storage.keys().map(|h| format!("*.{h}")));
        names.into_iter().collect()
    }

    /// The base of a region's presigned links.
    pub fn object_base(&self, region: &str) -> Option<String> {
        self.object_storage.iter().find(|(_, r)| *r == region).map(|(host, _)| format!("https://{BUCKET}.{host}"))
    }

    /// Whether a TLS client asking for `name` (SNI) gets the certificate.
    pub fn covers(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        self.api.contains_key(&name)
            || name
                .split_once('.')
                .is_some_and(|(label, rest)| !label.is_empty() && self.object_storage.contains_key(rest))
    }

    /// Whether the host serves this service for this region (`None`: the path names no region).
    fn serves(&self, host: &str, service: Service, region: Option<&str>) -> bool {
        self.api.get(host).is_some_and(|entries| {
            entries.iter().any(|(s, r)| *s == service && (r.is_none() || region.is_none() || r.as_deref() == region))
        })
    }

    fn is_bucket_host(&self, host: &str) -> bool {
        host.split_once('.').is_some_and(|(bucket, rest)| bucket == BUCKET && self.object_storage.contains_key(rest))
    }
}

/// The service a path belongs to, and the project id in it.
fn service_of(path: &str) -> Option<(Service, Option<&str>)> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["v3", "auth" | "projects", ..] | ["v3.0", ..] => Some((Service::Iam, None)),
        ["v1", first, ..] if first.starts_with("private-certificate") => Some((Service::Ccm, None)),
        ["v3", "scm", ..] => Some((Service::Scm, None)),
        ["v2.0", "lbaas", ..] => Some((Service::Elb, None)),
        ["v2" | "v3", project, "elb", ..] => Some((Service::Elb, Some(project))),
        ["v2", project, "instances", ..] => Some((Service::Dcs, Some(project))),
        ["v3", project, "instances", ..] => Some((Service::GeminiDb, Some(project))),
        _ => None,
    }
}

/// The host a request was sent to, lower case and without a port (HTTP/2 says it in the URI).
pub fn request_host(req: &Request) -> String {
    let header = req.headers().get(axum::http::header::HOST).and_then(|v| v.to_str().ok());
    let host = header.or_else(|| req.uri().authority().map(axum::http::uri::Authority::as_str)).unwrap_or_default();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') => h,
        _ => host,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Middleware around the whole router: counts requests per host; under production names, sends
/// bucket hosts to the object store and refuses API calls made to a host that does not serve them
/// (as the real gateways do), so a client that mixes up hosts fails here as it would there.
pub async fn route_by_host(State(state): State<Arc<SimState>>, mut req: Request, next: Next) -> Response {
    let host = request_host(&req);
    let path = req.uri().path().to_owned();
    if path.starts_with("/__sim/") {
        return next.run(req).await;
    }
    state.count_host(&host);
    let Some(plan) = state.host_plan() else { return next.run(req).await };
    let not_here = |what: &str| {
        ApiError::new(
            404,
            "APIG.0101",
            &format!("The API does not exist or has not been published in the environment ({what} on {host})."),
        )
        .into_response()
    };
    if plan.is_bucket_host(&host) {
        let rewritten = match req.uri().query() {
            Some(q) => format!("/obs{path}?{q}"),
            None => format!("/obs{path}"),
        };
        match rewritten.parse() {
            Ok(uri) => *req.uri_mut() = uri,
            Err(_) => return not_here("an object key"),
        }
        return next.run(req).await;
    }
    if path.starts_with("/obs/") {
        return not_here("object storage");
    }
    if let Some((service, project)) = service_of(&path) {
        let region = project.and_then(|p| state.estate().region_by_project(p).map(|r| r.name.clone()));
        // A project of no region is the handlers' to refuse, with their own error.
        let region = if project.is_some() && region.is_none() { None } else { region };
        if !plan.serves(&host, service, region.as_deref()) {
            let what = match &region {
                Some(r) => format!("{} of {r}", service.label()),
                None => service.label().to_owned(),
            };
            return not_here(&what);
        }
    }
    next.run(req).await
}

/// A TLS certificate resolver that answers only names the plan covers (no SNI: a client that
/// connected to the address, such as the tests' control calls).
#[derive(Debug)]
pub struct SniResolver {
    /// `None`: plain `--tls`, every name gets the certificate.
    plan: Option<HostPlan>,
    key: Arc<rustls::sign::CertifiedKey>,
}

impl SniResolver {
    /// A resolver handing out `cert_pem`/`key_pem` to the plan's names.
    pub fn new(plan: Option<HostPlan>, cert_pem: &str, key_pem: &str) -> Result<Self, String> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("server certificate: {e}"))?;
        let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| format!("server key: {e}"))?;
        let signing = rustls::crypto::aws_lc_rs::sign::any_supported_type(&key).map_err(|e| e.to_string())?;
        Ok(Self { plan, key: Arc::new(rustls::sign::CertifiedKey::new(certs, signing)) })
    }
}

impl rustls::server::ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: rustls::server::ClientHello<'_>) -> Option<Arc<rustls::sign::CertifiedKey>> {
        match hello.server_name() {
            Some(name) if name != "localhost" && self.plan.as_ref().is_some_and(|p| !p.covers(name)) => {
                tracing::debug!(name, "TLS: no certificate for this name");
                None
            }
            _ => Some(self.key.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::{HostPlan, service_of};
    use crate::cloud::{Cloud, Endpoints, Service};

    #[test]
    fn each_host_serves_its_own_service_and_region() {
        let regions = vec!["ap-southeast-1".to_owned(), "eu-west-101".to_owned()];
        let plan = HostPlan::new(&Endpoints::catalog(Cloud::HuaweiCloud), &regions);
        assert!(plan.serves("dcs.ap-southeast-1.myhuaweicloud.com", Service::Dcs, Some("ap-southeast-1")));
        assert!(!plan.serves("dcs.ap-southeast-1.myhuaweicloud.com", Service::Dcs, Some("eu-west-101")));
        assert!(!plan.serves("dcs.ap-southeast-1.myhuaweicloud.com", Service::GeminiDb, Some("ap-southeast-1")));
        assert!(plan.serves("gaussdb-nosql.eu-west-101.myhuaweicloud.eu", Service::GeminiDb, Some("eu-west-101")));
        assert!(plan.serves("iam.eu-west-101.myhuaweicloud.eu", Service::Iam, None));
        assert!(plan.serves("ccm.ap-southeast-3.myhuaweicloud.com", Service::Ccm, None));
        assert!(plan.covers("certdesk-sim-certificates.obs.eu-west-101.myhuaweicloud.eu"));
        assert!(!plan.covers("obs.eu-west-101.myhuaweicloud.eu.evil.org"));
        assert!(!plan.covers("a.b.obs.eu-west-101.myhuaweicloud.eu"));
        assert_eq!(
            plan.object_base("eu-west-101").unwrap(),
            "https://certdesk-sim-certificates.obs.eu-west-101.myhuaweicloud.eu"
        );
        assert_eq!(service_of("/v2/p1/instances/i/ssl"), Some((Service::Dcs, Some("p1"))));
        assert_eq!(service_of("/v3/p1/elb/listeners"), Some((Service::Elb, Some("p1"))));
        assert_eq!(service_of("/v3/p1/instances"), Some((Service::GeminiDb, Some("p1"))));
        assert_eq!(service_of("/v3/auth/tokens"), Some((Service::Iam, None)));
        assert_eq!(service_of("/v1/private-certificate-authorities"), Some((Service::Ccm, None)));
    }
}
