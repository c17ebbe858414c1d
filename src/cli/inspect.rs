//! `certdesk inspect`: what a file holds, its chain, and whether the key matches.

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use super::{EXIT_FAILURE, EXIT_OK, output};
use crate::certs::chain::{self, ChainReport};
use crate::certs::details::{CertDetails, details};
use crate::certs::material::{Material, ReadOptions, read};
use crate::certs::summary::{Validity, expiry_words};

/// Options of `inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files: PEM, DER, PKCS#12, JKS, PCA JSON exports, PCA or DCS zips. Read together as one bundle.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// File holding the keystore password (else CERTDESK_KEYSTORE_PASSWORD, else a zip's keystorePass.txt).
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// Days before expiry that count as expiring.
    #[arg(long, default_value_t = 30)]
    pub warn_days: i64,
    /// Print JSON (schema `certdesk.inspect.v1`).
    #[arg(long)]
    pub json: bool,
}

/// Reads the keystore password from a file or the environment.
pub(super) fn keystore_password(file: Option<&PathBuf>) -> Result<Option<String>, String> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return Ok(Some(text.trim_end_matches(['\r', '\n']).to_owned()));
    }
    Ok(std::env::var("CERTDESK_KEYSTORE_PASSWORD").ok().filter(|p| !p.is_empty()))
}

/// Reads every file into one bundle; the first unreadable file is the error.
pub(super) fn read_all(files: &[PathBuf], password: Option<String>) -> Result<Material, String> {
    let opts = ReadOptions { password, ..ReadOptions::default() };
    let mut material = Material::default();
    for path in files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
        material.extend(read(&name, &bytes, &opts).map_err(|e| e.to_string())?);
    }
    Ok(material)
}

pub(super) fn run(args: &InspectArgs) -> u8 {
    let material = match keystore_password(args.password_file.as_ref()).and_then(|pw| read_all(&args.files, pw)) {
        Ok(m) => m,
        Err(e) => {
            output::error(&e);
            return EXIT_FAILURE;
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let mut all = Vec::new();
    for cert in &material.certificates {
        match details(&cert.source, &cert.der, now, args.warn_days) {
            Ok(d) => all.push((cert.source.clone(), d)),
            Err(e) => {
                output::error(&e.to_string());
                return EXIT_FAILURE;
            }
        }
    }
    let ders: Vec<Vec<u8>> = material.certificates.iter().map(|c| c.der.clone()).collect();
    let report = chain::build(&ders, now);
    let keys: Vec<_> = material
        .keys
        .iter()
        .map(|k| {
            let matches = material.certificates.iter().position(|c| k.key.matches(&c.der));
            (k.source.clone(), k.key.algorithm(), matches)
        })
        .collect();
    if args.json {
        output::json(&json!({
            "schema": "certdesk.inspect.v1",
            "certificates": all.iter().map(|(source, d)| json!({"source": source, "details": d})).collect::<Vec<_>>(),
            "chain": report,
            "keys": keys.iter().map(|(source, alg, m)| json!({"source": source, "algorithm": alg, "matches_certificate": m})).collect::<Vec<_>>(),
        }));
    } else {
        print_text(&all, &report, &keys, &material);
    }
    EXIT_OK
}

fn print_text(
    all: &[(String, CertDetails)],
    report: &ChainReport,
    keys: &[(String, &str, Option<usize>)],
    m: &Material,
) {
    for (i, (source, d)) in all.iter().enumerate() {
        let when = expiry_words(Some(d.days_left), d.validity == Validity::Expired);
        let key = match (&d.key_curve, d.key_bits) {
            (Some(curve), _) => format!("{} {curve}", d.key_algorithm),
            (None, Some(bits)) => format!("{} {bits} bits", d.key_algorithm),
            _ => d.key_algorithm.clone(),
        };
        let mut lines = vec![
            format!("== Certificate {} of {} ({source})", i + 1, all.len()),
            format!("Subject:       {}", d.subject),
            format!("Issuer:        {}", d.issuer),
            format!(
                "Valid:         {} to {} ({when}, {})",
                d.not_before.date(),
                d.not_after.date(),
                d.validity.label()
            ),
            format!("Serial:        {}", d.serial_hex),
            format!("Key:           {key}"),
            format!("Signature:     {}", d.signature_algorithm),
            format!("SHA-256:       {}", d.sha256_fingerprint),
            format!("SHA-1:         {}", d.sha1_fingerprint),
            format!(
                "CA:            {}",
                if d.is_ca {
                    d.path_len.map_or("yes".into(), |p| format!("yes, path length {p}"))
                } else {
                    "no".into()
                }
            ),
        ];
        let mut opt = |label: &str, items: &[String]| {
            if !items.is_empty() {
                lines.push(format!("{label:<15}{}", items.join(", ")));
            }
        };
        opt("SANs:", &d.subject_alt_names);
        opt("Key usage:", &d.key_usage);
        opt("Ext. key use:", &d.extended_key_usage);
        opt("CRL:", &d.crl_distribution_points);
        opt("AIA:", &d.authority_info_access);
        let exts: Vec<String> = d
            .extensions
            .iter()
            .map(|e| format!("{} {}{}", e.oid, e.name, if e.critical { " (critical)" } else { "" }))
            .collect();
        opt("Extensions:", &exts);
        opt("Warnings:", &d.warnings);
        // One printed line per fact: a subject or SAN holding a line break cannot add a fact.
        for fact in &lines {
            output::line(&crate::text::inert(fact));
        }
        output::line("");
    }
    if !report.ordered.is_empty() {
        let state = if report.complete { "complete, every signature verified" } else { "incomplete or broken" };
        output::line(&format!("== Chain ({state})"));
        for (i, link) in report.ordered.iter().enumerate() {
            let root = if link.self_signed { " (self-signed root)" } else { "" };
            output::line(&format!("  {}. {}{root}", i + 1, crate::text::inert(&link.subject)));
        }
        for p in &report.problems {
            output::line(&format!("  ! {}", crate::text::inert(p)));
        }
    }
    for (source, alg, matches) in keys {
        let verdict = match matches {
            Some(i) => format!("matches certificate {} ({})", i + 1, m.certificates[*i].source),
            None => "matches NO certificate given".into(),
        };
        output::line(&format!("== Private key ({source}): {alg}, {verdict}"));
    }
}
