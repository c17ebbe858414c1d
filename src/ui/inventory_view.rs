//! The toolbar with search and quick filters, the summary bar, and the virtualised table.

use crate::text::{inert, inert_lines};
use std::fmt::Write as _;

use egui_extras::{Column, TableBuilder};

use super::filter::{SortColumn, summarize};
use super::intent::Intent;
use super::model::{Model, Stale};
use super::settings::Settings;
use super::tokens::{self, days_color};
use crate::certs::summary::Validity;
use crate::inventory::changes::Change;
use crate::inventory::{InventoryRow, SslStatus};
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
            let refreshing = model.refresh.is_some();
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
    let Some(progress) = &model.refresh else { return };
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
    let warn = settings.view.warn_days;
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
        ui.add(egui::DragValue::new(&mut settings.view.warn_days).range(1..=365).speed(0.5))
            .on_hover_text("Click to type a number, or drag");
        ui.end_row();
        ui.label("Critical within (days)");
        ui.add(egui::DragValue::new(&mut settings.critical_days).range(0..=90).speed(0.5))
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
    let s = summarize(&model.rows, settings.view.warn_days, |r| model.stale_reason(r).is_some());
    ui.horizontal_wrapped(|ui| {
        if let Some(at) = model.as_of {
            let text = format!("Saved inventory as of {}", super::model::when_text(at));
            let hover = if model.refresh.is_some() {
                "Shown from the last run while the refresh asks the cloud"
            } else {
                "The last refresh did not reach every part; rows it could not update are marked stale"
            };
            ui.colored_label(palette.stale, text).on_hover_text(hover);
        }
        ui.label(format!("{} items", s.total));
        ui.colored_label(palette.expired, format!("{} expired", s.expired));
        ui.colored_label(palette.expiring, format!("{} expiring within {} days", s.expiring, settings.view.warn_days));
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
    let changes = &model.changes;
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
    for e in model.region_errors.iter().take(SHOWN) {
        let sign_in = e.region == "all";
        let of_error = |r: &&crate::inventory::InventoryRow| {
            r.profile == e.profile && (sign_in || (r.region == e.region && r.service == e.service))
        };
        let stale = model.rows.iter().filter(of_error).filter(|r| model.stale_reason(r).is_some()).count();
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
    if model.region_errors.len() > SHOWN {
        ui.colored_label(
            palette.error,
            format!("... and {} more failure(s); see Activity", model.region_errors.len() - SHOWN),
        );
    }
    if let Some(search) = show {
        settings.view.quick = super::filter::QuickFilters { errors: true, ..Default::default() };
        settings.view.search = search;
    }
}

/// A column of the table: title, what it sorts by, width, and whether it gives way first when the
/// window is narrow (lower goes first; Name, Expires and Days left always stay).
struct ColumnSpec {
    title: &'static str,
    sort: SortColumn,
    width: f32,
    keep: u8,
}

const COLUMNS: [ColumnSpec; 11] = [
    ColumnSpec { title: "Service", sort: SortColumn::Service, width: 72.0, keep: 7 },
    ColumnSpec { title: "Profile", sort: SortColumn::Profile, width: 96.0, keep: 3 },
    ColumnSpec { title: "Region", sort: SortColumn::Region, width: 104.0, keep: 6 },
    ColumnSpec { title: "Name", sort: SortColumn::Name, width: tokens::NAME_MIN_WIDTH, keep: u8::MAX },
    ColumnSpec { title: "Engine", sort: SortColumn::Engine, width: 112.0, keep: 2 },
    ColumnSpec { title: "Status", sort: SortColumn::Status, width: 96.0, keep: 4 },
    ColumnSpec { title: "SSL", sort: SortColumn::Ssl, width: 44.0, keep: 5 },
    ColumnSpec { title: "Expires", sort: SortColumn::DaysLeft, width: 86.0, keep: u8::MAX },
    ColumnSpec { title: "Days left", sort: SortColumn::DaysLeft, width: 132.0, keep: u8::MAX },
    ColumnSpec { title: "Validated", sort: SortColumn::Ssl, width: 76.0, keep: 1 },
    ColumnSpec { title: "Id", sort: SortColumn::Id, width: 150.0, keep: 0 },
];

/// Which columns fit in `width`: the least needed ones give way first. With several profiles the
/// Profile column stays as long as Service does: two accounts' rows of the same name look alike
/// without it (status and SSL are in the details pane too).
fn columns_for(width: f32, profiles: usize) -> Vec<usize> {
    let keep = |i: usize| if COLUMNS[i].title == "Profile" && profiles > 1 { 8 } else { COLUMNS[i].keep };
    let mut shown: Vec<usize> = (0..COLUMNS.len()).collect();
    let spacing = 8.0;
    let need = |shown: &[usize]| shown.iter().map(|&i| COLUMNS[i].width + spacing).sum::<f32>();
    while need(&shown) > width {
        let Some(pos) = shown
            .iter()
            .enumerate()
            .filter(|(_, i)| keep(**i) < u8::MAX)
            .min_by_key(|(_, i)| keep(**i))
            .map(|(p, _)| p)
        else {
            break;
        };
        shown.remove(pos);
    }
    shown
}

/// The table: one row per instance or certificate, only visible rows are laid out.
pub fn table_ui(ui: &mut egui::Ui, model: &Model, settings: &mut Settings, scroll: bool) -> Vec<Intent> {
    let mut intents = Vec::new();
    egui::CentralPanel::default().show(ui, |ui| {
        intents.extend(handle_table_keys(ui, model));
        if model.visible.is_empty() {
            intents.extend(empty_ui(ui, model, settings));
            return;
        }
        // Selectable labels would take the click that selects the row.
        ui.style_mut().interaction.selectable_labels = false;
        let palette = tokens::palette(ui.visuals().dark_mode);
        let (warn, critical) = (settings.view.warn_days, settings.critical_days);
        let selected_pos = model.selected_position();
        let shown = columns_for(ui.available_width(), model.profiles.len());
        let mut clicked = None;
        let mut sort_clicked = None;
        let mut table = TableBuilder::new(ui)
            .id_salt(("inventory", shown.len()))
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center));
        for &i in &shown {
            let spec = &COLUMNS[i];
            // Name takes what the others leave, so the table fills any width.
            table = table.column(if spec.title == "Name" {
                Column::remainder().at_least(spec.width).clip(true)
            } else {
                Column::initial(spec.width).at_least(36.0).clip(true)
            });
        }
        if let Some(pos) = selected_pos.filter(|_| scroll) {
            table = table.scroll_to_row(pos, None);
        }
        table
            .header(24.0, |mut header| {
                for &i in &shown {
                    let spec = &COLUMNS[i];
                    header.col(|ui| {
                        let arrow = if settings.view.sort == spec.sort && !matches!(spec.title, "Expires" | "Validated")
                        {
                            if settings.view.descending { " (desc)" } else { " (asc)" }
                        } else {
                            ""
                        };
                        if ui.button(format!("{}{arrow}", spec.title)).clicked() {
                            sort_clicked = Some(spec.sort);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(tokens::ROW_HEIGHT, model.visible.len(), |mut row| {
                    let r: &InventoryRow = &model.rows[model.visible[row.index()]];
                    row.set_selected(model.selected.as_deref() == Some(r.id.as_str()) || model.is_marked(r));
                    let marks = RowView { stale: model.stale_reason(r), changes: model.changes.of(r) };
                    row_cells_ui(&mut row, &shown, r, &marks, &palette, warn, critical);
                    if row.response().clicked() {
                        clicked = Some((r.profile.clone(), r.id.clone()));
                    }
                });
            });
        if let Some(key) = clicked {
            intents.push(row_clicked(ui, key));
        }
        if let Some(column) = sort_clicked {
            header_clicked(&mut settings.view, column);
        }
    });
    intents
}

/// Why the table is empty, and the way on.
fn empty_ui(ui: &mut egui::Ui, model: &Model, settings: &mut Settings) -> Option<Intent> {
    let mut intent = None;
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.2);
        if !model.rows.is_empty() {
            ui.label("No row matches the search and quick filters.");
            if ui.button("Clear search and filters").clicked() {
                settings.view.search.clear();
                settings.view.quick = super::filter::QuickFilters::default();
            }
        } else if model.profiles.is_empty() && model.demo_endpoint.is_none() {
            ui.label("No profile yet: add one to see its instances and certificates.");
            if ui.button("Add profile").clicked() {
                intent = Some(Intent::AddProfile);
            }
        } else if model.refresh.is_some() {
            ui.add(egui::Spinner::new());
            ui.label("Loading the inventory...");
        } else if !model.region_errors.is_empty() {
            let palette = tokens::palette(ui.visuals().dark_mode);
            ui.colored_label(
                palette.error,
                format!(
                    "Nothing loaded: every part failed ({} failure(s), listed above). Check the profile (Test, \
                     Edit), then refresh (F5).",
                    model.region_errors.len()
                ),
            );
        } else {
            ui.label("The scanned regions hold no DCS or GeminiDB instance and no private, load balancer or SCM certificate.");
        }
    });
    intent
}

/// Text of the days-left cell: a count, or how long ago it expired; the state for a revoked,
/// frozen or not-yet-valid item (its days left do not make it usable).
pub fn days_left_text(row: &InventoryRow) -> String {
    if row.is_unusable()
        && let Some(state) = row.validity
    {
        return state.label().to_owned();
    }
    match row.days_left {
        None => "—".into(),
        Some(d) if d > 0 => d.to_string(),
        Some(_) => row.expiry_words(),
    }
}

/// What the app knows of a row beyond the row: why it is stale, what changed.
struct RowView<'a> {
    stale: Option<&'a Stale>,
    changes: &'a [Change],
}

/// The cells of one row.
fn row_cells_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    shown: &[usize],
    r: &InventoryRow,
    marks: &RowView<'_>,
    palette: &tokens::Palette,
    warn: i64,
    critical: i64,
) {
    let stale = marks.stale;
    let problem = r.has_problem_status();
    let days_color = if problem && !r.is_unusable() { palette.muted } else { days_color(palette, r, warn, critical) };
    for &i in shown {
        row.col(|ui| {
            if stale.is_some() {
                ui.style_mut().visuals.override_text_color = Some(palette.stale);
            }
            match COLUMNS[i].title {
                "Service" => {
                    ui.label(r.service.label());
                }
                "Profile" => {
                    ui.label(inert(&r.profile).as_ref());
                }
                "Region" => {
                    ui.label(inert(&r.region).as_ref());
                }
                "Name" => {
                    for change in marks.changes {
                        ui.label(egui::RichText::new(change.badge()).small().color(palette.changed))
                            .on_hover_text("Changed in the last refresh");
                    }
                    // Names come from the cloud: control characters show as escapes (`\\x1b`), not as boxes.
                    let label = ui.label(inert(&r.name).as_ref());
                    if let Some(stale) = stale {
                        let seen = stale.seen.as_deref().map_or_else(|| "earlier".to_owned(), |t| format!("at {t}"));
                        label.on_hover_text(format!(
                            "Stale: last seen {seen}; the refresh failed: {}",
                            inert_lines(&stale.reason)
                        ));
                    }
                }
                "Engine" => {
                    ui.label(inert(&format!("{} {}", r.engine, r.engine_version)).as_ref());
                }
                "Status" => {
                    let status = inert(&r.status);
                    let text = if stale.is_some() { format!("{status} (stale)") } else { status.into_owned() };
                    if problem {
                        ui.colored_label(palette.problem, text);
                    } else {
                        ui.label(text);
                    }
                }
                "SSL" => {
                    let color = match r.ssl {
                        SslStatus::On => palette.valid,
                        SslStatus::Off => palette.expiring,
                        _ => palette.muted,
                    };
                    ui.colored_label(color, r.ssl.label());
                }
                "Expires" => {
                    ui.colored_label(days_color, r.expires_at.map(|t| t.date().to_string()).unwrap_or_default());
                }
                "Days left" => {
                    ui.colored_label(days_color, days_left_text(r));
                }
                "Validated" => {
                    ui.label(match r.validated {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "",
                    });
                }
                _ => {
                    ui.weak(inert(&r.id).as_ref());
                }
            }
        });
    }
}

/// Ctrl+click marks rows for bulk export; a plain click selects one.
fn row_clicked(ui: &egui::Ui, (profile, id): (String, String)) -> Intent {
    if ui.input(|i| i.modifiers.command) {
        Intent::ToggleMark((profile, id))
    } else {
        Intent::Select { id, scroll: false }
    }
}

/// A header click sorts by that column, or flips the direction when it already does.
fn header_clicked(view: &mut super::filter::ViewState, column: SortColumn) {
    if view.sort == column {
        view.descending = !view.descending;
    } else {
        view.sort = column;
        view.descending = false;
    }
}

/// A move of the selection by a key.
#[derive(Clone, Copy)]
enum Move {
    By(isize),
    First,
    Last,
}

/// Rows that fit in a height (Page Up/Down move by one screen less two rows of context).
#[expect(clippy::cast_possible_truncation, reason = "a small positive count of rows")]
fn rows_per_page(height: f32) -> isize {
    ((height / tokens::ROW_HEIGHT).floor().max(3.0) as isize) - 2
}

/// Arrows, Page Up/Down, Home and End move the selection; Enter downloads it (when nothing else
/// has the keyboard).
fn handle_table_keys(ui: &egui::Ui, model: &Model) -> Vec<Intent> {
    use egui::{Key, Modifiers};
    let mut intents = Vec::new();
    if ui.ctx().egui_wants_keyboard_input() || model.visible.is_empty() {
        return intents;
    }
    let page = rows_per_page(ui.available_height());
    let keys = [
        (Key::ArrowDown, Move::By(1)),
        (Key::ArrowUp, Move::By(-1)),
        (Key::PageDown, Move::By(page)),
        (Key::PageUp, Move::By(-page)),
        (Key::Home, Move::First),
        (Key::End, Move::Last),
    ];
    let (moves, enter) = ui.input_mut(|i| {
        let moves: Vec<Move> =
            keys.iter().filter(|(key, _)| i.consume_key(Modifiers::NONE, *key)).map(|(_, m)| *m).collect();
        (moves, i.consume_key(Modifiers::NONE, Key::Enter))
    });
    let last = model.visible.len() - 1;
    let mut pos = model.selected_position();
    for m in &moves {
        pos = Some(match (*m, pos) {
            (Move::First, _) | (Move::By(_), None) => 0,
            (Move::Last, _) => last,
            (Move::By(step), Some(p)) => p.saturating_add_signed(step).min(last),
        });
    }
    if !moves.is_empty()
        && let Some(n) = pos
    {
        intents.push(Intent::Select { id: model.rows[model.visible[n]].id.clone(), scroll: true });
    }
    if enter {
        intents.push(Intent::DownloadSelected);
    }
    intents
}

#[cfg(test)]
mod tests {
    use super::{COLUMNS, columns_for};

    fn titles(width: f32, profiles: usize) -> Vec<&'static str> {
        columns_for(width, profiles).into_iter().map(|i| COLUMNS[i].title).collect()
    }

    #[test]
    fn with_several_profiles_the_profile_column_stays_where_one_profile_would_drop_it() {
        // About what the table gets at 1280 px with the profiles panel and the details pane open.
        let narrow = 760.0;
        let one = titles(narrow, 1);
        assert!(!one.contains(&"Profile") && one.contains(&"Status"), "{one:?}");
        let several = titles(narrow, 2);
        assert!(several.contains(&"Profile"), "{several:?}");
        for kept in ["Name", "Expires", "Days left"] {
            assert!(one.contains(&kept) && several.contains(&kept), "{one:?} {several:?}");
        }
    }
}
