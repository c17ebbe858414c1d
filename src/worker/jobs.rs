//! The worker's loop: every command becomes a job on the runtime (nothing is awaited in the loop
//! itself), cancellable, reporting events, and ending with exactly one `JobFinished`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::accounts::{Accounts, Target};
use super::files::{download, export_certificate, export_name, export_to_folder, save_file};
use super::saver::{Prompts, Saver};
use super::{Command, Event, ExportChoice, JobId, KeyringOpener, Outcome, SaveDialog, Waker, WorkerOptions};
use crate::inventory::ca_download::CaDownload;
use crate::inventory::export::ExportFormat;
use crate::inventory::policy::Thresholds;
use crate::inventory::snapshot::{self, Snapshot};
use crate::inventory::{InventoryRow, RefreshError};
use crate::sim::RunningSim;
use crate::store::Sensitivity;
use crate::store::profiles::{self, Profile};
use crate::vault::{MemoryStore, SecretStore};

/// Sends events and wakes the UI.
pub(super) struct Outbox {
    pub(super) tx: mpsc::Sender<Event>,
    pub(super) waker: Waker,
}

impl Outbox {
    pub(super) async fn send(&self, event: Event) {
        // A closed channel means the UI is gone; the worker ends with it.
        let _ = self.tx.send(event).await;
        (self.waker)();
    }
}

pub(super) fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long a stopped job waits for its file writes before it reports its end anyway (a disk or
/// network share that does not answer); the write still ends atomically when the disk answers.
const WRITES_WAIT_SECS: u64 = 10;

/// A job's stop signal and the file writes it has started. A write on the blocking pool cannot
/// be dropped like a future: a stopped job reports its end only once its writes have returned, so
/// "stopped" means the folder is as it will stay (the temp file removed, or, when the stop came
/// after the write's last check, the file in place and told as a notice).
#[derive(Clone, Default)]
pub(super) struct JobStop {
    token: CancellationToken,
    writes: TaskTracker,
    /// Files the job's writes put in place that no event has told yet.
    untold: Arc<Mutex<Vec<PathBuf>>>,
}

impl JobStop {
    pub(super) fn is_stopped(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Runs a file write on the blocking pool, among the writes the job's end waits for.
    pub(super) fn write<T: Send + 'static>(
        &self,
        write: impl FnOnce() -> T + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        self.writes.spawn_blocking(write)
    }

    /// Notes a file a write put in place: a stopped job tells it at its end unless an event
    /// told it ([`Self::told`]) before the stop.
    pub(super) fn placed(&self, path: &std::path::Path) {
        locked(&self.untold).push(path.to_owned());
    }

    /// A placed file was told to the UI (its saved event sent).
    pub(super) fn told(&self, path: &std::path::Path) {
        locked(&self.untold).retain(|p| p != path);
    }

    /// Whether every write returned within the time allowed.
    async fn writes_ended(&self) -> bool {
        self.writes.close();
        tokio::time::timeout(std::time::Duration::from_secs(WRITES_WAIT_SECS), self.writes.wait()).await.is_ok()
    }
}

/// What a job may use: a snapshot of the profiles and vault when it started, the shared parts,
/// and its own stop signal.
#[derive(Clone)]
pub(super) struct Context {
    pub(super) accounts: Accounts,
    pub(super) profiles: Arc<Vec<Profile>>,
    pub(super) vault: Option<Arc<dyn SecretStore>>,
    /// The thresholds of the app's settings when the job started.
    pub(super) thresholds: Thresholds,
    pub(super) saver: Saver,
    pub(super) stop: JobStop,
}

impl Context {
    pub(super) async fn target(&self, profile: &str) -> Result<Arc<Target>, String> {
        self.accounts.get_or_sign_in(profile, &self.profiles, self.vault.as_ref()).await
    }
}

/// What the jobs change: read and written under a short lock, never held across an await.
#[derive(Default)]
pub(super) struct Shared {
    demo: Option<RunningSim>,
    pub(super) user_profiles: Vec<Profile>,
    pub(super) vault: Option<Arc<dyn SecretStore>>,
    /// The thresholds rows are judged with (the app's settings).
    pub(super) thresholds: Thresholds,
    /// Whether reminders are shown as desktop notifications.
    pub(super) notify: bool,
}

/// The worker's parts, cloned into every job.
#[derive(Clone)]
pub(super) struct Worker {
    pub(super) out: Arc<Outbox>,
    /// The estate: every row, and what the last refresh said of each part.
    pub(super) estate: super::refresh::EstateHub,
    saver: Saver,
    pub(super) accounts: Accounts,
    pub(super) shared: Arc<Mutex<Shared>>,
    /// Profile edits run one at a time: each reads, changes and writes the whole file.
    pub(super) profile_edits: Arc<tokio::sync::Mutex<()>>,
    jobs: Arc<Mutex<HashMap<JobId, CancellationToken>>>,
    next_job: Arc<AtomicU64>,
    /// The refresh whose rows count; a new one cancels it.
    pub(super) current_refresh: Arc<Mutex<Option<CancellationToken>>>,
    pub(super) profiles_path: Option<PathBuf>,
    snapshot_path: Option<PathBuf>,
    notifier: Arc<dyn super::Notifier>,
    /// A notification failed once already (the user was told; later failures are only logged).
    notify_failed: Arc<std::sync::atomic::AtomicBool>,
    pub(super) open_keyring: Option<KeyringOpener>,
    /// The last run ended with a panic: no refresh starts by itself until the user asks for one
    /// (the cloud's answer may be what made it fail, and would at every start).
    held_after_crash: Arc<std::sync::atomic::AtomicBool>,
}

pub(super) async fn run(
    mut rx: mpsc::Receiver<(JobId, Command)>,
    out: Outbox,
    dialog: Arc<dyn SaveDialog>,
    options: WorkerOptions,
    next_job: Arc<AtomicU64>,
) {
    // The user's Downloads folder, else home: never wherever the portal happened to start.
    let downloads = options.downloads_dir.or_else(|| {
        let dirs = directories::UserDirs::new()?;
        Some(dirs.download_dir().unwrap_or(dirs.home_dir()).to_path_buf())
    });
    // Beside a profiles file given explicitly (tests, portable set-ups), never in the user's own
    // data folder then.
    let snapshot_path = options
        .snapshot_path
        .or_else(|| options.profiles_path.as_ref().map(|p| p.with_file_name(snapshot::FILE_NAME)))
        .or_else(snapshot::default_path);
    let paused_file = snapshot_path.as_ref().map(|p| p.with_file_name(crate::store::paused::FILE_NAME));
    let worker = Worker {
        out: Arc::new(out),
        estate: super::refresh::EstateHub::default(),
        saver: Saver { dialog, prompts: Prompts::default(), last_dir: Arc::default(), downloads },
        accounts: Accounts::kept_in(paused_file),
        shared: Arc::new(Mutex::new(Shared { vault: options.vault, ..Shared::default() })),
        profile_edits: Arc::default(),
        jobs: Arc::default(),
        next_job,
        current_refresh: Arc::default(),
        snapshot_path,
        profiles_path: options.profiles_path.or_else(profiles::default_path),
        notifier: options.notifier.unwrap_or_else(|| Arc::new(super::DesktopNotifier)),
        notify_failed: Arc::default(),
        open_keyring: options.open_keyring,
        held_after_crash: Arc::default(),
    };
    // Looked at before any command: the first automatic refresh must already know.
    let crashed = worker.snapshot_path.as_deref().and_then(std::path::Path::parent).and_then(crate::crash::pending);
    worker.held_after_crash.store(crashed.is_some(), Ordering::Relaxed);
    while let Some((job, command)) = rx.recv().await {
        worker.dispatch(job, command);
    }
    let demo = locked(&worker.shared).demo.take();
    if let Some(sim) = demo {
        sim.shutdown().await;
    }
}

impl Worker {
    /// Starts the job for a command; returns at once.
    fn dispatch(&self, job: JobId, command: Command) {
        match command {
            Command::StartDemo(config) => self.spawn_demo(job, *config),
            Command::RefreshInventory => {
                // The user asked: whatever a crash held back goes on from here.
                self.held_after_crash.store(false, Ordering::Relaxed);
                self.spawn_refresh(job, true);
            }
            Command::DownloadCertificate(row) => self.spawn_download(job, *row),
            Command::ExportInventory { rows, format, thresholds, errors } => {
                self.spawn_export(job, rows, format, thresholds, errors);
            }
            Command::ExportCertificate { row, choice } => self.spawn_certificate_export(job, *row, choice),
            Command::ExportToFolder { rows, server_type } => self.spawn_folder_export(job, rows, server_type),
            Command::LoadProfiles => self.spawn_load_profiles(job),
            Command::LoadSnapshot => self.spawn_load_snapshot(job),
            Command::UseSettings { thresholds, notify } => {
                let mut shared = locked(&self.shared);
                (shared.thresholds, shared.notify) = (thresholds, notify);
            }
            Command::Notify { title, body } => self.notify(job, title, body),
            Command::UseSessionOnlySecrets => {
                locked(&self.shared).vault = Some(Arc::new(MemoryStore::default()));
                self.spawn_job(job, "Keeping secrets for this session only".into(), |_, w, _| async move {
                    w.announce_profiles(Ok("this session only")).await;
                    w.refresh_if_profiles();
                    Outcome::Done
                });
            }
            Command::SaveProfile { profile, secrets, previous_name } => {
                self.spawn_save_profile(job, *profile, secrets, previous_name);
            }
            Command::DeleteProfile(name) => self.spawn_delete_profile(job, name),
            Command::TestProfile(name) => self.spawn_test(job, name),
            Command::TestProfileDraft { profile, secrets } => self.spawn_draft_test(job, *profile, secrets),
            Command::AnswerSavePrompt { job: asking, path } => {
                if let Some(tx) = locked(&self.saver.prompts).remove(&asking) {
                    let _ = tx.send(path);
                }
            }
            Command::Cancel(target) => {
                if let Some(token) = locked(&self.jobs).get(&target) {
                    token.cancel();
                }
            }
            Command::OpenFolder(folder) => {
                let (dialog, out) = (self.saver.dialog.clone(), self.out.clone());
                tokio::spawn(async move {
                    let shown = folder.clone();
                    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || dialog.open_folder(&shown)).await {
                        let message =
                            format!("The folder {} could not be opened ({e}); open it yourself.", folder.display());
                        out.send(Event::Notice { job, message, problem: true }).await;
                    }
                });
            }
        }
    }

    /// An id for a job the worker starts by itself.
    pub(super) fn new_id(&self) -> JobId {
        self.next_job.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn context(&self, stop: JobStop) -> Context {
        let shared = locked(&self.shared);
        Context {
            accounts: self.accounts.clone(),
            profiles: Arc::new(shared.user_profiles.clone()),
            vault: shared.vault.clone(),
            thresholds: shared.thresholds,
            saver: self.saver.clone(),
            stop,
        }
    }

    pub(super) fn is_demo(&self) -> bool {
        locked(&self.shared).demo.is_some()
    }

    pub(super) fn vault_word(&self) -> &'static str {
        locked(&self.shared).vault.as_ref().map_or("system keyring", |v| v.describe())
    }

    /// Runs `work` as a cancellable job: announced, tracked, and always finished with exactly one
    /// outcome, also when the work panics. Stopping ends the job at once, once its file writes
    /// have returned; work that must not stop halfway (a profile edit) runs in a task of its own
    /// that the job only waits for.
    pub(super) fn spawn_job<F, Fut>(&self, job: JobId, label: String, work: F) -> CancellationToken
    where
        F: FnOnce(JobId, Worker, JobStop) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Outcome> + Send + 'static,
    {
        let stop = JobStop::default();
        let token = stop.token.clone();
        locked(&self.jobs).insert(job, token.clone());
        let worker = self.clone();
        // Announced here when there is room: jobs are told in the order they were started (a
        // save the refresh starts is told before the refresh's end).
        let announced = self.out.tx.try_send(Event::JobStarted { job, label: label.clone() }).is_ok();
        if announced {
            (self.out.waker)();
        }
        tokio::spawn(async move {
            let out = worker.out.clone();
            if !announced {
                out.send(Event::JobStarted { job, label: label.clone() }).await;
            }
            let (jobs, prompts) = (worker.jobs.clone(), worker.saver.prompts.clone());
            let work = std::panic::AssertUnwindSafe(work(job, worker, stop.clone())).catch_unwind();
            // Biased: once stopped, the work is never polled again (it could still send events).
            let outcome = tokio::select! {
                biased;
                () = stop.token.cancelled() => Outcome::Cancelled,
                result = work => result.unwrap_or_else(|_| {
                    Outcome::Failed(format!("{label} stopped on an internal error; please report it."))
                }),
            };
            if !stop.writes_ended().await {
                let message = format!(
                    "{label}: a file write had not returned after {WRITES_WAIT_SECS} s (a slow disk or network \
                     share?). Look in the folder once the disk answers: the file is there in full or not at all."
                );
                out.send(Event::Notice { job, message, problem: true }).await;
            }
            let untold = std::mem::take(&mut *locked(&stop.untold));
            if outcome == Outcome::Cancelled {
                for path in untold {
                    let message = format!("{label}: stopped, but {} had already been written in full.", path.display());
                    out.send(Event::Notice { job, message, problem: true }).await;
                }
            }
            locked(&jobs).remove(&job);
            locked(&prompts).remove(&job);
            out.send(Event::JobFinished { job, outcome }).await;
        });
        token
    }

    fn spawn_demo(&self, job: JobId, config: crate::sim::SimConfig) {
        self.spawn_job(job, "Starting the demo cloud".into(), move |job, w, _| async move {
            let sim = match crate::sim::start(config).await {
                Ok(sim) => sim,
                Err(e) => return Outcome::Failed(format!("The demo cloud did not start: {e}")),
            };
            let session = match sim.session().await {
                Ok(s) => s,
                Err(e) => return Outcome::Failed(e.to_string()),
            };
            let target = Target { name: "demo".into(), session: Arc::new(session), regions: sim.info.regions.clone() };
            w.accounts.keep(Arc::new(target)).await;
            w.out.send(Event::DemoStarted { job, endpoint: sim.endpoint().to_owned() }).await;
            locked(&w.shared).demo = Some(sim);
            // The demo's rows are the demo profile's, whatever the profiles file said.
            w.estate.update(|e| e.set_profiles(None));
            w.spawn_refresh(w.new_id(), false);
            Outcome::Done
        });
    }

    pub(super) fn refresh_if_profiles(&self) {
        if self.held_after_crash.load(Ordering::Relaxed) {
            tracing::info!("the last run ended with a panic: the refresh waits for the user");
            return;
        }
        let wanted = {
            let shared = locked(&self.shared);
            shared.demo.is_none() && !shared.user_profiles.is_empty() && shared.vault.is_some()
        };
        if wanted {
            self.spawn_refresh(self.new_id(), false);
        }
    }

    fn spawn_download(&self, job: JobId, row: InventoryRow) {
        self.spawn_job(
            job,
            format!("Downloading the CA certificate of {}", row.name),
            move |job, w, stop| async move {
                let ctx = w.context(stop);
                let suggested = CaDownload::suggested_name(row.service, &row.name);
                let Some(choice) = ctx.saver.ask_file(job, &w.out, "Save the CA certificate", &suggested).await else {
                    return Outcome::Cancelled;
                };
                let target = match ctx.target(&row.profile).await {
                    Ok(t) => t,
                    Err(e) => return Outcome::Failed(e),
                };
                download(job, &target, &row, choice, &ctx, &w.out).await
            },
        );
    }

    fn spawn_export(
        &self,
        job: JobId,
        rows: Vec<InventoryRow>,
        format: ExportFormat,
        thresholds: crate::inventory::policy::Thresholds,
        errors: Vec<RefreshError>,
    ) {
        self.spawn_job(job, format!("Exporting {} row(s)", rows.len()), move |job, w, stop| async move {
            let ctx = w.context(stop);
            let suggested = format!("certdesk-inventory.{}", format.extension());
            let Some(choice) = ctx.saver.ask_file(job, &w.out, "Export the inventory", &suggested).await else {
                return Outcome::Cancelled;
            };
            let now = time::OffsetDateTime::now_utc();
            let bytes = crate::inventory::export::render_with_errors(&rows, &errors, format, thresholds, now);
            save_file(job, &ctx, &w.out, choice, bytes, Sensitivity::Public).await
        });
    }

    fn spawn_certificate_export(&self, job: JobId, row: InventoryRow, choice: ExportChoice) {
        self.spawn_job(job, format!("Exporting certificate {}", row.name), move |job, w, stop| async move {
            let ctx = w.context(stop);
            let suggested = export_name(&row, &choice);
            let Some(save) = ctx.saver.ask_file(job, &w.out, "Export the certificate", &suggested).await else {
                return Outcome::Cancelled;
            };
            let target = match ctx.target(&row.profile).await {
                Ok(t) => t,
                Err(e) => return Outcome::Failed(e),
            };
            export_certificate(job, &target, &row, &choice, save, &ctx, &w.out).await
        });
    }

    fn spawn_folder_export(&self, job: JobId, rows: Vec<InventoryRow>, server_type: crate::cloud::pca::ServerType) {
        let label = format!("Exporting {} certificate(s) to a folder", rows.len());
        self.spawn_job(job, label, move |job, w, stop| async move {
            let ctx = w.context(stop);
            export_to_folder(job, &ctx, &rows, server_type, &w.out).await
        });
    }
}

impl Worker {
    fn spawn_load_snapshot(&self, job: JobId) {
        self.spawn_job(job, "Reading the saved inventory".into(), |job, w, _| async move {
            let Some(path) = w.snapshot_path.clone() else { return Outcome::Done };
            let (snapshot, problem, crash_folder) =
                match tokio::task::spawn_blocking(move || load_unless_crashed(&path)).await {
                    Ok(loaded) => loaded,
                    Err(e) => (None, Some(format!("The saved inventory could not be read: {e}")), None),
                };
            w.out.send(Event::SnapshotLoaded { job, problem, crash_folder }).await;
            if let Some(snapshot) = snapshot.filter(|_| !w.is_demo()) {
                w.estate.update(|e| e.show_snapshot(&snapshot));
                w.estate.publish(&w.out).await;
            }
            Outcome::Done
        });
    }

    pub(super) fn spawn_save_snapshot(&self, job: JobId, snapshot: Snapshot) {
        let label = format!("Saving the inventory ({} item(s)) for the next start", snapshot.rows.len());
        self.spawn_job(job, label, |_, w, stop| async move {
            let Some(path) = w.snapshot_path.clone() else {
                return Outcome::Failed("No data folder is known on this system; the inventory is not kept.".into());
            };
            // Not noted as placed: the saved inventory is certdesk's own file, not one the user chose,
            // so a save the stop came too late for is no news to them.
            let saving = stop.clone();
            let saved = stop.write(move || snapshot::save_unless(&path, &snapshot, &|| saving.is_stopped()));
            match saved.await {
                Ok(Ok(())) => Outcome::Done,
                Ok(Err(e)) => Outcome::Failed(format!("{e} The inventory shown is not affected.")),
                Err(e) => Outcome::Failed(e.to_string()),
            }
        });
    }

    /// Shows a notification without a job of its own (nothing to show in the activity); the first
    /// failure is a notice, later ones only a log line (no toast at every refresh).
    pub(super) fn notify(&self, job: JobId, title: String, body: String) {
        let (notifier, out, failed) = (self.notifier.clone(), self.out.clone(), self.notify_failed.clone());
        tokio::spawn(async move {
            let shown = tokio::task::spawn_blocking(move || notifier.notify(&title, &body)).await;
            if let Ok(Err(e)) = shown {
                if failed.swap(true, Ordering::Relaxed) {
                    tracing::warn!("{e}");
                } else {
                    out.send(Event::Notice { job, message: e.to_string(), problem: true }).await;
                }
            }
        });
    }
}

/// The saved inventory, unless the app ended with a panic last time: then it is set aside (it may
/// hold what made the app fail, and would do so again at every start), the crash report's folder
/// named, and the marker taken away once the inventory is out of the way.
fn load_unless_crashed(path: &std::path::Path) -> (Option<Box<Snapshot>>, Option<String>, Option<PathBuf>) {
    let folder = path.parent();
    if let Some(report) = folder.and_then(crate::crash::pending) {
        let what = match snapshot::set_aside_after_crash(path) {
            Ok(Some(aside)) => {
                folder.into_iter().for_each(crate::crash::clear);
                format!(
                    "The saved inventory it was showing was set aside as {}, so this start is clean.",
                    aside.display()
                )
            }
            Ok(None) => {
                folder.into_iter().for_each(crate::crash::clear);
                String::new()
            }
            // The marker stays: the next start tries again, and never reads it meanwhile.
            Err(e) => {
                format!("The saved inventory {} could not be set aside ({e}), so it is not read.", path.display())
            }
        };
        let problem = format!(
            "certdesk stopped unexpectedly last time. A crash report is in {} (kept on this computer; nothing was \
             sent anywhere). {what} The refresh waits for you: press Refresh (F5) when ready.",
            report.display()
        );
        let shown =
            if report.is_dir() { report } else { report.parent().map_or(report.clone(), std::path::Path::to_path_buf) };
        return (None, Some(problem.replace("  ", " ")), Some(shown));
    }
    match snapshot::load(path) {
        Ok(snapshot) => (snapshot.map(Box::new), None, None),
        Err(e) => (None, Some(e.to_string()), None),
    }
}
