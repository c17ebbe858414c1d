//! The accounts signed in, shared by the refresh and by downloads and exports.

use std::collections::HashMap;
use std::sync::Arc;

use super::profiles as profiles_jobs;
use crate::cloud::CloudSession;
use crate::store::profiles::Profile;
use crate::vault::SecretStore;

/// One account, signed in: its session keeps the tokens and project ids it resolved.
pub(super) struct Target {
    pub(super) name: String,
    pub(super) session: Arc<CloudSession>,
    pub(super) regions: Vec<String>,
}

/// The accounts signed in, by profile name: what the last refresh signed in, or an action signed
/// in on demand (after a restart, or when the refresh failed), so downloads and exports reuse
/// the refresh's session instead of signing in again.
#[derive(Clone, Default)]
pub(super) struct Accounts {
    slots: Arc<std::sync::Mutex<HashMap<String, Slot>>>,
    /// Profiles whose credentials the cloud refused (wrong secret, locked key, unknown user), with
    /// what it said: no refresh signs them in again until the user tests or edits the profile,
    /// so a refresh every minute cannot lock the IAM user or the access key.
    paused: Arc<std::sync::Mutex<HashMap<String, String>>>,
    /// Where the pauses are kept, so a restart does not send refused credentials again either.
    paused_file: Option<Arc<std::path::PathBuf>>,
}

/// One profile's sign-in, behind an async lock held across it: one sign-in per profile at a time,
/// never a stampede, while other profiles sign in at the same time.
type Slot = Arc<tokio::sync::Mutex<Option<Signed>>>;

/// A profile's last sign-in: its session, or why it failed. A failure is kept until the next
/// refresh or a change of the profile, so ten downloads of a profile whose secret is wrong do
/// not send ten bad signatures (the gateway locks an AK after five).
#[derive(Clone)]
pub(super) enum Signed {
    In(Arc<Target>),
    Failed(String),
}

/// A sign-in begun: the secrets read, the check with the cloud still to come.
pub(super) struct PendingSignIn {
    accounts: Accounts,
    profile: Profile,
    session: Result<CloudSession, String>,
}

impl PendingSignIn {
    pub(super) fn profile_name(&self) -> &str {
        &self.profile.name
    }

    /// Checks the credentials with the cloud and keeps the result for the profile's actions. It
    /// holds the profile's slot meanwhile, so an action for that profile waits for it rather
    /// than signing in a second time; stopped before the end, the slot keeps what it had.
    pub(super) async fn finish(self) -> Result<Arc<Target>, String> {
        let mut slot = self.accounts.lock_current(&self.profile.name).await;
        let signed = match self.session {
            // A task of its own: a refresh stopped (F5 again) while the cloud answers still
            // records a refusal, so the next refresh does not send the same credentials again.
            Ok(session) => {
                let (accounts, profile) = (self.accounts.clone(), self.profile.clone());
                tokio::spawn(async move { accounts.checked(&profile, session).await })
                    .await
                    .unwrap_or_else(|e| Err(format!("cannot sign in: the check stopped ({e})")))
            }
            Err(e) => Err(e),
        };
        *slot = Some(signed.clone().map_or_else(Signed::Failed, Signed::In));
        signed
    }
}

impl Accounts {
    /// Accounts whose pauses are kept in `file` (read now).
    pub(super) fn kept_in(file: Option<std::path::PathBuf>) -> Self {
        let paused = file.as_deref().map(crate::store::paused::load).unwrap_or_default();
        Self { paused: Arc::new(std::sync::Mutex::new(paused)), paused_file: file.map(Arc::new), ..Self::default() }
    }

    /// Writes the pauses, so a restart or the CLI sends the refused credentials no more either.
    fn keep_paused(&self, paused: &HashMap<String, String>) {
        if let Some(file) = &self.paused_file {
            crate::store::paused::save(file, paused);
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        super::jobs::locked(&self.slots)
    }

    /// Locks a profile's slot, the one that is current once the lock is held: a slot forgotten
    /// while waiting (the profile changed) is nobody's any more.
    async fn lock_current(&self, name: &str) -> tokio::sync::OwnedMutexGuard<Option<Signed>> {
        loop {
            let slot = self.slots().entry(name.to_owned()).or_default().clone();
            let guard = slot.clone().lock_owned().await;
            if self.slots().get(name).is_some_and(|current| Arc::ptr_eq(current, &slot)) {
                return guard;
            }
        }
    }

    pub(super) async fn get_or_sign_in(
        &self,
        name: &str,
        profiles: &[Profile],
        vault: Option<&Arc<dyn SecretStore>>,
    ) -> Result<Arc<Target>, String> {
        let mut signed_in = self.lock_current(name).await;
        match &*signed_in {
            Some(Signed::In(target)) => return Ok(target.clone()),
            Some(Signed::Failed(message)) => {
                let until = if self.paused(name).is_some() {
                    "until you test or edit the profile"
                } else {
                    "until a refresh or a change of the profile"
                };
                return Err(format!("{message} (not tried again {until})"));
            }
            None => {}
        }
        let profile = profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("The profile {name} no longer exists; refresh to update the table."))?;
        let vault = vault.ok_or_else(no_vault)?;
        let signed = match profiles_jobs::session(profile, vault).await {
            Ok(session) => self.checked(profile, session).await,
            Err(e) => Err(e),
        };
        *signed_in = Some(signed.clone().map_or_else(Signed::Failed, Signed::In));
        signed
    }

    /// Why a profile's sign-in is paused: the cloud refused its credentials (`None`: it is not).
    pub(super) fn paused(&self, name: &str) -> Option<String> {
        super::jobs::locked(&self.paused).get(name).cloned()
    }

    /// The user tested the profile and it signed in: refreshes may sign it in again.
    pub(super) fn resume(&self, name: &str) {
        self.forget(&[name]);
    }

    /// A session's credentials checked with the cloud: the account's regions (listed, unless the
    /// profile names them) and the first region's project. Credentials the cloud refused pause
    /// the profile.
    async fn checked(&self, profile: &Profile, session: CloudSession) -> Result<Arc<Target>, String> {
        let checked = check_credentials(profile, session).await;
        if let Err((message, true)) = &checked {
            let mut paused = super::jobs::locked(&self.paused);
            paused.insert(profile.name.clone(), message.clone());
            self.keep_paused(&paused);
        }
        checked.map_err(|(message, _)| message)
    }

    pub(super) async fn keep(&self, target: Arc<Target>) {
        let mut slot = self.lock_current(&target.name).await;
        *slot = Some(Signed::In(target));
    }

    /// The sessions signed in (the demo's refresh uses them all).
    pub(super) async fn sessions(&self) -> Vec<Arc<Target>> {
        let slots: Vec<Slot> = self.slots().values().cloned().collect();
        let mut targets = Vec::new();
        for slot in slots {
            if let Some(Signed::In(target)) = &*slot.lock().await {
                targets.push(target.clone());
            }
        }
        targets
    }

    /// Begins signing a profile in anew (a refresh: new regions, changed credentials): its
    /// secrets are read now, holding no slot, so a refresh reads the keyring one profile at a
    /// time (a locked keyring asks once); the check with the cloud is left to
    /// [`PendingSignIn::finish`], which profiles then run at the same time.
    pub(super) async fn begin_sign_in(&self, profile: &Profile, vault: &Arc<dyn SecretStore>) -> PendingSignIn {
        let session = profiles_jobs::session(profile, vault).await;
        PendingSignIn { accounts: self.clone(), profile: profile.clone(), session }
    }

    /// Forgets profiles' sign-ins (a changed profile: also a pause); one still running ends in a
    /// slot nobody reads any more.
    pub(super) fn forget(&self, names: &[&str]) {
        let mut slots = self.slots();
        let mut paused = super::jobs::locked(&self.paused);
        let before = paused.len();
        for name in names {
            slots.remove(*name);
            paused.remove(*name);
        }
        if paused.len() != before {
            self.keep_paused(&paused);
        }
    }
}

pub(super) fn no_vault() -> String {
    "No keyring is open: unlock the keyring, or choose to keep secrets for this session only.".to_owned()
}

/// A session's credentials checked with one call, so a wrong secret fails once here rather than
/// once per region and service; a failure says whether the cloud refused the credentials.
async fn check_credentials(profile: &Profile, session: CloudSession) -> Result<Arc<Target>, (String, bool)> {
    let result = async {
        let regions = profiles_jobs::regions(profile, &session).await?;
        if let Some(first) = regions.first() {
            session.project_id(first).await.map_err(|e| format!("cannot sign in: {e}"))?;
        }
        Ok(regions)
    }
    .await;
    match result {
        Ok(regions) => Ok(Arc::new(Target { name: profile.name.clone(), session: Arc::new(session), regions })),
        Err(message) => Err((message, session.auth_failure().is_some())),
    }
}
