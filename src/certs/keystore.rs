//! PKCS#12 (IIS `server.pfx`) and Java KeyStore (TOMCAT `server.jks`) writers.

use sha1::{Digest, Sha1};

use super::CertError;

/// Builds a PKCS#12 file with a key and its chain (leaf first), AES-256 + HMAC-SHA256 protected.
pub fn write_pkcs12(
    alias: &str,
    key_pkcs8_der: &[u8],
    chain_der: &[Vec<u8>],
    password: &str,
) -> Result<Vec<u8>, CertError> {
    let err = |e: p12_keystore::error::Error| CertError::Keystore(e.to_string());
    let key = p12_keystore::PrivateKey::from_der(key_pkcs8_der).map_err(err)?;
    let certs = chain_der
        .iter()
        .map(|der| p12_keystore::Certificate::from_der(der))
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    let key_id = Sha1::digest(chain_der.first().map_or(&[][..], Vec::as_slice)).to_vec();
    let chain = p12_keystore::PrivateKeyChain::new(key_id, key, certs);
    let mut store = p12_keystore::KeyStore::new();
    store.add_entry(alias, p12_keystore::KeyStoreEntry::PrivateKeyChain(chain));
    store.writer(password).write().map_err(err)
}

/// The JKS key-protection algorithm OID (Sun's proprietary `1.3.6.1.4.1.42.2.17.1.1`), DER-encoded.
const JKS_KEY_PROTECTOR_OID: &[u8] = &[0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01];

/// Builds a Java KeyStore (version 2) with one private-key entry and its chain (leaf first).
///
/// JKS is what Tomcat's `server.jks` holds. No maintained crate writes it, so this follows the
/// format as the JDK reads it: entries, then a SHA-1 over password + "Mighty Aphrodite" + data;
/// the key is protected with the JDK's `KeyProtector` (SHA-1 keystream, salt, check digest).
pub fn write_jks(
    alias: &str,
    key_pkcs8_der: &[u8],
    chain_der: &[Vec<u8>],
    password: &str,
    created_ms: u64,
) -> Result<Vec<u8>, CertError> {
    if chain_der.is_empty() {
        return Err(CertError::Keystore("a JKS key entry needs at least one certificate".into()));
    }
    let pw: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let salt: [u8; 20] = Sha1::digest([key_pkcs8_der, &created_ms.to_be_bytes(), alias.as_bytes()].concat()).into();
    let mut encrypted = salt.to_vec();
    let mut digest = salt.to_vec();
    for chunk in key_pkcs8_der.chunks(20) {
        digest = Sha1::digest([pw.as_slice(), digest.as_slice()].concat()).to_vec();
        encrypted.extend(chunk.iter().zip(&digest).map(|(a, b)| a ^ b));
    }
    encrypted.extend_from_slice(&Sha1::digest([pw.as_slice(), key_pkcs8_der].concat()));
    let algorithm = der_tlv(0x30, &[JKS_KEY_PROTECTOR_OID, &[0x05, 0x00]].concat());
    let protected = der_tlv(0x30, &[algorithm, der_tlv(0x04, &encrypted)].concat());

    let mut out = Vec::new();
    out.extend_from_slice(&0xFEED_FEEDu32.to_be_bytes());
    out.extend_from_slice(&2u32.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&1u32.to_be_bytes()); // tag 1: private key entry
    put_utf(&mut out, alias)?;
    out.extend_from_slice(&created_ms.to_be_bytes());
    put_len(&mut out, protected.len())?;
    out.extend_from_slice(&protected);
    put_len(&mut out, chain_der.len())?;
    for cert in chain_der {
        put_utf(&mut out, "X.509")?;
        put_len(&mut out, cert.len())?;
        out.extend_from_slice(cert);
    }
    let integrity = Sha1::digest([pw.as_slice(), b"Mighty Aphrodite", out.as_slice()].concat());
    out.extend_from_slice(&integrity);
    Ok(out)
}

fn put_len(out: &mut Vec<u8>, len: usize) -> Result<(), CertError> {
    let len = u32::try_from(len).map_err(|_| CertError::Keystore("entry too large".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    Ok(())
}

fn put_utf(out: &mut Vec<u8>, s: &str) -> Result<(), CertError> {
    let len = u16::try_from(s.len()).map_err(|_| CertError::Keystore("alias too long".into()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// A DER tag-length-value.
fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        #[expect(clippy::cast_possible_truncation, reason = "checked < 0x80")]
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len.to_be_bytes().into_iter().skip_while(|b| *b == 0).collect();
        #[expect(clippy::cast_possible_truncation, reason = "a usize has at most 8 bytes")]
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}
