//! Shared helpers: a real simulator on a loopback socket and sessions against it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

#[cfg(feature = "gui")]
pub mod ui;

use certdesk::clock::Clock;
use certdesk::cloud::{Cloud, CloudSession, Credentials, Endpoints, HttpClient, HttpConfig, Secret};
use certdesk::sim::{Faults, RunningSim, Scale, SimConfig};

/// Starts a simulator with a seed, scale and faults.
pub async fn sim_with(scale: Scale, faults: Faults) -> RunningSim {
    certdesk::sim::start(SimConfig { scale, faults, ..SimConfig::default() }).await.expect("simulator starts")
}

/// A small simulator without faults.
pub async fn sim() -> RunningSim {
    sim_with(Scale::Small, Faults::default()).await
}

/// Fast retries so fault tests do not wait long.
pub fn fast_config() -> HttpConfig {
    let mut c = HttpConfig::default();
    c.retry.base_delay_ms = 5;
    c.retry.max_delay_ms = 20;
    c.request_timeout_secs = 10;
    c
}

/// An AK/SK session against the simulator.
pub fn session(sim: &RunningSim) -> CloudSession {
    session_with(sim, Credentials::aksk(&sim.info.ak, &sim.info.sk), fast_config(), None)
}

/// A session with given credentials, config and clock.
pub fn session_with(
    sim: &RunningSim,
    creds: Credentials,
    config: HttpConfig,
    clock: Option<Arc<dyn Clock>>,
) -> CloudSession {
    let http = match clock {
        Some(c) => HttpClient::with_clock(config, c).unwrap(),
        None => HttpClient::new(config).unwrap(),
    };
    CloudSession::new(http, Endpoints::custom(Cloud::HuaweiCloud, sim.endpoint()).unwrap(), creds)
}

/// A password session against the simulator.
pub fn password_session(sim: &RunningSim, password: &str) -> CloudSession {
    let creds = Credentials::Password {
        domain_name: sim.state.estate().domain_name.clone(),
        user_name: "sim-admin".into(),
        password: Secret::new(password),
    };
    session_with(sim, creds, fast_config(), None)
}

/// A throw-away PKI: root -> issuing CA -> leaf, made with rcgen.
pub struct TestPki {
    /// Root CA.
    pub root: certdesk::sim::pki::Authority,
    /// Issuing CA.
    pub issuing: certdesk::sim::pki::Authority,
    /// Leaf with key and chain.
    pub leaf: certdesk::sim::pki::Material,
}

/// A spec valid from a day ago for `days`.
pub fn spec(cn: &str, dns: &[&str], days: i64, key: certdesk::sim::pki::KeyKind) -> certdesk::sim::pki::Spec<'static> {
    let now = time::OffsetDateTime::now_utc();
    certdesk::sim::pki::Spec {
        common_name: Box::leak(cn.to_owned().into_boxed_str()),
        dns_names: dns.iter().map(|d| (*d).to_owned()).collect(),
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(days),
        key,
        serial: vec![0x01, 0x23],
    }
}

/// Root, issuing CA and an EC leaf for `leaf.example.internal`.
pub fn pki() -> TestPki {
    use certdesk::sim::pki::{Authority, KeyKind};
    let root = Authority::root(&spec("Test Root", &[], 3650, KeyKind::Ec256)).unwrap();
    let issuing = root.subordinate(&spec("Test Issuing", &[], 1825, KeyKind::Ec256)).unwrap();
    let leaf = issuing.issue(&spec("leaf.example.internal", &["leaf.example.internal"], 90, KeyKind::Ec256)).unwrap();
    TestPki { root, issuing, leaf }
}

/// Runs openssl; panics with its stderr when it fails.
pub fn openssl(args: &[&str]) -> String {
    let out = std::process::Command::new("openssl").args(args).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a tool is on PATH; with `CERTDESK_REQUIRE_TOOLS` set, a missing tool fails the test.
pub fn have(tool: &str) -> bool {
    let found = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(found || std::env::var_os("CERTDESK_REQUIRE_TOOLS").is_none(), "{tool} is required but missing");
    found
}

/// A DCS instance with SSL on, and its region, from the simulator's estate.
pub fn ssl_dcs(sim: &RunningSim) -> (certdesk::sim::estate::RegionEstate, certdesk::sim::estate::DcsRecord) {
    sim.state
        .estate()
        .regions
        .iter()
        .flat_map(|r| r.dcs.iter().map(move |d| (r, d)))
        .find(|(_, d)| d.ssl.as_ref().is_some_and(|s| s.enabled))
        .map(|(r, d)| (r.clone(), d.clone()))
        .expect("the estate has a DCS instance with SSL on")
}

/// A user's profile for a simulator at its one base URL (every region of it), as the profile
/// dialog and `certdesk profile add --endpoint` make it.
pub fn sim_profile(
    name: &str,
    sim: &RunningSim,
    auth: certdesk::store::profiles::AuthSettings,
) -> certdesk::store::profiles::Profile {
    certdesk::store::profiles::Profile {
        name: name.into(),
        cloud: certdesk::cloud::Cloud::HuaweiCloud,
        auth,
        regions: sim.info.regions.clone(),
        endpoint: Some(sim.info.endpoint.clone()),
        ca_file: None,
        endpoint_template: None,
        object_storage_suffix: None,
        resolve_to: None,
    }
}

/// AK/SK settings with the simulator's access key.
pub fn sim_keys(sim: &RunningSim) -> certdesk::store::profiles::AuthSettings {
    certdesk::store::profiles::AuthSettings::AkSk { access_key: sim.info.ak.clone(), temporary: false }
}
