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
}
