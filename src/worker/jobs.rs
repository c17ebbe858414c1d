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

use super::accounts::{Accounts, PendingSignIn, Target, no_vault};
use super::files::{download, export_certificate, export_name, export_to_folder, save_file};
use super::profiles as profiles_jobs;
use super::saver::{Prompts, Saver};
use super::{
    Command, Event, ExportChoice, JobId, KeyringOpener, Outcome, ProfileSecrets, SaveDialog, Waker, WorkerOptions,
};
use crate::cloud::Service;
use crate::inventory::ca_download::CaDownload;
use crate::inventory::export::ExportFormat;
use crate::inventory::snapshot::{self, Snapshot};
use crate::inventory::{InventoryRow, RefreshError, RefreshEvent, RefreshOptions, plan, refresh};
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

    /// Queues an event at once, from code that cannot wait (to keep events in the order the
    /// worker decided things); when the queue is full it is sent as soon as there is room.
    fn send_now(self: &Arc<Self>, event: Event) {
        match self.tx.try_send(event) {
            Ok(()) => (self.waker)(),
            Err(mpsc::error::TrySendError::Full(event)) => {
                let out = self.clone();
                tokio::spawn(async move { out.send(event).await });
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
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
    accounts: Accounts,
    profiles: Arc<Vec<Profile>>,
    vault: Option<Arc<dyn SecretStore>>,
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
struct Shared {
    demo: Option<RunningSim>,
    user_profiles: Vec<Profile>,
    vault: Option<Arc<dyn SecretStore>>,
}

/// The worker's parts, cloned into every job.
#[derive(Clone)]
struct Worker {
    out: Arc<Outbox>,
    saver: Saver,
    accounts: Accounts,
    shared: Arc<Mutex<Shared>>,
    /// Profile edits run one at a time: each reads, changes and writes the whole file.
    profile_edits: Arc<tokio::sync::Mutex<()>>,
    jobs: Arc<Mutex<HashMap<JobId, CancellationToken>>>,
    next_job: Arc<AtomicU64>,
    /// The refresh whose rows count; a new one cancels it.
    current_refresh: Arc<Mutex<Option<CancellationToken>>>,
    profiles_path: Option<PathBuf>,
    snapshot_path: Option<PathBuf>,
    notifier: Arc<dyn super::Notifier>,
    /// A notification failed once already (the user was told; later failures are only logged).
    notify_failed: Arc<std::sync::atomic::AtomicBool>,
    open_keyring: Option<KeyringOpener>,
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
            Command::ExportInventory { rows, format, warn_days, errors } => {
                self.spawn_export(job, rows, format, warn_days, errors);
            }
            Command::ExportCertificate { row, choice } => self.spawn_certificate_export(job, *row, choice),
            Command::ExportToFolder { rows, server_type } => self.spawn_folder_export(job, rows, server_type),
            Command::LoadProfiles => self.spawn_load_profiles(job),
            Command::LoadSnapshot => self.spawn_load_snapshot(job),
            Command::SaveSnapshot(snapshot) => self.spawn_save_snapshot(job, *snapshot),
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
    fn new_id(&self) -> JobId {
        self.next_job.fetch_add(1, Ordering::Relaxed)
    }

    fn context(&self, stop: JobStop) -> Context {
        let shared = locked(&self.shared);
        Context {
            accounts: self.accounts.clone(),
            profiles: Arc::new(shared.user_profiles.clone()),
            vault: shared.vault.clone(),
            saver: self.saver.clone(),
            stop,
        }
    }

    fn is_demo(&self) -> bool {
        locked(&self.shared).demo.is_some()
    }

    fn vault_word(&self) -> &'static str {
        locked(&self.shared).vault.as_ref().map_or("system keyring", |v| v.describe())
    }

    /// Runs `work` as a cancellable job: announced, tracked, and always finished with exactly one
    /// outcome, also when the work panics. Stopping ends the job at once, once its file writes
    /// have returned; work that must not stop halfway (a profile edit) runs in a task of its own
    /// that the job only waits for.
    fn spawn_job<F, Fut>(&self, job: JobId, label: String, work: F) -> CancellationToken
    where
        F: FnOnce(JobId, Worker, JobStop) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Outcome> + Send + 'static,
    {
        let stop = JobStop::default();
        let token = stop.token.clone();
        locked(&self.jobs).insert(job, token.clone());
        let worker = self.clone();
        tokio::spawn(async move {
            let out = worker.out.clone();
            out.send(Event::JobStarted { job, label: label.clone() }).await;
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
            w.spawn_refresh(w.new_id(), false);
            Outcome::Done
        });
    }

    /// Starts a refresh of every profile, replacing (cancelling) the one running. `reread`: read
    /// the profiles file first, so profiles added meanwhile (`certdesk profile add`) count too.
    fn spawn_refresh(&self, job: JobId, reread: bool) {
        let mut current = locked(&self.current_refresh);
        if let Some(previous) = current.take() {
            previous.cancel();
        }
        // Told here, under the lock: the UI learns of refreshes in the order they replace each other.
        self.out.send_now(Event::RefreshStarted { job });
        let token = self.spawn_job(job, "Refreshing the inventory".into(), move |job, w, stop| async move {
            if reread {
                w.reload_profiles(job).await;
            }
            let ctx = w.context(stop);
            if w.is_demo() {
                let targets = ctx.accounts.sessions().await;
                let parts = targets.iter().map(|t| parts_of(t)).sum();
                w.out.send(Event::RefreshPlanned { job, parts }).await;
                futures_util::future::join_all(targets.iter().map(|t| refresh_profile(job, t, &w.out))).await;
            } else {
                sign_in_and_refresh_all(job, &ctx, &w.out).await;
            }
            Outcome::Done
        });
        *current = Some(token);
    }

    fn refresh_if_profiles(&self) {
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
        warn_days: i64,
        errors: Vec<RefreshError>,
    ) {
        self.spawn_job(job, format!("Exporting {} row(s)", rows.len()), move |job, w, stop| async move {
            let ctx = w.context(stop);
            let suggested = format!("certdesk-inventory.{}", format.extension());
            let Some(choice) = ctx.saver.ask_file(job, &w.out, "Export the inventory", &suggested).await else {
                return Outcome::Cancelled;
            };
            let now = time::OffsetDateTime::now_utc();
            let bytes = crate::inventory::export::render_with_errors(&rows, &errors, format, warn_days, now);
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

/// Signs in and refreshes every profile, all at once: each has its own session and per-host
/// gates, so one account's calls never wait for another's, and an account that is slow or
/// unreachable (a private cloud behind a VPN that is down) holds no other back, also while it
/// signs in. Secrets are read one profile at a time first (a locked keyring asks once). A profile
/// that cannot sign in becomes one error line and one stale profile; its session, or its failure,
/// is kept for downloads and exports.
async fn sign_in_and_refresh_all(job: JobId, ctx: &Context, out: &Outbox) {
    let Some(vault) = &ctx.vault else {
        for profile in ctx.profiles.iter() {
            signed_in_or_failed(job, &profile.name, Err(no_vault()), out).await;
        }
        return;
    };
    let mut pending: Vec<PendingSignIn> = Vec::new();
    let mut paused: Vec<&str> = Vec::new();
    for profile in ctx.profiles.iter() {
        // A name twice (a hand-edited profiles file) is one account: the first one counts.
        if pending.iter().any(|p| p.profile_name() == profile.name) || paused.contains(&profile.name.as_str()) {
            tracing::warn!(profile = %profile.name, "the profiles file names this profile twice; the first one is used");
            continue;
        }
        // Credentials the cloud refused are not sent again by a refresh: under a lockout policy
        // each try counts toward locking the IAM user or the key.
        if let Some(refused) = ctx.accounts.paused(&profile.name) {
            paused.push(&profile.name);
            signed_in_or_failed(job, &profile.name, Err(crate::store::paused::words(&refused)), out).await;
            continue;
        }
        pending.push(ctx.accounts.begin_sign_in(profile, vault).await);
    }
    futures_util::future::join_all(pending.into_iter().map(|sign_in| async move {
        let name = sign_in.profile_name().to_owned();
        if let Some(target) = signed_in_or_failed(job, &name, sign_in.finish().await, out).await {
            out.send(Event::RefreshPlanned { job, parts: parts_of(&target) }).await;
            refresh_profile(job, &target, out).await;
        }
    }))
    .await;
}

/// Tells a profile's sign-in; a failure also as the profile's error line.
async fn signed_in_or_failed(
    job: JobId,
    profile: &str,
    result: Result<Arc<Target>, String>,
    out: &Outbox,
) -> Option<Arc<Target>> {
    match result {
        Ok(target) => {
            let result = Ok(format!("Signed in: {} region(s)", target.regions.len()));
            out.send(Event::ProfileSignIn { job, profile: profile.to_owned(), result }).await;
            Some(target)
        }
        Err(message) => {
            let result = Err(message.clone());
            out.send(Event::ProfileSignIn { job, profile: profile.to_owned(), result }).await;
            let error =
                RefreshError { profile: profile.to_owned(), region: "all".into(), service: Service::Iam, message };
            out.send(Event::RegionFailed { job, error }).await;
            None
        }
    }
}

/// The region/service parts a profile's refresh answers.
fn parts_of(target: &Target) -> usize {
    plan(&target.session, &RefreshOptions { regions: target.regions.clone(), ..RefreshOptions::default() }).len()
}

async fn refresh_profile(job: JobId, profile: &Target, out: &Outbox) {
    let (tx, mut rx) = mpsc::channel(64);
    let opts =
        RefreshOptions { profile: profile.name.clone(), regions: profile.regions.clone(), ..RefreshOptions::default() };
    let task = refresh(profile.session.clone(), opts, tx);
    let forward = async {
        while let Some(event) = rx.recv().await {
            out.send(match event {
                RefreshEvent::Rows { region, service, rows } => {
                    Event::RowsLoaded { job, profile: profile.name.clone(), region, service, rows }
                }
                RefreshEvent::Failed(error) => Event::RegionFailed { job, error },
            })
            .await;
        }
    };
    tokio::join!(task, forward);
}

impl Worker {
    fn spawn_load_profiles(&self, job: JobId) {
        self.spawn_job(job, "Reading the profiles".into(), |job, w, _| async move {
            let has_vault = locked(&w.shared).vault.is_some();
            let vault_status = if has_vault {
                Ok(())
            } else {
                profiles_jobs::open_keyring(w.open_keyring.clone()).await.map(|store| {
                    // A keyring that answers late never replaces what the user chose meanwhile.
                    locked(&w.shared).vault.get_or_insert(store);
                })
            };
            let outcome = match w.read_profiles_file().await {
                Ok(list) => {
                    locked(&w.shared).user_profiles = list;
                    Outcome::Done
                }
                Err(e) => Outcome::Failed(e),
            };
            let vault = vault_status.map(|()| w.vault_word());
            w.announce_profiles_for(job, vault).await;
            w.refresh_if_profiles();
            outcome
        });
    }

    fn spawn_load_snapshot(&self, job: JobId) {
        self.spawn_job(job, "Reading the saved inventory".into(), |job, w, _| async move {
            let Some(path) = w.snapshot_path.clone() else { return Outcome::Done };
            let (snapshot, problem, crash_folder) =
                match tokio::task::spawn_blocking(move || load_unless_crashed(&path)).await {
                    Ok(loaded) => loaded,
                    Err(e) => (None, Some(format!("The saved inventory could not be read: {e}")), None),
                };
            w.out.send(Event::SnapshotLoaded { job, snapshot, problem, crash_folder }).await;
            Outcome::Done
        });
    }

    fn spawn_save_snapshot(&self, job: JobId, snapshot: Snapshot) {
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
    fn notify(&self, job: JobId, title: String, body: String) {
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

    async fn read_profiles_file(&self) -> Result<Vec<Profile>, String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        match tokio::task::spawn_blocking(move || profiles::load(&path)).await {
            Ok(Ok(file)) => Ok(file.profiles),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Reads the profiles file again and announces it when it changed.
    async fn reload_profiles(&self, job: JobId) {
        if self.is_demo() {
            return;
        }
        // Not while an edit writes the file: its list is the newer one.
        let _edits = self.profile_edits.lock().await;
        let Ok(list) = self.read_profiles_file().await else { return };
        let changed = {
            let mut shared = locked(&self.shared);
            let changed = shared.user_profiles != list;
            shared.user_profiles = list;
            changed
        };
        if changed {
            self.announce_profiles_for(job, Ok(self.vault_word())).await;
        }
    }

    async fn announce_profiles(&self, vault: Result<&'static str, String>) {
        self.announce_profiles_for(0, vault).await;
    }

    async fn announce_profiles_for(&self, job: JobId, vault: Result<&'static str, String>) {
        let profiles = locked(&self.shared).user_profiles.clone();
        self.out.send(Event::ProfilesLoaded { job, profiles, vault }).await;
    }

    fn paths(&self) -> Result<(PathBuf, Arc<dyn SecretStore>), String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        let vault = locked(&self.shared).vault.clone().ok_or_else(no_vault)?;
        Ok((path, vault))
    }

    /// A profile edit's result: sessions of changed profiles are forgotten (a changed secret or
    /// endpoint must not be served from an old one), the list announced, the table refreshed.
    async fn profiles_changed(&self, job: JobId, changed: &[&str], list: Vec<Profile>) {
        // The refresh running answers for the old profiles: it stops before the new list is told.
        if let Some(running) = locked(&self.current_refresh).take() {
            running.cancel();
        }
        self.accounts.forget(changed);
        locked(&self.shared).user_profiles = list;
        self.announce_profiles_for(job, Ok(self.vault_word())).await;
        if !self.is_demo() {
            self.spawn_refresh(self.new_id(), false);
        }
    }

    /// Runs a profile edit to its end in a task of its own: the user may stop waiting (a keyring
    /// prompt left open), but keyring and file are never left half-changed by it.
    fn spawn_edit<F, Fut>(&self, job: JobId, label: String, edit: F)
    where
        F: FnOnce(Worker) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<Vec<String>, String>> + Send + 'static,
    {
        self.spawn_job(job, label.clone(), move |job, w, stop| async move {
            let task = tokio::spawn(async move {
                let _one_at_a_time = w.profile_edits.clone().lock_owned().await;
                let out = w.out.clone();
                let result = edit(w).await;
                let mut notices = result.clone().unwrap_or_default();
                // Nobody waits for the outcome of a stopped edit: its failure is told this way.
                if let (Err(e), true) = (&result, stop.is_stopped()) {
                    notices.push(format!("{label} (stopped, then ended): {e}"));
                }
                for message in notices {
                    out.send(Event::Notice { job, message, problem: true }).await;
                }
                result
            });
            match task.await {
                Ok(Ok(_)) => Outcome::Done,
                Ok(Err(e)) => Outcome::Failed(e),
                Err(_) => Outcome::Failed("The profile change stopped on an internal error; please report it.".into()),
            }
        });
    }

    fn spawn_save_profile(&self, job: JobId, profile: Profile, secrets: ProfileSecrets, previous: Option<String>) {
        self.spawn_edit(job, format!("Saving profile {}", profile.name), move |w| async move {
            let (path, vault) = w.paths()?;
            let name = profile.name.clone();
            let saved = profiles_jobs::save(&path, &vault, profile, secrets, previous.clone()).await?;
            let changed: Vec<&str> = [Some(name.as_str()), previous.as_deref()].into_iter().flatten().collect();
            w.profiles_changed(job, &changed, saved.profiles).await;
            Ok(saved.warnings)
        });
    }

    fn spawn_delete_profile(&self, job: JobId, name: String) {
        self.spawn_edit(job, format!("Deleting profile {name}"), move |w| async move {
            let (path, vault) = w.paths()?;
            let saved = profiles_jobs::delete(&path, &vault, name.clone()).await?;
            w.profiles_changed(job, &[name.as_str()], saved.profiles).await;
            Ok(saved.warnings)
        });
    }

    fn spawn_test(&self, job: JobId, name: String) {
        let (profile, vault) = {
            let shared = locked(&self.shared);
            (shared.user_profiles.iter().find(|p| p.name == name).cloned(), shared.vault.clone())
        };
        self.spawn_job(job, format!("Testing profile {name}"), move |job, w, _| async move {
            let result = match (profile, vault) {
                (Some(profile), Some(vault)) => profiles_jobs::test(&profile, &vault, &ProfileSecrets::default()).await,
                (None, _) => Err(format!("No profile named {name}.")),
                (_, None) => Err(no_vault()),
            };
            // The user asked, and the cloud took the credentials: a paused profile resumes.
            let resumed = result.is_ok() && w.accounts.paused(&name).is_some();
            if resumed {
                w.accounts.resume(&name);
            }
            w.out.send(Event::ProfileTested { job, name, draft: false, result }).await;
            if resumed {
                w.refresh_if_profiles();
            }
            Outcome::Done
        });
    }

    fn spawn_draft_test(&self, job: JobId, profile: Profile, secrets: ProfileSecrets) {
        let vault: Arc<dyn SecretStore> =
            locked(&self.shared).vault.clone().unwrap_or_else(|| Arc::new(MemoryStore::default()));
        let name = profile.name.clone();
        self.spawn_job(job, format!("Testing profile {name}"), move |job, w, _| async move {
            let result = match profile.validate() {
                Ok(()) => profiles_jobs::test(&profile, &vault, &secrets).await,
                Err(e) => Err(e),
            };
            w.out.send(Event::ProfileTested { job, name, draft: true, result }).await;
            Outcome::Done
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
