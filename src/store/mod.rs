//! Safe saving: every file is written to a temp file in the target folder, synced, and renamed
//! into place, so a crash leaves either nothing or the complete old file. Secrets are 0600 from
//! the moment the temp file exists. An existing file is replaced only when the caller says so.

pub mod profiles;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix of temp files, so strays from a crash can be found and swept.
pub const TEMP_PREFIX: &str = ".certdesk-tmp-";

/// Whether a file holds a secret (private key, PKCS#12, keystore password).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sensitivity {
    /// Certificates and other public material (0644 on Unix).
    Public,
    /// Private keys and keystores (0600 on Unix, from creation).
    Secret,
}

/// What to do when the target exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with [`StoreError::Exists`].
    Never,
    /// Replace it atomically (the user confirmed).
    Replace,
}

/// Why a file was not saved. Nothing was written when one of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The target exists and overwriting was not confirmed.
    #[error("{0} already exists; choose another name or confirm replacing it.")]
    Exists(PathBuf),
    /// The folder is missing.
    #[error("The folder {0} does not exist.")]
    NoFolder(PathBuf),
    /// An I/O failure.
    #[error("Could not save {path}: {source}")]
    Io {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The user stopped the job before the file was put in place.
    #[error("Stopped before {0} was written; nothing was saved.")]
    Cancelled(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_owned(), source }
}

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    sensitivity: Sensitivity,
    overwrite: Overwrite,
) -> Result<(), StoreError> {
    write_atomic_unless(path, bytes, sensitivity, overwrite, &|| false)
}

/// Writes `bytes` to `path` atomically unless `stopped` says so before the file is put in place:
/// then the temp file goes and nothing appears (a save the user cancelled leaves no file).
pub fn write_atomic_unless(
    path: &Path,
    bytes: &[u8],
    sensitivity: Sensitivity,
    overwrite: Overwrite,
    stopped: &dyn Fn() -> bool,
) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => return Err(StoreError::NoFolder(path.to_owned())),
    };
    if !dir.is_dir() {
        return Err(StoreError::NoFolder(dir.to_owned()));
    }
    if overwrite == Overwrite::Never && path.symlink_metadata().is_ok() {
        return Err(StoreError::Exists(path.to_owned()));
    }
    let (temp_path, mut file) = create_temp(dir, sensitivity).map_err(io(path))?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        if stopped() {
            return Err(std::io::Error::from(std::io::ErrorKind::Interrupted));
        }
        match overwrite {
            // A hard link fails if the target appeared meanwhile: no clobbering, no race.
            Overwrite::Never => match fs::hard_link(&temp_path, path) {
                Ok(()) => fs::remove_file(&temp_path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
                // File systems without hard links: the check above has to do.
                Err(_) => fs::rename(&temp_path, path),
            },
            Overwrite::Replace => fs::rename(&temp_path, path),
        }
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp_path);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(StoreError::Exists(path.to_owned()));
        }
        if e.kind() == std::io::ErrorKind::Interrupted && stopped() {
            return Err(StoreError::Cancelled(path.to_owned()));
        }
        return Err(StoreError::Io { path: path.to_owned(), source: e });
    }
    sync_dir(dir);
    Ok(())
}

fn create_temp(dir: &Path, sensitivity: Sensitivity) -> std::io::Result<(PathBuf, File)> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(match sensitivity {
            Sensitivity::Secret => 0o600,
            Sensitivity::Public => 0o644,
        });
    }
    #[cfg(not(unix))]
    let _ = sensitivity;
    let pid = std::process::id();
    for n in 0u32..1000 {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let candidate = dir.join(format!("{TEMP_PREFIX}{pid}-{nanos:x}-{n}"));
        match options.open(&candidate) {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temp file name"))
}

/// Makes the rename durable (a no-op where folders cannot be opened).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Temp files younger than this are someone's save in progress, unless their writer is gone.
const STRAY_AGE: std::time::Duration = std::time::Duration::from_hours(1);

/// Removes temp files left by a crash in `dir`: those whose writing process is gone, or older
/// than an hour. Another save still writing into the folder (this process's or another's) keeps
/// its temp file. Returns how many were removed.
pub fn sweep_temp_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(TEMP_PREFIX) else { return false };
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STRAY_AGE);
            let writer_gone = rest.split('-').next().and_then(|pid| pid.parse::<u32>().ok()).is_some_and(process_gone);
            old || writer_gone
        })
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

/// Whether no process with this id runs (known only where `/proc` tells; elsewhere age decides).
fn process_gone(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// Writes several files into a folder as one: all of them or, on any failure, none, with an
/// existing set left as it was. New contents go to temp files first; only when every one is
/// written are they moved into place (the old ones kept aside until the last is in).
pub fn write_set(
    dir: &Path,
    files: &[(&str, &[u8], Sensitivity)],
    overwrite: Overwrite,
) -> Result<Vec<PathBuf>, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::NoFolder(dir.to_owned()));
    }
    let targets: Vec<PathBuf> = files.iter().map(|(name, ..)| dir.join(name)).collect();
    if overwrite == Overwrite::Never
        && let Some(existing) = targets.iter().find(|t| t.symlink_metadata().is_ok())
    {
        return Err(StoreError::Exists(existing.clone()));
    }
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |paths: &[PathBuf]| {
        for p in paths {
            let _ = fs::remove_file(p);
        }
    };
    for ((_, bytes, sensitivity), target) in files.iter().zip(&targets) {
        let written = create_temp(dir, *sensitivity).and_then(|(temp, mut file)| {
            temps.push(temp);
            file.write_all(bytes)?;
            file.sync_all()
        });
        if let Err(source) = written {
            cleanup(&temps);
            return Err(StoreError::Io { path: target.clone(), source });
        }
    }
    // Old files step aside (renamed to temp names), the new ones move in; on a failure every
    // step taken is undone in reverse.
    let mut moved: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let undo = |moved: &[(PathBuf, Option<PathBuf>)]| {
        for (target, aside) in moved.iter().rev() {
            match aside {
                Some(old) => {
                    let _ = fs::rename(old, target);
                }
                None => {
                    let _ = fs::remove_file(target);
                }
            }
        }
    };
    for (temp, target) in temps.iter().zip(&targets) {
        let before = moved.len();
        let step = (|| {
            let aside = if target.symlink_metadata().is_ok() {
                if overwrite == Overwrite::Never {
                    return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
                }
                let (aside, file) = create_temp(dir, Sensitivity::Secret)?;
                drop(file);
                if let Err(e) = fs::rename(target, &aside) {
                    let _ = fs::remove_file(&aside);
                    return Err(e);
                }
                Some(aside)
            } else {
                None
            };
            // Recorded before the move, so an undo puts the old file back even if the move fails.
            moved.push((target.clone(), aside));
            match overwrite {
                Overwrite::Never => fs::hard_link(temp, target),
                Overwrite::Replace => fs::rename(temp, target),
            }
        })();
        if let Err(source) = step {
            // This file's own step: its old file comes back (no new one arrived).
            if moved.len() > before
                && let Some((target, Some(old))) = moved.pop()
            {
                let _ = fs::rename(old, &target);
            }
            undo(&moved);
            cleanup(&temps);
            if source.kind() == std::io::ErrorKind::AlreadyExists {
                return Err(StoreError::Exists(target.clone()));
            }
            return Err(StoreError::Io { path: target.clone(), source });
        }
    }
    cleanup(&temps);
    for (_, aside) in &moved {
        if let Some(old) = aside {
            let _ = fs::remove_file(old);
        }
    }
    sync_dir(dir);
    Ok(targets)
}
