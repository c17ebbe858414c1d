//! `certdesk inspect` and `certdesk convert` as a user runs them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output};

use certdesk::certs::keys::PrivateKey;

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");

fn certdesk(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("CERTDESK_KEYSTORE_PASSWORD").env_remove("CERTDESK_OUTPUT_PASSWORD");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn inspect_a_tomcat_bundle_shows_details_chain_and_key_match() {
    let p = common::pki();
    let key = PrivateKey::from_pkcs8("k", &p.leaf.key_der).unwrap();
    let zip = certdesk::certs::bundle::Identity { leaf: &p.leaf.cert_der, chain: &p.leaf.chain_der, key: Some(&key) }
        .server_zip(certdesk::cloud::pca::ServerType::Tomcat, "tomcat-pass")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leaf_tomcat.zip");
    std::fs::write(&path, zip).unwrap();
    let out = certdesk(&["inspect", path.to_str().unwrap()], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("CN=leaf.example.internal"), "{text}");
    assert!(text.contains("Chain (complete, every signature verified)"), "{text}");
    assert!(text.contains("matches certificate 1"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&certdesk(&["inspect", "--json", path.to_str().unwrap()], &[]).stdout).unwrap();
    assert_eq!(json["schema"], "certdesk.inspect.v1");
    assert_eq!(json["chain"]["complete"], true);
    assert_eq!(json["keys"][0]["matches_certificate"], 0);
}

#[test]
fn inspect_says_expiry_in_the_table_s_words() {
    use certdesk::sim::pki::KeyKind;
    let p = common::pki();
    let dir = tempfile::tempdir().unwrap();
    let now = time::OffsetDateTime::now_utc();
    // (not after, what the text must say). A second ago is "today" unless today began within it.
    let second_ago = now - time::Duration::seconds(1);
    let expired_words = if second_ago.date() == now.date() { "expired today" } else { "expired 1 day ago" };
    let cases = [
        (second_ago, expired_words),
        (now + time::Duration::days(1), "1 day left"),
        (now - time::Duration::days(1), "expired 1 day ago"),
        (now + time::Duration::days(20), "20 days left"),
    ];
    for (i, (not_after, words)) in cases.into_iter().enumerate() {
        let mut spec = common::spec(&format!("svc{i}.example"), &[], 1, KeyKind::Ec256);
        spec.not_before = now - time::Duration::days(30);
        spec.not_after = not_after;
        let path = dir.path().join(format!("{i}.pem"));
        std::fs::write(&path, p.issuing.issue(&spec).unwrap().cert_pem).unwrap();
        let out = certdesk(&["inspect", path.to_str().unwrap()], &[]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(&format!("({words}, ")), "{words}: {text}");
        assert!(!text.contains("(0 days") && !text.contains("(1 days") && !text.contains(" 1 days ago"), "{text}");
    }
}

#[test]
fn inspect_reports_a_broken_chain_in_plain_words() {
    let p = common::pki();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.pem");
    // The leaf and the root, without the issuing CA.
    std::fs::write(&path, format!("{}{}", p.leaf.cert_pem, p.root.pem)).unwrap();
    let out = certdesk(&["inspect", path.to_str().unwrap()], &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("incomplete or broken"), "{text}");
    assert!(text.contains("missing issuer") && text.contains("Test Issuing"), "{text}");
}

#[test]
fn convert_builds_pkcs12_and_bundles_and_writes_nothing_on_error() {
    let p = common::pki();
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(f("cert.pem"), &p.leaf.cert_pem).unwrap();
    std::fs::write(f("chain.pem"), &p.leaf.chain_pem).unwrap();
    std::fs::write(f("key.pem"), &p.leaf.key_pem).unwrap();
    let out = certdesk(
        &["convert", &f("cert.pem"), &f("chain.pem"), &f("key.pem"), "--to", "p12", "--out", &f("out.p12")],
        &[("CERTDESK_OUTPUT_PASSWORD", "conv-pass")],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::metadata(f("out.p12")).unwrap().permissions().mode() & 0o777, 0o600);
    let back = certdesk(&["inspect", "--json", &f("out.p12")], &[("CERTDESK_KEYSTORE_PASSWORD", "conv-pass")]);
    let json: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(json["certificates"].as_array().unwrap().len(), 3);
    assert_eq!(json["chain"]["complete"], true);
    // A PKCS#12 without a password is refused before anything is written.
    let out = certdesk(&["convert", &f("cert.pem"), &f("key.pem"), "--to", "p12", "--out", &f("nopass.p12")], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("nopass.p12").exists());
    // A key that belongs to another certificate.
    let other = common::pki();
    std::fs::write(f("other.key"), &other.leaf.key_pem).unwrap();
    let out = certdesk(&["convert", &f("cert.pem"), &f("other.key"), "--to", "nginx", "--out", &f("bad.zip")], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match"));
    assert!(!dir.path().join("bad.zip").exists());
    // Broken input.
    std::fs::write(f("broken.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n").unwrap();
    let out = certdesk(&["convert", &f("broken.pem"), "--to", "der", "--out", &f("x.der")], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken.pem"));
    assert!(!dir.path().join("x.der").exists());
    // The full chain, and the nginx bundle with a random keystore-free layout.
    assert!(
        certdesk(&["convert", &f("cert.pem"), &f("chain.pem"), "--to", "fullchain", "--out", &f("full.pem")], &[])
            .status
            .success()
    );
    assert_eq!(std::fs::read_to_string(f("full.pem")).unwrap().matches("BEGIN CERTIFICATE").count(), 3);
    assert!(
        certdesk(
            &["convert", &f("cert.pem"), &f("chain.pem"), &f("key.pem"), "--to", "iis", "--out", &f("iis.zip")],
            &[]
        )
        .status
        .success()
    );
    let iis = certdesk(&["inspect", "--json", &f("iis.zip")], &[]);
    assert!(
        iis.status.success(),
        "the bundle opens with its own keystorePass.txt: {}",
        String::from_utf8_lossy(&iis.stderr)
    );
    // Existing output is not replaced without --force.
    let again = certdesk(&["convert", &f("cert.pem"), "--to", "pem", "--out", &f("full.pem")], &[]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
