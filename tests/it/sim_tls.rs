//! The simulator over HTTPS with its own CA: trusted through `ca_file`, refused without it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use certdesk::cloud::download::LinkFetcher;
use certdesk::cloud::{CloudError, Credentials, HttpConfig, dcs};
use certdesk::sim::{SimConfig, start};

#[tokio::test]
async fn https_with_a_trusted_private_ca_works_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("sim-ca.pem");
    let sim = start(SimConfig { tls_ca_out: Some(ca.clone()), ..SimConfig::default() }).await.unwrap();
    assert!(sim.endpoint().starts_with("https://127.0.0.1:"));
    let creds = Credentials::aksk(&sim.info.ak, &sim.info.sk);

    let trusting = HttpConfig { ca_file: Some(ca.clone()), ..common::fast_config() };
    let session = common::session_with(&sim, creds.clone(), trusting, None);
    let (region, record) = common::ssl_dcs(&sim);
    let link = dcs::ssl_cert_link(&session, &region.name, &record.instance.instance_id).await.unwrap();
    assert!(link.link.starts_with("https://"), "links follow the endpoint's scheme");
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    assert!(fetcher.fetch(&link.link, &certdesk::clock::SystemClock).await.unwrap().starts_with(b"PK"));

    // Without the CA the server is not trusted: verification is never switched off.
    let plain = common::session_with(&sim, creds, common::fast_config(), None);
    let err = plain.project_id(&region.name).await.unwrap_err();
    assert!(matches!(err, CloudError::NoResponse { .. }), "{err:?}");
}
