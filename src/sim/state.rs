//! The simulator's shared state: the estate, credentials, issued tokens, lockout, faults and
//! the certificate material generated on first use.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use time::{Duration, OffsetDateTime};

use super::estate::{Estate, ROOT_CA_NAME, Rng, SUB_CA_NAME};
use super::faults::Faults;
use super::pki::{Authority, KeyKind, Material, Spec};
use super::{SimConfig, SimError};

/// What an issued IAM token may be used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenScope {
    /// One project (regional services).
    Project(String),
    /// The account (global services and IAM).
    Domain,
}

/// An issued token.
#[derive(Clone, Debug)]
pub struct IssuedToken {
    /// Its scope.
    pub scope: TokenScope,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Temporary keys handed out by `POST /v3.0/OS-CREDENTIAL/securitytokens`.
#[derive(Clone, Debug)]
pub struct TemporaryKey {
    /// Its secret key.
    pub secret_key: String,
    /// The security token that must accompany it.
    pub security_token: String,
    /// When it stops working.
    pub expires_at: OffsetDateTime,
}

/// Consecutive AK/SK failures and the lock they cause (5 failures lock for 5 minutes).
#[derive(Clone, Debug, Default)]
pub struct Lockout {
    /// Failures in a row.
    pub failures: u32,
    /// Locked until then.
    pub locked_until: Option<OffsetDateTime>,
}

/// Everything the handlers share.
pub struct SimState {
    /// The account.
    estate: std::sync::RwLock<Arc<Estate>>,
    /// Accepted access key.
    pub access_key: String,
    /// Accepted secret key.
    pub secret_key: String,
    /// IAM user.
    pub iam_user: String,
    /// IAM password.
    pub iam_password: String,
    /// Base URL, for presigned links.
    pub endpoint: String,
    /// Key that signs presigned links.
    pub link_key: Vec<u8>,
    /// Key `/__sim/*` requires, when the simulator listens beyond loopback.
    pub admin_key: Option<String>,
    /// The private CA hierarchy: root, then issuing CA.
    pub root_ca: Authority,
    /// The issuing CA of all private certificates.
    pub issuing_ca: Authority,
    /// The key every DCS and GeminiDB instance CA is made with.
    pub instance_ca_key: rcgen::KeyPair,
    faults: Mutex<Faults>,
    requests: AtomicU64,
    connections: AtomicU64,
    rng: Mutex<Rng>,
    /// AK/SK failures.
    pub lockout: Mutex<Lockout>,
    /// Issued tokens.
    pub tokens: Mutex<HashMap<String, IssuedToken>>,
    /// Issued temporary keys, by access key.
    pub temporary_keys: Mutex<HashMap<String, TemporaryKey>>,
    materials: Mutex<HashMap<String, Arc<Material>>>,
    /// Failed authentications, by access key or `domain/user`: what would count toward a
    /// lockout policy, for tests that prove certdesk cannot lock anyone out.
    auth_failures: Mutex<std::collections::BTreeMap<String, u64>>,
    /// Under production host names: which name serves what.
    host_plan: Option<super::hostnames::HostPlan>,
    /// Requests per host name (API and object storage).
    hosts: Mutex<std::collections::BTreeMap<String, u64>>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimState {
    /// The account as it is now (it changes only through `/__sim/evolve`).
    pub fn estate(&self) -> Arc<Estate> {
        self.estate.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Changes the account (the simulator's operators renewing, adding and removing things).
    pub fn change_estate<T>(&self, change: impl FnOnce(&mut Estate) -> T) -> T {
        let mut guard = self.estate.write().unwrap_or_else(PoisonError::into_inner);
        change(Arc::make_mut(&mut guard))
    }

    pub(super) fn new(config: &SimConfig, endpoint: String) -> Result<Self, SimError> {
        let now = OffsetDateTime::now_utc();
        let shape = config.shape.clone().unwrap_or_else(|| {
            let mut shape = config.scale.shape();
            if let Some(endpoints) = &config.hostnames {
                shape.regions = super::hostnames::default_regions(endpoints, shape.regions.len());
            }
            shape
        });
        let estate = Estate::generate_shaped(config.seed, &shape, now);
        let host_plan = config.hostnames.as_ref().map(|e| super::hostnames::HostPlan::new(e, &shape.regions));
        let mut rng = Rng::new(config.seed ^ 0xA5A5_5A5A_DEAD_BEEF);
        let ca_spec = |name: &'static str, years: i64, serial: u8| Spec {
            common_name: name,
            dns_names: Vec::new(),
            not_before: now - Duration::days(400),
            not_after: now + Duration::days(365 * years),
            key: KeyKind::Ec256,
            serial: vec![0x10, serial],
        };
        let root_ca = Authority::root(&ca_spec(ROOT_CA_NAME, 10, 0)).map_err(|e| SimError::Pki(e.to_string()))?;
        let issuing_ca = root_ca.subordinate(&ca_spec(SUB_CA_NAME, 5, 1)).map_err(|e| SimError::Pki(e.to_string()))?;
        let instance_ca_key = KeyKind::Ec256.generate().map_err(|e| SimError::Pki(e.to_string()))?;
        let link_key = rng.hex(64).into_bytes();
        Ok(Self {
            estate: std::sync::RwLock::new(Arc::new(estate)),
            access_key: config.access_key.clone(),
            secret_key: config.secret_key.clone(),
            iam_user: config.iam_user.clone(),
            iam_password: config.iam_password.clone(),
            admin_key: config.admin_key.clone(),
            endpoint,
            link_key,
            root_ca,
            issuing_ca,
            instance_ca_key,
            faults: Mutex::new(config.faults.clone()),
            requests: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            rng: Mutex::new(rng),
            lockout: Mutex::default(),
            tokens: Mutex::default(),
            temporary_keys: Mutex::default(),
            materials: Mutex::default(),
            auth_failures: Mutex::default(),
            host_plan,
            hosts: Mutex::default(),
        })
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        lock(&self.faults).clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.faults) = faults;
    }

    /// Counts a request and returns its number (0-based).
    pub fn next_request(&self) -> u64 {
        self.requests.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts an accepted connection.
    pub fn count_connection(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections accepted so far.
    pub fn connection_count(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// API requests served so far.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// A uniform random number in `[0, 1)`.
    pub fn roll(&self) -> f64 {
        // 53 random bits fit an f64's mantissa exactly.
        let x = u32::try_from(lock(&self.rng).next_u64() >> 32).unwrap_or(0);
        f64::from(x) / f64::from(u32::MAX)
    }

    /// Random hex, for request ids and tokens.
    pub fn random_hex(&self, n: usize) -> String {
        lock(&self.rng).hex(n)
    }

    /// The server's notion of now (the real time plus the clock-skew fault).
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + Duration::seconds(self.faults().clock_offset_secs)
    }

    /// Certificate material for a key, generated once.
    pub fn material(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Material, rcgen::Error>,
    ) -> Result<Arc<Material>, String> {
        if let Some(m) = lock(&self.materials).get(key) {
            return Ok(m.clone());
        }
        // Generated outside the lock: an RSA key takes a while and other requests should go on.
        let generated = Arc::new(make().map_err(|e| e.to_string())?);
        Ok(lock(&self.materials).entry(key.to_owned()).or_insert(generated).clone())
    }

    /// Under production host names, which name serves what.
    pub fn host_plan(&self) -> Option<&super::hostnames::HostPlan> {
        self.host_plan.as_ref()
    }

    /// Counts a request to a host name.
    pub fn count_host(&self, host: &str) {
        // Names are the client's to choose: under production names only the served ones get an
        // entry of their own, and otherwise long ones or more than a bound are counted together.
        let served = self.host_plan.as_ref().is_none_or(|p| p.covers(host));
        let mut hosts = lock(&self.hosts);
        let key = if served && host.len() <= 253 && (hosts.len() < 1024 || hosts.contains_key(host)) {
            host
        } else {
            "(other)"
        };
        *hosts.entry(key.to_owned()).or_default() += 1;
    }

    /// Requests so far per host name.
    pub fn host_counts(&self) -> std::collections::BTreeMap<String, u64> {
        lock(&self.hosts).clone()
    }

    /// The base of presigned links to a region's objects: a bucket host under production names,
    /// else the one base URL.
    pub fn object_base(&self, region: &str) -> String {
        match self.host_plan.as_ref().and_then(|p| p.object_base(region)) {
            Some(base) => base,
            None => format!("{}/obs", self.endpoint),
        }
    }

    /// Counts a failed authentication of an access key or an IAM user (`domain/user`).
    pub fn record_auth_failure(&self, who: &str) {
        *lock(&self.auth_failures).entry(who.to_owned()).or_default() += 1;
    }

    /// Failed authentications so far, by access key or `domain/user`.
    pub fn auth_failures(&self) -> std::collections::BTreeMap<String, u64> {
        lock(&self.auth_failures).clone()
    }

    /// Locks the AK/SK lockout record.
    pub fn lockout(&self) -> std::sync::MutexGuard<'_, Lockout> {
        lock(&self.lockout)
    }

    /// Locks the temporary key table.
    pub fn temporary_keys(&self) -> std::sync::MutexGuard<'_, HashMap<String, TemporaryKey>> {
        lock(&self.temporary_keys)
    }

    /// Locks the token table.
    pub fn tokens(&self) -> std::sync::MutexGuard<'_, HashMap<String, IssuedToken>> {
        lock(&self.tokens)
    }
}
