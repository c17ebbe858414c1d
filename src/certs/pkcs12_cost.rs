//! How much key-derivation work a PKCS#12 file asks for, read before any of it is done: a
//! hostile file can ask for millions of iterations per bag, and each costs a password check.
//! PBKDF2 parameters, PKCS#12 PBE parameters and the MAC data all hold their iteration count as
//! an INTEGER right after the salt's OCTET STRING in one SEQUENCE; that pattern is looked for in
//! every structure that can be read without the password.

/// Iterations accepted per key derivation: above what OpenSSL (2,048), Java's keytool (10,000),
/// Windows (2,000) and PCA's own files use, far below what makes a file a denial of service.
pub const MAX_ITERATIONS: u64 = 100_000;

/// The most iterations any key derivation of the file asks for (of the parts readable without
/// the password); `None` when the file is no DER at all.
pub fn max_iterations(der: &[u8]) -> Option<u64> {
    let mut max = None;
    scan(der, 0, &mut max).then_some(max.unwrap_or(0))
}

/// One DER element: tag, content, and the rest after it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n].iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// Walks a sequence of elements; false when they are not well-formed DER.
fn scan(mut input: &[u8], depth: usize, max: &mut Option<u64>) -> bool {
    // Deeper than any PKCS#12 structure: not one.
    if depth > 32 {
        return false;
    }
    let mut previous_tag = None;
    while !input.is_empty() {
        let Some((tag, content, rest)) = element(input) else { return false };
        match tag {
            // SEQUENCE, SET, and context-specific constructed wrappers: look inside.
            0x30 | 0x31 | 0xa0..=0xa3 if !scan(content, depth + 1, max) => return false,
            // An OCTET STRING may carry DER (the authenticated safe, unencrypted safe contents).
            0x04 => {
                let mut inner = None;
                if !content.is_empty() && content[0] == 0x30 && scan(content, depth + 1, &mut inner) {
                    *max = (*max).max(inner);
                }
            }
            0x02 if previous_tag == Some(0x04) && content.len() <= 8 => {
                let value = content.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
                *max = Some(max.map_or(value, |m| m.max(value)));
            }
            _ => {}
        }
        previous_tag = Some(tag);
        input = rest;
    }
    true
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

    #[test]
    fn the_iteration_count_after_a_salt_is_found_at_any_depth() {
        let params = seq(&[&[0x04, 0x02, 0xaa, 0xbb], &[0x02, 0x03, 0x1e, 0x84, 0x80]]);
        let wrapped = seq(&[&[0x06, 0x01, 0x2a], &params]);
        let mut octets = vec![0x04, u8::try_from(wrapped.len()).unwrap()];
        octets.extend(&wrapped);
        assert_eq!(max_iterations(&seq(&[&octets])), Some(2_000_000));
        assert_eq!(max_iterations(&seq(&[&[0x02, 0x01, 0x03]])), Some(0), "an INTEGER without a salt is no count");
        assert_eq!(max_iterations(b"not der"), None);
    }
}
