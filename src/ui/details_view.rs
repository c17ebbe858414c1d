//! The details pane of the selected row: instance or certificate facts, SSL facts, and once a
//! certificate is downloaded, what it holds.

use super::CertdeskApp;
use super::tokens::{self, days_color};
use crate::cloud::Service;
use crate::inventory::SslStatus;
use crate::worker::Command;

/// Starts the download of the selected row's CA certificate, when it has one.
pub fn download_selected(app: &mut CertdeskApp) {
    let Some(row) = app.selected_row().cloned() else { return };
    if can_download(&row) {
        app.send(Command::DownloadCertificate(Box::new(row)));
    }
}

fn can_download(row: &crate::inventory::InventoryRow) -> bool {
    matches!(row.service, Service::Dcs | Service::GeminiDb) && row.ssl == SslStatus::On
}

/// The right-hand pane.
pub fn details_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    egui::Panel::right("details").resizable(true).default_size(tokens::DETAILS_WIDTH).show(ui, |ui| {
        let Some(row) = app.selected_row().cloned() else {
            ui.weak("Select a row to see its details.");
            return;
        };
        let palette = tokens::palette(ui.visuals().dark_mode);
        ui.heading(&row.name);
        ui.weak(format!("{} · {} · {}", row.service.label(), row.region, row.profile));
        ui.separator();
        egui::Grid::new("facts").num_columns(2).striped(true).show(ui, |ui| {
            let fact = |ui: &mut egui::Ui, k: &str, v: String| {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            };
            fact(ui, "Id", row.id.clone());
            fact(ui, "Engine", format!("{} {}", row.engine, row.engine_version));
            fact(ui, "Status", row.status.clone());
            fact(ui, "SSL", row.ssl.label().to_owned());
            if !row.endpoint.is_empty() {
                fact(ui, if row.service == Service::Ccm { "Issuer" } else { "Endpoint" }, row.endpoint.clone());
            }
            if let Some(v) = row.validated {
                fact(ui, "Validated", if v { "yes" } else { "no" }.to_owned());
            }
            ui.label("Expires");
            let color = days_color(&palette, row.days_left, app.settings.view.warn_days, app.settings.critical_days);
            match (row.expires_at, row.days_left) {
                (Some(at), Some(days)) => ui.colored_label(color, format!("{} ({days} days left)", at.date())),
                _ => ui.weak("unknown"),
            };
            ui.end_row();
        });
        if !row.note.is_empty() {
            ui.colored_label(palette.error, &row.note);
        }
        ui.separator();
        if can_download(&row) {
            if ui.button("Download certificate").on_hover_text("Save the instance's CA certificate (Enter)").clicked() {
                app.send(Command::DownloadCertificate(Box::new(row.clone())));
            }
        } else if row.service == Service::Ccm {
            if ui.button("Export...").on_hover_text("PEM, a server bundle or PKCS#12 (Ctrl+E)").clicked() {
                super::export_dialog::open_for_selected(app);
            }
        } else {
            ui.weak("No certificate to download: SSL is not on for this instance.");
        }
        if let Some(downloaded) = app.downloaded(&row.id).cloned() {
            ui.separator();
            ui.label(format!("Saved to {}", downloaded.path.display()));
            egui::ScrollArea::vertical().id_salt("downloaded").show(ui, |ui| downloaded_ui(ui, &downloaded, &palette));
        }
    });
}

/// What a downloaded file holds: the chain with its problems, then every certificate's details.
fn downloaded_ui(ui: &mut egui::Ui, downloaded: &super::app::Downloaded, palette: &tokens::Palette) {
    let chain = &downloaded.chain;
    let state =
        if chain.complete { "Chain: complete, every signature verified" } else { "Chain: incomplete or broken" };
    ui.strong(state);
    for (i, link) in chain.ordered.iter().enumerate() {
        let root = if link.self_signed { " (self-signed root)" } else { "" };
        ui.label(format!("{}. {}{root}", i + 1, link.subject));
    }
    for problem in &chain.problems {
        ui.colored_label(palette.error, problem);
    }
    for d in &downloaded.details {
        let title = d.subject_cn.clone().unwrap_or_else(|| d.subject.clone());
        egui::CollapsingHeader::new(format!("Certificate {title}")).show(ui, |ui| {
            egui::Grid::new(format!("cert-{}", d.sha256_fingerprint)).num_columns(2).show(ui, |ui| {
                let mut fact = |k: &str, v: String| {
                    ui.label(k);
                    ui.label(v);
                    ui.end_row();
                };
                fact("Subject", d.subject.clone());
                fact("Issuer", d.issuer.clone());
                fact("Valid", format!("{} to {} ({} days left)", d.not_before.date(), d.not_after.date(), d.days_left));
                fact("Serial", d.serial_hex.clone());
                let key = d.key_curve.clone().or(d.key_bits.map(|b| format!("{b} bits"))).unwrap_or_default();
                fact("Key", format!("{} {key}", d.key_algorithm));
                fact("Signature", d.signature_algorithm.clone());
                fact("SHA-256", d.sha256_fingerprint.clone());
                fact("CA", if d.is_ca { "yes".into() } else { "no".into() });
                if !d.subject_alt_names.is_empty() {
                    fact("SANs", d.subject_alt_names.join(", "));
                }
                if !d.key_usage.is_empty() {
                    fact("Key usage", d.key_usage.join(", "));
                }
            });
            for w in &d.warnings {
                ui.colored_label(palette.error, w);
            }
        });
    }
}
