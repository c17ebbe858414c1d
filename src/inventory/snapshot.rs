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
use crate::store::{Overwrite, Sensitivity, StoreError, write_atomic};

/// The schema this certdesk writes and reads.
pub const SCHEMA: u32 = 1;
/// A saved inventory larger than this is not read (20,000 rows take about 12 MiB).
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;
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

/// One part a profile's refresh covered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    /// Region, or `global`.
    pub region: String,
    /// Service.
    pub service: Service,
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
    pub rows: Vec<SavedRow>,
    /// The parts that failed.
    pub errors: Vec<RefreshError>,
    /// Per profile, the parts its rows and failures came from.
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
            let part = Part { region: region.clone(), service };
            if !list.contains(&part) {
                list.push(part);
            }
        }
        let rows = rows
            .iter()
            .map(|r| SavedRow { row: r.clone(), facts: r.facts.clone(), not_before: r.not_before, frozen: r.frozen })
            .collect();
        Self { schema: SCHEMA, saved_at, rows, errors: errors.to_vec(), scope }
    }

    /// The rows, with days left and state as of `now` (they were saved earlier).
    pub fn rows_at(&self, now: OffsetDateTime, warn_days: i64) -> Vec<InventoryRow> {
        self.rows
            .iter()
            .map(|saved| {
                let mut row = saved.row.clone();
                row.facts.clone_from(&saved.facts);
                row.not_before = saved.not_before;
                row.frozen = saved.frozen;
                row.reclassify_at(now, warn_days);
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
        if let Some(dir) = std::env::var_os(var) {
            return Some(PathBuf::from(dir).join(FILE_NAME));
        }
    }
    directories::ProjectDirs::from("io.github", "certdesk", "certdesk").map(|d| d.data_dir().join(FILE_NAME))
}

/// Saves it atomically (0600: account names and ids are nobody else's business), creating the folder.
pub fn save(path: &Path, snapshot: &Snapshot) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
    }
    // Serialising plain data into memory cannot fail; an empty file would only be set aside later.
    let bytes = serde_json::to_vec(snapshot).unwrap_or_default();
    write_atomic(path, &bytes, Sensitivity::Secret, Overwrite::Replace)
}

/// Just the schema, read before the rest (a newer file may not parse as this schema at all).
#[derive(Deserialize)]
struct Version {
    schema: u32,
}

/// Reads it: `Ok(None)` when there is none yet. A damaged, oversized or newer file is moved aside
/// (beside it, with the reason and time in its name) and reported.
pub fn load(path: &Path) -> Result<Option<Snapshot>, SnapshotError> {
    let io = |source| SnapshotError::Io { path: path.to_owned(), source };
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if size > MAX_BYTES {
        let aside = set_aside(path, "too-large").map_err(io)?;
        return Err(SnapshotError::Damaged { reason: format!("{size} bytes, more than {MAX_BYTES}"), aside });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let found = match serde_json::from_slice::<Version>(&bytes) {
        Ok(v) => v.schema,
        Err(e) => {
            let aside = set_aside(path, "damaged").map_err(io)?;
            return Err(SnapshotError::Damaged { reason: e.to_string(), aside });
        }
    };
    if found > SCHEMA {
        let aside = set_aside(path, &format!("schema-{found}")).map_err(io)?;
        return Err(SnapshotError::Newer { found, aside });
    }
    match serde_json::from_slice::<Snapshot>(&bytes) {
        Ok(snapshot) => Ok(Some(snapshot)),
        Err(e) => {
            let aside = set_aside(path, "damaged").map_err(io)?;
            Err(SnapshotError::Damaged { reason: e.to_string(), aside })
        }
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
}
