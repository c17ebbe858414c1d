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
        if let Some(downloaded) = app.downloaded(&row.id) {
            ui.separator();
            ui.label(format!("Saved to {}", downloaded.path.display()));
            for c in &downloaded.certificates {
                ui.group(|ui| {
                    ui.label(format!("Subject: {}", c.subject));
                    ui.label(format!("Issuer: {}", c.issuer));
                    ui.label(format!("Valid: {} to {}", c.not_before.date(), c.not_after.date()));
                    ui.label(format!("Serial: {}", c.serial_hex));
                    ui.label(if c.is_ca { "CA certificate" } else { "End-entity certificate" });
                });
            }
        }
    });
}
