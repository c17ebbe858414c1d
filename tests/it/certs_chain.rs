//! Chains: ordering a shuffled bag, and every kind of break reported in plain words.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use certdesk::certs::chain::build;
use certdesk::sim::pki::{Authority, KeyKind};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

#[test]
fn a_shuffled_bag_is_ordered_leaf_to_root() {
    let p = common::pki();
    let bag = vec![p.root.der.clone(), p.leaf.cert_der.clone(), p.issuing.der.clone()];
    let r = build(&bag, now());
    assert!(r.complete, "{:?}", r.problems);
    assert!(r.problems.is_empty());
    assert_eq!(r.ordered.iter().map(|l| l.input_index).collect::<Vec<_>>(), [1, 2, 0]);
    assert!(r.ordered[2].self_signed && !r.ordered[0].is_ca);
}

#[test]
fn a_missing_intermediate_is_named() {
    let p = common::pki();
    let r = build(&[p.leaf.cert_der.clone(), p.root.der.clone()], now());
    assert!(!r.complete);
    assert!(r.problems.iter().any(|x| x.contains("missing issuer") && x.contains("Test Issuing")), "{:?}", r.problems);
    assert!(r.problems.iter().any(|x| x.contains("extra certificate") && x.contains("Test Root")), "{:?}", r.problems);
}

#[test]
fn a_tampered_signature_is_a_bad_signature() {
    let p = common::pki();
    // Names and key ids still match; only the signature bytes (at the end of the DER) changed.
    let mut tampered = p.leaf.cert_der.clone();
    let last = tampered.len() - 2;
    tampered[last] ^= 0x55;
    let r = build(&[tampered, p.issuing.der.clone(), p.root.der.clone()], now());
    assert!(!r.complete);
    assert!(
        r.problems.iter().any(|x| x.contains("bad signature") && x.contains("leaf.example.internal")),
        "{:?}",
        r.problems
    );
}

#[test]
fn a_non_ca_used_as_issuer_is_not_a_ca() {
    if !common::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    common::openssl(
        &[
            &["req", "-x509"][..],
            &ec,
            &[
                "-keyout",
                &d("leaf.key"),
                "-out",
                &d("leaf.crt"),
                "-subj",
                "/CN=plain leaf",
                "-days",
                "30",
                "-addext",
                "basicConstraints=critical,CA:FALSE",
            ],
        ]
        .concat(),
    );
    common::openssl(
        &[&["req"][..], &ec, &["-keyout", &d("child.key"), "-out", &d("child.csr"), "-subj", "/CN=child of a leaf"]]
            .concat(),
    );
    common::openssl(&[
        "x509",
        "-req",
        "-in",
        &d("child.csr"),
        "-CA",
        &d("leaf.crt"),
        "-CAkey",
        &d("leaf.key"),
        "-out",
        &d("child.crt"),
        "-days",
        "10",
    ]);
    let read = |n: &str| certdesk::certs::pem::certificates(n, &std::fs::read(d(n)).unwrap()).unwrap().remove(0);
    let r = build(&[read("child.crt"), read("leaf.crt")], now());
    assert!(!r.complete);
    assert!(r.problems.iter().any(|x| x.contains("not a CA") && x.contains("plain leaf")), "{:?}", r.problems);
}

#[test]
fn an_expired_intermediate_is_an_expired_link() {
    let root = Authority::root(&common::spec("Root", &[], 3650, KeyKind::Ec256)).unwrap();
    let mut spec = common::spec("Old Issuing", &[], 10, KeyKind::Ec256);
    spec.not_before = now() - Duration::days(400);
    spec.not_after = now() - Duration::days(5);
    let old = root.subordinate(&spec).unwrap();
    let leaf = old.issue(&common::spec("svc.example", &["svc.example"], 30, KeyKind::Rsa2048)).unwrap();
    let r = build(&[leaf.cert_der.clone(), old.der.clone(), root.der.clone()], now());
    assert!(r.problems.iter().any(|x| x.contains("expired link") && x.contains("Old Issuing")), "{:?}", r.problems);
}

#[test]
fn garbage_in_the_bag_is_reported_not_fatal() {
    let p = common::pki();
    let r = build(&[b"garbage".to_vec(), p.leaf.cert_der.clone()], now());
    assert!(r.problems.iter().any(|x| x.contains("does not parse")));
    assert_eq!(r.ordered.len(), 1);
}
