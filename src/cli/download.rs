//! `certdesk download`: an instance's CA certificate, fetched through its presigned link and
//! saved atomically; what it holds is summarised.

use clap::Args;
use serde_json::json;

use super::connect::ConnectArgs;
use super::list::ServiceArg;
use super::{EXIT_FAILURE, EXIT_OK, OutArgs, output};
use crate::certs::{archive, summary};
use crate::cloud::Service;
use crate::inventory::ca_download;
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
                let how = if value["format"] == value["received"] {
                    format!("  written as received ({})", value["received"].as_str().unwrap_or_default())
                } else {
                    format!(
                        "  written as PEM text: the certificates of the {} received",
                        value["received"].as_str().unwrap_or_default()
                    )
                };
                output::line(&how);
                for c in value["certificates"].as_array().into_iter().flatten() {
                    // From the file the cloud sent: each value kept on its line.
                    let text = |key: &str| crate::text::inert(c[key].as_str().unwrap_or("")).into_owned();
                    output::line(&format!(
                        "  {}  issuer {}  expires {}  ({} days left)",
                        text("subject"),
                        text("issuer"),
                        text("not_after"),
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
    let session = args.connect.session().await?;
    let region = args.connect.single_region()?;
    let service = match args.service {
        ServiceArg::Dcs => Service::Dcs,
        ServiceArg::GeminiDb => Service::GeminiDb,
        ServiceArg::Ccm => return Err("PCA certificates are exported: use `certdesk export`".into()),
        ServiceArg::Scm => return Err("SCM certificates are exported: use `certdesk export --service scm`".into()),
        ServiceArg::Elb => {
            return Err(
                "load balancer certificates are listed with their details: `certdesk list --service elb --json`".into(),
            );
        }
    };
    output::progress("Fetching the certificate from object storage...");
    let fetched = ca_download::download_ca(&session, service, region, &args.instance_id).await?;
    // A name ending in .pem or .crt gets PEM text; anything else the file as the cloud sent it.
    let as_pem = ca_download::wants_pem(&args.out.out);
    let bytes = if as_pem { fetched.to_pem() } else { fetched.bytes.to_vec() };
    if let Some(dir) = args.out.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        store::sweep_temp_files(dir);
    }
    store::write_atomic(&args.out.out, &bytes, Sensitivity::Public, args.out.overwrite()).map_err(|e| e.to_string())?;
    let now = session.http().clock().now();
    let described: Vec<_> = fetched
        .certificates
        .iter()
        .filter_map(|(name, der)| summary::summarize(name, der).ok().map(|s| (name, s)))
        .map(|(name, s)| {
            json!({"file": name, "subject": s.subject, "issuer": s.issuer, "serial": s.serial_hex,
                   "not_before": s.not_before.to_string(), "not_after": s.not_after.date().to_string(),
                   "days_left": summary::days_left(now, s.not_after), "is_ca": s.is_ca})
        })
        .collect();
    let received = if archive::is_zip(&fetched.bytes) { "zip" } else { "pem" };
    if !fetched.left_out.is_empty() {
        output::progress(&format!(
            "Left out of the saved zip (they hold no certificate): {}",
            fetched.left_out.join(", ")
        ));
    }
    Ok(json!({"path": args.out.out, "size_bytes": bytes.len(), "format": if as_pem { "pem" } else { received },
              "received": received, "certificates": described, "left_out": fetched.left_out}))
}
