//! Profiles whose credentials the cloud refused, kept in the data folder beside the saved
//! inventory, for the app and the CLI alike: nothing signs in with them again by itself (a
//! refresh, a restart, a `certdesk check` run by cron) until the user tests or changes the profile.
//! Under an account lockout policy every failed attempt counts toward locking the IAM user or key.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};

use super::{Overwrite, RegularFile, Sensitivity, read_regular, write_atomic};

/// The file's name in the data folder.
pub const FILE_NAME: &str = "paused-profiles.json";

/// Where the CLI and the app keep it: beside the saved inventory.
pub fn default_path() -> Option<PathBuf> {
    crate::inventory::snapshot::default_path().map(|p| p.with_file_name(FILE_NAME))
}

/// The paused profiles and what the cloud said (a missing or unreadable file pauses nothing).
pub fn load(path: &Path) -> HashMap<String, String> {
    match read_regular(path, 1024 * 1024) {
        Ok(RegularFile::Bytes(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
        _ => HashMap::new(),
    }
}

/// Writes them (0600, atomically); a failure only means one more attempt later.
pub fn save<S: BuildHasher>(path: &Path, paused: &HashMap<String, String, S>) {
    let bytes = serde_json::to_vec(paused).unwrap_or_default();
    let written =
        path.parent().map_or(Ok(()), std::fs::create_dir_all).map_err(|e| e.to_string()).and_then(|()| {
            write_atomic(path, &bytes, Sensitivity::Secret, Overwrite::Replace).map_err(|e| e.to_string())
        });
    if let Err(e) = written {
        tracing::warn!("the paused profiles could not be kept: {e}");
    }
}

/// Pauses a profile in the file at `path`.
pub fn pause(path: &Path, name: &str, why: &str) {
    let mut paused = load(path);
    paused.insert(name.to_owned(), why.to_owned());
    save(path, &paused);
}

/// Lifts a profile's pause in the file at `path` (nothing happens when it had none).
pub fn lift(path: &Path, name: &str) {
    let mut paused = load(path);
    if paused.remove(name).is_some() {
        save(path, &paused);
    }
}

/// The sentence for a paused profile, with what the cloud said.
pub fn words(why: &str) -> String {
    format!(
        "sign-in paused: the cloud refused these credentials ({why}). Nothing is sent for this profile until you test or edit it."
    )
}
