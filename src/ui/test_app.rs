//! The real app for unit tests: headless (egui_kittest), its profiles, secrets and downloads in a
//! folder of its own, a scripted save dialog.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use super::{AppOptions, CertdeskApp, settings::Settings};

/// The app with these settings in a window of this size; the folder lives as long as it.
pub(super) fn headless(
    settings: Settings,
    size: egui::Vec2,
) -> (egui_kittest::Harness<'static, CertdeskApp>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let options = AppOptions {
        settings,
        worker: crate::worker::WorkerOptions {
            profiles_path: Some(dir.path().join("profiles.json")),
            vault: Some(Arc::new(crate::vault::MemoryStore::default())),
            downloads_dir: Some(dir.path().to_path_buf()),
            ..crate::worker::WorkerOptions::default()
        },
        ..AppOptions::default()
    };
    let app = CertdeskApp::new(Arc::new(|| {}), Arc::new(crate::worker::ScriptedDialog::default()), options).unwrap();
    let harness = egui_kittest::Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut CertdeskApp| {
            app.logic(ui.ctx());
            app.ui(ui);
        },
        app,
    );
    (harness, dir)
}
