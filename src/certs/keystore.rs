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

/// What a keystore held: the key (PKCS#8 DER) and certificates, leaf first.
#[derive(Clone)]
pub struct KeystoreContents {
    /// Private keys, PKCS#8 DER (secret).
    pub keys: Vec<Vec<u8>>,
    /// Certificates (key chains first, then trusted entries).
    pub certificates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for KeystoreContents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeystoreContents")
            .field("keys", &self.keys.len())
            .field("certificates", &self.certificates.len())
            .finish()
    }
}

/// Opens a PKCS#12 file; a wrong password or a damaged file is a clear error.
pub fn read_pkcs12(name: &str, data: &[u8], password: &str) -> Result<KeystoreContents, CertError> {
    // The work a file asks for is read first: key derivations of millions of iterations, many
    // bags, or scrypt are refused before the first derivation.
    if let Some(reason) =
        super::pkcs12_cost::refusal(data).or_else(|| super::pkcs12_cost::refusal_inside(data, password))
    {
        return Err(CertError::BadKeystore {
            name: name.to_owned(),
            reason: format!("{reason}. Export it again with the usual settings."),
        });
    }
    let store = p12_keystore::KeyStore::from_pkcs12(data, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| CertError::BadKeystore {
            name: name.to_owned(),
            reason: format!("cannot open the PKCS#12 file: wrong password, or the file is damaged ({e})"),
        })?;
    let mut out = KeystoreContents { keys: Vec::new(), certificates: Vec::new() };
    for (_, entry) in store.entries() {
        match entry {
            p12_keystore::KeyStoreEntry::PrivateKeyChain(chain) => {
                out.keys.push(chain.key().as_der().to_vec());
                out.certificates.extend(chain.certs().iter().map(|c| c.as_der().to_vec()));
            }
            p12_keystore::KeyStoreEntry::Certificate(cert) => out.certificates.push(cert.as_der().to_vec()),
            p12_keystore::KeyStoreEntry::Secret(_) => {}
        }
    }
    Ok(out)
}

/// Whether the bytes read as a PKCS#12 file's outer structure (nothing decrypted).
pub fn is_pkcs12(data: &[u8]) -> bool {
    use der::Decode;
    data.first() == Some(&0x30) && pkcs12::pfx::Pfx::from_der(data).is_ok()
}

/// Whether the bytes start like a Java KeyStore.
pub fn is_jks(data: &[u8]) -> bool {
    data.starts_with(&0xFEED_FEEDu32.to_be_bytes())
}

/// A bounds-checked reader over a byte slice.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.data.get(self.at..end)?;
        self.at = end;
        Some(out)
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn utf(&mut self) -> Option<&'a [u8]> {
        let n = self.u16()?;
        self.take(usize::from(n))
    }
    fn sized(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u32()?).ok()?;
        self.take(n)
    }
}

/// Splits one DER TLV: `(tag, content, rest)`.
fn der_read(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, rest) = (rest.get(..n)?, rest.get(n..)?);
        (bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)), rest)
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// Opens a Java KeyStore: checks its integrity with the password and decrypts key entries.
pub fn read_jks(name: &str, data: &[u8], password: &str) -> Result<KeystoreContents, CertError> {
    let fail = |reason: &str| CertError::BadKeystore { name: name.to_owned(), reason: reason.to_owned() };
    let damaged = || fail("the keystore is damaged or truncated");
    if data.len() < 32 || !is_jks(data) {
        return Err(fail("not a Java KeyStore"));
    }
    let pw: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let (body, digest) = data.split_at(data.len() - 20);
    if Sha1::digest([pw.as_slice(), b"Mighty Aphrodite", body].concat()).as_slice() != digest {
        return Err(fail("wrong keystore password, or the file is damaged (integrity check failed)"));
    }
    let mut c = Cursor { data: body, at: 4 };
    let version = c.u32().ok_or_else(damaged)?;
    if version != 1 && version != 2 {
        return Err(fail(&format!("unsupported JKS version {version}")));
    }
    let count = c.u32().ok_or_else(damaged)?;
    let mut out = KeystoreContents { keys: Vec::new(), certificates: Vec::new() };
    for _ in 0..count.min(10_000) {
        let tag = c.u32().ok_or_else(damaged)?;
        c.utf().ok_or_else(damaged)?; // alias
        c.take(8).ok_or_else(damaged)?; // timestamp
        match tag {
            1 => {
                let protected = c.sized().ok_or_else(damaged)?;
                out.keys.push(
                    unprotect_jks_key(protected, &pw)
                        .ok_or_else(|| fail("a key entry cannot be decrypted with this password"))?,
                );
                let n = c.u32().ok_or_else(damaged)?;
                for _ in 0..n.min(100) {
                    if version == 2 {
                        c.utf().ok_or_else(damaged)?; // certificate type
                    }
                    out.certificates.push(c.sized().ok_or_else(damaged)?.to_vec());
                }
            }
            2 => {
                if version == 2 {
                    c.utf().ok_or_else(damaged)?;
                }
                out.certificates.push(c.sized().ok_or_else(damaged)?.to_vec());
            }
            other => return Err(fail(&format!("unknown JKS entry type {other}"))),
        }
    }
    Ok(out)
}

/// Reverses the JDK `KeyProtector`: SHA-1 keystream over salt, checked by a trailing digest.
fn unprotect_jks_key(epki: &[u8], pw: &[u8]) -> Option<Vec<u8>> {
    let (_, seq, _) = der_read(epki)?;
    let (_, _algorithm, rest) = der_read(seq)?;
    let (tag, encrypted, _) = der_read(rest)?;
    if tag != 0x04 || encrypted.len() < 40 {
        return None;
    }
    let (salt, rest) = encrypted.split_at(20);
    let (xored, check) = rest.split_at(rest.len() - 20);
    let mut digest = salt.to_vec();
    let mut plain = Vec::with_capacity(xored.len());
    for chunk in xored.chunks(20) {
        digest = Sha1::digest([pw, digest.as_slice()].concat()).to_vec();
        plain.extend(chunk.iter().zip(&digest).map(|(a, b)| a ^ b));
    }
    (Sha1::digest([pw, plain.as_slice()].concat()).as_slice() == check).then_some(plain)
}
