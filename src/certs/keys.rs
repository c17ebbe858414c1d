//! Private keys in the forms servers and clouds hand out (PKCS#8, PKCS#1 RSA, SEC1 EC),
//! normalised to PKCS#8, and matched against a certificate's public key.

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeyPair as RsaKeyPair;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING, EcdsaKeyPair,
    Ed25519KeyPair, KeyPair,
};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::CertError;
use super::pem::PemBlock;

/// A private key, held as PKCS#8 DER. Its `Debug` shows only the algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey {
    pkcs8: Vec<u8>,
    public: Vec<u8>,
    algorithm: &'static str,
}

impl Drop for PrivateKey {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.pkcs8);
    }
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

fn bad(name: &str, reason: &str) -> CertError {
    CertError::BadKey { name: name.to_owned(), reason: reason.to_owned() }
}

impl PrivateKey {
    /// Reads a PEM key block.
    pub fn from_pem_block(name: &str, block: &PemBlock) -> Result<Self, CertError> {
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8(name, &block.der),
            "RSA PRIVATE KEY" => {
                let kp = RsaKeyPair::from_der(&block.der).map_err(|e| bad(name, &format!("not an RSA key ({e})")))?;
                Self::from_rsa(name, &kp)
            }
            "EC PRIVATE KEY" => Self::from_sec1(name, &block.der),
            "ENCRYPTED PRIVATE KEY" => Err(bad(
                name,
                "the key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem) or export it again without a password",
            )),
            other => Err(bad(name, &format!("{other} is not a private key type certdesk reads"))),
        }
    }

    /// Reads a DER key of any supported form.
    pub fn from_der(name: &str, der: &[u8]) -> Result<Self, CertError> {
        Self::from_pkcs8(name, der)
            .or_else(|_| Self::from_sec1(name, der))
            .or_else(|_| RsaKeyPair::from_der(der).map_err(|_| bad(name, "")).and_then(|kp| Self::from_rsa(name, &kp)))
            .map_err(|_| bad(name, "not a PKCS#8, PKCS#1 or SEC1 private key"))
    }

    /// Reads a PKCS#8 key (RSA, EC P-256/384/521, Ed25519).
    pub fn from_pkcs8(name: &str, der: &[u8]) -> Result<Self, CertError> {
        if let Ok(kp) = RsaKeyPair::from_pkcs8(der) {
            return Self::from_rsa(name, &kp);
        }
        for alg in [&ECDSA_P256_SHA256_ASN1_SIGNING, &ECDSA_P384_SHA384_ASN1_SIGNING, &ECDSA_P521_SHA512_ASN1_SIGNING] {
            if let Ok(kp) = EcdsaKeyPair::from_pkcs8(alg, der) {
                return Self::from_ec(name, &kp);
            }
        }
        if let Ok(kp) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            let pkcs8 = kp.to_pkcs8v1().map_err(|_| bad(name, "Ed25519 key cannot be re-encoded"))?;
            return Ok(Self {
                pkcs8: pkcs8.as_ref().to_vec(),
                public: kp.public_key().as_ref().to_vec(),
                algorithm: "Ed25519",
            });
        }
        Err(bad(name, "not a PKCS#8 RSA, EC (P-256/384/521) or Ed25519 key"))
    }

    fn from_sec1(name: &str, der: &[u8]) -> Result<Self, CertError> {
        for alg in [&ECDSA_P256_SHA256_ASN1_SIGNING, &ECDSA_P384_SHA384_ASN1_SIGNING, &ECDSA_P521_SHA512_ASN1_SIGNING] {
            if let Ok(kp) = EcdsaKeyPair::from_private_key_der(alg, der) {
                return Self::from_ec(name, &kp);
            }
        }
        Err(bad(name, "not an EC key on P-256, P-384 or P-521"))
    }

    fn from_rsa(name: &str, kp: &RsaKeyPair) -> Result<Self, CertError> {
        let pkcs8: Pkcs8V1Der<'_> = kp.as_der().map_err(|_| bad(name, "RSA key cannot be re-encoded"))?;
        Ok(Self { pkcs8: pkcs8.as_ref().to_vec(), public: kp.public_key().as_ref().to_vec(), algorithm: "RSA" })
    }

    fn from_ec(name: &str, kp: &EcdsaKeyPair) -> Result<Self, CertError> {
        let pkcs8 = kp.to_pkcs8v1().map_err(|_| bad(name, "EC key cannot be re-encoded"))?;
        Ok(Self { pkcs8: pkcs8.as_ref().to_vec(), public: kp.public_key().as_ref().to_vec(), algorithm: "EC" })
    }

    /// The key as PKCS#8 DER (secret).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as PKCS#8 PEM (secret).
    pub fn pkcs8_pem(&self) -> String {
        super::pem::encode("PRIVATE KEY", &self.pkcs8)
    }

    /// `RSA`, `EC` or `Ed25519`.
    pub fn algorithm(&self) -> &'static str {
        self.algorithm
    }

    /// Whether this key belongs to the certificate (its public key is the certificate's).
    pub fn matches(&self, cert_der: &[u8]) -> bool {
        X509Certificate::from_der(cert_der)
            .is_ok_and(|(_, c)| c.public_key().subject_public_key.data.as_ref() == self.public)
    }
}
