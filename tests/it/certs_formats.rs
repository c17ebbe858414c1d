//! Reading every format the cloud hands out or an admin drops in, and writing every output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use certdesk::certs::bundle::{Identity, OutputFormat};
use certdesk::certs::keys::PrivateKey;
use certdesk::certs::keystore::write_jks;
use certdesk::certs::material::{Material, ReadOptions, read};
use certdesk::certs::{CertError, archive, pem};
use certdesk::cloud::pca::ServerType;

fn read_ok(name: &str, bytes: &[u8]) -> Material {
    read(name, bytes, &ReadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn read_pw(name: &str, bytes: &[u8], pw: &str) -> Result<Material, CertError> {
    read(name, bytes, &ReadOptions { password: Some(pw.into()), ..ReadOptions::default() })
}

#[test]
fn pem_with_crlf_junk_and_many_blocks() {
    let p = common::pki();
    let text = format!(
        "Bag Attributes: junk\r\n{}\r\nsome text between\r\n{}{}trailing",
        p.leaf.cert_pem.replace('\n', "\r\n"),
        p.leaf.chain_pem,
        p.leaf.key_pem
    );
    let m = read_ok("bundle.pem", text.as_bytes());
    assert_eq!(m.certificates.len(), 3);
    assert_eq!(m.keys.len(), 1);
    assert!(m.keys[0].key.matches(&p.leaf.cert_der));
    assert!(!m.keys[0].key.matches(&p.issuing.der));
    assert_eq!(m.certificates[0].source, "bundle.pem#1");
}

#[test]
fn der_certificate_and_der_key() {
    let p = common::pki();
    assert_eq!(read_ok("c.der", &p.leaf.cert_der).certificates[0].der, p.leaf.cert_der);
    let m = read_ok("k.der", &p.leaf.key_der);
    assert!(m.keys[0].key.matches(&p.leaf.cert_der));
}

#[test]
fn every_openssl_key_form_is_read_and_matched() {
    if !common::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    common::openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &d("rsa8.pem"),
        "-out",
        &d("rsa.crt"),
        "-subj",
        "/CN=rsa.example",
        "-days",
        "30",
    ]);
    common::openssl(&["pkey", "-in", &d("rsa8.pem"), "-traditional", "-out", &d("rsa1.pem")]);
    common::openssl(&["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", &d("ec1.pem")]);
    common::openssl(&[
        "req",
        "-x509",
        "-key",
        &d("ec1.pem"),
        "-out",
        &d("ec.crt"),
        "-subj",
        "/CN=ec.example",
        "-days",
        "30",
    ]);
    common::openssl(&["genpkey", "-algorithm", "ed25519", "-out", &d("ed.pem")]);
    common::openssl(&[
        "req",
        "-x509",
        "-key",
        &d("ed.pem"),
        "-out",
        &d("ed.crt"),
        "-subj",
        "/CN=ed.example",
        "-days",
        "30",
    ]);
    for (key, cert, label) in [
        ("rsa8.pem", "rsa.crt", "PRIVATE KEY"),
        ("rsa1.pem", "rsa.crt", "RSA PRIVATE KEY"),
        ("ec1.pem", "ec.crt", "EC PRIVATE KEY"),
        ("ed.pem", "ed.crt", "PRIVATE KEY"),
    ] {
        let key_bytes = std::fs::read(d(key)).unwrap();
        assert!(String::from_utf8_lossy(&key_bytes).contains(&format!("BEGIN {label}")), "{key} is {label}");
        let m = read_ok(key, &key_bytes);
        let c = read_ok(cert, &std::fs::read(d(cert)).unwrap());
        assert!(m.keys[0].key.matches(&c.certificates[0].der), "{key} matches {cert}");
        // Normalised to PKCS#8 that openssl reads back.
        let again = dir.path().join(format!("{key}.p8"));
        std::fs::write(&again, m.keys[0].key.pkcs8_pem()).unwrap();
        common::openssl(&["pkey", "-in", again.to_str().unwrap(), "-noout"]);
    }
    common::openssl(&[
        "pkcs8",
        "-topk8",
        "-in",
        &d("rsa8.pem"),
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:x",
        "-out",
        &d("enc.pem"),
    ]);
    let err = read("enc.pem", &std::fs::read(d("enc.pem")).unwrap(), &ReadOptions::default()).unwrap_err();
    assert!(err.to_string().contains("encrypted") && err.to_string().contains("enc.pem"), "{err}");
}

#[test]
fn pkcs12_from_openssl_with_its_password_only() {
    if !common::have("openssl") {
        return;
    }
    let p = common::pki();
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n);
    std::fs::write(path("c.pem"), &p.leaf.cert_pem).unwrap();
    std::fs::write(path("k.pem"), &p.leaf.key_pem).unwrap();
    std::fs::write(path("chain.pem"), &p.leaf.chain_pem).unwrap();
    common::openssl(&[
        "pkcs12",
        "-export",
        "-in",
        path("c.pem").to_str().unwrap(),
        "-inkey",
        path("k.pem").to_str().unwrap(),
        "-certfile",
        path("chain.pem").to_str().unwrap(),
        "-passout",
        "pass:p12-pass",
        "-out",
        path("x.p12").to_str().unwrap(),
    ]);
    let bytes = std::fs::read(path("x.p12")).unwrap();
    let m = read_pw("x.p12", &bytes, "p12-pass").unwrap();
    assert_eq!(m.certificates.len(), 3);
    assert!(m.keys[0].key.matches(&p.leaf.cert_der));
    let wrong = read_pw("x.p12", &bytes, "nope").unwrap_err();
    assert!(wrong.to_string().contains("wrong password") && wrong.to_string().contains("x.p12"), "{wrong}");
    let none = read("x.p12", &bytes, &ReadOptions::default()).unwrap_err();
    assert!(none.to_string().contains("needs a password"), "{none}");
}

#[test]
fn jks_is_read_back_and_checked() {
    let p = common::pki();
    let mut chain = vec![p.leaf.cert_der.clone()];
    chain.extend(p.leaf.chain_der.clone());
    let jks = write_jks("server", &p.leaf.key_der, &chain, "jks-pass", 0).unwrap();
    let m = read_pw("server.jks", &jks, "jks-pass").unwrap();
    assert_eq!(m.certificates.len(), 3);
    assert!(m.keys[0].key.matches(&p.leaf.cert_der));
    assert!(read_pw("server.jks", &jks, "wrong").unwrap_err().to_string().contains("integrity"));
    let cut = &jks[..jks.len() / 2];
    assert!(read_pw("server.jks", cut, "jks-pass").is_err());
}

#[test]
fn pca_json_export_and_apache_zip_fixtures() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fixtures/");
    let json = std::fs::read(format!("{dir}ccm_export_private_certificate_response.json")).unwrap();
    let m = read_ok("export.json", &json);
    assert_eq!(m.certificates.len(), 2);
    assert!(m.keys[0].key.matches(&m.certificates[0].der));
    let zip = std::fs::read(format!("{dir}ccm_export_private_certificate_apache.zip")).unwrap();
    let m = read_ok("apache.zip", &zip);
    assert_eq!(m.certificates.len(), 2);
    assert_eq!(m.keys.len(), 1);
}

#[test]
fn every_server_bundle_is_written_and_read_back() {
    let p = common::pki();
    let key = PrivateKey::from_pkcs8("k", &p.leaf.key_der).unwrap();
    let id = Identity { leaf: &p.leaf.cert_der, chain: &p.leaf.chain_der, key: Some(&key) };
    for kind in ServerType::ALL {
        let zip = id.server_zip(kind, "bundle-pass").unwrap();
        // IIS and TOMCAT carry keystorePass.txt, which the reader uses by itself.
        let m = read_ok(&format!("{kind}.zip"), &zip);
        assert!(m.keys.iter().any(|k| k.key.matches(&p.leaf.cert_der)), "{kind}: key");
        assert!(m.certificates.iter().any(|c| c.der == p.leaf.cert_der), "{kind}: leaf");
        assert!(m.certificates.iter().any(|c| c.der == p.root.der), "{kind}: root");
    }
    for (format, needle) in [(OutputFormat::Pem, 1usize), (OutputFormat::FullChain, 3), (OutputFormat::Chain, 2)] {
        let text = String::from_utf8(id.render(format, "").unwrap()).unwrap();
        assert_eq!(text.matches("BEGIN CERTIFICATE").count(), needle, "{format:?}");
        assert!(!text.contains('\r'));
    }
    assert_eq!(id.render(OutputFormat::Der, "").unwrap(), p.leaf.cert_der);
    let p12 = id.render(OutputFormat::P12, "out-pass").unwrap();
    assert_eq!(read_pw("out.p12", &p12, "out-pass").unwrap().certificates.len(), 3);
    let no_key = Identity { leaf: &p.leaf.cert_der, chain: &[], key: None };
    let err = no_key.render(OutputFormat::Server(ServerType::Nginx), "x").unwrap_err();
    assert!(err.to_string().contains("needs the private key"), "{err}");
}

#[test]
fn dcs_download_zip_with_ca_crt() {
    let p = common::pki();
    let zip = archive::write_zip(&[("ca.crt", p.root.pem.as_bytes())]).unwrap();
    let m = read_ok("ssl-1234.zip", &zip);
    assert_eq!(m.certificates[0].der, pem::certificates("x", p.root.pem.as_bytes()).unwrap()[0]);
    assert_eq!(m.certificates[0].source, "ssl-1234.zip:ca.crt#1");
}
