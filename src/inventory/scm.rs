//! Rows of SSL Certificate Manager certificates (Huawei Cloud, global).

use time::OffsetDateTime;

use super::refresh::{RefreshOptions, base_row, parse_time};
use super::{InventoryRow, SslStatus};
use crate::cloud::wire::scm::Certificate;
use crate::cloud::{CloudError, CloudSession, Service, scm};

pub(super) async fn rows(session: &CloudSession, opts: &RefreshOptions) -> Result<Vec<InventoryRow>, CloudError> {
    let certificates = scm::list_certificates(session).await?;
    Ok(certificates.iter().map(|c| row(opts, c)).collect())
}

pub(super) fn row(opts: &RefreshOptions, cert: &Certificate) -> InventoryRow {
    let mut row = base_row(opts, Service::Scm, "global");
    row.name = if cert.name.is_empty() { cert.domain.clone() } else { cert.name.clone() };
    row.id.clone_from(&cert.id);
    row.engine.clone_from(&cert.kind);
    row.engine_version.clone_from(&cert.brand);
    row.status.clone_from(&cert.status);
    row.ssl = SslStatus::On;
    row.endpoint.clone_from(&cert.domain);
    let mut facts = vec![("Domain".to_owned(), cert.domain.clone())];
    if !cert.sans.is_empty() {
        facts.push(("Names".into(), cert.sans.clone()));
    }
    facts.push(("Type".into(), cert.kind.clone()));
    if !cert.brand.is_empty() {
        facts.push(("CA".into(), cert.brand.clone()));
    }
    if !cert.signature_algorithm.is_empty() {
        facts.push(("Algorithm".into(), cert.signature_algorithm.clone()));
    }
    // Deploying to other services needs the key in SCM; a certificate that cannot be deployed
    // was uploaded without one or made from the admin's own CSR.
    let key = if cert.deploy_support { "held by SCM" } else { "not held by SCM (exports hold no key)" };
    facts.push(("Private key".into(), key.into()));
    row.facts = facts;
    if !cert.expire_time.trim().is_empty() {
        match parse_time(&cert.expire_time).or_else(|| parse_plain_time(&cert.expire_time)) {
            Some(at) => row.set_expiry(None, at),
            None => row.note = format!("expiry {:?} is not a date", cert.expire_time),
        }
    }
    row
}

/// `2021-05-27 16:46:25.0` or `2021-05-27 16:46:25` (SCM's form; no zone given, read as UTC).
pub(super) fn parse_plain_time(value: &str) -> Option<OffsetDateTime> {
    let value = value.trim();
    let value = value.split_once('.').map_or(value, |(whole, _)| whole);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(value, &format).ok().map(time::PrimitiveDateTime::assume_utc)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::parse_plain_time;

    #[test]
    fn scm_times_read_as_utc_with_or_without_a_fraction() {
        let at = parse_plain_time("2021-05-27 16:46:25.0").unwrap();
        assert_eq!(at, time::macros::datetime!(2021-05-27 16:46:25 UTC));
        assert_eq!(parse_plain_time("2021-05-27 16:46:25"), Some(at));
        assert_eq!(parse_plain_time("27/05/2021"), None);
    }
}
