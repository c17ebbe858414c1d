//! Writing what servers want from a certificate, its chain and key: PEM, DER, chain, full chain,
//! PKCS#8 key, PKCS#12, and the five server bundles laid out as PCA's zips (same file names).

use std::str::FromStr;

use super::CertError;
use super::archive::write_zip;
use super::keys::PrivateKey;
use super::keystore::{write_jks, write_pkcs12};
use super::pem;
use crate::cloud::pca::ServerType;
use crate::store::Sensitivity;

/// An output format of `certdesk convert`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// The certificate, PEM.
    Pem,
    /// The certificate, DER.
    Der,
    /// The chain without the leaf, PEM.
    Chain,
    /// Leaf then chain, PEM (nginx, haproxy).
    FullChain,
    /// The private key, PKCS#8 PEM.
    Key,
    /// PKCS#12 with key and chain.
    P12,
    /// A server bundle zip like PCA's.
    Server(ServerType),
}

impl FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "pem" => Self::Pem,
            "der" => Self::Der,
            "chain" => Self::Chain,
            "fullchain" => Self::FullChain,
            "key" => Self::Key,
            "p12" | "pfx" | "pkcs12" => Self::P12,
            other => Self::Server(other.parse().map_err(|_| {
                format!("unknown format {other:?}: use pem, der, chain, fullchain, key, p12, apache, nginx, iis, tomcat or other")
            })?),
        })
    }
}

impl OutputFormat {
    /// Whether the output holds the private key (and so is written 0600).
    pub fn sensitivity(self) -> Sensitivity {
        match self {
            Self::Key | Self::P12 | Self::Server(_) => Sensitivity::Secret,
            _ => Sensitivity::Public,
        }
    }
}

/// A certificate ready to be written: leaf, chain above it, and the key when there is one.
pub struct Identity<'a> {
    /// Leaf DER.
    pub leaf: &'a [u8],
    /// Chain DER, issuer first.
    pub chain: &'a [Vec<u8>],
    /// The private key.
    pub key: Option<&'a PrivateKey>,
}

/// A certificate with the chain above it in order and the key that belongs to it, gathered from
/// whatever a file or an export held (in any order): what PKCS#12 files and bundles are built
/// from, in the app and the CLI alike.
pub struct OwnedIdentity {
    /// Leaf DER.
    pub leaf: Vec<u8>,
    /// Chain DER, issuer first.
    pub chain: Vec<Vec<u8>>,
    /// The private key matching the leaf.
    pub key: Option<PrivateKey>,
}

impl OwnedIdentity {
    /// Orders the certificates into a chain from the leaf, and keeps the key that matches the
    /// leaf; a key that matches no leaf is an error, never silently bundled.
    pub fn from_material(
        name: &str,
        material: super::material::Material,
        now: time::OffsetDateTime,
    ) -> Result<Self, CertError> {
        let ders: Vec<Vec<u8>> = material.certificates.into_iter().map(|c| c.der).collect();
        if ders.is_empty() {
            return Err(CertError::NoCertificate(name.to_owned()));
        }
        let report = super::chain::build(&ders, now);
        let leaf_index = report.ordered.first().map_or(0, |l| l.input_index);
        let chain = report.ordered.iter().skip(1).map(|l| ders[l.input_index].clone()).collect();
        let leaf = ders[leaf_index].clone();
        let had_keys = !material.keys.is_empty();
        let key = material.keys.into_iter().map(|k| k.key).find(|k| k.matches(&leaf));
        if key.is_none() && had_keys {
            return Err(CertError::BadKey {
                name: name.to_owned(),
                reason: "the private key does not match the certificate; nothing was written".into(),
            });
        }
        Ok(Self { leaf, chain, key })
    }

    /// The identity to render.
    pub fn identity(&self) -> Identity<'_> {
        Identity { leaf: &self.leaf, chain: &self.chain, key: self.key.as_ref() }
    }
}

fn pem_all(ders: &[Vec<u8>]) -> String {
    ders.iter().map(|d| pem::encode("CERTIFICATE", d)).collect()
}

impl Identity<'_> {
    fn key(&self, what: &str) -> Result<&PrivateKey, CertError> {
        self.key
            .ok_or_else(|| CertError::Keystore(format!("{what} needs the private key; add the key file to the inputs")))
    }

    fn with_chain(&self) -> Vec<Vec<u8>> {
        let mut all = vec![self.leaf.to_vec()];
        all.extend(self.chain.iter().cloned());
        all
    }

    /// The bytes of one output format. `password` protects PKCS#12 and the keystores in IIS and
    /// TOMCAT bundles (then also written as `keystorePass.txt`, as PCA does).
    pub fn render(&self, format: OutputFormat, password: &str) -> Result<Vec<u8>, CertError> {
        Ok(match format {
            OutputFormat::Pem => pem::encode("CERTIFICATE", self.leaf).into_bytes(),
            OutputFormat::Der => self.leaf.to_vec(),
            OutputFormat::Chain => pem_all(self.chain).into_bytes(),
            OutputFormat::FullChain => pem_all(&self.with_chain()).into_bytes(),
            OutputFormat::Key => self.key("a key file")?.pkcs8_pem().into_bytes(),
            OutputFormat::P12 => {
                write_pkcs12("server", self.key("PKCS#12")?.pkcs8_der(), &self.with_chain(), password)?
            }
            OutputFormat::Server(kind) => self.server_zip(kind, password)?,
        })
    }

    /// The zip PCA hands out for a server type, built locally.
    pub fn server_zip(&self, kind: ServerType, password: &str) -> Result<Vec<u8>, CertError> {
        let key = self.key(&format!("a {kind} bundle"))?;
        let key_pem = key.pkcs8_pem();
        let cert_pem = pem::encode("CERTIFICATE", self.leaf);
        let chain_pem = pem_all(self.chain);
        match kind {
            ServerType::Apache => write_zip(&[
                ("server.key", key_pem.as_bytes()),
                ("chain.crt", chain_pem.as_bytes()),
                ("server.crt", cert_pem.as_bytes()),
            ]),
            ServerType::Nginx => {
                let full = format!("{cert_pem}{chain_pem}");
                write_zip(&[("server.key", key_pem.as_bytes()), ("server.crt", full.as_bytes())])
            }
            ServerType::Other => write_zip(&[
                ("server.key", key_pem.as_bytes()),
                ("chain.pem", chain_pem.as_bytes()),
                ("server.pem", cert_pem.as_bytes()),
            ]),
            ServerType::Iis => {
                let pfx = write_pkcs12("server", key.pkcs8_der(), &self.with_chain(), password)?;
                write_zip(&[("keystorePass.txt", password.as_bytes()), ("server.pfx", &pfx)])
            }
            ServerType::Tomcat => {
                let now_ms = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).unwrap_or(0) * 1000;
                let jks = write_jks("server", key.pkcs8_der(), &self.with_chain(), password, now_ms)?;
                write_zip(&[("keystorePass.txt", password.as_bytes()), ("server.jks", &jks)])
            }
        }
    }
}
