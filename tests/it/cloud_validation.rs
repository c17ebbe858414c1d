//! Region ids and ids from any source cannot change which host is called or which path is
//! signed and sent: a property over arbitrary strings, and the refusal seen from the simulator.

use crate::common;

use certdesk::cloud::validate::{self, is_region};
use certdesk::cloud::{Cloud, CloudError, Endpoints, Service, dcs, signer};
use proptest::prelude::*;

fn interesting() -> impl Strategy<Value = String> {
    prop_oneof![".{0,24}", "[a-z0-9./%#?@:_~ -]{0,16}", "(\\.|%2e|%2E|/|\\\\){1,4}", "[a-z]{1,6}-[a-z]{1,6}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_region_changes_the_host(region in interesting()) {
        for cloud in [Cloud::HuaweiCloud, Cloud::OpenTelekomCloud, Cloud::SwissOtc] {
            for service in [Service::Iam, Service::Dcs, Service::GeminiDb, Service::Ccm] {
                match Endpoints::catalog(cloud).base_url(service, &region) {
                    Ok(url) => {
                        // CCM is global: its calls name no region.
                        let global = service == Service::Ccm && region.is_empty();
                        prop_assert!(is_region(&region) || global, "{region:?} reached a host: {url}");
                        let host = url.host_str().unwrap_or_default();
                        // Every label of the host is a plain DNS label; the region is at most one of them.
                        prop_assert!(host.split('.').all(is_region), "{host}");
                        prop_assert!(url.path() == "/" && url.query().is_none() && url.fragment().is_none());
                        prop_assert!(url.port().is_none() && url.username().is_empty());
                    }
                    Err(e) => prop_assert!(!is_region(&region) || matches!(e, CloudError::Scope(_)), "{e}"),
                }
            }
        }
    }

    #[test]
    fn no_id_changes_the_path(id in interesting()) {
        // As the service clients build a path: the id is checked as one segment, then the path.
        let path = format!("/v2/project-1/instances/{id}/ssl");
        if validate::id("instance id", &id).is_ok() && validate::path(&path).is_ok() {
            let url = url::Url::parse(&format!("https://dcs.eu-de.example{}", signer::wire_path(&path))).unwrap();
            prop_assert_eq!(url.host_str(), Some("dcs.eu-de.example"));
            let segments: Vec<&str> = url.path_segments().unwrap().collect();
            prop_assert_eq!(segments, vec!["v2", "project-1", "instances", id.as_str(), "ssl"]);
        } else {
            prop_assert!(!validate::is_segment(&id));
        }
    }
}

#[tokio::test]
async fn an_id_that_is_no_safe_segment_is_refused_before_anything_is_sent() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let region = sim.info.regions[0].clone();
    session.set_project_id(&region, &sim.info.project_ids[&region]).await;
    let before = sim.state.request_count();
    for id in ["..", ".", "a/../../x", "%2e%2e", "id?x=1", "id#x", "other-instance/ssl"] {
        let err = dcs::ssl_cert_link(&session, &region, id).await.unwrap_err();
        assert!(matches!(err, CloudError::NotSent(_)), "{id}: {err}");
    }
    for region in ["attacker.example#", "EU-DE", "eu de"] {
        let err = dcs::list_instances(&session, region).await.unwrap_err();
        assert!(err.to_string().contains("is not a region id"), "{region}: {err}");
    }
    assert_eq!(sim.state.request_count(), before, "nothing reached the simulator");
    assert!(Endpoints::catalog(Cloud::HuaweiCloud).base_url(Service::Dcs, "eu-de").is_ok());
}
