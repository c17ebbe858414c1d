//! Bad input gets a clear error naming the file and what is wrong; nothing panics.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::Write;

use certdesk::certs::archive::{ArchiveLimits, read_zip};
use certdesk::certs::details::details;
use certdesk::certs::material::{ReadOptions, read};
use certdesk::sim::pki::{Authority, KeyKind};

fn err_of(name: &str, bytes: &[u8]) -> String {
    read(name, bytes, &ReadOptions::default()).expect_err("must be refused").to_string()
}

#[test]
fn broken_base64_and_truncated_der_name_the_file() {
    let p = common::pki();
    let broken = p.leaf.cert_pem.replacen('M', "*", 3);
    let e = err_of("broken.pem", broken.as_bytes());
    assert!(e.contains("broken.pem") && e.contains("base64"), "{e}");
    let cut = &p.leaf.cert_der[..p.leaf.cert_der.len() - 10];
    let e = err_of("cut.der", cut);
    assert!(e.contains("cut.der") && e.contains("not a valid X.509"), "{e}");
    let mut padded = p.leaf.cert_der.clone();
    padded.extend_from_slice(b"garbage");
    assert!(err_of("padded.der", &padded).contains("padded.der"));
    assert!(err_of("empty.pem", b"no pem here").contains("empty.pem"));
    assert!(err_of("none.pem", b"-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n").contains("no certificate"));
}

#[test]
fn unknown_critical_extensions_negative_serials_and_far_dates_are_reported() {
    if !common::have("openssl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    common::openssl(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &d("k.pem"),
        "-out",
        &d("c.pem"),
        "-subj",
        "/CN=odd.example",
        "-days",
        "12000",
        "-set_serial",
        "-5",
        "-addext",
        "1.2.3.4.5=critical,DER:0500",
    ]);
    let m = read("c.pem", &std::fs::read(d("c.pem")).unwrap(), &ReadOptions::default()).unwrap();
    let det = details("c.pem", &m.certificates[0].der, time::OffsetDateTime::now_utc(), 30).unwrap();
    assert!(det.warnings.iter().any(|w| w.contains("unknown critical extension 1.2.3.4.5")), "{:?}", det.warnings);
    assert!(det.serial_negative, "serial {}", det.serial_hex);
    assert!(det.warnings.iter().any(|w| w.contains("negative")));
    assert!(det.not_after.year() > 2049, "GeneralizedTime after 2049: {}", det.not_after);
}

#[test]
fn huge_san_lists_are_read() {
    let names: Vec<String> = (0..3000).map(|i| format!("host-{i}.example.internal")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ca = Authority::root(&common::spec("Big CA", &[], 30, KeyKind::Ec256)).unwrap();
    let leaf = ca.issue(&common::spec("big", &refs, 30, KeyKind::Ec256)).unwrap();
    let det = details("big.pem", &leaf.cert_der, time::OffsetDateTime::now_utc(), 30).unwrap();
    assert_eq!(det.subject_alt_names.len(), 3000);
}

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn zip_slip_symlinks_bombs_and_floods_are_refused() {
    let pem = common::pki().root.pem;
    let limits = ArchiveLimits::default();
    for evil in ["../evil.crt", "/etc/evil.crt", "a/../../evil.crt"] {
        let e = read_zip("evil.zip", &zip_with(&[(evil, pem.as_bytes())]), limits).unwrap_err().to_string();
        assert!(e.contains("evil.zip") && e.contains("outside the archive"), "{evil}: {e}");
    }
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.add_symlink("ca.crt", "/etc/passwd", zip::write::SimpleFileOptions::default()).unwrap();
    let link = zip.finish().unwrap().into_inner();
    assert!(read_zip("link.zip", &link, limits).unwrap_err().to_string().contains("symlink"));
    // A bomb: 64 MiB of zeros deflates to ~64 KiB; refused while inflating, not from the header.
    let zeros = vec![0u8; 64 * 1024 * 1024];
    let bomb = zip_with(&[("ca.crt", &zeros)]);
    assert!(bomb.len() < 1024 * 1024);
    let e = read_zip("bomb.zip", &bomb, limits).unwrap_err().to_string();
    assert!(e.contains("inflates past"), "{e}");
    let ratio = zip_with(&[("ca.crt", &zeros[..1024 * 1024])]);
    assert!(read_zip("ratio.zip", &ratio, limits).unwrap_err().to_string().contains("ratio"));
    let names: Vec<String> = (0..100).map(|i| format!("f{i}.crt")).collect();
    let many: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    assert!(read_zip("many.zip", &zip_with(&many), limits).unwrap_err().to_string().contains("entries"));
    assert!(read_zip("junk.zip", b"PK\x03\x04 not really a zip", limits).unwrap_err().to_string().contains("junk.zip"));
}

#[test]
fn random_mutations_never_panic() {
    // A small in-test fuzzer: flip, cut and splice bytes of valid inputs of every kind.
    let p = common::pki();
    let key = certdesk::certs::keys::PrivateKey::from_pkcs8("k", &p.leaf.key_der).unwrap();
    let id = certdesk::certs::bundle::Identity { leaf: &p.leaf.cert_der, chain: &p.leaf.chain_der, key: Some(&key) };
    let seeds: Vec<Vec<u8>> = vec![
        p.leaf.cert_der.clone(),
        format!("{}{}", p.leaf.cert_pem, p.leaf.key_pem).into_bytes(),
        id.server_zip(certdesk::cloud::pca::ServerType::Iis, "pw").unwrap(),
        id.server_zip(certdesk::cloud::pca::ServerType::Tomcat, "pw").unwrap(),
        id.render(certdesk::certs::bundle::OutputFormat::P12, "pw").unwrap(),
        br#"{"certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"}"#.to_vec(),
    ];
    let mut rng = certdesk::sim::estate::Rng::new(42);
    let opts = ReadOptions { password: Some("pw".into()), ..ReadOptions::default() };
    for round in 0..3000 {
        let mut input = seeds[round % seeds.len()].clone();
        for _ in 0..=rng.below(4) {
            if input.is_empty() {
                break;
            }
            let at = rng.below(input.len());
            match rng.below(3) {
                0 => input[at] ^= u8::try_from(rng.below(255) + 1).unwrap(),
                1 => input.truncate(at),
                _ => input.insert(at, u8::try_from(rng.below(256)).unwrap()),
            }
        }
        if let Ok(m) = read("fuzz", &input, &opts) {
            for c in &m.certificates {
                let _ = details("fuzz", &c.der, time::OffsetDateTime::now_utc(), 30);
            }
            let ders: Vec<Vec<u8>> = m.certificates.iter().map(|c| c.der.clone()).collect();
            let _ = certdesk::certs::chain::build(&ders, time::OffsetDateTime::now_utc());
        }
    }
}

#[test]
fn a_file_of_thousands_of_certificates_is_refused_and_copies_are_searched_once() {
    let p = common::pki();
    let many: String = std::iter::repeat_n(p.root.pem.as_str(), 1001).collect();
    let e = err_of("many.pem", many.as_bytes());
    assert!(e.contains("many.pem: holds 1001 certificates; certdesk reads at most 1000"), "{e}");
    let few: String = std::iter::repeat_n(p.root.pem.as_str(), 1000).collect();
    assert_eq!(read("few.pem", few.as_bytes(), &ReadOptions::default()).unwrap().certificates.len(), 1000);
    // Copies in a bag: one link, one line about the copies, no pair-wise work.
    let mut bag = vec![p.leaf.cert_der.clone(), p.issuing.der.clone()];
    bag.extend(std::iter::repeat_n(p.root.der.clone(), 500));
    let report = certdesk::certs::chain::build(&bag, time::OffsetDateTime::now_utc());
    assert_eq!(report.ordered.len(), 3);
    assert_eq!(report.problems, ["499 copies of certificates already in the bundle were left out"]);
    // Past the search cap: said, not silently dropped.
    let distinct: Vec<Vec<u8>> = (0..=certdesk::certs::chain::MAX_CHAIN_SEARCH)
        .map(|i| {
            let name = format!("Root {i}");
            Authority::root(&common::spec(&name, &[], 30, KeyKind::Ec256)).unwrap().der
        })
        .collect();
    let report = certdesk::certs::chain::build(&distinct, time::OffsetDateTime::now_utc());
    assert!(report.problems.iter().any(|m| m.contains("only the first 200 were searched")), "{:?}", report.problems);
}

/// Each keystore has its own work budget: a zip of several, opened with its own password, would
/// multiply it. Two open (PCA's zips hold one); three are refused before any is opened.
#[test]
fn a_zip_of_more_than_two_keystores_is_refused_before_any_is_opened() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/keystore_reader/server.p12");
    let p12 = std::fs::read(corpus).unwrap();
    let zip = |n: usize| {
        let names: Vec<String> = (0..n).map(|i| format!("server-{i}.pfx")).collect();
        let mut entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), p12.as_slice())).collect();
        entries.push(("keystorePass.txt", b"wrong".as_slice()));
        certdesk::certs::archive::write_zip(&entries).unwrap()
    };
    let many = read("many.zip", &zip(3), &ReadOptions::default()).unwrap_err().to_string();
    assert!(many.contains("3 keystores") && many.contains("at most 2"), "{many}");
    let two = read("two.zip", &zip(2), &ReadOptions::default()).unwrap_err().to_string();
    assert!(!two.contains("keystores;"), "two are opened (and the wrong password said): {two}");
}
