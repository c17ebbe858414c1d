//! One implementation of "turn a private certificate's PCA export into files", for the app and
//! `certdesk export`: PEM as servers want it (LF line breaks, each piece ending in a newline),
//! the per-server PEM file sets, and PKCS#12 built from the ordered chain and the matching key.

use crate::certs::CertError;
use crate::certs::bundle::{OutputFormat, OwnedIdentity};
use crate::certs::material::{ReadOptions, read};
use crate::cloud::pca::ServerType;
use crate::cloud::wire::pca::ExportResponse;
use crate::store::Sensitivity;

/// PEM as servers want it: LF line breaks, ending in a newline (empty stays empty).
pub fn lf(pem: &str) -> String {
    let mut s = pem.replace("\r\n", "\n");
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// One PEM file: certificate, then its chain, then the key when asked (then it is a secret).
pub fn pem_bundle(export: &ExportResponse, include_key: bool) -> (String, Sensitivity) {
    let mut text = format!("{}{}", lf(&export.certificate), lf(&export.certificate_chain));
    if include_key {
        text.push_str(&lf(&export.private_key));
        return (text, Sensitivity::Secret);
    }
    (text, Sensitivity::Public)
}

/// Certificate and chain file names of a server type's PEM set (NGINX: the chain is inside).
fn pem_names(kind: ServerType) -> (&'static str, Option<&'static str>) {
    match kind {
        ServerType::Other => ("server.pem", Some("chain.pem")),
        ServerType::Nginx => ("server.crt", None),
        _ => ("server.crt", Some("chain.crt")),
    }
}

/// Every file name a server type's PEM set can have (the key only when PCA holds it).
pub fn server_file_names(kind: ServerType) -> Vec<&'static str> {
    let (cert, chain) = pem_names(kind);
    [Some(cert), chain, Some("server.key")].into_iter().flatten().collect()
}

/// The PEM files a server type wants, named as PCA's zips name them: NGINX takes the chain inside
/// `server.crt`; the key is a secret.
pub fn server_files(export: &ExportResponse, kind: ServerType) -> Vec<(&'static str, String, Sensitivity)> {
    let (cert_name, chain_name) = pem_names(kind);
    let cert = if chain_name.is_none() {
        format!("{}{}", lf(&export.certificate), lf(&export.certificate_chain))
    } else {
        lf(&export.certificate)
    };
    let mut files = vec![(cert_name, cert, Sensitivity::Public)];
    if let Some(name) = chain_name {
        files.push((name, lf(&export.certificate_chain), Sensitivity::Public));
    }
    if !export.private_key.is_empty() {
        files.push(("server.key", lf(&export.private_key), Sensitivity::Secret));
    }
    files
}

/// A server type's zip built here from an export that came as PEM (SCM exports have no zips):
/// the same files PCA's zips hold; IIS and TOMCAT keystores get a random password in
/// `keystorePass.txt`, as PCA does.
pub fn server_zip(export: &ExportResponse, kind: ServerType, now: time::OffsetDateTime) -> Result<Vec<u8>, CertError> {
    let (text, _) = pem_bundle(export, true);
    let material = read("the export", text.as_bytes(), &ReadOptions::default())?;
    if material.keys.is_empty() {
        return Err(CertError::BadKey {
            name: "the export".into(),
            reason: "it holds no private key (the cloud does not hold it); export PEM without the key instead".into(),
        });
    }
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| CertError::BadKey {
        name: "the bundle".into(),
        reason: "the system random generator failed".into(),
    })?;
    OwnedIdentity::from_material("the export", material, now)?.identity().server_zip(kind, &hex::encode(bytes))
}

/// A PKCS#12 file of the export: leaf, ordered chain and the key that matches the leaf.
pub fn pkcs12(export: &ExportResponse, password: &str, now: time::OffsetDateTime) -> Result<Vec<u8>, CertError> {
    let (text, _) = pem_bundle(export, true);
    let material = read("the export", text.as_bytes(), &ReadOptions::default())?;
    if material.keys.is_empty() {
        return Err(CertError::BadKey { name: "the export".into(), reason: "it holds no private key".into() });
    }
    OwnedIdentity::from_material("the export", material, now)?.identity().render(OutputFormat::P12, password)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn export(cert: &str, chain: &str, key: &str) -> ExportResponse {
        ExportResponse { certificate: cert.into(), certificate_chain: chain.into(), private_key: key.into() }
    }

    #[test]
    fn pem_pieces_end_in_a_newline_and_use_lf() {
        let e = export("C\r\nC", "H\r\n", "K");
        assert_eq!(pem_bundle(&e, false), ("C\nC\nH\n".to_owned(), Sensitivity::Public));
        assert_eq!(pem_bundle(&e, true), ("C\nC\nH\nK\n".to_owned(), Sensitivity::Secret));
        let nginx = server_files(&e, ServerType::Nginx);
        assert_eq!(nginx[0], ("server.crt", "C\nC\nH\n".to_owned(), Sensitivity::Public));
        assert_eq!(nginx[1], ("server.key", "K\n".to_owned(), Sensitivity::Secret));
        let names: Vec<_> = server_files(&e, ServerType::Other).iter().map(|f| f.0).collect();
        assert_eq!(names, ["server.pem", "chain.pem", "server.key"]);
    }

    #[test]
    fn a_key_without_a_certificate_is_an_error_not_a_panic() {
        let e = export("", "", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assert!(pkcs12(&e, "pw", time::OffsetDateTime::now_utc()).is_err());
    }
}
