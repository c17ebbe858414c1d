//! The export dialog of a private (PCA) or SCM certificate: PEM bundle (with or without the key),
//! one of the five server zips (PCA's own, or built here from SCM's PEM), or PKCS#12 with a
//! password; then the save dialog.

use super::intent::Intent;
use super::tokens;
use crate::cloud::Secret;
use crate::cloud::pca::ServerType;
use crate::inventory::InventoryRow;
use crate::worker::{Command, ExportChoice, JobId, Outcome};

/// What the dialog shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pem,
    Zip,
    Pkcs12,
}

/// The open export dialog.
pub struct ExportForm {
    row: InventoryRow,
    kind: Kind,
    include_key: bool,
    server: ServerType,
    password: String,
    confirm: String,
    error: Option<String>,
    /// The export job running; the dialog stays (and keeps what was typed) until it wrote the file.
    pending: Option<JobId>,
    /// The form's state when the error was shown.
    error_for: u64,
}

impl ExportForm {
    fn state_hash(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (self.kind as u8, self.server.api_name(), self.include_key, &self.password, &self.confirm).hash(&mut h);
        h.finish()
    }

    fn set_error(&mut self, message: String) {
        self.error = Some(message);
        self.error_for = self.state_hash();
    }
}

impl ExportForm {
    /// A dialog for a certificate row.
    pub fn new(row: InventoryRow) -> Self {
        Self {
            row,
            kind: Kind::Zip,
            // A key is written only when asked for.
            include_key: false,
            server: ServerType::Nginx,
            password: String::new(),
            confirm: String::new(),
            error: None,
            pending: None,
            error_for: 0,
        }
    }
}

impl ExportForm {
    /// A job ended: when it is this dialog's export, done closes it (`true`), a failure keeps
    /// it open with the reason.
    pub fn job_finished(&mut self, job: JobId, outcome: &Outcome) -> bool {
        if self.pending != Some(job) {
            return false;
        }
        self.pending = None;
        match outcome {
            Outcome::Done => return true,
            Outcome::Cancelled => self.error = None,
            Outcome::Failed(message) => self.set_error(message.clone()),
        }
        false
    }

    /// The export job this dialog waits for.
    pub fn pending_job(&mut self, job: Option<JobId>) {
        self.pending = job;
    }
}

/// Zip, PEM or PKCS#12, with their options; the key formats only when PCA holds the key.
fn format_choice_ui(form: &mut ExportForm, ui: &mut egui::Ui, key_held: bool) {
    ui.add_enabled_ui(key_held, |ui| {
        ui.radio_value(&mut form.kind, Kind::Zip, "Server bundle (zip, as the console gives it)");
    });
    if form.kind == Kind::Zip {
        ui.horizontal(|ui| {
            for kind in ServerType::ALL {
                ui.radio_value(&mut form.server, kind, kind.api_name());
            }
        });
    }
    ui.radio_value(&mut form.kind, Kind::Pem, "PEM file (certificate and chain)");
    if form.kind == Kind::Pem {
        ui.add_enabled(key_held, egui::Checkbox::new(&mut form.include_key, "Include the private key"));
    }
    ui.add_enabled_ui(key_held, |ui| {
        ui.radio_value(&mut form.kind, Kind::Pkcs12, "PKCS#12 (.p12) with key and chain");
    });
    if form.kind == Kind::Pkcs12 {
        egui::Grid::new("p12").num_columns(2).show(ui, |ui| {
            let l = ui.label("Password");
            ui.add(egui::TextEdit::singleline(&mut form.password).password(true)).labelled_by(l.id);
            ui.end_row();
            let l = ui.label("Repeat password");
            ui.add(egui::TextEdit::singleline(&mut form.confirm).password(true)).labelled_by(l.id);
            ui.end_row();
        });
    }
}

/// Draws the dialog when open.
pub fn export_dialog_ui(ui: &mut egui::Ui, open: &mut Option<ExportForm>) -> Option<Intent> {
    let form = open.as_mut()?;
    let mut close = false;
    let mut submit = None;
    let modal = super::steady_modal("export-dialog").show(ui.ctx(), |ui| {
        ui.set_width(420.0);
        ui.heading("Export certificate");
        ui.label(&form.row.name);
        ui.weak(format!("status {}, {}", form.row.status, form.row.id));
        ui.separator();
        let palette = tokens::palette(ui.visuals().dark_mode);
        // Say what the cloud will refuse before anything is typed or chosen.
        let issued = form.row.status.eq_ignore_ascii_case("ISSUED");
        if !issued {
            ui.colored_label(
                palette.error,
                format!("Only ISSUED certificates can be exported; this one is {}.", form.row.status),
            );
        }
        let key_held = !form.row.facts.iter().any(|(k, v)| {
            (k == "Key made by" && v.contains("CSR")) || (k == "Private key" && v.starts_with("not held"))
        });
        if !key_held {
            let cloud = form.row.service.label();
            ui.colored_label(
                palette.error,
                format!("{cloud} does not hold this certificate's key (made from your CSR or uploaded without it): PEM without the key only."),
            );
            form.kind = Kind::Pem;
            form.include_key = false;
        }
        format_choice_ui(form, ui, key_held);
        if form.kind != Kind::Pem || form.include_key {
            ui.weak("Files with the private key are written readable by you only.");
        }
        // An error about one state of the form goes once the form changes.
        if form.error.is_some() && form.state_hash() != form.error_for {
            form.error = None;
        }
        if let Some(e) = &form.error {
            ui.colored_label(palette.error, e);
        }
        ui.separator();
        ui.horizontal(|ui| {
            let busy = form.pending.is_some();
            if ui.add_enabled(!busy && issued, egui::Button::new("Save as...")).clicked() {
                submit = Some(match form.kind {
                    Kind::Pem => Ok(ExportChoice::PemBundle { include_key: form.include_key }),
                    Kind::Zip => Ok(ExportChoice::ServerZip(form.server)),
                    Kind::Pkcs12 if form.password.len() < 8 => {
                        Err("Use a password of at least 8 characters.".to_owned())
                    }
                    Kind::Pkcs12 if form.password != form.confirm => Err("The passwords differ.".to_owned()),
                    Kind::Pkcs12 => Ok(ExportChoice::Pkcs12(Secret::new(form.password.clone()))),
                });
            }
            if ui.button("Cancel").clicked() {
                close = true;
            }
            if busy {
                ui.add(egui::Spinner::new());
                ui.weak("Exporting...");
            }
        });
    });
    if modal.should_close() {
        close = true;
    }
    match submit {
        Some(Ok(choice)) => {
            let row = Box::new(form.row.clone());
            form.error = None;
            Some(Intent::ExportFromForm(Command::ExportCertificate { row, choice }))
        }
        Some(Err(e)) => {
            form.set_error(e);
            None
        }
        None if close => {
            // Closing while it runs stops the export.
            let pending = form.pending;
            *open = None;
            pending.map(|job| Intent::Send(Command::Cancel(job)))
        }
        None => None,
    }
}
