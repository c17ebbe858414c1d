//! Reading whatever an admin drops in or the cloud hands out: PEM (one or many blocks, CRLF or
//! LF, junk around), DER, PCA JSON exports, PCA and DCS zips, PKCS#12 and JKS keystores.

use serde_json::Value;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::CertError;
use super::archive::{self, ArchiveLimits};
use super::keys::PrivateKey;
use super::keystore;
use super::pem;

/// A certificate and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedCert {
    /// File (and entry) it was read from.
    pub source: String,
    /// DER.
    pub der: Vec<u8>,
}

/// A private key and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedKey {
    /// File (and entry) it was read from.
    pub source: String,
    /// The key.
    pub key: PrivateKey,
}

/// Everything read from one or more inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Material {
    /// Certificates, in input order.
    pub certificates: Vec<LoadedCert>,
    /// Private keys, in input order.
    pub keys: Vec<LoadedKey>,
}

impl Material {
    /// Adds what another input held.
    pub fn extend(&mut self, other: Material) {
        self.certificates.extend(other.certificates);
        self.keys.extend(other.keys);
    }
}

/// How to read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Password for PKCS#12 and JKS (a zip's `keystorePass.txt` is used when this is `None`).
    pub password: Option<String>,
    /// Caps for zip input.
    pub limits: ArchiveLimits,
}

/// Certificates read from one file at most: bundles hold a handful, a CA store a few hundred.
pub const MAX_CERTIFICATES: usize = 1000;

/// Reads one input of any supported format; more than [`MAX_CERTIFICATES`] is refused.
pub fn read(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Material, CertError> {
    let material = if archive::is_zip(bytes) {
        read_zip(name, bytes, opts)?
    } else {
        read_single(name, bytes, opts.password.as_deref())?
    };
    if material.certificates.len() > MAX_CERTIFICATES {
        return Err(CertError::TooMany {
            name: name.to_owned(),
            found: material.certificates.len(),
            limit: MAX_CERTIFICATES,
        });
    }
    Ok(material)
}

/// Keystores opened from one zip.
const MAX_KEYSTORES_PER_ZIP: usize = 2;

fn read_zip(name: &str, bytes: &[u8], opts: &ReadOptions) -> Result<Material, CertError> {
    let entries = archive::read_zip(name, bytes, opts.limits)?;
    // PCA's IIS and TOMCAT zips carry their keystore password beside the keystore.
    let bundled = entries
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case("keystorePass.txt"))
        .map(|e| String::from_utf8_lossy(&e.bytes).trim().to_owned());
    let password = opts.password.clone().or(bundled);
    // Each keystore has its own work budget: a zip of many, opened with its own password, would
    // multiply it. PCA's zips hold one.
    let keystores = entries.iter().filter(|e| keystore::is_jks(&e.bytes) || keystore::is_pkcs12(&e.bytes)).count();
    if keystores > MAX_KEYSTORES_PER_ZIP {
        return Err(CertError::BadArchive {
            name: name.to_owned(),
            reason: format!(
                "it holds {keystores} keystores; certdesk opens at most {MAX_KEYSTORES_PER_ZIP} from one zip"
            ),
        });
    }
    let mut out = Material::default();
    for entry in &entries {
        let lower = entry.name.to_ascii_lowercase();
        let is_text = std::path::Path::new(&lower).extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        if is_text || lower.ends_with('/') {
            continue;
        }
        let entry_name = format!("{name}:{}", entry.name);
        if archive::is_zip(&entry.bytes) {
            return Err(CertError::BadArchive { name: entry_name, reason: "nested archives are not read".into() });
        }
        out.extend(read_single(&entry_name, &entry.bytes, password.as_deref())?);
    }
    if out.certificates.is_empty() && out.keys.is_empty() {
        return Err(CertError::NoCertificate(name.to_owned()));
    }
    Ok(out)
}

fn read_single(name: &str, bytes: &[u8], password: Option<&str>) -> Result<Material, CertError> {
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"{") {
        return read_json_export(name, bytes);
    }
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        return read_pem(name, &String::from_utf8_lossy(bytes));
    }
    if keystore::is_jks(bytes) {
        let password = password.ok_or_else(|| needs_password(name, "Java KeyStore"))?;
        return from_keystore(name, keystore::read_jks(name, bytes, password)?);
    }
    if bytes.first() == Some(&0x30) {
        return read_der(name, bytes, password);
    }
    Err(CertError::UnknownFormat(name.to_owned()))
}

fn needs_password(name: &str, what: &str) -> CertError {
    CertError::BadKeystore {
        name: name.to_owned(),
        reason: format!("this {what} needs a password (give it with --password-file or CERTDESK_KEYSTORE_PASSWORD)"),
    }
}

fn from_keystore(name: &str, contents: keystore::KeystoreContents) -> Result<Material, CertError> {
    let mut out = Material::default();
    for der in contents.keys {
        out.keys.push(LoadedKey { source: name.to_owned(), key: PrivateKey::from_pkcs8(name, &der)? });
    }
    out.certificates.extend(contents.certificates.into_iter().map(|der| LoadedCert { source: name.to_owned(), der }));
    Ok(out)
}

fn read_pem(name: &str, text: &str) -> Result<Material, CertError> {
    let mut out = Material::default();
    for (i, block) in pem::parse_blocks(name, text)?.into_iter().enumerate() {
        let source = format!("{name}#{}", i + 1);
        if block.label == "CERTIFICATE" || block.label == "TRUSTED CERTIFICATE" || block.label == "X509 CERTIFICATE" {
            check_certificate(&source, &block.der)?;
            out.certificates.push(LoadedCert { source, der: block.der });
        } else if block.is_private_key() {
            out.keys.push(LoadedKey { key: PrivateKey::from_pem_block(&source, &block)?, source });
        }
    }
    if out.certificates.is_empty() && out.keys.is_empty() {
        return Err(CertError::NoCertificate(name.to_owned()));
    }
    Ok(out)
}

/// A certificate must parse whole: a truncated or padded DER is refused, not half-read.
fn check_certificate(name: &str, der: &[u8]) -> Result<(), CertError> {
    match X509Certificate::from_der(der) {
        Ok((&[], _)) => Ok(()),
        Ok((rest, _)) => {
            Err(CertError::BadCertificate { name: name.into(), reason: format!("{} stray bytes after it", rest.len()) })
        }
        Err(e) => Err(CertError::BadCertificate { name: name.into(), reason: format!("{e}") }),
    }
}

fn read_der(name: &str, bytes: &[u8], password: Option<&str>) -> Result<Material, CertError> {
    let cert_error = match check_certificate(name, bytes) {
        Ok(()) => {
            return Ok(Material {
                certificates: vec![LoadedCert { source: name.into(), der: bytes.to_vec() }],
                keys: Vec::new(),
            });
        }
        Err(e) => e,
    };
    if let Ok(key) = PrivateKey::from_der(name, bytes) {
        return Ok(Material { certificates: Vec::new(), keys: vec![LoadedKey { source: name.into(), key }] });
    }
    // PKCS#12 is a DER SEQUENCE starting with version 3.
    if bytes.get(..8).is_some_and(|head| head.windows(3).any(|w| w == [0x02, 0x01, 0x03])) {
        let password = password.ok_or_else(|| needs_password(name, "PKCS#12 file"))?;
        return from_keystore(name, keystore::read_pkcs12(name, bytes, password)?);
    }
    Err(cert_error)
}

/// PCA's JSON export (`certificate`, `certificate_chain`, `private_key`) or SCM's (`entire_certificate`).
fn read_json_export(name: &str, bytes: &[u8]) -> Result<Material, CertError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| CertError::BadArchive { name: name.into(), reason: format!("not valid JSON ({e})") })?;
    let mut out = Material::default();
    for field in ["certificate", "certificate_chain", "entire_certificate", "private_key"] {
        let Some(text) = value.get(field).and_then(Value::as_str).filter(|t| !t.trim().is_empty()) else { continue };
        let part = read_pem(&format!("{name}:{field}"), text)?;
        for cert in part.certificates {
            if !out.certificates.iter().any(|c| c.der == cert.der) {
                out.certificates.push(cert);
            }
        }
        out.keys.extend(part.keys);
    }
    if out.certificates.is_empty() {
        return Err(CertError::NoCertificate(format!("{name} (JSON without a certificate field)")));
    }
    Ok(out)
}
