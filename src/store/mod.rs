//! Safe saving: every file is written to a temp file in the target folder, synced, and renamed
//! into place, so a crash leaves either nothing or the complete old file. Secrets are 0600 from
//! the moment the temp file exists. An existing file is replaced only when the caller says so.

pub mod paused;
pub mod profiles;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prefix of temp files, so strays from a crash can be found and swept.
pub const TEMP_PREFIX: &str = ".certdesk-tmp-";
/// Prefix of old files a replacement set aside until it is complete: never swept (after a crash
/// they are the user's previous files).
pub const ASIDE_PREFIX: &str = ".certdesk-old-";

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
    /// The folder's file system can neither rename without replacing nor link (some network
    /// shares): certdesk cannot be sure an existing file is not replaced, so it saves nothing.
    #[error(
        "{0}: this folder's file system cannot put a file in place without possibly replacing another, so nothing \
         was saved. Save into a folder on this computer's disk, then move the file."
    )]
    NoSafePlace(PathBuf),
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
    // Stopped already (during the folder's sweep): no temp file to write, sync and remove.
    if stopped() {
        return Err(StoreError::Cancelled(path.to_owned()));
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
            Overwrite::Never => place_new(&temp_path, path, &SystemPlacing),
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
        if e.kind() == std::io::ErrorKind::Unsupported {
            return Err(StoreError::NoSafePlace(path.to_owned()));
        }
        return Err(StoreError::Io { path: path.to_owned(), source: e });
    }
    sync_dir(dir);
    Ok(())
}

/// The two ways to put a file in place without replacing one; behind a trait so the refusal on
/// a file system that has neither can be tested on one that has both.
trait Placing {
    /// Renames unless `to` exists (`Ok(false)`: the file system cannot do it).
    fn rename_no_replace(&self, from: &Path, to: &Path) -> std::io::Result<bool>;
    /// Links `to` to `from`'s file, failing if `to` exists.
    fn hard_link(&self, from: &Path, to: &Path) -> std::io::Result<()>;
}

struct SystemPlacing;

impl Placing for SystemPlacing {
    #[cfg(target_os = "linux")]
    #[expect(unsafe_code, reason = "renameat2 has no wrapper in std; the call reads two C strings only")]
    fn rename_no_replace(&self, from: &Path, to: &Path) -> std::io::Result<bool> {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
        let (from, to) = (c(from)?, c(to)?);
        // SAFETY: two valid NUL-terminated paths, relative to the working directory.
        let rc = unsafe {
            libc::renameat2(libc::AT_FDCWD, from.as_ptr(), libc::AT_FDCWD, to.as_ptr(), libc::RENAME_NOREPLACE)
        };
        if rc == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP) => Ok(false),
            _ => Err(e),
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn rename_no_replace(&self, _from: &Path, _to: &Path) -> std::io::Result<bool> {
        Ok(false)
    }

    fn hard_link(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        fs::hard_link(from, to)
    }
}

/// Puts `temp` in place at `target` only if no file is there: an atomic rename that refuses to
/// replace, else a hard link (then the temp goes); where neither works (some network shares),
/// a refusal, never a rename that could replace a file that appeared meanwhile.
fn place_new(temp: &Path, target: &Path, placing: &dyn Placing) -> std::io::Result<()> {
    if placing.rename_no_replace(temp, target)? {
        return Ok(());
    }
    match placing.hard_link(temp, target) {
        Ok(()) => fs::remove_file(temp),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(e) => Err(std::io::Error::new(std::io::ErrorKind::Unsupported, e)),
    }
}

fn create_temp(dir: &Path, sensitivity: Sensitivity) -> std::io::Result<(PathBuf, File)> {
    create_named(dir, TEMP_PREFIX, sensitivity)
}

fn create_named(dir: &Path, prefix: &str, sensitivity: Sensitivity) -> std::io::Result<(PathBuf, File)> {
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
        let candidate = dir.join(format!("{prefix}{pid}-{nanos:x}-{n}"));
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

/// Temp files younger than this are someone's save in progress, where the writer's process cannot
/// be checked; where it can, only a day (a reused process id) makes a temp file a stray.
const STRAY_AGE: std::time::Duration = std::time::Duration::from_hours(1);
const STRAY_AGE_CHECKED: std::time::Duration = std::time::Duration::from_hours(24);

fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = fs::remove_file(p);
    }
}

/// Undoes the moves of a set, last first: old files back in place, new ones removed.
fn undo_moves(moved: &[(PathBuf, Option<PathBuf>)]) {
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
}

/// Removes temp files left by a crash in `dir`: those whose writing process is gone (where that
/// can be known), else those older than an hour. Another save still writing into the folder (this
/// process's or another's) keeps its temp file. Returns how many were removed.
pub fn sweep_temp_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(TEMP_PREFIX) else { return false };
            let age = e.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            let pid = rest.split('-').next().and_then(|pid| pid.parse::<u32>().ok());
            match pid.and_then(process_gone) {
                Some(gone) => gone || age.is_some_and(|a| a > STRAY_AGE_CHECKED),
                None => age.is_some_and(|a| a > STRAY_AGE),
            }
        })
        .filter(|e| fs::remove_file(e.path()).is_ok())
        .count()
}

/// Whether no process with this id runs; `None` where that cannot be known (no `/proc`).
fn process_gone(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(false);
    }
    let proc = Path::new("/proc");
    proc.join("self").exists().then(|| !proc.join(pid.to_string()).exists())
}

/// Writes several files into a folder as one: all of them or, on any failure, none, with an
/// existing set left as it was. New contents go to temp files first; only when every one is
/// written are they moved into place (the old ones kept aside until the last is in). `absent`
/// names files of the same set this one does not have (a key PCA does not hold): an old one goes
/// with the rest of the old set, so no old key stays beside a new certificate.
pub fn write_set(
    dir: &Path,
    files: &[(&str, &[u8], Sensitivity)],
    absent: &[&str],
    overwrite: Overwrite,
) -> Result<Vec<PathBuf>, StoreError> {
    if !dir.is_dir() {
        return Err(StoreError::NoFolder(dir.to_owned()));
    }
    let targets: Vec<PathBuf> = files.iter().map(|(name, ..)| dir.join(name)).collect();
    let leftovers: Vec<PathBuf> =
        absent.iter().map(|name| dir.join(name)).filter(|p| p.symlink_metadata().is_ok()).collect();
    if overwrite == Overwrite::Never
        && let Some(existing) = targets.iter().chain(&leftovers).find(|t| t.symlink_metadata().is_ok())
    {
        return Err(StoreError::Exists(existing.clone()));
    }
    let mut temps: Vec<PathBuf> = Vec::new();
    let cleanup = |paths: &[PathBuf]| remove_all(paths);
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
    let undo = undo_moves;
    for (temp, target) in temps.iter().zip(&targets) {
        let before = moved.len();
        let step = (|| {
            let aside = if target.symlink_metadata().is_ok() {
                if overwrite == Overwrite::Never {
                    return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
                }
                let (aside, file) = create_named(dir, ASIDE_PREFIX, Sensitivity::Secret)?;
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
                Overwrite::Never => place_new(temp, target, &SystemPlacing),
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
            return Err(match source.kind() {
                std::io::ErrorKind::AlreadyExists => StoreError::Exists(target.clone()),
                std::io::ErrorKind::Unsupported => StoreError::NoSafePlace(target.clone()),
                _ => StoreError::Io { path: target.clone(), source },
            });
        }
    }
    // Old files the new set has no counterpart for step aside too, and go with the others.
    for leftover in &leftovers {
        let step = create_named(dir, ASIDE_PREFIX, Sensitivity::Secret).and_then(|(aside, file)| {
            drop(file);
            fs::rename(leftover, &aside).map(|()| aside.clone()).inspect_err(|_| {
                let _ = fs::remove_file(&aside);
            })
        });
        match step {
            Ok(aside) => moved.push((leftover.clone(), Some(aside))),
            Err(source) => {
                undo(&moved);
                cleanup(&temps);
                return Err(StoreError::Io { path: leftover.clone(), source });
            }
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

/// What reading a file that must be a regular one found.
#[derive(Debug)]
pub enum RegularFile {
    /// There is none.
    Missing,
    /// Its bytes.
    Bytes(Vec<u8>),
    /// A link, a FIFO, a device or a folder is in its place.
    NotAFile,
    /// Larger than allowed (its size, or more than the limit when it grew while read).
    TooLarge(u64),
}

/// Reads a file certdesk keeps for itself without following a link and without blocking on a
/// FIFO or a device: only a regular file of at most `max` bytes is read, through a limit (a file
/// that grows while it is read cannot take more).
pub fn read_regular(path: &Path, max: u64) -> std::io::Result<RegularFile> {
    use std::io::Read as _;
    match path.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(RegularFile::Missing),
        Err(e) => return Err(e),
        Ok(m) if !m.file_type().is_file() => return Ok(RegularFile::NotAFile),
        Ok(_) => {}
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Swapped for a link or a FIFO since the look above: refused, or opened without waiting.
        options.custom_flags(nofollow_nonblock());
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) if is_link_refusal(&e) => return Ok(RegularFile::NotAFile),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(RegularFile::NotAFile);
    }
    if meta.len() > max {
        return Ok(RegularFile::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Ok(RegularFile::TooLarge(bytes.len() as u64));
    }
    Ok(RegularFile::Bytes(bytes))
}

#[cfg(target_os = "linux")]
fn nofollow_nonblock() -> i32 {
    libc::O_NOFOLLOW | libc::O_NONBLOCK
}

/// The same flags elsewhere on Unix (macOS and the BSDs share these values).
#[cfg(all(unix, not(target_os = "linux")))]
fn nofollow_nonblock() -> i32 {
    0x0100 | 0x0004
}

/// Whether opening failed because the name is a link (`O_NOFOLLOW`'s ELOOP).
fn is_link_refusal(e: &std::io::Error) -> bool {
    #[cfg(target_os = "linux")]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(all(unix, not(target_os = "linux")))]
    return e.raw_os_error() == Some(62);
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file system with neither a no-replace rename nor hard links (some SMB shares).
    struct NeitherPlacing;

    impl Placing for NeitherPlacing {
        fn rename_no_replace(&self, _: &Path, _: &Path) -> std::io::Result<bool> {
            Ok(false)
        }
        fn hard_link(&self, _: &Path, _: &Path) -> std::io::Result<()> {
            Err(std::io::Error::from_raw_os_error(1))
        }
    }

    #[test]
    fn without_a_safe_way_to_place_a_file_nothing_is_replaced() {
        let dir = std::env::temp_dir().join(format!("certdesk-place-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let (temp, target) = (dir.join("temp"), dir.join("target"));
        fs::write(&temp, b"new").unwrap();
        let error = place_new(&temp, &target, &NeitherPlacing).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::Unsupported);
        assert!(!target.exists(), "no rename that could have replaced a file");
        // The real file system here: the rename refuses an existing name.
        fs::write(&target, b"old").unwrap();
        let error = place_new(&temp, &target, &SystemPlacing).unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&target).unwrap(), b"old");
        fs::remove_file(&target).unwrap();
        place_new(&temp, &target, &SystemPlacing).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert!(!temp.exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
