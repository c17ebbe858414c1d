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
    // An async lock held across a sign-in: one sign-in per profile at a time, never a stampede.
    pub(super) signed_in: Arc<tokio::sync::Mutex<HashMap<String, Signed>>>,
}

/// A profile's last sign-in: its session, or why it failed. A failure is kept until the next
/// refresh or a change of the profile, so ten downloads of a profile whose secret is wrong do
/// not send ten bad signatures (the gateway locks an AK after five).
#[derive(Clone)]
pub(super) enum Signed {
    In(Arc<Target>),
    Failed(String),
}

impl Accounts {
    pub(super) async fn get_or_sign_in(
        &self,
        name: &str,
        profiles: &[Profile],
        vault: Option<&Arc<dyn SecretStore>>,
    ) -> Result<Arc<Target>, String> {
        let mut signed_in = self.signed_in.lock().await;
        match signed_in.get(name) {
            Some(Signed::In(target)) => return Ok(target.clone()),
            Some(Signed::Failed(message)) => {
                return Err(format!("{message} (not tried again until a refresh or a change of the profile)"));
            }
            None => {}
        }
        let profile = profiles
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| format!("The profile {name} no longer exists; refresh to update the table."))?;
        let vault = vault.ok_or_else(no_vault)?;
        let signed = sign_in(profile, vault).await;
        signed_in.insert(name.to_owned(), signed.clone().map_or_else(Signed::Failed, Signed::In));
        signed
    }

    pub(super) async fn keep(&self, target: Arc<Target>) {
        self.signed_in.lock().await.insert(target.name.clone(), Signed::In(target));
    }

    /// The sessions signed in (the demo's refresh uses them all).
    pub(super) async fn sessions(&self) -> Vec<Arc<Target>> {
        let signed_in = self.signed_in.lock().await;
        signed_in.values().filter_map(|s| if let Signed::In(t) = s { Some(t.clone()) } else { None }).collect()
    }

    /// Signs a profile in anew (a refresh: new regions, changed credentials) and keeps the result;
    /// an action waiting meanwhile gets this session instead of signing in a second time.
    pub(super) async fn sign_in_again(
        &self,
        profile: &Profile,
        vault: &Arc<dyn SecretStore>,
    ) -> Result<Arc<Target>, String> {
        let mut signed_in = self.signed_in.lock().await;
        signed_in.remove(&profile.name);
        let signed = sign_in(profile, vault).await;
        signed_in.insert(profile.name.clone(), signed.clone().map_or_else(Signed::Failed, Signed::In));
        signed
    }

    pub(super) async fn forget(&self, names: &[&str]) {
        let mut signed_in = self.signed_in.lock().await;
        for name in names {
            signed_in.remove(*name);
        }
    }
}

pub(super) fn no_vault() -> String {
    "No keyring is open: unlock the keyring, or choose to keep secrets for this session only.".to_owned()
}

/// Signs a profile in and checks the credentials with one call, so a wrong secret fails once here
/// rather than once per region and service.
pub(super) async fn sign_in(profile: &Profile, vault: &Arc<dyn SecretStore>) -> Result<Arc<Target>, String> {
    let session = profiles_jobs::session(profile, vault).await?;
    let regions = profiles_jobs::regions(profile, &session).await?;
    if let Some(first) = regions.first() {
        session.project_id(first).await.map_err(|e| format!("cannot sign in: {e}"))?;
    }
    Ok(Arc::new(Target { name: profile.name.clone(), session: Arc::new(session), regions }))
}
