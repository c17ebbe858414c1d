//! Endurance: the worker the app uses refreshes three profiles over and over against three
//! `certdesk sim` processes with every fault on (503s, 429 bursts with Retry-After, truncated
//! bodies and resets, latency spikes, expired download links on one account, one simulator
//! restarted in the middle of a refresh now and then, a keyring that is locked at every fifth
//! read), downloading CA certificates and exporting private certificates between refreshes and
//! stopping some of those jobs. Runs `CERTDESK_SOAK_MINUTES` minutes (default 30), then prints as
//! its last line
//!
//! `soak result: minutes M, refreshes N, failed parts F, rss start A MiB, end B MiB, fds start C, end D, stuck jobs J, temp files T`
//!
//! (RSS and open descriptors of this process, which holds the worker, after the first refresh and
//! at the end; stuck jobs: jobs not ended 30 s after the run stops; temp files: `.certdesk-tmp-*`
//! left in the folder it wrote to). Asserts nothing about time; `scripts/test` runs 2 minutes of it
//! (`cargo test --bench soak`, the debug build the tests use) and checks the counts.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::cast_precision_loss)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use certdesk::cloud::{Cloud, Secret, Service};
use certdesk::inventory::InventoryRow;
use certdesk::inventory::estate::Note;
use certdesk::store::profiles::{AuthSettings, Profile};
use certdesk::vault::{MemoryStore, SecretField, SecretStore, VaultError};
use certdesk::worker::{
    Command, Event, ExportChoice, JobId, ProfileSecrets, SaveChoice, ScriptedDialog, WorkerHandle, WorkerOptions,
};

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");

/// A `certdesk sim` child on a fixed loopback port, killed on drop.
struct Sim {
    child: Child,
    info: serde_json::Value,
    args: Vec<String>,
}

impl Sim {
    fn start(args: Vec<String>) -> Self {
        let mut child = Process::new(BIN)
            .arg("sim")
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("certdesk sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let info: serde_json::Value = serde_json::from_str(&line).expect("the simulator's JSON line");
        Self { child, info, args }
    }

    fn endpoint(&self) -> String {
        self.info["endpoint"].as_str().unwrap().to_owned()
    }

    /// Kills it and starts it again on the same port with the same account (a cloud that went
    /// away in the middle of a refresh and came back).
    fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let port = self.endpoint().rsplit(':').next().unwrap().trim_end_matches('/').to_owned();
        let mut args = self.args.clone();
        args.extend(["--listen".into(), format!("127.0.0.1:{port}")]);
        for _ in 0..50 {
            let mut child =
                Process::new(BIN).arg("sim").args(&args).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
            if line.trim_start().starts_with('{') {
                self.child = child;
                return;
            }
            // The port is not free again yet.
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the simulator could not listen on its port again");
    }

    /// Sets its faults live.
    fn faults(&self, faults: &serde_json::Value) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let url = format!("{}/__sim/faults", self.endpoint().trim_end_matches('/'));
        let _ = rt.block_on(async { reqwest::Client::new().put(url).json(faults).send().await });
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keyring that is locked at every fifth read (the user's session locked it; it comes back).
struct LockingVault {
    inner: MemoryStore,
    reads: AtomicU64,
    /// Off while the profiles are set up.
    armed: AtomicBool,
}

impl SecretStore for LockingVault {
    fn describe(&self) -> &'static str {
        "system keyring"
    }
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        if self.armed.load(Ordering::Relaxed) && self.reads.fetch_add(1, Ordering::Relaxed) % 5 == 4 {
            return Err(VaultError::Locked("locked by the soak test".into()));
        }
        self.inner.get(profile, field)
    }
    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        self.inner.set(profile, field, secret)
    }
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        self.inner.delete(profile, field)
    }
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

fn temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                temp_files(&path)
            } else {
                usize::from(e.file_name().to_string_lossy().starts_with(certdesk::store::TEMP_PREFIX))
            }
        })
        .sum()
}

/// What the events told so far.
#[derive(Default)]
struct Seen {
    started: BTreeSet<JobId>,
    finished: BTreeSet<JobId>,
    failed_parts: u64,
    rows: BTreeMap<(String, String), InventoryRow>,
}

impl Seen {
    fn take(&mut self, worker: &mut WorkerHandle) {
        while let Some(event) = worker.try_recv() {
            match event {
                Event::JobStarted { job, .. } => {
                    self.started.insert(job);
                }
                Event::JobFinished { job, .. } => {
                    self.finished.insert(job);
                }
                Event::Estate { view, notes } => {
                    self.failed_parts +=
                        notes.iter().filter(|n| matches!(n, Note::PartFailed(_) | Note::SignInFailed { .. })).count()
                            as u64;
                    for row in &view.rows {
                        self.rows.insert((row.profile.clone(), row.id.clone()), row.clone());
                    }
                }
                // A save prompt appears only where no dialog can open; the scripted one always can.
                _ => {}
            }
        }
    }

    /// Waits until `job` ended (or `limit` passed); whether it did.
    fn wait(&mut self, worker: &mut WorkerHandle, job: JobId, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            self.take(worker);
            if self.finished.contains(&job) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }
}

/// The simulators' faults: every one on, and expired links for the third account.
fn sim_args(seed: u64) -> Vec<String> {
    let mut args: Vec<String> = [
        "--scale",
        "small",
        "--error-rate",
        "0.03",
        "--throttle-every",
        "50",
        "--throttle-burst",
        "3",
        "--retry-after-secs",
        "1",
        "--truncate-rate",
        "0.02",
        "--reset-rate",
        "0.01",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    args.extend(["--seed".into(), seed.to_string()]);
    if seed == 3 {
        // This account's download links have expired by the time they are used.
        args.extend(["--link-ttl-secs".into(), "-5".into()]);
    }
    args
}

/// A profile per simulator, saved as the app saves them; the keyring armed to lock afterwards.
fn profiles(sims: &[Sim], path: &Path, vault: &Arc<dyn SecretStore>) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (i, sim) in sims.iter().enumerate() {
        let regions: Vec<String> =
            sim.info["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
        let profile = Profile {
            name: format!("account-{}", i + 1),
            cloud: Cloud::HuaweiCloud,
            auth: AuthSettings::AkSk { access_key: sim.info["ak"].as_str().unwrap().into(), temporary: false },
            regions,
            endpoint: Some(sim.endpoint()),
            ca_file: None,
            endpoint_template: None,
            object_storage_suffix: None,
            resolve_to: None,
        };
        let secrets = ProfileSecrets {
            secret_key: Some(Secret::new(sim.info["sk"].as_str().unwrap())),
            ..ProfileSecrets::default()
        };
        rt.block_on(certdesk::worker::save_profile(path, vault, profile, secrets)).unwrap();
    }
}

/// Between refreshes: a CA download and a private certificate export, stopped every third round.
fn downloads_and_exports(worker: &mut WorkerHandle, seen: &mut Seen, dialog: &ScriptedDialog, out: &Path, round: u64) {
    let rows: Vec<InventoryRow> = seen.rows.values().cloned().collect();
    let pick = |service: Service| {
        let of: Vec<&InventoryRow> = rows
            .iter()
            .filter(|r| r.service == service && r.note.is_empty() && r.ssl == certdesk::inventory::SslStatus::On)
            .collect();
        (!of.is_empty()).then(|| of[usize::try_from(round).unwrap_or(0) % of.len()].clone())
    };
    let mut jobs = Vec::new();
    if let Some(row) = pick(Service::Dcs) {
        let path = out.join(format!("ca-{round}.zip"));
        dialog.answer(Some(SaveChoice { path, overwrite_confirmed: false }));
        jobs.extend(worker.send(Command::DownloadCertificate(Box::new(row))));
    }
    if let Some(row) = pick(Service::Ccm) {
        let path = out.join(format!("cert-{round}.pem"));
        dialog.answer(Some(SaveChoice { path, overwrite_confirmed: false }));
        let choice = ExportChoice::PemBundle { include_key: true };
        jobs.extend(worker.send(Command::ExportCertificate { row: Box::new(row), choice }));
    }
    if round % 3 == 2 {
        for job in &jobs {
            worker.send(Command::Cancel(*job));
        }
    }
    for job in jobs {
        seen.wait(worker, job, Duration::from_mins(1));
    }
}

fn main() {
    let minutes: f64 = std::env::var("CERTDESK_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(30.0);
    let run_for = Duration::from_secs_f64(minutes * 60.0);
    let mut sims: Vec<Sim> = (1..=3).map(|seed| Sim::start(sim_args(seed))).collect();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("saved");
    std::fs::create_dir_all(&out).unwrap();
    let path = dir.path().join("profiles.json");
    let locking = Arc::new(LockingVault {
        inner: MemoryStore::default(),
        reads: AtomicU64::new(0),
        armed: AtomicBool::new(false),
    });
    let vault: Arc<dyn SecretStore> = locking.clone();
    profiles(&sims, &path, &vault);
    locking.armed.store(true, Ordering::Relaxed);
    let dialog = Arc::new(ScriptedDialog::default());
    let options = WorkerOptions {
        profiles_path: Some(path),
        vault: Some(vault),
        downloads_dir: Some(out.clone()),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), dialog.clone(), options).unwrap();
    let mut seen = Seen::default();
    let started = Instant::now();
    let (mut refreshes, mut start_figures) = (0_u64, None);
    while started.elapsed() < run_for {
        let round = refreshes;
        // A latency spike on the second account every fourth refresh.
        let latency = if round % 4 == 1 { 700 } else { 0 };
        sims[1].faults(&serde_json::json!({"latency_ms": latency, "error_rate": 0.03, "truncate_rate": 0.02,
            "reset_rate": 0.01, "throttle_every": 50, "throttle_burst": 3, "retry_after_secs": 1}));
        let job = worker.send(Command::RefreshInventory).unwrap();
        if round % 5 == 3 {
            // The cloud goes away in the middle of the refresh and comes back.
            std::thread::sleep(Duration::from_millis(150));
            sims[0].restart();
        }
        seen.wait(&mut worker, job, Duration::from_mins(2));
        refreshes += 1;
        if start_figures.is_none() {
            start_figures = Some((rss_mib(), fds()));
        }
        downloads_and_exports(&mut worker, &mut seen, &dialog, &out, round);
    }
    // Every job must end by itself within 30 s of the run's end.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline && seen.started.difference(&seen.finished).next().is_some() {
        seen.take(&mut worker);
        std::thread::sleep(Duration::from_millis(50));
    }
    let stuck = seen.started.difference(&seen.finished).count();
    let (rss_start, fds_start) = start_figures.unwrap_or_else(|| (rss_mib(), fds()));
    let (rss_end, fds_end) = (rss_mib(), fds());
    let temp = temp_files(dir.path());
    drop(worker);
    drop(sims);
    let files = std::fs::read_dir(&out).map_or(0, Iterator::count);
    println!("figure: {files} file(s) saved over the run");
    println!(
        "soak result: minutes {minutes}, refreshes {refreshes}, failed parts {}, rss start {rss_start:.1} MiB, end \
         {rss_end:.1} MiB, fds start {fds_start}, end {fds_end}, stuck jobs {stuck}, temp files {temp}",
        seen.failed_parts
    );
}
