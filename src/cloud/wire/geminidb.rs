//! GeminiDB (GaussDB NoSQL) bodies: list instances, SSL certificate download link.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::lenient;

/// `GET /v3/{project_id}/instances` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ListInstancesResponse {
    /// This page.
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// Total matching instances.
    #[serde(default, deserialize_with = "lenient::u64")]
    pub total_count: u64,
}

/// One GeminiDB instance.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Instance {
    /// 32 hex + `in` + 2 digits.
    pub id: String,
    /// Display name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: String,
    /// `normal`, `abnormal`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub status: String,
    /// Port, a string in this API.
    #[serde(default, deserialize_with = "lenient::string")]
    pub port: String,
    /// `Cluster`, `ReplicaSet`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub mode: String,
    /// Region id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub region: String,
    /// Engine type and version.
    #[serde(default)]
    pub datastore: Datastore,
    /// SSL flag: `"1"` on, `"0"` off (absent on OTC).
    #[serde(default, deserialize_with = "lenient::opt_string", skip_serializing_if = "Option::is_none")]
    pub ssl: Option<String>,
    /// A CCM certificate bound to the instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ccm_cert_info: Option<CcmCertInfo>,
    /// Creation time, no zone (UTC).
    #[serde(default, deserialize_with = "lenient::string")]
    pub created: String,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

/// `datastore` of a GeminiDB instance.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Datastore {
    /// `cassandra`, `mongodb`, `influxdb`, `redis`, ...
    #[serde(default, rename = "type", deserialize_with = "lenient::string")]
    pub kind: String,
    /// Version.
    #[serde(default, deserialize_with = "lenient::string")]
    pub version: String,
    /// Every other field the service sends: written by the simulator, skipped when read (certdesk
    /// uses only the fields above; gathering the rest was most of a list's parse time).
    #[serde(flatten, skip_deserializing)]
    pub extra: Map<String, Value>,
}

/// `ccm_cert_info`: which CCM certificate the instance uses.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CcmCertInfo {
    /// PCA certificate id or SCM id.
    #[serde(default, deserialize_with = "lenient::string")]
    pub cert_id: String,
    /// `PCA` or `SSL`.
    #[serde(default, deserialize_with = "lenient::string")]
    pub cert_type: String,
}

/// `GET /v3/{project_id}/instances/{id}/ssl-cert/download-link` response.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DownloadLinkResponse {
    /// One link per certificate category.
    #[serde(default)]
    pub certs: Vec<DownloadLink>,
}

/// One certificate link.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct DownloadLink {
    /// `international`, ...
    #[serde(default, deserialize_with = "lenient::string")]
    pub category: String,
    /// Presigned link to `ca.crt` (never logged).
    #[serde(default, deserialize_with = "lenient::string")]
    pub download_link: String,
}

impl std::fmt::Debug for DownloadLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A presigned link is a credential while it lives.
        f.debug_struct("DownloadLink")
            .field("category", &self.category)
            .field("download_link", &"** redacted **")
            .finish()
    }
}
