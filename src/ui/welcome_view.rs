//! The first-run screen.

use super::CertdeskApp;

/// Shown until a cloud is in use.
pub fn welcome_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() * 0.25);
            ui.heading("Welcome to certdesk");
            ui.add_space(8.0);
            ui.label("Certificates of DCS Redis, GeminiDB and the private CA of Huawei Cloud and Open Telekom Cloud, at a glance.");
            ui.add_space(16.0);
            if ui.button("Try the demo cloud").on_hover_text("A simulated cloud on this computer; nothing is sent anywhere").clicked() {
                app.start_demo(super::AppOptions::demo_config());
            }
            ui.add_space(16.0);
            ui.label(
                "Profiles for your own accounts, with secrets kept in the system keyring, are the next step of this app. \
                 Today the command line reads an account from HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (see README).",
            );
        });
    });
}
