//! App state and logic: drains worker events into state; views read it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::filter::{ViewState, visible_rows_with};
use crate::certs::summary::CertSummary;
use crate::inventory::{InventoryRow, RefreshError};
use crate::sim::SimConfig;
use crate::store::profiles::Profile;
use crate::worker::{Command, Event, JobId, Outcome, SaveDialog, Waker, WorkerHandle, WorkerOptions};

/// View settings remembered between runs (eframe persistence; never secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Filters, sort and the warning threshold.
    pub view: ViewState,
    /// Days left that count as critical.
    pub critical_days: i64,
    /// Whether the activity log is open.
    pub show_activity: bool,
    /// Whether the profiles panel is open.
    pub show_profiles: bool,
    /// Whether the details pane is open.
    pub show_details: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            view: ViewState::default(),
            critical_days: 7,
            show_activity: true,
            show_profiles: true,
            show_details: true,
        }
    }
}

/// How the app starts.
#[derive(Default)]
pub struct AppOptions {
    /// Start the embedded demo cloud with this configuration (then no profile or keyring is touched).
    pub demo: Option<SimConfig>,
    /// Remembered settings.
    pub settings: Settings,
    /// Where profiles and secrets are kept.
    pub worker: WorkerOptions,
}

impl AppOptions {
    /// The demo cloud: the simulator's demo estate on loopback.
    pub fn demo_config() -> SimConfig {
        SimConfig { scale: crate::sim::Scale::Demo, ..SimConfig::default() }
    }
}

/// How serious an activity entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Information.
    Info,
    /// Something worked.
    Success,
    /// Something failed.
    Error,
}

/// One line of the activity log.
#[derive(Clone, Debug)]
pub struct Activity {
    /// When, HH:MM:SS.
    pub at: String,
    /// Severity.
    pub level: Level,
    /// The user-facing message.
    pub message: String,
}

/// A short-lived notice in the corner.
#[derive(Clone, Debug)]
pub struct Toast {
    /// Severity.
    pub level: Level,
    /// Text.
    pub message: String,
    /// egui time at which it disappears.
    pub until: f64,
}

/// A downloaded certificate, shown in the details pane.
#[derive(Clone, Debug)]
pub struct Downloaded {
    /// Where it was saved.
    pub path: PathBuf,
    /// What it holds.
    pub certificates: Vec<CertSummary>,
    /// Every detail of each certificate.
    pub details: Vec<crate::certs::details::CertDetails>,
    /// The chain they form.
    pub chain: crate::certs::chain::ChainReport,
}

/// Which region and service of which profile a row came from: rows are replaced part by part.
pub type PartKey = (String, String, crate::cloud::Service);

/// The key of a row's part.
pub fn part_of(row: &InventoryRow) -> PartKey {
    (row.profile.clone(), row.region.clone(), row.service)
}

/// The refresh whose rows count, and how far it got.
#[derive(Clone, Debug, Default)]
pub struct RefreshProgress {
    /// The refresh job.
    pub job: JobId,
    /// Parts answered.
    pub done: usize,
    /// Parts planned (0 until the profiles signed in).
    pub parts: usize,
    /// Parts that answered with rows this time.
    loaded: std::collections::HashSet<PartKey>,
    /// Profiles that could not sign in this time.
    failed_profiles: std::collections::HashSet<String>,
    /// Parts that failed this time.
    failed_parts: std::collections::HashSet<PartKey>,
    /// The failures of the refresh before, shown again if this one does not finish.
    previous_errors: Vec<RefreshError>,
}

/// Why a row was not refreshed, and when it was last seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// When its part last answered (HH:MM:SSZ), if in this session.
    pub seen: Option<String>,
    /// What failed.
    pub reason: String,
}

/// The app's own save prompt, when no native dialog can open.
#[derive(Clone, Debug)]
pub struct SavePrompt {
    /// The job waiting for the answer.
    pub job: JobId,
    /// Why there is no dialog.
    pub reason: String,
    /// The path typed (proposed: last folder or Downloads).
    pub path: String,
    /// A folder rather than a file.
    pub folder: bool,
}

/// The whole app.
#[expect(clippy::struct_excessive_bools, reason = "independent view flags, not a state machine")]
pub struct CertdeskApp {
    worker: WorkerHandle,
    pub(super) settings: Settings,
    pub(super) started: bool,
    pub(super) demo_endpoint: Option<String>,
    pub(super) rows: Vec<InventoryRow>,
    pub(super) region_errors: Vec<RefreshError>,
    pub(super) visible: Vec<usize>,
    visible_for: Option<(ViewState, usize, usize)>,
    pub(super) selected: Option<String>,
    pub(super) downloads: HashMap<String, Downloaded>,
    pub(super) jobs: BTreeMap<JobId, String>,
    pub(super) refresh: Option<RefreshProgress>,
    /// Rows whose part did not answer in the last refresh.
    pub(super) stale: HashMap<PartKey, Stale>,
    /// When each part last answered.
    seen: HashMap<PartKey, String>,
    /// The app's save prompt, when no native dialog can open.
    pub(super) save_prompt: Option<SavePrompt>,
    /// Downloads running, by job: the row id.
    downloading: HashMap<JobId, String>,
    pub(super) activity: Vec<Activity>,
    pub(super) toasts: Vec<Toast>,
    pub(super) focus_search: bool,
    scroll_to_selected: bool,
    pub(super) profiles: Vec<Profile>,
    pub(super) vault: Option<Result<&'static str, String>>,
    pub(super) profile_form: Option<super::profile_dialog::ProfileForm>,
    pub(super) profile_tests: HashMap<String, Result<String, String>>,
    pub(super) confirm_delete: Option<String>,
    pub(super) export_form: Option<super::export_dialog::ExportForm>,
    pub(super) marked: std::collections::BTreeSet<String>,
    /// The about box is open.
    pub(super) about_open: bool,
}

fn now_hms() -> String {
    // UTC: a local offset cannot be read soundly in a multi-threaded process on Linux.
    let t = time::OffsetDateTime::now_utc();
    format!("{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second())
}

impl CertdeskApp {
    /// Starts the worker and, in demo mode, the demo cloud.
    pub fn new(waker: Waker, dialog: Arc<dyn SaveDialog>, options: AppOptions) -> std::io::Result<Self> {
        let worker = WorkerHandle::spawn(waker, dialog, options.worker)?;
        let mut app = Self {
            worker,
            settings: options.settings,
            started: false,
            demo_endpoint: None,
            rows: Vec::new(),
            region_errors: Vec::new(),
            visible: Vec::new(),
            visible_for: None,
            selected: None,
            downloads: HashMap::new(),
            jobs: BTreeMap::new(),
            refresh: None,
            stale: HashMap::new(),
            seen: HashMap::new(),
            save_prompt: None,
            downloading: HashMap::new(),
            activity: Vec::new(),
            toasts: Vec::new(),
            focus_search: false,
            scroll_to_selected: false,
            profiles: Vec::new(),
            vault: None,
            profile_form: None,
            profile_tests: HashMap::new(),
            confirm_delete: None,
            export_form: None,
            marked: std::collections::BTreeSet::new(),
            about_open: false,
        };
        match options.demo {
            Some(config) => app.start_demo(config),
            // The demo never touches the keyring or the profiles file; a normal start reads them.
            None => {
                app.send(Command::LoadProfiles);
            }
        }
        Ok(app)
    }

    /// Shows these rows as the inventory (benchmarks, and rows read from elsewhere).
    pub fn show_rows(&mut self, rows: Vec<InventoryRow>) {
        self.started = true;
        self.rows = rows;
        self.visible_for = None;
    }

    /// The view settings (search, filters, sort), to change them from outside the UI.
    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.settings.view
    }

    /// The profiles loaded.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Where secrets are kept, or the keyring problem; `None` until known.
    pub fn vault_status(&self) -> Option<&Result<&'static str, String>> {
        self.vault.as_ref()
    }

    /// The last test result of a profile.
    pub fn profile_test(&self, name: &str) -> Option<&Result<String, String>> {
        self.profile_tests.get(name)
    }

    /// Whether the profile dialog is open.
    pub fn profile_dialog_open(&self) -> bool {
        self.profile_form.is_some()
    }

    /// The error the open profile dialog shows, if any.
    pub fn profile_form_error(&self) -> Option<&str> {
        self.profile_form.as_ref().and_then(|f| f.error.as_deref())
    }

    /// Whether the about box is open.
    pub fn about_open(&self) -> bool {
        self.about_open
    }

    /// The settings to persist.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Starts the embedded demo cloud.
    pub fn start_demo(&mut self, config: SimConfig) {
        self.started = true;
        self.send(Command::StartDemo(Box::new(config)));
    }

    /// Sends a command; its job, or `None` (and a log line) when the worker cannot take it.
    pub(super) fn send(&mut self, command: Command) -> Option<JobId> {
        let job = self.worker.send(command);
        if job.is_none() {
            self.log(Level::Error, "The background worker is not responding; restart certdesk.".into());
        }
        job
    }

    pub(super) fn log(&mut self, level: Level, message: String) {
        self.activity.push(Activity { at: now_hms(), level, message });
        if self.activity.len() > 500 {
            self.activity.remove(0);
        }
    }

    fn toast(&mut self, ctx: &egui::Context, level: Level, message: String) {
        let until = ctx.input(|i| i.time) + 6.0;
        self.toasts.push(Toast { level, message, until });
        // One repaint when it should vanish; no repaint loop meanwhile.
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(6.05));
    }

    /// Rows shown (indices into `rows`), filtered and sorted, recomputed only when needed.
    pub(super) fn refresh_visible(&mut self) {
        let key = (self.settings.view.clone(), self.rows.len(), self.stale.len());
        if self.visible_for.as_ref() != Some(&key) {
            let stale = &self.stale;
            self.visible = visible_rows_with(&self.rows, &self.settings.view, |r| stale.contains_key(&part_of(r)));
            self.visible_for = Some(key);
        }
    }

    /// The selected row, if it is still there.
    pub(super) fn selected_row(&self) -> Option<&InventoryRow> {
        let id = self.selected.as_ref()?;
        self.rows.iter().find(|r| &r.id == id)
    }

    /// Everything loaded so far (for tests and exports).
    pub fn rows(&self) -> &[InventoryRow] {
        &self.rows
    }

    /// Rows the table shows now, in order.
    pub fn visible_row_ids(&self) -> Vec<String> {
        self.visible.iter().map(|&i| self.rows[i].id.clone()).collect()
    }

    /// The id of the selected row.
    pub fn selected_id(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// Regions that failed in the last refresh.
    pub fn region_errors(&self) -> &[RefreshError] {
        &self.region_errors
    }

    /// Why a row is stale (its part did not answer in the last refresh), if it is.
    pub fn stale_reason(&self, row: &InventoryRow) -> Option<&Stale> {
        self.stale.get(&part_of(row))
    }

    /// The app's save prompt, when no native dialog could open.
    pub fn save_prompt(&self) -> Option<&SavePrompt> {
        self.save_prompt.as_ref()
    }

    /// Whether a refresh is running.
    pub fn is_refreshing(&self) -> bool {
        self.refresh.is_some()
    }

    /// Whether any job is running.
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// The activity log messages, oldest first.
    pub fn activity_messages(&self) -> Vec<String> {
        self.activity.iter().map(|a| a.message.clone()).collect()
    }

    /// The certificate downloaded for an instance, if any.
    pub fn downloaded(&self, instance_id: &str) -> Option<&Downloaded> {
        self.downloads.get(instance_id)
    }

    /// Applies waiting worker events. Runs before each frame and when woken while hidden.
    pub fn logic(&mut self, ctx: &egui::Context) {
        while let Some(event) = self.worker.try_recv() {
            self.apply(ctx, event);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, event: Event) {
        let Some(event) = self.apply_refresh(event) else { return };
        match event {
            Event::DemoStarted { endpoint, .. } => {
                self.log(
                    Level::Info,
                    format!("Demo cloud running at {endpoint} (simulated, nothing leaves this machine)"),
                );
                self.demo_endpoint = Some(endpoint);
            }
            Event::JobStarted { job, label } => {
                self.log(Level::Info, format!("{label}..."));
                self.jobs.insert(job, label);
            }
            Event::ProfilesLoaded { profiles, vault, .. } => {
                if let Err(problem) = &vault {
                    self.log(Level::Error, problem.clone());
                }
                if !profiles.is_empty() {
                    self.started = true;
                }
                self.profiles = profiles;
                self.vault = Some(vault);
            }
            Event::ProfileTested { job, name, result } => {
                match &result {
                    Ok(m) => self.log(Level::Success, format!("Profile {name}: {m}")),
                    Err(e) => self.log(Level::Error, format!("Profile {name}: {e}")),
                }
                super::profile_dialog::tested(self, job, &result);
                self.profile_tests.insert(name, result);
            }
            Event::Notice { message, problem, .. } => {
                let level = if problem { Level::Error } else { Level::Success };
                self.log(level, message.clone());
                self.toast(ctx, level, message);
            }
            Event::FileSaved { path, .. } => {
                let message = format!("Saved {}", path.display());
                self.log(Level::Success, message.clone());
                self.toast(ctx, Level::Success, message);
            }
            Event::CertificateSaved { instance_id, path, certificates, details, chain, .. } => {
                let message = format!("Saved {} ({} certificate(s))", path.display(), certificates.len());
                self.log(Level::Success, message.clone());
                self.toast(ctx, Level::Success, message);
                self.downloads.insert(instance_id, Downloaded { path, certificates, details, chain });
            }
            Event::SavePrompt { job, reason, path, folder } => {
                // Not an error: the app offers its own prompt.
                self.log(Level::Info, reason.clone());
                self.save_prompt = Some(SavePrompt { job, reason, path: path.display().to_string(), folder });
            }
            // Handled by `apply_refresh`.
            Event::RefreshStarted { .. }
            | Event::RefreshPlanned { .. }
            | Event::ProfileSignIn { .. }
            | Event::RowsLoaded { .. }
            | Event::RegionFailed { .. } => {}
            Event::JobFinished { job, outcome } => {
                let label = self.jobs.remove(&job).unwrap_or_default();
                self.downloading.remove(&job);
                if self.save_prompt.as_ref().is_some_and(|p| p.job == job) {
                    self.save_prompt = None;
                }
                if self.refresh.as_ref().is_some_and(|p| p.job == job) {
                    let progress = self.refresh.take().unwrap_or_default();
                    if outcome == Outcome::Done {
                        self.finish_refresh(&progress);
                    } else if self.region_errors.is_empty() {
                        // Stopped early: the rows still marked stale keep their banner lines.
                        self.region_errors = progress.previous_errors;
                    }
                }
                super::export_dialog::job_finished(self, job, &outcome);
                super::profile_dialog::job_finished(self, job, &outcome);
                match outcome {
                    Outcome::Done => {}
                    Outcome::Cancelled => self.log(Level::Info, format!("Cancelled: {label}")),
                    Outcome::Failed(message) => {
                        self.log(Level::Error, format!("{label} failed: {message}"));
                        self.toast(ctx, Level::Error, message);
                    }
                }
            }
        }
    }

    /// Applies a refresh's events; hands back any other event.
    fn apply_refresh(&mut self, event: Event) -> Option<Event> {
        match event {
            Event::RefreshStarted { job } => {
                // The previous refresh (if any) was cancelled by the worker; its late events are
                // dropped. Its failures come back if this one is cancelled too.
                let previous_errors = std::mem::take(&mut self.region_errors);
                self.refresh = Some(RefreshProgress { job, previous_errors, ..RefreshProgress::default() });
            }
            Event::RefreshPlanned { job, parts } => {
                if let Some(progress) = self.current_refresh(job) {
                    progress.parts += parts;
                }
            }
            Event::ProfileSignIn { job, profile, result } => {
                // `?`: an event of a refresh that is no longer current is dropped.
                self.current_refresh(job)?;
                if let Err(message) = &result {
                    if let Some(progress) = self.refresh.as_mut() {
                        progress.failed_profiles.insert(profile.clone());
                        progress.parts += 1;
                    }
                    self.mark_stale(|key| key.0 == profile, message);
                }
                self.profile_tests.insert(profile, result);
            }
            Event::RowsLoaded { job, profile, region, service, rows } => {
                let progress = self.current_refresh(job)?;
                progress.done += 1;
                let key = (profile, region, service);
                progress.loaded.insert(key.clone());
                self.rows.retain(|r| part_of(r) != key);
                self.stale.remove(&key);
                self.seen.insert(key, now_hms());
                self.rows.extend(rows);
                self.visible_for = None;
            }
            Event::RegionFailed { job, error } => {
                let progress = self.current_refresh(job)?;
                if !(error.service == crate::cloud::Service::Iam && error.region == "all") {
                    progress.done += 1;
                    let key = (error.profile.clone(), error.region.clone(), error.service);
                    progress.failed_parts.insert(key.clone());
                    self.mark_stale(|k| *k == key, &error.message);
                } else if let Some(progress) = self.refresh.as_mut() {
                    progress.done += 1;
                }
                self.log(
                    Level::Error,
                    format!("{} {} ({}): {}", error.service.label(), error.region, error.profile, error.message),
                );
                self.region_errors.push(error);
            }
            other => return Some(other),
        }
        None
    }

    /// The refresh in progress if `job` is it; events of an older refresh are dropped.
    fn current_refresh(&mut self, job: JobId) -> Option<&mut RefreshProgress> {
        self.refresh.as_mut().filter(|p| p.job == job)
    }

    fn mark_stale(&mut self, matches: impl Fn(&PartKey) -> bool, reason: &str) {
        let keys: std::collections::HashSet<PartKey> = self.rows.iter().map(part_of).filter(|k| matches(k)).collect();
        for key in keys {
            let seen = self.seen.get(&key).cloned();
            self.stale.insert(key, Stale { seen, reason: reason.to_owned() });
        }
        self.visible_for = None;
    }

    /// A finished refresh: parts that answered are fresh, failed ones keep their rows marked
    /// stale, and rows of parts no longer asked for (a deleted profile, an unticked region) go.
    fn finish_refresh(&mut self, progress: &RefreshProgress) {
        let profiles: std::collections::HashSet<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        let demo = self.demo_endpoint.is_some();
        self.rows.retain(|r| {
            let key = part_of(r);
            let known_profile = demo || profiles.contains(r.profile.as_str());
            let failed = progress.failed_profiles.contains(&r.profile) || progress.failed_parts.contains(&key);
            known_profile && (progress.loaded.contains(&key) || failed)
        });
        let rows = &self.rows;
        self.stale.retain(|key, _| rows.iter().any(|r| part_of(r) == *key));
        self.visible_for = None;
        let (n, e) = (self.rows.len(), self.region_errors.len());
        let stale = self.rows.iter().filter(|r| self.stale.contains_key(&part_of(r))).count();
        if e == 0 {
            self.log(Level::Success, format!("Inventory loaded: {n} item(s)"));
        } else {
            self.log(
                Level::Error,
                format!("Inventory loaded with problems: {n} item(s), {e} failed part(s), {stale} stale item(s)"),
            );
        }
    }

    /// Draws the app.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.handle_shortcuts(ui.ctx());
        super::profile_dialog::profile_dialog_ui(self, ui);
        super::export_dialog::export_dialog_ui(self, ui);
        super::about_view::about_ui(self, ui);
        super::save_prompt::save_prompt_ui(self, ui);
        if !self.started {
            super::welcome_view::welcome_ui(self, ui);
            return;
        }
        self.refresh_visible();
        super::inventory_view::toolbar_ui(self, ui);
        super::activity_log::activity_ui(self, ui);
        super::profile_dialog::profiles_ui(self, ui);
        super::details_view::details_ui(self, ui);
        super::inventory_view::table_ui(self, ui);
        super::activity_log::toasts_ui(self, ui);
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        use egui::{Key, KeyboardShortcut, Modifiers};
        if !self.started {
            return;
        }
        let dialog_open =
            self.profile_form.is_some() || self.export_form.is_some() || self.about_open || self.save_prompt.is_some();
        let (refresh, find, export, download) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::F5),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F)),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::E)),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::D)),
            )
        });
        // Esc closes a dialog first (the dialog sees it), then clears the selection.
        if !dialog_open && !ctx.egui_wants_keyboard_input() && ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.selected = None;
        }
        if export && !dialog_open {
            super::export_dialog::open_for_selected(self);
        }
        if download && !dialog_open {
            super::details_view::download_selected(self);
        }
        if refresh {
            self.request_refresh();
        }
        if find {
            self.focus_search = true;
        }
    }

    /// Downloads a row's CA certificate, unless a download of it is already running (a second
    /// Ctrl+D would stack a second save dialog).
    pub(super) fn download(&mut self, row: InventoryRow) {
        if self.downloading.values().any(|id| *id == row.id) {
            self.log(Level::Info, format!("The CA certificate of {} is already being downloaded.", row.name));
            return;
        }
        let id = row.id.clone();
        if let Some(job) = self.send(Command::DownloadCertificate(Box::new(row))) {
            self.downloading.insert(job, id);
        }
    }

    /// Selects the first row the table shows (Enter in the search box).
    pub(super) fn select_first_visible(&mut self) {
        self.refresh_visible();
        if let Some(&first) = self.visible.first() {
            self.selected = Some(self.rows[first].id.clone());
            self.request_scroll_to_selected();
        }
    }

    /// Opens the add-profile dialog.
    pub(super) fn open_new_profile(&mut self) {
        self.profile_form = Some(super::profile_dialog::ProfileForm::default());
    }

    /// Asks the table to bring the selected row into view on the next frame.
    pub(super) fn request_scroll_to_selected(&mut self) {
        self.scroll_to_selected = true;
    }

    /// Whether the table should scroll to the selection (once).
    pub(super) fn scroll_to_selected_pending(&mut self) -> bool {
        std::mem::take(&mut self.scroll_to_selected)
    }

    /// Ids of the rows marked with Ctrl+click.
    pub fn marked_ids(&self) -> Vec<String> {
        self.marked.iter().cloned().collect()
    }

    /// Exports the marked rows' certificates into a folder.
    pub(super) fn export_marked(&mut self, server_type: crate::cloud::pca::ServerType) {
        let rows: Vec<InventoryRow> = self.rows.iter().filter(|r| self.marked.contains(&r.id)).cloned().collect();
        self.send(Command::ExportToFolder { rows, server_type });
    }

    /// Exports the rows the table shows.
    pub(super) fn export_visible(&mut self, format: crate::inventory::export::ExportFormat) {
        let rows = self.visible.iter().map(|&i| self.rows[i].clone()).collect();
        let warn_days = self.settings.view.warn_days;
        let errors = self.region_errors.clone();
        self.send(Command::ExportInventory { rows, format, warn_days, errors });
    }

    /// Starts a refresh unless one runs.
    pub(super) fn request_refresh(&mut self) {
        if self.refresh.is_none() {
            self.send(Command::RefreshInventory);
        }
    }

    /// Answers the app's save prompt: the typed path, or `None` to cancel the job.
    pub(super) fn answer_save_prompt(&mut self, save: bool) {
        if let Some(prompt) = self.save_prompt.take() {
            let path = save.then(|| PathBuf::from(prompt.path.trim())).filter(|p| !p.as_os_str().is_empty());
            self.send(Command::AnswerSavePrompt { job: prompt.job, path });
        }
    }
}
