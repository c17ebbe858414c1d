//! Secrets of profiles (secret key, security token, password) live only here: in the OS keyring
//! (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows), or for this
//! session only in memory when the user chooses so because no keyring can be used. Never on disk.
//!
//! Calls block (D-Bus, Keychain): the worker runs them off the UI thread, with a time limit.

mod keyring_store;
mod memory;

pub use keyring_store::KeyringStore;
pub use memory::MemoryStore;

use crate::cloud::Secret;

/// Which secret of a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretField {
    /// The AK/SK secret key.
    SecretKey,
    /// The security token of temporary keys.
    SecurityToken,
    /// The IAM user's password.
    Password,
}

impl SecretField {
    /// The keyring entry's user part for a profile.
    pub fn entry_user(self, profile: &str) -> String {
        let field = match self {
            Self::SecretKey => "secret-key",
            Self::SecurityToken => "security-token",
            Self::Password => "password",
        };
        format!("{profile}/{field}")
    }

    /// What it is called in messages.
    pub fn label(self) -> &'static str {
        match self {
            Self::SecretKey => "secret key (SK)",
            Self::SecurityToken => "security token",
            Self::Password => "IAM password",
        }
    }
}

/// The keyring service name all certdesk entries use.
pub const SERVICE: &str = "certdesk";

/// Why a secret could not be read or stored. No secret is ever part of the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    /// No keyring service answers (no Secret Service on this desktop, or no session bus).
    #[error(
        "No system keyring is available: nothing on this computer answers for stored secrets (on Linux, start \
         GNOME Keyring, KWallet or KeePassXC with its Secret Service, then restart certdesk). Meanwhile \
         certdesk can keep secrets for this session only, in memory. Details: {0}"
    )]
    Unavailable(String),
    /// The keyring is locked and was not unlocked.
    #[error("The system keyring is locked ({0}). Unlock it (log in again or open your keyring manager) and retry.")]
    Locked(String),
    /// The keyring did not answer in time (an unlock prompt left open, or a hung service).
    #[error("The system keyring did not answer within {0} s. Check for an unlock prompt and retry.")]
    TimedOut(u64),
    /// The platform keyring cannot hold a value this long (Windows Credential Manager: 2,560 bytes).
    #[error(
        "The system keyring cannot store the {what}: it holds at most {limit} bytes there. Use a shorter secret, or \
         keep it for this session only."
    )]
    TooLong {
        /// What was too long.
        what: String,
        /// The platform's limit.
        limit: u32,
    },
    /// Anything else the keyring said.
    #[error("The system keyring failed: {0}")]
    Failed(String),
}

/// Where profile secrets are kept.
pub trait SecretStore: Send + Sync {
    /// A word for the UI: "system keyring" or "this session only".
    fn describe(&self) -> &'static str;
    /// Reads a secret; `None` when there is none.
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError>;
    /// Stores a secret, replacing an older one.
    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError>;
    /// Deletes a secret; deleting a missing one is not an error.
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError>;
}
