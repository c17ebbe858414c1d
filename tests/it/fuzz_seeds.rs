//! The fuzz corpora of what the cloud and the data folder send: seeded from the simulator's real
//! answers (every list and answer the clients read, the error shapes, the saved inventory and the
//! profiles file of a real refresh), committed under fuzz/corpus/. With CERTDESK_WRITE_FUZZ_SEEDS=1
//! this writes them anew; otherwise it checks that each committed seed still reads as what it is
//! (a seed that no longer parses would only exercise the first error path).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use certdesk::cloud::http::ApiRequest;
use certdesk::cloud::{CloudError, Service};
use certdesk::sim::{Faults, Scale};

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target)
}

/// The simulator's answers, by file name: (name, body).
async fn answers() -> Vec<(String, Vec<u8>)> {
    let sim = crate::common::sim_with(Scale::Small, Faults { odd_pca_entry: true, ..Faults::default() }).await;
    let s = crate::common::session(&sim);
    let region = sim.info.regions[0].clone();
    let mut out = Vec::new();
    let regional = |service: Service| s.base_url(service, &region).unwrap();
    let calls: Vec<(&str, Service, &str)> = vec![
        ("dcs-instances", Service::Dcs, "/v2/{project_id}/instances"),
        ("gemini-instances", Service::GeminiDb, "/v3/{project_id}/instances"),
        ("elb-v3-certificates", Service::Elb, "/v3/{project_id}/elb/certificates"),
        ("elb-v2-certificates", Service::Elb, "/v2/{project_id}/elb/certificates"),
        ("elb-listeners", Service::Elb, "/v3/{project_id}/elb/listeners"),
        ("elb-otc-certificates", Service::Elb, "/v2.0/lbaas/certificates"),
    ];
    for (name, service, path) in calls {
        let body = s.call_regional(&region, ApiRequest::get(&regional(service), path)).await.unwrap().body;
        out.push((name.to_owned(), body.to_vec()));
    }
    let (_, dcs) = crate::common::ssl_dcs(&sim);
    let id = &dcs.instance.instance_id;
    for (name, path) in [
        ("dcs-ssl", format!("/v2/{{project_id}}/instances/{id}/ssl")),
        ("dcs-instance-missing", "/v2/{project_id}/instances/00000000-0000-0000-0000-000000000000/ssl".to_owned()),
    ] {
        let body = match s.call_regional(&region, ApiRequest::get(&regional(Service::Dcs), path)).await {
            Ok(r) => r.body.to_vec(),
            Err(CloudError::Service(e)) => serde_json::to_vec(&serde_json::json!({
                "error_code": e.code, "error_msg": e.message, "request_id": e.request_id }))
            .unwrap(),
            Err(e) => panic!("{e}"),
        };
        out.push((name.to_owned(), body));
    }
    let gemini = sim.state.estate().regions[0].gemini[0].instance.id.clone();
    let link = format!("/v3/{{project_id}}/instances/{gemini}/ssl-cert/download-link");
    let body = s.call_regional(&region, ApiRequest::get(&regional(Service::GeminiDb), link)).await.unwrap().body;
    out.push(("gemini-download-link".into(), body.to_vec()));
    let global = s.base_url(Service::Ccm, "global").unwrap();
    for (name, path) in
        [("pca-certificates", "/v1/private-certificates"), ("pca-cas", "/v1/private-certificate-authorities")]
    {
        let body = s.call_global(ApiRequest::get(&global, path).query("limit", 50)).await.unwrap().body;
        out.push((name.to_owned(), body.to_vec()));
    }
    let scm = s.base_url(Service::Scm, "global").unwrap();
    let body = s.call_global(ApiRequest::get(&scm, "/v3/scm/certificates")).await.unwrap().body;
    out.push(("scm-certificates".into(), body.to_vec()));
    let iam = s.base_url(Service::Iam, &region).unwrap();
    for (name, path) in [("iam-projects", "/v3/auth/projects"), ("iam-domains", "/v3/auth/domains")] {
        let body = s.call_iam(ApiRequest::get(&iam, path)).await.unwrap().body;
        out.push((name.to_owned(), body.to_vec()));
    }
    // The error shapes the gateway and the services send (CLOUD_API.md §3.7).
    for (name, body) in [
        (
            "error-gateway",
            r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information","request_id":"r"}"#,
        ),
        ("error-camel", r#"{"errorCode":"DCS.4201","errorMsg":"SSL not supported"}"#),
        ("error-nested", r#"{"error":{"code":"PCA.10010002","message":"not found"}}"#),
    ] {
        out.push((name.to_owned(), body.as_bytes().to_vec()));
    }
    sim.shutdown().await;
    out
}

/// A saved inventory and a profiles file as a real refresh and a real profile write them.
fn data_folder_files() -> Vec<(&'static str, String, Vec<u8>)> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(crate::common::sim());
    let dir = tempfile::tempdir().unwrap();
    let session = std::sync::Arc::new(crate::common::session(&sim));
    let opts = certdesk::inventory::RefreshOptions {
        profile: "acct".into(),
        regions: sim.info.regions.clone(),
        ..certdesk::inventory::RefreshOptions::default()
    };
    let (rows, errors) = rt.block_on(certdesk::inventory::refresh_all(session, opts));
    let snapshot = certdesk::inventory::snapshot::Snapshot::new(&rows, &errors, time::OffsetDateTime::now_utc());
    let path = dir.path().join("inventory.json");
    certdesk::inventory::snapshot::save(&path, &snapshot).unwrap();
    let profiles = dir.path().join("profiles.json");
    let vault: std::sync::Arc<dyn certdesk::vault::SecretStore> =
        std::sync::Arc::new(certdesk::vault::MemoryStore::default());
    for (name, auth) in [
        ("keys", crate::common::sim_keys(&sim)),
        (
            "user",
            certdesk::store::profiles::AuthSettings::Password {
                domain_name: "account".into(),
                user_name: "admin".into(),
            },
        ),
    ] {
        let profile = crate::common::sim_profile(name, &sim, auth);
        let secrets = certdesk::worker::ProfileSecrets {
            secret_key: Some(certdesk::cloud::Secret::new("s")),
            password: Some(certdesk::cloud::Secret::new("p")),
            ..certdesk::worker::ProfileSecrets::default()
        };
        rt.block_on(certdesk::worker::save_profile(&profiles, &vault, profile, secrets)).unwrap();
    }
    rt.block_on(sim.shutdown());
    vec![
        ("snapshot", "inventory.json".into(), std::fs::read(&path).unwrap()),
        ("profiles_file", "profiles.json".into(), std::fs::read(&profiles).unwrap()),
    ]
}

#[test]
fn the_seeds_are_the_simulators_real_answers() {
    let write = std::env::var_os("CERTDESK_WRITE_FUZZ_SEEDS").is_some();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let answers = rt.block_on(answers());
    drop(rt);
    let mut files: Vec<(&str, String, Vec<u8>)> =
        answers.into_iter().map(|(name, body)| ("cloud_wire", format!("{name}.json"), body)).collect();
    files.extend(data_folder_files());
    for (target, name, bytes) in files {
        let path = corpus(target).join(&name);
        if write {
            std::fs::create_dir_all(corpus(target)).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: serde_json::Value = serde_json::from_slice(&committed).unwrap();
        assert!(value.is_object() || value.is_array(), "{}", path.display());
    }
    let snapshot = std::fs::read(corpus("snapshot").join("inventory.json")).unwrap();
    let read = certdesk::inventory::snapshot::parse(&snapshot).unwrap();
    assert!(read.rows.len() > 10 && read.unreadable_rows == 0);
    let profiles =
        certdesk::store::profiles::parse(&std::fs::read(corpus("profiles_file").join("profiles.json")).unwrap());
    assert_eq!(profiles.unwrap().profiles.len(), 2);
}
