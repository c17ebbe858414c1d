//! The worker's loop: runs each command as a job on the runtime, cancellable, reporting events.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use futures_util::FutureExt;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::profiles as profiles_jobs;
use super::{
    Command, DialogAnswer, Event, ExportChoice, JobId, KeyringOpener, Outcome, ProfileSecrets, SaveChoice, SaveDialog,
    Waker, WorkerOptions,
};
use crate::certs::material::{ReadOptions, read};
use crate::certs::summary::{CertSummary, summarize};
use crate::cloud::{Cloud, CloudSession, Credentials, Endpoints, HttpClient, HttpConfig, Service};
use crate::inventory::ca_download::{self, CaDownload};
use crate::inventory::export::{ExportFormat, safe_file_stem};
use crate::inventory::{InventoryRow, RefreshError, RefreshEvent, RefreshOptions, SslStatus, plan, refresh};
use crate::sim::RunningSim;
use crate::store::profiles::{self, Profile};
use crate::store::{self, Overwrite, Sensitivity};
use crate::vault::{MemoryStore, SecretStore};

/// Sends events and wakes the UI.
pub(super) struct Outbox {
    pub(super) tx: mpsc::Sender<Event>,
    pub(super) waker: Waker,
}

impl Outbox {
    async fn send(&self, event: Event) {
        // A closed channel means the UI is gone; the worker ends with it.
        let _ = self.tx.send(event).await;
        (self.waker)();
    }

    async fn finish(&self, job: JobId, outcome: Outcome) {
        self.send(Event::JobFinished { job, outcome }).await;
    }
}

/// One account, signed in: its session keeps the tokens and project ids it resolved.
struct Target {
    name: String,
    session: Arc<CloudSession>,
    regions: Vec<String>,
}

/// The accounts signed in, by profile name: what the last refresh signed in, or an action signed
/// in on demand (after a restart, or when the refresh failed), so downloads and exports reuse
/// the refresh's session instead of signing in again.
#[derive(Clone, Default)]
struct Accounts {
    // An async lock held across a sign-in: one sign-in per profile at a time, never a stampede.
    signed_in: Arc<tokio::sync::Mutex<HashMap<String, Arc<Target>>>>,
}

impl Accounts {
    async fn get_or_sign_in(
        &self,
        name: &str,
        profiles: &[Profile],
        vault: Option<&Arc<dyn SecretStore>>,
    ) -> Result<Arc<Target>, String> {
        let mut signed_in = self.signed_in.lock().await;
        if let Some(target) = signed_in.get(name) {
            return Ok(target.clone());
        }
        let profile = profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("The profile {name} no longer exists; refresh to update the table."))?;
        let vault = vault.ok_or_else(no_vault)?;
        let target = sign_in(profile, vault).await?;
        signed_in.insert(name.to_owned(), target.clone());
        Ok(target)
    }

    async fn keep(&self, target: Arc<Target>) {
        self.signed_in.lock().await.insert(target.name.clone(), target);
    }

    /// Signs a profile in anew (a refresh: new regions, changed credentials) and keeps the result;
    /// an action waiting meanwhile gets this session instead of signing in a second time.
    async fn sign_in_again(&self, profile: &Profile, vault: &Arc<dyn SecretStore>) -> Result<Arc<Target>, String> {
        let mut signed_in = self.signed_in.lock().await;
        signed_in.remove(&profile.name);
        let target = sign_in(profile, vault).await?;
        signed_in.insert(profile.name.clone(), target.clone());
        Ok(target)
    }

    async fn forget(&self, names: &[&str]) {
        let mut signed_in = self.signed_in.lock().await;
        for name in names {
            signed_in.remove(*name);
        }
    }
}

fn no_vault() -> String {
    "No keyring is open: unlock the keyring, or choose to keep secrets for this session only.".to_owned()
}

/// Signs a profile in and checks the credentials with one call, so a wrong secret fails once here
/// rather than once per region and service.
async fn sign_in(profile: &Profile, vault: &Arc<dyn SecretStore>) -> Result<Arc<Target>, String> {
    let session = profiles_jobs::session(profile, vault).await?;
    let regions = profiles_jobs::regions(profile, &session).await?;
    if let Some(first) = regions.first() {
        session.project_id(first).await.map_err(|e| format!("cannot sign in: {e}"))?;
    }
    Ok(Arc::new(Target { name: profile.name.clone(), session: Arc::new(session), regions }))
}

type Jobs = Arc<Mutex<HashMap<JobId, CancellationToken>>>;
type Prompts = Arc<Mutex<HashMap<JobId, oneshot::Sender<Option<PathBuf>>>>>;

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Asks where to save: the native dialog, starting in the last folder used (else Downloads);
/// when no native dialog can open, the app's own prompt through [`Event::SavePrompt`].
#[derive(Clone)]
struct Saver {
    dialog: Arc<dyn SaveDialog>,
    prompts: Prompts,
    last_dir: Arc<Mutex<Option<PathBuf>>>,
    downloads: Option<PathBuf>,
}

impl Saver {
    fn start_dir(&self) -> Option<PathBuf> {
        locked(&self.last_dir).clone().or_else(|| self.downloads.clone())
    }

    fn remember(&self, saved: &Path) {
        if let Some(dir) = saved.parent().filter(|d| !d.as_os_str().is_empty()) {
            *locked(&self.last_dir) = Some(dir.to_owned());
        }
    }

    async fn ask_file(&self, job: JobId, out: &Outbox, title: &str, suggested: &str) -> Option<SaveChoice> {
        let start = self.start_dir();
        match self.dialog.ask_save_path(title, suggested, start.as_deref()).await {
            DialogAnswer::Chosen(choice) => Some(choice),
            DialogAnswer::Cancelled => None,
            DialogAnswer::Unavailable(reason) => {
                let proposal = start.unwrap_or_default().join(suggested);
                let path = self.prompt(job, out, reason, proposal, false).await?;
                // Typed in the app: an existing file is never replaced.
                Some(SaveChoice { path, overwrite_confirmed: false })
            }
        }
    }

    async fn ask_folder(&self, job: JobId, out: &Outbox, title: &str) -> Option<PathBuf> {
        let start = self.start_dir();
        match self.dialog.ask_folder(title, start.as_deref()).await {
            DialogAnswer::Chosen(folder) => Some(folder),
            DialogAnswer::Cancelled => None,
            DialogAnswer::Unavailable(reason) => self.prompt(job, out, reason, start.unwrap_or_default(), true).await,
        }
    }

    async fn prompt(&self, job: JobId, out: &Outbox, reason: String, path: PathBuf, folder: bool) -> Option<PathBuf> {
        let (mut reason, mut path) = (reason, path);
        loop {
            let (tx, rx) = oneshot::channel();
            locked(&self.prompts).insert(job, tx);
            out.send(Event::SavePrompt { job, reason: reason.clone(), path: path.clone(), folder }).await;
            let chosen = rx.await.ok().flatten()?;
            // Typed in the app, so nothing asked before replacing: ask again for an existing file.
            let exists = tokio::fs::try_exists(&chosen).await.unwrap_or(false);
            if folder || !exists {
                return Some(chosen);
            }
            reason = format!("{} already exists; type another name (it is not replaced).", chosen.display());
            path = chosen;
        }
    }
}

/// What a job may use: a snapshot of the profiles and vault when it started, and the shared parts.
#[derive(Clone)]
struct Context {
    accounts: Accounts,
    profiles: Arc<Vec<Profile>>,
    vault: Option<Arc<dyn SecretStore>>,
    saver: Saver,
}

impl Context {
    async fn target(&self, profile: &str) -> Result<Arc<Target>, String> {
        self.accounts.get_or_sign_in(profile, &self.profiles, self.vault.as_ref()).await
    }
}

struct State {
    out: Arc<Outbox>,
    saver: Saver,
    accounts: Accounts,
    demo: Option<RunningSim>,
    user_profiles: Vec<Profile>,
    profiles_path: Option<PathBuf>,
    vault: Option<Arc<dyn SecretStore>>,
    open_keyring: Option<KeyringOpener>,
    jobs: Jobs,
    next_job: Arc<AtomicU64>,
    /// The refresh whose rows count; a new one cancels it.
    current_refresh: Option<CancellationToken>,
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
    let mut state = State {
        out: Arc::new(out),
        saver: Saver { dialog, prompts: Prompts::default(), last_dir: Arc::default(), downloads },
        accounts: Accounts::default(),
        demo: None,
        user_profiles: Vec::new(),
        profiles_path: options.profiles_path.or_else(profiles::default_path),
        vault: options.vault,
        open_keyring: options.open_keyring,
        jobs: Jobs::default(),
        next_job,
        current_refresh: None,
    };
    while let Some((job, command)) = rx.recv().await {
        match command {
            Command::StartDemo(config) => state.start_demo(job, *config).await,
            Command::RefreshInventory => {
                // Profiles added meanwhile (`certdesk profile add`, another window) count too.
                state.reload_profiles().await;
                state.spawn_refresh(job);
            }
            Command::DownloadCertificate(row) => state.spawn_download(job, *row),
            Command::ExportInventory { rows, format, warn_days } => state.spawn_export(job, rows, format, warn_days),
            Command::ExportCertificate { row, choice } => state.spawn_certificate_export(job, *row, choice),
            Command::ExportToFolder { rows, server_type } => state.spawn_folder_export(job, rows, server_type),
            Command::LoadProfiles => state.load_profiles().await,
            Command::UseSessionOnlySecrets => {
                state.vault = Some(Arc::new(MemoryStore::default()));
                state.announce_profiles(Ok("this session only")).await;
                if !state.user_profiles.is_empty() {
                    let job = state.new_id();
                    state.spawn_refresh(job);
                }
            }
            Command::SaveProfile { profile, secrets, previous_name } => {
                state.save_profile(job, *profile, secrets, previous_name).await;
            }
            Command::DeleteProfile(name) => state.delete_profile(job, name).await,
            Command::TestProfile(name) => state.spawn_test(job, name),
            Command::TestProfileDraft { profile, secrets } => state.spawn_draft_test(job, *profile, secrets),
            Command::AnswerSavePrompt { job: asking, path } => {
                if let Some(tx) = locked(&state.saver.prompts).remove(&asking) {
                    let _ = tx.send(path);
                }
            }
            Command::Cancel(target) => {
                if let Some(token) = locked(&state.jobs).get(&target) {
                    token.cancel();
                }
            }
        }
    }
    if let Some(sim) = state.demo.take() {
        sim.shutdown().await;
    }
}

impl State {
    /// An id for a job the worker starts by itself.
    fn new_id(&self) -> JobId {
        self.next_job.fetch_add(1, Ordering::Relaxed)
    }

    fn track(&self, job: JobId) -> CancellationToken {
        let token = CancellationToken::new();
        locked(&self.jobs).insert(job, token.clone());
        token
    }

    fn context(&self) -> Context {
        Context {
            accounts: self.accounts.clone(),
            profiles: Arc::new(self.user_profiles.clone()),
            vault: self.vault.clone(),
            saver: self.saver.clone(),
        }
    }

    async fn start_demo(&mut self, job: JobId, config: crate::sim::SimConfig) {
        self.out.send(Event::JobStarted { job, label: "Starting the demo cloud".into() }).await;
        let sim = match crate::sim::start(config).await {
            Ok(sim) => sim,
            Err(e) => return self.out.finish(job, Outcome::Failed(format!("The demo cloud did not start: {e}"))).await,
        };
        let session = HttpClient::new(HttpConfig::default()).and_then(|http| {
            let endpoints = Endpoints::custom(Cloud::HuaweiCloud, sim.endpoint())?;
            Ok(CloudSession::new(http, endpoints, Credentials::aksk(&sim.info.ak, &sim.info.sk)))
        });
        let session = match session {
            Ok(s) => s,
            Err(e) => return self.out.finish(job, Outcome::Failed(e.to_string())).await,
        };
        for (region, project) in &sim.info.project_ids {
            session.set_project_id(region, project).await;
        }
        let target = Target { name: "demo".into(), session: Arc::new(session), regions: sim.info.regions.clone() };
        self.accounts.keep(Arc::new(target)).await;
        self.out.send(Event::DemoStarted { endpoint: sim.endpoint().to_owned() }).await;
        self.demo = Some(sim);
        self.out.finish(job, Outcome::Done).await;
        let refresh = self.new_id();
        self.spawn_refresh(refresh);
    }

    /// Runs `work` as a cancellable job: announced, tracked, and always finished with exactly one
    /// outcome, also when the work panics.
    fn spawn_job<F, Fut>(&mut self, job: JobId, label: String, work: F) -> CancellationToken
    where
        F: FnOnce(JobId, Arc<Outbox>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Outcome> + Send + 'static,
    {
        let token = self.track(job);
        let (out, jobs, prompts, cancel) =
            (self.out.clone(), self.jobs.clone(), self.saver.prompts.clone(), token.clone());
        tokio::spawn(async move {
            out.send(Event::JobStarted { job, label: label.clone() }).await;
            let work = std::panic::AssertUnwindSafe(work(job, out.clone())).catch_unwind();
            let outcome = tokio::select! {
                () = cancel.cancelled() => Outcome::Cancelled,
                result = work => result.unwrap_or_else(|_| {
                    Outcome::Failed(format!("{label} stopped on an internal error; please report it."))
                }),
            };
            locked(&jobs).remove(&job);
            locked(&prompts).remove(&job);
            out.finish(job, outcome).await;
        });
        token
    }

    fn spawn_refresh(&mut self, job: JobId) {
        if let Some(previous) = self.current_refresh.take() {
            previous.cancel();
        }
        let ctx = self.context();
        let demo = self.demo.is_some();
        let token = self.spawn_job(job, "Refreshing the inventory".into(), move |job, out| async move {
            out.send(Event::RefreshStarted { job }).await;
            let targets = if demo {
                ctx.accounts.signed_in.lock().await.values().cloned().collect()
            } else {
                sign_in_all(job, &ctx, &out).await
            };
            let parts = targets
                .iter()
                .map(|p| {
                    plan(&p.session, &RefreshOptions { regions: p.regions.clone(), ..RefreshOptions::default() }).len()
                })
                .sum();
            out.send(Event::RefreshPlanned { job, parts }).await;
            refresh_profiles(job, &targets, &out).await;
            Outcome::Done
        });
        self.current_refresh = Some(token);
    }

    fn spawn_download(&mut self, job: JobId, row: InventoryRow) {
        let ctx = self.context();
        self.spawn_job(job, format!("Downloading the CA certificate of {}", row.name), move |job, out| async move {
            let suggested = CaDownload::suggested_name(row.service, &row.name);
            let Some(choice) = ctx.saver.ask_file(job, &out, "Save the CA certificate", &suggested).await else {
                return Outcome::Cancelled;
            };
            let target = match ctx.target(&row.profile).await {
                Ok(t) => t,
                Err(e) => return Outcome::Failed(e),
            };
            download(job, &target, &row, choice, &ctx.saver, &out).await
        });
    }

    fn spawn_export(&mut self, job: JobId, rows: Vec<InventoryRow>, format: ExportFormat, warn_days: i64) {
        let ctx = self.context();
        self.spawn_job(job, format!("Exporting {} row(s)", rows.len()), move |job, out| async move {
            let suggested = format!("certdesk-inventory.{}", format.extension());
            let Some(choice) = ctx.saver.ask_file(job, &out, "Export the inventory", &suggested).await else {
                return Outcome::Cancelled;
            };
            let bytes = crate::inventory::export::render(&rows, format, warn_days, time::OffsetDateTime::now_utc());
            save_file(job, &out, &ctx.saver, choice, bytes, Sensitivity::Public).await
        });
    }

    fn spawn_certificate_export(&mut self, job: JobId, row: InventoryRow, choice: ExportChoice) {
        let ctx = self.context();
        self.spawn_job(job, format!("Exporting certificate {}", row.name), move |job, out| async move {
            let suggested = export_name(&row, &choice);
            let Some(save) = ctx.saver.ask_file(job, &out, "Export the certificate", &suggested).await else {
                return Outcome::Cancelled;
            };
            let target = match ctx.target(&row.profile).await {
                Ok(t) => t,
                Err(e) => return Outcome::Failed(e),
            };
            export_certificate(job, &target, &row, &choice, save, &ctx.saver, &out).await
        });
    }

    fn spawn_folder_export(&mut self, job: JobId, rows: Vec<InventoryRow>, server_type: crate::cloud::pca::ServerType) {
        let ctx = self.context();
        let label = format!("Exporting {} certificate(s) to a folder", rows.len());
        self.spawn_job(job, label, move |job, out| async move {
            export_to_folder(job, &ctx, &rows, server_type, &out).await
        });
    }
}

/// The file name the console gives an export of this kind.
fn export_name(row: &InventoryRow, choice: &ExportChoice) -> String {
    let stem = safe_file_stem(&row.name);
    match choice {
        ExportChoice::PemBundle { include_key: true } => format!("{stem}-with-key.pem"),
        ExportChoice::PemBundle { include_key: false } => format!("{stem}.pem"),
        ExportChoice::ServerZip(kind) => format!("{stem}_{}.zip", kind.api_name().to_ascii_lowercase()),
        ExportChoice::Pkcs12(_) => format!("{stem}.p12"),
    }
}

/// A file name for a bulk export: the single file's name with the region and the start of the id,
/// so same-named instances of two regions, or a renewed certificate with the same name, never
/// collide in one folder.
fn bulk_name(row: &InventoryRow, server_type: crate::cloud::pca::ServerType) -> String {
    let (stem, id) = (safe_file_stem(&row.name), safe_file_stem(&row.id).chars().take(8).collect::<String>());
    match row.service {
        Service::Ccm => format!("{stem}-{id}_{}.zip", server_type.api_name().to_ascii_lowercase()),
        Service::Dcs => format!("{stem}-{}-{id}-ca.zip", safe_file_stem(&row.region)),
        _ => format!("{stem}-{}-{id}-ca.crt", safe_file_stem(&row.region)),
    }
}

/// Writes a file the user chose, atomically, and reports it.
async fn save_file(
    job: JobId,
    out: &Outbox,
    saver: &Saver,
    choice: SaveChoice,
    bytes: Vec<u8>,
    sensitivity: Sensitivity,
) -> Outcome {
    match write_chosen(&choice, bytes, sensitivity).await {
        Ok(()) => {
            saver.remember(&choice.path);
            out.send(Event::FileSaved { job, path: choice.path }).await;
            Outcome::Done
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// The atomic write of a chosen file, on the blocking pool.
async fn write_chosen(choice: &SaveChoice, bytes: Vec<u8>, sensitivity: Sensitivity) -> Result<(), String> {
    let overwrite = if choice.overwrite_confirmed { Overwrite::Replace } else { Overwrite::Never };
    let path = choice.path.clone();
    tokio::task::spawn_blocking(move || {
        // Temp files a crash left in this folder are swept before writing.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            store::sweep_temp_files(dir);
        }
        store::write_atomic(&path, &bytes, sensitivity, overwrite)
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

async fn export_to_folder(
    job: JobId,
    ctx: &Context,
    rows: &[InventoryRow],
    server_type: crate::cloud::pca::ServerType,
    out: &Outbox,
) -> Outcome {
    let Some(folder) = ctx.saver.ask_folder(job, out, "Export certificates to a folder").await else {
        return Outcome::Cancelled;
    };
    let (mut saved, mut problems) = (0usize, Vec::new());
    // One at a time: each file is small, and the cloud's rate limits apply per account.
    for row in rows {
        let target = match ctx.target(&row.profile).await {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", row.name));
                continue;
            }
        };
        let fixed = |name: String| SaveChoice { path: folder.join(name), overwrite_confirmed: false };
        let outcome = match row.service {
            Service::Dcs | Service::GeminiDb if row.ssl == SslStatus::On => {
                let choice = fixed(bulk_name(row, server_type));
                download(job, &target, row, choice, &ctx.saver, out).await
            }
            Service::Ccm => {
                let choice = ExportChoice::ServerZip(server_type);
                let save = fixed(bulk_name(row, server_type));
                export_certificate(job, &target, row, &choice, save, &ctx.saver, out).await
            }
            _ => Outcome::Failed("no certificate: SSL is not on".into()),
        };
        match outcome {
            Outcome::Done => saved += 1,
            Outcome::Failed(e) => problems.push(format!("{}: {e}", row.name)),
            Outcome::Cancelled => return Outcome::Cancelled,
        }
    }
    if problems.is_empty() {
        Outcome::Done
    } else {
        Outcome::Failed(format!(
            "saved {saved} of {} into {}; not saved: {}",
            rows.len(),
            folder.display(),
            problems.join("; ")
        ))
    }
}

/// Exports one private certificate into the chosen file: PCA export, local conversion, safe write (0600).
async fn export_certificate(
    job: JobId,
    target: &Target,
    row: &InventoryRow,
    choice: &ExportChoice,
    save: SaveChoice,
    saver: &Saver,
    out: &Outbox,
) -> Outcome {
    use crate::cloud::pca::{self, Export, ServerType};
    let session = &target.session;
    let result: Result<(Vec<u8>, Sensitivity), String> = async {
        match choice {
            ExportChoice::ServerZip(kind) => {
                match pca::export_certificate(session, &row.id, *kind, true).await.map_err(|e| e.to_string())? {
                    Export::Zip { bytes, .. } => Ok((bytes.to_vec(), Sensitivity::Secret)),
                    Export::Pem(_) => Err("The cloud answered with PEM text where a zip was asked.".to_owned()),
                }
            }
            ExportChoice::PemBundle { include_key } => {
                let Export::Pem(pem) = pca::export_certificate(session, &row.id, ServerType::Other, false)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Err("The cloud answered with a zip where PEM text was asked.".to_owned());
                };
                let lf = |s: &str| s.replace("\r\n", "\n");
                let mut text = format!("{}{}", lf(&pem.certificate), lf(&pem.certificate_chain));
                if *include_key {
                    text.push_str(&lf(&pem.private_key));
                    return Ok((text.into_bytes(), Sensitivity::Secret));
                }
                Ok((text.into_bytes(), Sensitivity::Public))
            }
            ExportChoice::Pkcs12(password) => {
                let Export::Pem(pem) = pca::export_certificate(session, &row.id, ServerType::Other, false)
                    .await
                    .map_err(|e| e.to_string())?
                else {
                    return Err("The cloud answered with a zip where PEM text was asked.".to_owned());
                };
                let text = format!("{}{}{}", pem.certificate, pem.certificate_chain, pem.private_key);
                let material =
                    read("export.pem", text.as_bytes(), &ReadOptions::default()).map_err(|e| e.to_string())?;
                let ders: Vec<Vec<u8>> = material.certificates.iter().map(|c| c.der.clone()).collect();
                let key = material.keys.first().map(|k| &k.key).ok_or("The export held no private key.")?;
                let (leaf, chain) = ders.split_first().ok_or("The export held no certificate.")?;
                let p12 = crate::certs::bundle::Identity { leaf, chain, key: Some(key) }
                    .render(crate::certs::bundle::OutputFormat::P12, password.expose())
                    .map_err(|e| e.to_string())?;
                Ok((p12, Sensitivity::Secret))
            }
        }
    }
    .await;
    match result {
        Ok((bytes, sensitivity)) => save_file(job, out, saver, save, bytes, sensitivity).await,
        Err(e) => Outcome::Failed(e),
    }
}

/// Signs in every profile; one that fails becomes one error line and one stale profile, the
/// others go on. The sessions are kept for downloads and exports.
async fn sign_in_all(job: JobId, ctx: &Context, out: &Outbox) -> Vec<Arc<Target>> {
    let mut targets = Vec::new();
    for profile in ctx.profiles.iter() {
        let result = match &ctx.vault {
            None => Err(no_vault()),
            Some(vault) => ctx.accounts.sign_in_again(profile, vault).await,
        };
        match result {
            Ok(target) => {
                let regions = target.regions.len();
                let result = Ok(format!("Signed in: {regions} region(s)"));
                out.send(Event::ProfileSignIn { job, profile: profile.name.clone(), result }).await;
                targets.push(target);
            }
            Err(message) => {
                let result = Err(message.clone());
                out.send(Event::ProfileSignIn { job, profile: profile.name.clone(), result }).await;
                let error = RefreshError {
                    profile: profile.name.clone(),
                    region: "all".into(),
                    service: Service::Iam,
                    message,
                };
                out.send(Event::RegionFailed { job, error }).await;
            }
        }
    }
    targets
}

impl State {
    async fn load_profiles(&mut self) {
        let vault_status = if self.vault.is_some() {
            Ok(())
        } else {
            profiles_jobs::open_keyring(self.open_keyring.clone()).await.map(|store| self.vault = Some(store))
        };
        let loaded = match &self.profiles_path {
            Some(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || profiles::load(&path)).await.unwrap_or_else(|e| Err(e.to_string()))
            }
            None => Err("No configuration folder is known on this system.".into()),
        };
        match loaded {
            Ok(file) => self.user_profiles = file.profiles,
            Err(e) => {
                let job = self.new_id();
                self.out.send(Event::JobStarted { job, label: "Reading the profiles".into() }).await;
                self.out.finish(job, Outcome::Failed(e)).await;
            }
        }
        let vault = vault_status.map(|()| self.vault.as_ref().map_or("system keyring", |v| v.describe()));
        self.announce_profiles(vault).await;
        if !self.user_profiles.is_empty() && self.vault.is_some() {
            let job = self.new_id();
            self.spawn_refresh(job);
        }
    }

    /// Reads the profiles file again and announces it when it changed.
    async fn reload_profiles(&mut self) {
        let Some(path) = self.profiles_path.clone().filter(|_| self.demo.is_none()) else { return };
        let Ok(Ok(file)) = tokio::task::spawn_blocking(move || profiles::load(&path)).await else { return };
        if file.profiles != self.user_profiles {
            self.user_profiles = file.profiles;
            let vault = self.vault.as_ref().map_or("system keyring", |v| v.describe());
            self.announce_profiles(Ok(vault)).await;
        }
    }

    async fn announce_profiles(&self, vault: Result<&'static str, String>) {
        self.out.send(Event::ProfilesLoaded { profiles: self.user_profiles.clone(), vault }).await;
    }

    fn paths(&self) -> Result<(PathBuf, Arc<dyn SecretStore>), String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        let vault = self.vault.clone().ok_or_else(no_vault)?;
        Ok((path, vault))
    }

    async fn after_profile_change(&mut self, job: JobId, changed: &[&str], result: Result<Vec<Profile>, String>) {
        match result {
            Ok(list) => {
                // A changed secret or endpoint must not be served from an old session.
                self.accounts.forget(changed).await;
                self.user_profiles = list;
                let vault = self.vault.as_ref().map_or("system keyring", |v| v.describe());
                self.announce_profiles(Ok(vault)).await;
                self.out.finish(job, Outcome::Done).await;
                // What the table shows follows the profiles.
                if self.demo.is_none() {
                    let refresh = self.new_id();
                    self.spawn_refresh(refresh);
                }
            }
            Err(e) => self.out.finish(job, Outcome::Failed(e)).await,
        }
    }

    async fn save_profile(&mut self, job: JobId, profile: Profile, secrets: ProfileSecrets, previous: Option<String>) {
        self.out.send(Event::JobStarted { job, label: format!("Saving profile {}", profile.name) }).await;
        let name = profile.name.clone();
        let result = match self.paths() {
            Ok((path, vault)) => profiles_jobs::save(&path, &vault, profile, secrets, previous.clone()).await,
            Err(e) => Err(e),
        };
        let changed: Vec<&str> = [Some(name.as_str()), previous.as_deref()].into_iter().flatten().collect();
        self.after_profile_change(job, &changed, result).await;
    }

    async fn delete_profile(&mut self, job: JobId, name: String) {
        self.out.send(Event::JobStarted { job, label: format!("Deleting profile {name}") }).await;
        let result = match self.paths() {
            Ok((path, vault)) => profiles_jobs::delete(&path, &vault, name.clone()).await,
            Err(e) => Err(e),
        };
        self.after_profile_change(job, &[name.as_str()], result).await;
    }

    fn spawn_test(&mut self, job: JobId, name: String) {
        let profile = self.user_profiles.iter().find(|p| p.name == name).cloned();
        let vault = self.vault.clone();
        self.spawn_job(job, format!("Testing profile {name}"), move |_, out| async move {
            let result = match (profile, vault) {
                (Some(profile), Some(vault)) => profiles_jobs::test(&profile, &vault, &ProfileSecrets::default()).await,
                (None, _) => Err(format!("No profile named {name}.")),
                (_, None) => Err(no_vault()),
            };
            out.send(Event::ProfileTested { name, result }).await;
            Outcome::Done
        });
    }

    fn spawn_draft_test(&mut self, job: JobId, profile: Profile, secrets: ProfileSecrets) {
        let vault: Arc<dyn SecretStore> = self.vault.clone().unwrap_or_else(|| Arc::new(MemoryStore::default()));
        let name = profile.name.clone();
        self.spawn_job(job, format!("Testing profile {name}"), move |_, out| async move {
            let result = match profile.validate() {
                Ok(()) => profiles_jobs::test(&profile, &vault, &secrets).await,
                Err(e) => Err(e),
            };
            out.send(Event::ProfileTested { name, result }).await;
            Outcome::Done
        });
    }
}

async fn refresh_profiles(job: JobId, profiles: &[Arc<Target>], out: &Outbox) {
    for profile in profiles {
        let (tx, mut rx) = mpsc::channel(64);
        let opts = RefreshOptions {
            profile: profile.name.clone(),
            regions: profile.regions.clone(),
            ..RefreshOptions::default()
        };
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
}

/// Downloads an instance's CA certificate into the chosen file: as received, or as PEM text when
/// the name ends in `.pem` or `.crt`.
async fn download(
    job: JobId,
    profile: &Target,
    row: &InventoryRow,
    choice: SaveChoice,
    saver: &Saver,
    out: &Outbox,
) -> Outcome {
    let session = &profile.session;
    let fetched = match ca_download::download_ca(session, row.service, &row.region, &row.id).await {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(e),
    };
    let now = session.http().clock().now();
    let certificates: Vec<CertSummary> =
        fetched.certificates.iter().filter_map(|(name, der)| summarize(name, der).ok()).collect();
    let details: Vec<_> = fetched
        .certificates
        .iter()
        .filter_map(|(name, der)| crate::certs::details::details(name, der, now, 30).ok())
        .collect();
    let ders: Vec<Vec<u8>> = fetched.certificates.iter().map(|(_, der)| der.clone()).collect();
    let chain = crate::certs::chain::build(&ders, now);
    let bytes = if ca_download::wants_pem(&choice.path) { fetched.to_pem() } else { fetched.bytes.to_vec() };
    if let Err(e) = write_chosen(&choice, bytes, Sensitivity::Public).await {
        return Outcome::Failed(e);
    }
    saver.remember(&choice.path);
    let event =
        Event::CertificateSaved { job, instance_id: row.id.clone(), path: choice.path, certificates, details, chain };
    out.send(event).await;
    Outcome::Done
}
