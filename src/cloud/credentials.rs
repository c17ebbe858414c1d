//! Credentials for one account. Secrets live in [`Secret`], whose `Debug` and `Display` never show them.

use std::fmt;

/// A secret string (secret key, password, token). Prints as `** redacted **`; its memory is
/// wiped when dropped.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(value.into()))
    }
    /// The secret itself, for signing or sending; never log the result.
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// How certdesk authenticates to one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// Access key / secret key, permanent or temporary (then with a security token).
    AkSk {
        /// The access key id (not secret, shown in the UI to tell keys apart).
        access_key: String,
        /// The secret access key.
        secret_key: Secret,
        /// The STS security token that comes with temporary keys.
        security_token: Option<Secret>,
    },
    /// IAM user and password, exchanged for tokens (POST /v3/auth/tokens).
    Password {
        /// The account (domain) name, e.g. `OTC00000000001000000xxx`.
        domain_name: String,
        /// The IAM user name.
        user_name: String,
        /// The user's password.
        password: Secret,
    },
}

impl Credentials {
    /// Permanent AK/SK.
    pub fn aksk(access_key: impl Into<String>, secret_key: impl Into<String>) -> Self {
        Self::AkSk { access_key: access_key.into(), secret_key: Secret::new(secret_key), security_token: None }
    }

    /// Reads the official SDKs' environment variables (`HUAWEICLOUD_SDK_AK`, `_SK`, `_SECURITY_TOKEN`).
    pub fn from_env() -> Option<Self> {
        let ak = std::env::var("HUAWEICLOUD_SDK_AK").ok().filter(|v| !v.is_empty())?;
        let sk = std::env::var("HUAWEICLOUD_SDK_SK").ok().filter(|v| !v.is_empty())?;
        let token = std::env::var("HUAWEICLOUD_SDK_SECURITY_TOKEN").ok().filter(|v| !v.is_empty());
        Some(Self::AkSk { access_key: ak, secret_key: Secret::new(sk), security_token: token.map(Secret::new) })
    }
}
