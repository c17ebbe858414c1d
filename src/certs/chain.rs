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

/// Distinct certificates a chain is searched among at most: real bundles hold a handful; a
/// file with thousands is hostile (each candidate pair can cost a signature check).
pub const MAX_CHAIN_SEARCH: usize = 200;

struct Parsed<'a> {
    cert: X509Certificate<'a>,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    /// Subject = issuer and its own key verifies it: checked once per certificate.
    self_signed: bool,
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
    let self_signed = cert.subject().as_raw() == cert.issuer().as_raw() && cert.verify_signature(None).is_ok();
    Some(Parsed { cert, ski, aki, self_signed })
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
    p.self_signed
}

/// The certificates to search: each distinct one once, at most [`MAX_CHAIN_SEARCH`]; and what
/// was left out, as problems.
fn distinct(certs: &[Vec<u8>]) -> (Vec<usize>, Vec<String>) {
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut duplicates = 0usize;
    let mut kept = Vec::new();
    for (i, der) in certs.iter().enumerate() {
        if !seen.insert(der.as_slice()) {
            duplicates += 1;
        } else if kept.len() < MAX_CHAIN_SEARCH {
            kept.push(i);
        }
    }
    if duplicates > 0 {
        problems.push(if duplicates == 1 {
            "1 copy of a certificate already in the bundle was left out".to_owned()
        } else {
            format!("{duplicates} copies of certificates already in the bundle were left out")
        });
    }
    if seen.len() > MAX_CHAIN_SEARCH {
        problems.push(format!(
            "the bundle holds {} distinct certificates; only the first {MAX_CHAIN_SEARCH} were searched for the chain",
            seen.len()
        ));
    }
    (kept, problems)
}

/// Orders and checks the certificates (DER) of a bag. Copies of one certificate count once; past
/// [`MAX_CHAIN_SEARCH`] distinct ones the rest are left out, with a problem saying so. Each
/// certificate's own signature is checked once, each link's once: the work grows with the
/// number of certificates, not with its square of signature checks.
pub fn build(certs: &[Vec<u8>], now: OffsetDateTime) -> ChainReport {
    let (distinct, mut problems) = distinct(certs);
    let mut parsed: Vec<Option<Parsed<'_>>> = (0..certs.len()).map(|_| None).collect();
    for &i in &distinct {
        parsed[i] = parse(&certs[i]);
        if parsed[i].is_none() {
            problems.push(format!("certificate {} does not parse and was left out", i + 1));
        }
    }
    let valid: Vec<usize> = distinct.iter().copied().filter(|i| parsed[*i].is_some()).collect();
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
