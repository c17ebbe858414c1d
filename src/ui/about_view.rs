//! The about box: what this build is, the same facts `certdesk --version` prints.

use crate::build_info;

/// The Help menu's entries (in the toolbar, and on the welcome screen as a link).
pub fn help_menu_ui(ui: &mut egui::Ui, about_open: &mut bool) {
    ui.menu_button("Help", |ui| {
        if ui.add(egui::Button::new("About certdesk").shortcut_text("F1")).clicked() {
            *about_open = true;
            ui.close();
        }
    });
}

/// The about box, when open.
pub fn about_ui(ui: &mut egui::Ui, open: &mut bool, renderer: &str) {
    if !*open {
        return;
    }
    let modal = egui::Modal::new(egui::Id::unique("about")).show(ui.ctx(), |ui| {
        ui.set_width(420.0);
        ui.heading("certdesk");
        ui.label("Certificates of DCS Redis, GeminiDB and the private CA of Huawei Cloud and Open Telekom Cloud.");
        ui.add_space(6.0);
        egui::Grid::new("about-facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            for (name, value) in [
                ("Version", build_info::VERSION.to_owned()),
                ("Commit", format!("{} ({})", build_info::COMMIT, build_info::COMMIT_DATE)),
                ("Target", format!("{} ({})", build_info::TARGET, build_info::PROFILE)),
                ("Features", build_info::FEATURES.to_owned()),
                ("Compiler", build_info::RUSTC.to_owned()),
                ("App id", super::APP_ID.to_owned()),
                ("Renderer", if renderer.is_empty() { "none (headless)".to_owned() } else { renderer.to_owned() }),
                ("License", env!("CARGO_PKG_LICENSE").to_owned()),
            ] {
                ui.weak(name);
                ui.label(value);
                ui.end_row();
            }
        });
        ui.hyperlink(build_info::HOMEPAGE);
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            if ui.button("Copy version info").on_hover_text("The same text as `certdesk --version`").clicked() {
                ui.ctx().copy_text(format!("certdesk {}", build_info::LONG_VERSION));
            }
            if ui.button("Close").clicked() {
                *open = false;
            }
        });
    });
    if modal.should_close() {
        *open = false;
    }
}
