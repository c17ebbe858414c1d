//! The activity log panel and the toasts.

use super::intent::Intent;
use super::model::{Level, Model, Toast};
use super::tokens;

/// The bottom panel: what happened, newest last; Stop for each job running.
pub fn activity_ui(ui: &mut egui::Ui, model: &Model, show_activity: &mut bool) -> Option<Intent> {
    let mut cancel = None;
    egui::Panel::bottom("activity").resizable(true).default_size(120.0).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.toggle_value(show_activity, "Activity");
            for (job, label) in &model.jobs {
                ui.add(egui::Spinner::new());
                ui.weak(label);
                if ui.small_button("Stop").on_hover_text("Cancel this job").clicked() {
                    cancel = Some(*job);
                }
            }
        });
        if !*show_activity {
            return;
        }
        let palette = tokens::palette(ui.visuals().dark_mode);
        egui::ScrollArea::vertical().stick_to_bottom(true).auto_shrink([false, true]).show(ui, |ui| {
            for entry in &model.activity {
                // Messages carry the cloud's words: control characters show as escapes.
                let text = format!("{}  {}", entry.at, crate::text::inert_lines(&entry.message));
                match entry.level {
                    Level::Error => ui.colored_label(palette.error, text),
                    Level::Success => ui.colored_label(palette.valid, text),
                    Level::Info => ui.label(text),
                };
            }
        });
    });
    cancel.map(|job| Intent::Send(crate::worker::Command::Cancel(job)))
}

/// Toasts in the bottom-right corner until they expire.
pub fn toasts_ui(ui: &mut egui::Ui, toasts: &mut Vec<Toast>) {
    let now = ui.input(|i| i.time);
    toasts.retain(|t| t.until > now);
    if toasts.is_empty() {
        return;
    }
    let palette = tokens::palette(ui.visuals().dark_mode);
    egui::Area::new(egui::Id::unique("toasts")).anchor(egui::Align2::RIGHT_BOTTOM, [-16.0, -140.0]).show(
        ui.ctx(),
        |ui| {
            for toast in toasts.iter() {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(360.0);
                    let color = if toast.level == Level::Error { palette.error } else { palette.valid };
                    ui.colored_label(color, crate::text::inert_lines(&toast.message).as_ref());
                });
            }
        },
    );
}
