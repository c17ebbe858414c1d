//! The first-run screen.

use super::intent::Intent;
use super::profile_dialog::ProfileForm;

/// Shown until a cloud is in use.
pub fn welcome_ui(
    ui: &mut egui::Ui,
    vault: Option<&Result<&'static str, String>>,
    profile_form: &mut Option<ProfileForm>,
    about_open: &mut bool,
) -> Vec<Intent> {
    let mut intents = Vec::new();
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.25);
            ui.heading("Welcome to certdesk");
            ui.add_space(8.0);
            ui.label("Certificates of DCS Redis, GeminiDB and the private CA of Huawei Cloud and Open Telekom Cloud, at a glance.");
            ui.add_space(16.0);
            if ui.button("Add a profile").on_hover_text("An account of Huawei Cloud or Open Telekom Cloud; secrets go to the system keyring").clicked() {
                *profile_form = Some(ProfileForm::default());
            }
            ui.add_space(8.0);
            intents.extend(super::profile_dialog::vault_status_ui(ui, vault));
            ui.add_space(8.0);
            if ui.button("Try the demo cloud").on_hover_text("A simulated cloud on this computer; nothing is sent anywhere").clicked() {
                intents.push(Intent::StartDemo);
            }
            ui.add_space(24.0);
            if ui.link("About certdesk").clicked() {
                *about_open = true;
            }
        });
    });
    intents
}
