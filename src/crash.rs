//! Crash reports that stay on this machine. A panic writes a report (version, build facts, where
//! it happened, the backtrace and the last lines of the log) into the data folder; nothing is sent
//! anywhere. A panic on the app's own thread also leaves a marker: the next start sets aside the
//! state it was handling (the saved inventory), so one bad value cannot become a crash at every
//! start, and offers to open the folder with the report.

use std::cell::Cell;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::store::{Overwrite, Sensitivity, write_atomic};

/// The marker a fatal panic leaves beside the saved inventory; it holds the report's path.
pub const MARKER: &str = "crashed-last-time";
/// Lines of the log a report keeps.
const TAIL_LINES: usize = 60;
/// Characters kept of one log line or of the panic message.
const LINE_CHARS: usize = 600;

static FOLDER: OnceLock<PathBuf> = OnceLock::new();
static TAIL: Mutex<VecDeque<String>> = Mutex::new(VecDeque::new());

thread_local! {
    static APP_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Keeps a line for the next report (the activity log's and the tracing log's lines; neither
/// ever holds a secret). Made one inert line and capped.
pub fn remember(line: &str) {
    let line = crate::text::capped(&crate::text::inert(line), LINE_CHARS).into_owned();
    let mut tail = TAIL.lock().unwrap_or_else(PoisonError::into_inner);
    if tail.len() == TAIL_LINES {
        tail.pop_front();
    }
    tail.push_back(line);
}

/// Says that this thread runs the desktop app: a panic here ends the app.
pub fn mark_app_thread() {
    APP_THREAD.with(|t| t.set(true));
}

/// Writes reports into `folder` from now on (the first call wins), keeping the default hook's
/// message on standard error.
pub fn install(folder: PathBuf) {
    if FOLDER.set(folder).is_err() {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        if let Some(folder) = FOLDER.get() {
            let fatal = APP_THREAD.with(Cell::get);
            // Nothing a report fails at may panic again inside the hook.
            let _ = write_report(folder, info, fatal);
        }
    }));
}

/// The report's text.
fn report_text(info: &std::panic::PanicHookInfo<'_>, backtrace: &std::backtrace::Backtrace) -> String {
    use crate::build_info as b;
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    let thread = std::thread::current().name().unwrap_or("unnamed").to_owned();
    let at = info.location().map_or_else(|| "unknown".into(), ToString::to_string);
    let tail = TAIL.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect::<Vec<_>>().join("\n");
    let when =
        time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    format!(
        "certdesk crash report (kept on this computer; nothing was sent anywhere)\n\n\
         when:     {when}\nversion:  {}\ncommit:   {} ({})\ntarget:   {} ({})\nfeatures: {}\ncompiler: {}\n\
         thread:   {}\nwhere:    {}\nmessage:  {}\n\nbacktrace:\n{backtrace}\n\nlast log lines:\n{tail}\n",
        b::VERSION,
        b::COMMIT,
        b::COMMIT_DATE,
        b::TARGET,
        b::PROFILE,
        b::FEATURES,
        b::RUSTC,
        crate::text::inert(&thread),
        crate::text::inert(&at),
        crate::text::capped(&crate::text::inert(&message), LINE_CHARS),
    )
}

fn write_report(folder: &Path, info: &std::panic::PanicHookInfo<'_>, fatal: bool) -> std::io::Result<PathBuf> {
    let backtrace = std::backtrace::Backtrace::force_capture();
    let text = report_text(info, &backtrace);
    std::fs::create_dir_all(folder)?;
    let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
    // Zero-padded: names sort by time.
    let path = folder.join(format!("crash-{stamp:012}-{}.txt", std::process::id()));
    write_atomic(&path, text.as_bytes(), Sensitivity::Secret, Overwrite::Never).map_err(std::io::Error::other)?;
    prune(folder);
    if fatal {
        let marker = path.to_string_lossy().into_owned();
        write_atomic(&folder.join(MARKER), marker.as_bytes(), Sensitivity::Secret, Overwrite::Replace)
            .map_err(std::io::Error::other)?;
    }
    Ok(path)
}

/// The report a fatal panic left in `folder` (`None`: the app ended well last time). The marker
/// stays until [`clear`]: a start that could not set the state aside meets it again. Anything but
/// a small regular file in its place still counts as a crash, and is never followed or waited on.
pub fn pending(folder: &Path) -> Option<PathBuf> {
    let named = match crate::store::read_regular(&folder.join(MARKER), 4096) {
        Ok(crate::store::RegularFile::Bytes(bytes)) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Ok(crate::store::RegularFile::Missing) => return None,
        _ => String::new(),
    };
    let report = PathBuf::from(named);
    Some(if report.parent() == Some(folder) && report.is_file() { report } else { folder.to_owned() })
}

/// Takes the marker away: the state it spoke of was set aside.
pub fn clear(folder: &Path) {
    let _ = std::fs::remove_file(folder.join(MARKER));
}

/// Reports kept; older ones are removed as a new one is written.
const KEEP_REPORTS: usize = 10;

/// Removes all but the newest [`KEEP_REPORTS`] reports (names sort by time).
fn prune(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    let mut reports: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("crash-") && n.to_ascii_lowercase().ends_with(".txt"))
        })
        .collect();
    reports.sort();
    let excess = reports.len().saturating_sub(KEEP_REPORTS);
    for old in reports.into_iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}

/// Keeps the certdesk log's lines for crash reports (a `tracing` layer).
pub struct LogTail;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for LogTail {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: tracing_subscriber::layer::Context<'_, S>) {
        struct Fields(String);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                use std::fmt::Write;
                if field.name() == "message" {
                    let _ = write!(self.0, "{value:?}");
                } else {
                    let _ = write!(self.0, " {}={value:?}", field.name());
                }
            }
        }
        let meta = event.metadata();
        let mut fields = Fields(format!("{} {}: ", meta.level(), meta.target()));
        event.record(&mut fields);
        remember(&fields.0);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_marker_stays_until_cleared_and_names_its_report_only_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(pending(dir.path()), None);
        let report = dir.path().join("crash-1-2.txt");
        std::fs::write(&report, "r").unwrap();
        std::fs::write(dir.path().join(MARKER), report.to_string_lossy().as_bytes()).unwrap();
        assert_eq!(pending(dir.path()), Some(report.clone()));
        assert_eq!(pending(dir.path()), Some(report), "until cleared");
        clear(dir.path());
        assert_eq!(pending(dir.path()), None);
        std::fs::write(dir.path().join(MARKER), "/etc/passwd").unwrap();
        assert_eq!(pending(dir.path()), Some(dir.path().to_owned()), "never a path elsewhere");
        clear(dir.path());
        #[cfg(unix)]
        {
            // A link to an endless device is a crash seen, never read.
            std::os::unix::fs::symlink("/dev/zero", dir.path().join(MARKER)).unwrap();
            assert_eq!(pending(dir.path()), Some(dir.path().to_owned()));
        }
    }

    #[test]
    fn only_the_newest_reports_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..15 {
            std::fs::write(dir.path().join(format!("crash-{i:012}-1.txt")), "r").unwrap();
        }
        std::fs::write(dir.path().join("inventory.json"), "keep").unwrap();
        prune(dir.path());
        let mut left: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left.len(), KEEP_REPORTS + 1);
        assert_eq!(left[0], "crash-000000000005-1.txt");
    }

    #[test]
    fn remembered_lines_are_inert_capped_and_only_the_last_are_kept() {
        for i in 0..(TAIL_LINES + 5) {
            remember(&format!("line {i}\x1b[2J"));
        }
        let tail = TAIL.lock().unwrap();
        assert!(tail.len() <= TAIL_LINES);
        assert!(tail.iter().all(|l| !l.contains('\x1b')));
    }
}
