//! The real app driven headless by egui_kittest (no renderer) against a real simulator on a
//! loopback socket. Only the native save dialog is scripted.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use crate::common;

use certdesk::cloud::Service;
use certdesk::inventory::policy::{Judge, Severity, days_left_at};
use certdesk::inventory::{InventoryRow as Row, SslStatus};
use certdesk::sim::{Faults, Scale, SimConfig};
use certdesk::ui::{AppOptions, CertdeskApp};
use certdesk::worker::{SaveChoice, ScriptedDialog};
use common::ui::*;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

#[test]
fn first_run_offers_the_demo_and_the_demo_loads_the_estate() {
    let mut h = harness(AppOptions::default(), Arc::default());
    h.run_steps(2);
    h.get_by_label("Try the demo cloud").click();
    wait_for(&mut h, "the demo estate", loaded);
    let app = h.state();
    let expected = {
        let e = certdesk::sim::Estate::generate(1, Scale::Demo, time::OffsetDateTime::now_utc());
        e.item_count()
    };
    assert_eq!(app.rows().len(), expected);
    assert_eq!(app.visible_row_ids().len(), expected);
    assert!(app.region_errors().is_empty());
    h.get_by_label_contains("items");
    h.get_by_label_contains(" expired");
}

#[test]
fn search_quick_filters_and_sorting() {
    let mut h = harness(demo(Faults::default()), Arc::default());
    wait_for(&mut h, "the demo estate", loaded);
    let all = h.state().visible_row_ids().len();
    h.get_by_label("Search").click();
    h.get_by_label("Search").type_text("gemini");
    h.run_steps(3);
    let shown = h.state().visible_row_ids();
    assert!(!shown.is_empty() && shown.len() < all, "{} of {all}", shown.len());
    let gemini_rows = h.state().rows().iter().filter(|r| r.name.contains("gemini")).count();
    assert_eq!(shown.len(), gemini_rows);
    // Clear the search; the quick filter for expired keeps only expired rows.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label("Expired").click();
    h.run_steps(2);
    let expired: Vec<_> = h.state().visible_row_ids();
    assert!(!expired.is_empty());
    let rows = h.state().rows().to_vec();
    // Expired by the time, not the day count: one that expired earlier today (UTC) has 0 days
    // left and is shown too, so this holds at any hour of the day.
    let is_expired = |r: &Row| Judge::default().assess(r) == Severity::Expired;
    assert!(expired.iter().all(|id| is_expired(rows.iter().find(|r| &r.id == id).unwrap())));
    assert_eq!(expired.len(), rows.iter().filter(|r| is_expired(r)).count());
    h.get_by_label("Expired").click();
    // Default sort: days left ascending; clicking the header flips it.
    h.run_steps(2);
    let days = |app: &CertdeskApp| -> Vec<i64> {
        app.visible_row_ids()
            .iter()
            .filter_map(|id| {
                days_left_at(app.rows().iter().find(|r| &r.id == id).unwrap(), time::OffsetDateTime::now_utc())
            })
            .collect()
    };
    let asc = days(h.state());
    assert!(asc.windows(2).all(|w| w[0] <= w[1]));
    h.get_by_label_contains("Days left").click();
    h.run_steps(2);
    let desc = days(h.state());
    assert!(desc.windows(2).all(|w| w[0] >= w[1]), "{desc:?}");
    // The quick filter survives a refresh.
    h.get_by_label("SSL off").click();
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "the refresh", loaded);
    let ids = h.state().visible_row_ids();
    let rows = h.state().rows().to_vec();
    assert!(!ids.is_empty() && ids.iter().all(|id| rows.iter().find(|r| &r.id == id).unwrap().ssl == SslStatus::Off));
}

#[test]
fn select_and_download_through_the_save_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(demo(Faults::default()), dialog.clone());
    wait_for(&mut h, "the demo estate", loaded);
    let target = h
        .state()
        .rows()
        .iter()
        .find(|r| r.service == certdesk::cloud::Service::Dcs && r.ssl == SslStatus::On)
        .unwrap()
        .clone();
    h.get_by_label("Search").click();
    h.get_by_label("Search").type_text(&target.id);
    h.run_steps(3);
    assert_eq!(h.state().visible_row_ids(), std::slice::from_ref(&target.id));
    h.get_by_label(&target.name).click();
    h.run_steps(2);
    h.get_by_label("Download certificate");
    // First the user cancels the dialog: nothing happens, nothing is written.
    dialog.answer(None);
    h.get_by_label("Download certificate").click();
    wait_for(&mut h, "the cancelled download", |app| {
        !app.is_busy() && app.activity_messages().iter().any(|m| m.starts_with("Cancelled"))
    });
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let path = dir.path().join("redis-ca.zip");
    dialog.answer(Some(SaveChoice { path: path.clone(), overwrite_confirmed: false }));
    h.get_by_label("Download certificate").click();
    wait_for(&mut h, "the download", |app| app.downloaded(&target.id).is_some());
    assert!(std::fs::read(&path).unwrap().starts_with(b"PK"));
    assert_eq!(dialog.asked()[1], format!("{}-ca.zip", target.name));
    h.get_by_label_contains("Saved to");
    // The certificate core's view of the file: the chain and every certificate's details.
    h.get_by_label("Chain: complete, every signature verified");
    assert_eq!(h.state().downloaded(&target.id).unwrap().details.len(), 1);
    assert!(h.state().downloaded(&target.id).unwrap().details[0].is_ca);
    // The file exists now and the dialog did not confirm replacing it: refused, file kept.
    let before = std::fs::read(&path).unwrap();
    dialog.answer(Some(SaveChoice { path: path.clone(), overwrite_confirmed: false }));
    h.get_by_label("Download certificate").click();
    wait_for(&mut h, "the refused overwrite", |app| {
        app.activity_messages().iter().any(|m| m.contains("already exists"))
    });
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_failing_region_shows_as_an_error_while_the_rest_loads() {
    let mut h = harness(demo(Faults { fail_regions: vec!["eu-west-101".into()], ..Faults::default() }), Arc::default());
    wait_for(&mut h, "the partial estate", loaded);
    let app = h.state();
    assert_eq!(app.region_errors().len(), 3, "DCS, GeminiDB and ELB of eu-west-101");
    assert!(app.rows().iter().all(|r| r.region != "eu-west-101"));
    assert!(app.rows().iter().any(|r| r.region == "ap-southeast-1"));
    h.get_by_label_contains("Failed: DCS eu-west-101");
}

#[test]
fn a_slow_refresh_can_be_cancelled() {
    let mut h = harness(demo(Faults { latency_ms: 1500, ..Faults::default() }), Arc::default());
    wait_for(&mut h, "the refresh to start", CertdeskApp::is_refreshing);
    h.get_by_label("Cancel").click();
    wait_for(&mut h, "the cancellation", |app| !app.is_refreshing());
    assert!(h.state().activity_messages().iter().any(|m| m == "Cancelled: Refreshing the inventory"));
}

#[test]
fn keyboard_moves_the_selection() {
    let mut h = harness(demo(Faults::default()), Arc::default());
    wait_for(&mut h, "the demo estate", loaded);
    h.key_press(egui::Key::ArrowDown);
    h.key_press(egui::Key::ArrowDown);
    h.run_steps(2);
    let ids = h.state().visible_row_ids();
    assert_eq!(h.state().selected_id(), Some(ids[1].as_str()));
    h.key_press(egui::Key::ArrowUp);
    h.run_steps(2);
    assert_eq!(h.state().selected_id(), Some(ids[0].as_str()));
    // The details pane shows the selected row's id (the table's Id column gives way at this width).
    assert!(h.query_all_by_label(&ids[0]).count() >= 1, "details pane");
    let at = |h: &Harness<'static, CertdeskApp>| ids.iter().position(|id| Some(id.as_str()) == h.state().selected_id());
    h.key_press(egui::Key::End);
    h.run_steps(2);
    assert_eq!(at(&h), Some(ids.len() - 1), "End: the last row");
    h.key_press(egui::Key::PageUp);
    h.run_steps(2);
    let page = ids.len() - 1 - at(&h).unwrap();
    assert!(page > 5, "Page Up moves by a screen ({page} rows)");
    h.key_press(egui::Key::PageDown);
    h.run_steps(2);
    assert_eq!(at(&h), Some(ids.len() - 1));
    h.key_press(egui::Key::Home);
    h.run_steps(2);
    assert_eq!(at(&h), Some(0), "Home: the first row");
    // Esc clears the selection; search by words finds rows matching every word.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().selected_id(), None);
    let rows = h.state().rows().to_vec();
    let redis_de =
        rows.iter().filter(|r| r.region == "ap-southeast-1" && r.service == certdesk::cloud::Service::Dcs).count();
    find_and_select(&mut h, "ap-southeast-1 dcs");
    assert_eq!(h.state().visible_row_ids().len(), redis_de, "every word matches some column");
    assert_eq!(h.state().selected_id(), Some(h.state().visible_row_ids()[0].as_str()), "Enter selects the first");
}

#[test]
fn export_the_shown_rows_as_csv_and_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(demo(Faults::default()), dialog.clone());
    wait_for(&mut h, "the demo estate", loaded);
    h.get_by_label("Expired").click();
    h.run_steps(2);
    let shown = h.state().visible_row_ids().len();
    let csv = dir.path().join("expired.csv");
    dialog.answer(Some(SaveChoice { path: csv.clone(), overwrite_confirmed: false }));
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label("CSV (shown rows)").click();
    wait_for(&mut h, "the CSV export", |app| {
        !app.is_busy() && app.activity_messages().iter().any(|m| m.contains("expired.csv"))
    });
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), shown + 1, "header and one line per shown row");
    let ics = dir.path().join("reminders.ics");
    dialog.answer(Some(SaveChoice { path: ics.clone(), overwrite_confirmed: false }));
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label("Calendar of expiry reminders (.ics)").click();
    wait_for(&mut h, "the calendar export", |app| {
        !app.is_busy() && app.activity_messages().iter().any(|m| m.contains("reminders.ics"))
    });
    assert_eq!(std::fs::read_to_string(&ics).unwrap().matches("BEGIN:VEVENT").count(), shown);
    assert_eq!(dialog.asked(), ["certdesk-inventory.csv", "certdesk-inventory.ics"]);
}

#[test]
fn add_a_profile_test_it_and_see_its_estate() {
    let (rt, sim, mut h, dir) = first_run_beside_a_simulator();
    fill_new_profile(&mut h, "sim-account", &sim);
    h.run_steps(1);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && app.profiles().len() == 1);
    wait_for(&mut h, "the profile's estate", loaded);
    assert_eq!(h.state().rows().len(), sim.state.estate().item_count());
    assert!(h.state().rows().iter().all(|r| r.profile == "sim-account"));
    // The file holds the profile but never its secret.
    let file = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
    assert!(file.contains("sim-account") && file.contains(&sim.info.ak));
    assert!(!file.contains(&sim.info.sk), "no secret on disk");
    h.get_by_label("Test").click();
    wait_for(&mut h, "the connection test", |app| {
        app.profile_test("sim-account").is_some_and(|r| r.as_ref().is_ok_and(|m| m.starts_with("Connected")))
    });
    let result = h.state().profile_test("sim-account").unwrap().clone();
    assert!(result.as_ref().is_ok_and(|m| m.contains("2 region(s)")), "{result:?}");
    // A wrong secret is refused by the gateway and reported on the profile.
    h.get_by_label("Edit").click();
    h.run_steps(12);
    h.get_by_label("Secret key (SK) (empty: keep)").click();
    h.get_by_label("Secret key (SK) (empty: keep)").type_text("wrong-secret");
    h.get_by_label("Save").click();
    wait_for(&mut h, "the edited profile", |app| !app.profile_dialog_open());
    h.get_by_label("Test").click();
    wait_for(&mut h, "the failed test", |app| app.profile_test("sim-account").is_some_and(Result::is_err));
    let message = h.state().profile_test("sim-account").unwrap().clone().unwrap_err();
    assert!(message.contains("secret key"), "{message}");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn a_profile_scans_only_the_ticked_regions() {
    let (rt, sim, mut h, dir) = first_run_beside_a_simulator();
    fill_new_profile(&mut h, "one-region", &sim);
    // Not all regions, and none ticked: refused with a clear word, nothing saved. (The modal grows
    // and re-centres over a few frames after each change, so let it settle before the next click.)
    h.get_by_label("All regions").click();
    h.run_steps(12);
    h.get_by_label("Save").click();
    h.run_steps(2);
    assert_eq!(h.state().profile_form_error(), Some("Tick at least one region, or choose \"All regions\"."));
    assert!(h.state().profile_dialog_open());
    assert!(h.state().profiles().is_empty());
    // The catalog's regions are there to tick; the simulator's second region is typed by hand.
    h.run_steps(12);
    h.get_by_label("ap-southeast-1").click();
    // The error of the refused save clears once the form changes; the modal re-centres.
    h.run_steps(12);
    assert_eq!(h.state().profile_form_error(), None);
    // Something that is not a region id is refused with a word and kept in the field for correcting.
    h.get_by_label("Other region").click();
    h.get_by_label("Other region").type_text("eu nl/");
    h.get_by_label("Add region").click();
    h.run_steps(2);
    assert_eq!(
        h.state().profile_form_error(),
        Some("\"eu nl/\" is not a region id: use letters, digits and '-' only (e.g. eu-de).")
    );
    h.get_by_label("Other region").click();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Other region").type_text("eu-nl");
    // The error cleared with the edit: let the modal settle.
    h.run_steps(12);
    h.get_by_label("Add region").click();
    h.run_steps(12);
    h.get_by_label("ap-southeast-1").click(); // untick: only eu-nl remains
    h.run_steps(12);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && app.profiles().len() == 1);
    assert_eq!(h.state().profiles()[0].regions, ["eu-nl"]);
    wait_for(&mut h, "the profile's estate", loaded);
    let estate = sim.state.estate();
    let nl = estate.regions.iter().find(|r| r.name == "eu-nl").unwrap();
    assert_eq!(h.state().rows().len(), nl.item_count() + estate.certificates.len() + estate.scm.len());
    assert!(h.state().rows().iter().all(|r| r.region == "eu-nl" || r.region == "global"), "only eu-nl scanned");
    h.get_by_label("Test").click();
    wait_for(&mut h, "the connection test", |app| {
        app.profile_test("one-region").is_some_and(|r| r.as_ref().is_ok_and(|m| m.starts_with("Connected")))
    });
    let result = h.state().profile_test("one-region").unwrap().clone();
    assert!(result.as_ref().is_ok_and(|m| m.contains("1 region(s) (eu-nl)")), "{result:?}");
    // Editing shows the list ticked as saved.
    h.get_by_label("Edit").click();
    h.run_steps(12);
    let ticked = h.get_by_role_and_label(egui::accesskit::Role::CheckBox, "eu-nl");
    assert_eq!(ticked.accesskit_node().toggled(), Some(egui::accesskit::Toggled::True));
    assert!(std::fs::read_to_string(dir.path().join("profiles.json")).unwrap().contains("eu-nl"));
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn the_about_box_shows_the_build_facts_of_version() {
    let mut h = harness(demo(Faults::default()), Arc::default());
    wait_for(&mut h, "the demo estate", loaded);
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label_contains("About certdesk").click();
    h.run_steps(12);
    assert!(h.state().about_open());
    // The same facts as `certdesk --version`.
    let commit = format!("{} ({})", certdesk::build_info::COMMIT, certdesk::build_info::COMMIT_DATE);
    h.get_by_label(&commit);
    h.get_by_label(certdesk::build_info::VERSION);
    h.get_by_label(certdesk::build_info::RUSTC);
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(!h.state().about_open(), "Esc closes the about box");
    // F1 opens it too; it names the renderer the window runs on, and why another did not start
    // (what `certdesk::ui::run` hands over; scripts/test sees the real fallback under Xvfb).
    let renderer = "wgpu (Vulkan, llvmpipe); glow did not start: glutin error";
    let mut h = harness(AppOptions { renderer: renderer.into(), ..demo(Faults::default()) }, Arc::default());
    wait_for(&mut h, "the demo estate", loaded);
    h.key_press(egui::Key::F1);
    h.run_steps(12);
    assert!(h.state().about_open(), "F1 opens the about box");
    h.get_by_label(renderer);
}

#[test]
fn a_profile_without_its_secret_is_not_saved() {
    let (worker, dir) = isolated();
    let mut h = harness(AppOptions { worker, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    h.get_by_label("Add a profile").click();
    h.run_steps(2);
    assert!(h.state().profile_dialog_open(), "dialog open");
    // The modal fades in over a few frames.
    h.run_steps(10);
    h.get_by_label("Name").click();
    h.get_by_label("Name").type_text("half");
    h.get_by_label("Access key (AK)").click();
    h.get_by_label("Access key (AK)").type_text("AKONLY");
    h.get_by_label("Save").click();
    wait_for(&mut h, "the refusal", |app| app.activity_messages().iter().any(|m| m.contains("Enter the secret key")));
    assert!(h.state().profile_dialog_open(), "the dialog stays open with the error");
    assert!(h.state().profiles().is_empty());
    assert!(!dir.path().join("profiles.json").exists(), "nothing half-written");
}

/// The demo app with a plain issued private certificate selected; the scripted dialog; every row; that row.
fn demo_with_an_issued_certificate_selected() -> (Harness<'static, CertdeskApp>, Arc<ScriptedDialog>, Vec<Row>, Row) {
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(demo(Faults::default()), dialog.clone());
    wait_for(&mut h, "the demo estate", loaded);
    let rows = h.state().rows().to_vec();
    let cert = rows
        .iter()
        .find(|r| r.service == certdesk::cloud::Service::Ccm && r.status == "ISSUED" && r.note.is_empty())
        .unwrap()
        .clone();
    select_row(&mut h, &cert);
    (h, dialog, rows, cert)
}

#[test]
fn export_a_private_certificate_as_zip_and_pkcs12() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, dialog, rows, _) = demo_with_an_issued_certificate_selected();
    // PKCS#12 with a password (Ctrl+E opens the dialog).
    let p12 = dir.path().join("cert.p12");
    dialog.answer(Some(SaveChoice { path: p12.clone(), overwrite_confirmed: false }));
    pkcs12_through_the_dialog(&mut h, "p12-password");
    wait_for(&mut h, "the PKCS#12 export", |app| {
        !app.is_busy() && app.activity_messages().iter().any(|m| m.contains("cert.p12"))
    });
    let opts = certdesk::certs::material::ReadOptions {
        password: Some("p12-password".into()),
        ..certdesk::certs::material::ReadOptions::default()
    };
    let m = certdesk::certs::material::read("cert.p12", &std::fs::read(&p12).unwrap(), &opts).unwrap();
    assert_eq!(m.certificates.len(), 3);
    // A revoked certificate cannot be exported: the dialog says so before anything is chosen, and
    // "Save as..." stays disabled; nothing is asked or written.
    let revoked = rows.iter().find(|r| r.service == certdesk::cloud::Service::Ccm && r.status == "REVOKED").unwrap();
    select_row(&mut h, revoked);
    let asked = dialog.asked().len();
    h.get_by_label("Export...").click();
    h.run_steps(4);
    h.get_by_label("Only ISSUED certificates can be exported; this one is REVOKED.");
    h.get_by_label("Save as...").click();
    h.run_steps(4);
    assert_eq!(dialog.asked().len(), asked, "no save dialog for an export the cloud refuses");
    assert!(!h.state().is_busy());
    let _ = dir;
}

#[test]
fn every_export_format_through_the_dialog() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (mut h, dialog, _, cert) = demo_with_an_issued_certificate_selected();
    let export = |h: &mut Harness<'static, CertdeskApp>, pick: &[&str], file: &str| -> std::path::PathBuf {
        let path = dir.path().join(file);
        export_through_dialog(h, &dialog, &path, pick);
        wait_for(h, file, |app| !app.is_busy() && app.activity_messages().iter().any(|m| m.contains(file)));
        path
    };
    for kind in ["APACHE", "NGINX", "IIS", "TOMCAT", "OTHER"] {
        let path = export(&mut h, &[kind], &format!("{kind}.zip"));
        let m = certdesk::certs::material::read(
            kind,
            &std::fs::read(&path).unwrap(),
            &certdesk::certs::material::ReadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(m.certificates.iter().any(|c| m.keys[0].key.matches(&c.der)), "{kind}: the key matches the leaf");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{kind}");
    }
    assert_eq!(dialog.asked()[0], format!("{}_apache.zip", cert.name), "the console's file name is suggested");
    let with_key = export(&mut h, &["PEM file (certificate and chain)", "Include the private key"], "with-key.pem");
    let text = std::fs::read_to_string(&with_key).unwrap();
    assert!(text.contains("PRIVATE KEY") && !text.contains('\r'));
    assert_eq!(std::fs::metadata(&with_key).unwrap().permissions().mode() & 0o777, 0o600);
    // The box stays as last ticked in an open dialog; a new dialog starts without the key.
    let without = export(&mut h, &["PEM file (certificate and chain)"], "no-key.pem");
    let text = std::fs::read_to_string(&without).unwrap();
    assert!(!text.contains("PRIVATE KEY") && text.matches("BEGIN CERTIFICATE").count() == 3);
    assert_eq!(std::fs::metadata(&without).unwrap().permissions().mode() & 0o777, 0o644, "no key: readable");
}

#[test]
fn mark_rows_with_ctrl_click_and_export_them_to_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(demo(Faults::default()), dialog.clone());
    wait_for(&mut h, "the demo estate", loaded);
    let rows = h.state().rows().to_vec();
    let dcs =
        rows.iter().find(|r| r.service == certdesk::cloud::Service::Dcs && r.ssl == SslStatus::On).unwrap().clone();
    let pca = rows
        .iter()
        .find(|r| r.service == certdesk::cloud::Service::Ccm && r.status == "ISSUED" && r.note.is_empty())
        .unwrap()
        .clone();
    let revoked = rows.iter().find(|r| r.service == certdesk::cloud::Service::Ccm && r.status == "REVOKED").cloned();
    let mut marked = vec![dcs.clone(), pca.clone()];
    marked.extend(revoked.clone());
    for row in &marked {
        // Ctrl+click marks instead of selecting.
        mark_row(&mut h, row);
    }
    assert_eq!(h.state().marked_ids().len(), marked.len());
    dialog.answer_folder(Some(dir.path().to_path_buf()));
    h.get_by_label(&format!("{} marked", marked.len())).click();
    h.run_steps(3);
    h.get_by_label("TOMCAT zips").click();
    wait_for(&mut h, "the folder export", |app| {
        !app.is_busy()
            && app.activity_messages().iter().any(|m| m.contains("to a folder"))
            && app.activity_messages().len() > 5
    });
    let mut files: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    // Region and the start of the id in the names: same-named items never collide.
    let mut expected = vec![
        format!("{}-{}-{}-ca.zip", dcs.name, dcs.region, &dcs.id[..8]),
        format!("{}-{}_tomcat.zip", pca.name, &pca.id[..8]),
    ];
    expected.sort();
    assert_eq!(files, expected, "the revoked certificate is reported, not written");
    if let Some(revoked) = revoked {
        assert!(
            h.state()
                .activity_messages()
                .iter()
                .any(|m| m.contains("Saved 2 of 3") && m.contains(&revoked.name) && m.contains("status REVOKED")),
            "{:?}",
            h.state().activity_messages()
        );
    }
}

/// A user's own profile (not the demo) on the simulator, added through the dialog.
#[test]
fn a_user_profile_downloads_and_exports_after_a_refresh_and_after_a_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = user_profile_app(options.clone(), &sim, "mine", dialog.clone());
    every_action_works(&mut h, &dialog, dir.path(), "mine");
    // Save dialogs start in the last folder used (the first one in Downloads, here the temp dir).
    assert!(dialog.start_dirs().iter().all(|d| d.as_deref() == Some(dir.path())), "{:?}", dialog.start_dirs());
    drop(h);
    // A restart: the same profiles file and secrets, a new app and worker.
    let restart = tempfile::tempdir().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    every_action_works(&mut h, &dialog, restart.path(), "mine");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn an_iam_password_profile_downloads_and_exports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    fill_new_password_profile(&mut h, "iam-user", &sim);
    h.run_steps(1);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && app.profiles().len() == 1);
    every_action_works(&mut h, &dialog, dir.path(), "iam-user");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn session_only_secrets_chosen_in_the_profile_dialog_work_for_every_action() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (mut options, dir) = isolated();
    // No keyring on this desktop: opening it fails as a Secret Service that is not there does.
    options.vault = None;
    options.open_keyring = Some(Arc::new(|| Err(certdesk::vault::VaultError::Unavailable("no session bus".into()))));
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some_and(Result::is_err));
    fill_new_profile(&mut h, "no-keyring", &sim);
    // Save without a keyring: refused with the reason; everything typed stays.
    h.get_by_label("Save").click();
    wait_for(&mut h, "the refusal", |app| app.profile_form_error().is_some_and(|e| e.contains("keyring")));
    assert!(h.state().profile_dialog_open());
    // The way out is in the dialog itself.
    h.run_steps(12);
    h.query_all_by_label("Keep secrets for this session only").last().unwrap().click();
    wait_for(&mut h, "session-only secrets", |app| {
        app.vault_status().is_some_and(|v| v.as_deref() == Ok("this session only"))
    });
    h.run_steps(12);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && app.profiles().len() == 1);
    every_action_works(&mut h, &dialog, dir.path(), "no-keyring");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn the_add_dialog_tests_what_is_typed_before_saving() {
    let (rt, sim, mut h, dir) = first_run_beside_a_simulator();
    fill_new_profile(&mut h, "draft", &sim);
    h.run_steps(1);
    h.get_by_label("Test").click();
    wait_for(&mut h, "the draft's test", |app| {
        app.activity_messages().iter().any(|m| m.starts_with("Profile draft as typed: Connected"))
    });
    h.get_by_label_contains("Connected: 2 region(s)");
    assert!(h.state().profile_dialog_open() && h.state().profiles().is_empty(), "tested, not saved");
    // The form's result is the form's: a profile's card shows how the stored profile fared (a
    // right secret tested and then cancelled must not turn a failing profile's card green).
    assert_eq!(h.state().profile_test("draft"), None);
    assert!(!dir.path().join("profiles.json").exists());
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn a_wrong_secret_key_keeps_the_rows_marked_stale_with_a_banner_and_a_problem_count() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, _dir) = isolated();
    let mut h = user_profile_app(options, &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate", loaded);
    let before = h.state().rows().len();
    assert!(before > 0 && h.state().rows().iter().all(|r| h.state().stale_reason(r).is_none()));
    // The key is rotated in the console; the profile still holds the old one.
    h.get_by_label("Edit").click();
    h.run_steps(12);
    h.get_by_label("Secret key (SK) (empty: keep)").click();
    h.get_by_label("Secret key (SK) (empty: keep)").type_text("rotated-away-secret");
    h.get_by_label("Save").click();
    wait_for(&mut h, "the failed refresh", |app| {
        !app.profile_dialog_open() && !app.is_refreshing() && !app.region_errors().is_empty()
    });
    let app = h.state();
    assert_eq!(app.region_errors().len(), 1, "one line for the profile, not one per region: {:?}", app.region_errors());
    // One failed authentication for the whole refresh: nothing that counts toward a lockout.
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1), "{:?}", sim.state.auth_failures());
    assert_eq!(app.rows().len(), before, "the rows stay");
    assert!(app.rows().iter().all(|r| app.stale_reason(r).is_some()), "all marked stale");
    assert!(app.profile_test("acct").is_some_and(Result::is_err), "the profile card says it cannot sign in");
    let log = app.activity_messages();
    assert!(
        log.iter().any(|m| m.starts_with("Inventory loaded with problems") && m.contains("1 failed part")),
        "{log:?}"
    );
    let last = log.iter().rev().find(|m| m.starts_with("Inventory loaded")).unwrap();
    assert!(last.starts_with("Inventory loaded with problems"), "no success line for a failure: {last}");
    // The cloud's words, then the advice, as two sentences.
    assert!(
        h.query_all_by_label_contains("Profile acct: cannot sign in: HTTP 401").count() >= 1,
        "{:?}",
        h.state().region_errors()
    );
    assert!(h.query_all_by_label_contains("signature fail. Check the secret key of this profile").count() >= 1);
    h.get_by_label(&format!("{before} stale"));
    h.get_by_label(&format!("{before} stale row(s)"));
    // Problems lists them.
    h.get_by_label("Problems").click();
    h.run_steps(2);
    assert_eq!(h.state().visible_row_ids().len(), before);

    // Refreshes after the refusal (F5, as the periodic refresh sends it) send nothing for the
    // profile: the card and the line above the table say it is paused, and offer Test.
    let loads =
        |app: &CertdeskApp| app.activity_messages().iter().filter(|m| m.starts_with("Inventory loaded")).count();
    for _ in 0..3 {
        let done = loads(h.state());
        h.key_press(egui::Key::F5);
        wait_for(&mut h, "a refresh", |app| !app.is_refreshing() && loads(app) == done + 1);
    }
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1), "{:?}", sim.state.auth_failures());
    assert!(h.query_all_by_label_contains("sign-in paused").count() >= 2, "on the card and above the table");
    h.get_by_label("Test");
    // The user puts the right secret in: the profile signs in again and its rows are fresh.
    h.get_by_label("Edit").click();
    h.run_steps(12);
    h.get_by_label("Secret key (SK) (empty: keep)").click();
    h.get_by_label("Secret key (SK) (empty: keep)").type_text(&sim.info.sk);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the refresh with the right secret", |app| {
        !app.profile_dialog_open() && loaded(app) && app.region_errors().is_empty()
    });
    assert!(h.state().rows().iter().all(|r| h.state().stale_reason(r).is_none()));
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn with_no_save_dialog_the_app_asks_for_a_path_and_keeps_the_export_dialog() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = user_profile_app(options, &sim, "nodlg", dialog.clone());
    wait_for(&mut h, "the estate", loaded);
    let rows = h.state().rows().to_vec();
    let dcs =
        rows.iter().find(|r| r.service == certdesk::cloud::Service::Dcs && r.ssl == SslStatus::On).unwrap().clone();
    find_and_select(&mut h, &dcs.id);
    dialog.answer_unavailable();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    wait_for(&mut h, "the app's save prompt", |app| app.save_prompt().is_some());
    // The proposal: the Downloads folder (here the test's folder) with the suggested name.
    let proposed = dir.path().join(format!("{}-ca.zip", dcs.name));
    assert_eq!(h.state().save_prompt().unwrap().path, proposed.display().to_string());
    assert!(h.query_all_by_label_contains("Install xdg-desktop-portal").count() >= 1, "the way out is named");
    // A file of that name exists: asked again, never replaced.
    std::fs::write(&proposed, b"keep me").unwrap();
    h.run_steps(12);
    h.get_by_label("Save here").click();
    wait_for(&mut h, "the prompt again", |app| app.save_prompt().is_some_and(|p| p.reason.contains("already exists")));
    assert_eq!(std::fs::read(&proposed).unwrap(), b"keep me");
    std::fs::remove_file(&proposed).unwrap();
    h.run_steps(2);
    h.get_by_label("Save here").click();
    wait_for(&mut h, "the download", |app| app.downloaded(&dcs.id).is_some());
    assert!(std::fs::read(&proposed).unwrap().starts_with(b"PK"));
    // The export dialog keeps what was typed while the prompt is open and after it is cancelled.
    let pca = rows
        .iter()
        .find(|r| r.service == certdesk::cloud::Service::Ccm && r.status == "ISSUED" && r.note.is_empty())
        .unwrap()
        .clone();
    find_and_select(&mut h, &pca.id);
    dialog.answer_unavailable();
    pkcs12_through_the_dialog(&mut h, "p12-password");
    wait_for(&mut h, "the app's save prompt", |app| app.save_prompt().is_some());
    h.run_steps(12);
    // The prompt's Cancel (the export dialog under it has one too).
    h.query_all_by_label("Cancel").last().unwrap().click();
    wait_for(&mut h, "the cancel", |app| app.save_prompt().is_none() && !app.is_busy());
    assert!(h.state().export_dialog_open(), "the export dialog stays");
    // Save again, this time to the proposed path: the typed password was kept.
    dialog.answer_unavailable();
    h.get_by_label("Save as...").click();
    wait_for(&mut h, "the app's save prompt", |app| app.save_prompt().is_some());
    h.run_steps(12);
    h.get_by_label("Save here").click();
    let p12 = dir.path().join(format!("{}.p12", pca.name));
    wait_for(&mut h, "the PKCS#12 file", |app| !app.is_busy() && !app.export_dialog_open());
    let opts = certdesk::certs::material::ReadOptions {
        password: Some("p12-password".into()),
        ..certdesk::certs::material::ReadOptions::default()
    };
    assert_eq!(
        certdesk::certs::material::read("p12", &std::fs::read(&p12).unwrap(), &opts).unwrap().certificates.len(),
        3
    );
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn name_expires_and_days_left_stay_visible_at_every_window_size() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    for (w, h_px) in [(800.0_f32, 500.0_f32), (1280.0, 800.0), (1400.0, 900.0), (1920.0, 1080.0), (2560.0, 1440.0)] {
        let wf = f64::from(w);
        let (options, _dir) = isolated();
        let mut h =
            harness_sized(AppOptions { worker: options, ..AppOptions::default() }, Arc::default(), egui::vec2(w, h_px));
        wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
        fill_new_profile(&mut h, "layout", &sim);
        h.run_steps(1);
        h.get_by_label("Save").click();
        wait_for(&mut h, "the estate", loaded);
        // A long-named private certificate selected: the details pane must not grow with it.
        let longest = h.state().rows().iter().max_by_key(|r| r.endpoint.len() + r.name.len()).unwrap().clone();
        find_and_select(&mut h, &longest.id);
        h.run_steps(4);
        // The details pane's action button stands at its left edge.
        let action = h.query_by_label("Download certificate").or_else(|| h.query_by_label("Export...")).unwrap();
        let details_left = action.accesskit_node().bounding_box().unwrap().x0 - 12.0;
        let header = |h: &Harness<'static, CertdeskApp>, title: &str| {
            h.get_by_role_and_label(egui::accesskit::Role::Button, title).accesskit_node().bounding_box().unwrap()
        };
        for title in ["Name", "Expires", "Days left (asc)"] {
            let b = header(&h, title);
            assert!(
                b.x0 >= 0.0 && b.x1 <= details_left + 1.0,
                "{w}x{h_px}: {title} at {b:?}, details at {details_left}"
            );
        }
        // The table fills the width: the Name column grows with the window.
        let name = header(&h, "Name");
        if w >= 1920.0 {
            assert!(details_left - name.x0 > 0.4 * wf, "{w}: the table stretches");
        }
        assert!(details_left >= 0.6 * wf - 1.0, "{w}: the details pane is capped ({details_left})");
        drop(h);
    }
    rt.block_on(sim.shutdown());
}

#[test]
fn a_region_that_fails_keeps_its_rows_marked_stale_and_the_rest_refreshes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, _dir) = isolated();
    let mut h = user_profile_app(options, &sim, "regions", Arc::default());
    wait_for(&mut h, "the estate", loaded);
    let before = h.state().rows().to_vec();
    let nl = before.iter().filter(|r| r.region == "eu-nl").count();
    assert!(nl > 0);
    sim.state.set_faults(Faults { fail_regions: vec!["eu-nl".into()], ..Faults::default() });
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "the partial refresh", |app| !app.is_refreshing() && !app.region_errors().is_empty());
    let app = h.state();
    assert_eq!(app.rows().len(), before.len(), "eu-nl's rows stay");
    for r in app.rows() {
        assert_eq!(app.stale_reason(r).is_some(), r.region == "eu-nl", "{} {}", r.region, r.name);
    }
    let stale = app.rows().iter().find(|r| r.region == "eu-nl").unwrap();
    let reason = app.stale_reason(stale).unwrap();
    assert!(reason.seen.is_some(), "the time it was last seen");
    h.get_by_label_contains("Failed: DCS eu-nl");
    h.get_by_label(&format!("{nl} stale"));
    // A banner's button shows the stale rows of its part only.
    let dcs_nl = before.iter().filter(|r| r.region == "eu-nl" && r.service == certdesk::cloud::Service::Dcs).count();
    h.get_by_label(&format!("{dcs_nl} stale row(s)")).click();
    h.run_steps(3);
    let shown = h.state().visible_row_ids();
    assert_eq!(shown.len(), dcs_nl, "{shown:?}");
    assert!(shown.iter().all(|id| before.iter().any(|r| &r.id == id && r.region == "eu-nl")));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run_steps(2);
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label("Problems").click();
    h.run_steps(2);
    // Back to normal: the next refresh clears the marks.
    sim.state.set_faults(Faults::default());
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "the full refresh", |app| {
        !app.is_refreshing() && app.region_errors().is_empty() && !app.is_busy()
    });
    assert!(h.state().rows().iter().all(|r| h.state().stale_reason(r).is_none()));
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn an_empty_table_says_why() {
    // No profile yet.
    let (options, _dir) = isolated();
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    // (The welcome screen shows until a profile exists; the demo has rows.)
    h.get_by_label("Add a profile");
    drop(h);
    // No row matches the search.
    let mut h = harness(demo(Faults::default()), Arc::default());
    wait_for(&mut h, "the demo estate", loaded);
    find_and_select(&mut h, "no-such-instance-anywhere");
    assert!(h.state().visible_row_ids().is_empty());
    h.get_by_label("No row matches the search and quick filters.");
    h.get_by_label("Clear search and filters").click();
    h.run_steps(3);
    assert!(!h.state().visible_row_ids().is_empty());
    drop(h);
    // Every part failed: the profile cannot sign in at all.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, _dir) = isolated();
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    h.get_by_label("Add a profile").click();
    h.run_steps(12);
    for (label, text) in [
        ("Name", "bad-key"),
        ("Access key (AK)", sim.info.ak.as_str()),
        ("Secret key (SK)", "not-the-secret"),
        ("Custom endpoint", sim.endpoint()),
    ] {
        h.get_by_label(label).click();
        h.get_by_label(label).type_text(text);
    }
    h.get_by_label("Save").click();
    wait_for(&mut h, "the failed refresh", |app| {
        !app.profile_dialog_open() && !app.is_refreshing() && !app.region_errors().is_empty()
    });
    h.get_by_label_contains("Nothing loaded: every part failed");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn a_private_certificate_shows_what_the_list_call_says_of_it() {
    let (mut h, _dialog, _rows, cert) = demo_with_an_issued_certificate_selected();
    for label in ["Subject", "Serial", "Key", "Signature", "Valid from", "Valid to"] {
        assert!(cert.facts.iter().any(|(k, _)| k == label), "{label} in {:?}", cert.facts);
        h.get_by_label(label);
    }
    let subject = &cert.facts.iter().find(|(k, _)| k == "Subject").unwrap().1;
    assert!(subject.starts_with(&format!("CN={}", cert.name)), "{subject}");
    h.run_steps(1);
}

#[test]
fn a_bulk_export_of_same_named_instances_in_two_regions_writes_both() {
    let dir = tempfile::tempdir().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(demo(Faults::default()), dialog.clone());
    wait_for(&mut h, "the demo estate", loaded);
    let rows = h.state().rows().to_vec();
    let on: Vec<&Row> = rows
        .iter()
        .filter(|r| r.ssl == SslStatus::On && matches!(r.service, Service::Dcs | Service::GeminiDb))
        .collect();
    let (a, b) = on
        .iter()
        .find_map(|a| {
            on.iter().find(|b| b.name == a.name && b.region != a.region).map(|b| ((*a).clone(), (*b).clone()))
        })
        .expect("the demo has same-named instances in two regions");
    mark_row(&mut h, &a);
    mark_row(&mut h, &b);
    dialog.answer_folder(Some(dir.path().to_path_buf()));
    h.get_by_label("2 marked").click();
    h.run_steps(3);
    h.get_by_label("NGINX zips").click();
    wait_for(&mut h, "both files", |app| !app.is_busy() && std::fs::read_dir(dir.path()).unwrap().count() == 2);
    assert!(!h.state().activity_messages().iter().any(|m| m.contains("already exists")));
}

#[test]
fn f5_rereads_the_profiles_file_and_a_second_ctrl_d_waits_for_the_first() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let (path, vault) = (options.profiles_path.clone().unwrap(), options.vault.clone().unwrap());
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = user_profile_app(options, &sim, "first", dialog.clone());
    wait_for(&mut h, "the estate", loaded);
    // Another program (`certdesk profile add`) adds a profile to the same file and vault.
    let mut second = h.state().profiles()[0].clone();
    second.name = "second".into();
    let secrets = certdesk::worker::ProfileSecrets {
        secret_key: Some(certdesk::cloud::Secret::new(sim.info.sk.clone())),
        ..certdesk::worker::ProfileSecrets::default()
    };
    rt.block_on(certdesk::worker::save_profile(&path, &vault, second, secrets)).unwrap();
    let one = h.state().rows().len();
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "both profiles' rows", |app| {
        app.profiles().len() == 2 && loaded(app) && app.rows().len() == 2 * one
    });
    // Ctrl+D twice while the first download still runs: one job, one save dialog.
    let dcs = h
        .state()
        .rows()
        .iter()
        .find(|r| r.service == certdesk::cloud::Service::Dcs && r.ssl == SslStatus::On)
        .unwrap()
        .clone();
    find_and_select(&mut h, &dcs.id);
    sim.state.set_faults(Faults { latency_ms: 800, ..Faults::default() });
    let file = dir.path().join("once-ca.zip");
    dialog.answer(Some(SaveChoice { path: file.clone(), overwrite_confirmed: false }));
    dialog.answer(Some(SaveChoice { path: dir.path().join("twice-ca.zip"), overwrite_confirmed: false }));
    let asked = dialog.asked().len();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    wait_for(&mut h, "the download", |app| !app.is_busy() && app.downloaded(&dcs.id).is_some());
    assert_eq!(dialog.asked().len(), asked + 1, "one save dialog");
    assert!(file.exists() && !dir.path().join("twice-ca.zip").exists());
    assert!(h.state().activity_messages().iter().any(|m| m.contains("already being downloaded")));
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn deleting_a_profile_during_a_refresh_never_shows_its_rows_again_nor_twice_anyone_elses() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, _dir) = isolated();
    let (path, vault) = (options.profiles_path.clone().unwrap(), options.vault.clone().unwrap());
    let mut h = user_profile_app(options, &sim, "keep", Arc::default());
    wait_for(&mut h, "the estate", loaded);
    let one = h.state().rows().len();
    let mut gone = h.state().profiles()[0].clone();
    gone.name = "gone".into();
    let secrets = certdesk::worker::ProfileSecrets {
        secret_key: Some(certdesk::cloud::Secret::new(sim.info.sk.clone())),
        ..certdesk::worker::ProfileSecrets::default()
    };
    rt.block_on(certdesk::worker::save_profile(&path, &vault, gone, secrets)).unwrap();
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "both profiles", |app| app.profiles().len() == 2 && loaded(app) && app.rows().len() == 2 * one);
    // A slow refresh; the profile is deleted while its parts are still answering.
    sim.state.set_faults(Faults { latency_ms: 150, ..Faults::default() });
    h.key_press(egui::Key::F5);
    h.run_steps(3);
    assert!(h.state().is_refreshing());
    let index = h.state().profiles().iter().position(|p| p.name == "gone").unwrap();
    h.query_all_by_label("Delete").nth(index).unwrap().click();
    h.run_steps(2);
    h.get_by_label("Confirm delete").click();
    // At no frame until everything settled: a row of the deleted profile, or a row twice.
    let start = std::time::Instant::now();
    loop {
        h.step();
        let app = h.state();
        let names: Vec<&str> = app.profiles().iter().map(|p| p.name.as_str()).collect();
        assert!(app.rows().iter().all(|r| names.contains(&r.profile.as_str())), "a deleted profile's row is shown");
        let unique: std::collections::HashSet<_> =
            app.rows().iter().map(|r| (&r.profile, r.service, &r.region, &r.id)).collect();
        assert_eq!(unique.len(), app.rows().len(), "a row twice");
        if app.profiles().len() == 1 && loaded(app) {
            break;
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", app.activity_messages());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(h.state().rows().len(), one);
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn after_a_failed_sign_in_actions_on_stale_rows_do_not_try_the_wrong_secret_again() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let vault = options.vault.clone().unwrap();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = user_profile_app(options, &sim, "rotated", dialog.clone());
    wait_for(&mut h, "the estate", loaded);
    // The key was rotated in the console; the keyring still holds the old one.
    let wrong = certdesk::cloud::Secret::new("the-rotated-away-secret");
    vault.set("rotated", certdesk::vault::SecretField::SecretKey, &wrong).unwrap();
    h.key_press(egui::Key::F5);
    h.run_steps(2);
    wait_for(&mut h, "the failed refresh", |app| !app.is_busy() && !app.region_errors().is_empty());
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1), "one bad signature for the refresh");
    // Bulk export of stale rows, then two downloads: none of them signs with the wrong key again.
    let rows: Vec<Row> = h
        .state()
        .rows()
        .iter()
        .filter(|r| r.service == certdesk::cloud::Service::Dcs && r.ssl == SslStatus::On)
        .take(3)
        .cloned()
        .collect();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        mark_row(&mut h, row);
    }
    dialog.answer_folder(Some(dir.path().to_path_buf()));
    h.get_by_label("3 marked").click();
    h.run_steps(3);
    h.get_by_label("NGINX zips").click();
    wait_for(&mut h, "the bulk export", |app| {
        !app.is_busy() && app.activity_messages().iter().any(|m| m.contains("Saved 0 of 3"))
    });
    for row in &rows[..2] {
        find_and_select(&mut h, &row.id);
        dialog
            .answer(Some(SaveChoice { path: dir.path().join(format!("{}.zip", row.id)), overwrite_confirmed: false }));
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
        h.run_steps(2);
        wait_for(&mut h, "the download", |app| !app.is_busy());
    }
    let failed: Vec<String> =
        h.state().activity_messages().into_iter().filter(|m| m.contains("not tried again")).collect();
    assert!(failed.len() >= 3, "{failed:?}");
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1), "still one: {failed:?}");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn a_user_profile_exports_an_scm_certificate_through_the_dialog_and_sees_load_balancer_details() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig { scale: Scale::Demo, ..SimConfig::default() })).unwrap();
    let (options, dir) = isolated();
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = user_profile_app(options, &sim, "acct", dialog.clone());
    wait_for(&mut h, "the estate", loaded);
    let rows = h.state().rows().to_vec();
    let scm = rows
        .iter()
        .find(|r| {
            r.service == certdesk::cloud::Service::Scm
                && r.status == "ISSUED"
                && r.facts.iter().any(|(k, v)| k == "Private key" && v.starts_with("held"))
        })
        .unwrap()
        .clone();
    select_row(&mut h, &scm);
    for (kind, names) in
        [("NGINX", vec!["server.crt", "server.key"]), ("TOMCAT", vec!["keystorePass.txt", "server.jks"])]
    {
        let path = dir.path().join(format!("scm-{kind}.zip"));
        export_through_dialog(&mut h, &dialog, &path, &[kind]);
        wait_for(&mut h, "the SCM zip", |app| !app.is_busy() && path.exists());
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut inside: Vec<String> =
            (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned()).collect();
        inside.sort();
        assert_eq!(inside, names, "{kind}");
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "keys are the user's only");
    }
    let pem = dir.path().join("scm.pem");
    export_through_dialog(&mut h, &dialog, &pem, &["PEM file (certificate and chain)", "Include the private key"]);
    wait_for(&mut h, "the SCM PEM", |app| !app.is_busy() && pem.exists());
    let text = std::fs::read_to_string(&pem).unwrap();
    assert_eq!(text.matches("BEGIN CERTIFICATE").count(), 3, "certificate and its chain");
    assert!(text.contains("PRIVATE KEY"));
    // A load balancer's certificate shows what its PEM says, chain included.
    let elb =
        rows.iter().find(|r| r.service == certdesk::cloud::Service::Elb && r.status.starts_with("used by")).unwrap();
    select_row(&mut h, elb);
    h.get_by_label_contains("Sim Root CA");
    h.get_by_label_contains("Read from the certificate the load balancer holds");
    drop(h);
    rt.block_on(sim.shutdown());
}

/// Two user profiles, one of them an account that answers slowly (a VPN, a far region): the other
/// account's rows show while the slow one still signs in, and the toolbar says one is signing in.
#[test]
fn while_a_slow_account_signs_in_the_other_accounts_rows_show_and_the_toolbar_says_so() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let slow = rt.block_on(common::sim_with(Scale::Small, Faults { latency_ms: 1500, ..Faults::default() }));
    let quick = rt.block_on(common::sim());
    let (options, _dir) = isolated();
    let (path, vault) = (options.profiles_path.clone().unwrap(), options.vault.clone().unwrap());
    for (name, sim) in [("a-slow", &slow), ("b-quick", &quick)] {
        let profile = common::sim_profile(name, sim, common::sim_keys(sim));
        let secrets = certdesk::worker::ProfileSecrets {
            secret_key: Some(certdesk::cloud::Secret::new(&sim.info.sk)),
            ..Default::default()
        };
        rt.block_on(certdesk::worker::save_profile(&path, &vault, profile, secrets)).unwrap();
    }
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the quick account's rows", |app| app.rows().iter().any(|r| r.profile == "b-quick"));
    assert!(h.state().is_refreshing());
    assert!(!h.state().rows().iter().any(|r| r.profile == "a-slow"), "the slow account is still signing in");
    h.get_by_label_contains("1 signing in");
    wait_for(&mut h, "the slow account's rows", |app| !app.is_refreshing());
    assert!(h.state().rows().iter().any(|r| r.profile == "a-slow"));
    assert!(h.state().region_errors().is_empty(), "{:?}", h.state().region_errors());
    assert!(h.query_by_label_contains("signing in").is_none());
}
