//! The estate: every row certdesk knows, by profile, region and service, with what each part's
//! last refresh said (fresh, stale and why, last seen), the changes since the look before, and
//! the reminders shown. Pure: the worker applies typed refresh updates to it, saves its snapshot
//! and shows its reminders; the app draws immutable views of it.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::changes::{self, Changes};
use super::policy::Judge;
use super::reminders::Reminders;
use super::snapshot::Snapshot;
use super::{InventoryRow, RefreshError};
use crate::cloud::Service;

/// Which region and service of which profile a row came from: rows are replaced part by part.
pub type PartKey = (String, String, Service);

/// The part a row belongs to.
pub fn part_of(row: &InventoryRow) -> PartKey {
    (row.profile.clone(), row.region.clone(), row.service)
}

/// Why a part's rows were not refreshed, and when the part last answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// When its part last answered, in this session or a saved one.
    pub seen: Option<OffsetDateTime>,
    /// What failed.
    pub reason: String,
}

/// Something the estate did that the user is told once (the app words it in its activity log).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The saved inventory is shown until the refresh answers.
    ShowingSaved {
        /// When it was saved.
        saved_at: OffsetDateTime,
        /// Items shown from it.
        items: usize,
        /// Saved rows that could not be read and are left out.
        unreadable: usize,
    },
    /// A profile could not sign in.
    SignInFailed {
        /// The profile.
        profile: String,
        /// Why.
        message: String,
    },
    /// A part failed.
    PartFailed(RefreshError),
    /// A refresh finished.
    Loaded {
        /// Items now.
        items: usize,
        /// Parts (and profiles) that failed.
        failed: usize,
        /// Items whose part failed.
        stale: usize,
    },
    /// What changed since the look before.
    Changed {
        /// When that look was taken.
        since: OffsetDateTime,
        /// The changes.
        changes: Changes,
    },
}

/// What a refresh tells the estate, as it goes.
#[derive(Clone, Debug)]
pub enum Update {
    /// A refresh began; it replaces any earlier one, whose updates no longer count.
    Started {
        /// The refresh job.
        job: u64,
    },
    /// A profile signed in: this many more region/service parts will answer.
    Planned {
        /// The refresh job.
        job: u64,
        /// Parts to come.
        parts: usize,
    },
    /// A profile signed in.
    SignedIn {
        /// The refresh job.
        job: u64,
        /// The profile.
        profile: String,
    },
    /// A profile could not sign in: its rows are stale, and nothing is asked for it.
    SignInFailed {
        /// The refresh job.
        job: u64,
        /// The profile.
        profile: String,
        /// Why, from the account layer.
        message: String,
    },
    /// One part's rows arrived.
    RowsLoaded {
        /// The refresh job.
        job: u64,
        /// The part.
        part: PartKey,
        /// Its rows.
        rows: Vec<InventoryRow>,
        /// When it answered.
        at: OffsetDateTime,
    },
    /// One part failed; the others go on.
    PartFailed {
        /// The refresh job.
        job: u64,
        /// What failed and why.
        error: RefreshError,
    },
}

/// How far the refresh that counts got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefreshState {
    /// The refresh job.
    pub job: u64,
    /// Parts answered.
    pub done: usize,
    /// Parts planned (each profile adds its own once signed in).
    pub parts: usize,
    /// Profiles that signed in, or failed to, so far.
    pub signed: usize,
}

#[derive(Clone, Debug, Default)]
struct Progress {
    state: RefreshState,
    loaded: HashSet<PartKey>,
    failed_profiles: HashSet<String>,
    failed_parts: HashSet<PartKey>,
    /// The failures of the refresh before, shown again if this one does not finish.
    previous_errors: Vec<RefreshError>,
}

/// A refresh that finished (not stopped): what to do beyond the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// The reminder due (title, text); shown only when notifications are on.
    pub reminder: Option<(String, String)>,
    /// Some part answered: there is something newer to save (a refresh that reached nothing
    /// leaves the saved inventory, and its time, as it was).
    pub answered: bool,
}

/// What the app draws: the estate at one moment, shared and never changed.
#[derive(Clone, Debug, Default)]
pub struct EstateView {
    /// Every row.
    pub rows: Vec<InventoryRow>,
    /// The parts (and profiles, see [`RefreshError::is_sign_in`]) that failed in the last refresh.
    pub errors: Vec<RefreshError>,
    /// Parts whose rows the last refresh could not update.
    pub stale: HashMap<PartKey, Stale>,
    /// The rows shown come from the inventory saved then (until a refresh answers for all).
    pub as_of: Option<OffsetDateTime>,
    /// What the last refresh changed.
    pub changes: Changes,
    /// The refresh running, if any.
    pub refresh: Option<RefreshState>,
    /// Counts every change of the estate: a view with a higher one is newer.
    pub version: u64,
}

impl EstateView {
    /// Why a row is stale, if it is.
    pub fn stale_reason(&self, row: &InventoryRow) -> Option<&Stale> {
        if self.stale.is_empty() {
            return None;
        }
        self.stale.get(&part_of(row))
    }
}

/// The estate and what the last refresh said of each part.
#[derive(Debug, Default)]
pub struct Estate {
    rows: Vec<InventoryRow>,
    errors: Vec<RefreshError>,
    stale: HashMap<PartKey, Stale>,
    seen: HashMap<PartKey, OffsetDateTime>,
    as_of: Option<OffsetDateTime>,
    /// The look the next refresh is compared with: the last refresh's rows, or the saved ones.
    baseline: Option<(Vec<InventoryRow>, OffsetDateTime)>,
    changes: Changes,
    reminders: Reminders,
    refresh: Option<Progress>,
    /// The profiles rows may belong to; `None`: any (the demo, or before profiles are read).
    profiles: Option<HashSet<String>>,
    notes: Vec<Note>,
    version: u64,
}

impl Estate {
    /// Every row.
    pub fn rows(&self) -> &[InventoryRow] {
        &self.rows
    }

    /// The refresh running, if any.
    pub fn refresh(&self) -> Option<RefreshState> {
        self.refresh.as_ref().map(|p| p.state)
    }

    /// A view of it as it is now.
    pub fn view(&self) -> EstateView {
        EstateView {
            rows: self.rows.clone(),
            errors: self.errors.clone(),
            stale: self.stale.clone(),
            as_of: self.as_of,
            changes: self.changes.clone(),
            refresh: self.refresh(),
            version: self.version,
        }
    }

    /// Changes since the last view was taken.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The log lines since the last call.
    pub fn take_notes(&mut self) -> Vec<Note> {
        std::mem::take(&mut self.notes)
    }

    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }

    /// The saved inventory as it would be written now: rows, failures, and when each part last
    /// answered.
    pub fn snapshot(&self, now: OffsetDateTime) -> Snapshot {
        Snapshot::new(&self.rows, &self.errors, now).with_seen(|profile, region, service| {
            self.seen.get(&(profile.to_owned(), region.to_owned(), service)).copied()
        })
    }

    /// The profiles rows may belong to (`None`: any). Rows, failures and staleness of profiles
    /// deleted or renamed go at once: nothing is shown, or acted on, for a profile that is gone
    /// (a renamed one's rows come back under the new name with the refresh).
    pub fn set_profiles(&mut self, names: Option<HashSet<String>>) {
        self.profiles = names;
        let Some(names) = &self.profiles else { return };
        let before = (self.rows.len(), self.errors.len(), self.stale.len());
        self.rows.retain(|r| names.contains(&r.profile));
        self.errors.retain(|e| names.contains(&e.profile));
        self.stale.retain(|(profile, ..), _| names.contains(profile));
        if before != (self.rows.len(), self.errors.len(), self.stale.len()) {
            self.version += 1;
        }
    }

    fn knows(&self, profile: &str) -> bool {
        self.profiles.as_ref().is_none_or(|names| names.contains(profile))
    }

    /// Shows the inventory saved at the last refresh for every part this session has not loaded
    /// yet (a refresh that answered first wins), and keeps it as the look to compare with.
    pub fn show_snapshot(&mut self, snapshot: &Snapshot) {
        let rows: Vec<InventoryRow> = snapshot.rows().into_iter().filter(|r| self.knows(&r.profile)).collect();
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
        }
        if self.baseline.is_none() {
            self.baseline = Some((rows, snapshot.saved_at));
        }
        self.version += 1;
        let unreadable = snapshot.unreadable_rows;
        self.note(Note::ShowingSaved { saved_at: snapshot.saved_at, items: added, unreadable });
    }

    /// The refresh in progress if `job` is it; updates of an older refresh are dropped.
    fn current(&mut self, job: u64) -> Option<&mut Progress> {
        self.refresh.as_mut().filter(|p| p.state.job == job)
    }

    /// Applies one update of a refresh.
    pub fn apply(&mut self, update: Update) {
        match update {
            Update::Started { job } => {
                // The previous refresh (if any) was cancelled; its late updates are dropped. Its
                // failures come back if this one is cancelled too.
                let previous_errors = std::mem::take(&mut self.errors);
                let state = RefreshState { job, ..RefreshState::default() };
                self.refresh = Some(Progress { state, previous_errors, ..Progress::default() });
            }
            Update::Planned { job, parts } => {
                let Some(progress) = self.current(job) else { return };
                progress.state.parts += parts;
            }
            Update::SignedIn { job, .. } => {
                let Some(progress) = self.current(job) else { return };
                progress.state.signed += 1;
            }
            Update::SignInFailed { job, profile, message } => {
                let Some(progress) = self.current(job) else { return };
                progress.state.signed += 1;
                progress.failed_profiles.insert(profile.clone());
                // The profile's one part: its sign-in, answered.
                progress.state.parts += 1;
                progress.state.done += 1;
                self.mark_stale(|key| key.0 == profile, &message);
                self.note(Note::SignInFailed { profile: profile.clone(), message: message.clone() });
                self.errors.push(RefreshError::sign_in(profile, message));
            }
            Update::RowsLoaded { job, part, rows, at } => {
                let known = self.knows(&part.0);
                let Some(progress) = self.current(job) else { return };
                progress.state.done += 1;
                // Rows of a profile deleted or renamed meanwhile are not shown again.
                if !known {
                    return;
                }
                progress.loaded.insert(part.clone());
                self.rows.retain(|r| part_of(r) != part);
                self.stale.remove(&part);
                self.seen.insert(part, at);
                self.rows.extend(rows);
            }
            Update::PartFailed { job, error } => {
                let Some(progress) = self.current(job) else { return };
                progress.state.done += 1;
                let key = (error.profile.clone(), error.region.clone(), error.service);
                progress.failed_parts.insert(key.clone());
                self.mark_stale(|k| *k == key, &error.message);
                self.note(Note::PartFailed(error.clone()));
                self.errors.push(error);
            }
        }
        self.version += 1;
    }

    fn mark_stale(&mut self, matches: impl Fn(&PartKey) -> bool, reason: &str) {
        let keys: HashSet<PartKey> = self.rows.iter().map(part_of).filter(|k| matches(k)).collect();
        for key in keys {
            let seen = self.seen.get(&key).copied();
            self.stale.insert(key, Stale { seen, reason: reason.to_owned() });
        }
    }

    /// The refresh `job` ended: its rows settle. A finished one (not stopped) compares with the
    /// look before, and says whether anything answered and, when reminders are wanted (`remind`),
    /// which is due (with them off nothing counts as shown, so turning them on misses nothing).
    pub fn finish(&mut self, job: u64, done: bool, judge: Judge, remind: bool) -> Option<Finished> {
        if self.refresh.as_ref().is_none_or(|p| p.state.job != job) {
            return None;
        }
        let progress = self.refresh.take().unwrap_or_default();
        self.version += 1;
        if !done {
            if self.errors.is_empty() {
                // Stopped early: the rows still marked stale keep their banner lines.
                self.errors = progress.previous_errors;
            }
            return None;
        }
        self.settle(&progress);
        let now = judge.now;
        let reminder = {
            let previous = self.baseline.as_ref().map(|(rows, at)| (rows.as_slice(), *at));
            let stale = &self.stale;
            let fresh: Vec<&InventoryRow> = self.rows.iter().filter(|r| !stale.contains_key(&part_of(r))).collect();
            if remind { self.reminders.due(&fresh, previous, &self.errors, judge) } else { None }
        };
        if let Some((previous, since)) = self.baseline.take() {
            let answered = |r: &InventoryRow| progress.loaded.contains(&part_of(r));
            let found = changes::compare(&previous, &self.rows, answered, judge.thresholds, Some(since), now);
            // A refresh that finds nothing new keeps the last changes on screen (a periodic refresh
            // must not wipe them before anyone looked); the next changes replace them.
            if !found.is_empty() {
                self.changes = found;
                self.note(Note::Changed { since, changes: self.changes.clone() });
            }
        }
        self.baseline = Some((self.rows.clone(), now));
        if self.errors.is_empty() {
            self.as_of = None;
        }
        Some(Finished { reminder, answered: !progress.loaded.is_empty() })
    }

    /// A finished refresh: parts that answered are fresh, failed ones keep their rows marked
    /// stale, and rows of parts no longer asked for (a deleted profile, an unticked region) go.
    fn settle(&mut self, progress: &Progress) {
        let profiles = self.profiles.clone();
        self.rows.retain(|r| {
            let key = part_of(r);
            let known_profile = profiles.as_ref().is_none_or(|names| names.contains(&r.profile));
            let failed = progress.failed_profiles.contains(&r.profile) || progress.failed_parts.contains(&key);
            known_profile && (progress.loaded.contains(&key) || failed)
        });
        let parts: HashSet<PartKey> = self.rows.iter().map(part_of).collect();
        self.stale.retain(|key, _| parts.contains(key));
        let stale = self.rows.iter().filter(|r| self.stale.contains_key(&part_of(r))).count();
        self.note(Note::Loaded { items: self.rows.len(), failed: self.errors.len(), stale });
    }
}

#[cfg(test)]
#[path = "estate_tests.rs"]
mod tests;
