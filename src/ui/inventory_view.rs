//! The toolbar with search and quick filters, the summary bar, and the virtualised table.

use egui_extras::{Column, TableBuilder};

use super::CertdeskApp;
use super::filter::{SortColumn, summarize};
use super::tokens::{self, days_color};
use crate::inventory::{InventoryRow, SslStatus};
use crate::worker::Command;

/// Top bar: refresh, search, quick filters; below it, the summary.
pub fn toolbar_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    egui::Panel::top("toolbar").show(ui, |ui| {
        ui.horizontal(|ui| {
            let refreshing = app.refresh.is_some();
            if ui
                .add_enabled(!refreshing, egui::Button::new("Refresh"))
                .on_hover_text("Refresh everything (F5)")
                .clicked()
            {
                app.request_refresh();
            }
            if let Some((job, done, parts)) = app.refresh {
                ui.add(egui::Spinner::new());
                ui.label(format!("{done}/{parts} parts"));
                if ui.button("Cancel").clicked() {
                    app.send(Command::Cancel(job));
                }
            }
            ui.separator();
            let label = ui.label("Search");
            let search = ui.add(
                egui::TextEdit::singleline(&mut app.settings.view.search)
                    .hint_text("any column (Ctrl+F)")
                    .desired_width(220.0),
            );
            let search = search.labelled_by(label.id);
            if app.focus_search {
                search.request_focus();
                app.focus_search = false;
            }
            // The text field gives up focus on Escape itself, so also look at the frame it lost it.
            if (search.has_focus() || search.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                app.settings.view.search.clear();
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
                        app.export_visible(format);
                        ui.close();
                    }
                }
            });
            if !app.marked.is_empty() {
                ui.menu_button(format!("{} marked", app.marked.len()), |ui| {
                    ui.label("Save their certificates into a folder; private certificates as:");
                    for kind in crate::cloud::pca::ServerType::ALL {
                        if ui.button(format!("{} zips", kind.api_name())).clicked() {
                            app.export_marked(kind);
                            ui.close();
                        }
                    }
                    ui.separator();
                    if ui.button("Clear marks").clicked() {
                        app.marked.clear();
                        ui.close();
                    }
                });
            }
            ui.menu_button("View", |ui| {
                egui::widgets::global_theme_preference_buttons(ui);
                ui.separator();
                ui.add(
                    egui::DragValue::new(&mut app.settings.view.warn_days)
                        .range(1..=365)
                        .prefix("Expiring within ")
                        .suffix(" days"),
                );
                ui.add(
                    egui::DragValue::new(&mut app.settings.critical_days)
                        .range(0..=90)
                        .prefix("Critical within ")
                        .suffix(" days"),
                );
                ui.weak("Zoom: Ctrl + / Ctrl -");
            });
            super::about_view::help_menu_ui(app, ui);
            ui.separator();
            let q = &mut app.settings.view.quick;
            ui.toggle_value(&mut q.expired, "Expired");
            ui.toggle_value(&mut q.expiring, "Expiring");
            ui.toggle_value(&mut q.ssl_off, "SSL off");
            ui.toggle_value(&mut q.errors, "Problems");
        });
        summary_ui(app, ui);
    });
}

fn summary_ui(app: &CertdeskApp, ui: &mut egui::Ui) {
    let palette = tokens::palette(ui.visuals().dark_mode);
    let s = summarize(&app.rows, app.settings.view.warn_days);
    ui.horizontal(|ui| {
        ui.label(format!("{} items", s.total));
        ui.colored_label(palette.expired, format!("{} expired", s.expired));
        ui.colored_label(
            palette.expiring,
            format!("{} expiring within {} days", s.expiring, app.settings.view.warn_days),
        );
        ui.colored_label(palette.valid, format!("{} valid", s.valid));
        ui.label(format!("{} SSL off", s.ssl_off));
        if s.with_problems > 0 {
            ui.colored_label(palette.error, format!("{} with problems", s.with_problems));
        }
        ui.label(format!("showing {}", app.visible.len()));
        if let Some(endpoint) = &app.demo_endpoint {
            ui.weak(format!("demo cloud at {endpoint}"));
        }
    });
    for e in &app.region_errors {
        ui.colored_label(palette.error, format!("Failed: {} {}: {}", e.service.label(), e.region, e.message));
    }
}

const COLUMNS: [(&str, SortColumn); 11] = [
    ("Service", SortColumn::Service),
    ("Profile", SortColumn::Profile),
    ("Region", SortColumn::Region),
    ("Name", SortColumn::Name),
    ("Engine", SortColumn::Engine),
    ("Status", SortColumn::Status),
    ("SSL", SortColumn::Ssl),
    ("Expires", SortColumn::DaysLeft),
    ("Days left", SortColumn::DaysLeft),
    ("Validated", SortColumn::Ssl),
    ("Id", SortColumn::Id),
];

/// The table: one row per instance or certificate, only visible rows are laid out.
pub fn table_ui(app: &mut CertdeskApp, ui: &mut egui::Ui) {
    egui::CentralPanel::default().show(ui, |ui| {
        handle_table_keys(app, ui);
        // Selectable labels would take the click that selects the row.
        ui.style_mut().interaction.selectable_labels = false;
        let palette = tokens::palette(ui.visuals().dark_mode);
        let (warn, critical) = (app.settings.view.warn_days, app.settings.critical_days);
        let selected_pos = app.selected.as_ref().and_then(|id| app.visible.iter().position(|&i| &app.rows[i].id == id));
        let mut clicked = None;
        let mut sort_clicked = None;
        let mut table = TableBuilder::new(ui)
            .id_salt("inventory")
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(80.0))
            .column(Column::initial(90.0).clip(true))
            .column(Column::initial(110.0))
            .column(Column::initial(220.0).clip(true))
            .column(Column::initial(120.0))
            .column(Column::initial(90.0))
            .column(Column::initial(50.0))
            .column(Column::initial(90.0))
            .column(Column::initial(70.0))
            .column(Column::initial(70.0))
            .column(Column::remainder().clip(true));
        if let Some(pos) = selected_pos.filter(|_| app.scroll_to_selected_pending()) {
            table = table.scroll_to_row(pos, None);
        }
        table
            .header(24.0, |mut header| {
                for (title, column) in COLUMNS {
                    header.col(|ui| {
                        let arrow = if app.settings.view.sort == column && !matches!(title, "Expires" | "Validated") {
                            if app.settings.view.descending { " (desc)" } else { " (asc)" }
                        } else {
                            ""
                        };
                        if ui.button(format!("{title}{arrow}")).clicked() {
                            sort_clicked = Some(column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(tokens::ROW_HEIGHT, app.visible.len(), |mut row| {
                    let r: &InventoryRow = &app.rows[app.visible[row.index()]];
                    row.set_selected(app.selected.as_deref() == Some(r.id.as_str()) || app.marked.contains(&r.id));
                    row_cells_ui(&mut row, r, &palette, warn, critical);
                    if row.response().clicked() {
                        clicked = Some(r.id.clone());
                    }
                });
            });
        if let Some(id) = clicked {
            row_clicked(app, ui, id);
        }
        if let Some(column) = sort_clicked {
            header_clicked(app, column);
        }
    });
}

/// The cells of one row.
fn row_cells_ui(
    row: &mut egui_extras::TableRow<'_, '_>,
    r: &InventoryRow,
    palette: &tokens::Palette,
    warn: i64,
    critical: i64,
) {
    row.col(|ui| {
        ui.label(r.service.label());
    });
    row.col(|ui| {
        ui.label(&r.profile);
    });
    row.col(|ui| {
        ui.label(&r.region);
    });
    row.col(|ui| {
        ui.label(&r.name);
    });
    row.col(|ui| {
        ui.label(format!("{} {}", r.engine, r.engine_version));
    });
    row.col(|ui| {
        ui.label(&r.status);
    });
    row.col(|ui| {
        let color = match r.ssl {
            SslStatus::On => palette.valid,
            SslStatus::Off => palette.expiring,
            _ => palette.muted,
        };
        ui.colored_label(color, r.ssl.label());
    });
    let color = days_color(palette, r.days_left, warn, critical);
    row.col(|ui| {
        ui.colored_label(color, r.expires_at.map(|t| t.date().to_string()).unwrap_or_default());
    });
    row.col(|ui| {
        ui.colored_label(color, r.days_left.map_or_else(|| "—".into(), |d| d.to_string()));
    });
    row.col(|ui| {
        ui.label(match r.validated {
            Some(true) => "yes",
            Some(false) => "no",
            None => "",
        });
    });
    row.col(|ui| {
        ui.weak(&r.id);
    });
}

/// Ctrl+click marks rows for bulk export; a plain click selects one.
fn row_clicked(app: &mut CertdeskApp, ui: &egui::Ui, id: String) {
    if ui.input(|i| i.modifiers.command) {
        if !app.marked.remove(&id) {
            app.marked.insert(id);
        }
    } else {
        app.selected = Some(id);
    }
}

/// A header click sorts by that column, or flips the direction when it already does.
fn header_clicked(app: &mut CertdeskApp, column: SortColumn) {
    let view = &mut app.settings.view;
    if view.sort == column {
        view.descending = !view.descending;
    } else {
        view.sort = column;
        view.descending = false;
    }
}

/// Arrow keys move the selection, Enter downloads it (when nothing else has the keyboard).
fn handle_table_keys(app: &mut CertdeskApp, ui: &egui::Ui) {
    if ui.ctx().egui_wants_keyboard_input() || app.visible.is_empty() {
        return;
    }
    let (down, up, enter) = ui.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
            i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
            i.consume_key(egui::Modifiers::NONE, egui::Key::Enter),
        )
    });
    let pos = app.selected.as_ref().and_then(|id| app.visible.iter().position(|&i| &app.rows[i].id == id));
    let next = match (down, up, pos) {
        (true, _, None) | (_, true, None) => Some(0),
        (true, _, Some(p)) => Some((p + 1).min(app.visible.len() - 1)),
        (_, true, Some(p)) => Some(p.saturating_sub(1)),
        _ => None,
    };
    if let Some(n) = next {
        app.selected = Some(app.rows[app.visible[n]].id.clone());
        app.request_scroll_to_selected();
    }
    if enter {
        super::details_view::download_selected(app);
    }
}
