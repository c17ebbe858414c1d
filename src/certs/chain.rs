//! Ordering a bag of certificates into leaf -> intermediates -> root by names and key ids,
//! checking each signature, and saying in plain words where the chain breaks.

use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One certificate in the ordered chain.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ChainLink {
    /// Index in the input bag.
    pub input_index: usize,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Whether it is a CA certificate.
    pub is_ca: bool,
    /// Whether it is self-signed (a root).
    pub self_signed: bool,
}

/// The chain and what is wrong with it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ChainReport {
    /// Leaf first, root last (as far as the bag goes).
    pub ordered: Vec<ChainLink>,
    /// Problems, each a sentence an admin can act on; empty for a sound chain.
    pub problems: Vec<String>,
    /// Whether the chain reaches a self-signed root with every signature verified.
    pub complete: bool,
}

struct Parsed<'a> {
    cert: X509Certificate<'a>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
}

fn parse(der: &[u8]) -> Option<Parsed<'_>> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut ski = None;
    let mut aki = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(id) => ski = Some(id.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => aki = a.key_identifier.as_ref().map(|k| k.0.to_vec()),
            _ => {}
        }
    }
    Some(Parsed { cert, ski, aki })
}

fn issued(child: &Parsed<'_>, parent: &Parsed<'_>) -> bool {
    if child.cert.issuer().as_raw() != parent.cert.subject().as_raw() {
        return false;
    }
    match (&child.aki, &parent.ski) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

fn name(p: &Parsed<'_>) -> String {
    p.cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map_or_else(|| super::details::rfc4514(p.cert.subject()), str::to_owned)
}

fn is_self_signed(p: &Parsed<'_>) -> bool {
    p.cert.subject().as_raw() == p.cert.issuer().as_raw() && p.cert.verify_signature(None).is_ok()
}

/// Orders and checks the certificates (DER) of a bag.
pub fn build(certs: &[Vec<u8>], now: OffsetDateTime) -> ChainReport {
    let parsed: Vec<Option<Parsed<'_>>> = certs.iter().map(|d| parse(d)).collect();
    let mut problems = Vec::new();
    for (i, p) in parsed.iter().enumerate() {
        if p.is_none() {
            problems.push(format!("certificate {} does not parse and was left out", i + 1));
        }
    }
    let valid: Vec<usize> = (0..certs.len()).filter(|i| parsed[*i].is_some()).collect();
    let get = |i: usize| parsed[i].as_ref().unwrap_or_else(|| unreachable!("only parsed indices are used"));
    // The leaf issues nothing in the bag; prefer a non-CA one.
    let issues_another = |i: usize| valid.iter().any(|&j| j != i && issued(get(j), get(i)) && !is_self_signed(get(j)));
    let leaf = valid
        .iter()
        .copied()
        .filter(|&i| !issues_another(i))
        .min_by_key(|&i| get(i).cert.is_ca())
        .or_else(|| valid.first().copied());
    let Some(leaf) = leaf else {
        return ChainReport { ordered: Vec::new(), problems, complete: false };
    };
    let mut order = vec![leaf];
    let mut complete = false;
    loop {
        let current = *order.last().unwrap_or(&leaf);
        let cur = get(current);
        if is_self_signed(cur) {
            complete = problems.is_empty();
            break;
        }
        let candidate = valid.iter().copied().find(|&j| !order.contains(&j) && issued(cur, get(j)));
        let Some(parent) = candidate else {
            problems.push(format!(
                "missing issuer: \"{}\" was issued by \"{}\", which is not in the bundle; add that intermediate or root certificate",
                name(cur),
                super::details::rfc4514(cur.cert.issuer())
            ));
            break;
        };
        let par = get(parent);
        if cur.cert.verify_signature(Some(par.cert.public_key())).is_err() {
            problems.push(format!("bad signature: \"{}\" was not signed by the key of \"{}\"", name(cur), name(par)));
        }
        if !par.cert.is_ca() {
            problems.push(format!("not a CA: \"{}\" issues \"{}\" but is not a CA certificate", name(par), name(cur)));
        }
        if par.cert.validity().not_after.to_datetime() < now {
            problems.push(format!(
                "expired link: \"{}\" expired on {}",
                name(par),
                par.cert.validity().not_after.to_datetime().date()
            ));
        }
        order.push(parent);
    }
    if get(leaf).cert.validity().not_after.to_datetime() < now {
        problems.insert(
            0,
            format!(
                "the certificate \"{}\" itself expired on {}",
                name(get(leaf)),
                get(leaf).cert.validity().not_after.to_datetime().date()
            ),
        );
        complete = false;
    }
    for &i in &valid {
        if !order.contains(&i) {
            problems.push(format!("extra certificate: \"{}\" is not part of this chain", name(get(i))));
        }
    }
    let ordered = order
        .iter()
        .map(|&i| {
            let p = get(i);
            ChainLink {
                input_index: i,
                subject: super::details::rfc4514(p.cert.subject()),
                issuer: super::details::rfc4514(p.cert.issuer()),
                is_ca: p.cert.is_ca(),
                self_signed: is_self_signed(p),
            }
        })
        .collect();
    ChainReport { ordered, problems, complete }
}
