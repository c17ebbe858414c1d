//! Turning command-line options and the official SDKs' environment variables into a session.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use crate::cloud::{Cloud, CloudSession, Connection, Credentials, Secret};

/// Options every cloud command takes.
#[derive(Debug, Args, Clone)]
pub struct ConnectArgs {
    /// A profile stored with `certdesk profile add` (or in the app): its cloud, endpoint, regions
    /// and keyring secret are used. Without a stored profile of that name, the name only labels
    /// results and the credentials come from the environment.
    #[arg(long, global = true)]
    pub profile: Option<String>,
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
    /// A private cloud's host per service and region, e.g. `https://{service}.{region}.cloud.example`
    /// (`{service}`: iam, dcs, gaussdb-nosql, ccm, elb, scm); the first --region is its home region.
    #[arg(long, global = true, requires = "object_storage_suffix")]
    pub endpoint_template: Option<String>,
    /// With --endpoint-template: the host suffix its object-storage download links end in.
    #[arg(long, global = true, requires = "endpoint_template")]
    pub object_storage_suffix: Option<String>,
    /// A simulator in production-hostname mode stands in for the cloud: its names resolve to
    /// this loopback socket (the `resolve_to` of `certdesk sim --hostnames`'s JSON line), and
    /// no other name is looked up. Trust its CA with --ca-file.
    #[arg(long, global = true, conflicts_with = "endpoint")]
    pub resolve_to: Option<std::net::SocketAddr>,
    /// IAM user for password sign-in (password from CERTDESK_IAM_PASSWORD); default is AK/SK.
    #[arg(long, global = true)]
    pub iam_user: Option<String>,
    /// Account (domain) name for password sign-in.
    #[arg(long, global = true)]
    pub iam_domain: Option<String>,
    /// Calls in flight at most.
    #[arg(long, default_value_t = 16, global = true)]
    pub concurrency: usize,
    /// The regions of the stored profile, once `session` found one.
    #[arg(skip)]
    stored_regions: std::sync::OnceLock<Vec<String>>,
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
    /// The profile name results carry.
    pub fn label(&self) -> String {
        self.profile.clone().unwrap_or_else(|| "default".to_owned())
    }

    /// Builds the session: from the stored profile `--profile` names, else from the options and
    /// the environment; the error says what is missing.
    pub async fn session(&self) -> Result<Arc<CloudSession>, String> {
        if let Some(name) = &self.profile {
            match super::profile::stored(name)? {
                // Silently dropping it would send the profile's real keys to the real cloud.
                Some(_) if self.resolve_to.is_some() => {
                    return Err(format!(
                        "--resolve-to does not combine with the stored profile {name} (its own settings are \
                         used); store it in the profile (`certdesk profile add {name} ... --resolve-to ADDR`)"
                    ));
                }
                Some(profile) => {
                    // Refused before (here or in the app): nothing is sent until the user acts.
                    if let Some(why) = crate::store::paused::default_path()
                        .and_then(|path| crate::store::paused::load(&path).remove(name))
                    {
                        return Err(format!(
                            "profile {name}: {} Run `certdesk profile test {name}` once it is fixed.",
                            crate::store::paused::words(&why)
                        ));
                    }
                    let vault = super::profile::open_keyring().await?;
                    let session = crate::worker::profiles::session(&profile, &vault).await?;
                    let _ = self.stored_regions.set(profile.regions);
                    return Ok(Arc::new(session));
                }
                None if Credentials::from_env().is_some() || self.iam_user.is_some() => {
                    super::output::progress(&format!(
                        "No stored profile named {name}: using the environment's credentials, labelled {name}."
                    ));
                }
                None => {
                    return Err(format!(
                        "no stored profile named {name} (add one with `certdesk profile add {name} ...`, list them \
                         with `certdesk profile list`)"
                    ));
                }
            }
        }
        self.session_from_options().await
    }

    async fn session_from_options(&self) -> Result<Arc<CloudSession>, String> {
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
        let template = match &self.endpoint_template {
            Some(pattern) => Some(crate::cloud::endpoints::Template {
                pattern: pattern.clone(),
                object_storage_suffix: self.object_storage_suffix.clone().unwrap_or_default(),
                home_region: self
                    .regions
                    .first()
                    .cloned()
                    .ok_or("--endpoint-template needs --region (its home region)")?,
            }),
            None => None,
        };
        let connection = Connection {
            endpoint: self.endpoint.clone(),
            ca_file: self.ca_file.clone(),
            max_in_flight_per_host: Some(self.concurrency),
            template,
            host_override: match self.resolve_to {
                Some(addr) => Some(crate::cloud::HostOverride::to_loopback(addr).map_err(|e| e.to_string())?),
                None => None,
            },
            home_region: self.regions.first().cloned(),
            ..Connection::new(Cloud::from(self.cloud))
        };
        let session = CloudSession::connect(&connection, credentials).map_err(|e| e.to_string())?;
        if let (Some(project), [region]) = (env("HUAWEICLOUD_SDK_PROJECT_ID"), self.regions.as_slice()) {
            session.set_project_id(region, &project).await;
        }
        if let Some(domain) = env("HUAWEICLOUD_SDK_DOMAIN_ID") {
            session.set_domain_id(&domain).await;
        }
        Ok(Arc::new(session))
    }

    /// The regions to scan, with the credentials checked by one call first: a wrong secret fails
    /// once here instead of once per region and service (which would count toward a lockout).
    pub async fn signed_in_regions(&self, session: &CloudSession) -> Result<Vec<String>, String> {
        for region in &self.regions {
            crate::cloud::validate::region(region).map_err(|e| format!("--region: {e}"))?;
        }
        let signed_in = crate::inventory::discover_regions(session).await.map_err(|e| {
            // A stored profile the cloud refused is paused, for the next run and the app.
            if let (Some(refused), Some(_), Some(path)) =
                (session.auth_failure(), self.stored_regions.get(), crate::store::paused::default_path())
            {
                crate::store::paused::pause(&path, &self.label(), &refused);
            }
            format!("profile {}: cannot sign in: {e}", self.label())
        })?;
        if !self.regions.is_empty() {
            return Ok(self.regions.clone());
        }
        Ok(self.stored_regions.get().filter(|r| !r.is_empty()).cloned().unwrap_or(signed_in))
    }

    /// The one region a single-instance command needs (after `session`: a stored profile's one region counts).
    pub fn single_region(&self) -> Result<&str, String> {
        let regions = if self.regions.is_empty() {
            self.stored_regions.get().map_or(&[][..], Vec::as_slice)
        } else {
            &self.regions[..]
        };
        match regions {
            [one] => Ok(one),
            [] => Err("name the instance's region with --region".into()),
            _ => Err("give exactly one --region for this command".into()),
        }
    }
}
