//! The wire types against the documented example bodies (tests/data/fixtures, copied from the API
//! reference), including the type quirks of the real API and every error body shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use certdesk::cloud::wire::{dcs, error_body, geminidb, iam, pca};
use certdesk::cloud::{ServiceError, ServiceErrorKind};
use serde_json::json;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/data/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn documented_bodies_parse() {
    let list: dcs::ListInstancesResponse = serde_json::from_slice(&fixture("dcs_list_instances.json")).unwrap();
    assert_eq!(list.instance_num, 2);
    assert_eq!(list.instances[0].port, Some(6379));
    assert!(list.instances[0].features.support_ssl && !list.instances[1].features.support_ssl);
    let on: dcs::SslInfo = serde_json::from_slice(&fixture("dcs_show_ssl_enabled.json")).unwrap();
    assert!(on.enabled && on.ssl_validated && on.port == "6379");
    let off: dcs::SslInfo = serde_json::from_slice(&fixture("dcs_show_ssl_disabled.json")).unwrap();
    assert!(!off.enabled && off.ssl_expired_at.is_empty());
    let link: dcs::DownloadResponse = serde_json::from_slice(&fixture("dcs_download_ssl_cert.json")).unwrap();
    assert!(link.link.contains("Expires="));
    let gemini: geminidb::ListInstancesResponse =
        serde_json::from_slice(&fixture("geminidb_list_instances.json")).unwrap();
    assert_eq!(gemini.instances[0].port, "6379");
    assert_eq!(gemini.instances[0].datastore.kind, "redis");
    let glink: geminidb::DownloadLinkResponse =
        serde_json::from_slice(&fixture("geminidb_ssl_cert_download_link.json")).unwrap();
    assert!(!glink.certs[0].download_link.is_empty());
    let certs: pca::ListCertificatesResponse =
        serde_json::from_slice(&fixture("ccm_list_private_certificates.json")).unwrap();
    assert_eq!(certs.total, 2);
    assert_eq!(certs.certificates[0].not_after, Some(1_767_225_600_000));
    assert_eq!(certs.certificates[1].gen_mode, "CSR");
    assert_eq!(certs.certificates[0].freeze_flag, Some(0));
    let cas: pca::ListCasResponse = serde_json::from_slice(&fixture("ccm_list_private_cas.json")).unwrap();
    assert_eq!(cas.certificate_authorities[0].kind, "ROOT");
    assert!(cas.certificate_authorities[0].issuer_id.is_none());
    let export: pca::ExportResponse =
        serde_json::from_slice(&fixture("ccm_export_private_certificate_response.json")).unwrap();
    assert!(export.private_key.contains("\r\n"));
    let projects: iam::ProjectsResponse = serde_json::from_slice(&fixture("iam_auth_projects.json")).unwrap();
    assert!(projects.projects.iter().any(|p| p.name.contains('_')), "sub-projects are listed too");
    let domains: iam::DomainsResponse = serde_json::from_slice(&fixture("iam_auth_domains.json")).unwrap();
    assert!(!domains.domains[0].id.is_empty());
}

#[test]
fn type_quirks_of_the_real_api_are_accepted() {
    // Examples in the docs contradict the documented types (CLOUD_API.md §3.7).
    let body = json!({"instance_num": "1", "instances": [{
        "instance_id": "x", "name": 42, "port": "6379", "no_password_access": true,
        "enterprise_project_id": 0, "publicip_id": {}, "features": {"support_ssl": "true"}}]});
    let list: dcs::ListInstancesResponse = serde_json::from_value(body).unwrap();
    assert_eq!(list.instance_num, 1);
    assert_eq!(list.instances[0].name, "42");
    assert_eq!(list.instances[0].port, Some(6379));
    assert!(list.instances[0].features.support_ssl);
    let ssl: dcs::SslInfo =
        serde_json::from_value(json!({"enabled": "true", "port": 6379, "ssl_validated": 1})).unwrap();
    assert!(ssl.enabled && ssl.ssl_validated && ssl.port == "6379");
    let gemini: geminidb::Instance =
        serde_json::from_value(json!({"id": "i", "port": 8635, "ssl": 1, "groups": [{"volume": {"size": 100}}]}))
            .unwrap();
    assert_eq!(gemini.port, "8635");
    assert_eq!(gemini.ssl.as_deref(), Some("1"));
}

#[test]
fn dates_are_strict() {
    let bad = json!({"certificate_id": "c", "not_after": "next year"});
    let err = serde_json::from_value::<pca::Certificate>(bad).unwrap_err();
    assert!(err.to_string().contains("epoch ms"), "{err}");
    let float = json!({"certificate_id": "c", "not_after": 1.5});
    assert!(serde_json::from_value::<pca::Certificate>(float).is_err());
    let as_text: pca::Certificate =
        serde_json::from_value(json!({"certificate_id": "c", "not_after": "1767225600000"})).unwrap();
    assert_eq!(as_text.not_after, Some(1_767_225_600_000));
}

#[test]
fn every_error_body_shape_is_read() {
    let (code, msg, rid) = error_body::parse(&fixture("error_apig_0301_bad_signature.json")).unwrap();
    assert_eq!((code.as_str(), rid.is_some()), ("APIG.0301", true));
    assert!(msg.contains("signature"));
    let (code, ..) = error_body::parse(br#"{"errorCode": "SCM.0001", "errorMsg": "x"}"#).unwrap();
    assert_eq!(code, "SCM.0001");
    let (code, msg, _) = error_body::parse(&fixture("error_iam_keystone_401.json")).unwrap();
    assert_eq!(code, "401");
    assert!(msg.contains("requires authentication"));
    assert!(error_body::parse(b"<html>bad gateway</html>").is_none());
    assert!(error_body::parse(b"{\"error_code\": ").is_none(), "truncated JSON is not an error body");
}

fn kind_of(name: &str, status: u16) -> ServiceErrorKind {
    let (code, message, request_id) = error_body::parse(&fixture(name)).unwrap();
    ServiceError { status, code, message, request_id, retry_after_secs: None }.kind()
}

#[test]
fn gateway_errors_are_classified_as_the_docs_describe() {
    assert_eq!(kind_of("error_apig_0301_bad_signature.json", 401), ServiceErrorKind::BadSignature);
    assert_eq!(kind_of("error_apigw_0301_legacy_prefix.json", 401), ServiceErrorKind::BadSignature);
    assert_eq!(kind_of("error_apig_0301_ak_locked.json", 401), ServiceErrorKind::AkLocked);
    assert_eq!(kind_of("error_apig_0303_signature_expired.json", 401), ServiceErrorKind::ClockSkew);
    assert_eq!(kind_of("error_apig_0307_token_must_be_updated.json", 401), ServiceErrorKind::TokenExpired);
    assert_eq!(kind_of("error_apig_0308_throttled_429.json", 429), ServiceErrorKind::Throttled);
    assert_eq!(kind_of("dcs_error_400_ssl_not_supported.json", 400), ServiceErrorKind::SslNotSupported);
    assert_eq!(kind_of("dcs_error_400_invalid_offset.json", 400), ServiceErrorKind::InvalidRequest);
    assert_eq!(kind_of("ccm_error_404.json", 404), ServiceErrorKind::NotFound);
    assert_eq!(kind_of("error_iam_keystone_401.json", 401), ServiceErrorKind::Unauthenticated);
}

#[test]
fn error_messages_tell_the_admin_what_to_do() {
    let (code, message, request_id) = error_body::parse(&fixture("error_apig_0303_signature_expired.json")).unwrap();
    let e = ServiceError { status: 401, code, message, request_id, retry_after_secs: None };
    let text = e.to_string();
    assert!(text.contains("APIG.0303") && text.contains("clock") && text.contains("request id"), "{text}");
}

#[test]
fn presigned_links_never_show_in_debug_output() {
    let link: dcs::DownloadResponse = serde_json::from_slice(&fixture("dcs_download_ssl_cert.json")).unwrap();
    let shown = format!("{link:?}");
    assert!(!shown.contains("Signature=") && !shown.contains("AWSAccessKeyId"), "{shown}");
    let glink: geminidb::DownloadLinkResponse =
        serde_json::from_slice(&fixture("geminidb_ssl_cert_download_link.json")).unwrap();
    assert!(!format!("{glink:?}").contains(&glink.certs[0].download_link));
}

/// The fields certdesk reads are read; the rest of an entry is skipped when read (gathering it
/// was most of a list's parse time) and written when the simulator serves its records.
#[test]
fn unread_fields_are_skipped_when_read_and_written_when_served() {
    let cert: pca::Certificate = serde_json::from_value(json!({
        "certificate_id": "c1", "freeze_flag": "1", "enc_cert_info": {"enc_serial_number": null},
        "subject_alternative_names": [{"type": "DNS", "value": "a.example"}],
    }))
    .unwrap();
    assert_eq!(cert.freeze_flag, Some(1));
    let negative: pca::Certificate =
        serde_json::from_value(json!({"certificate_id": "c2", "freeze_flag": -1})).unwrap();
    assert_eq!(negative.freeze_flag, Some(-1), "any flag but 0 is frozen");
    assert_eq!(cert.subject_alternative_names.unwrap()[0]["value"], "a.example");
    assert!(cert.extra.is_empty());
    let instance: dcs::Instance =
        serde_json::from_value(json!({"instance_id": "i1", "charging_mode": 0, "features": {"support_acl": true}}))
            .unwrap();
    assert!(instance.extra.is_empty() && instance.features.extra.is_empty());
    let mut served = dcs::Instance { instance_id: "i1".into(), ..dcs::Instance::default() };
    served.extra.insert("charging_mode".into(), json!(0));
    let written = serde_json::to_value(&served).unwrap();
    assert_eq!(written["charging_mode"], 0);
    assert_eq!(written["instance_id"], "i1");
}
