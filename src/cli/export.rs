//! `certdesk export`: a private (PCA) or SCM certificate as PEM files or the console's zip per
//! server type, or a private CA certificate. Keys are written 0600, every file atomically.

use std::path::{Path, PathBuf};

use clap::Args;

use super::connect::ConnectArgs;
use super::{EXIT_FAILURE, EXIT_OK, OutArgs, output};
use crate::cloud::pca::{self, Export, ServerType};
use crate::inventory::pca_export;
use crate::store::{self, Overwrite, Sensitivity};

/// Options of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Connection options.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The certificate id (or, with `--ca`, the CA id).
    pub id: String,
    /// Whose certificate: ccm (a private certificate, the default) or scm (SSL Certificate Manager).
    #[arg(long, value_enum, default_value = "ccm")]
    pub service: ExportService,
    /// Export a private CA's certificate and chain instead.
    #[arg(long)]
    pub ca: bool,
    /// Server type: apache, nginx, iis, tomcat, other.
    #[arg(long = "type", default_value = "nginx")]
    pub server_type: ServerType,
    /// pem: files in the --out folder; zip: the console's archive at --out.
    #[arg(long, value_enum, default_value = "pem")]
    pub format: FormatArg,
    /// Where to save.
    #[command(flatten)]
    pub out: OutArgs,
}

/// The service a certificate is exported from.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum ExportService {
    /// CCM private CA certificates.
    Ccm,
    /// SSL Certificate Manager (its export is PEM; zips are built here).
    Scm,
}

/// Export format.
#[derive(Debug, Clone, Copy, clap::ValueEnum, PartialEq, Eq)]
pub enum FormatArg {
    /// PEM files.
    Pem,
    /// The server zip.
    Zip,
}

pub(super) async fn run(args: ExportArgs) -> u8 {
    match export(&args).await {
        Ok(paths) => {
            for p in paths {
                output::line(&format!("Saved {}", p.display()));
            }
            EXIT_OK
        }
        Err(e) => {
            output::error(&e);
            EXIT_FAILURE
        }
    }
}

async fn export(args: &ExportArgs) -> Result<Vec<PathBuf>, String> {
    let session = args.connect.session().await?;
    let overwrite = args.out.overwrite();
    // Temp files left by a crash earlier are swept from the folder written to.
    let folder = if args.out.out.is_dir() { Some(args.out.out.as_path()) } else { args.out.out.parent() };
    if let Some(dir) = folder.filter(|d| !d.as_os_str().is_empty()) {
        store::sweep_temp_files(dir);
    }
    if args.ca {
        let ca = pca::export_ca(&session, &args.id).await.map_err(|e| e.to_string())?;
        let pem = format!("{}{}", pca_export::lf(&ca.certificate), pca_export::lf(&ca.certificate_chain));
        store::write_atomic(&args.out.out, pem.as_bytes(), Sensitivity::Public, overwrite)
            .map_err(|e| e.to_string())?;
        return Ok(vec![args.out.out.clone()]);
    }
    if args.service == ExportService::Scm {
        let pem = crate::cloud::scm::export_as_pem(&session, &args.id).await.map_err(|e| e.to_string())?;
        if args.format == FormatArg::Zip {
            let now = session.http().clock().now();
            let zip = pca_export::server_zip(&pem, args.server_type, now).map_err(|e| e.to_string())?;
            store::write_atomic(&args.out.out, &zip, Sensitivity::Secret, overwrite).map_err(|e| e.to_string())?;
            return Ok(vec![args.out.out.clone()]);
        }
        return write_pem_set(&args.out.out, &pem, args.server_type, overwrite);
    }
    let compressed = args.format == FormatArg::Zip;
    let exported =
        pca::export_certificate(&session, &args.id, args.server_type, compressed).await.map_err(|e| e.to_string())?;
    match exported {
        Export::Zip { bytes, .. } => {
            store::write_atomic(&args.out.out, &bytes, Sensitivity::Secret, overwrite).map_err(|e| e.to_string())?;
            Ok(vec![args.out.out.clone()])
        }
        Export::Pem(pem) => write_pem_set(&args.out.out, &pem, args.server_type, overwrite),
    }
}

/// The PEM files a server type wants, written as one set (no key file when the cloud holds none).
fn write_pem_set(
    dir: &Path,
    pem: &crate::cloud::wire::pca::ExportResponse,
    kind: ServerType,
    overwrite: Overwrite,
) -> Result<Vec<PathBuf>, String> {
    let files = pca_export::server_files(pem, kind);
    let absent: Vec<&str> =
        pca_export::server_file_names(kind).into_iter().filter(|name| !files.iter().any(|(n, ..)| n == name)).collect();
    write_all(dir, &files, &absent, overwrite)
}

/// Writes the PEM files into a folder: all or none; with `--force` an existing set is replaced as
/// one (on a failure the old set is intact).
fn write_all(
    dir: &Path,
    files: &[(&str, String, Sensitivity)],
    absent: &[&str],
    overwrite: Overwrite,
) -> Result<Vec<PathBuf>, String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a folder; PEM exports write several files into a folder", dir.display()));
    }
    let set: Vec<(&str, &[u8], Sensitivity)> = files.iter().map(|(n, c, s)| (*n, c.as_bytes(), *s)).collect();
    store::write_set(dir, &set, absent, overwrite).map_err(|e| match e {
        store::StoreError::Exists(path) => {
            format!("{} already exists; nothing was written (use --force to replace)", path.display())
        }
        other => other.to_string(),
    })
}
