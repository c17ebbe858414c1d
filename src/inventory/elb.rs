//! Rows of load balancer certificates: both ELB APIs of a region, the listeners that use each
//! certificate, and the details read from the PEM the API returns (never from its dates alone).

use time::OffsetDateTime;

use super::refresh::{RefreshOptions, base_row, parse_time};
use super::{InventoryRow, SslStatus};
use crate::certs::material::{ReadOptions, read};
use crate::certs::{chain, details};
use crate::cloud::wire::elb::{Certificate, Listener};
use crate::cloud::{CloudError, CloudSession, Service, elb};

pub(super) async fn rows(
    session: &CloudSession,
    opts: &RefreshOptions,
    region: &str,
) -> Result<Vec<InventoryRow>, CloudError> {
    let (dedicated, shared, listeners) = tokio::join!(
        elb::list_certificates(session, region),
        elb::list_shared_certificates(session, region),
        elb::list_listeners(session, region),
    );
    let mut certificates = dedicated?;
    // The shared API is older and not in every region: its absence is a note, not a failed part.
    let mut notes = Vec::new();
    match shared {
        Ok(list) => {
            for cert in list {
                if !certificates.iter().any(|c| c.id == cert.id) {
                    certificates.push(cert);
                }
            }
        }
        Err(e) => notes.push(format!("shared load balancer certificates not listed: {e}")),
    }
    let listeners = match listeners {
        Ok(l) => Some(l),
        Err(e) => {
            notes.push(format!("listeners unknown: {e}"));
            None
        }
    };
    let now = session.http().clock().now();
    Ok(certificates.iter().map(|c| row(opts, region, c, listeners.as_deref(), &notes, now)).collect())
}

pub(super) fn row(
    opts: &RefreshOptions,
    region: &str,
    cert: &Certificate,
    listeners: Option<&[Listener]>,
    notes: &[String],
    now: OffsetDateTime,
) -> InventoryRow {
    let mut row = base_row(opts, Service::Elb, region);
    row.name.clone_from(&cert.name);
    row.id.clone_from(&cert.id);
    row.engine = if cert.kind.eq_ignore_ascii_case("client") { "CA certificate" } else { "server certificate" }.into();
    row.ssl = SslStatus::On;
    let used: Vec<String> = listeners
        .unwrap_or_default()
        .iter()
        .filter(|l| l.uses(&cert.id))
        .map(|l| format!("{} ({} {})", l.name, l.protocol, l.protocol_port))
        .collect();
    row.status = match (listeners, used.len()) {
        (None, _) => "use unknown".into(),
        (Some(_), 0) => "not in use".into(),
        (Some(_), n) => format!("used by {n}"),
    };
    row.endpoint.clone_from(&cert.domain);
    let mut facts = vec![("Type".to_owned(), row.engine.clone())];
    if !cert.domain.is_empty() {
        facts.push(("Domain".into(), cert.domain.clone()));
    }
    if !used.is_empty() {
        facts.push(("Listeners".into(), used.join(", ")));
    }
    if let Some(scm) = &cert.scm_certificate_id {
        facts.push(("From SCM".into(), scm.clone()));
    }
    let mut note = notes.join("; ");
    match read_pem(&cert.certificate, now) {
        Ok(read) => {
            row.set_expiry(Some(read.not_before), read.not_after);
            facts.extend(read.facts);
        }
        Err(why) => {
            // The PEM is the truth; the listed expiry is used only when the PEM cannot be read.
            let listed = parse_time(&cert.expire_time).or_else(|| super::scm::parse_plain_time(&cert.expire_time));
            if let Some(at) = listed {
                row.set_expiry(None, at);
            }
            if !note.is_empty() {
                note.push_str("; ");
            }
            note = format!("{note}certificate not readable: {why}");
        }
    }
    row.note = note;
    row.facts = facts;
    row
}

/// What the PEM says: validity and the facts the details pane shows, chain included.
struct PemFacts {
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    facts: Vec<(String, String)>,
}

fn read_pem(pem: &str, now: OffsetDateTime) -> Result<PemFacts, String> {
    let material = read("certificate", pem.as_bytes(), &ReadOptions::default()).map_err(|e| e.to_string())?;
    let ders: Vec<Vec<u8>> = material.certificates.iter().map(|c| c.der.clone()).collect();
    let report = chain::build(&ders, now);
    let leaf = report.ordered.first().map_or(0, |l| l.input_index);
    let der = ders.get(leaf).ok_or("no certificate in it")?;
    // Only facts are taken from it; the row is judged by the policy with the user's thresholds.
    let d = details::details("certificate", der, now, super::policy::Thresholds::default().warn_days)
        .map_err(|e| e.to_string())?;
    let mut facts: Vec<(String, String)> =
        vec![("Subject".into(), d.subject.clone()), ("Issuer".into(), d.issuer.clone())];
    if !d.subject_alt_names.is_empty() {
        facts.push(("Names".into(), d.subject_alt_names.join(", ")));
    }
    facts.push(("Serial".into(), d.serial_hex.clone()));
    let key = match (&d.key_curve, d.key_bits) {
        (Some(curve), _) => format!("{} {curve}", d.key_algorithm),
        (None, Some(bits)) => format!("{} {bits}", d.key_algorithm),
        (None, None) => d.key_algorithm.clone(),
    };
    facts.push(("Key".into(), key));
    facts.push(("SHA-256".into(), d.sha256_fingerprint.clone()));
    let mut links: Vec<String> = report.ordered.iter().map(|l| l.subject.clone()).collect();
    if links.len() > 1 || !report.problems.is_empty() {
        if !report.complete {
            links.push("(incomplete)".into());
        }
        facts.push(("Chain".into(), links.join(" -> ")));
    }
    if !report.problems.is_empty() {
        facts.push(("Chain problems".into(), report.problems.join("; ")));
    }
    Ok(PemFacts { not_before: d.not_before, not_after: d.not_after, facts })
}
