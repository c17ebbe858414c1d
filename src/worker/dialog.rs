//! The native save dialog behind a trait: rfd on the desktop, a scripted one in tests (the one
//! real part that cannot run headless). A dialog that cannot open says so instead of looking
//! like a cancel, so the worker can offer the app's own save prompt.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;

/// What the user chose in a save dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveChoice {
    /// The file.
    pub path: PathBuf,
    /// Whether the dialog already confirmed replacing an existing file (native dialogs do).
    pub overwrite_confirmed: bool,
}

/// How a dialog ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer<T> {
    /// The user chose this.
    Chosen(T),
    /// The user closed the dialog.
    Cancelled,
    /// No dialog could open (no portal, no zenity); the text says what is missing.
    Unavailable(String),
}

/// A future a dialog call returns.
pub type DialogFuture<'a, T> = Pin<Box<dyn Future<Output = DialogAnswer<T>> + Send + 'a>>;

/// A save dialog.
pub trait SaveDialog: Send + Sync {
    /// Asks where to save a file, starting in `start_dir`.
    fn ask_save_path<'a>(
        &'a self,
        title: &'a str,
        suggested_name: &'a str,
        start_dir: Option<&'a Path>,
    ) -> DialogFuture<'a, SaveChoice>;
    /// Asks for a folder to save several files into, starting in `start_dir`.
    fn ask_folder<'a>(&'a self, title: &'a str, start_dir: Option<&'a Path>) -> DialogFuture<'a, PathBuf>;
    /// Shows a folder in the system's file manager (returns once the opener has started).
    fn open_folder(&self, folder: &Path) -> std::io::Result<()>;
}

/// Starts the desktop's own opener on a folder (xdg-open, open, explorer) and reaps it on a thread
/// of its own, so no zombie is left and nobody waits for the file manager.
#[cfg(feature = "gui")]
pub fn open_with_system(folder: &Path) -> std::io::Result<()> {
    let opener = if cfg!(windows) {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(opener)
        .arg(folder)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Without a thread to wait on, the child is still reaped when certdesk exits.
    let _ = std::thread::Builder::new().name("opener".into()).spawn(move || child.wait());
    Ok(())
}

/// What is missing when no native dialog can open, with the way out.
pub const NO_DIALOG_ADVICE: &str = "No save dialog can open on this desktop: no file-chooser portal answers on \
the session bus and zenity is not installed. Install xdg-desktop-portal with a backend \
(xdg-desktop-portal-gtk or -kde) or zenity for the system's dialog.";

/// The native dialog (XDG portal on Linux; Windows and macOS natives), run on the worker.
#[cfg(feature = "gui")]
#[derive(Debug, Default)]
pub struct NativeDialog {
    /// Carries the parent window; every dialog starts from a copy of it.
    base: rfd::AsyncFileDialog,
}

#[cfg(feature = "gui")]
impl NativeDialog {
    /// Dialogs that open over `window`: modal to it and placed on it, not a free-floating window
    /// that can hide behind the app. rfd keeps the raw handle (plain data on every platform it
    /// uses it on) and is `Send`, so the dialog still runs on the worker.
    pub fn parented_to<W>(window: &W) -> Self
    where
        W: raw_window_handle::HasWindowHandle + raw_window_handle::HasDisplayHandle + ?Sized,
    {
        Self { base: rfd::AsyncFileDialog::new().set_parent(window) }
    }

    fn start(&self, title: &str, start_dir: Option<&Path>) -> rfd::AsyncFileDialog {
        let dialog = self.base.clone().set_title(title);
        match start_dir {
            Some(dir) => dialog.set_directory(dir),
            None => dialog,
        }
    }
}

#[cfg(feature = "gui")]
impl SaveDialog for NativeDialog {
    fn ask_save_path<'a>(
        &'a self,
        title: &'a str,
        suggested_name: &'a str,
        start_dir: Option<&'a Path>,
    ) -> DialogFuture<'a, SaveChoice> {
        Box::pin(async move {
            if let Err(missing) = backend::available().await {
                return DialogAnswer::Unavailable(missing);
            }
            match self.start(title, start_dir).set_file_name(suggested_name).save_file().await {
                // Native save dialogs ask before replacing a file themselves.
                Some(h) => DialogAnswer::Chosen(SaveChoice { path: h.path().to_path_buf(), overwrite_confirmed: true }),
                None => DialogAnswer::Cancelled,
            }
        })
    }

    fn ask_folder<'a>(&'a self, title: &'a str, start_dir: Option<&'a Path>) -> DialogFuture<'a, PathBuf> {
        Box::pin(async move {
            if let Err(missing) = backend::available().await {
                return DialogAnswer::Unavailable(missing);
            }
            match self.start(title, start_dir).pick_folder().await {
                Some(h) => DialogAnswer::Chosen(h.path().to_path_buf()),
                None => DialogAnswer::Cancelled,
            }
        })
    }

    fn open_folder(&self, folder: &Path) -> std::io::Result<()> {
        open_with_system(folder)
    }
}

/// Whether rfd has something to show. On Linux it asks the XDG portal and falls back to zenity,
/// and answers "cancelled" when neither exists; so ask first.
#[cfg(all(feature = "gui", target_os = "linux"))]
mod backend {
    use std::time::Duration;

    pub(super) async fn available() -> Result<(), String> {
        if zenity_installed() || portal_file_chooser().await { Ok(()) } else { Err(super::NO_DIALOG_ADVICE.to_owned()) }
    }

    fn zenity_installed() -> bool {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("zenity").is_file()))
    }

    /// The portal exports the FileChooser interface only when a backend implements it; reading its
    /// version starts the portal on demand (D-Bus activation), as rfd's call would.
    async fn portal_file_chooser() -> bool {
        let probe = async {
            let conn = zbus::Connection::session().await.ok()?;
            let proxy = zbus::fdo::PropertiesProxy::builder(&conn)
                .destination("org.freedesktop.portal.Desktop")
                .ok()?
                .path("/org/freedesktop/portal/desktop")
                .ok()?
                .build()
                .await
                .ok()?;
            let iface = zbus::names::InterfaceName::from_static_str("org.freedesktop.portal.FileChooser").ok()?;
            proxy.get(iface, "version").await.ok()
        };
        // Activation of a cold portal takes a few seconds on a slow machine.
        matches!(tokio::time::timeout(Duration::from_secs(10), probe).await, Ok(Some(_)))
    }
}

#[cfg(all(feature = "gui", not(target_os = "linux")))]
mod backend {
    /// Windows and macOS always have their native dialogs.
    #[expect(clippy::unused_async, reason = "same signature as the Linux probe")]
    pub(super) async fn available() -> Result<(), String> {
        Ok(())
    }
}

/// A dialog that answers from a script, for tests and headless runs.
#[derive(Debug, Default)]
pub struct ScriptedDialog {
    answers: Mutex<Vec<DialogAnswer<SaveChoice>>>,
    folders: Mutex<Vec<DialogAnswer<PathBuf>>>,
    asked: Mutex<Vec<String>>,
    start_dirs: Mutex<Vec<Option<PathBuf>>>,
    opened: Mutex<Vec<PathBuf>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl ScriptedDialog {
    /// Queues the next answer (`None` = the user cancels).
    pub fn answer(&self, choice: Option<SaveChoice>) {
        lock(&self.answers).push(choice.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen));
    }

    /// Queues the next folder answer (`None` = the user cancels).
    pub fn answer_folder(&self, folder: Option<PathBuf>) {
        lock(&self.folders).push(folder.map_or(DialogAnswer::Cancelled, DialogAnswer::Chosen));
    }

    /// From now on, no dialog can open (a desktop without portal and zenity).
    pub fn answer_unavailable(&self) {
        lock(&self.answers).push(DialogAnswer::Unavailable(NO_DIALOG_ADVICE.to_owned()));
    }

    /// The folders shown in the file manager so far.
    pub fn opened(&self) -> Vec<PathBuf> {
        lock(&self.opened).clone()
    }

    /// The suggested names asked so far.
    pub fn asked(&self) -> Vec<String> {
        lock(&self.asked).clone()
    }

    /// The folders each save dialog started in, in order.
    pub fn start_dirs(&self) -> Vec<Option<PathBuf>> {
        lock(&self.start_dirs).clone()
    }
}

impl SaveDialog for ScriptedDialog {
    fn ask_save_path<'a>(
        &'a self,
        _title: &'a str,
        suggested_name: &'a str,
        start_dir: Option<&'a Path>,
    ) -> DialogFuture<'a, SaveChoice> {
        lock(&self.asked).push(suggested_name.to_owned());
        lock(&self.start_dirs).push(start_dir.map(Path::to_path_buf));
        let mut answers = lock(&self.answers);
        let answer = if answers.is_empty() { DialogAnswer::Cancelled } else { answers.remove(0) };
        Box::pin(async move { answer })
    }

    fn ask_folder<'a>(&'a self, _title: &'a str, _start_dir: Option<&'a Path>) -> DialogFuture<'a, PathBuf> {
        let mut folders = lock(&self.folders);
        let answer = if folders.is_empty() { DialogAnswer::Cancelled } else { folders.remove(0) };
        Box::pin(async move { answer })
    }

    fn open_folder(&self, folder: &Path) -> std::io::Result<()> {
        lock(&self.opened).push(folder.to_owned());
        Ok(())
    }
}
