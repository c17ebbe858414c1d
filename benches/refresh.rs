//! Refresh at network speed: estate L (3 accounts x 10 Huawei Cloud regions: 3,000 DCS, 1,500
//! GeminiDB, 2,000 private certificates), each account a `certdesk sim --hostnames` process
//! answering production host names over TLS with 50 ms added per request, reached as
//! production would be (a host per service and region, each with its own gate) through the
//! loopback resolver override. Compared with the lower bound and with one call at a time.
//!
//! Run with `cargo bench --bench refresh`. Prints figures; asserts nothing about time.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use certdesk::cloud::{Cloud, CloudSession, Connection, Credentials, HostOverride, HttpConfig, Service};
use certdesk::inventory::{RefreshOptions, refresh_all};

const LATENCY_MS: u64 = 50;
const ACCOUNTS: usize = 3;
const REGIONS: usize = 10;
const DCS_PER_REGION: usize = 100;
const GEMINI_PER_REGION: usize = 50;
const PCA_PER_ACCOUNT: usize = 667;

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// CPU seconds (user + system) a process has used so far, from `/proc/<pid>/stat`.
fn cpu_secs(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), from its closing parenthesis on.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks: f64 = [11, 12].iter().filter_map(|&i| fields.get(i).and_then(|v| v.parse::<f64>().ok())).sum();
    // Linux reports these in clock ticks of 1/100 s (USER_HZ) on every architecture it runs on.
    ticks / 100.0
}

/// One simulated account: a `certdesk sim --hostnames huawei-cloud` child, killed on drop.
struct Account {
    child: Child,
    info: serde_json::Value,
    ca_file: tempfile::NamedTempFile,
}

impl Account {
    fn start(seed: usize, regions: usize, pca: usize) -> Self {
        let ca_file = tempfile::NamedTempFile::new().unwrap();
        let catalog = certdesk::cloud::Endpoints::catalog(Cloud::HuaweiCloud);
        let regions: Vec<String> = certdesk::sim::hostnames::default_regions(&catalog, regions)
            .into_iter()
            .flat_map(|r| ["--region".to_owned(), r])
            .collect();
        let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk"))
            .args(["sim", "--hostnames", "huawei-cloud", "--seed", &seed.to_string()])
            .args(["--latency-ms", &LATENCY_MS.to_string(), "--ca-out", ca_file.path().to_str().unwrap()])
            .args(["--dcs-per-region", &DCS_PER_REGION.to_string()])
            .args(["--gemini-per-region", &GEMINI_PER_REGION.to_string(), "--pca-certificates", &pca.to_string()])
            .args(regions)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("certdesk sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Self { child, info: serde_json::from_str(&line).unwrap(), ca_file }
    }

    fn regions(&self) -> Vec<String> {
        self.info["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect()
    }

    /// A session as a user's profile would have it, with `gate` calls in flight per host.
    fn session(&self, gate: Option<usize>) -> CloudSession {
        let connection = Connection {
            ca_file: Some(self.ca_file.path().to_owned()),
            host_override: Some(
                HostOverride::to_loopback(self.info["resolve_to"].as_str().unwrap().parse().unwrap()).unwrap(),
            ),
            home_region: self.regions().first().cloned(),
            max_in_flight_per_host: gate,
            ..Connection::new(Cloud::HuaweiCloud)
        };
        let credentials = Credentials::aksk(self.info["ak"].as_str().unwrap(), self.info["sk"].as_str().unwrap());
        CloudSession::connect(&connection, credentials).unwrap()
    }

    fn cpu_secs(&self) -> f64 {
        cpu_secs(&self.child.id().to_string())
    }

    /// Requests per host so far, read from the simulator's control endpoint over its TLS.
    async fn hosts(&self) -> BTreeMap<String, u64> {
        let ca = reqwest::Certificate::from_pem(&std::fs::read(self.ca_file.path()).unwrap()).unwrap();
        let client = reqwest::Client::builder().add_root_certificate(ca).no_proxy().build().unwrap();
        let url = format!("{}/__sim/stats", self.info["endpoint"].as_str().unwrap());
        let stats: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
        serde_json::from_value(stats["hosts"].clone()).unwrap()
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one refresh of every account took.
struct Run {
    secs: f64,
    rows: usize,
    errors: usize,
    /// CPU seconds of the refreshing process and of the simulators, during the refresh.
    cpu_certdesk: f64,
    cpu_simulators: f64,
}

/// Refreshes every account at once, as the app does for all profiles.
async fn refresh(accounts: &[Account], gate: Option<usize>, concurrency: usize) -> Run {
    let start = Instant::now();
    let cpu = (cpu_secs("self"), accounts.iter().map(Account::cpu_secs).sum::<f64>());
    let runs = accounts.iter().enumerate().map(|(i, a)| {
        let opts = RefreshOptions {
            profile: format!("account-{i}"),
            regions: a.regions(),
            services: vec![Service::Dcs, Service::GeminiDb, Service::Ccm],
            concurrency,
            ..RefreshOptions::default()
        };
        refresh_all(Arc::new(a.session(gate)), opts)
    });
    let results = futures_util::future::join_all(runs).await;
    let secs = start.elapsed().as_secs_f64();
    let rows = results.iter().map(|(r, _)| r.len()).sum();
    let errors = results.iter().map(|(_, e)| e.len()).sum();
    let cpu_certdesk = cpu_secs("self") - cpu.0;
    let cpu_simulators = accounts.iter().map(Account::cpu_secs).sum::<f64>() - cpu.1;
    Run { secs, rows, errors, cpu_certdesk, cpu_simulators }
}

/// One call at a time: gate 1, concurrency 1, and the parts one after another.
async fn one_at_a_time(account: &Account) -> f64 {
    let session = Arc::new(account.session(Some(1)));
    let start = Instant::now();
    for service in [Service::Dcs, Service::GeminiDb, Service::Ccm] {
        let opts = RefreshOptions {
            regions: account.regions(),
            services: vec![service],
            concurrency: 1,
            ..RefreshOptions::default()
        };
        let (_, errors) = refresh_all(session.clone(), opts).await;
        assert!(errors.is_empty(), "{errors:?}");
    }
    start.elapsed().as_secs_f64()
}

/// The fewest rounds of `gate` calls a host of instances needs: its calls wait for the project
/// listing, and all but its list for the list (one page in this estate). DCS and GeminiDB API
/// hosts only: a PCA host pages one page after another, object storage waits for GeminiDB's links.
fn best_rounds(host: &str, calls: u64, gate: usize) -> Option<u64> {
    let instances_host = host.starts_with("dcs.") || host.starts_with("gaussdb-nosql.");
    (instances_host && calls > 0).then(|| 2 + (calls - 1).div_ceil(u64::try_from(gate).unwrap_or(u64::MAX)))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let accounts: Vec<Account> = (0..ACCOUNTS)
        .map(|i| Account::start(i + 1, REGIONS, if i == 0 { 2000 - PCA_PER_ACCOUNT * 2 } else { PCA_PER_ACCOUNT }))
        .collect();
    let gate = HttpConfig::default().max_in_flight_per_host;
    let concurrency = RefreshOptions::default().concurrency;
    let Run { secs, rows, errors, cpu_certdesk, cpu_simulators } = rt.block_on(refresh(&accounts, None, concurrency));
    let rss = peak_rss_mib();

    // The lower bound: the busiest host of one account (its gate is that account's session's),
    // or the longest chain of calls that wait for each other, whichever is longer. The chain:
    // the listing of the account's projects (the first call, which proves the credentials: the
    // rest wait for it, so a wrong secret is sent once; it names every region's project id),
    // GeminiDB's list, an instance's link, its object. The busiest host's calls wait for part of
    // that chain too (DCS: the listing, then the list before the SSL queries), which this bound
    // leaves out: `best_rounds`.
    let latency = LATENCY_MS as f64 / 1000.0;
    let mut busiest = (String::new(), 0u64);
    let mut first_busiest = (String::new(), 0u64);
    let mut calls = 0u64;
    let mut iam_calls = 0u64;
    for (i, a) in accounts.iter().enumerate() {
        for (host, n) in rt.block_on(a.hosts()) {
            calls += n;
            if host.starts_with("iam.") {
                iam_calls += n;
            }
            if i == 0 && n > first_busiest.1 {
                first_busiest = (host.clone(), n);
            }
            if n > busiest.1 {
                busiest = (host, n);
            }
        }
    }
    let chain = 4.0;
    let by_host = |calls: u64| calls as f64 / gate as f64 * latency;
    let bound = by_host(busiest.1).max(chain * latency);
    let best = |(host, n): &(String, u64)| best_rounds(host, *n, gate).map(|r| (r, r as f64 * latency));

    // The first account again, alone: a third of the work, so the CPU that certdesk and the
    // simulators share on this machine is far less contended. Against its own best case it shows
    // what certdesk's scheduling costs with the CPU mostly free.
    let alone = rt.block_on(refresh(&accounts[..1], None, concurrency));
    let alone_bound = by_host(first_busiest.1).max(chain * latency);
    drop(accounts);

    // One call at a time, on one account of one region (the full estate would take minutes),
    // scaled per call to the full run's calls.
    let small = [Account::start(9, 1, PCA_PER_ACCOUNT / REGIONS)];
    let skip_sequential = std::env::var_os("CERTDESK_BENCH_SKIP_SEQUENTIAL").is_some();
    let (one_secs, one_calls) = if skip_sequential {
        (f64::NAN, 0)
    } else {
        let s = rt.block_on(one_at_a_time(&small[0]));
        (s, rt.block_on(small[0].hosts()).values().sum::<u64>())
    };
    let one_at_a_time = one_secs / one_calls as f64 * calls as f64;

    println!(
        "refresh bench: estate L, {ACCOUNTS} accounts x {REGIONS} regions (Huawei Cloud names), {LATENCY_MS} ms per request"
    );
    println!("  rows {rows}, errors {errors}, calls {calls} ({iam_calls} to IAM: one project listing per account)");
    println!("  per-host gate {gate}, refresh concurrency {concurrency} per part");
    println!(
        "  busiest host: {} with {} calls -> {:.2} s; longest chain {chain} calls -> {:.2} s",
        busiest.0,
        busiest.1,
        by_host(busiest.1),
        chain * latency
    );
    match best(&busiest) {
        Some((rounds, best_secs)) => println!(
            "  the busiest host, waiting for the project listing and its own list: at best {rounds} rounds -> {best_secs:.2} s ({:.2} x the bound)",
            best_secs / bound
        ),
        None => println!("  the busiest host is not a list-then-instances host: no best case in rounds"),
    }
    println!("  certdesk: {secs:.2} s; one at a time: {one_secs:.2} s for {one_calls} calls, scaled to {calls} calls");
    println!(
        "  CPU during the full refresh: certdesk {cpu_certdesk:.2} s, the simulators {cpu_simulators:.2} s, of {:.2} s on {} cores",
        secs * cores() as f64,
        cores()
    );
    println!(
        "  the first account alone: rows {}, errors {}, certdesk {:.2} s, its bound {alone_bound:.2} s (ratio {:.2}), its best case {}; CPU certdesk {:.2} s, its simulator {:.2} s",
        alone.rows,
        alone.errors,
        alone.secs,
        alone.secs / alone_bound,
        best(&first_busiest).map_or_else(|| "none in rounds".to_owned(), |(r, s)| format!("{r} rounds -> {s:.2} s")),
        alone.cpu_certdesk,
        alone.cpu_simulators
    );
    println!("  peak RSS of the refreshing process: {rss:.1} MiB for {rows} rows");
    println!(
        "refresh bench result: bound {bound:.2} s, certdesk {secs:.2} s, ratio {:.2}, one-at-a-time {one_at_a_time:.1} s, speed-up {:.1} x, peak RSS {rss:.1} MiB",
        secs / bound,
        one_at_a_time / secs
    );
}
