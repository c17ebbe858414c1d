//! `certdesk download`: an instance's CA certificate, fetched through its presigned link and
//! saved atomically; what it holds is summarised.

use clap::Args;
use serde_json::json;

use super::connect::ConnectArgs;
use super::list::ServiceArg;
use super::{EXIT_FAILURE, EXIT_OK, OutArgs, output};
use crate::certs::{archive, pem, summary};
use crate::cloud::download::LinkFetcher;
use crate::cloud::{dcs, geminidb};
use crate::store::{self, Sensitivity};

/// Options of `download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// Connection options (give the instance's `--region`).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// dcs or gemini-db.
    #[arg(long, value_enum, default_value = "dcs")]
    pub service: ServiceArg,
    /// The instance id.
    pub instance_id: String,
    /// Where to save.
    #[command(flatten)]
    pub out: OutArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub(super) async fn run(args: DownloadArgs) -> u8 {
    match download(&args).await {
        Ok(value) => {
            if args.json {
                output::json(&value);
            } else {
                output::line(&format!("Saved {} ({} bytes)", args.out.out.display(), value["size_bytes"]));
                for c in value["certificates"].as_array().into_iter().flatten() {
                    output::line(&format!(
                        "  {}  issuer {}  expires {}  ({} days left)",
                        c["subject"].as_str().unwrap_or(""),
                        c["issuer"].as_str().unwrap_or(""),
                        c["not_after"].as_str().unwrap_or(""),
                        c["days_left"]
                    ));
                }
            }
            EXIT_OK
        }
        Err(e) => {
            output::error(&e);
            EXIT_FAILURE
        }
    }
}

async fn download(args: &DownloadArgs) -> Result<serde_json::Value, String> {
    let region = args.connect.single_region()?;
    let session = args.connect.session().await?;
    let link = match args.service {
        ServiceArg::Dcs => {
            dcs::ssl_cert_link(&session, region, &args.instance_id).await.map_err(|e| e.to_string())?.link
        }
        ServiceArg::GeminiDb => {
            geminidb::ssl_cert_link(&session, region, &args.instance_id).await.map_err(|e| e.to_string())?.download_link
        }
        ServiceArg::Ccm => return Err("PCA certificates are exported: use `certdesk export`".into()),
    };
    output::progress("Fetching the certificate from object storage...");
    let fetcher = LinkFetcher::new(session.http(), session.endpoints().link_policy()).map_err(|e| e.to_string())?;
    let clock = session.http().clock().clone();
    let bytes = fetcher.fetch(&link, clock.as_ref()).await.map_err(|e| e.to_string())?;
    // Read before saving: a download that holds no certificate is an error, not a file.
    let certs = certificates_in(&bytes)?;
    if let Some(dir) = args.out.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        store::sweep_temp_files(dir);
    }
    store::write_atomic(&args.out.out, &bytes, Sensitivity::Public, args.out.overwrite()).map_err(|e| e.to_string())?;
    let now = clock.now();
    let described: Vec<_> = certs
        .iter()
        .map(|(name, s)| {
            json!({"file": name, "subject": s.subject, "issuer": s.issuer, "serial": s.serial_hex,
                   "not_before": s.not_before.to_string(), "not_after": s.not_after.date().to_string(),
                   "days_left": summary::days_left(now, s.not_after), "is_ca": s.is_ca})
        })
        .collect();
    Ok(json!({"path": args.out.out, "size_bytes": bytes.len(), "certificates": described}))
}

/// The certificates in a download: a zip of PEM files, or PEM/DER itself.
fn certificates_in(bytes: &[u8]) -> Result<Vec<(String, summary::CertSummary)>, String> {
    let files = if archive::is_zip(bytes) {
        archive::read_zip("download", bytes, archive::ArchiveLimits::default())
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|e| (e.name, e.bytes))
            .collect()
    } else {
        vec![("download".to_owned(), bytes.to_vec())]
    };
    let mut out = Vec::new();
    for (name, content) in files {
        let Ok(ders) = pem::certificates(&name, &content) else { continue };
        for der in ders {
            out.push((name.clone(), summary::summarize(&name, &der).map_err(|e| e.to_string())?));
        }
    }
    if out.is_empty() {
        return Err("the download holds no certificate; nothing was saved".into());
    }
    Ok(out)
}
