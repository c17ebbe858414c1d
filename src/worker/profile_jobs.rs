//! Profile jobs: reading the profiles file and the keyring, announcing the profiles, and the
//! edits (save, delete) and tests of a profile, each edit one at a time and to its end.

use std::path::PathBuf;
use std::sync::Arc;

use super::accounts::no_vault;
use super::jobs::{Worker, locked};
use super::profiles as profiles_jobs;
use super::{Event, JobId, Outcome, ProfileSecrets};
use crate::store::profiles::{self, Profile};
use crate::vault::{MemoryStore, SecretStore};

impl Worker {
    pub(super) fn spawn_load_profiles(&self, job: JobId) {
        self.spawn_job(job, "Reading the profiles".into(), |job, w, _| async move {
            let has_vault = locked(&w.shared).vault.is_some();
            let vault_status = if has_vault {
                Ok(())
            } else {
                profiles_jobs::open_keyring(w.open_keyring.clone()).await.map(|store| {
                    // A keyring that answers late never replaces what the user chose meanwhile.
                    locked(&w.shared).vault.get_or_insert(store);
                })
            };
            let outcome = match w.read_profiles_file().await {
                Ok(list) => {
                    locked(&w.shared).user_profiles = list;
                    Outcome::Done
                }
                Err(e) => Outcome::Failed(e),
            };
            let vault = vault_status.map(|()| w.vault_word());
            w.announce_profiles_for(job, vault).await;
            w.refresh_if_profiles();
            outcome
        });
    }

    async fn read_profiles_file(&self) -> Result<Vec<Profile>, String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        match tokio::task::spawn_blocking(move || profiles::load(&path)).await {
            Ok(Ok(file)) => Ok(file.profiles),
            Ok(Err(e)) => Err(e),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Reads the profiles file again and announces it when it changed.
    pub(super) async fn reload_profiles(&self, job: JobId) {
        if self.is_demo() {
            return;
        }
        // Not while an edit writes the file: its list is the newer one.
        let _edits = self.profile_edits.lock().await;
        let Ok(list) = self.read_profiles_file().await else { return };
        let changed = {
            let mut shared = locked(&self.shared);
            let changed = shared.user_profiles != list;
            shared.user_profiles = list;
            changed
        };
        if changed {
            self.announce_profiles_for(job, Ok(self.vault_word())).await;
        }
    }

    pub(super) async fn announce_profiles(&self, vault: Result<&'static str, String>) {
        self.announce_profiles_for(0, vault).await;
    }

    pub(super) async fn announce_profiles_for(&self, job: JobId, vault: Result<&'static str, String>) {
        let profiles = locked(&self.shared).user_profiles.clone();
        if !self.is_demo() {
            let names = profiles.iter().map(|p| p.name.clone()).collect();
            self.estate.update(|e| e.set_profiles(Some(names)));
        }
        self.out.send(Event::ProfilesLoaded { job, profiles, vault }).await;
        self.estate.publish(&self.out).await;
    }

    fn paths(&self) -> Result<(PathBuf, Arc<dyn SecretStore>), String> {
        let path = self.profiles_path.clone().ok_or("No configuration folder is known on this system.")?;
        let vault = locked(&self.shared).vault.clone().ok_or_else(no_vault)?;
        Ok((path, vault))
    }

    /// A profile edit's result: sessions of changed profiles are forgotten (a changed secret or
    /// endpoint must not be served from an old one), the list announced, the table refreshed.
    async fn profiles_changed(&self, job: JobId, changed: &[&str], list: Vec<Profile>) {
        // The refresh running answers for the old profiles: it stops before the new list is told.
        if let Some(running) = locked(&self.current_refresh).take() {
            running.cancel();
        }
        self.accounts.forget(changed);
        locked(&self.shared).user_profiles = list;
        self.announce_profiles_for(job, Ok(self.vault_word())).await;
        if !self.is_demo() {
            self.spawn_refresh(self.new_id(), false);
        }
    }

    /// Runs a profile edit to its end in a task of its own: the user may stop waiting (a keyring
    /// prompt left open), but keyring and file are never left half-changed by it.
    fn spawn_edit<F, Fut>(&self, job: JobId, label: String, edit: F)
    where
        F: FnOnce(Worker) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = Result<Vec<String>, String>> + Send + 'static,
    {
        self.spawn_job(job, label.clone(), move |job, w, stop| async move {
            let task = tokio::spawn(async move {
                let _one_at_a_time = w.profile_edits.clone().lock_owned().await;
                let out = w.out.clone();
                let result = edit(w).await;
                let mut notices = result.clone().unwrap_or_default();
                // Nobody waits for the outcome of a stopped edit: its failure is told this way.
                if let (Err(e), true) = (&result, stop.is_stopped()) {
                    notices.push(format!("{label} (stopped, then ended): {e}"));
                }
                for message in notices {
                    out.send(Event::Notice { job, message, problem: true }).await;
                }
                result
            });
            match task.await {
                Ok(Ok(_)) => Outcome::Done,
                Ok(Err(e)) => Outcome::Failed(e),
                Err(_) => Outcome::Failed("The profile change stopped on an internal error; please report it.".into()),
            }
        });
    }

    pub(super) fn spawn_save_profile(
        &self,
        job: JobId,
        profile: Profile,
        secrets: ProfileSecrets,
        previous: Option<String>,
    ) {
        self.spawn_edit(job, format!("Saving profile {}", profile.name), move |w| async move {
            let (path, vault) = w.paths()?;
            let name = profile.name.clone();
            let saved = profiles_jobs::save(&path, &vault, profile, secrets, previous.clone()).await?;
            let changed: Vec<&str> = [Some(name.as_str()), previous.as_deref()].into_iter().flatten().collect();
            w.profiles_changed(job, &changed, saved.profiles).await;
            Ok(saved.warnings)
        });
    }

    pub(super) fn spawn_delete_profile(&self, job: JobId, name: String) {
        self.spawn_edit(job, format!("Deleting profile {name}"), move |w| async move {
            let (path, vault) = w.paths()?;
            let saved = profiles_jobs::delete(&path, &vault, name.clone()).await?;
            w.profiles_changed(job, &[name.as_str()], saved.profiles).await;
            Ok(saved.warnings)
        });
    }

    pub(super) fn spawn_test(&self, job: JobId, name: String) {
        let (profile, vault) = {
            let shared = locked(&self.shared);
            (shared.user_profiles.iter().find(|p| p.name == name).cloned(), shared.vault.clone())
        };
        self.spawn_job(job, format!("Testing profile {name}"), move |job, w, _| async move {
            let result = match (profile, vault) {
                (Some(profile), Some(vault)) => profiles_jobs::test(&profile, &vault, &ProfileSecrets::default()).await,
                (None, _) => Err(format!("No profile named {name}.")),
                (_, None) => Err(no_vault()),
            };
            // The user asked, and the cloud took the credentials: a paused profile resumes.
            let resumed = result.is_ok() && w.accounts.paused(&name).is_some();
            if resumed {
                w.accounts.resume(&name);
            }
            w.out.send(Event::ProfileTested { job, name, draft: false, result }).await;
            if resumed {
                w.refresh_if_profiles();
            }
            Outcome::Done
        });
    }

    pub(super) fn spawn_draft_test(&self, job: JobId, profile: Profile, secrets: ProfileSecrets) {
        let vault: Arc<dyn SecretStore> =
            locked(&self.shared).vault.clone().unwrap_or_else(|| Arc::new(MemoryStore::default()));
        let name = profile.name.clone();
        self.spawn_job(job, format!("Testing profile {name}"), move |job, w, _| async move {
            let result = match profile.validate() {
                Ok(()) => profiles_jobs::test(&profile, &vault, &secrets).await,
                Err(e) => Err(e),
            };
            w.out.send(Event::ProfileTested { job, name, draft: true, result }).await;
            Outcome::Done
        });
    }
}
