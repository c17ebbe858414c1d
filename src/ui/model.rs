//! What the app knows: the worker's answers folded into rows, jobs, failures and the log. Views
//! read it; only the app changes it (from events and from what views ask for).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use time::OffsetDateTime;

use super::filter::{RowMarks, Summary, ViewState, summarize, visible_rows_with};
use crate::certs::summary::CertSummary;
use crate::inventory::InventoryRow;
use crate::inventory::estate::{EstateView, Note, Stale};
use crate::inventory::policy::{Judge, Thresholds};
use crate::store::profiles::Profile;
use crate::worker::JobId;

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

/// The estate's view, and the app's own state around it: selection, marks, jobs, log.
#[derive(Default)]
pub struct Model {
    /// A cloud is in use (profiles loaded, or the demo): the welcome screen is gone.
    pub started: bool,
    /// The demo cloud's address, in demo mode.
    pub demo_endpoint: Option<String>,
    /// The estate as the worker last sent it.
    pub estate: Arc<EstateView>,
    /// Rows shown (indices into the estate's rows), filtered and sorted.
    pub visible: Vec<usize>,
    /// Counts of every row by state, for the summary line (computed with `visible`).
    pub summary: Summary,
    /// Rows by the week they expire in, for the timeline (computed with `visible`).
    pub timeline: Option<super::timeline_view::Timeline>,
    /// What rows are judged against in this frame: the thresholds from settings, and now.
    pub judge: Judge,
    visible_for: Option<(ViewState, Thresholds, i64, u64, usize)>,
    /// Settings the worker was last told (thresholds, notifications).
    pub told_settings: Option<(Thresholds, bool)>,
    /// When (egui time) the last refresh ended, for the periodic refresh.
    pub last_refresh_end: Option<f64>,
    /// The selected row's id.
    pub selected: Option<String>,
    /// Rows marked for bulk export, by profile and id (the same instance may show once per profile
    /// that reaches it; marking one marks that one).
    pub marked: BTreeSet<(String, String)>,
    /// Certificates downloaded, by instance id.
    pub downloads: HashMap<String, Downloaded>,
    /// Jobs running, with their labels.
    pub jobs: BTreeMap<JobId, String>,
    /// Jobs asked for and not yet started (the worker announces each as it takes it).
    pub queued: BTreeSet<JobId>,
    /// How often each job was reported started and finished (each must be once): a cheap record
    /// that shows a worker bug in the activity rather than as a spinner that never stops.
    pub job_reports: BTreeMap<JobId, (u32, u32)>,
    /// Downloads running, by job: the row id.
    pub downloading: HashMap<JobId, String>,
    /// The activity log.
    pub activity: Vec<Activity>,
    /// Notices in the corner.
    pub toasts: Vec<Toast>,
    /// The profiles.
    pub profiles: Vec<Profile>,
    /// Where secrets are kept, or the keyring's problem; `None` until known.
    pub vault: Option<Result<&'static str, String>>,
    /// The last sign-in or test result per profile.
    pub profile_tests: HashMap<String, Result<String, String>>,
    /// The folder with the crash report of a last run that ended with a panic, until dismissed.
    pub crash_folder: Option<std::path::PathBuf>,
}

/// A moment as the app shows it: "2026-11-30 06:58 UTC".
pub fn when_text(at: OffsetDateTime) -> String {
    let t = crate::certs::summary::in_utc(at).unwrap_or(at);
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}

pub(super) fn now_hms() -> String {
    // UTC: a local offset cannot be read soundly in a multi-threaded process on Linux.
    let t = time::OffsetDateTime::now_utc();
    format!("{:02}:{:02}:{:02}Z", t.hour(), t.minute(), t.second())
}

impl Model {
    /// Adds a line to the activity log (the last 500 are kept).
    pub fn log(&mut self, level: Level, message: String) {
        // The same lines end a crash report, should one be written.
        crate::crash::remember(&message);
        self.activity.push(Activity { at: now_hms(), level, message });
        if self.activity.len() > 500 {
            self.activity.remove(0);
        }
    }

    /// Shows a notice in the corner for six seconds.
    pub fn toast(&mut self, ctx: &egui::Context, level: Level, message: String) {
        let until = ctx.input(|i| i.time) + 6.0;
        self.toasts.push(Toast { level, message, until });
        // One repaint when it should vanish; no repaint loop meanwhile.
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(6.05));
    }

    /// Replaces the rows (benchmarks, rows read from elsewhere).
    pub fn show_rows(&mut self, rows: Vec<InventoryRow>) {
        self.started = true;
        let version = self.estate.version + 1;
        self.estate = Arc::new(EstateView { rows, version, ..EstateView::default() });
        self.visible_for = None;
    }

    /// Takes the worker's newer view of the estate; tells its notes in the activity log. Says
    /// whether a refresh ended with it.
    pub(super) fn take_estate(&mut self, view: Arc<EstateView>, notes: Vec<Note>) -> bool {
        for (level, line) in notes.into_iter().flat_map(note_words) {
            self.log(level, line);
        }
        if view.version < self.estate.version {
            return false;
        }
        let ended = self.estate.refresh.is_some() && view.refresh.is_none();
        if !view.rows.is_empty() {
            self.started = true;
        }
        self.estate = view;
        self.visible_for = None;
        ended
    }

    /// Recomputes the rows shown and the summary, only when the view, the thresholds, the
    /// minute or the estate changed (a row can expire at any time of day).
    pub fn refresh_visible(&mut self, view: &ViewState, judge: Judge) {
        self.judge = judge;
        let minute = judge.now.unix_timestamp().div_euclid(60);
        let key = (view.clone(), judge.thresholds, minute, self.estate.version, self.estate.rows.len());
        if self.visible_for.as_ref() != Some(&key) {
            let estate = &self.estate;
            self.visible = visible_rows_with(&estate.rows, view, judge, |r| RowMarks {
                stale: estate.stale_reason(r).is_some(),
                changed: !estate.changes.of(r).is_empty(),
            });
            self.summary = summarize(&estate.rows, judge, |r| estate.stale_reason(r).is_some());
            self.timeline = Some(super::timeline_view::Timeline::of(&estate.rows, judge));
            self.visible_for = Some(key);
        }
    }

    /// The selected row, if it is still there.
    pub fn selected_row(&self) -> Option<&InventoryRow> {
        let id = self.selected.as_ref()?;
        self.estate.rows.iter().find(|r| &r.id == id)
    }

    /// The selected row's place among the rows shown.
    pub fn selected_position(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.visible.iter().position(|&i| &self.estate.rows[i].id == id)
    }

    /// Whether a row is marked for bulk export.
    pub fn is_marked(&self, row: &InventoryRow) -> bool {
        self.marked.contains(&(row.profile.clone(), row.id.clone()))
    }

    /// Why a row is stale, if it is.
    pub fn stale_reason(&self, row: &InventoryRow) -> Option<&Stale> {
        self.estate.stale_reason(row)
    }

    /// Marks of profiles deleted or renamed go at once (their rows go with the estate's view).
    pub(super) fn drop_marks_of_gone_profiles(&mut self) {
        if self.demo_endpoint.is_some() {
            return;
        }
        let names: HashSet<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        self.marked.retain(|(profile, _)| names.contains(profile.as_str()));
    }
}

/// A note of the estate as the activity log says it.
fn note_words(note: Note) -> Vec<(Level, String)> {
    let line = match note {
        Note::ShowingSaved { saved_at, items, unreadable } => {
            let when = when_text(saved_at);
            let mut lines = vec![(
                Level::Info,
                format!("Showing the inventory saved {when}: {items} item(s) until the refresh answers"),
            )];
            if unreadable > 0 {
                lines.push((
                    Level::Error,
                    format!(
                        "{unreadable} saved row(s) could not be read and are left out; the refresh brings them back"
                    ),
                ));
            }
            return lines;
        }
        // The message says what failed ("cannot sign in: …", a secret not stored, …).
        Note::SignInFailed { profile, message } => (Level::Error, format!("Profile {profile}: {message}")),
        Note::PartFailed(e) => {
            (Level::Error, format!("{} {} ({}): {}", e.service.label(), e.region, e.profile, e.message))
        }
        Note::Loaded { items, failed: 0, .. } => (Level::Success, format!("Inventory loaded: {items} item(s)")),
        Note::Loaded { items, failed, stale } => (
            Level::Error,
            format!("Inventory loaded with problems: {items} item(s), {failed} failed part(s), {stale} stale item(s)"),
        ),
        Note::Changed { since, changes } => {
            let mut lines = vec![(Level::Info, format!("Since {}: {}", when_text(since), changes.words()))];
            lines.extend(changes.removed.iter().map(|g| {
                let line = format!("Removed: {} ({} {}, profile {})", g.name, g.service.label(), g.region, g.profile);
                (Level::Info, line)
            }));
            return lines;
        }
    };
    vec![line]
}
