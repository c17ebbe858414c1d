//! The details pane of the selected row: instance or certificate facts, SSL facts, and once a
//! certificate is downloaded, what it holds.

use super::intent::Intent;
use super::model::{Downloaded, Model};
use super::settings::Settings;
use super::tokens;
use crate::cloud::Service;
use crate::inventory::SslStatus;
use crate::text::{inert, inert_lines};

/// Whether a row has a CA certificate to download.
pub fn can_download(row: &crate::inventory::InventoryRow) -> bool {
    matches!(row.service, Service::Dcs | Service::GeminiDb) && row.ssl == SslStatus::On
}

/// The right-hand pane: capped so the table keeps Name, Expires and Days left; long values wrap
/// instead of widening it; its width is remembered (egui memory).
pub fn details_ui(ui: &mut egui::Ui, model: &Model, settings: &Settings) -> Option<Intent> {
    if !settings.show_details {
        return None;
    }
    let mut intent = None;
    // A fixed width range (not a share of the window), so a width the user chose survives a
    // shrink and grow; its widest still leaves the table Name, Expires and Days left at 800 px.
    let panel = egui::Panel::right("details")
        .resizable(true)
        .default_size(tokens::DETAILS_WIDTH)
        .size_range(tokens::DETAILS_MIN_WIDTH..=tokens::DETAILS_MAX_WIDTH);
    panel.show(ui, |ui| {
        let Some(row) = model.selected_row() else {
            ui.weak("Select a row to see its details.");
            return;
        };
        egui::ScrollArea::vertical().id_salt("details-scroll").auto_shrink([false, false]).show(ui, |ui| {
            intent = row_details_ui(ui, model, row);
        });
    });
    intent
}

fn row_details_ui(ui: &mut egui::Ui, model: &Model, row: &crate::inventory::InventoryRow) -> Option<Intent> {
    let mut intent = None;
    {
        let palette = tokens::palette(ui.visuals().dark_mode);
        ui.heading(inert(&row.name).as_ref());
        ui.weak(inert(&format!("{} · {} · {}", row.service.label(), row.region, row.profile)).as_ref());
        ui.separator();
        let severity = model.judge.assess(row);
        let color = tokens::severity_color(&palette, severity);
        let mut facts: Vec<(&str, String, Option<egui::Color32>)> = vec![("Id", row.id.clone(), None)];
        if matches!(row.service, Service::Dcs | Service::GeminiDb) {
            facts.push(("Engine", format!("{} {}", row.engine, row.engine_version), None));
        }
        let status_color = row.has_problem_status().then_some(palette.problem);
        facts.push(("Status", row.status.clone(), status_color));
        facts.extend(row.facts.iter().map(|(k, v)| (k.as_str(), v.clone(), None)));
        facts.push(("SSL", row.ssl.label().to_owned(), None));
        if !row.endpoint.is_empty() && !row.facts.iter().any(|(k, _)| k == "Issuer") {
            facts.push((if row.service == Service::Ccm { "Issuer" } else { "Endpoint" }, row.endpoint.clone(), None));
        }
        if let Some(v) = row.validated {
            facts.push(("Validated", if v { "yes" } else { "no" }.to_owned(), None));
        }
        let expires = match row.expires_at {
            Some(at) => format!("{} ({})", at.date(), super::table_view::days_left_text(row, model.judge)),
            None => "unknown".to_owned(),
        };
        facts.push(("Expires", expires, Some(color)));
        if severity.is_unusable()
            && let Some(state) = severity.state()
        {
            facts.push(("State", state.label().to_owned(), Some(tokens::state_color(&palette, state))));
        }
        let changed: Vec<&str> = model.estate.changes.of(row).iter().map(|c| c.badge()).collect();
        if !changed.is_empty() {
            facts.push(("Changed", changed.join(", "), Some(palette.changed)));
        }
        facts_ui(ui, &facts);
        if let (Some(from), Some(until)) = (row.not_before, row.expires_at) {
            validity_bar_ui(ui, from, until, color, &palette);
        }
        if let Some(stale) = model.stale_reason(row) {
            let seen =
                stale.seen.map_or_else(|| "earlier".to_owned(), |t| format!("at {}", super::model::when_text(t)));
            let text = format!("Stale: last seen {seen}. The refresh failed: {}", stale.reason);
            ui.colored_label(palette.error, inert_lines(&text).as_ref());
        }
        if !row.note.is_empty() {
            ui.colored_label(palette.error, inert_lines(&row.note).as_ref());
        }
        ui.separator();
        if can_download(row) {
            if ui.button("Download certificate").on_hover_text("Save the instance's CA certificate (Ctrl+D)").clicked()
            {
                intent = Some(Intent::Download(row.clone()));
            }
        } else if matches!(row.service, Service::Ccm | Service::Scm) {
            if ui.button("Export...").on_hover_text("PEM, a server bundle or PKCS#12 (Ctrl+E)").clicked() {
                intent = Some(Intent::OpenExportForSelected);
            }
        } else if row.service == Service::Elb {
            ui.weak("Read from the certificate the load balancer holds; its key stays there.");
        } else {
            ui.weak("No certificate to download: SSL is not on for this instance.");
        }
        if let Some(downloaded) = model.downloads.get(&row.id) {
            ui.separator();
            ui.label(format!("Saved to {}", downloaded.path.display()));
            downloaded_ui(ui, downloaded, &palette);
        }
    }
    intent
}

/// Issued .. now .. expiry as a bar: the part of the validity used up is filled, a tick marks now.
fn validity_bar_ui(
    ui: &mut egui::Ui,
    from: time::OffsetDateTime,
    until: time::OffsetDateTime,
    color: egui::Color32,
    palette: &tokens::Palette,
) {
    let now = time::OffsetDateTime::now_utc();
    let total = (until - from).as_seconds_f64();
    #[expect(clippy::cast_possible_truncation, reason = "a fraction between 0 and 1")]
    let used = if total > 0.0 { ((now - from).as_seconds_f64() / total).clamp(0.0, 1.0) as f32 } else { 1.0 };
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), tokens::VALIDITY_BAR_HEIGHT), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, palette.muted.gamma_multiply(0.35));
    let mut filled = rect;
    filled.set_width(rect.width() * used);
    painter.rect_filled(filled, 2.0, color.gamma_multiply(0.8));
    let x = rect.left() + rect.width() * used;
    painter.line_segment(
        [egui::pos2(x, rect.top() - 2.0), egui::pos2(x, rect.bottom() + 2.0)],
        egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
    );
    let percent = (used * 100.0).round();
    response.on_hover_text(format!(
        "{percent}% of the validity used: issued {}, expires {}",
        from.date(),
        until.date()
    ));
    // Dates only (the hover says which is which): both fit the narrowest pane.
    ui.horizontal(|ui| {
        ui.weak(from.date().to_string());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.weak(until.date().to_string());
        });
    });
}

/// Label and value per line, the value wrapping beside a fixed-width label: laid out in one pass,
/// so the pane never changes size or jumps between frames.
fn facts_ui(ui: &mut egui::Ui, facts: &[(&str, String, Option<egui::Color32>)]) {
    for (key, value, color) in facts {
        ui.horizontal(|ui| {
            ui.add_sized(
                [tokens::FACT_LABEL_WIDTH, tokens::ROW_HEIGHT],
                egui::Label::new(egui::RichText::new(*key).weak()),
            );
            // Values come from the cloud or a file: control characters show as what they are.
            let value = inert_lines(value);
            let text = match color {
                Some(c) => egui::RichText::new(value.as_ref()).color(*c),
                None => egui::RichText::new(value.as_ref()),
            };
            ui.add(egui::Label::new(text).wrap());
        });
    }
}

/// What a downloaded file holds: the chain with its problems, then every certificate's details.
fn downloaded_ui(ui: &mut egui::Ui, downloaded: &Downloaded, palette: &tokens::Palette) {
    let chain = &downloaded.chain;
    let reaches_root = chain.ordered.last().is_some_and(|l| l.self_signed);
    let state = if chain.complete {
        "Chain: complete, every signature verified"
    } else if reaches_root {
        "Chain: reaches its root, with the problems below"
    } else {
        "Chain: incomplete or broken"
    };
    ui.strong(state);
    for (i, link) in chain.ordered.iter().enumerate() {
        let root = if link.self_signed { " (self-signed root)" } else { "" };
        ui.label(format!("{}. {}{root}", i + 1, link.subject));
    }
    for problem in &chain.problems {
        ui.colored_label(palette.error, problem);
    }
    for d in &downloaded.details {
        let title = d.subject_cn.clone().unwrap_or_else(|| d.subject.clone());
        egui::CollapsingHeader::new(format!("Certificate {title}")).show(ui, |ui| {
            let key = d.key_curve.clone().or(d.key_bits.map(|b| format!("{b} bits"))).unwrap_or_default();
            let mut facts: Vec<(&str, String, Option<egui::Color32>)> = vec![
                ("Subject", d.subject.clone(), None),
                ("Issuer", d.issuer.clone(), None),
                (
                    "Valid",
                    format!("{} to {} ({} days left)", d.not_before.date(), d.not_after.date(), d.days_left),
                    None,
                ),
                ("Serial", d.serial_hex.clone(), None),
                ("Key", format!("{} {key}", d.key_algorithm), None),
                ("Signature", d.signature_algorithm.clone(), None),
                ("SHA-256", d.sha256_fingerprint.clone(), None),
                ("CA", if d.is_ca { "yes".into() } else { "no".into() }, None),
            ];
            if !d.subject_alt_names.is_empty() {
                facts.push(("SANs", d.subject_alt_names.join(", "), None));
            }
            if !d.key_usage.is_empty() {
                facts.push(("Key usage", d.key_usage.join(", "), None));
            }
            facts_ui(ui, &facts);
            for w in &d.warnings {
                ui.colored_label(palette.error, w);
            }
        });
    }
}
