//! Profiles on disk: everything but secrets, in the platform's config folder, written atomically
//! so a crash never leaves a half-written file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Overwrite, Sensitivity, StoreError, write_atomic};
use crate::cloud::Cloud;

/// How a profile signs in; the secrets themselves are in the vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AuthSettings {
    /// AK/SK (with a security token for temporary keys).
    AkSk {
        /// The access key id (not secret).
        access_key: String,
        /// Whether a security token is stored too.
        #[serde(default)]
        temporary: bool,
    },
    /// IAM user and password.
    Password {
        /// The account (domain) name.
        domain_name: String,
        /// The IAM user.
        user_name: String,
    },
}

/// One account to scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Unique name.
    pub name: String,
    /// The cloud.
    pub cloud: Cloud,
    /// Sign-in settings.
    pub auth: AuthSettings,
    /// Regions to scan; empty means every region the account has a project in.
    #[serde(default)]
    pub regions: Vec<String>,
    /// One base URL for every service instead of the public catalog.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// An extra CA certificate to trust (TLS proxies, private clouds).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

impl Profile {
    /// Checks what the form can get wrong, with a message for the user.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() || self.name.contains('/') {
            return Err("Give the profile a name (without '/').".into());
        }
        match &self.auth {
            AuthSettings::AkSk { access_key, .. } if access_key.trim().is_empty() => {
                return Err("Enter the access key (AK).".into());
            }
            AuthSettings::Password { domain_name, user_name }
                if domain_name.trim().is_empty() || user_name.trim().is_empty() =>
            {
                return Err("Enter the account (domain) name and the IAM user name.".into());
            }
            _ => {}
        }
        if let Some(url) = &self.endpoint {
            crate::cloud::Endpoints::custom(self.cloud, url).map_err(|e| e.to_string())?;
        }
        for region in &self.regions {
            crate::cloud::validate::region(region).map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

/// The profiles file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilesFile {
    /// Format version.
    #[serde(default)]
    pub version: u32,
    /// Profiles, in the order the user made them.
    #[serde(default)]
    pub profiles: Vec<Profile>,
}

/// Where the profiles file lives: `CERTDESK_CONFIG_DIR`, else the platform config folder.
pub fn default_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CERTDESK_CONFIG_DIR") {
        return Some(PathBuf::from(dir).join("profiles.json"));
    }
    directories::ProjectDirs::from("io.github", "certdesk", "certdesk").map(|d| d.config_dir().join("profiles.json"))
}

/// Reads the profiles; a missing file is an empty list, a damaged one an error (never overwritten silently).
pub fn load(path: &Path) -> Result<ProfilesFile, String> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            format!("{} is damaged ({e}); fix or remove it, certdesk will not overwrite it", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile { version: 1, profiles: Vec::new() }),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes the profiles atomically (the folder is created when missing).
pub fn save(path: &Path, file: &ProfilesFile) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io { path: dir.to_owned(), source })?;
    }
    let bytes = serde_json::to_vec_pretty(file).unwrap_or_default();
    // Not secret, but nobody else needs to read the account names either.
    write_atomic(path, &bytes, Sensitivity::Secret, Overwrite::Replace)
}
