//! Full-estate refresh against `certdesk sim --scale large` with 50 ms added latency:
//! certdesk's concurrency versus one request at a time, the lower bound, and peak RSS.
//!
//! Run with `cargo bench --bench refresh`. Prints figures; asserts nothing about time.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use certdesk::cloud::{Cloud, CloudSession, Credentials, Endpoints, HttpClient, HttpConfig};
use certdesk::inventory::{RefreshOptions, refresh_all};

const LATENCY_MS: u64 = 50;

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

async fn requests(endpoint: &str) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{endpoint}/__sim/stats")).await.unwrap().json().await.unwrap();
    v["requests"].as_u64().unwrap()
}

async fn run(info: &serde_json::Value, concurrency: usize) -> (f64, u64, usize, usize) {
    let endpoint = info["endpoint"].as_str().unwrap();
    let config = HttpConfig { max_in_flight_per_host: concurrency, ..HttpConfig::default() };
    let session = CloudSession::new(
        HttpClient::new(config).unwrap(),
        Endpoints::custom(Cloud::HuaweiCloud, endpoint).unwrap(),
        Credentials::aksk(info["ak"].as_str().unwrap(), info["sk"].as_str().unwrap()),
    );
    let regions: Vec<String> =
        info["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    let opts = RefreshOptions { regions, concurrency, ..RefreshOptions::default() };
    let before = requests(endpoint).await;
    let start = Instant::now();
    let (rows, errors) = refresh_all(Arc::new(session), opts).await;
    let secs = start.elapsed().as_secs_f64();
    (secs, requests(endpoint).await - before, rows.len(), errors.len())
}

fn main() {
    let latency = LATENCY_MS.to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_certdesk"))
        .args(["sim", "--scale", "large", "--latency-ms", &latency])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("certdesk sim starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let concurrency = RefreshOptions::default().concurrency;
    let (fast_secs, reqs, rows, errors) = rt.block_on(run(&info, concurrency));
    let rss_after_fast = peak_rss_mib();
    let skip_sequential = std::env::var_os("CERTDESK_BENCH_SKIP_SEQUENTIAL").is_some();
    let slow = (!skip_sequential).then(|| rt.block_on(run(&info, 1)));
    let _ = child.kill();
    let _ = child.wait();
    #[expect(clippy::cast_precision_loss, reason = "request counts are small")]
    let lower_bound = reqs as f64 / concurrency as f64 * (LATENCY_MS as f64 / 1000.0);
    println!("refresh bench: scale large, {LATENCY_MS} ms added latency per request");
    println!("  rows {rows}, errors {errors}, requests {reqs}");
    println!("  concurrent (in flight <= {concurrency}): {fast_secs:.2} s");
    println!("  lower bound (requests / concurrency x latency): {lower_bound:.2} s");
    println!("  efficiency (lower bound / concurrent): {:.0} %", lower_bound / fast_secs * 100.0);
    if let Some((slow_secs, slow_reqs, ..)) = slow {
        println!("  one request at a time: {slow_secs:.2} s ({slow_reqs} requests)");
        println!("  speed-up: {:.1}x", slow_secs / fast_secs);
    }
    println!("  peak RSS after the concurrent refresh: {rss_after_fast:.1} MiB; at the end: {:.1} MiB", peak_rss_mib());
}
