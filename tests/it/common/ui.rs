//! The real app driven headless by egui_kittest: harnesses, waits and the gestures tests share.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use certdesk::sim::{Faults, SimConfig};
use certdesk::ui::{AppOptions, CertdeskApp};
use certdesk::vault::MemoryStore;
use certdesk::worker::{SaveChoice, ScriptedDialog, WorkerOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// Profiles in a temp file and secrets in memory: a test never touches the user's keyring or config.
pub fn isolated() -> (WorkerOptions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let options = WorkerOptions {
        profiles_path: Some(dir.path().join("profiles.json")),
        vault: Some(Arc::new(MemoryStore::default())),
        // Save dialogs start here until one was used: never the user's real Downloads.
        downloads_dir: Some(dir.path().to_path_buf()),
        ..WorkerOptions::default()
    };
    (options, dir)
}

pub fn harness(options: AppOptions, dialog: Arc<ScriptedDialog>) -> Harness<'static, CertdeskApp> {
    harness_sized(options, dialog, egui::vec2(1400.0, 900.0))
}

/// The app in a window of this size.
pub fn harness_sized(
    mut options: AppOptions,
    dialog: Arc<ScriptedDialog>,
    size: egui::Vec2,
) -> Harness<'static, CertdeskApp> {
    if options.worker.profiles_path.is_none() {
        let (worker, dir) = isolated();
        options.worker = worker;
        // The folder lives as long as the test process; it is in the system temp dir.
        std::mem::forget(dir);
    }
    let app = CertdeskApp::new(Arc::new(|| {}), dialog, options).unwrap();
    Harness::builder().with_size(size).build_ui_state(
        |ui, app: &mut CertdeskApp| {
            app.logic(ui.ctx());
            app.ui(ui);
        },
        app,
    )
}

/// Steps frames until the condition holds (the worker answers asynchronously).
pub fn wait_for(h: &mut Harness<'static, CertdeskApp>, what: &str, cond: impl Fn(&CertdeskApp) -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        h.step();
        if cond(h.state()) {
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(15));
    }
    panic!("timed out waiting for {what}; activity: {:?}", h.state().activity_messages());
}

/// Finds a row by its id in the search box and clicks it (a plain click selects).
pub fn select_row(h: &mut Harness<'static, CertdeskApp>, row: &certdesk::inventory::InventoryRow) {
    h.get_by_label("Search").click();
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    h.get_by_label("Search").click();
    h.get_by_label("Search").type_text(&row.id);
    h.run_steps(3);
    h.get_by_label(&row.name).click();
    h.run_steps(2);
}

/// Opens the export dialog of the selected certificate with the save dialog answering `path`,
/// clicks the `pick` labels, and presses "Save as...".
pub fn export_through_dialog(
    h: &mut Harness<'static, CertdeskApp>,
    dialog: &ScriptedDialog,
    path: &std::path::Path,
    pick: &[&str],
) {
    dialog.answer(Some(SaveChoice { path: path.to_owned(), overwrite_confirmed: false }));
    h.get_by_label("Export...").click();
    h.run_steps(12);
    for label in pick {
        h.get_by_label(label).click();
        // The centred dialog changes size with the choice: let it settle before the next click.
        h.run_steps(8);
    }
    h.get_by_label("Save as...").click();
}

pub fn demo(faults: Faults) -> AppOptions {
    AppOptions { demo: Some(SimConfig { faults, ..AppOptions::demo_config() }), ..AppOptions::default() }
}

pub fn loaded(app: &CertdeskApp) -> bool {
    !app.is_refreshing() && !app.rows().is_empty() && !app.is_busy()
}

/// A first run (no profiles, secrets in memory) and a simulator to add a profile for. Drop the
/// harness before shutting the simulator down.
pub fn first_run_beside_a_simulator()
-> (tokio::runtime::Runtime, certdesk::sim::RunningSim, Harness<'static, CertdeskApp>, tempfile::TempDir) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (worker, dir) = isolated();
    let mut h = harness(AppOptions { worker, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    (rt, sim, h, dir)
}

/// Opens "Add a profile" and types a name, the simulator's key pair and its endpoint.
pub fn fill_new_profile(h: &mut Harness<'static, CertdeskApp>, name: &str, sim: &certdesk::sim::RunningSim) {
    h.get_by_label("Add a profile").click();
    h.run_steps(12);
    for (label, text) in [
        ("Name", name),
        ("Access key (AK)", sim.info.ak.as_str()),
        ("Secret key (SK)", sim.info.sk.as_str()),
        ("Custom endpoint", sim.endpoint()),
    ] {
        h.get_by_label(label).click();
        h.get_by_label(label).type_text(text);
    }
}

/// Ctrl+F, the text, Enter: the first matching row is selected and the table has the keyboard.
pub fn find_and_select(h: &mut Harness<'static, CertdeskApp>, text: &str) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Search").type_text(text);
    h.run_steps(2);
    h.key_press(egui::Key::Enter);
    h.run_steps(3);
}

/// Opens "Add a profile" and signs in with the simulator's IAM user and password.
pub fn fill_new_password_profile(h: &mut Harness<'static, CertdeskApp>, name: &str, sim: &certdesk::sim::RunningSim) {
    h.get_by_label("Add a profile").click();
    h.run_steps(12);
    h.get_by_label("IAM user").click();
    h.run_steps(12);
    for (label, text) in [
        ("Name", name),
        ("Account (domain)", sim.state.estate().domain_name.as_str()),
        ("IAM user", "sim-admin"),
        ("Password", "sim-password"),
        ("Custom endpoint", sim.endpoint()),
    ] {
        let node = h.query_all_by_label(label).last().unwrap();
        node.click();
        node.type_text(text);
    }
}

fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Waits until a job wrote `path` (or failed: the activity says so).
fn wait_for_file(h: &mut Harness<'static, CertdeskApp>, path: &std::path::Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    wait_for(h, &name, |app| !app.is_busy() && app.activity_messages().iter().any(|m| m.contains(&name)));
    assert!(path.exists(), "{name} written; activity: {:?}", h.state().activity_messages());
}

/// Every action on a profile's rows, as a user does them: the CA certificate of an instance with
/// Ctrl+D (as received, and as PEM), a private certificate in every format through the export
/// dialog (Ctrl+E), and both marked for a bulk export into a folder.
pub fn every_action_works(
    h: &mut Harness<'static, CertdeskApp>,
    dialog: &ScriptedDialog,
    out: &std::path::Path,
    profile: &str,
) {
    use certdesk::cloud::Service;
    use certdesk::inventory::SslStatus;
    wait_for(h, "the profile's estate", loaded);
    let log_start = h.state().activity_messages().len();
    let rows = h.state().rows().to_vec();
    assert!(rows.iter().all(|r| r.profile == profile), "rows of {profile}");
    let dcs = rows.iter().find(|r| r.service == Service::Dcs && r.ssl == SslStatus::On).unwrap().clone();
    let pca =
        rows.iter().find(|r| r.service == Service::Ccm && r.status == "ISSUED" && r.note.is_empty()).unwrap().clone();
    let read = |path: &std::path::Path, password: Option<&str>| {
        let opts = certdesk::certs::material::ReadOptions {
            password: password.map(Into::into),
            ..certdesk::certs::material::ReadOptions::default()
        };
        certdesk::certs::material::read("file", &std::fs::read(path).unwrap(), &opts).unwrap()
    };

    // The instance's CA certificate, keys only.
    find_and_select(h, &dcs.id);
    assert_eq!(h.state().selected_id(), Some(dcs.id.as_str()));
    let zip = out.join(format!("{profile}-dcs-ca.zip"));
    dialog.answer(Some(SaveChoice { path: zip.clone(), overwrite_confirmed: false }));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    wait_for_file(h, &zip);
    assert!(std::fs::read(&zip).unwrap().starts_with(b"PK"), "the zip as received");
    assert!(h.state().downloaded(&dcs.id).is_some());
    let pem = out.join(format!("{profile}-dcs-ca.pem"));
    dialog.answer(Some(SaveChoice { path: pem.clone(), overwrite_confirmed: false }));
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
    wait_for_file(h, &pem);
    assert!(std::fs::read_to_string(&pem).unwrap().starts_with("-----BEGIN CERTIFICATE-----"), "a .pem name gets PEM");

    // A revoked certificate: the export dialog says the cloud will refuse, before any choice.
    let revoked = rows.iter().find(|r| r.service == Service::Ccm && r.status == "REVOKED").unwrap().clone();
    find_and_select(h, &revoked.id);
    let asked = dialog.asked().len();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(4);
    h.get_by_label("Only ISSUED certificates can be exported; this one is REVOKED.");
    h.get_by_label("Save as...").click();
    h.run_steps(4);
    assert_eq!(dialog.asked().len(), asked, "no save dialog for an export the cloud refuses");
    h.key_press(egui::Key::Escape);
    h.run_steps(4);
    assert!(!h.state().export_dialog_open(), "Esc closes the dialog");

    // The private certificate in every format.
    find_and_select(h, &pca.id);
    assert_eq!(h.state().selected_id(), Some(pca.id.as_str()));
    for kind in ["APACHE", "NGINX", "IIS", "TOMCAT", "OTHER"] {
        let path = out.join(format!("{profile}-{kind}.zip"));
        export_through_dialog(h, dialog, &path, &[kind]);
        wait_for_file(h, &path);
        let m = read(&path, None);
        assert!(m.certificates.iter().any(|c| m.keys[0].key.matches(&c.der)), "{kind}: the key matches");
        assert_eq!(mode_of(&path), 0o600, "{kind}");
    }
    let with_key = out.join(format!("{profile}-with-key.pem"));
    export_through_dialog(h, dialog, &with_key, &["PEM file (certificate and chain)", "Include the private key"]);
    wait_for_file(h, &with_key);
    assert!(std::fs::read_to_string(&with_key).unwrap().contains("PRIVATE KEY"));
    assert_eq!(mode_of(&with_key), 0o600);
    let no_key = out.join(format!("{profile}-no-key.pem"));
    export_through_dialog(h, dialog, &no_key, &["PEM file (certificate and chain)"]);
    wait_for_file(h, &no_key);
    assert!(!std::fs::read_to_string(&no_key).unwrap().contains("PRIVATE KEY"), "no key unless ticked");
    let p12 = out.join(format!("{profile}.p12"));
    dialog.answer(Some(SaveChoice { path: p12.clone(), overwrite_confirmed: false }));
    pkcs12_through_the_dialog(h, "p12-password");
    wait_for_file(h, &p12);
    assert_eq!(read(&p12, Some("p12-password")).certificates.len(), 3);
    assert!(!h.state().export_dialog_open(), "the dialog closes once the file is written");

    // Both marked (Ctrl+click), saved into a folder.
    let folder = out.join(format!("{profile}-bulk"));
    std::fs::create_dir(&folder).unwrap();
    for row in [&dcs, &pca] {
        mark_row(h, row);
    }
    dialog.answer_folder(Some(folder.clone()));
    h.get_by_label("2 marked").click();
    h.run_steps(3);
    h.get_by_label("NGINX zips").click();
    wait_for(h, "the folder export", |app| std::fs::read_dir(&folder).unwrap().count() == 2 && !app.is_busy());
    let failed: Vec<String> = h.state().activity_messages()[log_start..]
        .iter()
        .filter(|m| m.contains("failed") || m.contains("no longer"))
        .cloned()
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

/// Ctrl+E on the selected private certificate, PKCS#12 with this password, "Save as...".
pub fn pkcs12_through_the_dialog(h: &mut Harness<'static, CertdeskApp>, password: &str) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(12);
    h.get_by_label("PKCS#12 (.p12) with key and chain").click();
    h.run_steps(8);
    for label in ["Password", "Repeat password"] {
        h.get_by_label(label).click();
        h.get_by_label(label).type_text(password);
    }
    h.get_by_label("Save as...").click();
}

/// Finds a row by its id and marks it with Ctrl+click (for a bulk export).
pub fn mark_row(h: &mut Harness<'static, CertdeskApp>, row: &certdesk::inventory::InventoryRow) {
    find_and_select(h, &row.id);
    // Esc clears the selection, so the name is only in the table.
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert_eq!(h.state().selected_id(), None, "Esc clears the selection");
    h.get_by_label(&row.name).click_modifiers(egui::Modifiers::COMMAND);
    h.run_steps(2);
}

/// The app with one user profile (typed into the dialog) for the simulator, saved and refreshing.
pub fn user_profile_app(
    options: WorkerOptions,
    sim: &certdesk::sim::RunningSim,
    name: &str,
    dialog: Arc<ScriptedDialog>,
) -> Harness<'static, CertdeskApp> {
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog);
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    fill_new_profile(&mut h, name, sim);
    h.run_steps(1);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && app.profiles().len() == 1);
    h
}
