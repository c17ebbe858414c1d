//! App state and logic: drains worker events into state; views read it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::filter::{ViewState, visible_rows};
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
}

impl Default for Settings {
    fn default() -> Self {
        Self { view: ViewState::default(), critical_days: 7, show_activity: true }
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
    visible_for: Option<(ViewState, usize)>,
    pub(super) selected: Option<String>,
    pub(super) downloads: HashMap<String, Downloaded>,
    pub(super) jobs: BTreeMap<JobId, String>,
    pub(super) refresh: Option<(JobId, usize, usize)>,
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
            None => app.send(Command::LoadProfiles),
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

    /// Sends a command; says so when the worker cannot take it.
    pub(super) fn send(&mut self, command: Command) {
        if !self.worker.send(command) {
            self.log(Level::Error, "The background worker is not responding; restart certdesk.".into());
        }
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
        let key = (self.settings.view.clone(), self.rows.len());
        if self.visible_for.as_ref() != Some(&key) {
            self.visible = visible_rows(&self.rows, &self.settings.view);
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
        match event {
            Event::DemoStarted { endpoint } => {
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
            Event::RefreshStarted { job, parts } => {
                self.rows.clear();
                self.region_errors.clear();
                self.visible_for = None;
                self.refresh = Some((job, 0, parts));
            }
            Event::RowsLoaded { job, rows, .. } => {
                self.rows.extend(rows);
                self.visible_for = None;
                self.count_part(job);
            }
            Event::RegionFailed { job, error } => {
                self.log(
                    Level::Error,
                    format!("{} {} ({}): {}", error.service.label(), error.region, error.profile, error.message),
                );
                self.region_errors.push(error);
                self.count_part(job);
            }
            Event::ProfilesLoaded { profiles, vault } => {
                if let Err(problem) = &vault {
                    self.log(Level::Error, problem.clone());
                }
                if let Some(form) = &self.profile_form
                    && form.saving.as_ref().is_some_and(|name| profiles.iter().any(|p| &p.name == name))
                {
                    self.profile_form = None;
                }
                if !profiles.is_empty() {
                    self.started = true;
                }
                self.profiles = profiles;
                self.vault = Some(vault);
            }
            Event::ProfileTested { name, result } => {
                match &result {
                    Ok(m) => self.log(Level::Success, format!("Profile {name}: {m}")),
                    Err(e) => self.log(Level::Error, format!("Profile {name}: {e}")),
                }
                self.profile_tests.insert(name, result);
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
            Event::JobFinished { job, outcome } => {
                let label = self.jobs.remove(&job).unwrap_or_default();
                if self.refresh.is_some_and(|(j, ..)| j == job) {
                    self.refresh = None;
                    if outcome == Outcome::Done {
                        let n = self.rows.len();
                        let e = self.region_errors.len();
                        self.log(Level::Success, format!("Inventory loaded: {n} item(s), {e} failed part(s)"));
                    }
                }
                match outcome {
                    Outcome::Done => {}
                    Outcome::Cancelled => self.log(Level::Info, format!("Cancelled: {label}")),
                    Outcome::Failed(message) => {
                        if let Some(form) = self.profile_form.as_mut().filter(|f| f.saving.is_some())
                            && label.starts_with("Saving profile")
                        {
                            form.saving = None;
                            form.error = Some(message.clone());
                        }
                        self.log(Level::Error, format!("{label} failed: {message}"));
                        self.toast(ctx, Level::Error, message);
                    }
                }
            }
        }
    }

    fn count_part(&mut self, job: JobId) {
        if let Some((j, done, _)) = self.refresh.as_mut()
            && *j == job
        {
            *done += 1;
        }
    }

    /// Draws the app.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.handle_shortcuts(ui.ctx());
        super::profile_dialog::profile_dialog_ui(self, ui);
        super::export_dialog::export_dialog_ui(self, ui);
        super::about_view::about_ui(self, ui);
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
        let (refresh, find, export) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::F5),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F)),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::E)),
            )
        });
        if export {
            super::export_dialog::open_for_selected(self);
        }
        if refresh {
            self.request_refresh();
        }
        if find {
            self.focus_search = true;
        }
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
        self.send(Command::ExportInventory { rows, format, warn_days });
    }

    /// Starts a refresh unless one runs.
    pub(super) fn request_refresh(&mut self) {
        if self.refresh.is_none() {
            self.send(Command::RefreshInventory);
        }
    }
}
