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
    /// A private cloud's host per service and region, e.g. `https://{service}.{region}.cloud.example`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_template: Option<String>,
    /// With a template: the object-storage host suffix its download links end in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_storage_suffix: Option<String>,
    /// The cloud's host names are answered by a simulator at this loopback socket (from its JSON
    /// line); nothing else is resolved for the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_to: Option<std::net::SocketAddr>,
}

impl Profile {
    /// The private-cloud template of this profile, when it has one (its first region is the home
    /// region global services use).
    pub fn template(&self) -> Result<Option<crate::cloud::endpoints::Template>, String> {
        let Some(pattern) = self.endpoint_template.clone() else { return Ok(None) };
        let home_region =
            self.regions.first().cloned().ok_or("a profile with an endpoint template must list its regions")?;
        let object_storage_suffix = self.object_storage_suffix.clone().unwrap_or_default();
        Ok(Some(crate::cloud::endpoints::Template { pattern, object_storage_suffix, home_region }))
    }
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
        if let Some(template) = self.template()? {
            crate::cloud::Endpoints::template(self.cloud, template).map_err(|e| e.to_string())?;
        }
        for region in &self.regions {
            crate::cloud::validate::region(region).map_err(|e| e.to_string())?;
        }
        if let Some(addr) = self.resolve_to {
            crate::cloud::HostOverride::to_loopback(addr).map_err(|e| e.to_string())?;
            if self.endpoint.is_some() {
                return Err(
                    "A profile with --resolve-to reaches the cloud by its own names: remove the endpoint.".into()
                );
            }
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
        Ok(bytes) => parse(&bytes).map_err(|e| {
            format!("{} is damaged ({e}); fix or remove it, certdesk will not overwrite it", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfilesFile { version: 1, profiles: Vec::new() }),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Reads a profiles file from its bytes.
pub fn parse(bytes: &[u8]) -> Result<ProfilesFile, serde_json::Error> {
    serde_json::from_slice(bytes)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_private_cloud_profile_needs_its_regions_a_suffix_and_an_https_template_and_round_trips() {
        let p: Profile = serde_json::from_str(
            r#"{"name": "hcs", "cloud": "huawei-cloud", "auth": {"kind": "ak-sk", "access_key": "AK"},
                "regions": ["region-1"], "endpoint_template": "https://{service}.{region}.cloud.example",
                "object_storage_suffix": "obs.cloud.example"}"#,
        )
        .unwrap();
        p.validate().unwrap();
        assert_eq!(p.template().unwrap().unwrap().home_region, "region-1");
        let back: Profile = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
        let without_regions = Profile { regions: Vec::new(), ..p.clone() };
        assert!(without_regions.validate().unwrap_err().contains("regions"));
        let plain_http = Profile { endpoint_template: Some("http://{service}.cloud.example".into()), ..p.clone() };
        assert!(plain_http.validate().unwrap_err().contains("https"));
        let no_suffix = Profile { object_storage_suffix: None, ..p.clone() };
        assert!(no_suffix.validate().is_err());
        // A profile of before has neither field and reads as it did.
        let old: Profile = serde_json::from_str(
            r#"{"name": "old", "cloud": "huawei-cloud", "auth": {"kind": "ak-sk", "access_key": "AK"}}"#,
        )
        .unwrap();
        assert!(old.template().unwrap().is_none() && !serde_json::to_string(&old).unwrap().contains("template"));
    }
}
