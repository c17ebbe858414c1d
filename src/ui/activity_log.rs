//! The activity log panel and the toasts.

use super::CertdeskApp;
use super::app::Level;
use super::tokens;

/// The bottom panel: what happened, newest last.
pub fn activity_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    egui::Panel::bottom("activity").resizable(true).default_size(120.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.toggle_value(&mut app.settings.show_activity, "Activity");
            let mut cancel = None;
            for (job, label) in &app.jobs {
                ui.add(egui::Spinner::new());
                ui.weak(label);
                if ui.small_button("Stop").on_hover_text("Cancel this job").clicked() {
                    cancel = Some(*job);
                }
            }
            if let Some(job) = cancel {
                app.send(crate::worker::Command::Cancel(job));
            }
        });
        if !app.settings.show_activity {
            return;
        }
        let palette = tokens::palette(ui.visuals().dark_mode);
        egui::ScrollArea::vertical().stick_to_bottom(true).auto_shrink([false, true]).show(ui, |ui| {
            for entry in &app.activity {
                let text = format!("{}  {}", entry.at, entry.message);
                match entry.level {
                    Level::Error => ui.colored_label(palette.error, text),
                    Level::Success => ui.colored_label(palette.valid, text),
                    Level::Info => ui.label(text),
                };
            }
        });
    });
}

/// Toasts in the bottom-right corner until they expire.
pub fn toasts_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    let now = ui.input(|i| i.time);
    app.toasts.retain(|t| t.until > now);
    if app.toasts.is_empty() {
        return;
    }
    let palette = tokens::palette(ui.visuals().dark_mode);
    egui::Area::new(egui::Id::unique("toasts")).anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -140.0]).show(
        ui.ctx(),
        |ui| {
            for toast in &app.toasts {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(360.0);
                    let color = if toast.level == Level::Error { palette.error } else { palette.valid };
                    ui.colored_label(color, &toast.message);
                });
            }
        },
    );
}
