//! Real certificates for the simulator, made with rcgen: instance CAs and a private CA hierarchy.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SerialNumber,
};
use time::OffsetDateTime;

/// The key type of a generated certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256.
    Ec256,
    /// RSA 2048.
    Rsa2048,
}

impl KeyKind {
    /// The PCA API's name for it.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Ec256 => "EC256",
            Self::Rsa2048 => "RSA2048",
        }
    }

    /// A new key of this kind.
    pub fn generate(self) -> Result<KeyPair, rcgen::Error> {
        match self {
            Self::Ec256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
            Self::Rsa2048 => KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048),
        }
    }
}

/// A certificate with its key and chain.
#[derive(Clone)]
pub struct Material {
    /// Leaf DER.
    pub cert_der: Vec<u8>,
    /// Leaf PEM.
    pub cert_pem: String,
    /// Chain DER, issuer first, root last.
    pub chain_der: Vec<Vec<u8>>,
    /// Chain PEM, same order.
    pub chain_pem: String,
    /// The private key, PKCS#8 DER.
    pub key_der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
}

/// What a certificate should say.
pub struct Spec<'a> {
    /// Subject CN.
    pub common_name: &'a str,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// Not-before.
    pub not_before: OffsetDateTime,
    /// Not-after.
    pub not_after: OffsetDateTime,
    /// Key type.
    pub key: KeyKind,
    /// Serial bytes.
    pub serial: Vec<u8>,
}

fn params(spec: &Spec<'_>, ca: bool) -> Result<CertificateParams, rcgen::Error> {
    let mut p = CertificateParams::new(spec.dns_names.clone())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, spec.common_name);
    dn.push(DnType::OrganizationName, "certdesk simulator");
    dn.push(DnType::CountryName, "DE");
    p.distinguished_name = dn;
    p.not_before = spec.not_before;
    p.not_after = spec.not_after;
    p.serial_number = Some(SerialNumber::from(spec.serial.clone()));
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    } else {
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        p.use_authority_key_identifier_extension = true;
    }
    Ok(p)
}

/// A self-signed CA certificate (DER, PEM) on a key the caller keeps. Instance CAs share one
/// key: making a key per instance was most of a CA download's cost in the simulator, and no
/// client compares the keys of two instances' CAs (each certificate is its own: name, serial, dates).
pub fn self_signed_ca(spec: &Spec<'_>, key: &KeyPair) -> Result<(Vec<u8>, String), rcgen::Error> {
    let cert = params(spec, true)?.self_signed(key)?;
    Ok((cert.der().to_vec(), cert.pem()))
}

/// A CA that can issue.
pub struct Authority {
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// Its certificate, PEM.
    pub pem: String,
    /// Its certificate, DER.
    pub der: Vec<u8>,
    /// Its chain above it (PEM, parent first), empty for a root.
    pub chain_pem: String,
    /// Its chain above it (DER).
    pub chain_der: Vec<Vec<u8>>,
}

impl Authority {
    /// A self-signed root CA.
    pub fn root(spec: &Spec<'_>) -> Result<Self, rcgen::Error> {
        let issuer = CertifiedIssuer::self_signed(params(spec, true)?, spec.key.generate()?)?;
        let der = issuer.der().to_vec();
        Ok(Self { pem: issuer.pem(), der, issuer, chain_pem: String::new(), chain_der: Vec::new() })
    }

    /// A subordinate CA signed by `self`.
    pub fn subordinate(&self, spec: &Spec<'_>) -> Result<Self, rcgen::Error> {
        let issuer = CertifiedIssuer::signed_by(params(spec, true)?, spec.key.generate()?, &self.issuer)?;
        let der = issuer.der().to_vec();
        let mut chain_der = vec![self.der.clone()];
        chain_der.extend(self.chain_der.iter().cloned());
        Ok(Self { pem: issuer.pem(), der, issuer, chain_pem: format!("{}{}", self.pem, self.chain_pem), chain_der })
    }

    /// A leaf certificate signed by `self`.
    pub fn issue(&self, spec: &Spec<'_>) -> Result<Material, rcgen::Error> {
        let key = spec.key.generate()?;
        let cert = params(spec, false)?.signed_by(&key, &self.issuer)?;
        let mut chain_der = vec![self.der.clone()];
        chain_der.extend(self.chain_der.iter().cloned());
        Ok(Material {
            cert_der: cert.der().to_vec(),
            cert_pem: cert.pem(),
            chain_der,
            chain_pem: format!("{}{}", self.pem, self.chain_pem),
            key_der: key.serialize_der(),
            key_pem: key.serialize_pem(),
        })
    }
}
