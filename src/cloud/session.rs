//! One signed-in account: credentials, endpoints, and the project ids, domain id and tokens
//! resolved for it (cached, so a refresh of many regions asks IAM once per region).

use std::collections::HashMap;

use serde_json::json;
use time::OffsetDateTime;
use tokio::sync::Mutex;
use url::Url;

use super::credentials::{Credentials, Secret};
use super::endpoints::{Endpoints, Service};
use super::error::{CloudError, ServiceErrorKind};
use super::http::{ApiRequest, ApiResponse, Auth, HttpClient};
use super::wire::iam;

/// Re-sign in this long before a token expires.
const TOKEN_REFRESH_MARGIN_SECS: i64 = 300;

/// A token and when to stop using it.
#[derive(Clone, Debug)]
struct CachedToken {
    token: Secret,
    expires_at: OffsetDateTime,
}

/// Whether an error says the credentials themselves were refused.
fn is_auth_failure(kind: ServiceErrorKind) -> bool {
    matches!(kind, ServiceErrorKind::BadSignature | ServiceErrorKind::AkLocked | ServiceErrorKind::Unauthenticated)
}

/// The names of the regions with a default project in a listing, sorted, each once.
fn region_names(projects: &[iam::Project]) -> Vec<String> {
    let mut regions: Vec<String> = projects.iter().filter(|p| p.is_region_default()).map(|p| p.name.clone()).collect();
    regions.sort();
    regions.dedup();
    regions
}

/// What an IAM token is scoped to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum TokenScope {
    /// A region's default project (regional services).
    Project(String),
    /// The account (global services).
    Domain,
}

/// A signed-in account, shared by all calls of a refresh.
#[derive(Debug)]
pub struct CloudSession {
    http: HttpClient,
    endpoints: Endpoints,
    credentials: Credentials,
    project_ids: Mutex<HashMap<String, String>>,
    domain_id: Mutex<Option<String>>,
    tokens: Mutex<HashMap<TokenScope, CachedToken>>,
    /// One sign-in per scope at a time: calls that need the same token wait for the first.
    sign_ins: Mutex<HashMap<TokenScope, std::sync::Arc<Mutex<()>>>>,
    /// The first authentication failure: after it nothing more is sent with these credentials,
    /// so a wrong secret cannot lock the user or the key out.
    auth_failure: std::sync::Mutex<Option<String>>,
    /// Until one call went through, calls go one at a time: with a wrong secret, only the first
    /// reaches the cloud (a refresh would otherwise send dozens at once).
    probe: Mutex<()>,
    proven: std::sync::atomic::AtomicBool,
    /// The region sign-in, the account id and region discovery use.
    home_region: Option<String>,
    /// Whether the caller's projects were listed (AK/SK): once per session, whatever it answered.
    projects_listed: Mutex<bool>,
    /// What that listing said: the regions it named (a default project each), or why it failed.
    listed_regions: Mutex<Option<Result<Vec<String>, CloudError>>>,
}

/// Where and how to reach a cloud: the one recipe for a session, whether from a stored profile,
/// the CLI's options or the demo.
#[derive(Clone, Debug)]
pub struct Connection {
    /// Which cloud (its catalog of hosts).
    pub cloud: super::Cloud,
    /// One base URL for every service instead of the catalog (a simulator, a private cloud).
    pub endpoint: Option<String>,
    /// Extra CA certificates to trust (PEM).
    pub ca_file: Option<std::path::PathBuf>,
    /// Calls in flight per host at most; `None` keeps the default.
    pub max_in_flight_per_host: Option<usize>,
    /// A host per service and region instead of the catalog (a private cloud).
    pub template: Option<super::endpoints::Template>,
    /// The cloud's host names answered by a simulator on loopback (`--resolve-to`).
    pub host_override: Option<super::HostOverride>,
    /// The simulator's CA (PEM), for an in-process simulator (with a host override, the only CA
    /// trusted, as a `ca_file` then is).
    pub ca_pem: Option<String>,
    /// The region for sign-in, the account id and region discovery: the profile's first, so an
    /// account on the European site signs in at its own IAM; default the cloud's first region.
    pub home_region: Option<String>,
}

impl Connection {
    /// The catalog of a cloud, with defaults.
    pub fn new(cloud: super::Cloud) -> Self {
        Self {
            cloud,
            endpoint: None,
            ca_file: None,
            max_in_flight_per_host: None,
            template: None,
            host_override: None,
            ca_pem: None,
            home_region: None,
        }
    }
}

impl CloudSession {
    /// A session reached as `connection` says, signing with `credentials`; plain http is refused
    /// unless it is loopback.
    pub fn connect(connection: &Connection, credentials: Credentials) -> Result<Self, CloudError> {
        let endpoints = match (&connection.endpoint, &connection.template) {
            (Some(url), _) => Endpoints::custom(connection.cloud, url)?,
            (None, Some(template)) => Endpoints::template(connection.cloud, template.clone())?,
            (None, None) => Endpoints::catalog(connection.cloud),
        };
        let host_override = match &connection.host_override {
            Some(_) if endpoints.custom_base().is_some() => {
                return Err(CloudError::NotSent(
                    "--resolve-to stands in for the cloud's own host names; it does not combine with --endpoint".into(),
                ));
            }
            Some(o) => Some(o.clone().for_domains(endpoints.domains())),
            None => None,
        };
        if let Some(region) = &connection.home_region {
            super::validate::region(region)?;
        }
        let mut config = super::HttpConfig {
            ca_file: connection.ca_file.clone(),
            ca_pem: connection.ca_pem.clone(),
            host_override,
            ..super::HttpConfig::default()
        };
        if let Some(n) = connection.max_in_flight_per_host {
            config.max_in_flight_per_host = n.max(1);
        }
        let mut session = Self::new(HttpClient::new(config)?, endpoints, credentials);
        session.home_region =
            connection.home_region.clone().or_else(|| connection.template.as_ref().map(|t| t.home_region.clone()));
        Ok(session)
    }

    /// A session; nothing is sent until the first call.
    pub fn new(http: HttpClient, endpoints: Endpoints, credentials: Credentials) -> Self {
        Self {
            http,
            endpoints,
            credentials,
            project_ids: Mutex::default(),
            domain_id: Mutex::default(),
            tokens: Mutex::default(),
            sign_ins: Mutex::default(),
            auth_failure: std::sync::Mutex::default(),
            probe: Mutex::default(),
            proven: std::sync::atomic::AtomicBool::new(false),
            home_region: None,
            projects_listed: Mutex::new(false),
            listed_regions: Mutex::default(),
        }
    }

    /// Presets a region's project id (from a profile or `HUAWEICLOUD_SDK_PROJECT_ID`).
    pub async fn set_project_id(&self, region: &str, project_id: &str) {
        self.project_ids.lock().await.insert(region.to_owned(), project_id.to_owned());
    }

    /// Presets the account id (from a profile or `HUAWEICLOUD_SDK_DOMAIN_ID`).
    pub async fn set_domain_id(&self, domain_id: &str) {
        *self.domain_id.lock().await = Some(domain_id.to_owned());
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The HTTP client.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The project id of a region's default project, resolved through IAM once.
    pub async fn project_id(&self, region: &str) -> Result<String, CloudError> {
        if let Some(id) = self.project_ids.lock().await.get(region) {
            return Ok(id.clone());
        }
        let id = match &self.credentials {
            Credentials::AkSk { .. } => {
                self.list_projects_once().await?;
                if let Some(id) = self.project_ids.lock().await.get(region) {
                    return Ok(id.clone());
                }
                // A region the listing did not name is asked as the SDK asks it, one lookup per
                // region: the region's other parts wait for it and take its answer.
                let gate =
                    self.sign_ins.lock().await.entry(TokenScope::Project(region.to_owned())).or_default().clone();
                let _one_at_a_time = gate.lock().await;
                if let Some(id) = self.project_ids.lock().await.get(region) {
                    return Ok(id.clone());
                }
                let iam = self.endpoints.base_url(Service::Iam, region)?;
                let req = ApiRequest::get(&iam, "/v3/projects").query("name", region);
                let resp = self.send(self.aksk_auth(), &req).await?;
                let body: iam::ProjectsResponse = resp.json(&iam)?;
                match body.projects.as_slice() {
                    [one] => one.id.clone(),
                    [] => {
                        return Err(CloudError::Scope(format!(
                            "The account has no project for region {region}; remove the region from the profile or check the cloud."
                        )));
                    }
                    _ => return Err(CloudError::Scope(format!("IAM returned several projects named {region}."))),
                }
            }
            Credentials::Password { .. } => {
                self.token(&TokenScope::Project(region.to_owned())).await?;
                return self
                    .project_ids
                    .lock()
                    .await
                    .get(region)
                    .cloned()
                    .ok_or_else(|| CloudError::Scope(format!("IAM did not say the project id of {region}.")));
            }
        };
        self.project_ids.lock().await.insert(region.to_owned(), id.clone());
        Ok(id)
    }

    /// The account (domain) id, needed by global services such as CCM.
    pub async fn domain_id(&self) -> Result<String, CloudError> {
        if let Some(id) = self.domain_id.lock().await.clone() {
            return Ok(id);
        }
        let id = match &self.credentials {
            Credentials::AkSk { .. } => {
                self.list_projects_once().await?;
                if let Some(id) = self.domain_id.lock().await.clone() {
                    return Ok(id);
                }
                let gate = self.sign_ins.lock().await.entry(TokenScope::Domain).or_default().clone();
                let _one_at_a_time = gate.lock().await;
                if let Some(id) = self.domain_id.lock().await.clone() {
                    return Ok(id);
                }
                let iam = self.endpoints.base_url(Service::Iam, self.home_region())?;
                let resp = self.send(self.aksk_auth(), &ApiRequest::get(&iam, "/v3/auth/domains")).await?;
                let body: iam::DomainsResponse = resp.json(&iam)?;
                body.domains.into_iter().next().map(|d| d.id).ok_or_else(|| {
                    CloudError::Scope("IAM listed no account for these keys; set the account id in the profile.".into())
                })?
            }
            Credentials::Password { .. } => {
                self.token(&TokenScope::Domain).await?;
                return self
                    .domain_id
                    .lock()
                    .await
                    .clone()
                    .ok_or_else(|| CloudError::Scope("IAM did not say the account id.".into()));
            }
        };
        *self.domain_id.lock().await = Some(id.clone());
        Ok(id)
    }

    /// Lists the projects the keys can use (`GET /v3/auth/projects`, once per session) and keeps
    /// each region's default project id and the account id they name. One call then answers
    /// what would be a lookup per region and one for the account: a refresh of ten regions waits
    /// one round trip for IAM, not a queue of them. Where the listing fails for any reason but
    /// the keys themselves (no permission, the home region's IAM down, an answer that does not
    /// read), the lookups the SDK makes (by region name at each region's IAM, the account list)
    /// follow and answer in their own words.
    async fn list_projects_once(&self) -> Result<(), CloudError> {
        let mut listed = self.projects_listed.lock().await;
        if std::mem::replace(&mut *listed, true) {
            return Ok(());
        }
        let iam = self.endpoints.base_url(Service::Iam, self.home_region())?;
        let listing = self.send(self.aksk_auth(), &ApiRequest::get(&iam, "/v3/auth/projects")).await;
        let projects = match listing.and_then(|resp| resp.json::<iam::ProjectsResponse>(&iam)) {
            Ok(body) => body.projects,
            // Keys that failed to authenticate send nothing more: the caller gets why.
            Err(e) if self.auth_failure().is_some() => return Err(e),
            Err(e) => {
                tracing::debug!(error = %e, "the projects could not be listed; looking them up one by one");
                *self.listed_regions.lock().await = Some(Err(e));
                return Ok(());
            }
        };
        let mut ids = self.project_ids.lock().await;
        for p in projects.iter().filter(|p| p.is_region_default()) {
            ids.entry(p.name.clone()).or_insert_with(|| p.id.clone());
        }
        drop(ids);
        *self.listed_regions.lock().await = Some(Ok(region_names(&projects)));
        // The account id goes into a header of every global call: only one that is an id.
        if let Some(domain) = projects.iter().map(|p| p.domain_id.as_str()).find(|d| super::validate::is_segment(d)) {
            self.domain_id.lock().await.get_or_insert_with(|| domain.to_owned());
        }
        Ok(())
    }

    /// The regions the account has a project in (`GET /v3/auth/projects`, sub-projects folded),
    /// sorted. With keys, the listing the session makes once for project ids answers it, or says
    /// why it could not (the same request is not sent again); with a password it is asked with
    /// the session's token.
    pub async fn regions_with_projects(&self) -> Result<Vec<String>, CloudError> {
        if matches!(self.credentials, Credentials::AkSk { .. }) {
            self.list_projects_once().await?;
            if let Some(listed) = self.listed_regions.lock().await.clone() {
                return listed;
            }
        }
        let iam = self.base_url(Service::Iam, self.home_region())?;
        let resp = self.call_iam(ApiRequest::get(&iam, "/v3/auth/projects")).await?;
        Ok(region_names(&resp.json::<iam::ProjectsResponse>(&iam)?.projects))
    }

    /// The region sign-in, the account id and region discovery use.
    pub fn home_region(&self) -> &str {
        match &self.home_region {
            Some(region) => region,
            None => self.endpoints.cloud().regions().first().copied().unwrap_or("eu-de"),
        }
    }

    fn aksk_auth(&self) -> Auth<'_> {
        match &self.credentials {
            Credentials::AkSk { access_key, secret_key, security_token } => {
                Auth::AkSk { access_key, secret_key, security_token: security_token.as_ref() }
            }
            Credentials::Password { .. } => Auth::None,
        }
    }

    /// Sends a request with these credentials, unless they already failed to authenticate once:
    /// then nothing is sent (a gateway locks an AK after five bad signatures, IAM a user after a
    /// few wrong passwords), and the call fails with the first failure's reason.
    async fn send(&self, auth: Auth<'_>, req: &ApiRequest) -> Result<ApiResponse, CloudError> {
        use std::sync::atomic::Ordering;
        let _probing = if self.proven.load(Ordering::Acquire) {
            None
        } else {
            // Calls that queued behind the first one go on together once it has proven the
            // credentials, instead of each holding the probe for a whole call in turn.
            let probe = self.probe.lock().await;
            (!self.proven.load(Ordering::Acquire)).then_some(probe)
        };
        if let Some(first) = self.auth_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone() {
            return Err(CloudError::NotSent(format!(
                "these credentials failed to authenticate ({first}); nothing more is sent with them, so the \
                 account is not locked. Fix the secret, then refresh."
            )));
        }
        // Only a request that carries the credentials (signed with the AK/SK, or the password
        // sign-in) can say they are wrong; a 401 to a token is about the token.
        let carries_credentials = matches!(auth, Auth::AkSk { .. }) || req.path == "/v3/auth/tokens";
        let result = self.http.send(auth, req).await;
        match &result {
            Ok(_) => self.proven.store(true, Ordering::Release),
            // A service's own refusal comes after the gateway checked the credentials. A gateway's
            // (APIG.*: no such API, throttled, length required) or a 5xx may come before: it
            // proves nothing, and the calls waiting behind this one stay one at a time.
            Err(CloudError::Service(e))
                if !is_auth_failure(e.kind())
                    && e.status < 500
                    && e.status != 429
                    && !e.code.to_ascii_uppercase().starts_with("APIG") =>
            {
                self.proven.store(true, Ordering::Release);
            }
            _ => {}
        }
        if let Err(CloudError::Service(e)) = &result
            && carries_credentials
            && is_auth_failure(e.kind())
        {
            self.auth_failure
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .get_or_insert_with(|| e.to_string());
        }
        result
    }

    /// The first authentication failure of these credentials, if any.
    pub fn auth_failure(&self) -> Option<String> {
        self.auth_failure.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// An IAM token for a scope, signing in when none is cached or it is about to expire; one
    /// sign-in per scope at a time (the others wait and take its token).
    async fn token(&self, scope: &TokenScope) -> Result<Secret, CloudError> {
        let gate = self.sign_ins.lock().await.entry(scope.clone()).or_default().clone();
        let _one_at_a_time = gate.lock().await;
        let now = self.http.clock().now();
        if let Some(t) = self.tokens.lock().await.get(scope)
            && t.expires_at - now > time::Duration::seconds(TOKEN_REFRESH_MARGIN_SECS)
        {
            return Ok(t.token.clone());
        }
        let Credentials::Password { domain_name, user_name, password } = &self.credentials else {
            return Err(CloudError::NotSent("token requested for AK/SK credentials".into()));
        };
        let (region, scope_json) = match scope {
            TokenScope::Project(region) => (region.as_str(), json!({"project": {"name": region}})),
            TokenScope::Domain => (self.home_region(), json!({"domain": {"name": domain_name}})),
        };
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user_name, "password": password.expose(), "domain": {"name": domain_name}}}},
            "scope": scope_json}});
        let iam = self.endpoints.base_url(Service::Iam, region)?;
        let req = ApiRequest::post(&iam, "/v3/auth/tokens", Some(body.to_string().into_bytes()), false)
            .query("nocatalog", "true");
        let resp = self.send(Auth::None, &req).await?;
        let token = resp.subject_token.clone().ok_or_else(|| CloudError::BadResponse {
            endpoint: super::http::host_label(&iam),
            status: resp.status,
            reason: "sign-in answered without an X-Subject-Token header".into(),
        })?;
        let facts: iam::TokenResponse = resp.json(&iam)?;
        let expires_at = OffsetDateTime::parse(&facts.token.expires_at, &time::format_description::well_known::Rfc3339)
            .map_err(|e| CloudError::BadResponse {
                endpoint: super::http::host_label(&iam),
                status: resp.status,
                reason: format!("token expiry {:?} is not a date: {e}", facts.token.expires_at),
            })?;
        if let (TokenScope::Project(region), Some(project)) = (scope, &facts.token.project) {
            self.project_ids.lock().await.insert(region.clone(), project.id.clone());
        }
        if !facts.token.user.domain.id.is_empty() {
            *self.domain_id.lock().await = Some(facts.token.user.domain.id.clone());
        }
        self.tokens.lock().await.insert(scope.clone(), CachedToken { token: token.clone(), expires_at });
        Ok(token)
    }

    /// Calls a regional service: the path may contain `{project_id}`, which is filled in.
    pub async fn call_regional(&self, region: &str, mut req: ApiRequest) -> Result<ApiResponse, CloudError> {
        let project_id = self.project_id(region).await?;
        // One segment, whoever said it (IAM, the environment, a profile).
        super::validate::id("project id", &project_id)?;
        req.path = req.path.replace("{project_id}", &project_id);
        match &self.credentials {
            Credentials::AkSk { .. } => {
                req.headers.push(("X-Project-Id".into(), project_id));
                self.send(self.aksk_auth(), &req).await
            }
            Credentials::Password { .. } => {
                let scope = TokenScope::Project(region.to_owned());
                self.with_token(&scope, &req).await
            }
        }
    }

    /// Calls a global service (CCM), scoped to the account.
    pub async fn call_global(&self, req: ApiRequest) -> Result<ApiResponse, CloudError> {
        let mut req = req;
        match &self.credentials {
            Credentials::AkSk { .. } => {
                let domain_id = self.domain_id().await?;
                req.headers.push(("X-Domain-Id".into(), domain_id));
                self.send(self.aksk_auth(), &req).await
            }
            Credentials::Password { .. } => self.with_token(&TokenScope::Domain, &req).await,
        }
    }

    /// Calls an IAM API of the account (AK/SK signed, or with a domain-scoped token).
    pub async fn call_iam(&self, req: ApiRequest) -> Result<ApiResponse, CloudError> {
        match &self.credentials {
            Credentials::AkSk { .. } => self.send(self.aksk_auth(), &req).await,
            Credentials::Password { .. } => self.with_token(&TokenScope::Domain, &req).await,
        }
    }

    /// Sends with a token; an expired token (APIG.0307) is dropped and the call made once more.
    async fn with_token(&self, scope: &TokenScope, req: &ApiRequest) -> Result<ApiResponse, CloudError> {
        let token = self.token(scope).await?;
        match self.send(Auth::Token(&token), req).await {
            Err(CloudError::Service(e)) if e.kind() == ServiceErrorKind::TokenExpired => {
                // Only the token that expired: another call may have signed in again meanwhile.
                let mut tokens = self.tokens.lock().await;
                if tokens.get(scope).is_some_and(|t| t.token.expose() == token.expose()) {
                    tokens.remove(scope);
                }
                drop(tokens);
                let token = self.token(scope).await?;
                self.send(Auth::Token(&token), req).await
            }
            other => other,
        }
    }

    /// A service base URL; a global service's (no region) is its host for the home region.
    pub fn base_url(&self, service: Service, region: &str) -> Result<Url, CloudError> {
        if service.is_global() && region.is_empty() {
            return self.endpoints.base_url(service, self.home_region());
        }
        self.endpoints.base_url(service, region)
    }
}
