//! Temporary AK/SK with a security token: issued by the simulator's IAM, accepted only with the
//! token they belong to.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use certdesk::cloud::{Credentials, Secret, dcs};
use serde_json::{Value, json};

async fn temporary_keys(sim: &certdesk::sim::RunningSim) -> (String, String, String) {
    let client = reqwest::Client::new();
    let sign_in = json!({"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "sim-admin", "password": "sim-password", "domain": {"name": sim.state.estate().domain_name}}}},
        "scope": {"domain": {"name": sim.state.estate().domain_name}}}});
    let resp = client.post(format!("{}/v3/auth/tokens", sim.endpoint())).json(&sign_in).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    let token = resp.headers()["x-subject-token"].to_str().unwrap().to_owned();
    let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": token, "duration_seconds": 900}}}});
    let resp = client
        .post(format!("{}/v3.0/OS-CREDENTIAL/securitytokens", sim.endpoint()))
        .header("X-Auth-Token", &token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.unwrap();
    let c = &v["credential"];
    (
        c["access"].as_str().unwrap().into(),
        c["secret"].as_str().unwrap().into(),
        c["securitytoken"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn temporary_keys_work_with_their_token_and_only_with_it() {
    let sim = common::sim().await;
    let (access, secret, token) = temporary_keys(&sim).await;
    let region = sim.info.regions[0].clone();
    let with = |security_token: Option<&str>| Credentials::AkSk {
        access_key: access.clone(),
        secret_key: Secret::new(secret.clone()),
        security_token: security_token.map(Secret::new),
    };
    let good = common::session_with(&sim, with(Some(&token)), common::fast_config(), None);
    assert!(!dcs::list_instances(&good, &region).await.unwrap().is_empty());
    for bad in [None, Some("sim-sts-forged")] {
        let s = common::session_with(&sim, with(bad), common::fast_config(), None);
        let err = s.project_id(&region).await.unwrap_err();
        assert_eq!(err.service().unwrap().status, 401, "{err}");
        assert!(err.service().unwrap().message.contains("security token"), "{err}");
    }
}
