//! Hostile certificate files: how long certdesk takes to answer (a result or a clear refusal).
//! A 4 MiB PEM of 7,000 copies of one self-signed certificate, read as a file and searched for a
//! chain; 1,000 distinct self-signed certificates; a deep chain of 200 distinct CAs. Prints
//! figures only (run in release: `cargo bench --bench hostile`).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use certdesk::certs::chain;
use certdesk::certs::material::{ReadOptions, read};
use certdesk::sim::pki::{Authority, KeyKind, Spec};

fn spec(cn: &str, serial: u32) -> Spec<'_> {
    let now = time::OffsetDateTime::now_utc();
    Spec {
        common_name: cn,
        dns_names: Vec::new(),
        not_before: now - time::Duration::days(1),
        not_after: now + time::Duration::days(365),
        key: KeyKind::Ec256,
        serial: serial.to_be_bytes().to_vec(),
    }
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    println!("{what}: {:.1} ms", start.elapsed().as_secs_f64() * 1000.0);
    out
}

fn main() {
    let now = time::OffsetDateTime::now_utc();
    let root = Authority::root(&spec("Hostile Root", 1)).unwrap();
    let copies: String = std::iter::repeat_n(root.pem.as_str(), 7000).collect();
    println!("7,000 copies of one certificate: {} KiB of PEM", copies.len() / 1024);
    let result = timed("  read as a file", || read("copies.pem", copies.as_bytes(), &ReadOptions::default()));
    println!("    -> {}", result.err().map_or_else(|| "read".to_owned(), |e| e.to_string()));
    let ders = vec![root.der.clone(); 7000];
    let report = timed("  chain search", || chain::build(&ders, now));
    println!("    -> {} link(s); {}", report.ordered.len(), report.problems.join("; "));

    let names: Vec<String> = (0..1000).map(|i| format!("Hostile {i}")).collect();
    let distinct: Vec<Vec<u8>> = names
        .iter()
        .enumerate()
        .map(|(i, n)| Authority::root(&spec(n, 10 + u32::try_from(i).unwrap())).unwrap().der)
        .collect();
    let report = timed("1,000 distinct self-signed certificates, chain search", || chain::build(&distinct, now));
    println!("    -> {} link(s); {} problem(s)", report.ordered.len(), report.problems.len());

    let mut deep = vec![root];
    let cns: Vec<String> = (0..199).map(|i| format!("Hostile CA {i}")).collect();
    for (i, cn) in cns.iter().enumerate() {
        let next = deep.last().unwrap().subordinate(&spec(cn, 5000 + u32::try_from(i).unwrap())).unwrap();
        deep.push(next);
    }
    let mut bag: Vec<Vec<u8>> = deep.iter().map(|a| a.der.clone()).collect();
    bag.reverse();
    let report = timed("a chain 200 CAs deep, chain search", || chain::build(&bag, now));
    println!("    -> {} link(s), complete: {}", report.ordered.len(), report.complete);
}
