//! Shared helpers: a real simulator on a loopback socket and sessions against it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

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
        domain_name: sim.state.estate.domain_name.clone(),
        user_name: "sim-admin".into(),
        password: Secret::new(password),
    };
    session_with(sim, creds, fast_config(), None)
}
