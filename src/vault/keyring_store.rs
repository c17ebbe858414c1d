//! The OS keyring through keyring-core and the platform's store crate.

use std::sync::Arc;

use keyring_core::{CredentialStore, Error};

use super::{SERVICE, SecretField, SecretStore, VaultError};
use crate::cloud::Secret;

/// The system keyring.
pub struct KeyringStore {
    /// `None` only while dropping.
    store: Option<Arc<CredentialStore>>,
}

impl Drop for KeyringStore {
    /// The Secret Service store closes its D-Bus proxies by blocking on them, which panics on an
    /// async runtime's thread: there, it is dropped on a plain thread instead.
    fn drop(&mut self) {
        if let Some(store) = self.store.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::Builder::new().name("keyring-close".into()).spawn(move || drop(store));
        }
    }
}

fn classify(e: Error) -> VaultError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    match e {
        // A reachable service that cannot hand out access: the unlock prompt failed or was dismissed.
        Error::NoStorageAccess(_)
            if lower.contains("lock")
                || lower.contains("prompt")
                || lower.contains("not returned")
                || lower.contains("dismiss") =>
        {
            VaultError::Locked(text)
        }
        Error::NoStorageAccess(_) => VaultError::Unavailable(text),
        Error::TooLong(what, limit) => VaultError::TooLong { what, limit },
        _ if lower.contains("locked") || lower.contains("dismissed") => VaultError::Locked(text),
        _ if lower.contains("serviceunknown")
            || lower.contains("no such")
            || lower.contains("dbus") && lower.contains("connect") =>
        {
            VaultError::Unavailable(text)
        }
        _ => VaultError::Failed(text),
    }
}

impl KeyringStore {
    /// Connects to the platform keyring.
    pub fn open() -> Result<Self, VaultError> {
        #[cfg(target_os = "linux")]
        let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new().map_err(classify)?;
        #[cfg(target_os = "macos")]
        let store: Arc<CredentialStore> = apple_native_keyring_store::keychain::Store::new().map_err(classify)?;
        #[cfg(target_os = "windows")]
        let store: Arc<CredentialStore> = windows_native_keyring_store::Store::new().map_err(classify)?;
        #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
        return Err(VaultError::Unavailable("no keyring support on this platform".into()));
        #[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
        Ok(Self { store: Some(store) })
    }

    fn entry(&self, profile: &str, field: SecretField) -> Result<keyring_core::Entry, VaultError> {
        let store = self.store.as_ref().ok_or_else(|| VaultError::Failed("the keyring is closed".into()))?;
        store.build(SERVICE, &field.entry_user(profile), None).map_err(classify)
    }
}

/// Windows Credential Manager holds at most 2,560 bytes per secret, stored as UTF-16: a longer
/// one (a long STS security token) is refused here with a clear message, before the write.
const WINDOWS_MAX_BLOB: usize = 2560;

fn check_size(field: SecretField, secret: &Secret) -> Result<(), VaultError> {
    let bytes = secret.expose().encode_utf16().count() * 2;
    if cfg!(windows) && bytes > WINDOWS_MAX_BLOB {
        return Err(VaultError::TooLong { what: field.label().to_owned(), limit: 2560 });
    }
    Ok(())
}

impl SecretStore for KeyringStore {
    fn describe(&self) -> &'static str {
        "system keyring"
    }

    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        match self.entry(profile, field)?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        check_size(field, secret)?;
        self.entry(profile, field)?.set_password(secret.expose()).map_err(classify)
    }

    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        match self.entry(profile, field)?.delete_credential() {
            Ok(()) | Err(Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_too_long_for_windows_is_refused_there_before_the_write() {
        let long = Secret::new("x".repeat(1281));
        let short = Secret::new("x".repeat(1280));
        assert!(check_size(SecretField::SecurityToken, &short).is_ok());
        let result = check_size(SecretField::SecurityToken, &long);
        if cfg!(windows) {
            let message = result.unwrap_err().to_string();
            assert!(message.contains("security token") && message.contains("2560 bytes"), "{message}");
        } else {
            assert!(result.is_ok(), "other platforms' keyrings hold it");
        }
    }
}
