//! The background worker: a tokio runtime on its own thread that does all network, disk and
//! dialog work for the UI. One [`Command`] enum in, one [`Event`] enum out, both bounded; every
//! event wakes the UI through the waker it was given (egui's `request_repaint`).

mod accounts;
mod dialog;
mod files;
mod jobs;
mod notify;
mod profile_jobs;
pub mod profiles;
mod refresh;
mod saver;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

#[cfg(feature = "gui")]
pub use dialog::NativeDialog;
pub use dialog::{DialogAnswer, DialogFuture, NO_DIALOG_ADVICE, SaveChoice, SaveDialog, ScriptedDialog};
pub use notify::{DesktopNotifier, Notifier, NotifyError, RecordingNotifier};
pub use profiles::{ProfileSecrets, Saved};

/// Saves a profile: its secrets to the vault first, then the profiles file; nothing changes on failure.
pub async fn save_profile(
    path: &std::path::Path,
    vault: &Arc<dyn SecretStore>,
    profile: Profile,
    secrets: ProfileSecrets,
) -> Result<Saved, String> {
    profiles::save(path, vault, profile, secrets, None).await
}

use crate::certs::summary::CertSummary;
use crate::inventory::export::ExportFormat;
use crate::inventory::{InventoryRow, RefreshError};
use crate::sim::SimConfig;
use crate::store::profiles::Profile;
use crate::vault::SecretStore;

/// Identifies a job, so the UI can show its progress and cancel it.
pub type JobId = u64;

/// What the UI asks the worker to do.
#[derive(Debug)]
pub enum Command {
    /// Start the embedded demo cloud (the simulator) and use it as the only profile.
    StartDemo(Box<SimConfig>),
    /// Refresh the inventory of every profile in use.
    RefreshInventory,
    /// Ask where to save, then download the CA certificate of a DCS or GeminiDB instance.
    DownloadCertificate(Box<InventoryRow>),
    /// Ask where to save, then export a private certificate in the chosen form.
    ExportCertificate {
        /// The certificate's row.
        row: Box<InventoryRow>,
        /// What to write.
        choice: ExportChoice,
    },
    /// Ask for a folder, then save every row's certificate into it: instances' CA certificates and
    /// private certificates as the server zip of this type. Existing files are never replaced.
    ExportToFolder {
        /// The rows.
        rows: Vec<InventoryRow>,
        /// The zip type for private certificates.
        server_type: crate::cloud::pca::ServerType,
    },
    /// Ask where to save, then write these rows as CSV, JSON or an iCalendar of expiry reminders.
    ExportInventory {
        /// The rows (those the table shows).
        rows: Vec<InventoryRow>,
        /// The format.
        format: ExportFormat,
        /// The thresholds rows are judged with (the calendar's reminders fire the warning days ahead).
        thresholds: crate::inventory::policy::Thresholds,
        /// The parts of the last refresh that failed (JSON lists them).
        errors: Vec<RefreshError>,
    },
    /// Read the profiles file and open the system keyring.
    LoadProfiles,
    /// Read the inventory saved after the last refresh.
    LoadSnapshot,
    /// Judge rows with these thresholds, and show reminders as notifications or not (the app's
    /// settings; sent at start and when they change).
    UseSettings {
        /// The warning and critical days.
        thresholds: crate::inventory::policy::Thresholds,
        /// Whether reminders become desktop notifications.
        notify: bool,
    },
    /// Show a desktop notification (a reminder, a failed refresh).
    Notify {
        /// The headline.
        title: String,
        /// The text.
        body: String,
    },
    /// Keep secrets in memory for this session only (no usable keyring).
    UseSessionOnlySecrets,
    /// Save a profile and its secrets (`previous_name` when editing, to rename).
    SaveProfile {
        /// The settings.
        profile: Box<Profile>,
        /// The secrets typed; empty ones keep what is stored.
        secrets: ProfileSecrets,
        /// The name the profile had, when editing.
        previous_name: Option<String>,
    },
    /// Delete a profile and its secrets.
    DeleteProfile(String),
    /// Sign in with a profile and report what it reaches.
    TestProfile(String),
    /// Sign in with settings and secrets typed into the profile form, without saving them.
    TestProfileDraft {
        /// The settings.
        profile: Box<Profile>,
        /// The secrets typed; empty ones are read from the vault when the profile exists.
        secrets: ProfileSecrets,
    },
    /// The answer to [`Event::SavePrompt`]: where to save, or `None` to cancel the job.
    AnswerSavePrompt {
        /// The job that asked.
        job: JobId,
        /// The file (or folder) typed in the app.
        path: Option<PathBuf>,
    },
    /// Cancel a running job.
    Cancel(JobId),
    /// Show a folder in the system's file manager (where a crash report was kept).
    OpenFolder(PathBuf),
}

impl Command {
    /// Whether the worker runs it as a job (announced by [`Event::JobStarted`], ended by
    /// [`Event::JobFinished`]); the others act at once.
    pub fn starts_job(&self) -> bool {
        !matches!(
            self,
            Self::Notify { .. }
                | Self::AnswerSavePrompt { .. }
                | Self::Cancel(_)
                | Self::OpenFolder(_)
                | Self::UseSettings { .. }
        )
    }
}

/// What the worker tells the UI.
#[derive(Debug)]
pub enum Event {
    /// The demo cloud runs at this endpoint and is the profile in use.
    DemoStarted {
        /// The job that started it.
        job: JobId,
        /// Base URL of the embedded simulator.
        endpoint: String,
    },
    /// A job began.
    JobStarted {
        /// The job.
        job: JobId,
        /// What it does, for the activity panel.
        label: String,
    },
    /// The estate changed: the view to draw, and what to tell in the activity log.
    Estate {
        /// The estate as it is now.
        view: Arc<crate::inventory::estate::EstateView>,
        /// What happened since the last view, told once.
        notes: Vec<crate::inventory::estate::Note>,
    },
    /// A profile signed in for a refresh, or could not (then its rows are stale).
    ProfileSignIn {
        /// The refresh job.
        job: JobId,
        /// The profile.
        profile: String,
        /// What it reaches, or why it cannot sign in.
        result: Result<String, String>,
    },
    /// No native dialog can open: the job waits for [`Command::AnswerSavePrompt`].
    SavePrompt {
        /// The job waiting.
        job: JobId,
        /// Why there is no dialog, and what to install.
        reason: String,
        /// A proposal: the last folder used, else Downloads, with the suggested name.
        path: PathBuf,
        /// Whether a folder is asked for (bulk export) rather than a file.
        folder: bool,
    },
    /// The profiles, and where their secrets are kept (or why no keyring can be used).
    ProfilesLoaded {
        /// The job that read or changed them (0: none in particular).
        job: JobId,
        /// The profiles.
        profiles: Vec<Profile>,
        /// `Ok("system keyring" | "this session only")`, or what is wrong with the keyring.
        vault: Result<&'static str, String>,
    },
    /// The inventory saved after the last refresh was read (its rows go to the estate), or it
    /// could not be used (then `problem` says why and where the file went).
    SnapshotLoaded {
        /// The job that read it.
        job: JobId,
        /// Why it could not be read.
        problem: Option<String>,
        /// The folder with the crash report of a last run that ended with a panic.
        crash_folder: Option<PathBuf>,
    },
    /// The result of testing a profile.
    ProfileTested {
        /// The test job.
        job: JobId,
        /// The profile.
        name: String,
        /// Settings and secrets as typed into the form, not the stored profile: the result is the
        /// form's, and says nothing of the profile as saved.
        draft: bool,
        /// What it reached, or what failed.
        result: Result<String, String>,
    },
    /// Something the user should know that is not a job's outcome: a folder export's summary, or
    /// a cleanup that failed after a profile change (then `problem`).
    Notice {
        /// The job it belongs to.
        job: JobId,
        /// The message.
        message: String,
        /// Whether it reports a problem.
        problem: bool,
    },
    /// A file other than a certificate was saved.
    FileSaved {
        /// The job.
        job: JobId,
        /// Where it went.
        path: PathBuf,
    },
    /// A certificate was saved.
    CertificateSaved {
        /// The download job.
        job: JobId,
        /// The instance id.
        instance_id: String,
        /// Where it went.
        path: PathBuf,
        /// What the file holds.
        certificates: Vec<CertSummary>,
        /// Every detail of each certificate, from the certificate core.
        details: Vec<crate::certs::details::CertDetails>,
        /// The certificates ordered into a chain, with its problems.
        chain: crate::certs::chain::ChainReport,
    },
    /// A job ended: done, cancelled, or failed with a message for the user.
    JobFinished {
        /// The job.
        job: JobId,
        /// `None` when it succeeded.
        outcome: Outcome,
    },
}

/// The form of an exported private certificate.
#[derive(Debug, Clone)]
pub enum ExportChoice {
    /// One PEM file: certificate and chain, and the key when asked.
    PemBundle {
        /// Whether the private key goes in too.
        include_key: bool,
    },
    /// The cloud's zip for a server type (key included).
    ServerZip(crate::cloud::pca::ServerType),
    /// A PKCS#12 file with key and chain, protected by this password.
    Pkcs12(crate::cloud::Secret),
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It did what it should.
    Done,
    /// The user cancelled it (or closed the save dialog).
    Cancelled,
    /// It failed; the message says what happened and what to do.
    Failed(String),
}

/// Wakes the UI when an event is waiting (egui: `Context::request_repaint`).
pub type Waker = Arc<dyn Fn() + Send + Sync>;

/// Where the worker keeps profiles and their secrets.
#[derive(Clone, Default)]
pub struct WorkerOptions {
    /// The profiles file; `None` uses the platform config folder.
    pub profiles_path: Option<PathBuf>,
    /// The secret store; `None` opens the system keyring when profiles load.
    pub vault: Option<Arc<dyn SecretStore>>,
    /// How to open the system keyring; `None` is the platform's ([`crate::vault::KeyringStore`]).
    pub open_keyring: Option<KeyringOpener>,
    /// Folder save dialogs start in before one was used; `None` is the user's Downloads folder.
    pub downloads_dir: Option<PathBuf>,
    /// The saved inventory; `None` is beside an explicit `profiles_path`, else the platform data folder.
    pub snapshot_path: Option<PathBuf>,
    /// Shows desktop notifications; `None` is the platform's ([`DesktopNotifier`]).
    pub notifier: Option<Arc<dyn Notifier>>,
}

/// Opens the system keyring (tests stand in a keyring that is absent or locked).
pub type KeyringOpener = Arc<dyn Fn() -> Result<Arc<dyn SecretStore>, crate::vault::VaultError> + Send + Sync>;

/// The UI's end of the worker.
pub struct WorkerHandle {
    commands: mpsc::Sender<(JobId, Command)>,
    events: mpsc::Receiver<Event>,
    next_job: Arc<AtomicU64>,
}

/// Commands queued at most; more means the worker is stuck and the UI should say so.
const COMMAND_QUEUE: usize = 64;
/// Events queued at most before the worker waits for the UI to drain them.
const EVENT_QUEUE: usize = 1024;

impl WorkerHandle {
    /// Starts the worker thread.
    pub fn spawn(waker: Waker, dialog: Arc<dyn SaveDialog>, options: WorkerOptions) -> std::io::Result<Self> {
        let (command_tx, command_rx) = mpsc::channel(COMMAND_QUEUE);
        // One counter for jobs the UI asks for and jobs the worker starts itself.
        let next_job = Arc::new(AtomicU64::new(1));
        let ids = next_job.clone();
        let (event_tx, event_rx) = mpsc::channel(EVENT_QUEUE);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("certdesk-io")
            .build()?;
        std::thread::Builder::new().name("certdesk-worker".into()).spawn(move || {
            runtime.block_on(jobs::run(command_rx, jobs::Outbox { tx: event_tx, waker }, dialog, options, ids));
        })?;
        Ok(Self { commands: command_tx, events: event_rx, next_job })
    }

    /// Sends a command without blocking; its job's id, or `None` when the worker is gone or swamped.
    pub fn send(&self, command: Command) -> Option<JobId> {
        let job = self.next_job.fetch_add(1, Ordering::Relaxed);
        self.commands.try_send((job, command)).is_ok().then_some(job)
    }

    /// The next waiting event, without blocking.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }
}
