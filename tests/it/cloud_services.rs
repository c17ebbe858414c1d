//! Every client call against the real simulator over a loopback socket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::Cursor;

use certdesk::certs::{archive, pem, summary};
use certdesk::clock::SystemClock;
use certdesk::cloud::dcs::{self, SslState};
use certdesk::cloud::download::LinkFetcher;
use certdesk::cloud::pca::{self, CertificateFilter, Export, ServerType};
use certdesk::cloud::{CloudError, geminidb};
use certdesk::sim::Scale;

#[tokio::test]
async fn dcs_lists_every_instance_across_pages() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let region = &sim.info.regions[0];
    let expected = sim.state.estate().region(region).unwrap().dcs.len();
    let one_call = dcs::list_instances(&session, region).await.unwrap();
    let paged = dcs::list_instances_paged(&session, region, 3).await.unwrap();
    assert_eq!(one_call.len(), expected);
    assert_eq!(paged.len(), expected, "pages of 3 must add up to the whole list");
    let ids: std::collections::HashSet<_> = paged.iter().map(|i| i.instance_id.clone()).collect();
    assert_eq!(ids.len(), expected, "no instance twice");
    assert!(paged.iter().all(|i| !i.name.is_empty() && i.port == Some(6379)));
}

#[tokio::test]
async fn dcs_ssl_states_match_the_estate() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let mut seen = std::collections::HashSet::new();
    for region in &sim.state.estate().regions {
        for record in &region.dcs {
            let state = dcs::show_ssl(&session, &region.name, &record.instance.instance_id).await.unwrap();
            match (&record.ssl, record.no_info, &state) {
                (None, _, SslState::NotSupported) => seen.insert("not_supported"),
                (Some(_), true, SslState::NoInfo) => seen.insert("no_info"),
                (Some(s), false, SslState::Reported(info)) => {
                    assert_eq!(info.enabled, s.enabled);
                    if s.enabled {
                        let at = time::OffsetDateTime::parse(
                            &info.ssl_expired_at,
                            &time::format_description::well_known::Rfc3339,
                        )
                        .unwrap();
                        assert!((at - s.expires_at).abs() < time::Duration::seconds(1));
                        assert_eq!(info.port, "6379", "port is a string in /ssl");
                    }
                    seen.insert(if s.enabled { "on" } else { "off" })
                }
                other => panic!("unexpected SSL answer {other:?}"),
            };
        }
    }
    assert!(seen.contains("on") && seen.contains("not_supported"), "estate covers on and not supported: {seen:?}");
}

#[tokio::test]
async fn dcs_certificate_downloads_through_a_presigned_link() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let (region, record) = common::ssl_dcs(&sim);
    let link = dcs::ssl_cert_link(&session, &region.name, &record.instance.instance_id).await.unwrap();
    assert!(std::path::Path::new(&link.file_name).extension().is_some_and(|e| e == "zip"));
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    let bytes = fetcher.fetch(&link.link, &SystemClock).await.unwrap();
    let entries = archive::read_zip("download", &bytes, archive::ArchiveLimits::default()).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].name, "ca.crt");
    let der = &pem::certificates("ca.crt", &entries[0].bytes).unwrap()[0];
    let s = summary::summarize("ca.crt", der).unwrap();
    assert!(s.is_ca);
    let expected = record.ssl.as_ref().unwrap().expires_at;
    assert!((s.not_after - expected).abs() < time::Duration::seconds(1), "CA expiry matches ssl_expired_at");
}

#[tokio::test]
async fn dcs_download_of_an_engine_without_ssl_is_refused_clearly() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let estate = sim.state.estate();
    let (region, record) = estate
        .regions
        .iter()
        .flat_map(|r| r.dcs.iter().map(move |d| (r, d)))
        .find(|(_, d)| d.ssl.is_none())
        .expect("an instance without SSL");
    let err = dcs::ssl_cert_link(&session, &region.name, &record.instance.instance_id).await.unwrap_err();
    let service = err.service().expect("a service error");
    assert_eq!(service.code, "DCS.4201");
    assert!(err.to_string().contains("Redis 6.0"), "{err}");
}

#[tokio::test]
async fn geminidb_lists_and_downloads_its_ca() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let region = &sim.state.estate().regions[0];
    let list = geminidb::list_instances_paged(&session, &region.name, 2).await.unwrap();
    assert_eq!(list.len(), region.gemini.len());
    let on = list.iter().find(|i| i.ssl.as_deref() == Some("1")).expect("an SSL instance");
    let link = geminidb::ssl_cert_link(&session, &region.name, &on.id).await.unwrap();
    assert_eq!(link.category, "international");
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).unwrap();
    let bytes = fetcher.fetch(&link.download_link, &SystemClock).await.unwrap();
    assert!(String::from_utf8_lossy(&bytes).starts_with("-----BEGIN CERTIFICATE-----"));
    let off = list.iter().find(|i| i.ssl.as_deref() == Some("0")).expect("an instance without SSL");
    let err = geminidb::ssl_cert_link(&session, &region.name, &off.id).await.unwrap_err();
    assert_eq!(err.service().unwrap().status, 400);
}

#[tokio::test]
async fn pca_lists_filters_and_pages() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let all = pca::list_certificates_paged(&session, &CertificateFilter::default(), 5).await.unwrap();
    assert_eq!(all.len(), sim.state.estate().certificates.len());
    let issued =
        pca::list_certificates(&session, &CertificateFilter { status: Some("ISSUED".into()), ..Default::default() })
            .await
            .unwrap();
    assert!(!issued.is_empty() && issued.iter().all(|c| c.status == "ISSUED"));
    let sorted = pca::list_certificates(
        &session,
        &CertificateFilter { sort_key: Some("not_after".into()), sort_dir: Some("ASC".into()), ..Default::default() },
    )
    .await
    .unwrap();
    assert!(sorted.windows(2).all(|w| w[0].not_after <= w[1].not_after), "sorted by not_after ascending");
    let by_name = |dir: Option<&str>| CertificateFilter {
        sort_key: Some("common_name".into()),
        sort_dir: dir.map(str::to_owned),
        ..Default::default()
    };
    let names = |certs: &[certdesk::cloud::wire::pca::Certificate]| {
        certs.iter().map(|c| c.distinguished_name.common_name.clone()).collect::<Vec<_>>()
    };
    let descending = names(&pca::list_certificates(&session, &by_name(None)).await.unwrap());
    assert!(descending.windows(2).all(|w| w[0] >= w[1]), "DESC by default: {descending:?}");
    let ascending = names(&pca::list_certificates(&session, &by_name(Some("ASC"))).await.unwrap());
    assert!(ascending.windows(2).all(|w| w[0] <= w[1]), "{ascending:?}");
    let created = pca::list_certificates(&session, &CertificateFilter::default()).await.unwrap();
    assert!(created.windows(2).all(|w| w[0].create_time >= w[1].create_time), "newest first by default");
    for bad in [
        CertificateFilter { sort_key: Some("serial_number".into()), ..Default::default() },
        CertificateFilter { sort_dir: Some("UP".into()), ..Default::default() },
    ] {
        let err = pca::list_certificates(&session, &bad).await.unwrap_err().to_string();
        assert!(err.contains("400") || err.contains("PCA.10010001"), "{err}");
    }
    let cas = pca::list_cas(&session).await.unwrap();
    assert_eq!(cas.len(), 2);
    assert_eq!(cas.iter().filter(|c| c.kind == "ROOT").count(), 1);
}

fn exportable(sim: &certdesk::sim::RunningSim) -> String {
    sim.state
        .estate()
        .certificates
        .iter()
        .find(|c| c.wire.status == "ISSUED" && c.wire.gen_mode != "CSR")
        .expect("an exportable certificate")
        .wire
        .certificate_id
        .clone()
}

#[tokio::test]
async fn pca_exports_pem_json_with_a_matching_chain() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let id = exportable(&sim);
    let Export::Pem(pem_export) = pca::export_certificate(&session, &id, ServerType::Other, false).await.unwrap()
    else {
        panic!("expected JSON");
    };
    assert!(pem_export.certificate.contains("\r\n"), "the API sends CRLF");
    assert!(pem_export.private_key.contains("PRIVATE KEY"));
    assert!(!format!("{pem_export:?}").contains("PRIVATE KEY"), "Debug must not show the key");
    let leaf = pem::certificates("cert", pem_export.certificate.as_bytes()).unwrap();
    let chain = pem::certificates("chain", pem_export.certificate_chain.as_bytes()).unwrap();
    assert_eq!(chain.len(), 2, "issuing CA then root");
    let leaf = summary::summarize("cert", &leaf[0]).unwrap();
    assert_eq!(leaf.issuer, "Sim Issuing CA");
    assert_eq!(summary::summarize("chain", &chain[1]).unwrap().subject, "Sim Root CA");
}

#[tokio::test]
async fn pca_exports_the_documented_zip_for_every_server_type() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let id = exportable(&sim);
    for server_type in ServerType::ALL {
        let Export::Zip { bytes, file_name } = pca::export_certificate(&session, &id, server_type, true).await.unwrap()
        else {
            panic!("{server_type}: expected a zip");
        };
        let expected_suffix = format!("_{}.zip", server_type.api_name().to_ascii_lowercase());
        assert!(file_name.as_deref().is_some_and(|n| n.ends_with(&expected_suffix)), "{server_type}: {file_name:?}");
        let mut names: Vec<String> = archive::read_zip("export", &bytes, archive::ArchiveLimits::default())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        names.sort();
        let expected: &[&str] = match server_type {
            ServerType::Apache => &["chain.crt", "server.crt", "server.key"],
            ServerType::Nginx => &["server.crt", "server.key"],
            ServerType::Iis => &["keystorePass.txt", "server.pfx"],
            ServerType::Tomcat => &["keystorePass.txt", "server.jks"],
            ServerType::Other => &["chain.pem", "server.key", "server.pem"],
        };
        assert_eq!(names, expected, "{server_type}");
    }
}

#[tokio::test]
async fn pca_iis_pfx_opens_with_its_password() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let id = exportable(&sim);
    let Export::Zip { bytes, .. } = pca::export_certificate(&session, &id, ServerType::Iis, true).await.unwrap() else {
        panic!("expected a zip");
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut out).unwrap();
        out
    };
    let password = String::from_utf8(read("keystorePass.txt")).unwrap();
    let pfx = read("server.pfx");
    let store =
        p12_keystore::KeyStore::from_pkcs12(&pfx, &password, p12_keystore::Pkcs12ImportPolicy::Relaxed).unwrap();
    let (_, chain) = store.private_key_chain().expect("a key entry");
    assert_eq!(chain.certs().len(), 3, "leaf, issuing CA, root");
    assert!(p12_keystore::KeyStore::from_pkcs12(&pfx, "wrong", p12_keystore::Pkcs12ImportPolicy::Relaxed).is_err());
}

#[tokio::test]
async fn pca_refuses_exports_it_cannot_make() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let certs = &sim.state.estate().certificates;
    let id = exportable(&sim);
    let err = pca::export_certificate(&session, &id, ServerType::Iis, false).await.unwrap_err();
    assert!(matches!(err, CloudError::NotSent(_)), "IIS has no JSON export: refused before sending");
    if let Some(revoked) = certs.iter().find(|c| c.wire.status != "ISSUED") {
        let err = pca::export_certificate(&session, &revoked.wire.certificate_id, ServerType::Nginx, false)
            .await
            .unwrap_err();
        assert_eq!(err.service().unwrap().status, 400);
    }
    let err = pca::export_certificate(&session, "00000000-0000-0000-0000-000000000000", ServerType::Nginx, false)
        .await
        .unwrap_err();
    assert_eq!(err.service().unwrap().status, 404);
    assert!(err.to_string().contains("no longer exists"), "{err}");
}

#[tokio::test]
async fn pca_exports_ca_certificates_with_their_chain() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    let cas = pca::list_cas(&session).await.unwrap();
    let sub = cas.iter().find(|c| c.kind == "SUBORDINATE").unwrap();
    let root = cas.iter().find(|c| c.kind == "ROOT").unwrap();
    let exported = pca::export_ca(&session, &sub.ca_id).await.unwrap();
    assert_eq!(pem::certificates("chain", exported.certificate_chain.as_bytes()).unwrap().len(), 1);
    let exported_root = pca::export_ca(&session, &root.ca_id).await.unwrap();
    assert!(exported_root.certificate_chain.is_empty(), "a root has no chain");
}

#[tokio::test]
async fn password_sign_in_reaches_regional_and_global_services() {
    let sim = common::sim().await;
    let session = common::password_session(&sim, "sim-password");
    let region = &sim.info.regions[1];
    assert_eq!(session.project_id(region).await.unwrap(), sim.info.project_ids[region]);
    assert_eq!(
        dcs::list_instances(&session, region).await.unwrap().len(),
        sim.state.estate().region(region).unwrap().dcs.len()
    );
    assert_eq!(session.domain_id().await.unwrap(), sim.info.domain_id);
    assert!(!pca::list_certificates(&session, &CertificateFilter::default()).await.unwrap().is_empty());
    let bad = common::password_session(&sim, "wrong");
    let err = dcs::list_instances(&bad, region).await.unwrap_err();
    assert_eq!(err.service().unwrap().status, 401);
}

#[tokio::test]
async fn project_and_domain_ids_are_resolved_through_iam_and_cached() {
    let sim = common::sim().await;
    let session = common::session(&sim);
    // One listing answers the account's regions, every region's project id and the account id.
    let before = sim.state.request_count();
    let mut regions: Vec<String> = sim.info.project_ids.keys().cloned().collect();
    regions.sort();
    assert_eq!(certdesk::inventory::discover_regions(&session).await.unwrap(), regions);
    for (region, id) in &sim.info.project_ids {
        assert_eq!(&session.project_id(region).await.unwrap(), id);
    }
    assert_eq!(session.domain_id().await.unwrap(), sim.info.domain_id);
    assert_eq!(sim.state.request_count() - before, 1, "one IAM call for regions, project ids and the account id");
    let before = sim.state.request_count();
    for region in sim.info.project_ids.keys() {
        session.project_id(region).await.unwrap();
    }
    assert_eq!(sim.state.request_count(), before, "cached: no further IAM calls");
    assert_eq!(session.domain_id().await.unwrap(), sim.info.domain_id);
    let err = session.project_id("xx-nowhere-1").await.unwrap_err();
    assert!(err.to_string().contains("no project for region xx-nowhere-1"), "{err}");
}

#[tokio::test]
async fn a_pca_zip_labelled_json_is_still_read_as_the_zip_its_bytes_say() {
    let sim = common::sim_with(
        certdesk::sim::Scale::Small,
        certdesk::sim::Faults { pca_zip_as_json: true, ..certdesk::sim::Faults::default() },
    )
    .await;
    let session = common::session(&sim);
    let id = exportable(&sim);
    let export = pca::export_certificate(&session, &id, ServerType::Nginx, true).await.unwrap();
    let Export::Zip { bytes, .. } = export else { panic!("a zip labelled JSON was taken for JSON: {export:?}") };
    assert!(bytes.starts_with(b"PK"));
    // JSON stays JSON with the same switch on.
    assert!(matches!(pca::export_certificate(&session, &id, ServerType::Other, false).await.unwrap(), Export::Pem(_)));
}

#[tokio::test]
async fn a_post_without_a_body_says_content_length_zero_as_gateways_require() {
    // The simulator answers 411 to an HTTP/1.1 POST with neither a length nor a chunked body;
    // DCS's certificate download is a POST without a body.
    let sim = common::sim().await;
    let session = common::session(&sim);
    let (region, dcs) = common::ssl_dcs(&sim);
    let link = certdesk::cloud::dcs::ssl_cert_link(&session, &region.name, &dcs.instance.instance_id).await;
    assert!(link.is_ok(), "{link:?}");
    let raw = reqwest::Client::new()
        .post(format!("{}/v2/{}/instances/x/ssl-certs/download", sim.endpoint(), region.project_id))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 411, "a POST that says no length is refused");
}
