//! The inventory table: one row per instance or certificate, its columns giving way in one
//! order at narrow widths, only visible rows laid out; selection, marks and keys.

use crate::text::{inert, inert_lines};

use egui_extras::{Column, TableBuilder};

use super::filter::SortColumn;
use super::intent::Intent;
use super::model::Model;
use super::settings::Settings;
use super::tokens;
use crate::inventory::changes::Change;
use crate::inventory::estate::Stale;
use crate::inventory::policy::{Judge, days_left_at};
use crate::inventory::{InventoryRow, SslStatus};

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
        let judge = model.judge;
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
                    let r: &InventoryRow = &model.estate.rows[model.visible[row.index()]];
                    row.set_selected(model.selected.as_deref() == Some(r.id.as_str()) || model.is_marked(r));
                    let marks = RowView { stale: model.stale_reason(r), changes: model.estate.changes.of(r) };
                    row_cells_ui(&mut row, &shown, r, &marks, &palette, judge);
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
        if !model.estate.rows.is_empty() {
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
        } else if model.estate.refresh.is_some() {
            ui.add(egui::Spinner::new());
            ui.label("Loading the inventory...");
        } else if !model.estate.errors.is_empty() {
            let palette = tokens::palette(ui.visuals().dark_mode);
            ui.colored_label(
                palette.error,
                format!(
                    "Nothing loaded: every part failed ({} failure(s), listed above). Check the profile (Test, \
                     Edit), then refresh (F5).",
                    model.estate.errors.len()
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
pub fn days_left_text(row: &InventoryRow, judge: Judge) -> String {
    let severity = judge.assess(row);
    if severity.is_unusable()
        && let Some(state) = severity.state()
    {
        return state.label().to_owned();
    }
    match days_left_at(row, judge.now) {
        None => "—".into(),
        Some(d) if d > 0 => d.to_string(),
        Some(_) => row.expiry_words_at(judge.now),
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
    judge: Judge,
) {
    let stale = marks.stale;
    let problem = r.has_problem_status();
    let severity = judge.assess(r);
    let days_color =
        if problem && !severity.is_unusable() { palette.muted } else { tokens::severity_color(palette, severity) };
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
                        let seen = stale
                            .seen
                            .map_or_else(|| "earlier".to_owned(), |t| format!("at {}", super::model::when_text(t)));
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
                    ui.colored_label(days_color, days_left_text(r, judge));
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
        intents.push(Intent::Select { id: model.estate.rows[model.visible[n]].id.clone(), scroll: true });
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
