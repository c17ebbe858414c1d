//! Fans a refresh out over regions and services, and over instances for their SSL state, with a
//! bounded number of calls in flight. Rows are sent as each part answers; one region failing
//! becomes one error and never stops the others.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use time::OffsetDateTime;
use tokio::sync::mpsc;

use super::{InventoryRow, RefreshError, SslStatus};
use crate::cloud::dcs::{self, SslState};
use crate::cloud::download::LinkFetcher;
use crate::cloud::{CloudError, CloudSession, Service, geminidb, pca};

/// What to refresh and how hard.
#[derive(Clone, Debug)]
pub struct RefreshOptions {
    /// Profile name to stamp on rows.
    pub profile: String,
    /// Regions to scan.
    pub regions: Vec<String>,
    /// Services to scan.
    pub services: Vec<Service>,
    /// Calls in flight at most across the refresh.
    pub concurrency: usize,
    /// Whether to fetch GeminiDB CA certificates to learn their expiry (the list does not say).
    pub gemini_expiry: bool,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        Self {
            profile: "default".into(),
            regions: Vec::new(),
            services: vec![Service::Dcs, Service::GeminiDb, Service::Ccm, Service::Elb, Service::Scm],
            concurrency: 16,
            gemini_expiry: true,
        }
    }
}

/// What a refresh reports as it goes.
#[derive(Clone, Debug)]
pub enum RefreshEvent {
    /// Rows of one region and service.
    Rows {
        /// Region or `global`.
        region: String,
        /// Service.
        service: Service,
        /// The rows.
        rows: Vec<InventoryRow>,
    },
    /// One region and service failed.
    Failed(RefreshError),
}

/// The regions the account has projects in (`GET /v3/auth/projects`, sub-projects folded).
pub async fn discover_regions(session: &CloudSession) -> Result<Vec<String>, CloudError> {
    session.regions_with_projects().await
}

/// The region/service parts a refresh will ask, each answering once (rows or an error).
pub fn plan(session: &CloudSession, opts: &RefreshOptions) -> Vec<(String, Service)> {
    let mut jobs: Vec<(String, Service)> = Vec::new();
    for region in &opts.regions {
        for service in [Service::Dcs, Service::GeminiDb, Service::Elb] {
            if opts.services.contains(&service) && session.endpoints().offers(service, region) {
                jobs.push((region.clone(), service));
            }
        }
    }
    for service in [Service::Ccm, Service::Scm] {
        if opts.services.contains(&service) && session.endpoints().offers(service, "") {
            jobs.push(("global".into(), service));
        }
    }
    jobs
}

/// Runs a refresh, sending events to `tx` as parts answer.
pub async fn refresh(session: Arc<CloudSession>, opts: RefreshOptions, tx: mpsc::Sender<RefreshEvent>) {
    let parts = plan(&session, &opts);
    refresh_parts(session, opts, parts, tx).await;
}

/// Runs a refresh of the parts [`plan`] gave, sending events to `tx` as they answer.
pub async fn refresh_parts(
    session: Arc<CloudSession>,
    opts: RefreshOptions,
    jobs: Vec<(String, Service)>,
    tx: mpsc::Sender<RefreshEvent>,
) {
    let opts = Arc::new(opts);
    stream::iter(jobs)
        .for_each_concurrent(None, |(region, service)| {
            let (session, opts, tx) = (session.clone(), opts.clone(), tx.clone());
            async move {
                let result = match service {
                    Service::Dcs => dcs_rows(&session, &opts, &region).await,
                    Service::GeminiDb => gemini_rows(&session, &opts, &region).await,
                    Service::Elb => super::elb::rows(&session, &opts, &region).await,
                    Service::Scm => super::scm::rows(&session, &opts).await,
                    _ => pca_rows(&session, &opts).await,
                };
                let event = match result {
                    Ok(rows) => RefreshEvent::Rows { region, service, rows },
                    Err(e) => RefreshEvent::Failed(RefreshError {
                        profile: opts.profile.clone(),
                        region,
                        service,
                        message: e.to_string(),
                    }),
                };
                // A closed receiver means nobody wants the result any more.
                let _ = tx.send(event).await;
            }
        })
        .await;
}

/// Runs a refresh to the end and returns all rows and errors.
pub async fn refresh_all(session: Arc<CloudSession>, opts: RefreshOptions) -> (Vec<InventoryRow>, Vec<RefreshError>) {
    let (tx, mut rx) = mpsc::channel(64);
    let task = tokio::spawn(refresh(session, opts, tx));
    let (mut rows, mut errors) = (Vec::new(), Vec::new());
    while let Some(event) = rx.recv().await {
        match event {
            RefreshEvent::Rows { rows: r, .. } => rows.extend(r),
            RefreshEvent::Failed(e) => errors.push(e),
        }
    }
    let _ = task.await;
    (rows, errors)
}

pub(super) fn base_row(opts: &RefreshOptions, service: Service, region: &str) -> InventoryRow {
    InventoryRow {
        service,
        profile: opts.profile.clone(),
        region: region.to_owned(),
        name: String::new(),
        id: String::new(),
        engine: String::new(),
        engine_version: String::new(),
        status: String::new(),
        ssl: SslStatus::Unknown,
        expires_at: None,
        validated: None,
        endpoint: String::new(),
        note: String::new(),
        facts: Vec::new(),
        not_before: None,
        frozen: false,
    }
}

/// An RFC 3339 time, kept in UTC; one whose UTC form does not exist (past the year 9999) is not a date.
pub(super) fn parse_time(value: &str) -> Option<OffsetDateTime> {
    let at = OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339).ok()?;
    crate::certs::summary::in_utc(at)
}

async fn dcs_rows(
    session: &CloudSession,
    opts: &RefreshOptions,
    region: &str,
) -> Result<Vec<InventoryRow>, CloudError> {
    let instances = dcs::list_instances(session, region).await?;
    let rows = stream::iter(instances.into_iter().enumerate())
        .map(|(i, inst)| async move {
            let mut row = base_row(opts, Service::Dcs, region);
            row.name.clone_from(&inst.name);
            row.id.clone_from(&inst.instance_id);
            row.engine.clone_from(&inst.engine);
            row.engine_version.clone_from(&inst.engine_version);
            row.status.clone_from(&inst.status);
            row.endpoint = match inst.port {
                Some(p) => format!("{}:{p}", inst.domain_name),
                None => inst.domain_name.clone(),
            };
            // Only SSL-capable instances are asked; the rest would all answer DCS.4201.
            let capable = inst.features.support_ssl || matches!(inst.engine_version.as_str(), "6.0" | "7.0");
            if !capable {
                row.ssl = SslStatus::NotSupported;
                return (i, row);
            }
            match dcs::show_ssl(session, region, &inst.instance_id).await {
                Ok(SslState::Reported(info)) if info.enabled => {
                    row.ssl = SslStatus::On;
                    row.validated = Some(info.ssl_validated);
                    if !info.domain_name.is_empty() {
                        row.endpoint.clone_from(&info.domain_name);
                    }
                    match parse_time(&info.ssl_expired_at) {
                        Some(at) => row.set_expiry(None, at),
                        None => row.note = format!("expiry {:?} is not a date", info.ssl_expired_at),
                    }
                }
                Ok(SslState::Reported(_)) => row.ssl = SslStatus::Off,
                Ok(SslState::NoInfo) => {
                    row.ssl = SslStatus::Unknown;
                    row.note = "DCS reports no SSL information".into();
                }
                Ok(SslState::NotSupported) => row.ssl = SslStatus::NotSupported,
                Err(e) => {
                    row.ssl = SslStatus::Unknown;
                    row.note = format!("SSL query failed: {e}");
                }
            }
            (i, row)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    Ok(in_list_order(rows))
}

/// Rows back in the order the list gave their instances. The calls behind them run unordered:
/// in order, one slow call (or one instance with a second call, its CA download) held back every
/// call after it, and the host sat idle.
fn in_list_order(mut rows: Vec<(usize, InventoryRow)>) -> Vec<InventoryRow> {
    rows.sort_unstable_by_key(|(i, _)| *i);
    rows.into_iter().map(|(_, row)| row).collect()
}

async fn gemini_rows(
    session: &CloudSession,
    opts: &RefreshOptions,
    region: &str,
) -> Result<Vec<InventoryRow>, CloudError> {
    let instances = geminidb::list_instances(session, region).await?;
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy_in(region))?;
    let fetcher = &fetcher;
    let rows = stream::iter(instances.into_iter().enumerate())
        .map(|(i, inst)| async move {
            let mut row = base_row(opts, Service::GeminiDb, region);
            row.name.clone_from(&inst.name);
            row.id.clone_from(&inst.id);
            row.engine.clone_from(&inst.datastore.kind);
            row.engine_version.clone_from(&inst.datastore.version);
            row.status.clone_from(&inst.status);
            row.endpoint = format!("port {}", inst.port);
            row.ssl = match inst.ssl.as_deref() {
                Some("1") => SslStatus::On,
                Some("0") => SslStatus::Off,
                _ => SslStatus::Unknown,
            };
            // Open Telekom Cloud's list has no `ssl` field: where a certificate link exists, its
            // expiry is known all the same (an instance without SSL has none: no note then).
            if row.ssl != SslStatus::Off && opts.gemini_expiry {
                match gemini_ca_expiry(session, fetcher, region, &inst.id).await {
                    Ok((nb, na)) => row.set_expiry(Some(nb), na),
                    Err(e) if row.ssl == SslStatus::On => row.note = format!("CA expiry unknown: {e}"),
                    Err(_) => {}
                }
            }
            (i, row)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    Ok(in_list_order(rows))
}

/// GeminiDB lists no expiry, so the CA certificate is fetched and read (the one CA download the
/// app and `certdesk download` use).
async fn gemini_ca_expiry(
    session: &CloudSession,
    fetcher: &LinkFetcher,
    region: &str,
    id: &str,
) -> Result<(OffsetDateTime, OffsetDateTime), String> {
    let download = super::ca_download::download_ca_with(session, fetcher, Service::GeminiDb, region, id).await?;
    download.validity().ok_or_else(|| "no certificate".to_owned())
}

/// What the list call says of a private certificate, as label and value.
fn pca_facts(c: &crate::cloud::wire::pca::Certificate) -> Vec<(String, String)> {
    let dn = &c.distinguished_name;
    let subject: Vec<String> = [
        ("CN", &dn.common_name),
        ("OU", &dn.organizational_unit),
        ("O", &dn.organization),
        ("L", &dn.locality),
        ("ST", &dn.state),
        ("C", &dn.country),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={v}"))
    .collect();
    let date = |ms| from_ms(ms).map(|t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()));
    let mut facts = vec![("Subject".to_owned(), subject.join(", "))];
    // The list gives SANs only in some API versions; shown when present.
    if let Some(sans) = c.subject_alternative_names.as_ref().and_then(|v| v.as_array()) {
        let names: Vec<String> = sans
            .iter()
            .filter_map(|s| s.get("value").or(Some(s)).and_then(|v| v.as_str()).map(str::to_owned))
            .collect();
        if !names.is_empty() {
            facts.push(("SANs".into(), names.join(", ")));
        }
    }
    facts.push(("Serial".into(), c.serial_number.clone()));
    facts.push(("Key".into(), c.key_algorithm.clone()));
    facts.push(("Signature".into(), c.signature_algorithm.clone()));
    if let Some(from) = date(c.not_before) {
        facts.push(("Valid from".into(), from));
    }
    if let Some(to) = date(c.not_after) {
        facts.push(("Valid to".into(), to));
    }
    if let Some(issuer) = c.issuer_name.as_ref().filter(|i| !i.is_empty()) {
        facts.push(("Issuer".into(), issuer.clone()));
    }
    facts.push(("Key made by".into(), if c.gen_mode == "CSR" { "you (CSR)".into() } else { "PCA".into() }));
    facts.retain(|(_, v)| !v.is_empty());
    facts
}

fn from_ms(ms: Option<i64>) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms?) * 1_000_000).ok()
}

async fn pca_rows(session: &CloudSession, opts: &RefreshOptions) -> Result<Vec<InventoryRow>, CloudError> {
    let (certs, odd) = pca::list_certificates_tolerant(session).await?;
    Ok(pca_rows_of(certs, odd, opts))
}

/// The rows of private certificates as the list read them.
pub(super) fn pca_rows_of(
    certs: Vec<crate::cloud::wire::pca::Certificate>,
    odd: Vec<pca::OddCertificate>,
    opts: &RefreshOptions,
) -> Vec<InventoryRow> {
    // An entry that does not read is a row with a note: the rest of the page stands.
    let odd_rows = odd.into_iter().filter(|o| !o.id.is_empty()).map(|o| {
        let mut row = base_row(opts, Service::Ccm, "global");
        row.name = if o.name.is_empty() { o.id.clone() } else { o.name };
        row.id = o.id;
        row.status = o.status;
        row.ssl = SslStatus::On;
        row.note = format!("the cloud's entry could not be read ({}); its dates are unknown", o.reason);
        row
    });
    let rows: Vec<InventoryRow> = certs
        .into_iter()
        .map(|c| {
            let mut row = base_row(opts, Service::Ccm, "global");
            row.name.clone_from(&c.distinguished_name.common_name);
            row.id.clone_from(&c.certificate_id);
            row.engine.clone_from(&c.key_algorithm);
            row.status.clone_from(&c.status);
            // `freeze_flag` 0 is "not frozen"; anything else (the cloud froze it) makes it unusable.
            row.frozen = c.freeze_flag.is_some_and(|f| f != 0);
            row.ssl = SslStatus::On;
            row.endpoint = c.issuer_name.clone().unwrap_or_default();
            if let Some(na) = from_ms(c.not_after) {
                row.set_expiry(from_ms(c.not_before), na);
            }
            if c.gen_mode == "CSR" {
                row.note = "key not held by PCA (CSR)".into();
            }
            row.facts = pca_facts(&c);
            row
        })
        .collect();
    rows.into_iter().chain(odd_rows).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_that_answer_out_of_order_come_back_in_list_order() {
        let row =
            |name: &str| InventoryRow { name: name.into(), ..base_row(&RefreshOptions::default(), Service::Dcs, "r") };
        let answered = vec![(2, row("c")), (0, row("a")), (3, row("d")), (1, row("b"))];
        let names: Vec<String> = in_list_order(answered).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
    }
}
