//! The native save dialog behind a trait: rfd on the desktop, a scripted one in tests (the one
//! real part that cannot run headless).

use std::future::Future;
use std::path::PathBuf;
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

/// A save dialog; `None` when the user cancels.
pub trait SaveDialog: Send + Sync {
    /// Asks where to save a file.
    fn ask_save_path<'a>(
        &'a self,
        title: &'a str,
        suggested_name: &'a str,
    ) -> Pin<Box<dyn Future<Output = Option<SaveChoice>> + Send + 'a>>;
    /// Asks for a folder to save several files into.
    fn ask_folder<'a>(&'a self, title: &'a str) -> Pin<Box<dyn Future<Output = Option<PathBuf>> + Send + 'a>>;
}

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
}

#[cfg(feature = "gui")]
impl SaveDialog for NativeDialog {
    fn ask_save_path<'a>(
        &'a self,
        title: &'a str,
        suggested_name: &'a str,
    ) -> Pin<Box<dyn Future<Output = Option<SaveChoice>> + Send + 'a>> {
        Box::pin(async move {
            let handle = self.base.clone().set_title(title).set_file_name(suggested_name).save_file().await?;
            // Native save dialogs ask before replacing a file themselves.
            Some(SaveChoice { path: handle.path().to_path_buf(), overwrite_confirmed: true })
        })
    }

    fn ask_folder<'a>(&'a self, title: &'a str) -> Pin<Box<dyn Future<Output = Option<PathBuf>> + Send + 'a>> {
        Box::pin(async move { self.base.clone().set_title(title).pick_folder().await.map(|h| h.path().to_path_buf()) })
    }
}

/// A dialog that answers from a script, for tests and headless runs.
#[derive(Debug, Default)]
pub struct ScriptedDialog {
    answers: Mutex<Vec<Option<SaveChoice>>>,
    folders: Mutex<Vec<Option<PathBuf>>>,
    asked: Mutex<Vec<String>>,
}

impl ScriptedDialog {
    /// Queues the next answer (`None` = the user cancels).
    pub fn answer(&self, choice: Option<SaveChoice>) {
        self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(choice);
    }

    /// Queues the next folder answer (`None` = the user cancels).
    pub fn answer_folder(&self, folder: Option<PathBuf>) {
        self.folders.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(folder);
    }

    /// The suggested names asked so far.
    pub fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

impl SaveDialog for ScriptedDialog {
    fn ask_save_path<'a>(
        &'a self,
        _title: &'a str,
        suggested_name: &'a str,
    ) -> Pin<Box<dyn Future<Output = Option<SaveChoice>> + Send + 'a>> {
        self.asked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(suggested_name.to_owned());
        let mut answers = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let answer = if answers.is_empty() { None } else { answers.remove(0) };
        Box::pin(async move { answer })
    }

    fn ask_folder<'a>(&'a self, _title: &'a str) -> Pin<Box<dyn Future<Output = Option<PathBuf>> + Send + 'a>> {
        let mut folders = self.folders.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let answer = if folders.is_empty() { None } else { folders.remove(0) };
        Box::pin(async move { answer })
    }
}
