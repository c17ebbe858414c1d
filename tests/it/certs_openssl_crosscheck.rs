//! `certdesk inspect --json` against `openssl x509` on real-world certificates (the Mozilla roots
//! of Debian's ca-certificates) and on certificates with every kind of SAN: subject, issuer,
//! serial, dates, SANs and fingerprints must be equal.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use time::PrimitiveDateTime;

const MOZILLA: &str = "/usr/share/ca-certificates/mozilla";

fn openssl_facts(path: &Path) -> Vec<(String, String)> {
    let p = path.to_str().unwrap();
    let mut text = common::openssl(&[
        "x509",
        "-in",
        p,
        "-noout",
        "-serial",
        "-dates",
        "-subject",
        "-issuer",
        "-nameopt",
        "RFC2253,-esc_msb",
        "-fingerprint",
        "-sha256",
    ]);
    text += &common::openssl(&["x509", "-in", p, "-noout", "-fingerprint", "-sha1"]);
    text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect()
}

fn openssl_sans(path: &Path) -> Vec<String> {
    let text = common::openssl(&["x509", "-in", path.to_str().unwrap(), "-noout", "-ext", "subjectAltName"]);
    let Some(line) = text.lines().nth(1) else { return Vec::new() };
    line.split(", ")
        .map(|s| s.trim().to_owned())
        .map(|s| match s.strip_prefix("IP Address:") {
            // openssl writes IPv6 uncompressed and upper-case; compare addresses, not text.
            Some(ip) => format!("IP:{}", ip.parse::<IpAddr>().map_or(ip.to_owned(), |a| a.to_string())),
            None => s,
        })
        .collect()
}

fn openssl_date(text: &str) -> time::OffsetDateTime {
    let fmt =
        time::macros::format_description!("[month repr:short] [day padding:space] [hour]:[minute]:[second] [year] GMT");
    PrimitiveDateTime::parse(text, &fmt).unwrap_or_else(|e| panic!("{text}: {e}")).assume_utc()
}

fn certdesk_inspect(files: &[PathBuf]) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_certdesk")).arg("inspect").arg("--json").args(files).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    doc["certificates"].as_array().unwrap().clone()
}

fn compare(files: &[PathBuf]) -> usize {
    let ours = certdesk_inspect(files);
    assert_eq!(ours.len(), files.len(), "one certificate per file");
    for (path, cert) in files.iter().zip(&ours) {
        let d = &cert["details"];
        let facts = openssl_facts(path);
        let get = |k: &str| facts.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap_or_default();
        let name = path.display();
        assert_eq!(d["subject"], get("subject"), "{name}: subject");
        assert_eq!(d["issuer"], get("issuer"), "{name}: issuer");
        assert_eq!(
            d["serial_hex"].as_str().unwrap().trim_start_matches('0'),
            get("serial").trim_start_matches('0'),
            "{name}: serial"
        );
        assert_eq!(d["sha256_fingerprint"], get("sha256 Fingerprint"), "{name}: sha256");
        assert_eq!(d["sha1_fingerprint"], get("sha1 Fingerprint"), "{name}: sha1");
        let rfc3339 = &time::format_description::well_known::Rfc3339;
        let not_before = time::OffsetDateTime::parse(d["not_before"].as_str().unwrap(), rfc3339).unwrap();
        let not_after = time::OffsetDateTime::parse(d["not_after"].as_str().unwrap(), rfc3339).unwrap();
        assert_eq!(not_before, openssl_date(&get("notBefore")), "{name}: notBefore");
        assert_eq!(not_after, openssl_date(&get("notAfter")), "{name}: notAfter");
        let sans: Vec<String> =
            d["subject_alt_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        assert_eq!(sans, openssl_sans(path), "{name}: SANs");
    }
    files.len()
}

#[test]
fn mozilla_roots_agree_with_openssl() {
    if !common::have("openssl") {
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(MOZILLA)
        .map(|dir| {
            dir.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "crt")).collect()
        })
        .unwrap_or_default();
    files.sort();
    assert!(
        files.len() >= 100 || std::env::var_os("CERTDESK_REQUIRE_TOOLS").is_none(),
        "the ca-certificates package is required ({} roots found)",
        files.len()
    );
    if files.is_empty() {
        return;
    }
    let checked = compare(&files);
    assert!(checked >= 100, "{checked}");
}

#[test]
fn every_san_kind_agrees_with_openssl() {
    if !common::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let cert = dir.path().join("sans.pem");
    common::openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-384",
        "-nodes",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
        "-days",
        "400",
        "-subj",
        "/C=DE/ST=Berlin/O=Example, Inc./OU=R+D/CN=svc.example.internal/emailAddress=ops@example.internal",
        "-addext",
        "subjectAltName=DNS:svc.example.internal,DNS:*.svc.example.internal,IP:10.1.2.3,IP:2001:db8::1,email:ops@example.internal,URI:https://svc.example.internal/x",
    ]);
    assert_eq!(compare(&[cert]), 1);
}
