//! The desktop app (eframe/egui). Views draw what they are given (the model, their own dialog
//! state, the view settings) and return [`intent::Intent`]s; the app applies them, sending
//! [`Command`]s to the worker, where all network, disk and dialog work happens.
//!
//! [`Command`]: crate::worker::Command

mod about_view;
mod activity_log;
mod app;
mod details_view;
mod export_dialog;
#[cfg(test)]
mod extremes_tests;
pub mod filter;
mod icon;
mod intent;
mod inventory_view;
mod model;
#[cfg(test)]
mod policy_tests;
mod profile_dialog;
pub mod renderer;
mod save_prompt;
mod settings;
mod table_view;
#[cfg(test)]
mod test_app;
mod timeline_view;
pub mod tokens;
mod welcome_view;

use std::sync::Arc;

pub use app::{AppOptions, CertdeskApp};

use crate::worker::{SaveDialog, Waker};

/// A modal dialog anchored near the top of the window: it grows downwards as errors or fields
/// appear, instead of re-centring and moving the field under the pointer.
pub(crate) fn steady_modal(salt: &str) -> egui::Modal {
    let id = egui::Id::unique(salt);
    egui::Modal::new(id).area(egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, [0.0, tokens::MODAL_TOP]))
}

/// The reverse-DNS id used for the window, desktop file and metainfo.
pub use crate::build_info::APP_ID;

/// Opens the desktop app with the first renderer that starts; returns when the window closes.
pub fn run(
    demo: bool,
    theme: Option<crate::cli::Theme>,
    forced: Option<crate::cli::Renderer>,
) -> Result<(), renderer::WindowError> {
    let started_at = std::time::Instant::now();
    // A panic on this thread ends the app: its state is set aside at the next start.
    crate::crash::mark_app_thread();
    let mut failed: Vec<(crate::cli::Renderer, String)> = Vec::new();
    for choice in renderer::order(forced) {
        let options = eframe::NativeOptions {
            viewport: egui::ViewportBuilder::default()
                .with_title("certdesk")
                .with_app_id(APP_ID)
                .with_icon(std::sync::Arc::new(icon::app_icon()))
                .with_inner_size([1280.0, 800.0])
                .with_min_inner_size([720.0, 420.0]),
            persist_window: true,
            renderer: renderer::eframe_renderer(choice),
            ..Default::default()
        };
        // Set once the app exists: an error after that is the app's, not the renderer's start.
        let opened = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (opened_in, tried) = (opened.clone(), failed.clone());
        tracing::info!(renderer = choice.label(), "opening the window");
        let result = eframe::run_native(
            "certdesk",
            options,
            Box::new(move |cc| {
                opened_in.store(true, std::sync::atomic::Ordering::Release);
                let described = renderer::describe(choice, cc, &tried);
                tracing::info!(renderer = %described, "the window is open");
                let ctx = cc.egui_ctx.clone();
                if let Some(theme) = theme {
                    ctx.set_theme(match theme {
                        crate::cli::Theme::System => egui::ThemePreference::System,
                        crate::cli::Theme::Dark => egui::ThemePreference::Dark,
                        crate::cli::Theme::Light => egui::ThemePreference::Light,
                    });
                }
                let waker: Waker = Arc::new(move || ctx.request_repaint());
                // Parented to the window, so the dialog opens over it.
                let dialog: Arc<dyn SaveDialog> = Arc::new(crate::worker::NativeDialog::parented_to(cc));
                let settings = cc
                    .storage
                    .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
                    .map(settings::Settings::upgraded)
                    .unwrap_or_default();
                let app = CertdeskApp::new(
                    waker,
                    dialog,
                    AppOptions {
                        demo: demo.then(AppOptions::demo_config),
                        settings,
                        worker: crate::worker::WorkerOptions::default(),
                        renderer: described,
                        started_at: Some(started_at),
                    },
                )?;
                Ok(Box::new(app))
            }),
        );
        match result {
            Ok(()) => return Ok(()),
            Err(e) if opened.load(std::sync::atomic::Ordering::Acquire) => {
                return Err(renderer::WindowError::Stopped(e.to_string()));
            }
            Err(e) => {
                tracing::warn!(renderer = choice.label(), "the renderer did not start: {e}");
                failed.push((choice, e.to_string()));
            }
        }
    }
    Err(renderer::WindowError::NoRenderer(failed))
}

impl eframe::App for CertdeskApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.logic(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // Only view settings: never a secret, a row or a path.
        eframe::set_value(storage, eframe::APP_KEY, self.settings());
    }
}
