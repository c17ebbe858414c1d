//! The app's own save prompt, for desktops where no native dialog can open (no file-chooser
//! portal, no zenity): says why and what to install, and saves where the user types (proposed:
//! the last folder used, else Downloads). An existing file is never replaced from here.

use super::intent::Intent;
use super::tokens;
use crate::worker::JobId;

/// The app's own save prompt, when no native dialog can open.
#[derive(Clone, Debug)]
pub struct SavePrompt {
    /// The job waiting for the answer.
    pub job: JobId,
    /// Why there is no dialog.
    pub reason: String,
    /// The path typed (proposed: last folder or Downloads).
    pub path: String,
    /// A folder rather than a file.
    pub folder: bool,
}

/// Draws the prompt when a job waits for it; the answer, once given.
pub fn save_prompt_ui(ui: &mut egui::Ui, prompt: Option<&mut SavePrompt>) -> Option<Intent> {
    let prompt = prompt?;
    let mut answer = None;
    let modal = super::steady_modal("save-prompt").show(ui.ctx(), |ui| {
        ui.set_width(520.0);
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
        ui.heading(if prompt.folder { "Save into a folder" } else { "Save as" });
        ui.colored_label(tokens::palette(ui.visuals().dark_mode).error, &prompt.reason);
        ui.label(if prompt.folder {
            "Meanwhile, type the folder to save into:"
        } else {
            "Meanwhile, save to this path (an existing file is not replaced):"
        });
        let label = ui.label("Save to");
        let edit =
            ui.add(egui::TextEdit::singleline(&mut prompt.path).desired_width(f32::INFINITY)).labelled_by(label.id);
        let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.separator();
        ui.horizontal(|ui| {
            if ui.button("Save here").clicked() || entered {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
    });
    if modal.should_close() && answer.is_none() {
        answer = Some(false);
    }
    answer.map(Intent::AnswerSavePrompt)
}
