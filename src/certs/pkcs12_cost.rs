//! How much key-derivation work a PKCS#12 file asks for, read before any of it is done: a
//! hostile file can ask for millions of iterations per bag, many bags, or scrypt's memory. PBKDF2
//! parameters, PKCS#12 PBE parameters and the MAC data all hold their iteration count as an
//! INTEGER right after the salt's OCTET STRING in one SEQUENCE; that pattern is looked for in
//! every structure readable without the password (DER, and BER's indefinite lengths and
//! constructed OCTET STRINGs, as some exporters write).

/// Iterations accepted per key derivation: above what OpenSSL (2,048), Java's keytool (10,000),
/// Windows (2,000) and PCA's own files use, far below what makes a file a denial of service.
pub const MAX_ITERATIONS: u64 = 100_000;
/// Iterations accepted over all derivations visible before decryption.
pub const MAX_TOTAL_ITERATIONS: u64 = 1_000_000;

/// Key derivations accepted for one file, all parts and both readings together: more than any
/// real keystore needs (a key and a few certificates take 2 to 6).
pub const MAX_DERIVATIONS: u64 = 64;
/// Bags accepted in one file, inside its encrypted parts too.
pub const MAX_BAGS: u64 = 1_000;
/// Keys accepted in one file, and keys times certificates: the reader builds a chain for every
/// key out of every certificate (a real file holds one key and a handful of certificates).
pub const MAX_KEYS: u64 = 16;
/// See [`MAX_KEYS`].
pub const MAX_KEY_CERTIFICATE_PAIRS: u64 = 4_096;

/// DER of the scrypt OID (1.3.6.1.4.1.11591.4.11): its cost is memory, not iterations.
const SCRYPT_OID: &[u8] = &[0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b];
/// Nesting deeper than any PKCS#12 structure.
const MAX_DEPTH: usize = 48;

/// Why a PKCS#12 file is not opened, in words for the user.
pub fn refusal(der: &[u8]) -> Option<String> {
    if der.windows(SCRYPT_OID.len()).any(|w| w == SCRYPT_OID) {
        return Some("protects its keys with scrypt, which certdesk does not open".into());
    }
    let mut counts = Vec::new();
    if walk(der, 0, false, &mut counts).is_none_or(|rest| !rest.is_empty()) {
        return Some("has a structure certdesk cannot read before opening it".into());
    }
    let max = counts.iter().copied().max().unwrap_or(0);
    let total = counts.iter().fold(0u64, |sum, c| sum.saturating_add(*c));
    if max > MAX_ITERATIONS {
        return Some(format!(
            "asks for {max} key-derivation iterations; certdesk opens files with at most {MAX_ITERATIONS} (OpenSSL, \
             keytool and Windows write 2,000 to 10,000)"
        ));
    }
    if total > MAX_TOTAL_ITERATIONS {
        return Some(format!(
            "asks for {total} key-derivation iterations over {} derivations; certdesk opens files with at most \
             {MAX_TOTAL_ITERATIONS} in all",
            counts.len()
        ));
    }
    None
}

/// The work a file asks for once its encrypted parts are opened, counted before each key
/// derivation: the MAC, every encrypted part (decrypted here to look inside, then again when the
/// file is read: both count) and every bag found in them, with their iteration counts, against
/// one budget for the whole file. A wrong password ends the count: nothing more can be derived.
pub fn refusal_inside(der: &[u8], password: &str) -> Option<String> {
    inside::count(der, password).err()
}

mod inside {
    use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
    use cms::cert::x509::spki::AlgorithmIdentifierOwned;
    use cms::content_info::ContentInfo;
    use cms::encrypted_data::EncryptedData;
    use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
    use der::{Decode, Encode};
    use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
    use pkcs12::safe_bag::SafeContents;

    use super::{
        MAX_BAGS, MAX_DERIVATIONS, MAX_ITERATIONS, MAX_KEY_CERTIFICATE_PAIRS, MAX_KEYS, MAX_TOTAL_ITERATIONS,
        SCRYPT_OID,
    };

    const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    const ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
    const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
    const SHROUDED_KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
    const SECRET_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.5");
    const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
    const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");

    /// A secret bag as the reader reads it (p12-keystore's `SecretBag`): its key is wrapped in an
    /// `EncryptedPrivateKeyInfo` the reader decrypts.
    #[derive(der::Sequence)]
    struct SecretBag {
        object_identifier: ObjectIdentifier,
        #[asn1(context_specific = "0")]
        encrypted_private_key_info: OctetString,
        bag_attributes: Option<cms::cert::x509::attr::Attributes>,
    }

    /// What has been spent so far.
    #[derive(Default)]
    struct Budget {
        derivations: u64,
        iterations: u64,
        bags: u64,
        keys: u64,
        certificates: u64,
    }

    impl Budget {
        /// Counts `n` derivations of `iterations` each, refusing before any is done past the limits.
        fn derive(&mut self, n: u64, iterations: u64) -> Result<(), String> {
            if iterations > MAX_ITERATIONS {
                return Err(format!(
                    "asks for {iterations} key-derivation iterations inside its encrypted part; certdesk opens files \
                     with at most {MAX_ITERATIONS}"
                ));
            }
            self.derivations = self.derivations.saturating_add(n);
            self.iterations = self.iterations.saturating_add(iterations.saturating_mul(n));
            if self.derivations > MAX_DERIVATIONS {
                return Err(format!(
                    "asks for more than {MAX_DERIVATIONS} key derivations (keys hidden in its encrypted part \
                     included); certdesk opens files with at most that many"
                ));
            }
            if self.iterations > MAX_TOTAL_ITERATIONS {
                return Err(format!(
                    "asks for more than {MAX_TOTAL_ITERATIONS} key-derivation iterations in all (its encrypted part \
                     included); certdesk opens files with at most that many"
                ));
            }
            Ok(())
        }

        fn bag(&mut self) -> Result<(), String> {
            self.bags += 1;
            if self.bags > MAX_BAGS {
                return Err(format!("holds more than {MAX_BAGS} bags; certdesk opens files with at most that many"));
            }
            Ok(())
        }

        /// Keys and certificates the reader links into chains, each key with every certificate.
        fn linked(&mut self, keys: u64, certificates: u64) -> Result<(), String> {
            self.keys += keys;
            self.certificates += certificates;
            if self.keys > MAX_KEYS || self.keys.saturating_mul(self.certificates) > MAX_KEY_CERTIFICATE_PAIRS {
                return Err(format!(
                    "holds {} keys and {} certificates; certdesk opens files with at most {MAX_KEYS} keys and \
                     {MAX_KEY_CERTIFICATE_PAIRS} key-certificate pairs",
                    self.keys, self.certificates
                ));
            }
            Ok(())
        }
    }

    /// How a part is protected: its derivations' iteration count and how many it takes (PBES1
    /// derives the key and the IV apart); `None`: not a scheme certdesk opens (the reader says so).
    fn cost(alg: &AlgorithmIdentifierOwned) -> Result<Option<(u64, u64)>, String> {
        let Some(params) = alg.parameters.as_ref().and_then(|p| p.to_der().ok()) else { return Ok(None) };
        if alg.oid == PBES2 {
            let Ok(params) = pkcs5::pbes2::Parameters::from_der(&params) else { return Ok(None) };
            return match params.kdf {
                pkcs5::pbes2::Kdf::Pbkdf2(p) => Ok(Some((u64::from(p.iteration_count), 1))),
                pkcs5::pbes2::Kdf::Scrypt(_) => {
                    Err("protects its keys with scrypt, which certdesk does not open".into())
                }
                _ => Ok(None),
            };
        }
        if alg.oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC
            || alg.oid == pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC
        {
            let Ok(params) = Pkcs12PbeParams::from_der(&params) else { return Ok(None) };
            return Ok(Some((u64::try_from(params.iterations).unwrap_or(u64::MAX), 2)));
        }
        Ok(None)
    }

    /// An encrypted part's content, or `None` when the password does not open it.
    fn decrypt(alg: &AlgorithmIdentifierOwned, data: &[u8], password: &str) -> Option<Vec<u8>> {
        let params = alg.parameters.as_ref()?.to_der().ok()?;
        if alg.oid == PBES2 {
            return pkcs5::pbes2::Parameters::from_der(&params).ok()?.decrypt(password.as_bytes(), data).ok();
        }
        let pbe = Pkcs12PbeParams::from_der(&params).ok()?;
        let derive = |kind, len| {
            pkcs12::kdf::derive_key_utf8::<sha1_pkcs12::Sha1>(password, pbe.salt.as_bytes(), kind, pbe.iterations, len)
                .ok()
        };
        let iv = derive(pkcs12::kdf::Pkcs12KeyType::Iv, 8)?;
        if alg.oid == pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC {
            let key = derive(pkcs12::kdf::Pkcs12KeyType::EncryptionKey, 24)?;
            let cipher = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv).ok()?;
            return cipher.decrypt_padded_vec::<Pkcs7>(data).ok();
        }
        let key = derive(pkcs12::kdf::Pkcs12KeyType::EncryptionKey, 5)?;
        let cipher = cbc::Decryptor::<rc2::Rc2>::new_from_slices(&key, &iv).ok()?;
        cipher.decrypt_padded_vec::<Pkcs7>(data).ok()
    }

    /// Counts the bags of a safe and the derivations their keys will take.
    fn bags(contents: &[u8], budget: &mut Budget) -> Result<(), String> {
        let Ok(bags) = SafeContents::from_der(contents) else { return Ok(()) };
        for bag in bags {
            budget.bag()?;
            if bag.bag_id == SHROUDED_KEY_BAG {
                budget.linked(1, 0)?;
                if let Ok(key) = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                    && let Some((iterations, n)) = cost(&key.value.encryption_algorithm)?
                {
                    budget.derive(n, iterations)?;
                }
            } else if bag.bag_id == KEY_BAG {
                budget.linked(1, 0)?;
            } else if bag.bag_id == CERT_BAG {
                budget.linked(0, 1)?;
            } else if bag.bag_id == SECRET_BAG {
                // Read as the reader reads it, then counted (and scrypt refused) as a key is.
                let wrapped = der::Any::from_der(&bag.bag_value)
                    .ok()
                    .and_then(|envelope| SecretBag::from_der(envelope.value()).ok())
                    .and_then(|secret| {
                        EncryptedPrivateKeyInfo::from_der(secret.encrypted_private_key_info.as_bytes()).ok()
                    });
                if let Some(key) = wrapped
                    && let Some((iterations, n)) = cost(&key.encryption_algorithm)?
                {
                    budget.derive(n, iterations)?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn count(der: &[u8], password: &str) -> Result<(), String> {
        // What does not read here is the reader's to report, in its own words.
        let Ok(pfx) = pkcs12::pfx::Pfx::from_der(der) else { return Ok(()) };
        let mut budget = Budget::default();
        if let Some(mac) = &pfx.mac_data {
            budget.derive(1, u64::try_from(mac.iterations).unwrap_or(u64::MAX))?;
        }
        if pfx.auth_safe.content_type != DATA {
            return Ok(());
        }
        let Some(safes) = pfx
            .auth_safe
            .content
            .to_der()
            .ok()
            .and_then(|d| OctetString::from_der(&d).ok())
            .and_then(|o| Vec::<ContentInfo>::from_der(o.as_bytes()).ok())
        else {
            return Ok(());
        };
        for safe in safes {
            let Ok(content) = safe.content.to_der() else { continue };
            if safe.content_type == DATA {
                if let Ok(octets) = OctetString::from_der(&content) {
                    bags(octets.as_bytes(), &mut budget)?;
                }
            } else if safe.content_type == ENCRYPTED_DATA {
                let Ok(encrypted) = EncryptedData::from_der(&content) else { continue };
                let info = &encrypted.enc_content_info;
                let (Some((iterations, n)), Some(data)) = (cost(&info.content_enc_alg)?, &info.encrypted_content)
                else {
                    continue;
                };
                // Opened here, and again by the reader.
                budget.derive(2 * n, iterations)?;
                let Some(plain) = decrypt(&info.content_enc_alg, data.as_bytes(), password) else { return Ok(()) };
                // Whatever the structure, scrypt anywhere inside is refused (its cost is memory).
                if plain.windows(SCRYPT_OID.len()).any(|w| w == SCRYPT_OID) {
                    return Err("protects its keys with scrypt, which certdesk does not open".into());
                }
                bags(&plain, &mut budget)?;
            }
        }
        Ok(())
    }
}

/// Tag, length (`None`: indefinite) and the bytes after the header.
fn header(input: &[u8]) -> Option<(u8, Option<usize>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    if first == 0x80 {
        return Some((tag, None, rest));
    }
    if first < 0x80 {
        return Some((tag, Some(usize::from(first)), rest));
    }
    let n = usize::from(first & 0x7f);
    if n > 4 || rest.len() < n {
        return None;
    }
    let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some((tag, Some(len), &rest[n..]))
}

/// Walks elements until the input ends (or, `in_indefinite`, until the end-of-contents marker);
/// collects iteration counts; returns what follows. `None`: not readable.
fn walk<'a>(mut input: &'a [u8], depth: usize, in_indefinite: bool, counts: &mut Vec<u64>) -> Option<&'a [u8]> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut previous_tag = None;
    loop {
        if input.is_empty() {
            return (!in_indefinite).then_some(input);
        }
        if in_indefinite && input.starts_with(&[0, 0]) {
            return Some(&input[2..]);
        }
        let (tag, len, after) = header(input)?;
        let constructed = tag & 0x20 != 0;
        let (content, rest) = match len {
            Some(len) if after.len() >= len => (&after[..len], &after[len..]),
            // Indefinite: only constructed; its content ends at the marker (counts found inside
            // are kept, except a constructed OCTET STRING's: its pieces are read joined, below).
            None if constructed => {
                let mut pieces = Vec::new();
                let found = if tag == 0x24 { &mut pieces } else { &mut *counts };
                let rest = walk(after, depth + 1, true, found)?;
                let used = after.len() - rest.len() - 2;
                (&after[..used], rest)
            }
            // Longer than the input, or a primitive of indefinite length.
            _ => return None,
        };
        match tag {
            0x04 => scan_octets(content, depth, counts),
            // A BER constructed OCTET STRING: its pieces, joined, may carry the structure.
            0x24 => {
                let mut joined = Vec::new();
                collect_octets(content, depth + 1, &mut joined)?;
                scan_octets(&joined, depth, counts);
            }
            0x02 if previous_tag == Some(0x04) && content.len() <= 8 => {
                counts.push(content.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)));
            }
            _ if constructed && len.is_some() => {
                walk(content, depth + 1, false, counts)?;
            }
            _ => {}
        }
        previous_tag = Some(tag & !0x20);
        input = rest;
    }
}

/// The counts inside an OCTET STRING that holds DER (the authenticated safe, unencrypted safe
/// contents, a certificate); ciphertext is no DER and holds none readable.
fn scan_octets(content: &[u8], depth: usize, counts: &mut Vec<u64>) {
    if content.first() == Some(&0x30) {
        let mut inner = Vec::new();
        if walk(content, depth + 1, false, &mut inner).is_some_and(<[u8]>::is_empty) {
            counts.extend(inner);
        }
    }
}

/// The bytes of a constructed OCTET STRING's pieces, in order.
fn collect_octets(mut input: &[u8], depth: usize, out: &mut Vec<u8>) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    while !input.is_empty() {
        let (tag, len, after) = header(input)?;
        let len = len?;
        let (content, rest) = (after.get(..len)?, &after[len..]);
        match tag {
            0x04 => out.extend_from_slice(content),
            0x24 => collect_octets(content, depth + 1, out)?,
            _ => return None,
        }
        input = rest;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = parts.concat();
        let mut out = vec![0x30, u8::try_from(body.len()).unwrap()];
        out.extend(body);
        out
    }

    fn params(iterations: &[u8]) -> Vec<u8> {
        let mut int = vec![0x02, u8::try_from(iterations.len()).unwrap()];
        int.extend(iterations);
        seq(&[&[0x04, 0x02, 0xaa, 0xbb], &int])
    }

    #[test]
    fn the_iteration_count_after_a_salt_is_found_at_any_depth_and_in_ber() {
        let costly = params(&[0x1e, 0x84, 0x80]);
        let wrapped = seq(&[&[0x06, 0x01, 0x2a], &costly]);
        let mut octets = vec![0x04, u8::try_from(wrapped.len()).unwrap()];
        octets.extend(&wrapped);
        assert!(refusal(&seq(&[&octets])).unwrap().contains("asks for 2000000"));
        // The same inside BER: an indefinite SEQUENCE and a constructed OCTET STRING in two pieces.
        let (a, b) = wrapped.split_at(3);
        let mut ber = vec![0x30, 0x80, 0x24, 0x80, 0x04, u8::try_from(a.len()).unwrap()];
        ber.extend(a);
        ber.extend([0x04, u8::try_from(b.len()).unwrap()]);
        ber.extend(b);
        ber.extend([0, 0, 0, 0]);
        assert!(refusal(&ber).unwrap().contains("asks for 2000000"), "{:?}", refusal(&ber));
        assert_eq!(refusal(&seq(&[&params(&[0x08, 0x00])])), None, "2,048 opens");
    }

    #[test]
    fn many_derivations_scrypt_and_unreadable_structures_are_refused() {
        let many: Vec<Vec<u8>> = (0..11).map(|_| params(&[0x01, 0x86, 0xa0])).collect();
        let parts: Vec<&[u8]> = many.iter().map(Vec::as_slice).collect();
        assert!(refusal(&seq(&parts)).unwrap().contains("over 11 derivations"));
        assert!(refusal(&seq(&[SCRYPT_OID])).unwrap().contains("scrypt"));
        let mut deep = vec![0x30, 0x00];
        for _ in 0..60 {
            deep = seq(&[&deep]);
        }
        assert!(refusal(&deep).unwrap().contains("structure"));
        assert!(refusal(b"not der").is_some());
    }

    /// A PKCS#12 file whose only part is encrypted and holds `bags` shrouded keys, each asking for
    /// `iterations`: nothing of it is visible before the password opens that part.
    fn hidden_bags(bags: usize, iterations: u32, password: &str) -> Vec<u8> {
        use der::Encode;
        let key = pkcs12::pbe_params::EncryptedPrivateKeyInfo {
            encryption_algorithm: pbkdf2_alg(iterations).1,
            encrypted_data: der::asn1::OctetString::new(vec![0_u8; 48]).unwrap(),
        }
        .to_der()
        .unwrap();
        let shrouded = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
        let safe: Vec<pkcs12::SafeBag> = (0..bags)
            .map(|_| pkcs12::SafeBag { bag_id: shrouded, bag_value: key.clone(), bag_attributes: None })
            .collect();
        hidden(&safe, password)
    }

    fn pbkdf2_alg(iterations: u32) -> (pkcs5::pbes2::Parameters, cms::cert::x509::spki::AlgorithmIdentifierOwned) {
        use der::{Decode, Encode};
        let params = pkcs5::pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(iterations, &[7; 16], [9; 16]).unwrap();
        let any = der::asn1::Any::from_der(&params.to_der().unwrap()).unwrap();
        let oid = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
        (params, cms::cert::x509::spki::AlgorithmIdentifierOwned { oid, parameters: Some(any) })
    }

    /// A PKCS#12 file whose only part is encrypted (PBES2, 2,048 iterations) and holds these bags.
    fn hidden(safe: &[pkcs12::SafeBag], password: &str) -> Vec<u8> {
        use cms::content_info::{CmsVersion, ContentInfo};
        use cms::encrypted_data::EncryptedData;
        use cms::enveloped_data::EncryptedContentInfo;
        use der::asn1::{Any, ObjectIdentifier, OctetString};
        use der::{Decode, Encode};
        let data = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
        let (params, outer) = pbkdf2_alg(2048);
        let encrypted = params.encrypt(password.as_bytes(), &safe.to_vec().to_der().unwrap()).unwrap();
        let part = EncryptedData {
            version: CmsVersion::V0,
            enc_content_info: EncryptedContentInfo {
                content_type: data,
                content_enc_alg: outer,
                encrypted_content: Some(OctetString::new(encrypted).unwrap()),
            },
            unprotected_attrs: None,
        };
        let part = ContentInfo {
            content_type: ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6"),
            content: Any::from_der(&part.to_der().unwrap()).unwrap(),
        };
        let safes = OctetString::new(vec![part].to_der().unwrap()).unwrap();
        pkcs12::pfx::Pfx {
            version: pkcs12::pfx::Version::V3,
            auth_safe: ContentInfo { content_type: data, content: Any::from_der(&safes.to_der().unwrap()).unwrap() },
            mac_data: None,
        }
        .to_der()
        .unwrap()
    }

    #[test]
    fn keys_hidden_in_an_encrypted_part_count_against_the_files_budget_before_any_is_derived() {
        let bomb = hidden_bags(2_000, 100_000, "pw");
        assert_eq!(refusal(&bomb), None, "nothing of it shows before decryption");
        let started = std::time::Instant::now();
        let reason = refusal_inside(&bomb, "pw").unwrap();
        assert!(reason.contains("key derivations") || reason.contains("iterations in all"), "{reason}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        let refused = super::super::keystore::read_pkcs12("bomb.p12", &bomb, "pw").unwrap_err().to_string();
        assert!(refused.contains("key derivations") || refused.contains("iterations in all"), "{refused}");
        // One hidden key asking too much by itself; a few modest ones pass the count.
        assert!(refusal_inside(&hidden_bags(1, 2_000_000, "pw"), "pw").unwrap().contains("inside its encrypted part"));
        assert_eq!(refusal_inside(&hidden_bags(3, 2_048, "pw"), "pw"), None);
        // A wrong password opens nothing, so nothing more can be derived: the reader says why.
        assert_eq!(refusal_inside(&bomb, "wrong"), None);
    }

    #[test]
    fn a_hidden_secret_bag_with_scrypt_is_refused_before_the_reader_derives_or_panics_on_it() {
        use der::{Decode, Encode};
        #[derive(der::Sequence)]
        struct Secret {
            object_identifier: der::asn1::ObjectIdentifier,
            #[asn1(context_specific = "0")]
            encrypted_private_key_info: der::asn1::OctetString,
        }
        // PBES2 with scrypt of cost 0 (the reader's scrypt panics on it) and AES-256-CBC.
        let mut kdf = [&[0x30, 0x19][..], SCRYPT_OID].concat();
        kdf.extend([0x30, 0x0c, 0x04, 0x04, 1, 2, 3, 4, 0x02, 0x01, 0x00, 0x02, 0x01, 0x08]);
        let enc = [
            0x30, 0x1d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a, 0x04, 0x10, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        let mut params = vec![0x30, u8::try_from(kdf.len() + enc.len()).unwrap()];
        params.extend(kdf);
        params.extend(enc);
        let alg = cms::cert::x509::spki::AlgorithmIdentifierOwned {
            oid: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13"),
            parameters: Some(der::asn1::Any::from_der(&params).unwrap()),
        };
        let key = pkcs12::pbe_params::EncryptedPrivateKeyInfo {
            encryption_algorithm: alg,
            encrypted_data: der::asn1::OctetString::new(vec![0_u8; 32]).unwrap(),
        };
        let secret = Secret {
            object_identifier: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2"),
            encrypted_private_key_info: der::asn1::OctetString::new(key.to_der().unwrap()).unwrap(),
        };
        let bag = pkcs12::SafeBag {
            bag_id: der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.5"),
            bag_value: secret.to_der().unwrap(),
            bag_attributes: None,
        };
        let file = hidden(&[bag], "pw");
        assert_eq!(refusal(&file), None, "nothing visible before decryption");
        assert!(refusal_inside(&file, "pw").unwrap().contains("scrypt"));
        let refused = super::super::keystore::read_pkcs12("scrypt.p12", &file, "pw").unwrap_err().to_string();
        assert!(refused.contains("scrypt"), "{refused}");
    }

    #[test]
    fn many_keys_linked_to_many_certificates_are_refused() {
        let key = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
        let cert = der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
        let value = vec![0x04, 0x00];
        let bag = |bag_id| pkcs12::SafeBag { bag_id, bag_value: value.clone(), bag_attributes: None };
        let mut bags: Vec<pkcs12::SafeBag> = (0..100).map(|_| bag(key)).collect();
        bags.extend((0..100).map(|_| bag(cert)));
        assert!(refusal_inside(&hidden(&bags, "pw"), "pw").unwrap().contains("keys"));
    }
}
