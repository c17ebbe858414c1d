//! `certdesk list`: the whole estate, with SSL state, expiry and days left.

use clap::Args;
use serde_json::json;

use super::connect::ConnectArgs;
use super::{EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, output};
use crate::cloud::Service;
use crate::inventory::policy::{Judged, Thresholds};
use crate::inventory::{InventoryRow, RefreshError, RefreshOptions, refresh_all};

/// Options of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Print JSON (schema `certdesk.list.v1`) instead of a table (same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// Output: a table, JSON (`certdesk.list.v1`), or the OpenMetrics/Prometheus text exposition
    /// (for a node_exporter textfile collector or any Prometheus).
    #[arg(long, value_enum, default_value = "table")]
    pub format: ListFormat,
}

/// What `list` and `check` scan: the connection, the services, and the expiring threshold.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Connection options.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Only these services (dcs, gemini-db, ccm, elb, scm); repeat for several.
    #[arg(long = "service", value_enum)]
    pub services: Vec<ServiceArg>,
    /// Days left at or below which an item counts as expiring (for `check`: a WARNING).
    #[arg(long, default_value_t = 30)]
    pub warn_days: i64,
    /// Days left at or below which an item is critical (for `check`: CRITICAL; expired, revoked
    /// and frozen ones always are, not-yet-valid ones are a WARNING).
    #[arg(long, default_value_t = 7)]
    pub crit_days: i64,
}

impl ScanArgs {
    /// The thresholds the flags set.
    pub fn thresholds(&self) -> Thresholds {
        Thresholds { warn_days: self.warn_days, critical_days: self.crit_days }
    }
}

/// How `list` prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ListFormat {
    /// A table.
    Table,
    /// JSON, schema `certdesk.list.v1`.
    Json,
    /// OpenMetrics text: expiry and days left per item, scrape errors per failed part.
    Openmetrics,
}

/// A service, as a command-line value.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ServiceArg {
    /// DCS (Redis).
    Dcs,
    /// GeminiDB.
    GeminiDb,
    /// CCM private CA certificates.
    Ccm,
    /// Certificates uploaded to Elastic Load Balance.
    Elb,
    /// SSL Certificate Manager certificates (Huawei Cloud).
    Scm,
}

impl From<ServiceArg> for Service {
    fn from(s: ServiceArg) -> Self {
        match s {
            ServiceArg::Dcs => Self::Dcs,
            ServiceArg::GeminiDb => Self::GeminiDb,
            ServiceArg::Ccm => Self::Ccm,
            ServiceArg::Elb => Self::Elb,
            ServiceArg::Scm => Self::Scm,
        }
    }
}

/// Signs in (one call checks the credentials), then scans every region and service asked for:
/// the rows, soonest expiry first, and the parts that failed. `list` and `check` share it.
pub(super) async fn scan(args: &ScanArgs) -> Result<(Vec<InventoryRow>, Vec<RefreshError>), String> {
    let ScanArgs { connect, services, .. } = args;
    let session = connect.session().await?;
    let regions = connect.signed_in_regions(&session).await?;
    output::progress(&format!("Scanning {} region(s): {}", regions.len(), regions.join(", ")));
    let mut opts = RefreshOptions {
        profile: connect.label(),
        regions,
        concurrency: connect.concurrency,
        ..RefreshOptions::default()
    };
    if !services.is_empty() {
        opts.services = services.iter().map(|s| Service::from(*s)).collect();
    }
    let (mut rows, errors) = refresh_all(session, opts).await;
    sort_rows(&mut rows);
    Ok((rows, errors))
}

pub(super) async fn run(args: ListArgs) -> u8 {
    let (rows, errors) = match scan(&args.scan).await {
        Ok(found) => found,
        Err(e) => {
            output::error(&e);
            return EXIT_FAILURE;
        }
    };
    let format = if args.json { ListFormat::Json } else { args.format };
    let (now, thresholds) = (time::OffsetDateTime::now_utc(), args.scan.thresholds());
    if format == ListFormat::Openmetrics {
        output::raw(&crate::inventory::export::openmetrics(&rows, &errors, thresholds, now));
    } else {
        print(&Judged::all(&rows, now, thresholds), &errors, format == ListFormat::Json);
    }
    match (rows.is_empty(), errors.is_empty()) {
        (_, true) => EXIT_OK,
        (true, false) => EXIT_FAILURE,
        (false, false) => EXIT_PARTIAL,
    }
}

/// Soonest expiry first, unknown expiry last, then by service, region and name.
pub(super) fn sort_rows(rows: &mut [InventoryRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &InventoryRow| (r.expires_at.is_none(), r.expires_at);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.service.label().cmp(b.service.label()))
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.name.cmp(&b.name))
    });
}

fn print(rows: &[Judged<'_>], errors: &[RefreshError], as_json: bool) {
    if as_json {
        output::json(&json!({
            "schema": "certdesk.list.v1",
            "items": rows,
            "errors": errors,
        }));
        return;
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|judged| {
            let r = judged.row;
            vec![
                r.service.label().to_owned(),
                r.region.clone(),
                r.name.clone(),
                r.id.clone(),
                format!("{} {}", r.engine, r.engine_version).trim().to_owned(),
                r.status.clone(),
                r.ssl.label().to_owned(),
                r.expires_at.map(|t| t.date().to_string()).unwrap_or_default(),
                judged.days_left.map(|d| d.to_string()).unwrap_or_default(),
                judged.validity.map(|v| v.label().to_owned()).unwrap_or_default(),
            ]
        })
        .collect();
    let header = ["SERVICE", "REGION", "NAME", "ID", "ENGINE", "STATUS", "SSL", "EXPIRES", "DAYS", "STATE"];
    output::line(&output::table(&header, &table_rows));
    for e in errors {
        output::error(&crate::text::inert(&format!(
            "{} {} ({}): {}",
            e.service.label(),
            e.region,
            e.profile,
            e.message
        )));
    }
    output::progress(&format!("{} item(s), {} error(s)", rows.len(), errors.len()));
}

/// Demo mode without the desktop app: the simulator's demo estate, listed.
pub(super) async fn demo() -> u8 {
    let config = crate::sim::SimConfig::demo();
    let sim = match crate::sim::start(config).await {
        Ok(s) => s,
        Err(e) => {
            output::error(&format!("cannot start the demo cloud: {e}"));
            return EXIT_FAILURE;
        }
    };
    output::progress(&format!("Demo cloud running at {} (simulated; nothing leaves this machine)", sim.endpoint()));
    let session = match sim.session().await {
        Ok(s) => s,
        Err(e) => {
            output::error(&e.to_string());
            return EXIT_FAILURE;
        }
    };
    let opts =
        RefreshOptions { profile: "demo".into(), regions: sim.info.regions.clone(), ..RefreshOptions::default() };
    let (mut rows, errors) = refresh_all(std::sync::Arc::new(session), opts).await;
    sort_rows(&mut rows);
    let now = time::OffsetDateTime::now_utc();
    print(&Judged::all(&rows, now, Thresholds::default()), &errors, false);
    sim.shutdown().await;
    if errors.is_empty() { EXIT_OK } else { EXIT_PARTIAL }
}
