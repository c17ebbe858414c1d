//! PKCS#12 and JKS files certdesk writes, opened by the tools servers use: the JDK's keytool
//! (which must decrypt the JKS key entry) and openssl.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::Path;
use std::process::Command;

use certdesk::certs::keystore::{write_jks, write_pkcs12};
use certdesk::sim::pki::{Authority, KeyKind, Spec};
use time::{Duration, OffsetDateTime};

/// Whether a tool is on PATH; fails the test instead when `CERTDESK_REQUIRE_TOOLS` is set.
fn have(tool: &str) -> bool {
    let found =
        Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    assert!(found || std::env::var_os("CERTDESK_REQUIRE_TOOLS").is_none(), "{tool} is required but missing");
    if !found {
        eprintln!("skipping: {tool} not installed");
    }
    found
}

fn chain(key: KeyKind) -> (Vec<u8>, Vec<Vec<u8>>) {
    let now = OffsetDateTime::now_utc();
    let spec = |cn: &'static str, key| Spec {
        common_name: cn,
        dns_names: vec!["tomcat.example.internal".into()],
        not_before: now - Duration::days(1),
        not_after: now + Duration::days(90),
        key,
        serial: vec![7, 7],
    };
    let root = Authority::root(&spec("Test Root", KeyKind::Ec256)).unwrap();
    let sub = root.subordinate(&spec("Test Issuing", KeyKind::Ec256)).unwrap();
    let leaf = sub.issue(&spec("tomcat.example.internal", key)).unwrap();
    let mut certs = vec![leaf.cert_der.clone()];
    certs.extend(leaf.chain_der.iter().cloned());
    (leaf.key_der, certs)
}

fn keytool(args: &[&str]) -> std::process::Output {
    Command::new("keytool").args(args).output().unwrap()
}

fn check_jks(dir: &Path, key: KeyKind) {
    let (key_der, certs) = chain(key);
    let jks = write_jks("server", &key_der, &certs, "s3cret-pass", 1_700_000_000_000).unwrap();
    let path = dir.join(format!("server-{key:?}.jks"));
    std::fs::write(&path, jks).unwrap();
    let p = path.to_str().unwrap();
    let list = keytool(&["-list", "-v", "-keystore", p, "-storepass", "s3cret-pass"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success(), "keytool -list: {text}{}", String::from_utf8_lossy(&list.stderr));
    assert!(text.contains("Keystore type: JKS") || text.contains("Keystore type: jks"), "{text}");
    assert!(text.contains("PrivateKeyEntry"), "{text}");
    assert!(text.contains("Certificate chain length: 3"), "{text}");
    // Converting to PKCS#12 decrypts the key entry: proves the JDK key protection is right.
    let out = dir.join(format!("converted-{key:?}.p12"));
    let conv = keytool(&[
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        p,
        "-srcstoretype",
        "JKS",
        "-srcstorepass",
        "s3cret-pass",
        "-srcalias",
        "server",
        "-srckeypass",
        "s3cret-pass",
        "-destkeystore",
        out.to_str().unwrap(),
        "-deststoretype",
        "PKCS12",
        "-deststorepass",
        "other-pass",
        "-destkeypass",
        "other-pass",
    ]);
    assert!(
        conv.status.success(),
        "keytool could not read the key: {}{}",
        String::from_utf8_lossy(&conv.stdout),
        String::from_utf8_lossy(&conv.stderr)
    );
    let wrong = keytool(&["-list", "-keystore", p, "-storepass", "wrong-pass"]);
    assert!(!wrong.status.success(), "a wrong store password must fail the integrity check");
}

#[test]
fn keytool_opens_jks_with_ec_and_rsa_keys() {
    if !have("keytool") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    check_jks(dir.path(), KeyKind::Ec256);
    check_jks(dir.path(), KeyKind::Rsa2048);
}

#[test]
fn openssl_opens_the_pkcs12_with_its_password() {
    if !have("openssl") {
        return;
    }
    let (key_der, certs) = chain(KeyKind::Ec256);
    let pfx = write_pkcs12("server", &key_der, &certs, "pfx-pass").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.pfx");
    std::fs::write(&path, pfx).unwrap();
    let run = |pass: &str| {
        Command::new("openssl")
            .args(["pkcs12", "-in", path.to_str().unwrap(), "-passin", &format!("pass:{pass}"), "-nodes", "-info"])
            .output()
            .unwrap()
    };
    let ok = run("pfx-pass");
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 3, "leaf and chain");
    assert!(text.contains("PRIVATE KEY"));
    assert!(!run("nope").status.success());
}

#[test]
fn a_pkcs12_that_asks_for_more_key_derivation_than_real_tools_is_refused_before_any() {
    if !have("openssl") {
        return;
    }
    let p = crate::common::pki();
    let dir = tempfile::tempdir().unwrap();
    let f = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    std::fs::write(f("cert.pem"), &p.leaf.cert_pem).unwrap();
    std::fs::write(f("key.pem"), &p.leaf.key_pem).unwrap();
    let export = |iter: &str, out: &str| {
        let args = ["pkcs12", "-export", "-in", &f("cert.pem"), "-inkey", &f("key.pem"), "-out", &f(out)];
        let run = Command::new("openssl").args(args).args(["-passout", "pass:pw", "-iter", iter]).output().unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        std::fs::read(f(out)).unwrap()
    };
    // OpenSSL's default work opens; 200,000 iterations per derivation does not, at once.
    let usual = export("2048", "usual.p12");
    assert!(certdesk::certs::keystore::read_pkcs12("usual.p12", &usual, "pw").is_ok());
    let costly = export("200000", "costly.p12");
    let start = std::time::Instant::now();
    let error = certdesk::certs::keystore::read_pkcs12("costly.p12", &costly, "pw").unwrap_err().to_string();
    assert!(error.contains("asks for 200000 key-derivation iterations"), "{error}");
    // Reported, not enforced as a timing: the refusal comes before any derivation.
    eprintln!("refused in {:?}", start.elapsed());
}
