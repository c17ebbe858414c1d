//! The worker's loop: runs each command as a job on the runtime, cancellable, reporting events.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use std::path::PathBuf;

use super::profiles as profiles_jobs;
use super::{Command, Event, ExportChoice, JobId, Outcome, ProfileSecrets, SaveDialog, Waker, WorkerOptions};
use crate::certs::material::{ReadOptions, read};
use crate::certs::summary::{CertSummary, summarize};
use crate::cloud::download::LinkFetcher;
use crate::cloud::{Cloud, CloudSession, Credentials, Endpoints, HttpClient, HttpConfig, Service, dcs, geminidb};
use crate::inventory::RefreshError;
use crate::inventory::export::ExportFormat;
use crate::inventory::{InventoryRow, RefreshEvent, RefreshOptions, plan, refresh};
use crate::sim::RunningSim;
use crate::store::profiles::{self, Profile};
use crate::store::{self, Overwrite, Sensitivity};
use crate::vault::{KeyringStore, MemoryStore, SecretStore, VaultError};

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

/// One account the worker refreshes, signed in.
struct Target {
    name: String,
    session: Arc<CloudSession>,
    regions: Vec<String>,
}

type Jobs = Arc<Mutex<HashMap<JobId, CancellationToken>>>;

struct State {
    out: Arc<Outbox>,
    dialog: Arc<dyn SaveDialog>,
    profiles: Vec<Arc<Target>>,
    demo: Option<RunningSim>,
    user_profiles: Vec<Profile>,
    profiles_path: Option<PathBuf>,
    vault: Option<Arc<dyn SecretStore>>,
    jobs: Jobs,
    next_job: JobId,
}

pub(super) async fn run(
    mut rx: mpsc::Receiver<Command>,
    out: Outbox,
    dialog: Arc<dyn SaveDialog>,
    options: WorkerOptions,
) {
    let mut state = State {
        out: Arc::new(out),
        dialog,
        profiles: Vec::new(),
        demo: None,
        user_profiles: Vec::new(),
        profiles_path: options.profiles_path.or_else(profiles::default_path),
        vault: options.vault,
        jobs: Jobs::default(),
        next_job: 1,
    };
    while let Some(command) = rx.recv().await {
        match command {
            Command::StartDemo(config) => state.start_demo(*config).await,
            Command::RefreshInventory => state.spawn_refresh(),
            Command::DownloadCertificate(row) => state.spawn_download(*row),
            Command::ExportInventory { rows, format, warn_days } => state.spawn_export(rows, format, warn_days),
            Command::ExportCertificate { row, choice } => state.spawn_certificate_export(*row, choice),
            Command::ExportToFolder { rows, server_type } => state.spawn_folder_export(rows, server_type),
            Command::LoadProfiles => state.load_profiles().await,
            Command::UseSessionOnlySecrets => {
                state.vault = Some(Arc::new(MemoryStore::default()));
                state.announce_profiles(Ok("this session only")).await;
            }
            Command::SaveProfile { profile, secrets, previous_name } => {
                state.save_profile(*profile, secrets, previous_name).await;
            }
            Command::DeleteProfile(name) => state.delete_profile(name).await,
            Command::TestProfile(name) => state.spawn_test(name),
            Command::Cancel(job) => {
                if let Some(token) = state.jobs.lock().unwrap_or_else(PoisonError::into_inner).get(&job) {
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
    fn new_job(&mut self) -> (JobId, CancellationToken) {
        let job = self.next_job;
        self.next_job += 1;
        let token = CancellationToken::new();
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner).insert(job, token.clone());
        (job, token)
    }

    async fn start_demo(&mut self, config: crate::sim::SimConfig) {
        let (job, _) = self.new_job();
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
        self.profiles = vec![Arc::new(Target {
            name: "demo".into(),
            session: Arc::new(session),
            regions: sim.info.regions.clone(),
        })];
        self.out.send(Event::DemoStarted { endpoint: sim.endpoint().to_owned() }).await;
        self.demo = Some(sim);
        self.out.finish(job, Outcome::Done).await;
        self.spawn_refresh();
    }

    /// Runs `work` as a cancellable job: announced, tracked, and always finished with an outcome.
    fn spawn_job<F, Fut>(&mut self, label: String, work: F)
    where
        F: FnOnce(JobId, Arc<Outbox>) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Outcome> + Send + 'static,
    {
        let (job, token) = self.new_job();
        let (out, jobs) = (self.out.clone(), self.jobs.clone());
        tokio::spawn(async move {
            out.send(Event::JobStarted { job, label }).await;
            let outcome = tokio::select! {
                () = token.cancelled() => Outcome::Cancelled,
                outcome = work(job, out.clone()) => outcome,
            };
            jobs.lock().unwrap_or_else(PoisonError::into_inner).remove(&job);
            out.finish(job, outcome).await;
        });
    }

    /// The signed-in account a row came from.
    fn target_of(&self, row: &InventoryRow) -> Result<Arc<Target>, Outcome> {
        self.profiles.iter().find(|p| p.name == row.profile).cloned().ok_or_else(|| {
            Outcome::Failed(format!("The profile {} is no longer signed in; refresh and try again.", row.profile))
        })
    }

    fn spawn_refresh(&mut self) {
        let demo_targets = self.profiles.clone();
        let (user_profiles, vault) = (self.user_profiles.clone(), self.vault.clone());
        let in_demo = self.demo.is_some();
        self.spawn_job("Refreshing the inventory".into(), move |job, out| async move {
            // The demo stays apart from the user's profiles; otherwise every profile signs in now.
            let profiles =
                if in_demo { demo_targets } else { sign_in_all(job, &user_profiles, vault.as_ref(), &out).await };
            let parts = profiles
                .iter()
                .map(|p| {
                    plan(&p.session, &RefreshOptions { regions: p.regions.clone(), ..RefreshOptions::default() }).len()
                })
                .sum();
            out.send(Event::RefreshStarted { job, parts }).await;
            refresh_profiles(job, &profiles, &out).await;
            Outcome::Done
        });
    }

    fn spawn_download(&mut self, row: InventoryRow) {
        let (target, dialog) = (self.target_of(&row), self.dialog.clone());
        self.spawn_job(format!("Downloading the CA certificate of {}", row.name), move |job, out| async move {
            match target {
                Ok(target) => download(job, &target, &row, dialog.as_ref(), &out).await,
                Err(outcome) => outcome,
            }
        });
    }

    fn spawn_export(&mut self, rows: Vec<InventoryRow>, format: ExportFormat, warn_days: i64) {
        let dialog = self.dialog.clone();
        self.spawn_job(format!("Exporting {} row(s)", rows.len()), move |job, out| async move {
            let suggested = format!("certdesk-inventory.{}", format.extension());
            let Some(choice) = dialog.ask_save_path("Export the inventory", &suggested).await else {
                return Outcome::Cancelled;
            };
            let bytes = crate::inventory::export::render(&rows, format, warn_days, time::OffsetDateTime::now_utc());
            save_file(job, &out, choice, bytes, Sensitivity::Public).await
        });
    }

    fn spawn_certificate_export(&mut self, row: InventoryRow, choice: ExportChoice) {
        let (target, dialog) = (self.target_of(&row), self.dialog.clone());
        self.spawn_job(format!("Exporting certificate {}", row.name), move |job, out| async move {
            match target {
                Ok(target) => export_certificate(job, &target, &row, &choice, dialog.as_ref(), &out).await,
                Err(outcome) => outcome,
            }
        });
    }

    fn spawn_folder_export(&mut self, rows: Vec<InventoryRow>, server_type: crate::cloud::pca::ServerType) {
        let (dialog, targets) = (self.dialog.clone(), self.profiles.clone());
        let label = format!("Exporting {} certificate(s) to a folder", rows.len());
        self.spawn_job(label, move |job, out| async move {
            export_to_folder(job, &targets, &rows, server_type, dialog.as_ref(), &out).await
        });
    }
}

/// Writes a file the user chose, atomically, and reports it.
async fn save_file(
    job: JobId,
    out: &Outbox,
    choice: super::SaveChoice,
    bytes: Vec<u8>,
    sensitivity: Sensitivity,
) -> Outcome {
    let overwrite = if choice.overwrite_confirmed { Overwrite::Replace } else { Overwrite::Never };
    let path = choice.path.clone();
    let written = tokio::task::spawn_blocking(move || {
        // Temp files a crash left in this folder are swept before writing.
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            store::sweep_temp_files(dir);
        }
        store::write_atomic(&path, &bytes, sensitivity, overwrite)
    })
    .await;
    match written {
        Ok(Ok(())) => {
            out.send(Event::FileSaved { job, path: choice.path }).await;
            Outcome::Done
        }
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// A dialog that answers one fixed path, so the one-file code paths serve the folder export.
struct FixedPath(PathBuf);

impl SaveDialog for FixedPath {
    fn ask_save_path<'a>(
        &'a self,
        _title: &'a str,
        _suggested: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<super::SaveChoice>> + Send + 'a>> {
        let choice = super::SaveChoice { path: self.0.clone(), overwrite_confirmed: false };
        Box::pin(async move { Some(choice) })
    }

    fn ask_folder<'a>(
        &'a self,
        _title: &'a str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<PathBuf>> + Send + 'a>> {
        Box::pin(async { None })
    }
}

async fn export_to_folder(
    job: JobId,
    targets: &[Arc<Target>],
    rows: &[InventoryRow],
    server_type: crate::cloud::pca::ServerType,
    dialog: &dyn SaveDialog,
    out: &Outbox,
) -> Outcome {
    let Some(folder) = dialog.ask_folder("Export certificates to a folder").await else {
        return Outcome::Cancelled;
    };
    let (mut saved, mut problems) = (0usize, Vec::new());
    // One at a time: each file is small, and the cloud's rate limits apply per account.
    for row in rows {
        let Some(target) = targets.iter().find(|t| t.name == row.profile) else {
            problems.push(format!("{}: profile {} is not signed in", row.name, row.profile));
            continue;
        };
        let stem: String = row
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') { c } else { '_' })
            .collect();
        let outcome = match row.service {
            Service::Dcs | Service::GeminiDb if row.ssl == crate::inventory::SslStatus::On => {
                let file =
                    if row.service == Service::Dcs { format!("{stem}-ca.zip") } else { format!("{stem}-ca.crt") };
                download(job, target, row, &FixedPath(folder.join(file)), out).await
            }
            Service::Ccm => {
                let file = format!("{stem}_{}.zip", server_type.api_name().to_ascii_lowercase());
                let choice = ExportChoice::ServerZip(server_type);
                export_certificate(job, target, row, &choice, &FixedPath(folder.join(file)), out).await
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

/// Exports one private certificate: save dialog, PCA export, local conversion, safe write (0600).
async fn export_certificate(
    job: JobId,
    target: &Target,
    row: &InventoryRow,
    choice: &ExportChoice,
    dialog: &dyn SaveDialog,
    out: &Outbox,
) -> Outcome {
    use crate::cloud::pca::{self, Export, ServerType};
    let stem: String = row
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') { c } else { '_' })
        .collect();
    let suggested = match choice {
        ExportChoice::PemBundle { include_key: true } => format!("{stem}-with-key.pem"),
        ExportChoice::PemBundle { include_key: false } => format!("{stem}.pem"),
        ExportChoice::ServerZip(kind) => format!("{stem}_{}.zip", kind.api_name().to_ascii_lowercase()),
        ExportChoice::Pkcs12(_) => format!("{stem}.p12"),
    };
    let Some(save) = dialog.ask_save_path("Export the certificate", &suggested).await else {
        return Outcome::Cancelled;
    };
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
                let material = read(&suggested, text.as_bytes(), &ReadOptions::default()).map_err(|e| e.to_string())?;
                let ders: Vec<Vec<u8>> = material.certificates.iter().map(|c| c.der.clone()).collect();
                let key = material.keys.first().map(|k| &k.key).ok_or("The export held no private key.")?;
                let p12 = crate::certs::bundle::Identity { leaf: &ders[0], chain: &ders[1..], key: Some(key) }
                    .render(crate::certs::bundle::OutputFormat::P12, password.expose())
                    .map_err(|e| e.to_string())?;
                Ok((p12, Sensitivity::Secret))
            }
        }
    }
    .await;
    let (bytes, sensitivity) = match result {
        Ok(r) => r,
        Err(e) => return Outcome::Failed(e),
    };
    save_file(job, out, save, bytes, sensitivity).await
}

/// Signs in every profile; one that fails becomes one error line, the others go on.
async fn sign_in_all(
    job: JobId,
    profiles: &[Profile],
    vault: Option<&Arc<dyn SecretStore>>,
    out: &Outbox,
) -> Vec<Arc<Target>> {
    let mut targets = Vec::new();
    for profile in profiles {
        let result = match vault {
            None => Err("Secrets cannot be read: no keyring is open.".to_owned()),
            Some(vault) => match profiles_jobs::session(profile, vault).await {
                Ok(session) => profiles_jobs::regions(profile, &session).await.map(|regions| (session, regions)),
                Err(e) => Err(e),
            },
        };
        match result {
            Ok((session, regions)) => {
                targets.push(Arc::new(Target { name: profile.name.clone(), session: Arc::new(session), regions }));
            }
            Err(message) => {
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
            let limit = std::time::Duration::from_secs(profiles_jobs::VAULT_TIMEOUT_SECS);
            match tokio::time::timeout(limit, tokio::task::spawn_blocking(KeyringStore::open)).await {
                Ok(Ok(Ok(store))) => {
                    self.vault = Some(Arc::new(store));
                    Ok(())
                }
                Ok(Ok(Err(e))) => Err(e.to_string()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err(VaultError::TimedOut(profiles_jobs::VAULT_TIMEOUT_SECS).to_string()),
            }
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
                let (job, _) = self.new_job();
                self.out.finish(job, Outcome::Failed(e)).await;
            }
        }
        let vault = vault_status.map(|()| self.vault.as_ref().map_or("system keyring", |v| v.describe()));
        self.announce_profiles(vault).await;
        if !self.user_profiles.is_empty() && self.vault.is_some() {
            self.spawn_refresh();
        }
    }

    async fn announce_profiles(&self, vault: Result<&'static str, String>) {
        self.out.send(Event::ProfilesLoaded { profiles: self.user_profiles.clone(), vault }).await;
    }

    fn paths(&self) -> Result<(PathBuf, Arc<dyn SecretStore>), String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        let vault = self
            .vault
            .clone()
            .ok_or("No keyring is open: unlock the keyring, or choose to keep secrets for this session only.")?;
        Ok((path, vault))
    }

    async fn after_profile_change(&mut self, job: JobId, result: Result<Vec<Profile>, String>) {
        match result {
            Ok(list) => {
                self.user_profiles = list;
                let vault = self.vault.as_ref().map_or("system keyring", |v| v.describe());
                self.announce_profiles(Ok(vault)).await;
                self.out.finish(job, Outcome::Done).await;
                // What the table shows follows the profiles.
                if self.demo.is_none() {
                    self.spawn_refresh();
                }
            }
            Err(e) => self.out.finish(job, Outcome::Failed(e)).await,
        }
    }

    async fn save_profile(&mut self, profile: Profile, secrets: ProfileSecrets, previous_name: Option<String>) {
        let (job, _) = self.new_job();
        self.out.send(Event::JobStarted { job, label: format!("Saving profile {}", profile.name) }).await;
        let result = match self.paths() {
            Ok((path, vault)) => profiles_jobs::save(&path, &vault, profile, secrets, previous_name).await,
            Err(e) => Err(e),
        };
        self.after_profile_change(job, result).await;
    }

    async fn delete_profile(&mut self, name: String) {
        let (job, _) = self.new_job();
        self.out.send(Event::JobStarted { job, label: format!("Deleting profile {name}") }).await;
        let result = match self.paths() {
            Ok((path, vault)) => profiles_jobs::delete(&path, &vault, name).await,
            Err(e) => Err(e),
        };
        self.after_profile_change(job, result).await;
    }

    fn spawn_test(&mut self, name: String) {
        let profile = self.user_profiles.iter().find(|p| p.name == name).cloned();
        let vault = self.vault.clone();
        self.spawn_job(format!("Testing profile {name}"), move |_, out| async move {
            let result = match (profile, vault) {
                (Some(profile), Some(vault)) => profiles_jobs::test(&profile, &vault).await,
                (None, _) => Err(format!("No profile named {name}.")),
                (_, None) => Err("No keyring is open.".to_owned()),
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
                    RefreshEvent::Rows { region, service, rows } => Event::RowsLoaded { job, region, service, rows },
                    RefreshEvent::Failed(error) => Event::RegionFailed { job, error },
                })
                .await;
            }
        };
        tokio::join!(task, forward);
    }
}

async fn download(job: JobId, profile: &Target, row: &InventoryRow, dialog: &dyn SaveDialog, out: &Outbox) -> Outcome {
    let suggested = match row.service {
        Service::Dcs => format!("{}-ca.zip", row.name),
        Service::GeminiDb => format!("{}-ca.crt", row.name),
        _ => return Outcome::Failed("Only DCS and GeminiDB instances have a CA certificate to download.".into()),
    };
    let Some(choice) = dialog.ask_save_path("Save the CA certificate", &suggested).await else {
        return Outcome::Cancelled;
    };
    let session = &profile.session;
    let link = match row.service {
        Service::Dcs => dcs::ssl_cert_link(session, &row.region, &row.id).await.map(|l| l.link),
        _ => geminidb::ssl_cert_link(session, &row.region, &row.id).await.map(|l| l.download_link),
    };
    let result = async {
        let link = link.map_err(|e| e.to_string())?;
        let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).map_err(|e| e.to_string())?;
        let bytes = fetcher.fetch(&link, session.http().clock().as_ref()).await.map_err(|e| e.to_string())?;
        let material = read(&suggested, &bytes, &ReadOptions::default()).map_err(|e| e.to_string())?;
        let certificates: Vec<CertSummary> =
            material.certificates.iter().filter_map(|c| summarize(&c.source, &c.der).ok()).collect();
        if certificates.is_empty() {
            return Err("The download holds no certificate; nothing was saved.".to_owned());
        }
        let now = session.http().clock().now();
        let details: Vec<_> = material
            .certificates
            .iter()
            .filter_map(|c| crate::certs::details::details(&c.source, &c.der, now, 30).ok())
            .collect();
        let ders: Vec<Vec<u8>> = material.certificates.iter().map(|c| c.der.clone()).collect();
        let chain = crate::certs::chain::build(&ders, now);
        let overwrite = if choice.overwrite_confirmed { Overwrite::Replace } else { Overwrite::Never };
        let path = choice.path.clone();
        tokio::task::spawn_blocking(move || {
            // Temp files a crash left in this folder are swept before writing.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                store::sweep_temp_files(dir);
            }
            store::write_atomic(&path, &bytes, Sensitivity::Public, overwrite)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
        Ok((certificates, details, chain))
    }
    .await;
    match result {
        Ok((certificates, details, chain)) => {
            let event = Event::CertificateSaved {
                job,
                instance_id: row.id.clone(),
                path: choice.path,
                certificates,
                details,
                chain,
            };
            out.send(event).await;
            Outcome::Done
        }
        Err(message) => Outcome::Failed(message),
    }
}
