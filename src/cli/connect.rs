//! Turning command-line options and the official SDKs' environment variables into a session.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::cloud::{Cloud, CloudSession, Credentials, Endpoints, HttpClient, HttpConfig, Secret};

/// Options every cloud command takes.
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// Profile name to label results with (the CLI signs in with the environment variables, not the app's profiles).
    #[arg(long, default_value = "default", global = true)]
    pub profile: String,
    /// The cloud: huawei-cloud, open-telekom-cloud or swiss-otc.
    #[arg(long, value_enum, default_value = "huawei-cloud", global = true)]
    pub cloud: CloudArg,
    /// Region to scan; repeat for several. Default: every region the account has a project in.
    #[arg(long = "region", global = true)]
    pub regions: Vec<String>,
    /// One base URL for all services (the simulator, a private cloud).
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// Extra CA certificate (PEM) to trust, e.g. a TLS-inspecting proxy's.
    #[arg(long, global = true)]
    pub ca_file: Option<PathBuf>,
    /// IAM user for password sign-in (password from CERTDESK_IAM_PASSWORD); default is AK/SK.
    #[arg(long, global = true)]
    pub iam_user: Option<String>,
    /// Account (domain) name for password sign-in.
    #[arg(long, global = true)]
    pub iam_domain: Option<String>,
    /// Calls in flight at most.
    #[arg(long, default_value_t = 16, global = true)]
    pub concurrency: usize,
}

/// The cloud, as a command-line value.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CloudArg {
    /// Huawei Cloud international.
    HuaweiCloud,
    /// Open Telekom Cloud.
    OpenTelekomCloud,
    /// Swiss OTC.
    SwissOtc,
}

impl From<CloudArg> for Cloud {
    fn from(c: CloudArg) -> Self {
        match c {
            CloudArg::HuaweiCloud => Self::HuaweiCloud,
            CloudArg::OpenTelekomCloud => Self::OpenTelekomCloud,
            CloudArg::SwissOtc => Self::SwissOtc,
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ConnectArgs {
    /// Builds the session; the error says what is missing.
    pub async fn session(&self) -> Result<Arc<CloudSession>, String> {
        let cloud = Cloud::from(self.cloud);
        let endpoints = match &self.endpoint {
            Some(url) => Endpoints::custom(cloud, url).map_err(|e| e.to_string())?,
            None => Endpoints::catalog(cloud),
        };
        let credentials = match (&self.iam_user, &self.iam_domain) {
            (Some(user), Some(domain)) => Credentials::Password {
                domain_name: domain.clone(),
                user_name: user.clone(),
                password: Secret::new(
                    env("CERTDESK_IAM_PASSWORD").ok_or("set CERTDESK_IAM_PASSWORD for password sign-in")?,
                ),
            },
            (Some(_), None) | (None, Some(_)) => {
                return Err("password sign-in needs both --iam-user and --iam-domain".into());
            }
            (None, None) => Credentials::from_env().ok_or(
                "no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or use --iam-user/--iam-domain)",
            )?,
        };
        let config = HttpConfig {
            ca_file: self.ca_file.clone(),
            max_in_flight_per_host: self.concurrency.max(1),
            ..HttpConfig::default()
        };
        let http = HttpClient::new(config).map_err(|e| e.to_string())?;
        let session = CloudSession::new(http, endpoints, credentials);
        if let (Some(project), [region]) = (env("HUAWEICLOUD_SDK_PROJECT_ID"), self.regions.as_slice()) {
            session.set_project_id(region, &project).await;
        }
        if let Some(domain) = env("HUAWEICLOUD_SDK_DOMAIN_ID") {
            session.set_domain_id(&domain).await;
        }
        Ok(Arc::new(session))
    }

    /// The regions to scan: those given, or every region the account has a project in.
    pub async fn regions(&self, session: &CloudSession) -> Result<Vec<String>, String> {
        if !self.regions.is_empty() {
            return Ok(self.regions.clone());
        }
        crate::inventory::discover_regions(session).await.map_err(|e| format!("cannot list the account's regions: {e}"))
    }

    /// The one region a single-instance command needs.
    pub fn single_region(&self) -> Result<&str, String> {
        match self.regions.as_slice() {
            [one] => Ok(one),
            [] => Err("name the instance's region with --region".into()),
            _ => Err("give exactly one --region for this command".into()),
        }
    }
}
