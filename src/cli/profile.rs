//! `certdesk profile`: the app's profiles from the command line, through the same code the app
//! uses (profiles file, keyring, validation, rollback). Secrets come from standard input or the
//! official SDKs' environment variables, never from the command line.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Subcommand};
use serde_json::json;

use super::connect::CloudArg;
use super::{EXIT_FAILURE, EXIT_OK, output};
use crate::cloud::{Cloud, Secret};
use crate::store::profiles::{self, AuthSettings, Profile};
use crate::vault::SecretStore;
use crate::worker::ProfileSecrets;
use crate::worker::profiles as ops;

/// Options of `profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: ProfileAction,
}

/// The profile subcommands.
#[derive(Debug, Subcommand)]
pub enum ProfileAction {
    /// Store a profile: settings in the profiles file, its secret in the system keyring.
    Add(Box<AddArgs>),
    /// List the stored profiles (no secrets).
    List {
        /// Print JSON (schema `certdesk.profiles.v1`).
        #[arg(long)]
        json: bool,
    },
    /// Sign in with a stored profile and report the regions it reaches.
    Test {
        /// The profile.
        name: String,
    },
    /// Remove a stored profile and its secrets.
    Remove {
        /// The profile.
        name: String,
    },
}

/// Options of `profile add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The profile's name.
    pub name: String,
    /// The cloud: huawei-cloud, open-telekom-cloud or swiss-otc.
    #[arg(long, value_enum, default_value = "huawei-cloud")]
    pub cloud: CloudArg,
    /// Access key id (AK/SK sign-in); the secret key comes from --secret-stdin or HUAWEICLOUD_SDK_SK.
    #[arg(long, conflicts_with_all = ["iam_user", "iam_domain"], required_unless_present = "iam_user")]
    pub access_key: Option<String>,
    /// IAM user (password sign-in); the password comes from --secret-stdin or CERTDESK_IAM_PASSWORD.
    #[arg(long, requires = "iam_domain")]
    pub iam_user: Option<String>,
    /// The account (domain) of the IAM user.
    #[arg(long, requires = "iam_user")]
    pub iam_domain: Option<String>,
    /// A region to scan; repeat for several. Default: every region the account has a project in.
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// One base URL for all services (the simulator, a private cloud).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Extra CA certificate (PEM) to trust.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// A private cloud's host per service and region, e.g. `https://{service}.{region}.cloud.example`
    /// (`{service}`: iam, dcs, gaussdb-nosql, ccm, elb, scm); the first --region is its home region.
    #[arg(long, requires = "object_storage_suffix")]
    pub endpoint_template: Option<String>,
    /// With --endpoint-template: the host suffix its object-storage download links end in.
    #[arg(long, requires = "endpoint_template")]
    pub object_storage_suffix: Option<String>,
    /// A simulator in production-hostname mode stands in for the cloud: its names resolve to
    /// this loopback socket (the `resolve_to` of `certdesk sim --hostnames`'s JSON line), and
    /// no other name is looked up. Trust its CA with --ca-file.
    #[arg(long, conflicts_with = "endpoint")]
    pub resolve_to: Option<std::net::SocketAddr>,
    /// Read the secret key (or password) from standard input, one line.
    #[arg(long)]
    pub secret_stdin: bool,
}

/// Runs a profile subcommand.
pub(super) async fn run(args: ProfileArgs) -> u8 {
    let result = match args.action {
        ProfileAction::Add(add) => self::add(*add).await,
        ProfileAction::List { json } => list(json),
        ProfileAction::Test { name } => test(&name).await,
        ProfileAction::Remove { name } => remove(name).await,
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => {
            output::error(&e);
            EXIT_FAILURE
        }
    }
}

fn path() -> Result<PathBuf, String> {
    profiles::default_path().ok_or_else(|| "no configuration folder is known on this system".to_owned())
}

/// The stored profile of this name, if any.
pub(super) fn stored(name: &str) -> Result<Option<Profile>, String> {
    let file = profiles::load(&path()?)?;
    Ok(file.profiles.into_iter().find(|p| p.name == name))
}

/// The system keyring, opened as the app opens it.
pub(super) async fn open_keyring() -> Result<Arc<dyn SecretStore>, String> {
    ops::open_keyring(None).await
}

fn env(name: &str) -> Option<Secret> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty()).map(Secret::new)
}

/// The secret: one line of standard input, or the environment variable the official SDKs use.
fn secret(stdin: bool, variable: &str) -> Result<Secret, String> {
    if stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| format!("cannot read standard input: {e}"))?;
        let line = text.lines().next().unwrap_or_default().trim().to_owned();
        if line.is_empty() {
            return Err("standard input held no secret".into());
        }
        return Ok(Secret::new(line));
    }
    env(variable).ok_or_else(|| format!("give the secret on standard input with --secret-stdin, or set {variable}"))
}

async fn add(args: AddArgs) -> Result<(), String> {
    let (auth, secrets) = match (&args.access_key, &args.iam_user, &args.iam_domain) {
        (Some(ak), None, None) => {
            let token = env("HUAWEICLOUD_SDK_SECURITY_TOKEN");
            let secrets = ProfileSecrets {
                secret_key: Some(secret(args.secret_stdin, "HUAWEICLOUD_SDK_SK")?),
                security_token: token.clone(),
                password: None,
            };
            (AuthSettings::AkSk { access_key: ak.clone(), temporary: token.is_some() }, secrets)
        }
        (None, Some(user), Some(domain)) => {
            let secrets = ProfileSecrets {
                password: Some(secret(args.secret_stdin, "CERTDESK_IAM_PASSWORD")?),
                ..ProfileSecrets::default()
            };
            (AuthSettings::Password { domain_name: domain.clone(), user_name: user.clone() }, secrets)
        }
        _ => return Err("give --access-key, or --iam-user with --iam-domain".into()),
    };
    let profile = Profile {
        name: args.name.clone(),
        cloud: Cloud::from(args.cloud),
        auth,
        regions: args.regions.iter().map(|r| r.trim().to_ascii_lowercase()).collect(),
        endpoint: args.endpoint.clone(),
        ca_file: args.ca_file.clone(),
        endpoint_template: args.endpoint_template.clone(),
        object_storage_suffix: args.object_storage_suffix.clone(),
        resolve_to: args.resolve_to,
    };
    profile.validate()?;
    let vault = open_keyring().await?;
    let path = path()?;
    let saved = ops::save(&path, &vault, profile, secrets, None).await?;
    lift_pause(&args.name);
    for warning in &saved.warnings {
        output::progress(warning);
    }
    output::line(&format!("Profile {} saved ({}; secret in the {}).", args.name, path.display(), vault.describe()));
    Ok(())
}

fn list(as_json: bool) -> Result<(), String> {
    let file = profiles::load(&path()?)?;
    if as_json {
        output::json(&json!({"schema": "certdesk.profiles.v1", "profiles": file.profiles}));
        return Ok(());
    }
    let rows: Vec<Vec<String>> = file
        .profiles
        .iter()
        .map(|p| {
            let sign_in = match &p.auth {
                AuthSettings::AkSk { access_key, temporary: false } => format!("AK {access_key}"),
                AuthSettings::AkSk { access_key, temporary: true } => format!("AK {access_key} (temporary)"),
                AuthSettings::Password { domain_name, user_name } => format!("IAM {user_name}@{domain_name}"),
            };
            let regions = if p.regions.is_empty() { "all".to_owned() } else { p.regions.join(",") };
            vec![p.name.clone(), p.cloud.label().to_owned(), sign_in, regions, p.endpoint.clone().unwrap_or_default()]
        })
        .collect();
    output::line(&output::table(&["NAME", "CLOUD", "SIGN-IN", "REGIONS", "ENDPOINT"], &rows));
    Ok(())
}

/// Lifts a profile's pause (it was changed, removed, or tested and signed in).
fn lift_pause(name: &str) {
    if let Some(path) = crate::store::paused::default_path() {
        crate::store::paused::lift(&path, name);
    }
}

async fn test(name: &str) -> Result<(), String> {
    let profile = stored(name)?.ok_or_else(|| format!("no stored profile named {name}"))?;
    let vault = open_keyring().await?;
    let message = ops::test(&profile, &vault, &ProfileSecrets::default()).await.map_err(|e| format!("{name}: {e}"))?;
    // Asked for and signed in: a pause after a refusal is lifted, here and in the app.
    lift_pause(name);
    output::line(&crate::text::inert(&format!("Profile {name}: {message}")));
    Ok(())
}

async fn remove(name: String) -> Result<(), String> {
    if stored(&name)?.is_none() {
        return Err(format!("no stored profile named {name}"));
    }
    let vault = open_keyring().await?;
    let removed = ops::delete(&path()?, &vault, name.clone()).await?;
    lift_pause(&name);
    if removed.warnings.is_empty() {
        output::line(&format!("Profile {} removed (and its secrets).", crate::text::inert(&name)));
    } else {
        output::line(&format!("Profile {} removed.", crate::text::inert(&name)));
        for warning in &removed.warnings {
            output::progress(warning);
        }
    }
    Ok(())
}
