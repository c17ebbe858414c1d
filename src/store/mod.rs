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

/// Removes temp files left by a crash in `dir`; returns how many were removed.
pub fn sweep_temp_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}
