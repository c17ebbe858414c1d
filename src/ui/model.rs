//! What the app knows: the worker's answers folded into rows, jobs, failures and the log. Views
//! read it; only the app changes it (from events and from what views ask for).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use time::OffsetDateTime;

use super::filter::{RowMarks, ViewState, visible_rows_with};
use super::reminders::{Reminders, Thresholds};
use crate::certs::summary::CertSummary;
use crate::inventory::changes::{self, Changes};
use crate::inventory::snapshot::Snapshot;
use crate::inventory::{InventoryRow, RefreshError};
use crate::store::profiles::Profile;
use crate::worker::{Event, JobId};

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
    /// Parts planned (0 until a profile signed in; each adds its own).
    pub parts: usize,
    /// Profiles that signed in or failed to so far.
    pub signed: usize,
    /// Parts that answered with rows this time.
    loaded: HashSet<PartKey>,
    /// Profiles that could not sign in this time.
    failed_profiles: HashSet<String>,
    /// Parts that failed this time.
    failed_parts: HashSet<PartKey>,
    /// The failures of the refresh before, shown again if this one does not finish.
    previous_errors: Vec<RefreshError>,
}

/// Why a row was not refreshed, and when it was last seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// When its part last answered ("2026-11-30 06:58 UTC"), in this session or a saved one.
    pub seen: Option<String>,
    /// What failed.
    pub reason: String,
}

/// A refresh that finished (not stopped): what to tell the user beyond the table.
pub struct RefreshFinished {
    /// The desktop notification due (title, text), when notifications are on.
    pub reminder: Option<(String, String)>,
    /// Some part answered: there is something newer to save (a refresh that reached nothing
    /// leaves the saved inventory, and its time, as it was).
    pub answered: bool,
}

/// The rows, jobs, failures and log.
#[derive(Default)]
pub struct Model {
    /// A cloud is in use (profiles loaded, or the demo): the welcome screen is gone.
    pub started: bool,
    /// The demo cloud's address, in demo mode.
    pub demo_endpoint: Option<String>,
    /// Every row loaded.
    pub rows: Vec<InventoryRow>,
    /// The parts that failed in the last refresh.
    pub region_errors: Vec<RefreshError>,
    /// Rows shown (indices into `rows`), filtered and sorted.
    pub visible: Vec<usize>,
    visible_for: Option<(ViewState, usize, usize, u64)>,
    /// The rows shown come from the inventory saved then (until a refresh answers for all of them).
    pub as_of: Option<OffsetDateTime>,
    /// The look the next refresh is compared with: the last refresh's rows, or the saved ones.
    baseline: Option<(Vec<InventoryRow>, OffsetDateTime)>,
    /// What the last refresh changed.
    pub changes: Changes,
    /// Counts the changes computed, so the rows shown are filtered again.
    changes_seen: u64,
    /// Which reminders were shown, so each item is named once per threshold.
    pub reminders: Reminders,
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
    /// Jobs asked for and not yet started (the worker announces each as it takes it): a save of
    /// the inventory sent as a refresh ends is work going on, though no job shows it yet.
    pub queued: BTreeSet<JobId>,
    /// How often each job was reported started and finished (each must be once): a cheap record
    /// that shows a worker bug in the activity rather than as a spinner that never stops.
    pub job_reports: BTreeMap<JobId, (u32, u32)>,
    /// The refresh running, if any.
    pub refresh: Option<RefreshProgress>,
    /// Rows whose part did not answer in the last refresh.
    pub stale: HashMap<PartKey, Stale>,
    /// When each part last answered.
    seen: HashMap<PartKey, OffsetDateTime>,
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
        self.rows = rows;
        self.visible_for = None;
    }

    /// Recomputes the rows shown, only when the view or the rows changed.
    pub fn refresh_visible(&mut self, view: &ViewState) {
        let key = (view.clone(), self.rows.len(), self.stale.len(), self.changes_seen);
        if self.visible_for.as_ref() != Some(&key) {
            let (stale, changes) = (&self.stale, &self.changes);
            self.visible = visible_rows_with(&self.rows, view, |r| RowMarks {
                stale: stale.contains_key(&part_of(r)),
                changed: !changes.of(r).is_empty(),
            });
            self.visible_for = Some(key);
        }
    }

    /// Shows the inventory saved at the last refresh, for every part this session has not loaded
    /// yet (a refresh that answered first wins), and keeps it as the look to compare with.
    pub(super) fn show_snapshot(&mut self, snapshot: &Snapshot, now: OffsetDateTime, warn_days: i64) {
        let rows = snapshot.rows_at(now, warn_days);
        let when = when_text(snapshot.saved_at);
        let mut taken: HashSet<PartKey> = HashSet::new();
        for row in &rows {
            let key = part_of(row);
            if taken.contains(&key) || !self.seen.contains_key(&key) {
                // The time that part last answered, which may be before the save (it failed since).
                self.seen.insert(key.clone(), snapshot.seen_at(&row.profile, &row.region, row.service));
                taken.insert(key);
                self.rows.push(row.clone());
            }
        }
        let added = rows.iter().filter(|r| taken.contains(&part_of(r))).count();
        if added > 0 {
            // As of the oldest part shown: never newer than what the rows are.
            self.as_of = taken.iter().filter_map(|k| self.seen.get(k)).min().copied();
            self.started = true;
            self.visible_for = None;
        }
        if self.baseline.is_none() {
            self.baseline = Some((rows, snapshot.saved_at));
        }
        if self.vault.is_some() {
            self.drop_rows_of_gone_profiles();
        }
        self.log(Level::Info, format!("Showing the inventory saved {when}: {added} item(s) until the refresh answers"));
        if snapshot.unreadable_rows > 0 {
            let n = snapshot.unreadable_rows;
            self.log(
                Level::Error,
                format!("{n} saved row(s) could not be read and are left out; the refresh brings them back"),
            );
        }
    }

    /// The selected row, if it is still there.
    pub fn selected_row(&self) -> Option<&InventoryRow> {
        let id = self.selected.as_ref()?;
        self.rows.iter().find(|r| &r.id == id)
    }

    /// The selected row's place among the rows shown.
    pub fn selected_position(&self) -> Option<usize> {
        let id = self.selected.as_ref()?;
        self.visible.iter().position(|&i| &self.rows[i].id == id)
    }

    /// Whether a row is marked for bulk export.
    pub fn is_marked(&self, row: &InventoryRow) -> bool {
        self.marked.contains(&(row.profile.clone(), row.id.clone()))
    }

    /// When a part last answered, in this session or a saved one.
    pub(super) fn seen_at(
        &self,
        profile: &str,
        region: &str,
        service: crate::cloud::Service,
    ) -> Option<OffsetDateTime> {
        self.seen.get(&(profile.to_owned(), region.to_owned(), service)).copied()
    }

    /// Why a row is stale, if it is.
    pub fn stale_reason(&self, row: &InventoryRow) -> Option<&Stale> {
        self.stale.get(&part_of(row))
    }

    /// Rows, marks and failures of profiles deleted or renamed go at once (a renamed profile's rows
    /// come back under the new name with the refresh): nothing is shown, or acted on, for a
    /// profile that no longer exists.
    pub(super) fn drop_rows_of_gone_profiles(&mut self) {
        if self.demo_endpoint.is_some() {
            return;
        }
        let names: HashSet<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
        let before = self.rows.len();
        self.rows.retain(|r| names.contains(r.profile.as_str()));
        self.marked.retain(|(profile, _)| names.contains(profile.as_str()));
        self.region_errors.retain(|e| names.contains(e.profile.as_str()));
        self.stale.retain(|(profile, ..), _| names.contains(profile.as_str()));
        if self.rows.len() != before {
            self.visible_for = None;
        }
    }

    /// Applies a refresh's events; hands back any other event.
    pub(super) fn apply_refresh(&mut self, event: Event) -> Option<Event> {
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
                self.current_refresh(job)?.signed += 1;
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
                let demo = self.demo_endpoint.is_some();
                let known = demo || self.profiles.iter().any(|p| p.name == profile);
                let progress = self.current_refresh(job)?;
                progress.done += 1;
                // Rows of a profile deleted or renamed meanwhile are not shown again.
                if !known {
                    return None;
                }
                let key = (profile, region, service);
                progress.loaded.insert(key.clone());
                self.rows.retain(|r| part_of(r) != key);
                self.stale.remove(&key);
                self.seen.insert(key, OffsetDateTime::now_utc());
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
                let line = if error.service == crate::cloud::Service::Iam && error.region == "all" {
                    // The message says what failed ("cannot sign in: …", a secret not stored, …).
                    format!("Profile {}: {}", error.profile, error.message)
                } else {
                    format!("{} {} ({}): {}", error.service.label(), error.region, error.profile, error.message)
                };
                self.log(Level::Error, line);
                self.region_errors.push(error);
            }
            other => return Some(other),
        }
        None
    }

    /// A job ended: when it is the current refresh, its rows settle. Says whether a refresh
    /// finished, with the reminder it makes due (when asked for).
    pub(super) fn refresh_ended(&mut self, job: JobId, done: bool, thresholds: Thresholds) -> Option<RefreshFinished> {
        if self.refresh.as_ref().is_none_or(|p| p.job != job) {
            return None;
        }
        let progress = self.refresh.take().unwrap_or_default();
        if !done {
            if self.region_errors.is_empty() {
                // Stopped early: the rows still marked stale keep their banner lines.
                self.region_errors = progress.previous_errors;
            }
            return None;
        }
        self.finish_refresh(&progress);
        let now = OffsetDateTime::now_utc();
        let answered = |r: &InventoryRow| progress.loaded.contains(&part_of(r));
        let reminder = {
            let previous = self.baseline.as_ref().map(|(rows, _)| rows.as_slice());
            let stale = &self.stale;
            let fresh: Vec<&InventoryRow> = self.rows.iter().filter(|r| !stale.contains_key(&part_of(r))).collect();
            self.reminders.due(&fresh, previous, &self.region_errors, thresholds)
        };
        if let Some((previous, since)) = self.baseline.take() {
            let found = changes::compare(&previous, &self.rows, answered, thresholds.warn_days, Some(since));
            // A refresh that finds nothing new keeps the last changes on screen (a periodic refresh
            // must not wipe them before anyone looked); the next changes replace them.
            if !found.is_empty() {
                self.changes = found;
                let words = self.changes.words();
                self.log(Level::Info, format!("Since {}: {words}", when_text(since)));
            }
            let removed: Vec<String> = self
                .changes
                .removed
                .iter()
                .map(|g| format!("Removed: {} ({} {}, profile {})", g.name, g.service.label(), g.region, g.profile))
                .collect();
            for line in removed {
                self.log(Level::Info, line);
            }
        }
        self.changes_seen += 1;
        self.baseline = Some((self.rows.clone(), now));
        if self.region_errors.is_empty() {
            self.as_of = None;
        }
        Some(RefreshFinished { reminder, answered: !progress.loaded.is_empty() })
    }

    /// The refresh in progress if `job` is it; events of an older refresh are dropped.
    fn current_refresh(&mut self, job: JobId) -> Option<&mut RefreshProgress> {
        self.refresh.as_mut().filter(|p| p.job == job)
    }

    fn mark_stale(&mut self, matches: impl Fn(&PartKey) -> bool, reason: &str) {
        let keys: HashSet<PartKey> = self.rows.iter().map(part_of).filter(|k| matches(k)).collect();
        for key in keys {
            let seen = self.seen.get(&key).map(|t| when_text(*t));
            self.stale.insert(key, Stale { seen, reason: reason.to_owned() });
        }
        self.visible_for = None;
    }

    /// A finished refresh: parts that answered are fresh, failed ones keep their rows marked
    /// stale, and rows of parts no longer asked for (a deleted profile, an unticked region) go.
    fn finish_refresh(&mut self, progress: &RefreshProgress) {
        let profiles: HashSet<&str> = self.profiles.iter().map(|p| p.name.as_str()).collect();
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
}
