//! The app: folds worker events into the model, draws the views with the parts each one draws,
//! and applies what they ask for. Views never see the app itself.

use std::path::PathBuf;
use std::sync::Arc;

use super::export_dialog::ExportForm;
use super::filter::ViewState;
use super::intent::Intent;
use super::model::{Downloaded, Level, Model};
use super::profile_dialog::ProfileForm;
use super::save_prompt::SavePrompt;
pub use super::settings::Settings;
use crate::inventory::estate::Stale;
use crate::inventory::{InventoryRow, RefreshError};
use crate::sim::SimConfig;
use crate::store::profiles::Profile;
use crate::worker::{Command, Event, JobId, Outcome, SaveDialog, Waker, WorkerHandle, WorkerOptions};

/// How the app starts.
#[derive(Default)]
pub struct AppOptions {
    /// Start the embedded demo cloud with this configuration (then no profile or keyring is touched).
    pub demo: Option<SimConfig>,
    /// Remembered settings.
    pub settings: Settings,
    /// Where profiles and secrets are kept.
    pub worker: WorkerOptions,
    /// What draws the window, for the About box.
    pub renderer: String,
    /// When the process started: the first frame logs how long it took.
    pub started_at: Option<std::time::Instant>,
}

impl AppOptions {
    /// The demo cloud: the simulator's demo estate on loopback, under Huawei Cloud's production
    /// host names (reached through the loopback-only resolver override, as tests and benches are).
    pub fn demo_config() -> SimConfig {
        crate::sim::SimConfig::demo()
    }
}

/// The dialogs and one-frame requests: state of the app's own windows, not of the cloud.
#[derive(Default)]
pub struct Dialogs {
    /// The add/edit profile dialog.
    pub profile_form: Option<ProfileForm>,
    /// The profile whose Delete was clicked once (the second click confirms).
    pub confirm_delete: Option<String>,
    /// The export dialog.
    pub export_form: Option<ExportForm>,
    /// The app's save prompt, when no native dialog can open.
    pub save_prompt: Option<SavePrompt>,
    /// The about box is open.
    pub about_open: bool,
    /// What draws the window, as the About box says it.
    pub renderer: String,
    /// When the process started, until the first frame is drawn.
    pub started_at: Option<std::time::Instant>,
    /// The search field takes the focus on the next frame.
    pub focus_search: bool,
    /// The table brings the selection into view on the next frame.
    pub scroll_to_selected: bool,
    /// Where the expiry timeline was drawn.
    pub timeline: super::timeline_view::TimelineView,
}

/// The whole app.
pub struct CertdeskApp {
    worker: WorkerHandle,
    model: Model,
    settings: Settings,
    dialogs: Dialogs,
}

impl CertdeskApp {
    /// Starts the worker and, in demo mode, the demo cloud.
    pub fn new(waker: Waker, dialog: Arc<dyn SaveDialog>, options: AppOptions) -> std::io::Result<Self> {
        let worker = WorkerHandle::spawn(waker, dialog, options.worker)?;
        let dialogs = Dialogs { renderer: options.renderer, started_at: options.started_at, ..Dialogs::default() };
        let mut app = Self { worker, model: Model::default(), settings: options.settings, dialogs };
        // Before anything that refreshes: the worker judges what it saves and reminds of with them.
        app.tell_settings();
        if let Some(config) = options.demo {
            app.start_demo(config);
        } else {
            // The demo never touches the keyring, the profiles or the saved inventory; a normal
            // start shows the saved inventory at once, then reads the profiles and refreshes.
            app.send(Command::LoadSnapshot);
            app.send(Command::LoadProfiles);
        }
        Ok(app)
    }

    /// Shows these rows as the inventory (benchmarks, and rows read from elsewhere).
    pub fn show_rows(&mut self, rows: Vec<InventoryRow>) {
        self.model.show_rows(rows);
    }

    /// The view settings (search, filters, sort), to change them from outside the UI.
    pub fn view_mut(&mut self) -> &mut ViewState {
        &mut self.settings.view
    }

    /// The profiles loaded.
    pub fn profiles(&self) -> &[Profile] {
        &self.model.profiles
    }

    /// Where secrets are kept, or the keyring problem; `None` until known.
    pub fn vault_status(&self) -> Option<&Result<&'static str, String>> {
        self.model.vault.as_ref()
    }

    /// The last test result of a profile.
    pub fn profile_test(&self, name: &str) -> Option<&Result<String, String>> {
        self.model.profile_tests.get(name)
    }

    /// Whether the profile dialog is open.
    pub fn profile_dialog_open(&self) -> bool {
        self.dialogs.profile_form.is_some()
    }

    /// The error the open profile dialog shows, if any.
    pub fn profile_form_error(&self) -> Option<&str> {
        self.dialogs.profile_form.as_ref().and_then(ProfileForm::error)
    }

    /// Whether the export dialog is open.
    pub fn export_dialog_open(&self) -> bool {
        self.dialogs.export_form.is_some()
    }

    /// Whether the about box is open.
    pub fn about_open(&self) -> bool {
        self.dialogs.about_open
    }

    /// The settings to persist.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The settings, to change them from outside the UI (as the View menu does).
    pub fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }

    /// Starts the embedded demo cloud.
    pub fn start_demo(&mut self, config: SimConfig) {
        self.model.started = true;
        self.send(Command::StartDemo(Box::new(config)));
    }

    /// Sends a command; its job, or `None` (and a log line) when the worker cannot take it.
    fn send(&mut self, command: Command) -> Option<JobId> {
        send_to(&self.worker, &mut self.model, command)
    }

    /// Everything loaded so far (for tests and exports).
    pub fn rows(&self) -> &[InventoryRow] {
        &self.model.estate.rows
    }

    /// Rows the table shows now, in order.
    pub fn visible_row_ids(&self) -> Vec<String> {
        self.model.visible.iter().map(|&i| self.model.estate.rows[i].id.clone()).collect()
    }

    /// The id of the selected row.
    pub fn selected_id(&self) -> Option<&str> {
        self.model.selected.as_deref()
    }

    /// Regions that failed in the last refresh.
    pub fn region_errors(&self) -> &[RefreshError] {
        &self.model.estate.errors
    }

    /// Why a row is stale (its part did not answer in the last refresh), if it is.
    pub fn stale_reason(&self, row: &InventoryRow) -> Option<&Stale> {
        self.model.stale_reason(row)
    }

    /// The app's save prompt, when no native dialog could open.
    pub fn save_prompt(&self) -> Option<&SavePrompt> {
        self.dialogs.save_prompt.as_ref()
    }

    /// Whether a refresh is running.
    pub fn is_refreshing(&self) -> bool {
        self.model.estate.refresh.is_some()
    }

    /// Whether any job is running or asked for.
    pub fn is_busy(&self) -> bool {
        !self.model.jobs.is_empty() || !self.model.queued.is_empty()
    }

    /// The activity log messages, oldest first.
    pub fn activity_messages(&self) -> Vec<String> {
        self.model.activity.iter().map(|a| a.message.clone()).collect()
    }

    /// The certificate downloaded for an instance, if any.
    pub fn downloaded(&self, instance_id: &str) -> Option<&Downloaded> {
        self.model.downloads.get(instance_id)
    }

    /// Jobs not reported exactly once started and once finished (none, unless the worker is wrong);
    /// those still running count as started once and finished zero times.
    pub fn jobs_reported_wrongly(&self) -> Vec<(JobId, u32, u32)> {
        let running = |job: &JobId| self.model.jobs.contains_key(job);
        self.model
            .job_reports
            .iter()
            .filter(|(job, counts)| **counts != (1, 1) && !(running(job) && **counts == (1, 0)))
            .map(|(job, (started, finished))| (*job, *started, *finished))
            .collect()
    }

    /// Ids of the rows marked with Ctrl+click.
    pub fn marked_ids(&self) -> Vec<String> {
        self.model.marked.iter().map(|(_, id)| id.clone()).collect()
    }

    /// Applies waiting worker events. Runs before each frame and when woken while hidden.
    pub fn logic(&mut self, ctx: &egui::Context) {
        while let Some(event) = self.worker.try_recv() {
            self.apply(ctx, event);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, event: Event) {
        let model = &mut self.model;
        match event {
            Event::Estate { view, notes } => {
                if model.take_estate(view, notes) {
                    model.last_refresh_end = Some(ctx.input(|i| i.time));
                }
            }
            Event::ProfileSignIn { profile, result, .. } => {
                model.profile_tests.insert(profile, result);
            }
            Event::DemoStarted { endpoint, .. } => {
                model.log(
                    Level::Info,
                    format!("Demo cloud running at {endpoint} (simulated, nothing leaves this machine)"),
                );
                model.demo_endpoint = Some(endpoint);
            }
            Event::JobStarted { job, label } => {
                model.log(Level::Info, format!("{label}..."));
                model.queued.remove(&job);
                model.jobs.insert(job, label);
                model.job_reports.entry(job).or_default().0 += 1;
            }
            Event::ProfilesLoaded { profiles, vault, .. } => {
                if let Err(problem) = &vault {
                    model.log(Level::Error, problem.clone());
                }
                if !profiles.is_empty() {
                    model.started = true;
                }
                model.profiles = profiles;
                model.vault = Some(vault);
                model.drop_marks_of_gone_profiles();
            }
            Event::SnapshotLoaded { problem, crash_folder, .. } => {
                model.crash_folder = crash_folder;
                if let Some(problem) = problem {
                    model.log(Level::Error, problem.clone());
                    model.toast(ctx, Level::Error, problem);
                }
            }
            Event::ProfileTested { job, name, draft, result } => {
                let what = if draft { format!("Profile {name} as typed") } else { format!("Profile {name}") };
                match &result {
                    Ok(m) => model.log(Level::Success, format!("{what}: {m}")),
                    Err(e) => model.log(Level::Error, format!("{what}: {e}")),
                }
                if let Some(form) = self.dialogs.profile_form.as_mut() {
                    form.tested(job, &result);
                }
                // A test of what the form holds says nothing of the stored profile, which its card shows.
                if !draft {
                    model.profile_tests.insert(name, result);
                }
            }
            Event::Notice { message, problem, .. } => {
                let level = if problem { Level::Error } else { Level::Success };
                model.log(level, message.clone());
                model.toast(ctx, level, message);
            }
            Event::FileSaved { path, .. } => {
                let message = format!("Saved {}", path.display());
                model.log(Level::Success, message.clone());
                model.toast(ctx, Level::Success, message);
            }
            Event::CertificateSaved { instance_id, path, certificates, details, chain, .. } => {
                let message = format!("Saved {} ({} certificate(s))", path.display(), certificates.len());
                model.log(Level::Success, message.clone());
                model.toast(ctx, Level::Success, message);
                model.downloads.insert(instance_id, Downloaded { path, certificates, details, chain });
            }
            Event::SavePrompt { job, reason, path, folder } => {
                // Not an error: the app offers its own prompt.
                model.log(Level::Info, reason.clone());
                self.dialogs.save_prompt = Some(SavePrompt { job, reason, path: path.display().to_string(), folder });
            }
            Event::JobFinished { job, outcome } => self.job_finished(ctx, job, outcome),
        }
    }

    fn job_finished(&mut self, ctx: &egui::Context, job: JobId, outcome: Outcome) {
        let model = &mut self.model;
        let label = model.jobs.remove(&job).unwrap_or_default();
        model.job_reports.entry(job).or_default().1 += 1;
        model.downloading.remove(&job);
        if self.dialogs.save_prompt.as_ref().is_some_and(|p| p.job == job) {
            self.dialogs.save_prompt = None;
        }
        let model = &mut self.model;
        if self.dialogs.export_form.as_mut().is_some_and(|f| f.job_finished(job, &outcome)) {
            self.dialogs.export_form = None;
        }
        if self.dialogs.profile_form.as_mut().is_some_and(|f| f.job_finished(job, &outcome)) {
            self.dialogs.profile_form = None;
        }
        match outcome {
            Outcome::Done => {}
            Outcome::Cancelled => model.log(Level::Info, format!("Cancelled: {label}")),
            Outcome::Failed(message) => {
                model.log(Level::Error, format!("{label} failed: {message}"));
                model.toast(ctx, Level::Error, message);
            }
        }
    }

    /// Draws the app: each view gets what it draws, and what they ask for is applied after.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.tell_settings();
        let mut intents = self.shortcuts(ui.ctx());
        intents.extend(self.periodic_refresh(ui.ctx()));
        let (model, settings, dialogs) = (&mut self.model, &mut self.settings, &mut self.dialogs);
        intents.extend(super::profile_dialog::profile_dialog_ui(ui, &mut dialogs.profile_form, model.vault.as_ref()));
        intents.extend(super::export_dialog::export_dialog_ui(ui, &mut dialogs.export_form));
        super::about_view::about_ui(ui, &mut dialogs.about_open, &dialogs.renderer);
        if let Some(at) = dialogs.started_at.take() {
            tracing::info!(ms = at.elapsed().as_millis(), "first frame drawn");
        }
        intents.extend(super::save_prompt::save_prompt_ui(ui, dialogs.save_prompt.as_mut()));
        intents.extend(super::inventory_view::crash_notice_ui(ui, model.crash_folder.as_deref()));
        if model.started {
            model.refresh_visible(&settings.view, settings.judge_now());
            let (focus, about) = (&mut dialogs.focus_search, &mut dialogs.about_open);
            intents.extend(super::inventory_view::toolbar_ui(ui, model, settings, focus, about));
            intents.extend(super::activity_log::activity_ui(ui, model, &mut settings.show_activity));
            let (form, confirm) = (&mut dialogs.profile_form, &mut dialogs.confirm_delete);
            intents.extend(super::profile_dialog::profiles_ui(ui, model, settings, form, confirm));
            intents.extend(super::details_view::details_ui(ui, model, settings));
            if let Some(timeline) =
                model.timeline.as_ref().filter(|_| settings.show_timeline && !model.estate.rows.is_empty())
            {
                let (window, view) = (&mut settings.view.window, &mut dialogs.timeline);
                super::timeline_view::timeline_ui(ui, timeline, window, view);
            }
            let scroll = std::mem::take(&mut dialogs.scroll_to_selected);
            intents.extend(super::table_view::table_ui(ui, model, settings, scroll));
            super::activity_log::toasts_ui(ui, &mut model.toasts);
        } else {
            let (form, about) = (&mut dialogs.profile_form, &mut dialogs.about_open);
            intents.extend(super::welcome_view::welcome_ui(ui, model.vault.as_ref(), form, about));
        }
        for intent in intents {
            self.apply_intent(intent);
        }
    }

    /// Tells the worker the thresholds and whether reminders are wanted, when they changed: it
    /// judges the rows it saves and the reminders it shows with them.
    fn tell_settings(&mut self) {
        let now = (self.settings.thresholds, self.settings.notifications);
        if self.model.told_settings != Some(now) {
            let (thresholds, notify) = now;
            if self.send(Command::UseSettings { thresholds, notify }).is_some() {
                self.model.told_settings = Some(now);
            }
        }
    }

    /// The periodic refresh, when asked for: due `auto_refresh_minutes` after the last refresh
    /// ended; until then one repaint is booked for that moment (no repaint loop).
    fn periodic_refresh(&mut self, ctx: &egui::Context) -> Option<Intent> {
        let minutes = self.settings.auto_refresh_minutes;
        if minutes == 0 || !self.model.started || self.model.estate.refresh.is_some() {
            return None;
        }
        let now = ctx.input(|i| i.time);
        let last = *self.model.last_refresh_end.get_or_insert(now);
        let due = last + f64::from(minutes) * 60.0;
        if now >= due {
            self.model.last_refresh_end = Some(now);
            return Some(Intent::Refresh);
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(due - now));
        None
    }

    /// Where a timeline bar was drawn (the middle of its stack), to click it from tests.
    pub fn timeline_bar_center(&self, window: super::filter::ExpiryWindow) -> Option<egui::Pos2> {
        self.dialogs.timeline.bar_center(window)
    }

    /// What the last refresh changed.
    pub fn changes(&self) -> &crate::inventory::changes::Changes {
        &self.model.estate.changes
    }

    /// When the rows shown were saved, while they come from the saved inventory.
    pub fn as_of(&self) -> Option<time::OffsetDateTime> {
        self.model.estate.as_of
    }

    fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Intent> {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let mut intents = Vec::new();
        if !self.model.started {
            return intents;
        }
        let d = &self.dialogs;
        let dialog_open: bool =
            d.profile_form.is_some() || d.export_form.is_some() || d.about_open || d.save_prompt.is_some();
        let (about, refresh, find, export, download) = ctx.input_mut(|i| {
            (
                i.consume_key(Modifiers::NONE, Key::F1),
                i.consume_key(Modifiers::NONE, Key::F5),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F)),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::E)),
                i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::D)),
            )
        });
        // Esc closes a dialog first (the dialog sees it), then clears the selection.
        if !dialog_open && !ctx.egui_wants_keyboard_input() && ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.model.selected = None;
        }
        if about && !dialog_open {
            self.dialogs.about_open = true;
        }
        if export && !dialog_open {
            intents.push(Intent::OpenExportForSelected);
        }
        if download && !dialog_open {
            intents.push(Intent::DownloadSelected);
        }
        if refresh {
            intents.push(Intent::Refresh);
        }
        if find {
            self.dialogs.focus_search = true;
        }
        intents
    }

    fn apply_intent(&mut self, intent: Intent) {
        match intent {
            Intent::Send(command) => {
                self.send(command);
            }
            Intent::TestProfileForm(command) => {
                let job = self.send(command);
                if let Some(form) = self.dialogs.profile_form.as_mut() {
                    form.testing_job(job);
                }
            }
            Intent::SaveProfileForm(command) => {
                let job = self.send(command);
                if let Some(form) = self.dialogs.profile_form.as_mut() {
                    form.saving_job(job);
                }
            }
            Intent::ExportFromForm(command) => {
                let job = self.send(command);
                if let Some(form) = self.dialogs.export_form.as_mut() {
                    form.pending_job(job);
                }
            }
            Intent::Refresh => {
                if self.model.estate.refresh.is_none() {
                    self.send(Command::RefreshInventory);
                }
            }
            Intent::Download(row) => self.download(row),
            Intent::DownloadSelected => {
                if let Some(row) = self.model.selected_row().filter(|r| super::details_view::can_download(r)).cloned() {
                    self.download(row);
                }
            }
            Intent::OpenExportForSelected => {
                let exportable =
                    |r: &&InventoryRow| matches!(r.service, crate::cloud::Service::Ccm | crate::cloud::Service::Scm);
                if let Some(row) = self.model.selected_row().filter(exportable) {
                    self.dialogs.export_form = Some(ExportForm::new(row.clone()));
                }
            }
            Intent::ExportVisible(format) => {
                let rows = self.model.visible.iter().map(|&i| self.model.estate.rows[i].clone()).collect();
                let thresholds = self.settings.thresholds;
                let errors = self.model.estate.errors.clone();
                self.send(Command::ExportInventory { rows, format, thresholds, errors });
            }
            Intent::ExportMarked(server_type) => {
                let m = &self.model;
                let rows = m.estate.rows.iter().filter(|r| m.is_marked(r)).cloned().collect();
                self.send(Command::ExportToFolder { rows, server_type });
            }
            Intent::StartDemo => self.start_demo(AppOptions::demo_config()),
            Intent::AddProfile => self.dialogs.profile_form = Some(ProfileForm::default()),
            Intent::Select { id, scroll } => {
                self.model.selected = Some(id);
                self.dialogs.scroll_to_selected |= scroll;
            }
            Intent::ToggleMark(key) => {
                if !self.model.marked.remove(&key) {
                    self.model.marked.insert(key);
                }
            }
            Intent::ClearMarks => self.model.marked.clear(),
            Intent::DismissCrashReport => self.model.crash_folder = None,
            Intent::SelectFirstVisible => {
                self.model.refresh_visible(&self.settings.view, self.settings.judge_now());
                if let Some(&first) = self.model.visible.first() {
                    self.model.selected = Some(self.model.estate.rows[first].id.clone());
                    self.dialogs.scroll_to_selected = true;
                }
            }
            Intent::AnswerSavePrompt(save) => {
                if let Some(prompt) = self.dialogs.save_prompt.take() {
                    let path = save.then(|| PathBuf::from(prompt.path.trim())).filter(|p| !p.as_os_str().is_empty());
                    self.send(Command::AnswerSavePrompt { job: prompt.job, path });
                }
            }
        }
    }

    /// Downloads a row's CA certificate, unless a download of it is already running (a second
    /// Ctrl+D would stack a second save dialog).
    fn download(&mut self, row: InventoryRow) {
        if self.model.downloading.values().any(|id| *id == row.id) {
            self.model.log(Level::Info, format!("The CA certificate of {} is already being downloaded.", row.name));
            return;
        }
        let id = row.id.clone();
        if let Some(job) = self.send(Command::DownloadCertificate(Box::new(row))) {
            self.model.downloading.insert(job, id);
        }
    }
}

/// Sends a command to the worker and counts the job it starts as queued until the worker
/// announces it; `None` (and a log line) when the worker cannot take it.
fn send_to(worker: &WorkerHandle, model: &mut Model, command: Command) -> Option<JobId> {
    let starts_job = command.starts_job();
    let job = worker.send(command);
    match job {
        Some(job) if starts_job => {
            model.queued.insert(job);
        }
        Some(_) => {}
        None => model.log(Level::Error, "The background worker is not responding; restart certdesk.".into()),
    }
    job
}
