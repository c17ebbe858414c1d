//! Profile operations, for the app's worker and the CLI alike: save, delete and test, with
//! secrets in the vault and the rest in the profiles file. A save stores the secrets first and writes the file only when they are stored,
//! so a failure never leaves a half-updated profile.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::cloud::{CloudSession, Connection, Credentials, Secret};
use crate::store::profiles::{self, AuthSettings, Profile};
use crate::vault::{SecretField, SecretStore, VaultError};

/// Keyring calls that take longer than this are abandoned (an unlock prompt left open).
pub const VAULT_TIMEOUT_SECS: u64 = 15;

/// The secrets typed into the profile form; empty fields keep what is stored.
#[derive(Clone, Debug, Default)]
pub struct ProfileSecrets {
    /// AK/SK secret key.
    pub secret_key: Option<Secret>,
    /// Security token of temporary keys.
    pub security_token: Option<Secret>,
    /// IAM password.
    pub password: Option<Secret>,
}

/// A profile change that went through: the profiles now, and cleanups that failed after it
/// (the change stands; the user is told what to tidy up by hand).
#[derive(Debug)]
pub struct Saved {
    /// The profiles file's list.
    pub profiles: Vec<Profile>,
    /// What could not be cleaned up.
    pub warnings: Vec<String>,
}

/// Opens the system keyring (or what `opener` stands in for it) on the blocking pool, with the
/// time limit: the app's worker and the CLI open it the same way.
pub async fn open_keyring(opener: Option<super::KeyringOpener>) -> Result<Arc<dyn SecretStore>, String> {
    let opener: super::KeyringOpener = opener.unwrap_or_else(|| {
        Arc::new(|| crate::vault::KeyringStore::open().map(|s| Arc::new(s) as Arc<dyn SecretStore>))
    });
    let task = tokio::task::spawn_blocking(move || opener());
    match tokio::time::timeout(Duration::from_secs(VAULT_TIMEOUT_SECS), task).await {
        Ok(Ok(Ok(store))) => Ok(store),
        Ok(Ok(Err(e))) => Err(e.to_string()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(VaultError::TimedOut(VAULT_TIMEOUT_SECS).to_string()),
    }
}

/// Runs a blocking vault call on the blocking pool, with the time limit.
pub async fn vault_call<T: Send + 'static>(
    vault: &Arc<dyn SecretStore>,
    call: impl FnOnce(&dyn SecretStore) -> Result<T, VaultError> + Send + 'static,
) -> Result<T, VaultError> {
    let vault = vault.clone();
    let task = tokio::task::spawn_blocking(move || call(vault.as_ref()));
    match tokio::time::timeout(Duration::from_secs(VAULT_TIMEOUT_SECS), task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(VaultError::Failed(e.to_string())),
        Err(_) => Err(VaultError::TimedOut(VAULT_TIMEOUT_SECS)),
    }
}

/// Runs a keyring write on the blocking pool and waits for its end, without a time limit: a
/// write must never land after its caller gave up on it.
async fn vault_write(
    vault: &Arc<dyn SecretStore>,
    call: impl FnOnce(&dyn SecretStore) -> Result<(), VaultError> + Send + 'static,
) -> Result<(), VaultError> {
    let vault = vault.clone();
    match tokio::task::spawn_blocking(move || call(vault.as_ref())).await {
        Ok(result) => result,
        Err(e) => Err(VaultError::Failed(e.to_string())),
    }
}

fn fields(profile: &Profile) -> Vec<SecretField> {
    match &profile.auth {
        AuthSettings::AkSk { temporary: true, .. } => vec![SecretField::SecretKey, SecretField::SecurityToken],
        AuthSettings::AkSk { .. } => vec![SecretField::SecretKey],
        AuthSettings::Password { .. } => vec![SecretField::Password],
    }
}

/// Stores the secrets, then the profile; on any failure nothing changes.
pub async fn save(
    path: &Path,
    vault: &Arc<dyn SecretStore>,
    profile: Profile,
    secrets: ProfileSecrets,
    previous_name: Option<String>,
) -> Result<Saved, String> {
    profile.validate()?;
    let mut file = profiles::load(path)?;
    // A new name must be free; editing may keep its own name.
    let taken = file.profiles.iter().any(|p| p.name == profile.name);
    if taken && previous_name.as_deref() != Some(profile.name.as_str()) {
        return Err(format!("A profile named {} exists already.", profile.name));
    }
    let renamed_from = previous_name.clone().filter(|p| *p != profile.name);
    let mut given: Vec<(SecretField, Secret)> = Vec::new();
    for field in fields(&profile) {
        let value = match field {
            SecretField::SecretKey => secrets.secret_key.clone(),
            SecretField::SecurityToken => secrets.security_token.clone(),
            SecretField::Password => secrets.password.clone(),
        };
        if let Some(s) = value.filter(|s| !s.is_empty()) {
            given.push((field, s));
        } else if let Some(editing) = previous_name.clone() {
            // Editing may keep the stored secret (under the old name when renaming).
            let name = editing;
            let stored = vault_call(vault, move |v| v.get(&name, field)).await.map_err(|e| e.to_string())?;
            let Some(s) = stored else { return Err(format!("Enter the {}.", field.label())) };
            given.push((field, s));
        } else {
            // A new profile never adopts what an old one of the same name left in the keyring.
            return Err(format!("Enter the {}.", field.label()));
        }
    }
    // What the vault holds under this name now, to put back if the file cannot be written: an
    // SK is shown once by the cloud, so a failed edit must never lose the stored one.
    let name = profile.name.clone();
    let fields_given: Vec<SecretField> = given.iter().map(|(f, _)| *f).collect();
    let before = vault_call(vault, move |v| {
        fields_given.iter().map(|f| Ok((*f, v.get(&name, *f)?))).collect::<Result<Vec<_>, VaultError>>()
    })
    .await
    .map_err(|e| e.to_string())?;
    // Writes wait for the keyring's answer however long it takes (the user can stop waiting, the
    // edit goes on): a write abandoned at a time limit could still land later, behind the back of
    // the rollback or of a later edit.
    let name = profile.name.clone();
    let to_store = given.clone();
    let stored = vault_write(vault, move |v| {
        for (field, secret) in &to_store {
            v.set(&name, *field, secret)?;
        }
        Ok(())
    })
    .await
    .map_err(|e| e.to_string());
    file.profiles.retain(|p| p.name != profile.name && Some(&p.name) != renamed_from.as_ref());
    file.profiles.push(profile.clone());
    file.version = 1;
    let written = stored.and_then(|()| profiles::save(path, &file).map_err(|e| e.to_string()));
    if let Err(e) = written {
        // A secret stored, then a failure (the next secret, or the file): the keyring goes back
        // to what it held, as the file still says.
        let name = profile.name.clone();
        let restored = vault_write(vault, move |v| {
            for (field, old) in &before {
                match old {
                    Some(secret) => v.set(&name, *field, secret)?,
                    None => v.delete(&name, *field)?,
                }
            }
            Ok(())
        })
        .await;
        return Err(match restored {
            Ok(()) => format!("{e} Nothing was changed."),
            Err(v) => format!("{e} The keyring could not be put back as it was ({v}); check the profile's secrets."),
        });
    }
    let mut warnings = Vec::new();
    if let Some(old) = renamed_from {
        // Only now that the file names the profile anew do the old name's secrets go.
        let name = old.clone();
        if let Err(e) = vault_write(vault, move |v| delete_all(v, &name)).await {
            warnings.push(format!(
                "Profile {} was saved, but the secrets stored under its old name {old} could not be removed: {e} \
                 Remove them in your keyring manager.",
                profile.name
            ));
        }
    }
    Ok(Saved { profiles: file.profiles, warnings })
}

fn delete_all(vault: &dyn SecretStore, name: &str) -> Result<(), VaultError> {
    for field in [SecretField::SecretKey, SecretField::SecurityToken, SecretField::Password] {
        vault.delete(name, field)?;
    }
    Ok(())
}

/// Removes a profile, then its secrets: the file first, so a keyring failure cannot leave a
/// profile without secrets; secrets that could not be removed are reported.
pub async fn delete(path: &Path, vault: &Arc<dyn SecretStore>, name: String) -> Result<Saved, String> {
    let mut file = profiles::load(path)?;
    file.profiles.retain(|p| p.name != name);
    profiles::save(path, &file).map_err(|e| e.to_string())?;
    let mut warnings = Vec::new();
    let who = name.clone();
    if let Err(e) = vault_write(vault, move |v| delete_all(v, &who)).await {
        warnings.push(format!(
            "Profile {name} was deleted, but its secrets could not be removed from the keyring: {e} Remove them in \
             your keyring manager."
        ));
    }
    Ok(Saved { profiles: file.profiles, warnings })
}

/// A session for a profile, with its secrets read from the vault.
pub async fn session(profile: &Profile, vault: &Arc<dyn SecretStore>) -> Result<CloudSession, String> {
    session_with(profile, vault, &ProfileSecrets::default()).await
}

/// A session for a profile with the secrets typed (a form being tested), the vault's for the rest.
pub async fn session_with(
    profile: &Profile,
    vault: &Arc<dyn SecretStore>,
    typed: &ProfileSecrets,
) -> Result<CloudSession, String> {
    let get = |field, typed: &Option<Secret>| {
        let name = profile.name.clone();
        let typed = typed.clone().filter(|s| !s.is_empty());
        async move {
            match typed {
                Some(s) => Ok(Some(s)),
                None => vault_call(vault, move |v| v.get(&name, field)).await.map_err(|e| e.to_string()),
            }
        }
    };
    let missing = |what: &str| {
        format!(
            "The {what} of profile {} is not stored (secrets: {}); edit the profile to enter it.",
            profile.name,
            vault.describe()
        )
    };
    let credentials = match &profile.auth {
        AuthSettings::AkSk { access_key, temporary } => Credentials::AkSk {
            access_key: access_key.clone(),
            secret_key: get(SecretField::SecretKey, &typed.secret_key).await?.ok_or_else(|| missing("secret key"))?,
            security_token: if *temporary {
                Some(
                    get(SecretField::SecurityToken, &typed.security_token)
                        .await?
                        .ok_or_else(|| missing("security token"))?,
                )
            } else {
                None
            },
        },
        AuthSettings::Password { domain_name, user_name } => Credentials::Password {
            domain_name: domain_name.clone(),
            user_name: user_name.clone(),
            password: get(SecretField::Password, &typed.password).await?.ok_or_else(|| missing("password"))?,
        },
    };
    let connection = Connection {
        endpoint: profile.endpoint.clone(),
        ca_file: profile.ca_file.clone(),
        template: profile.template()?,
        host_override: match profile.resolve_to {
            Some(addr) => Some(crate::cloud::HostOverride::to_loopback(addr).map_err(|e| e.to_string())?),
            None => None,
        },
        home_region: profile.regions.first().cloned(),
        ..Connection::new(profile.cloud)
    };
    CloudSession::connect(&connection, credentials).map_err(|e| e.to_string())
}

/// The regions a profile scans: its list, or every region the account has a project in.
pub async fn regions(profile: &Profile, session: &CloudSession) -> Result<Vec<String>, String> {
    if !profile.regions.is_empty() {
        return Ok(profile.regions.clone());
    }
    crate::inventory::discover_regions(session).await.map_err(|e| {
        // Refused credentials are a failed sign-in, whatever call found it out.
        if session.auth_failure().is_some() {
            format!("cannot sign in: {e}")
        } else {
            format!("cannot list the account's regions (name them in the profile if it may not list them): {e}")
        }
    })
}

/// Tests a profile: signs in, resolves the regions' project ids and the account id.
pub async fn test(profile: &Profile, vault: &Arc<dyn SecretStore>, typed: &ProfileSecrets) -> Result<String, String> {
    let session = session_with(profile, vault, typed).await?;
    let regions = regions(profile, &session).await?;
    for region in &regions {
        session.project_id(region).await.map_err(|e| format!("{region}: {e}"))?;
    }
    let account = match session.domain_id().await {
        Ok(_) => "account id resolved".to_owned(),
        Err(e) => format!("account id not resolved ({e}); private CA certificates will not list"),
    };
    Ok(format!("Connected: {} region(s) ({}); {account}.", regions.len(), regions.join(", ")))
}
