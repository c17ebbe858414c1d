//! Everything an admin asks of a certificate: names, SANs, validity, key, signature,
//! fingerprints and every extension, read with x509-parser.

use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use super::CertError;
use super::summary::{Validity, days_left};

/// The full details of one certificate.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CertDetails {
    /// Subject DN, RFC 4514 (`CN=..,O=..,C=..`, most specific first, as `openssl -nameopt RFC2253,-esc_msb`).
    pub subject: String,
    /// Subject CN, when there is one.
    pub subject_cn: Option<String>,
    /// Issuer DN.
    pub issuer: String,
    /// Issuer CN.
    pub issuer_cn: Option<String>,
    /// Subject alternative names, as `DNS:..`, `IP:..`, `email:..`, `URI:..`.
    pub subject_alt_names: Vec<String>,
    /// Serial, upper-case hex without separators (as `openssl x509 -serial`).
    pub serial_hex: String,
    /// Whether the serial is negative (invalid per RFC 5280, seen in the wild).
    pub serial_negative: bool,
    /// Not-before.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// Not-after.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// Whole days left at the time of reading.
    pub days_left: i64,
    /// Valid / expiring / expired / not yet valid.
    pub validity: Validity,
    /// `RSA`, `EC`, `Ed25519`, ...
    pub key_algorithm: String,
    /// Key size in bits (RSA modulus, EC field).
    pub key_bits: Option<usize>,
    /// EC curve name.
    pub key_curve: Option<String>,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// SHA-1 fingerprint, `AB:CD:..`.
    pub sha1_fingerprint: String,
    /// SHA-256 fingerprint, `AB:CD:..`.
    pub sha256_fingerprint: String,
    /// Key usage names.
    pub key_usage: Vec<String>,
    /// Extended key usage names or OIDs.
    pub extended_key_usage: Vec<String>,
    /// Whether it is a CA (basic constraints).
    pub is_ca: bool,
    /// Path length constraint.
    pub path_len: Option<u32>,
    /// Subject key identifier, hex.
    pub subject_key_id: Option<String>,
    /// Authority key identifier, hex.
    pub authority_key_id: Option<String>,
    /// CRL distribution point URIs.
    pub crl_distribution_points: Vec<String>,
    /// Authority information access, `method: location`.
    pub authority_info_access: Vec<String>,
    /// Every extension, by OID and name, with its criticality.
    pub extensions: Vec<ExtensionInfo>,
    /// Problems worth a warning (unknown critical extensions, negative serial, unparsable extensions).
    pub warnings: Vec<String>,
}

/// One extension.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ExtensionInfo {
    /// Dotted OID.
    pub oid: String,
    /// Name, when known.
    pub name: String,
    /// Critical flag.
    pub critical: bool,
}

/// `AB:CD:..` upper-case hex.
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

fn general_name(name: &GeneralName<'_>) -> String {
    match name {
        GeneralName::DNSName(d) => format!("DNS:{d}"),
        GeneralName::RFC822Name(e) => format!("email:{e}"),
        GeneralName::URI(u) => format!("URI:{u}"),
        GeneralName::IPAddress(ip) => match ip.len() {
            4 => format!("IP:{}", std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3])),
            16 => {
                let mut octets = [0u8; 16];
                octets.copy_from_slice(ip);
                format!("IP:{}", std::net::Ipv6Addr::from(octets))
            }
            _ => format!("IP:{}", hex::encode(ip)),
        },
        GeneralName::DirectoryName(n) => format!("DirName:{}", slash_form(n)),
        other => format!("{other:?}"),
    }
}

fn oid_name(oid: &x509_parser::der_parser::oid::Oid<'_>) -> String {
    x509_parser::objects::oid2sn(oid, x509_parser::objects::oid_registry())
        .map_or_else(|_| oid.to_id_string(), str::to_owned)
}

fn curve_name(oid: &str) -> String {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256".into(),
        "1.3.132.0.34" => "P-384".into(),
        "1.3.132.0.35" => "P-521".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "1.2.156.10197.1.301" => "SM2".into(),
        other => other.into(),
    }
}

/// Short attribute names as openssl prints them; others print as dotted OIDs.
fn attribute_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.9" => "street",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        "1.2.840.113549.1.9.1" => "emailAddress",
        "2.5.4.5" => "serialNumber",
        "2.5.4.97" => "organizationIdentifier",
        "2.5.4.4" => "SN",
        "2.5.4.42" => "GN",
        "2.5.4.12" => "title",
        "2.5.4.17" => "postalCode",
        "2.5.4.15" => "businessCategory",
        "1.3.6.1.4.1.311.60.2.1.3" => "jurisdictionC",
        "1.3.6.1.4.1.311.60.2.1.2" => "jurisdictionST",
        "1.3.6.1.4.1.311.60.2.1.1" => "jurisdictionL",
        "2.5.4.46" => "dnQualifier",
        "2.5.4.65" => "pseudonym",
        "2.5.4.43" => "initials",
        "2.5.4.44" => "generationQualifier",
        "2.5.4.41" => "name",
        "2.5.4.13" => "description",
        _ => return None,
    })
}

/// Escapes an attribute value as RFC 4514 asks (and openssl does).
fn escape_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, ch) in value.chars().enumerate() {
        match ch {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(ch);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                out.push('\\');
                out.push_str(&hex::encode_upper(c.to_string().as_bytes()));
            }
            c => out.push(c),
        }
    }
    out
}

/// Old string types x509-parser leaves undecoded: T61 (read as Latin-1, as openssl does),
/// BMP (UTF-16BE) and Universal (UTF-32BE).
fn legacy_string(value: &x509_parser::der_parser::asn1_rs::Any<'_>) -> Option<String> {
    let data = value.data;
    match value.header.tag().0 {
        0x14 => Some(data.iter().map(|b| char::from(*b)).collect()),
        0x1e => {
            let units: Vec<u16> = data.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16(&units).ok()
        }
        0x1c => data.chunks_exact(4).map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))).collect(),
        _ => None,
    }
}

/// A name as openssl prints directory names in SANs: `/O=../CN=..`, in DER order.
fn slash_form(name: &x509_parser::x509::X509Name<'_>) -> String {
    name.iter()
        .map(|rdn| {
            let parts: Vec<String> = rdn
                .iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let key = attribute_name(&oid).map_or(oid, str::to_owned);
                    let value = atv
                        .as_str()
                        .map(str::to_owned)
                        .ok()
                        .or_else(|| legacy_string(atv.attr_value()))
                        .unwrap_or_default();
                    format!("{key}={value}")
                })
                .collect();
            parts.join("+")
        })
        .fold(String::new(), |mut out, rdn| {
            out.push('/');
            out.push_str(&rdn);
            out
        })
}

/// A name as RFC 4514 text: most specific RDN first, `+` between values of one RDN.
pub fn rfc4514(name: &x509_parser::x509::X509Name<'_>) -> String {
    let rdns: Vec<String> = name
        .iter()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let oid = atv.attr_type().to_id_string();
                    let key = attribute_name(&oid).map_or(oid, str::to_owned);
                    let value = match atv.as_str().map(str::to_owned).ok().or_else(|| legacy_string(atv.attr_value())) {
                        Some(v) => escape_value(&v),
                        // Values that are not strings print as hex DER, as RFC 4514 says.
                        None => format!("#{}", hex::encode(atv.attr_value().data)),
                    };
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    rdns.into_iter().rev().collect::<Vec<_>>().join(",")
}

/// Reads every detail of one DER certificate; `name` is used in errors.
pub fn details(name: &str, der: &[u8], now: OffsetDateTime, warn_days: i64) -> Result<CertDetails, CertError> {
    let bad = |reason: String| CertError::BadCertificate { name: name.to_owned(), reason };
    let (rest, cert) = X509Certificate::from_der(der).map_err(|e| bad(format!("{e}")))?;
    let mut warnings = Vec::new();
    if !rest.is_empty() {
        warnings.push(format!("{} bytes after the certificate were ignored", rest.len()));
    }
    let cn = |n: &x509_parser::x509::X509Name<'_>| {
        n.iter_common_name().next().and_then(|a| a.as_str().ok()).map(str::to_owned)
    };
    let serial = cert.raw_serial();
    let serial_negative = serial.first().is_some_and(|b| b & 0x80 != 0);
    if serial_negative {
        warnings.push("the serial number is negative (not allowed by RFC 5280)".into());
    }
    // Like openssl: leading zero bytes dropped, upper-case hex.
    let trimmed: Vec<u8> = serial.iter().copied().skip_while(|b| *b == 0).collect();
    let serial_hex = if trimmed.is_empty() { "00".into() } else { hex::encode_upper(&trimmed) };
    let not_before = cert.validity().not_before.to_datetime();
    let not_after = cert.validity().not_after.to_datetime();
    let spki = cert.public_key();
    let (key_algorithm, key_bits, key_curve) = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => ("RSA".to_owned(), Some(rsa.key_size()), None),
        Ok(PublicKey::EC(point)) => {
            let curve =
                spki.algorithm.parameters.as_ref().and_then(|p| p.as_oid().ok()).map(|o| curve_name(&o.to_id_string()));
            ("EC".to_owned(), Some(point.key_size()), curve)
        }
        Ok(PublicKey::DSA(_)) => ("DSA".to_owned(), None, None),
        Ok(PublicKey::GostR3410(_) | PublicKey::GostR3410_2012(_)) => ("GOST".to_owned(), None, None),
        Ok(PublicKey::Unknown(_)) | Err(_) => (oid_name(&spki.algorithm.algorithm), None, None),
    };
    let key_algorithm = match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.3.101.112" => "Ed25519".to_owned(),
        "1.3.101.113" => "Ed448".to_owned(),
        _ => key_algorithm,
    };
    let mut d = CertDetails {
        subject: rfc4514(cert.subject()),
        subject_cn: cn(cert.subject()),
        issuer: rfc4514(cert.issuer()),
        issuer_cn: cn(cert.issuer()),
        subject_alt_names: Vec::new(),
        serial_hex,
        serial_negative,
        not_before,
        not_after,
        days_left: days_left(now, not_after),
        validity: Validity::classify(now, not_before, not_after, warn_days),
        key_algorithm,
        key_bits,
        key_curve,
        signature_algorithm: oid_name(&cert.signature_algorithm.algorithm),
        sha1_fingerprint: colon_hex(&Sha1::digest(der)),
        sha256_fingerprint: colon_hex(&Sha256::digest(der)),
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        is_ca: false,
        path_len: None,
        subject_key_id: None,
        authority_key_id: None,
        crl_distribution_points: Vec::new(),
        authority_info_access: Vec::new(),
        extensions: Vec::new(),
        warnings,
    };
    for ext in cert.extensions() {
        apply_extension(&mut d, ext);
    }
    Ok(d)
}

/// Adds what one extension says to the details.
fn apply_extension(d: &mut CertDetails, ext: &x509_parser::extensions::X509Extension<'_>) {
    let known_name = oid_name(&ext.oid);
    d.extensions.push(ExtensionInfo { oid: ext.oid.to_id_string(), name: known_name.clone(), critical: ext.critical });
    match ext.parsed_extension() {
        ParsedExtension::SubjectAlternativeName(san) => {
            d.subject_alt_names.extend(san.general_names.iter().map(general_name));
        }
        ParsedExtension::KeyUsage(ku) => {
            let flags = [
                (ku.digital_signature(), "digitalSignature"),
                (ku.non_repudiation(), "nonRepudiation"),
                (ku.key_encipherment(), "keyEncipherment"),
                (ku.data_encipherment(), "dataEncipherment"),
                (ku.key_agreement(), "keyAgreement"),
                (ku.key_cert_sign(), "keyCertSign"),
                (ku.crl_sign(), "cRLSign"),
                (ku.encipher_only(), "encipherOnly"),
                (ku.decipher_only(), "decipherOnly"),
            ];
            d.key_usage = flags.iter().filter(|(on, _)| *on).map(|(_, n)| (*n).to_owned()).collect();
        }
        ParsedExtension::ExtendedKeyUsage(eku) => {
            let flags = [
                (eku.any, "anyExtendedKeyUsage"),
                (eku.server_auth, "serverAuth"),
                (eku.client_auth, "clientAuth"),
                (eku.code_signing, "codeSigning"),
                (eku.email_protection, "emailProtection"),
                (eku.time_stamping, "timeStamping"),
                (eku.ocsp_signing, "OCSPSigning"),
            ];
            d.extended_key_usage = flags.iter().filter(|(on, _)| *on).map(|(_, n)| (*n).to_owned()).collect();
            d.extended_key_usage.extend(eku.other.iter().map(oid_name));
        }
        ParsedExtension::BasicConstraints(bc) => {
            d.is_ca = bc.ca;
            d.path_len = bc.path_len_constraint;
        }
        ParsedExtension::SubjectKeyIdentifier(id) => d.subject_key_id = Some(hex::encode(id.0)),
        ParsedExtension::AuthorityKeyIdentifier(aki) => {
            d.authority_key_id = aki.key_identifier.as_ref().map(|k| hex::encode(k.0));
        }
        ParsedExtension::CRLDistributionPoints(points) => {
            for point in points.iter() {
                if let Some(DistributionPointName::FullName(names)) = &point.distribution_point {
                    d.crl_distribution_points.extend(names.iter().map(general_name));
                }
            }
        }
        ParsedExtension::AuthorityInfoAccess(aia) => {
            for desc in &aia.accessdescs {
                d.authority_info_access.push(format!(
                    "{}: {}",
                    oid_name(&desc.access_method),
                    general_name(&desc.access_location)
                ));
            }
        }
        ParsedExtension::UnsupportedExtension { .. } if ext.critical => {
            d.warnings.push(format!(
                "unknown critical extension {} ({known_name}): clients must reject this certificate",
                ext.oid.to_id_string()
            ));
        }
        ParsedExtension::ParseError { error } => {
            d.warnings.push(format!("extension {} ({known_name}) does not parse: {error}", ext.oid.to_id_string()));
        }
        _ => {}
    }
}
