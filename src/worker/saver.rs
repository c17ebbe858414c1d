//! Where to save: the native dialog, or the app's own prompt when none can open.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::jobs::{Outbox, locked};
use super::{DialogAnswer, Event, JobId, SaveChoice, SaveDialog};

pub(super) type Prompts = Arc<Mutex<HashMap<JobId, oneshot::Sender<Option<PathBuf>>>>>;

/// Asks where to save: the native dialog, starting in the last folder used (else Downloads);
/// when no native dialog can open, the app's own prompt through [`Event::SavePrompt`].
#[derive(Clone)]
pub(super) struct Saver {
    pub(super) dialog: Arc<dyn SaveDialog>,
    pub(super) prompts: Prompts,
    pub(super) last_dir: Arc<Mutex<Option<PathBuf>>>,
    pub(super) downloads: Option<PathBuf>,
}

impl Saver {
    fn start_dir(&self) -> Option<PathBuf> {
        locked(&self.last_dir).clone().or_else(|| self.downloads.clone())
    }

    pub(super) fn remember(&self, saved: &Path) {
        if let Some(dir) = saved.parent().filter(|d| !d.as_os_str().is_empty()) {
            *locked(&self.last_dir) = Some(dir.to_owned());
        }
    }

    pub(super) async fn ask_file(&self, job: JobId, out: &Outbox, title: &str, suggested: &str) -> Option<SaveChoice> {
        let start = self.start_dir();
        match self.dialog.ask_save_path(title, suggested, start.as_deref()).await {
            DialogAnswer::Chosen(choice) => Some(choice),
            DialogAnswer::Cancelled => None,
            DialogAnswer::Unavailable(reason) => {
                let proposal = start.unwrap_or_default().join(suggested);
                let path = self.prompt(job, out, reason, proposal, false).await?;
                // Typed in the app: an existing file is never replaced.
                Some(SaveChoice { path, overwrite_confirmed: false })
            }
        }
    }

    pub(super) async fn ask_folder(&self, job: JobId, out: &Outbox, title: &str) -> Option<PathBuf> {
        let start = self.start_dir();
        match self.dialog.ask_folder(title, start.as_deref()).await {
            DialogAnswer::Chosen(folder) => Some(folder),
            DialogAnswer::Cancelled => None,
            DialogAnswer::Unavailable(reason) => self.prompt(job, out, reason, start.unwrap_or_default(), true).await,
        }
    }

    async fn prompt(&self, job: JobId, out: &Outbox, reason: String, path: PathBuf, folder: bool) -> Option<PathBuf> {
        let (mut reason, mut path) = (reason, path);
        loop {
            let (tx, rx) = oneshot::channel();
            locked(&self.prompts).insert(job, tx);
            out.send(Event::SavePrompt { job, reason: reason.clone(), path: path.clone(), folder }).await;
            let chosen = rx.await.ok().flatten()?;
            // Typed in the app, so nothing asked before replacing: ask again for an existing file.
            let exists = tokio::fs::try_exists(&chosen).await.unwrap_or(false);
            if folder || !exists {
                return Some(chosen);
            }
            reason = format!("{} already exists; type another name (it is not replaced).", chosen.display());
            path = chosen;
        }
    }
}
