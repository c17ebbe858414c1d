//! Production host names: the simulator answers each cloud's real names (IAM, DCS, GeminiDB,
//! CCM, ELB, SCM, object-storage buckets) over TLS, and certdesk reaches it through a resolver
//! that maps only those names to its loopback socket. Real sockets, real TLS, real link checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;

use certdesk::cloud::endpoints::Template;
use certdesk::cloud::http::ApiRequest;
use certdesk::cloud::{Cloud, CloudSession, Connection, Credentials, Endpoints, HostOverride, Service};
use certdesk::inventory::{RefreshOptions, SslStatus, ca_download, refresh_all};
use certdesk::sim::{RunningSim, Scale, SimConfig};

async fn sim_named(endpoints: Endpoints) -> RunningSim {
    certdesk::sim::start(SimConfig { scale: Scale::Small, hostnames: Some(endpoints), ..SimConfig::default() })
        .await
        .expect("simulator starts")
}

fn session(sim: &RunningSim) -> CloudSession {
    CloudSession::connect(&sim.connection().unwrap(), Credentials::aksk(&sim.info.ak, &sim.info.sk)).unwrap()
}

/// Refreshes everything the catalog offers, downloads one DCS and one GeminiDB CA (where
/// offered) and returns the hosts the simulator saw.
async fn refresh_and_download(sim: &RunningSim, services: &[Service]) -> BTreeMap<String, u64> {
    let session = Arc::new(session(sim));
    let opts = RefreshOptions { regions: sim.info.regions.clone(), ..RefreshOptions::default() };
    let (rows, errors) = refresh_all(session.clone(), opts).await;
    assert!(errors.is_empty(), "{errors:?}");
    for service in services {
        assert!(rows.iter().any(|r| r.service == *service), "{service:?} rows: {rows:?}");
    }
    for service in [Service::Dcs, Service::GeminiDb].into_iter().filter(|s| services.contains(s)) {
        for region in &sim.info.regions {
            if !session.endpoints().offers(service, region) {
                continue;
            }
            let row = rows
                .iter()
                .find(|r| r.service == service && &r.region == region && r.ssl == SslStatus::On)
                .unwrap_or_else(|| panic!("an SSL {service:?} row in {region}"));
            let ca = ca_download::download_ca(&session, service, region, &row.id).await;
            assert!(ca.is_ok(), "{service:?} CA in {region}: {ca:?}");
        }
    }
    sim.state.host_counts()
}

#[tokio::test]
async fn huawei_clouds_international_and_european_sites_are_reached_by_their_own_names() {
    let sim = sim_named(Endpoints::catalog(Cloud::HuaweiCloud)).await;
    assert_eq!(sim.info.regions, ["ap-southeast-1", "eu-west-101"]);
    let hosts =
        refresh_and_download(&sim, &[Service::Dcs, Service::GeminiDb, Service::Ccm, Service::Elb, Service::Scm]).await;
    for host in [
        "iam.myhuaweicloud.com",
        "dcs.ap-southeast-1.myhuaweicloud.com",
        "dcs.eu-west-101.myhuaweicloud.com",
        "gaussdb-nosql.ap-southeast-1.myhuaweicloud.com",
        "gaussdb-nosql.eu-west-101.myhuaweicloud.eu",
        "elb.eu-west-101.myhuaweicloud.com",
        "scm.ap-southeast-1.myhuaweicloud.com",
        "ccm.ap-southeast-3.myhuaweicloud.com",
        // The European site's downloads come from its own object storage (the link check once refused them).
        "certdesk-sim-certificates.obs.eu-west-101.myhuaweicloud.eu",
        "certdesk-sim-certificates.obs.ap-southeast-1.myhuaweicloud.com",
    ] {
        assert!(hosts.contains_key(host), "{host} not asked: {hosts:?}");
    }
    assert!(!hosts.keys().any(|h| h.starts_with("127.") || h == "localhost"), "{hosts:?}");
    // One listing of the projects answers every region's project id and the account id.
    assert_eq!(hosts["iam.myhuaweicloud.com"], 1, "{hosts:?}");
    // Each host's first call goes alone and HTTP/2 carries the rest over its connection: one
    // TLS connection per host, not one per call of a first burst (the bucket hosts had eight).
    assert_eq!(sim.state.connection_count(), hosts.len() as u64, "{hosts:?}");

    // An account at home on the European site signs in, finds its account id and regions there,
    // and uses CCM's European host (the official SDK's table has one).
    let eu = certdesk::sim::start(SimConfig {
        hostnames: Some(Endpoints::catalog(Cloud::HuaweiCloud)),
        shape: Some(certdesk::sim::Shape {
            regions: vec!["eu-west-101".into(), "ap-southeast-1".into()],
            ..Scale::Small.shape()
        }),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let hosts = refresh_and_download(&eu, &[Service::Dcs, Service::GeminiDb, Service::Ccm]).await;
    assert!(hosts.contains_key("iam.eu-west-101.myhuaweicloud.eu"), "{hosts:?}");
    assert!(hosts.contains_key("ccm.eu-west-101.myhuaweicloud.com"), "{hosts:?}");
    assert!(!hosts.contains_key("ccm.ap-southeast-3.myhuaweicloud.com"), "{hosts:?}");
    let discovered = certdesk::inventory::discover_regions(&session(&eu)).await.unwrap();
    assert_eq!(discovered, ["ap-southeast-1", "eu-west-101"]);
    assert!(eu.state.host_counts().get("iam.eu-west-101.myhuaweicloud.eu").copied().unwrap_or(0) > 1);
}

#[tokio::test]
async fn open_telekom_cloud_and_swiss_otc_are_reached_by_their_own_names() {
    let otc = sim_named(Endpoints::catalog(Cloud::OpenTelekomCloud)).await;
    assert_eq!(otc.info.regions, ["eu-de", "eu-nl"]);
    let hosts = refresh_and_download(&otc, &[Service::Dcs, Service::Elb]).await;
    for host in [
        "iam.eu-de.otc.t-systems.com",
        "dcs.eu-de.otc.t-systems.com",
        "dcs.eu-nl.otc.t-systems.com",
        "elb.eu-nl.otc.t-systems.com",
        "certdesk-sim-certificates.obs.eu-nl.otc.t-systems.com",
    ] {
        assert!(hosts.contains_key(host), "{host} not asked: {hosts:?}");
    }
    let swiss = sim_named(Endpoints::catalog(Cloud::SwissOtc)).await;
    assert_eq!(swiss.info.regions, ["eu-ch2"]);
    let hosts = refresh_and_download(&swiss, &[Service::Dcs, Service::Elb]).await;
    for host in [
        "iam-pub.eu-ch2.sc.otc.t-systems.com",
        "dcs.eu-ch2.sc.otc.t-systems.com",
        "certdesk-sim-certificates.obs.eu-ch2.sc.otc.t-systems.com",
    ] {
        assert!(hosts.contains_key(host), "{host} not asked: {hosts:?}");
    }
}

#[tokio::test]
async fn a_private_cloud_template_gives_every_service_its_own_host() {
    let template = Template {
        pattern: "https://{service}.{region}.cloud.example".into(),
        object_storage_suffix: "obs-cloud.example".into(),
        home_region: "region-1".into(),
    };
    let sim = sim_named(Endpoints::template(Cloud::HuaweiCloud, template).unwrap()).await;
    assert_eq!(sim.info.regions, ["region-1", "region-2"]);
    let hosts = refresh_and_download(&sim, &[Service::Dcs, Service::GeminiDb, Service::Ccm, Service::Elb]).await;
    for host in [
        "iam.region-1.cloud.example",
        "dcs.region-2.cloud.example",
        "gaussdb-nosql.region-2.cloud.example",
        "ccm.region-1.cloud.example",
        "certdesk-sim-certificates.obs.region-2.obs-cloud.example",
    ] {
        assert!(hosts.contains_key(host), "{host} not asked: {hosts:?}");
    }
}

#[tokio::test]
async fn names_outside_the_simulated_cloud_are_never_looked_up_and_wrong_hosts_are_refused() {
    let sim = sim_named(Endpoints::catalog(Cloud::HuaweiCloud)).await;
    let session = session(&sim);
    // Outside the cloud's domains: the resolver refuses; the system's DNS is never asked.
    let elsewhere = url::Url::parse("https://iam.example.org").unwrap();
    let err =
        session.http().send(certdesk::cloud::http::Auth::None, &ApiRequest::get(&elsewhere, "/v3/projects")).await;
    let err = err.unwrap_err().to_string();
    assert!(err.contains("not one of the simulated cloud's names"), "{err}");

    // A cloud's name the simulator does not serve (a region it does not have): no certificate
    // for that SNI, so the TLS handshake fails; nothing is answered for it.
    let unserved = url::Url::parse("https://dcs.cn-north-4.myhuaweicloud.com").unwrap();
    let req = ApiRequest::get(&unserved, "/v2/x/instances");
    let err = session.http().send(certdesk::cloud::http::Auth::None, &req).await.unwrap_err().to_string();
    assert!(err.to_ascii_lowercase().contains("alert"), "the TLS handshake is refused: {err}");
    assert!(!sim.state.host_counts().contains_key("dcs.cn-north-4.myhuaweicloud.com"), "nothing answered for it");
    // An address is never reached with the override, even one in a link or a template.
    let address = url::Url::parse("https://203.0.113.5").unwrap();
    let req = ApiRequest::get(&address, "/v3/projects");
    let err = session.http().send(certdesk::cloud::http::Auth::None, &req).await.unwrap_err().to_string();
    assert!(err.contains("is an address"), "{err}");

    // A served name asked for another service's or region's path: the gateway's 404.
    let project = &sim.info.project_ids["eu-west-101"];
    let wrong = url::Url::parse("https://dcs.ap-southeast-1.myhuaweicloud.com").unwrap();
    let err = session
        .http()
        .send(certdesk::cloud::http::Auth::None, &ApiRequest::get(&wrong, format!("/v2/{project}/instances")))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("404") && err.contains("APIG.0101"), "{err}");

    // Only loopback may stand in for a cloud, and never together with one base URL.
    assert!(HostOverride::to_loopback("192.0.2.1:443".parse().unwrap()).is_err());
    let both = Connection {
        endpoint: Some(sim.endpoint().to_owned()),
        host_override: HostOverride::to_loopback(sim.info.resolve_to.unwrap()).ok(),
        ..Connection::new(Cloud::HuaweiCloud)
    };
    assert!(CloudSession::connect(&both, Credentials::aksk("a", "b")).is_err());
}

#[test]
fn the_cli_lists_and_downloads_under_production_names_with_resolve_to_and_the_ca_file() {
    use std::io::{BufRead, BufReader};
    let bin = env!("CARGO_BIN_EXE_certdesk");
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let mut child = Command::new(bin)
        .args(["sim", "--hostnames", "open-telekom-cloud", "--ca-out", ca.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(info["cloud"], "open-telekom-cloud");
    let addr = info["resolve_to"].as_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        Command::new(bin)
            .args(args)
            .args(["--cloud", "open-telekom-cloud", "--resolve-to", &addr, "--ca-file", ca.to_str().unwrap()])
            .env("HUAWEICLOUD_SDK_AK", info["ak"].as_str().unwrap())
            .env("HUAWEICLOUD_SDK_SK", info["sk"].as_str().unwrap())
            .output()
            .unwrap()
    };
    let list = run(&["list", "--json"]);
    assert_eq!(list.status.code(), Some(0), "{}", String::from_utf8_lossy(&list.stderr));
    let items: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let items = items["items"].as_array().or_else(|| items.as_array()).unwrap().clone();
    let dcs = items.iter().find(|i| i["service"] == "dcs" && i["ssl"] == "on").expect("an SSL DCS item").clone();
    let out = dir.path().join("ca.crt");
    let download = run(&[
        "download",
        "--region",
        dcs["region"].as_str().unwrap(),
        dcs["id"].as_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(download.status.code(), Some(0), "{}", String::from_utf8_lossy(&download.stderr));
    assert!(std::fs::read_to_string(&out).unwrap().contains("BEGIN CERTIFICATE"));
    // --resolve-to is for loopback only, and refused before anything is sent.
    let remote = Command::new(bin)
        .args(["list", "--cloud", "open-telekom-cloud", "--resolve-to", "192.0.2.1:443"])
        .env("HUAWEICLOUD_SDK_AK", "a")
        .env("HUAWEICLOUD_SDK_SK", "b")
        .output()
        .unwrap();
    assert_eq!(remote.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&remote.stderr).contains("only a loopback address"));
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn a_stored_profile_with_resolve_to_signs_in_lists_and_downloads_under_production_names() {
    use certdesk::store::profiles::{AuthSettings, Profile};
    use certdesk::vault::{MemoryStore, SecretStore};
    use certdesk::worker::profiles::{ProfileSecrets, session_with, test};
    let sim = sim_named(Endpoints::catalog(Cloud::HuaweiCloud)).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("sim-ca.pem");
    std::fs::write(&ca, sim.info.tls_ca_pem.as_deref().unwrap()).unwrap();
    // As `certdesk profile add sim --access-key .. --ca-file .. --resolve-to ..` stores it: no
    // regions (discovered at the home region), no endpoint.
    let profile = Profile {
        name: "sim".into(),
        cloud: Cloud::HuaweiCloud,
        auth: AuthSettings::AkSk { access_key: sim.info.ak.clone(), temporary: false },
        regions: Vec::new(),
        endpoint: None,
        ca_file: Some(ca),
        endpoint_template: None,
        object_storage_suffix: None,
        resolve_to: sim.info.resolve_to,
    };
    profile.validate().unwrap();
    let vault: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let typed = ProfileSecrets { secret_key: Some(certdesk::cloud::Secret::new(&sim.info.sk)), ..Default::default() };
    let tested = test(&profile, &vault, &typed).await.unwrap();
    assert!(tested.contains("2 region(s)") && tested.contains("account id resolved"), "{tested}");
    let session = Arc::new(session_with(&profile, &vault, &typed).await.unwrap());
    let opts = RefreshOptions { regions: sim.info.regions.clone(), ..RefreshOptions::default() };
    let (rows, errors) = refresh_all(session.clone(), opts).await;
    assert!(errors.is_empty() && !rows.is_empty(), "{errors:?}");
    let gemini =
        rows.iter().find(|r| r.service == Service::GeminiDb && r.region == "eu-west-101" && r.ssl == SslStatus::On);
    let gemini = gemini.expect("an SSL GeminiDB instance on the European site");
    ca_download::download_ca(&session, Service::GeminiDb, "eu-west-101", &gemini.id).await.unwrap();
    assert!(sim.state.host_counts().contains_key("certdesk-sim-certificates.obs.eu-west-101.myhuaweicloud.eu"));
    // The same profile with an endpoint as well is refused: it would say two things.
    let both = Profile { endpoint: Some(sim.endpoint().to_owned()), ..profile };
    assert!(both.validate().unwrap_err().contains("remove the endpoint"));
}

#[test]
fn resolve_to_is_refused_next_to_a_stored_profile_before_anything_is_sent() {
    // Ignoring it would send the stored profile's real keys to the real cloud's hosts.
    let dir = tempfile::tempdir().unwrap();
    let profile = serde_json::json!({"name": "prod", "cloud": "open-telekom-cloud",
        "auth": {"kind": "ak-sk", "access_key": "AKPROD"}, "regions": ["eu-de"]});
    std::fs::write(
        dir.path().join("profiles.json"),
        serde_json::json!({"version": 1, "profiles": [profile]}).to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["list", "--profile", "prod", "--resolve-to", "127.0.0.1:9"])
        .env("CERTDESK_CONFIG_DIR", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--resolve-to does not combine with the stored profile prod"), "{stderr}");
}

#[tokio::test]
async fn a_simulator_under_production_names_listens_on_loopback_only() {
    let config = SimConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        allow_remote: true,
        admin_key: Some("admin".into()),
        hostnames: Some(Endpoints::catalog(Cloud::HuaweiCloud)),
        ..SimConfig::default()
    };
    let refused = certdesk::sim::start(config).await.err().expect("refused");
    assert!(refused.to_string().contains("refusing to listen on 0.0.0.0"), "{refused}");
}
