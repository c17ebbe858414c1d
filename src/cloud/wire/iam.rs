//! IAM bodies: tokens, projects, domains.

use serde::{Deserialize, Serialize};

use super::lenient;

/// `GET /v3/projects` and `GET /v3/auth/projects` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ProjectsResponse {
    /// Projects.
    #[serde(default)]
    pub projects: Vec<Project>,
}

/// One IAM project (a region's default project is named after the region).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Project {
    /// 32 hex.
    pub id: String,
    /// Region id, or `region_sub` for sub-projects.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// Owning account.
    #[serde(default, deserialize_with = "lenient::string")]
    pub domain_id: String,
    /// Whether enabled.
    #[serde(default = "yes", deserialize_with = "lenient::bool")]
    pub enabled: bool,
}

impl Project {
    /// Whether this is a region's default project: enabled and named after a region. Sub-projects
    /// (`eu-de_team`) and MOS are not, and a name that is no region id never becomes part of a
    /// host name.
    pub fn is_region_default(&self) -> bool {
        self.enabled && crate::cloud::validate::is_region(&self.name)
    }
}

fn yes() -> bool {
    true
}

/// `GET /v3/auth/domains` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DomainsResponse {
    /// Domains; the SDK takes the first.
    #[serde(default)]
    pub domains: Vec<Domain>,
}

/// One account (domain).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Domain {
    /// Domain id.
    pub id: String,
    /// Domain name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
}

/// The body of `POST /v3/auth/tokens` (201); the token itself is in `X-Subject-Token`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenResponse {
    /// Token facts.
    pub token: TokenBody,
}

/// Token facts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenBody {
    /// ISO-8601 with microseconds and `Z`.
    pub expires_at: String,
    /// ISO-8601.
    #[serde(default)]
    pub issued_at: String,
    /// The user, with its domain.
    #[serde(default)]
    pub user: TokenUser,
    /// Set for project-scoped tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Project>,
}

/// Token user.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TokenUser {
    /// User id.
    #[serde(default)]
    pub id: String,
    /// User name.
    #[serde(default)]
    pub name: String,
    /// The user's account.
    #[serde(default)]
    pub domain: Domain,
}
