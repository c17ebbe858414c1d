//! Session-only secrets, kept in memory and gone when certdesk exits.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::{SecretField, SecretStore, VaultError};
use crate::cloud::Secret;

/// Secrets in memory for this session.
#[derive(Default)]
pub struct MemoryStore {
    secrets: Mutex<HashMap<(String, SecretField), Secret>>,
}

impl SecretStore for MemoryStore {
    fn describe(&self) -> &'static str {
        "this session only"
    }

    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        Ok(self.secrets.lock().unwrap_or_else(PoisonError::into_inner).get(&(profile.to_owned(), field)).cloned())
    }

    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner).insert((profile.to_owned(), field), secret.clone());
        Ok(())
    }

    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        self.secrets.lock().unwrap_or_else(PoisonError::into_inner).remove(&(profile.to_owned(), field));
        Ok(())
    }
}
