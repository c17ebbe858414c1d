//! `certdesk convert`: a certificate, its chain and key into the format a server wants.

use std::path::PathBuf;

use clap::Args;

use super::inspect::{keystore_password, read_all};
use super::{EXIT_FAILURE, EXIT_OK, OutArgs, output};
use crate::certs::bundle::{OutputFormat, OwnedIdentity};
use crate::store;

/// Options of `convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Inputs (certificate, chain, key, keystore, PCA export or zip), read together.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// pem, der, chain, fullchain, key, p12, apache, nginx, iis, tomcat, other.
    #[arg(long)]
    pub to: OutputFormat,
    /// Where to write.
    #[command(flatten)]
    pub out: OutArgs,
    /// File holding the input keystore password (else CERTDESK_KEYSTORE_PASSWORD).
    #[arg(long)]
    pub password_file: Option<PathBuf>,
    /// File holding the password for the output PKCS#12 / keystore (else CERTDESK_OUTPUT_PASSWORD;
    /// IIS and TOMCAT bundles get a random one in keystorePass.txt when neither is set).
    #[arg(long)]
    pub out_password_file: Option<PathBuf>,
}

pub(super) fn run(args: &ConvertArgs) -> u8 {
    match convert(args) {
        Ok(()) => {
            output::line(&format!("Saved {}", args.out.out.display()));
            EXIT_OK
        }
        Err(e) => {
            output::error(&e);
            EXIT_FAILURE
        }
    }
}

fn output_password(args: &ConvertArgs) -> Result<String, String> {
    if let Some(path) = &args.out_password_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return Ok(text.trim_end_matches(['\r', '\n']).to_owned());
    }
    if let Some(pw) = std::env::var("CERTDESK_OUTPUT_PASSWORD").ok().filter(|p| !p.is_empty()) {
        return Ok(pw);
    }
    if args.to == OutputFormat::P12 {
        return Err("a PKCS#12 file needs a password: give --out-password-file or CERTDESK_OUTPUT_PASSWORD".into());
    }
    // Like PCA: a random password, shipped in the zip's keystorePass.txt.
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| "the system random generator failed")?;
    Ok(hex::encode(bytes))
}

fn convert(args: &ConvertArgs) -> Result<(), String> {
    let material = read_all(&args.inputs, keystore_password(args.password_file.as_ref())?)?;
    let owned = OwnedIdentity::from_material("the inputs", material, time::OffsetDateTime::now_utc())
        .map_err(|e| e.to_string())?;
    let identity = owned.identity();
    let bytes = identity.render(args.to, &output_password(args)?).map_err(|e| e.to_string())?;
    if let Some(dir) = args.out.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        store::sweep_temp_files(dir);
    }
    store::write_atomic(&args.out.out, &bytes, args.to.sensitivity(), args.out.overwrite()).map_err(|e| e.to_string())
}
