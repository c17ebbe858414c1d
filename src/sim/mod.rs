//! The cloud simulator (`certdesk sim`): a real HTTP server on loopback that verifies AK/SK
//! signatures and IAM tokens as the API gateway does, serves IAM, DCS, GeminiDB and CCM PCA
//! with the documented shapes, pagination and errors, hands out expiring presigned links, and
//! injects faults on request. Tests and demo mode run against it.

mod api_error;
mod auth;
pub mod estate;
pub mod faults;
pub mod hostnames;
mod objects;
pub mod pki;
mod routes;
mod state;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

pub use estate::{Estate, Scale, Shape};
pub use faults::Faults;
pub use state::SimState;

/// How to run the simulator.
#[derive(Clone)]
pub struct SimConfig {
    /// Address to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The access key it accepts.
    pub access_key: String,
    /// The secret key it accepts.
    pub secret_key: String,
    /// IAM user name for password sign-in.
    pub iam_user: String,
    /// IAM password for password sign-in.
    pub iam_password: String,
    /// Seed of the estate.
    pub seed: u64,
    /// Size of the estate.
    pub scale: Scale,
    /// Faults from the start.
    pub faults: Faults,
    /// Serve HTTPS with a freshly generated CA, written (PEM) to this path for clients to trust.
    pub tls_ca_out: Option<std::path::PathBuf>,
    /// Listen on an address other than loopback (its fixed credentials are public: only with
    /// `admin_key` and credentials of the run's own).
    pub allow_remote: bool,
    /// When set, `/__sim/*` answers only requests with `X-Sim-Admin-Key: <key>`.
    pub admin_key: Option<String>,
    /// Answer under these endpoints' production host names (over TLS, whose CA the JSON line
    /// carries) instead of one base URL; clients reach it with `resolve_to`.
    pub hostnames: Option<crate::cloud::Endpoints>,
    /// The estate's regions and sizes; `None` is the scale's (in the host names' cloud's regions).
    pub shape: Option<Shape>,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimConfig")
            .field("listen", &self.listen)
            .field("access_key", &self.access_key)
            .field("secret_key", &"** redacted **")
            .field("iam_user", &self.iam_user)
            .field("iam_password", &"** redacted **")
            .field("seed", &self.seed)
            .field("scale", &self.scale)
            .field("faults", &self.faults)
            .field("tls_ca_out", &self.tls_ca_out)
            .field("allow_remote", &self.allow_remote)
            .field("admin_key", &self.admin_key.as_ref().map(|_| "** redacted **"))
            .field("hostnames", &self.hostnames)
            .field("shape", &self.shape)
            .finish()
    }
}

impl SimConfig {
    /// The demo cloud: the demo estate under Huawei Cloud's production host names.
    pub fn demo() -> Self {
        Self {
            scale: Scale::Demo,
            hostnames: Some(crate::cloud::Endpoints::catalog(crate::cloud::Cloud::HuaweiCloud)),
            ..Self::default()
        }
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            access_key: "SIMAK0000000000000001".into(),
            secret_key: "SimSecretKey000000000000000000000000sim1".into(),
            iam_user: "sim-admin".into(),
            iam_password: "sim-password".into(),
            seed: 1,
            scale: Scale::Small,
            faults: Faults::default(),
            tls_ca_out: None,
            allow_remote: false,
            admin_key: None,
            hostnames: None,
            shape: None,
        }
    }
}

/// What a client needs to talk to a running simulator; printed as one JSON line on start.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SimInfo {
    /// Base URL of every service.
    pub endpoint: String,
    /// Access key.
    pub ak: String,
    /// Secret key (a throw-away simulator key, safe to print).
    pub sk: String,
    /// Project id per region.
    pub project_ids: BTreeMap<String, String>,
    /// Account id.
    pub domain_id: String,
    /// Regions, in order.
    pub regions: Vec<String>,
    /// The IAM password, when made for this run (`--allow-remote`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iam_password: Option<String>,
    /// The key `/__sim/*` requires (`X-Sim-Admin-Key`), when the run has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_key: Option<String>,
    /// Under production host names: the socket every name of the cloud resolves to
    /// (`certdesk --resolve-to`), and `endpoint` serves only `/__sim/*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_to: Option<SocketAddr>,
    /// Under production host names: the cloud they are of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::cloud::Cloud>,
    /// The CA (PEM) of the simulator's TLS certificate, to trust besides the system's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_ca_pem: Option<String>,
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The simulator's own PKI could not be generated.
    #[error("cannot generate the simulator's certificates: {0}")]
    Pki(String),
    /// The TLS CA could not be written or the TLS server set up.
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// An address other than loopback without `--allow-remote`.
    #[error(
        "refusing to listen on {0}: the simulator's default credentials are public and its /__sim/ controls \
         unauthenticated, so it listens on loopback (127.0.0.1, ::1) only. Give --allow-remote to listen there \
         with credentials made for this run and /__sim/ guarded by an admin key (all printed in the JSON line)."
    )]
    NotLoopback(SocketAddr),
}

/// A simulator serving in the background; stops when dropped or shut down.
pub struct RunningSim {
    /// Connection facts.
    pub info: SimInfo,
    /// Shared state: change faults, inspect counters.
    pub state: Arc<SimState>,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<()>>,
    tls: Option<axum_server::Handle<SocketAddr>>,
    hostnames: Option<crate::cloud::Endpoints>,
}

impl RunningSim {
    /// How to reach this simulator: under its production host names when it has them (resolved
    /// to its socket, its CA trusted, its first region home), else at its one base URL.
    pub fn connection(&self) -> Result<crate::cloud::Connection, crate::cloud::CloudError> {
        use crate::cloud::{Cloud, Connection, HostOverride};
        Ok(match (&self.hostnames, self.info.resolve_to) {
            (Some(endpoints), Some(addr)) => Connection {
                template: endpoints.template_spec().cloned(),
                // Fails closed: never the catalog's real hosts with the simulator's keys.
                host_override: Some(HostOverride::to_loopback(addr)?),
                ca_pem: self.info.tls_ca_pem.clone(),
                home_region: self.info.regions.first().cloned(),
                ..Connection::new(endpoints.cloud())
            },
            _ => Connection { endpoint: Some(self.endpoint().to_owned()), ..Connection::new(Cloud::HuaweiCloud) },
        })
    }

    /// A session signed in to this simulator with its own keys, its project ids preset (the demo).
    pub async fn session(&self) -> Result<crate::cloud::CloudSession, crate::cloud::CloudError> {
        use crate::cloud::{CloudSession, Credentials};
        let session = CloudSession::connect(&self.connection()?, Credentials::aksk(&self.info.ak, &self.info.sk))?;
        for (region, project) in &self.info.project_ids {
            session.set_project_id(region, project).await;
        }
        Ok(session)
    }

    /// The bound address.
    pub fn endpoint(&self) -> &str {
        &self.info.endpoint
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = &self.tls {
            handle.graceful_shutdown(Some(std::time::Duration::from_secs(1)));
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the process is interrupted (Ctrl+C / SIGTERM).
    pub async fn serve_until_signal(self) {
        let _ = tokio::signal::ctrl_c().await;
        self.shutdown().await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(handle) = &self.tls {
            handle.shutdown();
        }
    }
}

/// Starts the simulator on the current tokio runtime.
pub async fn start(config: SimConfig) -> Result<RunningSim, SimError> {
    if config.hostnames.is_some() && !config.listen.ip().is_loopback() {
        // Clients reach it through a resolver override that maps to loopback only.
        return Err(SimError::NotLoopback(config.listen));
    }
    let guarded = config.allow_remote && config.admin_key.is_some();
    if !(config.listen.ip().is_loopback() || guarded) {
        return Err(SimError::NotLoopback(config.listen));
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| SimError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind { addr: config.listen, source })?;
    let tls = config.tls_ca_out.is_some() || config.hostnames.is_some();
    let scheme = if tls { "https" } else { "http" };
    let endpoint = format!("{scheme}://{addr}");
    let state = Arc::new(SimState::new(&config, endpoint.clone())?);
    let tls = if tls { Some(tls_config(config.tls_ca_out.as_deref(), state.host_plan().cloned())?) } else { None };
    let mut info = SimInfo {
        endpoint,
        ak: config.access_key.clone(),
        sk: config.secret_key.clone(),
        project_ids: state.estate().regions.iter().map(|r| (r.name.clone(), r.project_id.clone())).collect(),
        domain_id: state.estate().domain_id.clone(),
        regions: state.estate().regions.iter().map(|r| r.name.clone()).collect(),
        iam_password: config.allow_remote.then(|| config.iam_password.clone()),
        admin_key: config.admin_key.clone(),
        resolve_to: None,
        cloud: None,
        tls_ca_pem: None,
    };
    if let Some(endpoints) = &config.hostnames {
        info.resolve_to = Some(addr);
        info.cloud = Some(endpoints.cloud());
        info.tls_ca_pem = tls.as_ref().map(|(_, ca)| ca.clone());
    }
    // Around the whole router, so the bucket hosts' paths it rewrites are routed afresh.
    let hostnames = config.hostnames.clone();
    let app = axum::Router::new()
        .fallback_service(routes::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), hostnames::route_by_host))
        .into_make_service();
    let shutdown = CancellationToken::new();
    if let Some((tls, _)) = tls {
        let std_listener = listener.into_std().map_err(|e| SimError::Tls(e.to_string()))?;
        let handle = axum_server::Handle::new();
        // TCP_NODELAY as production's gateways have it: without it a response's second write waits
        // for the client's delayed ACK (40 ms on Linux), and a call looks twice as far away.
        let acceptor = axum_server::tls_rustls::RustlsAcceptor::new(tls).acceptor(Accepted(state.clone()));
        let server = axum_server::from_tcp(std_listener).map_err(|e| SimError::Tls(e.to_string()))?.acceptor(acceptor);
        let server = server.handle(handle.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = server.serve(app).await {
                tracing::error!("simulator stopped: {e}");
            }
        });
        return Ok(RunningSim { info, state, shutdown, task: Some(task), tls: Some(handle), hostnames });
    }
    let stop = shutdown.clone();
    let counted = state.clone();
    let task = tokio::spawn(async move {
        let listener = axum::serve::ListenerExt::tap_io(listener, move |tcp| {
            counted.count_connection();
            // As with TLS above: no waiting for delayed ACKs between a response's writes.
            let _ = tcp.set_nodelay(true);
        });
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move { stop.cancelled().await });
        if let Err(e) = serve.await {
            tracing::error!("simulator stopped: {e}");
        }
    });
    Ok(RunningSim { info, state, shutdown, task: Some(task), tls: None, hostnames })
}

/// Sets TCP_NODELAY on each accepted connection and counts it (`/__sim/stats` says how many
/// connections clients opened).
#[derive(Clone)]
struct Accepted(Arc<SimState>);

impl<S> axum_server::accept::Accept<tokio::net::TcpStream, S> for Accepted {
    type Stream = tokio::net::TcpStream;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Self::Stream, Self::Service)>>;

    fn accept(&self, stream: tokio::net::TcpStream, service: S) -> Self::Future {
        self.0.count_connection();
        std::future::ready(stream.set_nodelay(true).map(|()| (stream, service)))
    }
}

/// A CA (written to `ca_out` when given) and a server certificate signed by it for 127.0.0.1,
/// localhost and, under production host names, every one of them (handed out by SNI).
fn tls_config(
    ca_out: Option<&std::path::Path>,
    plan: Option<hostnames::HostPlan>,
) -> Result<(axum_server::tls_rustls::RustlsConfig, String), SimError> {
    let now = time::OffsetDateTime::now_utc();
    let spec = |cn: &'static str, names: Vec<String>| pki::Spec {
        common_name: cn,
        dns_names: names,
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(30),
        key: pki::KeyKind::Ec256,
        serial: vec![0x51, 0x01],
    };
    let ca = pki::Authority::root(&spec("certdesk simulator TLS CA", Vec::new()))
        .map_err(|e| SimError::Pki(e.to_string()))?;
    let mut names = vec!["127.0.0.1".to_owned(), "localhost".to_owned()];
    names.extend(plan.iter().flat_map(hostnames::HostPlan::tls_names));
    let server = ca.issue(&spec("certdesk simulator", names)).map_err(|e| SimError::Pki(e.to_string()))?;
    if let Some(ca_out) = ca_out {
        crate::store::write_atomic(
            ca_out,
            ca.pem.as_bytes(),
            crate::store::Sensitivity::Public,
            crate::store::Overwrite::Replace,
        )
        .map_err(|e| SimError::Tls(e.to_string()))?;
    }
    let resolver = hostnames::SniResolver::new(plan, &server.cert_pem, &server.key_pem).map_err(SimError::Tls)?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SimError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)), ca.pem.clone()))
}
