//! The last known inventory, saved after each refresh so the app shows it at once at the next
//! start (and without network). Rows, failed parts, when, and which parts each profile covered:
//! never a secret, never a link (rows hold neither). Versioned: a file of a newer certdesk, or a
//! damaged one, is set aside with a message, never read wrongly and never a crash.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{InventoryRow, RefreshError};
use crate::cloud::Service;
use crate::store::{Overwrite, RegularFile, Sensitivity, StoreError, write_atomic_unless};

/// The schema this certdesk writes and reads.
pub const SCHEMA: u32 = 1;
/// A saved inventory larger than this is not read (20,000 rows take about 12 MiB).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The file's name in the data folder.
pub const FILE_NAME: &str = "inventory.json";

/// A row with what the table's JSON leaves out but the app needs (details facts, start time).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SavedRow {
    /// The row.
    #[serde(flatten)]
    pub row: InventoryRow,
    /// Certificate facts for the details pane.
    #[serde(default)]
    pub facts: Vec<(String, String)>,
    /// Certificate start.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub not_before: Option<OffsetDateTime>,
    /// PCA's freeze flag.
    #[serde(default)]
    pub frozen: bool,
}

impl SavedRow {
    /// The row with its dates in UTC, or `None` when one has no UTC form (beyond the year 9999).
    fn in_utc(mut self) -> Option<Self> {
        use crate::certs::summary::in_utc;
        self.row.expires_at = self.row.expires_at.map(in_utc).map_or(Some(None), |t| t.map(Some))?;
        self.not_before = self.not_before.map(in_utc).map_or(Some(None), |t| t.map(Some))?;
        Some(self)
    }
}

/// One part a profile's refresh covered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Region, or `global`.
    pub region: String,
    /// Service.
    pub service: Service,
    /// When it last answered (its rows are from then); `None`: at `saved_at`.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub seen_at: Option<OffsetDateTime>,
}

/// The saved inventory.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snapshot {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    /// When the refresh it holds ended.
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    /// The rows.
    #[serde(default)]
    pub rows: Vec<SavedRow>,
    /// Saved rows that could not be read (left out, the rest shown).
    #[serde(skip)]
    pub unreadable_rows: usize,
    /// The parts that failed.
    #[serde(default)]
    pub errors: Vec<RefreshError>,
    /// Per profile, the parts its rows and failures came from.
    #[serde(default)]
    pub scope: BTreeMap<String, Vec<Part>>,
}

/// Why a saved inventory was not read. The file was moved aside (where the message says).
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON of this schema (truncated, edited, another program's).
    #[error(
        "The saved inventory was damaged ({reason}); it was moved to {aside} and the next refresh saves a new one."
    )]
    Damaged {
        /// What is wrong.
        reason: String,
        /// Where it went.
        aside: PathBuf,
    },
    /// Written by a newer certdesk.
    #[error(
        "The saved inventory was written by a newer certdesk (schema {found}, this one reads {SCHEMA}); it was \
         moved to {aside} and the next refresh saves a new one."
    )]
    Newer {
        /// Its schema.
        found: u32,
        /// Where it went.
        aside: PathBuf,
    },
    /// It could not be read or moved at all.
    #[error("The saved inventory {path} could not be read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl Snapshot {
    /// A snapshot of rows and failures now.
    pub fn new(rows: &[InventoryRow], errors: &[RefreshError], saved_at: OffsetDateTime) -> Self {
        let mut scope: BTreeMap<String, Vec<Part>> = BTreeMap::new();
        let parts = rows
            .iter()
            .map(|r| (&r.profile, &r.region, r.service))
            .chain(errors.iter().filter(|e| e.region != "all").map(|e| (&e.profile, &e.region, e.service)));
        for (profile, region, service) in parts {
            let list = scope.entry(profile.clone()).or_default();
            if !list.iter().any(|p| p.region == *region && p.service == service) {
                list.push(Part { region: region.clone(), service, seen_at: None });
            }
        }
        let rows = rows
            .iter()
            .map(|r| SavedRow { row: r.clone(), facts: r.facts.clone(), not_before: r.not_before, frozen: r.frozen })
            .collect();
        Self { schema: SCHEMA, saved_at, rows, unreadable_rows: 0, errors: errors.to_vec(), scope }
    }

    /// Records when each part last answered (a part that failed in the refresh saved keeps the
    /// time of its last answer, so a later start does not call its rows newer than they are).
    #[must_use]
    pub fn with_seen(mut self, seen: impl Fn(&str, &str, Service) -> Option<OffsetDateTime>) -> Self {
        for (profile, parts) in &mut self.scope {
            for part in parts {
                part.seen_at = seen(profile, &part.region, part.service);
            }
        }
        self
    }

    /// When a part last answered: its own time, else the save's.
    pub fn seen_at(&self, profile: &str, region: &str, service: Service) -> OffsetDateTime {
        self.scope
            .get(profile)
            .and_then(|parts| parts.iter().find(|p| p.region == region && p.service == service))
            .and_then(|p| p.seen_at)
            .unwrap_or(self.saved_at)
    }

    /// The snapshot with its own times in UTC, or `None` when one has no UTC form.
    fn in_utc(mut self) -> Option<Self> {
        use crate::certs::summary::in_utc;
        self.saved_at = in_utc(self.saved_at)?;
        for part in self.scope.values_mut().flatten() {
            part.seen_at = part.seen_at.map(in_utc).map_or(Some(None), |t| t.map(Some))?;
        }
        Some(self)
    }

    /// The rows with every fact saved (their days left and state are judged when shown).
    pub fn rows(&self) -> Vec<InventoryRow> {
        self.rows
            .iter()
            .map(|saved| {
                let mut row = saved.row.clone();
                row.facts.clone_from(&saved.facts);
                row.not_before = saved.not_before;
                row.frozen = saved.frozen;
                row
            })
            .collect()
    }
}

/// Where the saved inventory lives: `CERTDESK_DATA_DIR`; else beside the profiles when
/// `CERTDESK_CONFIG_DIR` moves them (a portable or test set-up keeps everything in one place);
/// else the platform data folder.
pub fn default_path() -> Option<PathBuf> {
    for var in ["CERTDESK_DATA_DIR", "CERTDESK_CONFIG_DIR"] {
        if let Some(dir) = std::env::var_os(var).filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(dir).join(FILE_NAME));
        }
    }
    directories::ProjectDirs::from("io.github", "certdesk", "certdesk").map(|d| d.data_dir().join(FILE_NAME))
}

/// Saves it atomically (0600: account names and ids are nobody else's business), creating the folder.
pub fn save(path: &Path, snapshot: &Snapshot) -> Result<(), StoreError> {
    save_unless(path, snapshot, &|| false)
}

/// [`save`], unless `stopped` says so before the file is put in place (the one saved before stays).
pub fn save_unless(path: &Path, snapshot: &Snapshot, stopped: &dyn Fn() -> bool) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
    }
    // Serialising plain data into memory cannot fail; an empty file would only be set aside later.
    let bytes = serde_json::to_vec(snapshot).unwrap_or_default();
    write_atomic_unless(path, &bytes, Sensitivity::Secret, Overwrite::Replace, stopped)
}

/// Just the schema, read before the rest (a newer file may not parse as this schema at all).
#[derive(Deserialize)]
struct Version {
    schema: u32,
}

/// The file as read: each row kept as its own text, read into a row one at a time (no tree of
/// the whole file), so one row an editor or a disk damaged costs that row only.
#[derive(Deserialize)]
struct Stored<'a> {
    schema: u32,
    #[serde(with = "time::serde::rfc3339")]
    saved_at: OffsetDateTime,
    #[serde(default, borrow)]
    rows: Vec<&'a serde_json::value::RawValue>,
    #[serde(default)]
    errors: Vec<RefreshError>,
    #[serde(default)]
    scope: BTreeMap<String, Vec<Part>>,
}

/// Reads it: `Ok(None)` when there is none yet. A damaged, oversized or newer file, or anything
/// but a regular file, is moved aside (beside it, with the reason and time in its name) and reported.
pub fn load(path: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    let io = |source| SnapshotError::Io { path: path.to_owned(), source };
    let (why, reason) = match crate::store::read_regular(path, MAX_BYTES).map_err(io)? {
        RegularFile::Missing => return Ok(None),
        RegularFile::Bytes(bytes) => return parsed(path, &bytes),
        RegularFile::NotAFile => ("not-a-file", "it is not a regular file".to_owned()),
        RegularFile::TooLarge(size) => ("too-large", format!("{size} bytes, more than {MAX_BYTES}")),
    };
    let aside = set_aside(path, why).map_err(io)?;
    Err(SnapshotError::Damaged { reason, aside })
}

/// The bytes read, or the file set aside with the reason.
fn parsed(path: &Path, bytes: &[u8]) -> Result<Option<Snapshot>, SnapshotError> {
    let io = |source| SnapshotError::Io { path: path.to_owned(), source };
    match parse(bytes) {
        Ok(snapshot) => Ok(Some(snapshot)),
        Err(Unreadable::Newer(found)) => {
            let aside = set_aside(path, &format!("schema-{found}")).map_err(io)?;
            Err(SnapshotError::Newer { found, aside })
        }
        Err(Unreadable::Damaged(reason)) => {
            let aside = set_aside(path, "damaged").map_err(io)?;
            Err(SnapshotError::Damaged { reason, aside })
        }
    }
}

/// Why the bytes of a saved inventory do not read as one.
#[derive(Debug)]
pub enum Unreadable {
    /// Not JSON of this schema.
    Damaged(String),
    /// Written by a newer certdesk, of this schema.
    Newer(u32),
}

/// Reads a saved inventory from its bytes: the schema first, then each row on its own (a row
/// that does not read costs that row only), all times in UTC.
pub fn parse(bytes: &[u8]) -> Result<Snapshot, Unreadable> {
    let found = serde_json::from_slice::<Version>(bytes).map_err(|e| Unreadable::Damaged(e.to_string()))?.schema;
    if found > SCHEMA {
        return Err(Unreadable::Newer(found));
    }
    let stored = serde_json::from_slice::<Stored<'_>>(bytes).map_err(|e| Unreadable::Damaged(e.to_string()))?;
    let mut snapshot = Snapshot {
        schema: stored.schema,
        saved_at: stored.saved_at,
        rows: Vec::with_capacity(stored.rows.len()),
        unreadable_rows: 0,
        errors: stored.errors,
        scope: stored.scope,
    };
    for raw in stored.rows {
        match serde_json::from_str::<SavedRow>(raw.get()).ok().and_then(SavedRow::in_utc) {
            Some(row) => snapshot.rows.push(row),
            None => snapshot.unreadable_rows += 1,
        }
    }
    snapshot.in_utc().ok_or_else(|| Unreadable::Damaged("a time of the file lies beyond the year 9999".into()))
}

/// Copies set aside that are kept beside the file; older ones go as a new one is made.
const KEEP_SET_ASIDE: usize = 5;

/// Removes all but the newest [`KEEP_SET_ASIDE`] copies set aside (by when they were set aside).
fn prune_set_aside(path: &Path, name: &str) {
    let Some(Ok(entries)) = path.parent().map(std::fs::read_dir) else { return };
    let prefix = format!("{name}.");
    let mut copies: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter_map(|e| Some((e.path().symlink_metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    copies.sort();
    let excess = copies.len().saturating_sub(KEEP_SET_ASIDE);
    for (_, old) in copies.into_iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}

/// Sets the saved inventory aside after the app ended with a panic while it was in use
/// (`Ok(None)`: there was none), so the next start does not handle it again.
pub fn set_aside_after_crash(path: &Path) -> std::io::Result<Option<PathBuf>> {
    match path.symlink_metadata() {
        Ok(_) => set_aside(path, "crashed").map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Renames the file to `inventory.json.<why>-<unix time>` beside it (never over another file).
fn set_aside(path: &Path, why: &str) -> std::io::Result<PathBuf> {
    let stamp = OffsetDateTime::now_utc().unix_timestamp();
    let name = path.file_name().map_or_else(|| FILE_NAME.into(), |n| n.to_string_lossy().into_owned());
    for n in 0..100 {
        let suffix = if n == 0 { String::new() } else { format!("-{n}") };
        let aside = path.with_file_name(format!("{name}.{why}-{stamp}{suffix}"));
        if aside.symlink_metadata().is_err() {
            std::fs::rename(path, &aside)?;
            prune_set_aside(path, &name);
            return Ok(aside);
        }
    }
    Err(std::io::Error::new(std::io::ErrorKind::AlreadyExists, "too many set-aside copies beside it"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn damaged_and_newer_files_are_set_aside_with_a_message_and_a_good_one_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        assert!(load(&path).unwrap().is_none());
        std::fs::write(&path, b"{\"schema\": 1, \"saved_at\": \"2026-").unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, SnapshotError::Damaged { .. }), "{err}");
        assert!(!path.exists() && err.to_string().contains("moved to"), "{err}");
        std::fs::write(&path, br#"{"schema": 7, "anything": []}"#).unwrap();
        let err = load(&path).unwrap_err();
        assert!(matches!(err, SnapshotError::Newer { found: 7, .. }), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2, "both copies kept beside it");

        std::fs::write(
            &path,
            br#"{"schema": 1, "saved_at": "2026-11-30T06:00:00Z", "rows": [{"service": "dcs", "expires_at": "not-a-date"}]}"#,
        )
        .unwrap();
        let kept = load(&path).unwrap().unwrap();
        assert_eq!((kept.rows.len(), kept.unreadable_rows), (0, 1), "one bad row costs that row only");
        // A time whose UTC form is past the year 9999: the row is unreadable, never a panic later.
        std::fs::write(
            &path,
            br#"{"schema": 1, "saved_at": "2026-11-30T06:00:00Z", "rows": [{"service": "dcs", "profile": "p",
                "region": "eu-de", "name": "n", "id": "i", "engine": "", "engine_version": "", "status": "",
                "ssl": "on", "expires_at": "9999-12-31T23:00:00-02:00", "days_left": 1, "validity": null,
                "validated": null, "endpoint": "", "note": ""}]}"#,
        )
        .unwrap();
        let edge = load(&path).unwrap().unwrap();
        assert_eq!((edge.rows.len(), edge.unreadable_rows), (0, 1));
        std::fs::write(&path, br#"{"schema": 1, "saved_at": "9999-12-31T23:00:00-02:00", "rows": []}"#).unwrap();
        assert!(matches!(load(&path), Err(SnapshotError::Damaged { .. })));

        let now = OffsetDateTime::now_utc();
        let snapshot = Snapshot::new(&[], &[], now);
        save(&path, &snapshot).unwrap();
        let back = load(&path).unwrap().unwrap();
        assert_eq!((back.schema, back.saved_at, back.rows.len()), (SCHEMA, snapshot.saved_at, 0));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn links_fifos_devices_and_huge_files_are_set_aside_unread_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let refused = |path: &Path, words: &str| {
            let started = std::time::Instant::now();
            let err = load(path).unwrap_err();
            assert!(matches!(err, SnapshotError::Damaged { .. }) && err.to_string().contains(words), "{err}");
            assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
            assert!(path.symlink_metadata().is_err(), "moved aside");
        };
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        refused(&path, "not a regular file");
        assert!(std::fs::metadata("/dev/zero").is_ok(), "the link moved aside, not its target");
        let fifo = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path and a mode; mkfifo reads nothing else.
        #[allow(unsafe_code)]
        let made = unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) };
        assert_eq!(made, 0);
        refused(&path, "not a regular file");
        // 250 MiB (sparse: no disk used) is refused by its size before anything is read.
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(250 * 1024 * 1024).unwrap();
        drop(file);
        refused(&path, "more than");
        std::fs::create_dir(&path).unwrap();
        refused(&path, "not a regular file");
    }

    #[test]
    fn only_the_newest_copies_set_aside_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for i in 0..(KEEP_SET_ASIDE + 3) {
            std::fs::write(&path, format!("{{\"broken\": {i}")).unwrap();
            assert!(matches!(load(&path), Err(SnapshotError::Damaged { .. })));
        }
        std::fs::write(dir.path().join("profiles.json"), "{}").unwrap();
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        let copies = names.iter().filter(|n| n.starts_with("inventory.json.")).count();
        assert_eq!(copies, KEEP_SET_ASIDE, "{names:?}");
        assert!(names.contains(&"profiles.json".to_owned()), "nothing else is touched");
    }
}
