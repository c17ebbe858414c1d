//! Load balancer and SCM certificates (and a GeminiDB list without `ssl`, as OTC sends it) against
//! the real simulator over loopback: both ELB APIs with
//! marker pages, listeners, SCM pages and exports, and the rows the refresh makes of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common;

use certdesk::certs::summary::Validity;
use certdesk::cloud::{CloudError, Service, elb, scm};
use certdesk::inventory::{RefreshOptions, refresh_all};
use certdesk::sim::Scale;

#[tokio::test]
async fn elb_lists_both_apis_across_marker_pages_and_the_listeners_that_use_them() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let region = &sim.info.regions[0];
    let estate = sim.state.estate();
    let records = &estate.region(region).unwrap().elb;
    let whole = elb::list_certificates(&session, region).await.unwrap();
    let paged = elb::list_certificates_paged(&session, region, 1).await.unwrap();
    let ids =
        |certs: &[certdesk::cloud::wire::elb::Certificate]| certs.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&whole), "pages of one add up to the whole list, in order");
    let dedicated: BTreeSet<String> = records.iter().filter(|r| !r.shared).map(|r| r.id.clone()).collect();
    assert_eq!(ids(&whole).into_iter().collect::<BTreeSet<_>>(), dedicated);
    let shared = elb::list_shared_certificates(&session, region).await.unwrap();
    let expected: BTreeSet<String> = records.iter().filter(|r| r.shared).map(|r| r.id.clone()).collect();
    assert_eq!(ids(&shared).into_iter().collect::<BTreeSet<_>>(), expected);
    assert!(whole.iter().chain(&shared).all(|c| c.certificate.contains("BEGIN CERTIFICATE")));
    // The lists carry each key; nothing certdesk keeps holds it.
    let kept = format!("{whole:?}{shared:?}{}", serde_json::to_string(&whole).unwrap());
    assert!(!kept.contains("ELB-LIST-KEY-NEVER-KEPT") && !kept.contains("PRIVATE KEY"));
    let listeners = elb::list_listeners(&session, region).await.unwrap();
    assert!(!listeners.is_empty() && listeners.iter().all(|l| whole.iter().any(|c| l.uses(&c.id))));
}

#[tokio::test]
async fn scm_lists_every_page_and_exports_with_or_without_the_key_and_refuses_a_revoked_one() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = common::session(&sim);
    let listed = scm::list_certificates(&session).await.unwrap();
    let estate = sim.state.estate();
    assert_eq!(listed.len(), estate.scm.len());
    assert!(listed.len() > usize::try_from(scm::PAGE_LIMIT).unwrap() / 10, "more than one page of 10 would be");
    let with_key = listed.iter().find(|c| c.status == "ISSUED" && c.deploy_support).unwrap();
    let export = scm::export_certificate(&session, &with_key.id).await.unwrap();
    assert!(export.certificate.contains("BEGIN CERTIFICATE") && export.private_key.contains("PRIVATE KEY"));
    assert!(!format!("{export:?}").contains("PRIVATE KEY"), "Debug never shows the key");
    let without = listed.iter().find(|c| c.status == "ISSUED" && !c.deploy_support).unwrap();
    assert!(scm::export_certificate(&session, &without.id).await.unwrap().private_key.is_empty());
    let revoked = listed.iter().find(|c| c.status == "REVOKED").unwrap();
    match scm::export_certificate(&session, &revoked.id).await.unwrap_err() {
        CloudError::Service(e) => assert_eq!(e.code, "SCM.0310"),
        other => panic!("{other:?}"),
    }
    // An id that is not one path segment never reaches the cloud.
    assert!(matches!(scm::export_certificate(&session, "../x").await, Err(CloudError::NotSent(_))));
}

#[tokio::test]
async fn the_refresh_makes_rows_of_elb_and_scm_with_the_dates_their_certificates_hold() {
    let sim = common::sim_with(Scale::Demo, certdesk::sim::Faults::default()).await;
    let session = Arc::new(common::session(&sim));
    let opts = RefreshOptions {
        regions: sim.info.regions.clone(),
        services: vec![Service::Elb, Service::Scm],
        ..RefreshOptions::default()
    };
    let (rows, errors) = refresh_all(session, opts).await;
    assert!(errors.is_empty(), "{errors:?}");
    let estate = sim.state.estate();
    let elb_total: usize = estate.regions.iter().map(|r| r.elb.len()).sum();
    assert_eq!(rows.iter().filter(|r| r.service == Service::Elb).count(), elb_total);
    assert_eq!(rows.iter().filter(|r| r.service == Service::Scm).count(), estate.scm.len());
    for region in &estate.regions {
        for record in &region.elb {
            let row = rows.iter().find(|r| r.id == record.id).unwrap();
            // Read from the PEM: to the second, with the chain named.
            assert_eq!(row.expires_at.unwrap().unix_timestamp(), record.not_after.unix_timestamp(), "{}", row.name);
            assert!(row.facts.iter().any(|(k, v)| k == "Chain" && v.contains("Sim Root CA")), "{:?}", row.facts);
            let used = region.listeners.iter().filter(|l| l.uses(&record.id)).count();
            assert_eq!(row.status, if used == 0 { "not in use".to_owned() } else { format!("used by {used}") });
        }
    }
    for record in &estate.scm {
        let row = rows.iter().find(|r| r.id == record.wire.id).unwrap();
        assert_eq!(row.expires_at.unwrap().unix_timestamp(), record.not_after.unix_timestamp());
        if record.wire.status == "REVOKED" {
            let severity = certdesk::inventory::policy::Judge::default().assess(row);
            assert_eq!(severity.state(), Some(Validity::Revoked));
        }
        let key = row.facts.iter().find(|(k, _)| k == "Private key").unwrap();
        assert_eq!(key.1.starts_with("held"), record.wire.deploy_support);
    }
}

#[tokio::test]
async fn a_geminidb_list_without_the_ssl_field_still_gets_the_expiry_where_a_certificate_exists() {
    let faults = certdesk::sim::Faults { omit_gemini_ssl: true, ..certdesk::sim::Faults::default() };
    let sim = common::sim_with(Scale::Demo, faults).await;
    let session = Arc::new(common::session(&sim));
    let opts = RefreshOptions {
        regions: sim.info.regions.clone(),
        services: vec![Service::GeminiDb],
        ..RefreshOptions::default()
    };
    let (rows, errors) = refresh_all(session, opts).await;
    assert!(errors.is_empty(), "{errors:?}");
    let estate = sim.state.estate();
    let records: Vec<_> = estate.regions.iter().flat_map(|r| &r.gemini).collect();
    assert_eq!(rows.len(), records.len());
    for record in records {
        let row = rows.iter().find(|r| r.id == record.instance.id).unwrap();
        assert_eq!(row.ssl, certdesk::inventory::SslStatus::Unknown, "the list did not say");
        if record.instance.ssl.as_deref() == Some("1") {
            assert_eq!(row.expires_at.unwrap().unix_timestamp(), record.ca_expires_at.unix_timestamp(), "{}", row.name);
        } else {
            assert!(row.expires_at.is_none() && row.note.is_empty(), "no certificate, no note: {row:?}");
        }
    }
}

#[tokio::test]
async fn one_private_certificate_the_client_cannot_read_is_a_row_with_a_note_not_a_failed_page() {
    let faults = certdesk::sim::Faults { odd_pca_entry: true, ..certdesk::sim::Faults::default() };
    let sim = common::sim_with(Scale::Demo, faults).await;
    let session = Arc::new(common::session(&sim));
    let opts = RefreshOptions { regions: Vec::new(), services: vec![Service::Ccm], ..RefreshOptions::default() };
    let (rows, errors) = refresh_all(session, opts).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(rows.len(), sim.state.estate().certificates.len(), "every entry is a row");
    let odd: Vec<_> = rows.iter().filter(|r| r.note.contains("could not be read")).collect();
    assert_eq!(odd.len(), 1, "{odd:?}");
    assert!(odd[0].expires_at.is_none() && !odd[0].id.is_empty() && !odd[0].name.is_empty());
    assert!(rows.iter().filter(|r| r.id != odd[0].id).all(|r| r.expires_at.is_some()));
}
