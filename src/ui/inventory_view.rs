//! The toolbar with search, quick filters and the View menu; the summary bar with changes and
//! failures; the crash notice. The table is `table_view.rs`.

use crate::text::{inert, inert_lines};
use std::fmt::Write as _;

use super::intent::Intent;
use super::model::Model;
use super::settings::Settings;
use super::tokens;
use crate::certs::summary::Validity;
use crate::worker::Command;

/// Top bar: refresh, search, quick filters; below it, the summary.
pub fn toolbar_ui(
    ui: &mut egui::Ui,
    model: &Model,
    settings: &mut Settings,
    focus_search: &mut bool,
    about_open: &mut bool,
) -> Vec<Intent> {
    let mut intents = Vec::new();
    egui::Panel::top("toolbar").show(ui, |ui| {
        // Wraps onto a second line in a narrow window instead of cutting off the filters.
        ui.horizontal_wrapped(|ui| {
            let refreshing = model.estate.refresh.is_some();
            if ui
                .add_enabled(!refreshing, egui::Button::new("Refresh"))
                .on_hover_text("Refresh everything (F5)")
                .clicked()
            {
                intents.push(Intent::Refresh);
            }
            ui.separator();
            let label = ui.label("Search");
            let search = ui.add(
                egui::TextEdit::singleline(&mut settings.view.search)
                    .hint_text("any column (Ctrl+F)")
                    .desired_width(220.0),
            );
            let search = search.labelled_by(label.id);
            if std::mem::take(focus_search) {
                search.request_focus();
            }
            // The text field gives up focus on Escape and Enter itself, so look at the frame it lost it.
            if (search.has_focus() || search.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                settings.view.search.clear();
            }
            // Consumed: the table must not read the same Enter as "download".
            if search.lost_focus() && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)) {
                intents.push(Intent::SelectFirstVisible);
                search.surrender_focus();
            }
            ui.separator();
            ui.menu_button("Export", |ui| {
                use crate::inventory::export::ExportFormat;
                for (label, format) in [
                    ("CSV (shown rows)", ExportFormat::Csv),
                    ("JSON (shown rows)", ExportFormat::Json),
                    ("Calendar of expiry reminders (.ics)", ExportFormat::Ics),
                ] {
                    if ui.button(label).clicked() {
                        intents.push(Intent::ExportVisible(format));
                        ui.close();
                    }
                }
            });
            if !model.marked.is_empty() {
                ui.menu_button(format!("{} marked", model.marked.len()), |ui| {
                    ui.label("Save their certificates into a folder; private and SCM certificates as:");
                    for kind in crate::cloud::pca::ServerType::ALL {
                        if ui.button(format!("{} zips", kind.api_name())).clicked() {
                            intents.push(Intent::ExportMarked(kind));
                            ui.close();
                        }
                    }
                    ui.separator();
                    if ui.button("Clear marks").clicked() {
                        intents.push(Intent::ClearMarks);
                        ui.close();
                    }
                });
            }
            // Stays open while its numbers are typed or dragged and its boxes ticked; a click
            // outside (or Esc) closes it.
            let stay_open =
                egui::containers::menu::MenuConfig::new().close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
            egui::containers::menu::MenuButton::new("View").config(stay_open).ui(ui, |ui| view_menu_ui(ui, settings));
            super::about_view::help_menu_ui(ui, about_open);
            ui.separator();
            quick_filters_ui(ui, settings);
            ui.separator();
            if model.demo_endpoint.is_none() {
                ui.toggle_value(&mut settings.show_profiles, "Profiles")
                    .on_hover_text("Show or hide the profiles panel (it hides itself in windows under 1000 px wide)");
            }
            ui.toggle_value(&mut settings.show_details, "Details").on_hover_text("Show or hide the details pane");
        });
        summary_ui(ui, model, settings, &mut intents);
    });
    intents
}

/// The refresh's progress, at the end of the summary line: the toolbar is full at common widths,
/// and there it wrapped onto a line of its own as a refresh started and ended, moving everything.
fn refresh_progress_ui(ui: &mut egui::Ui, model: &Model, intents: &mut Vec<Intent>) {
    let Some(progress) = &model.estate.refresh else { return };
    ui.add(egui::Spinner::new());
    // Profiles sign in at once; each adds its parts as it has signed in.
    let signing_in =
        if model.demo_endpoint.is_none() { model.profiles.len().saturating_sub(progress.signed) } else { 0 };
    if progress.parts == 0 {
        ui.label("signing in");
    } else if signing_in > 0 {
        ui.label(format!("{}/{} parts, {signing_in} signing in", progress.done, progress.parts));
    } else {
        ui.label(format!("{}/{} parts", progress.done, progress.parts));
    }
    if ui.button("Cancel").on_hover_text("Stop the refresh").clicked() {
        intents.push(Intent::Send(Command::Cancel(progress.job)));
    }
}

/// Quick filters, the state filter, and the timeline's week when one was clicked.
fn quick_filters_ui(ui: &mut egui::Ui, settings: &mut Settings) {
    let warn = settings.thresholds.warn_days;
    let q = &mut settings.view.quick;
    ui.toggle_value(&mut q.expired, "Expired").on_hover_text("Only certificates past their expiry");
    ui.toggle_value(&mut q.expiring, "Expiring")
        .on_hover_text(format!("Only certificates expiring within {warn} days (View sets the threshold)"));
    ui.toggle_value(&mut q.ssl_off, "SSL off").on_hover_text("Only instances with SSL switched off");
    ui.toggle_value(&mut q.errors, "Problems").on_hover_text(
        "Rows with a problem: revoked, frozen or abnormal, a note from the cloud, or stale because their \
         region or profile failed in the last refresh",
    );
    ui.toggle_value(&mut q.changed, "Changes").on_hover_text(
        "Only rows the last refresh found changed: new, renewed, now expiring, now expired, SSL switched",
    );
    state_filter_ui(ui, &mut settings.view.state);
    if let Some(window) = settings.view.window
        && ui
            .button(format!("Expiring: {} (clear)", window.words()))
            .on_hover_text("Chosen on the timeline; click to show every expiry again")
            .clicked()
    {
        settings.view.window = None;
    }
}

/// The state filter: any, or one state (revoked, frozen and not yet valid have their own).
fn state_filter_ui(ui: &mut egui::Ui, state: &mut Option<Validity>) {
    let label = ui.label("State");
    egui::ComboBox::from_id_salt("state-filter")
        .selected_text(state.map_or("any", Validity::label))
        .width(96.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(state, None, "any");
            for s in STATES {
                ui.selectable_value(state, Some(s), s.label());
            }
        })
        .response
        .labelled_by(label.id);
}

/// Every state, in the order the summary and the filter list them.
const STATES: [Validity; 6] = [
    Validity::Expired,
    Validity::Expiring,
    Validity::Valid,
    Validity::NotYetValid,
    Validity::Revoked,
    Validity::Frozen,
];

/// Theme, thresholds, timeline, reminders and zoom.
fn view_menu_ui(ui: &mut egui::Ui, settings: &mut Settings) {
    // Words, not the emoji egui's own theme buttons use: the bundled fonts lack those glyphs.
    ui.label("Theme");
    ui.horizontal(|ui| {
        let mut preference = ui.ctx().options(|o| o.theme_preference);
        let before = preference;
        ui.selectable_value(&mut preference, egui::ThemePreference::System, "System");
        ui.selectable_value(&mut preference, egui::ThemePreference::Dark, "Dark");
        ui.selectable_value(&mut preference, egui::ThemePreference::Light, "Light");
        if preference != before {
            ui.ctx().set_theme(preference);
        }
    });
    ui.separator();
    egui::Grid::new("thresholds").num_columns(2).show(ui, |ui| {
        ui.label("Expiring within (days)");
        ui.add(egui::DragValue::new(&mut settings.thresholds.warn_days).range(1..=365).speed(0.5))
            .on_hover_text("Click to type a number, or drag");
        ui.end_row();
        ui.label("Critical within (days)");
        ui.add(egui::DragValue::new(&mut settings.thresholds.critical_days).range(0..=90).speed(0.5))
            .on_hover_text("Click to type a number, or drag");
        ui.end_row();
        ui.label("Refresh every (minutes)");
        ui.add(egui::DragValue::new(&mut settings.auto_refresh_minutes).range(0..=1440).speed(0.5))
            .on_hover_text("While certdesk is open; 0 refreshes only when asked (F5)");
        ui.end_row();
    });
    ui.checkbox(&mut settings.show_timeline, "Expiry timeline");
    ui.checkbox(&mut settings.notifications, "Desktop notifications").on_hover_text(
        "When an item enters the expiring or critical window (once per item and window), or a refresh fails",
    );
    ui.separator();
    ui.weak("Zoom: Ctrl + / Ctrl -");
}

fn summary_ui(ui: &mut egui::Ui, model: &Model, settings: &mut Settings, intents: &mut Vec<Intent>) {
    let palette = tokens::palette(ui.visuals().dark_mode);
    let s = model.summary;
    // "Expiring" reaches as far as the wider threshold (critical days may be set above warning).
    let warn_days = settings.thresholds.warn_days.max(settings.thresholds.critical_days);
    ui.horizontal_wrapped(|ui| {
        if let Some(at) = model.estate.as_of {
            let text = format!("Saved inventory as of {}", super::model::when_text(at));
            let hover = if model.estate.refresh.is_some() {
                "Shown from the last run while the refresh asks the cloud"
            } else {
                "The last refresh did not reach every part; rows it could not update are marked stale"
            };
            ui.colored_label(palette.stale, text).on_hover_text(hover);
        }
        ui.label(format!("{} items", s.total));
        ui.colored_label(palette.expired, format!("{} expired", s.expired));
        ui.colored_label(palette.expiring, format!("{} expiring within {warn_days} days", s.expiring));
        ui.colored_label(palette.valid, format!("{} valid", s.valid));
        for (n, state) in
            [(s.not_yet_valid, Validity::NotYetValid), (s.revoked, Validity::Revoked), (s.frozen, Validity::Frozen)]
        {
            if n > 0 {
                ui.colored_label(tokens::state_color(&palette, state), format!("{n} {}", state.label()));
            }
        }
        ui.label(format!("{} SSL off", s.ssl_off));
        if s.with_problems > 0 {
            ui.colored_label(palette.problem, format!("{} with problems", s.with_problems));
        }
        if s.stale > 0 {
            ui.colored_label(palette.stale, format!("{} stale", s.stale));
        }
        ui.label(format!("showing {}", model.visible.len()));
        if let Some(endpoint) = &model.demo_endpoint {
            ui.weak(format!("demo cloud at {endpoint}"));
        }
        // Last, so nothing before it moves when a refresh starts or ends.
        refresh_progress_ui(ui, model, intents);
    });
    changes_ui(ui, model, settings, &palette);
    failures_ui(ui, model, settings, &palette);
}

/// The last run ended with a panic: where its report is, a way to open that folder, and dismiss.
/// A panel of its own above everything, so it shows on the welcome screen too.
pub(super) fn crash_notice_ui(ui: &mut egui::Ui, folder: Option<&std::path::Path>) -> Option<Intent> {
    let folder = folder?;
    let palette = tokens::palette(ui.visuals().dark_mode);
    let mut intent = None;
    egui::Panel::top("crash-notice").show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(
                palette.error,
                "certdesk stopped unexpectedly last time; a crash report was kept on this computer (nothing was \
                 sent). The refresh waits for you (F5); the activity log says more.",
            )
            .on_hover_text(folder.display().to_string());
            if ui.small_button("Open its folder").clicked() {
                intent = Some(Intent::Send(crate::worker::Command::OpenFolder(folder.to_owned())));
            }
            if ui.small_button("Dismiss").clicked() {
                intent = Some(Intent::DismissCrashReport);
            }
        });
    });
    intent
}

/// "Since 06:58 UTC: 2 renewed, 1 new, 3 now expiring", a click shows them; removed items on hover.
fn changes_ui(ui: &mut egui::Ui, model: &Model, settings: &mut Settings, palette: &tokens::Palette) {
    let changes = &model.estate.changes;
    let Some(since) = changes.since.filter(|_| !changes.is_empty()) else { return };
    ui.horizontal_wrapped(|ui| {
        let text = format!("Since {}: {}", super::model::when_text(since), changes.words());
        let mut hover = String::from("Show the changed rows");
        for gone in changes.removed.iter().take(10) {
            let (name, service, region, profile) = (&gone.name, gone.service.label(), &gone.region, &gone.profile);
            let line = format!("removed: {name} ({service} {region}, {profile})");
            let _ = write!(hover, "\n{}", inert(&line));
        }
        if ui
            .add(egui::Button::new(egui::RichText::new(text).color(palette.changed)).frame(false))
            .on_hover_text(hover)
            .clicked()
        {
            settings.view.quick = super::filter::QuickFilters { changed: true, ..Default::default() };
        }
    });
}

/// One banner line per failure (a profile that cannot sign in, a region that failed), at most a
/// few, wrapped; "Problems" lists the rows they left stale.
fn failures_ui(ui: &mut egui::Ui, model: &Model, settings: &mut Settings, palette: &tokens::Palette) {
    const SHOWN: usize = 4;
    let mut show = None;
    for e in model.estate.errors.iter().take(SHOWN) {
        let sign_in = e.region == "all";
        let of_error = |r: &&crate::inventory::InventoryRow| {
            r.profile == e.profile && (sign_in || (r.region == e.region && r.service == e.service))
        };
        let stale = model.estate.rows.iter().filter(of_error).filter(|r| model.stale_reason(r).is_some()).count();
        let text = if sign_in {
            format!("Profile {}: {}", e.profile, e.message)
        } else {
            format!("Failed: {} {} ({}): {}", e.service.label(), e.region, e.profile, e.message)
        };
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(palette.error, inert_lines(&text).as_ref());
            if stale > 0 && ui.small_button(format!("{stale} stale row(s)")).on_hover_text("Show them").clicked() {
                show = Some(if sign_in {
                    e.profile.clone()
                } else {
                    format!("{} {} {}", e.profile, e.region, e.service.label())
                });
            }
        });
    }
    if model.estate.errors.len() > SHOWN {
        ui.colored_label(
            palette.error,
            format!("... and {} more failure(s); see Activity", model.estate.errors.len() - SHOWN),
        );
    }
    if let Some(search) = show {
        settings.view.quick = super::filter::QuickFilters { errors: true, ..Default::default() };
        settings.view.search = search;
    }
}
