//! Jobs that write files: CA downloads, private certificate exports (one file or a folder of
//! them) and inventory exports, each through the save dialog and the atomic store.

use super::accounts::Target;
use super::jobs::{Context, Outbox};
use super::{Event, ExportChoice, JobId, Outcome, SaveChoice};
use crate::certs::summary::{CertSummary, summarize};
use crate::cloud::Service;
use crate::inventory::ca_download;
use crate::inventory::export::safe_file_stem;
use crate::inventory::pca_export;
use crate::inventory::{InventoryRow, SslStatus};
use crate::store::{self, Overwrite, Sensitivity};

/// The file name the console gives an export of this kind.
pub(super) fn export_name(row: &InventoryRow, choice: &ExportChoice) -> String {
    let stem = safe_file_stem(&row.name);
    match choice {
        ExportChoice::PemBundle { include_key: true } => format!("{stem}-with-key.pem"),
        ExportChoice::PemBundle { include_key: false } => format!("{stem}.pem"),
        ExportChoice::ServerZip(kind) => format!("{stem}_{}.zip", kind.api_name().to_ascii_lowercase()),
        ExportChoice::Pkcs12(_) => format!("{stem}.p12"),
    }
}

/// A file name for a bulk export: the single file's name with the region and the start of the id,
/// so same-named instances of two regions, or a renewed certificate with the same name, never
/// collide in one folder.
fn bulk_name(row: &InventoryRow, server_type: crate::cloud::pca::ServerType) -> String {
    let id = safe_file_stem(&row.id);
    // SCM ids are `scs` and a millisecond time: their end tells them apart, their start does not.
    let id: String = if row.service == Service::Scm {
        id.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect()
    } else {
        id.chars().take(8).collect()
    };
    let stem = safe_file_stem(&row.name);
    match row.service {
        Service::Ccm | Service::Scm => format!("{stem}-{id}_{}.zip", server_type.api_name().to_ascii_lowercase()),
        Service::Dcs => format!("{stem}-{}-{id}-ca.zip", safe_file_stem(&row.region)),
        _ => format!("{stem}-{}-{id}-ca.crt", safe_file_stem(&row.region)),
    }
}

/// Writes a file the user chose, atomically, and reports it.
pub(super) async fn save_file(
    job: JobId,
    ctx: &Context,
    out: &Outbox,
    choice: SaveChoice,
    bytes: Vec<u8>,
    sensitivity: Sensitivity,
) -> Outcome {
    match write_chosen(ctx, &choice, bytes, sensitivity).await {
        Ok(()) => {
            ctx.saver.remember(&choice.path);
            out.send(Event::FileSaved { job, path: choice.path.clone() }).await;
            ctx.stop.told(&choice.path);
            Outcome::Done
        }
        Err(e) => Outcome::Failed(e),
    }
}

/// The atomic write of a chosen file, on the blocking pool; a job stopped meanwhile leaves no file
/// (its end waits for this write to return).
async fn write_chosen(
    ctx: &Context,
    choice: &SaveChoice,
    bytes: Vec<u8>,
    sensitivity: Sensitivity,
) -> Result<(), String> {
    let overwrite = if choice.overwrite_confirmed { Overwrite::Replace } else { Overwrite::Never };
    let path = choice.path.clone();
    let stop = ctx.stop.clone();
    ctx.stop
        .write(move || {
            // Temp files a crash left in this folder are swept before writing.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                store::sweep_temp_files(dir);
            }
            let written = store::write_atomic_unless(&path, &bytes, sensitivity, overwrite, &|| stop.is_stopped());
            if written.is_ok() {
                stop.placed(&path);
            }
            written
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
}

/// Saves every row's certificate into one folder the user picks: instances' CA certificates and
/// private certificates as server zips, under names unique per item; never over an existing file.
pub(super) async fn export_to_folder(
    job: JobId,
    ctx: &Context,
    rows: &[InventoryRow],
    server_type: crate::cloud::pca::ServerType,
    out: &Outbox,
) -> Outcome {
    let Some(folder) = ctx.saver.ask_folder(job, out, "Export certificates to a folder").await else {
        return Outcome::Cancelled;
    };
    let (mut saved, mut problems) = (0usize, Vec::new());
    // One at a time: each file is small, and the cloud's rate limits apply per account.
    for row in rows {
        let target = match ctx.target(&row.profile).await {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{}: {e}", row.name));
                continue;
            }
        };
        let fixed = |name: String| SaveChoice { path: folder.join(name), overwrite_confirmed: false };
        let outcome = match row.service {
            Service::Dcs | Service::GeminiDb if row.ssl == SslStatus::On => {
                let choice = fixed(bulk_name(row, server_type));
                download(job, &target, row, choice, ctx, out).await
            }
            // The cloud exports issued certificates only: others are reported without a call.
            Service::Ccm | Service::Scm if !row.status.eq_ignore_ascii_case("ISSUED") => {
                Outcome::Failed(format!("only issued certificates can be exported (status {})", row.status))
            }
            Service::Ccm | Service::Scm => {
                let choice = ExportChoice::ServerZip(server_type);
                let save = fixed(bulk_name(row, server_type));
                export_certificate(job, &target, row, &choice, save, ctx, out).await
            }
            _ => Outcome::Failed("no certificate: SSL is not on".into()),
        };
        match outcome {
            Outcome::Done => saved += 1,
            Outcome::Failed(e) => problems.push(format!("{}: {e}", row.name)),
            Outcome::Cancelled => return Outcome::Cancelled,
        }
    }
    let summary = format!("Saved {saved} of {} certificate file(s) into {}", rows.len(), folder.display());
    if problems.is_empty() {
        out.send(Event::Notice { job, message: summary, problem: false }).await;
        Outcome::Done
    } else {
        Outcome::Failed(format!("{summary}; not saved: {}", problems.join("; ")))
    }
}

/// Exports one private (PCA) or SCM certificate into the chosen file: the cloud's export, local
/// conversion, safe write (0600).
pub(super) async fn export_certificate(
    job: JobId,
    target: &Target,
    row: &InventoryRow,
    choice: &ExportChoice,
    save: SaveChoice,
    ctx: &Context,
    out: &Outbox,
) -> Outcome {
    use crate::cloud::pca::{self, Export, ServerType};
    let session = &target.session;
    let scm = row.service == Service::Scm;
    let result: Result<(Vec<u8>, Sensitivity), String> = async {
        // Certificate, chain and key as PEM: PCA's uncompressed export, or SCM's (its only kind).
        let as_pem = || async {
            if scm {
                return crate::cloud::scm::export_as_pem(session, &row.id).await.map_err(|e| e.to_string());
            }
            match pca::export_certificate(session, &row.id, ServerType::Other, false).await {
                Ok(Export::Pem(pem)) => Ok(pem),
                Ok(Export::Zip { .. }) => Err("The cloud answered with a zip where PEM text was asked.".to_owned()),
                Err(e) => Err(e.to_string()),
            }
        };
        let now = session.http().clock().now();
        match choice {
            ExportChoice::ServerZip(kind) if scm => {
                let zip = pca_export::server_zip(&as_pem().await?, *kind, now).map_err(|e| e.to_string())?;
                Ok((zip, Sensitivity::Secret))
            }
            ExportChoice::ServerZip(kind) => {
                match pca::export_certificate(session, &row.id, *kind, true).await.map_err(|e| e.to_string())? {
                    Export::Zip { bytes, .. } => Ok((bytes.to_vec(), Sensitivity::Secret)),
                    Export::Pem(_) => Err("The cloud answered with PEM text where a zip was asked.".to_owned()),
                }
            }
            ExportChoice::PemBundle { include_key } => {
                let pem = as_pem().await?;
                if *include_key && pem.private_key.trim().is_empty() {
                    return Err(
                        "The cloud does not hold this certificate's private key; export it without the key.".into()
                    );
                }
                let (text, sensitivity) = pca_export::pem_bundle(&pem, *include_key);
                Ok((text.into_bytes(), sensitivity))
            }
            ExportChoice::Pkcs12(password) => {
                let pem = as_pem().await?;
                let p12 = pca_export::pkcs12(&pem, password.expose(), now).map_err(|e| e.to_string())?;
                Ok((p12, Sensitivity::Secret))
            }
        }
    }
    .await;
    match result {
        Ok((bytes, sensitivity)) => save_file(job, ctx, out, save, bytes, sensitivity).await,
        Err(e) => Outcome::Failed(e),
    }
}

/// Downloads an instance's CA certificate into the chosen file: as received, or as PEM text when
/// the name ends in `.pem` or `.crt`.
pub(super) async fn download(
    job: JobId,
    profile: &Target,
    row: &InventoryRow,
    choice: SaveChoice,
    ctx: &Context,
    out: &Outbox,
) -> Outcome {
    let session = &profile.session;
    let fetched = match ca_download::download_ca(session, row.service, &row.region, &row.id).await {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(e),
    };
    let now = session.http().clock().now();
    // Parsing and signature checks are CPU work: off the runtime's threads (a Stop ends the job
    // at once; the capped work left finishes in the background).
    let found = fetched.certificates.clone();
    let warn_days = ctx.thresholds.warn_days;
    let read = tokio::task::spawn_blocking(move || {
        let certificates: Vec<CertSummary> = found.iter().filter_map(|(name, der)| summarize(name, der).ok()).collect();
        let details: Vec<_> = found
            .iter()
            .filter_map(|(name, der)| crate::certs::details::details(name, der, now, warn_days).ok())
            .collect();
        let ders: Vec<Vec<u8>> = found.into_iter().map(|(_, der)| der).collect();
        (certificates, details, crate::certs::chain::build(&ders, now))
    })
    .await;
    let Ok((certificates, details, chain)) = read else {
        return Outcome::Failed("Reading the downloaded certificate stopped on an internal error.".into());
    };
    let bytes = if ca_download::wants_pem(&choice.path) { fetched.to_pem() } else { fetched.bytes.to_vec() };
    if let Err(e) = write_chosen(ctx, &choice, bytes, Sensitivity::Public).await {
        return Outcome::Failed(e);
    }
    ctx.saver.remember(&choice.path);
    if !fetched.left_out.is_empty() {
        let message = format!(
            "{}: left out of the saved zip, as they hold no certificate: {}",
            choice.path.display(),
            fetched.left_out.join(", ")
        );
        out.send(Event::Notice { job, message, problem: false }).await;
    }
    let path = choice.path.clone();
    let event =
        Event::CertificateSaved { job, instance_id: row.id.clone(), path: choice.path, certificates, details, chain };
    out.send(event).await;
    ctx.stop.told(&path);
    Outcome::Done
}
