//! A model-based test of the whole app: seeded random sequences of what users do (refresh, stop,
//! add, rename and delete profiles, download, export, bulk export), overlapping, driven through
//! the real app headless (egui_kittest) against a real simulator with faults (latency, a failing
//! region, 5xx and connection resets in some runs) and a keyring that answers slowly. After each sequence the app must
//! be consistent: every job started and finished exactly once, no duplicate row, no row of a
//! profile that is gone, keyring and profiles file in agreement, no temp file left, and the
//! failures listed equal the failures injected.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::{BTreeSet, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use certdesk::cloud::{Secret, Service};
use certdesk::inventory::InventoryRow;
use certdesk::sim::{Faults, Scale, SimConfig};
use certdesk::store::TEMP_PREFIX;
use certdesk::ui::{AppOptions, CertdeskApp};
use certdesk::vault::{MemoryStore, SecretField, SecretStore, VaultError};
use certdesk::worker::{SaveChoice, ScriptedDialog, WorkerOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

use crate::common::ui::{harness, wait_for};

/// splitmix64: the same sequence for a seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The keyring, slow (every call waits a few milliseconds, as a real Secret Service does), and
/// able to say which profiles it holds secrets for.
struct SlowKeyring {
    inner: MemoryStore,
    names: Mutex<BTreeSet<String>>,
    delay: Duration,
}

impl SecretStore for SlowKeyring {
    fn describe(&self) -> &'static str {
        "system keyring"
    }
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        std::thread::sleep(self.delay);
        self.inner.get(profile, field)
    }
    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        std::thread::sleep(self.delay);
        self.names.lock().unwrap().insert(profile.to_owned());
        self.inner.set(profile, field, secret)
    }
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        std::thread::sleep(self.delay);
        if field == SecretField::SecretKey {
            self.names.lock().unwrap().remove(profile);
        }
        self.inner.delete(profile, field)
    }
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Refresh,
    StopRefresh,
    AddProfile,
    RenameProfile,
    DeleteProfile,
    Download,
    Export,
    BulkExport,
    StopAJob,
}

const STEPS: [Step; 9] = [
    Step::Refresh,
    Step::StopRefresh,
    Step::AddProfile,
    Step::RenameProfile,
    Step::DeleteProfile,
    Step::Download,
    Step::Export,
    Step::BulkExport,
    Step::StopAJob,
];

struct World {
    h: Harness<'static, CertdeskApp>,
    dialog: Arc<ScriptedDialog>,
    sim: certdesk::sim::RunningSim,
    vault: Arc<SlowKeyring>,
    config: tempfile::TempDir,
    out: tempfile::TempDir,
    next_name: usize,
    files: usize,
}

impl World {
    fn settle(&mut self, what: &str) {
        wait_for(&mut self.h, what, |app| !app.is_busy() && !app.profile_dialog_open());
    }

    /// A dialog left open (an export the cloud refused) blocks the window, for a user as here:
    /// Esc closes it first.
    fn close_dialogs(&mut self) {
        for _ in 0..3 {
            let app = self.h.state();
            if !(app.export_dialog_open() || app.profile_dialog_open() || app.save_prompt().is_some()) {
                return;
            }
            self.h.key_press(egui::Key::Escape);
            self.h.run_steps(4);
        }
    }

    fn profile_names(&self) -> Vec<String> {
        self.h.state().profiles().iter().map(|p| p.name.clone()).collect()
    }

    fn add_profile(&mut self) {
        if self.h.state().profile_dialog_open() {
            return;
        }
        self.next_name += 1;
        let name = format!("p{}", self.next_name);
        let label = if self.h.query_by_label("Add a profile").is_some() { "Add a profile" } else { "Add profile" };
        // The panel's button (the empty table may offer a second one).
        self.h.query_all_by_label(label).next().unwrap().click();
        self.h.run_steps(8);
        for (field, text) in [
            ("Access key (AK)", self.sim.info.ak.clone()),
            ("Secret key (SK)", self.sim.info.sk.clone()),
            ("Custom endpoint", self.sim.endpoint().to_owned()),
        ] {
            self.h.get_by_label(field).click();
            self.h.get_by_label(field).type_text(&text);
        }
        // "Name" is also a column header behind the dialog: the dialog's field comes last.
        let node = self.h.query_all_by_label("Name").last().unwrap();
        node.click();
        node.type_text(&name);
        self.h.run_steps(1);
        self.h.get_by_label("Save").click();
        wait_for(&mut self.h, "the profile saved", |app| !app.profile_dialog_open());
    }

    /// A modal the user cannot close yet (an export still writing its file) blocks the window: the
    /// profile panel's buttons wait, for a user as here.
    fn window_blocked(&self) -> bool {
        let app = self.h.state();
        app.profile_dialog_open() || app.export_dialog_open() || app.save_prompt().is_some()
    }

    fn rename_profile(&mut self, rng: &mut Rng) {
        let names = self.profile_names();
        if names.is_empty() || self.window_blocked() {
            return;
        }
        let index = usize::try_from(rng.below(names.len() as u64)).unwrap();
        // The worker's events (a profile deleted a step before, a test's result) can move the cards
        // between finding the button and clicking it, as under a user's pointer: find it again.
        for _ in 0..3 {
            let count = self.h.query_all_by_label("Edit").count();
            if count == 0 {
                return;
            }
            self.h.query_all_by_label("Edit").nth(index.min(count - 1)).unwrap().click();
            self.h.run_steps(8);
            if self.h.state().profile_dialog_open() {
                break;
            }
        }
        assert!(
            self.h.state().profile_dialog_open(),
            "Edit opens the dialog: {:?} edit buttons {}",
            names,
            self.h.query_all_by_label("Edit").count()
        );
        self.next_name += 1;
        let node = self.h.query_all_by_label("Name").last().unwrap();
        node.click();
        self.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.h.query_all_by_label("Name").last().unwrap().type_text(&format!("p{}", self.next_name));
        self.h.run_steps(1);
        self.h.get_by_label("Save").click();
        wait_for(&mut self.h, "the profile renamed", |app| !app.profile_dialog_open());
    }

    fn delete_profile(&mut self, rng: &mut Rng) {
        let names = self.profile_names();
        if names.is_empty() || self.window_blocked() {
            return;
        }
        let index = usize::try_from(rng.below(names.len() as u64)).unwrap();
        self.h.query_all_by_label("Delete").nth(index).unwrap().click();
        self.h.run_steps(2);
        self.h.get_by_label("Confirm delete").click();
        self.h.run_steps(2);
    }

    fn pick_row(&self, rng: &mut Rng, service: &[Service]) -> Option<InventoryRow> {
        let rows: Vec<&InventoryRow> = self
            .h
            .state()
            .rows()
            .iter()
            .filter(|r| service.contains(&r.service))
            .filter(|r| r.service != Service::Ccm || r.status == "ISSUED")
            .filter(|r| r.service == Service::Ccm || r.ssl == certdesk::inventory::SslStatus::On)
            .filter(|r| self.h.state().stale_reason(r).is_none())
            .collect();
        (!rows.is_empty()).then(|| rows[usize::try_from(rng.below(rows.len() as u64)).unwrap()].clone())
    }

    fn select(&mut self, row: &InventoryRow) {
        self.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
        self.h.run_steps(2);
        self.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        self.h.get_by_label("Search").type_text(&row.id);
        self.h.run_steps(2);
        self.h.key_press(egui::Key::Enter);
        self.h.run_steps(3);
    }

    fn new_file(&mut self, name: &str) -> std::path::PathBuf {
        self.files += 1;
        self.out.path().join(format!("{}-{name}", self.files))
    }

    fn download(&mut self, rng: &mut Rng) {
        let Some(row) = self.pick_row(rng, &[Service::Dcs, Service::GeminiDb]) else { return };
        self.select(&row);
        let path = self.new_file("ca.crt");
        self.dialog.answer(Some(SaveChoice { path, overwrite_confirmed: false }));
        self.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::D);
        self.h.run_steps(2);
    }

    fn export(&mut self, rng: &mut Rng) {
        if self.h.state().export_dialog_open() {
            return;
        }
        let Some(row) = self.pick_row(rng, &[Service::Ccm]) else { return };
        self.select(&row);
        let path = self.new_file("server.zip");
        self.dialog.answer(Some(SaveChoice { path, overwrite_confirmed: false }));
        self.h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
        self.h.run_steps(8);
        if self.h.query_by_label("Save as...").is_some() {
            self.h.get_by_label("Save as...").click();
        }
        self.h.run_steps(2);
    }

    fn bulk_export(&mut self, rng: &mut Rng) {
        let (Some(a), Some(b)) =
            (self.pick_row(rng, &[Service::Dcs, Service::GeminiDb]), self.pick_row(rng, &[Service::Ccm]))
        else {
            return;
        };
        for row in [&a, &b] {
            // Ctrl+click on the row (the same instance may show once per profile: the first).
            self.select(row);
            self.h.key_press(egui::Key::Escape);
            self.h.run_steps(2);
            if let Some(node) = self.h.query_all_by_label(&row.name).next() {
                node.click_modifiers(egui::Modifiers::COMMAND);
            }
            self.h.run_steps(2);
        }
        let folder = self.new_file("bulk");
        std::fs::create_dir(&folder).unwrap();
        self.dialog.answer_folder(Some(folder));
        let marked = format!("{} marked", self.h.state().marked_ids().len());
        if self.h.query_by_label(&marked).is_none() {
            return;
        }
        self.h.get_by_label(&marked).click();
        self.h.run_steps(3);
        self.h.get_by_label("NGINX zips").click();
        self.h.run_steps(2);
        // Unmark for the next steps.
        self.h.get_by_label(&marked).click();
        self.h.run_steps(3);
        self.h.get_by_label("Clear marks").click();
        self.h.run_steps(2);
    }

    fn stop_a_job(&mut self, rng: &mut Rng) {
        let stops = self.h.query_all_by_label("Stop").count();
        if stops > 0 {
            let index = usize::try_from(rng.below(stops as u64)).unwrap();
            self.h.query_all_by_label("Stop").nth(index).unwrap().click();
        }
        self.h.run_steps(2);
    }

    fn run(&mut self, step: Step, rng: &mut Rng) {
        self.close_dialogs();
        match step {
            Step::Refresh => self.h.key_press(egui::Key::F5),
            Step::StopRefresh => {
                if self.h.query_by_label("Cancel").is_some() && self.h.state().is_refreshing() {
                    self.h.get_by_label("Cancel").click();
                }
            }
            Step::AddProfile => self.add_profile(),
            Step::RenameProfile => self.rename_profile(rng),
            Step::DeleteProfile => self.delete_profile(rng),
            Step::Download => self.download(rng),
            Step::Export => self.export(rng),
            Step::BulkExport => self.bulk_export(rng),
            Step::StopAJob => self.stop_a_job(rng),
        }
        // Some steps overlap the next, some settle first; at no frame is a row of a profile that
        // is gone on screen.
        for _ in 0..rng.below(20) {
            self.h.step();
            let app = self.h.state();
            let names: HashSet<&str> = app.profiles().iter().map(|p| p.name.as_str()).collect();
            let orphan = app.rows().iter().find(|r| !names.contains(r.profile.as_str()));
            assert!(orphan.is_none(), "a row of a profile that is gone: {orphan:?} after {step:?}");
        }
    }

    fn check(&mut self, seed: u64, steps: &[Step], random_faults: bool) {
        let context = format!("seed {seed}, steps {steps:?}");
        // One last refresh once everything else ended, so the table answers for the profiles now.
        wait_for(&mut self.h, "every job to end", |app| !app.is_busy());
        if self.h.state().export_dialog_open() {
            self.h.key_press(egui::Key::Escape);
            self.h.run_steps(4);
        }
        self.h.key_press(egui::Key::F5);
        self.h.run_steps(2);
        wait_for(&mut self.h, "the last refresh", |app| !app.is_busy() && !app.is_refreshing());
        let app = self.h.state();
        assert_eq!(app.jobs_reported_wrongly(), Vec::new(), "every job started and ended once; {context}");
        let profiles: HashSet<String> = app.profiles().iter().map(|p| p.name.clone()).collect();
        let mut unique_rows = HashSet::new();
        for row in app.rows() {
            assert!(profiles.contains(&row.profile), "row of a profile that is gone: {row:?}; {context}");
            assert!(
                unique_rows.insert((row.profile.clone(), row.service, row.region.clone(), row.id.clone())),
                "duplicate row {}/{}; {context}",
                row.profile,
                row.id
            );
        }
        // Keyring and profiles file agree.
        let file = certdesk::store::profiles::load(&self.config.path().join("profiles.json")).unwrap();
        let in_file: BTreeSet<String> = file.profiles.iter().map(|p| p.name.clone()).collect();
        assert_eq!(in_file, profiles.iter().cloned().collect::<BTreeSet<_>>(), "the app shows the file; {context}");
        assert_eq!(*self.vault.names.lock().unwrap(), in_file, "keyring and profiles file agree; {context}");
        // No temp file anywhere a save went: a stopped job ends only once its writes returned,
        // and a save the app asked for counts as work until it has ended. A stopped profile edit
        // goes on writing after its job ended; the last refresh rereads the profiles file after
        // it (edits and that reread take their turns on one lock), so it has ended by now.
        for dir in [self.config.path(), self.out.path()] {
            assert_eq!(temp_files(dir), Vec::<String>::new(), "temp files left; {context}");
        }
        // The failing region fails once per service and profile, and nothing else fails.
        let mut failed: Vec<(String, String, &str)> =
            app.region_errors().iter().map(|e| (e.profile.clone(), e.region.clone(), e.service.label())).collect();
        failed.sort();
        let mut expected: Vec<(String, String, &str)> = profiles
            .iter()
            .flat_map(|p| {
                [Service::Dcs, Service::GeminiDb, Service::Elb].map(|s| (p.clone(), "eu-nl".to_owned(), s.label()))
            })
            .collect();
        expected.sort();
        if random_faults {
            // 5xx after retries may fail a part more; the failing region's parts are always there.
            assert!(expected.iter().all(|e| failed.contains(e)), "{failed:?} lacks {expected:?}; {context}");
            let unique: HashSet<_> = failed.iter().collect();
            assert_eq!(unique.len(), failed.len(), "one line per failed part; {context}");
        } else {
            assert_eq!(failed, expected, "failures listed = failures injected; {context}");
        }
        let files = std::fs::read_dir(self.out.path()).unwrap().count();
        let (jobs, rows, profiles) = (app.jobs_reported_wrongly().len(), app.rows().len(), profiles.len());
        let errors = app.activity_messages().iter().filter(|m| m.contains("failed")).count();
        if std::env::var_os("CERTDESK_MODEL_LOG").is_some() {
            for m in app.activity_messages().iter().filter(|m| m.contains("failed")) {
                eprintln!("  {m}");
            }
        }
        eprintln!(
            "{context}: {profiles} profile(s), {rows} rows, {files} saved, {errors} failure line(s), {jobs} bad jobs"
        );
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(TEMP_PREFIX) {
            found.push(entry.path().display().to_string());
        } else if entry.path().is_dir() {
            found.extend(temp_files(&entry.path()));
        }
    }
    found
}

fn world(seed: u64, random_faults: bool, rt: &tokio::runtime::Runtime) -> World {
    let faults = Faults {
        latency_ms: 2 + seed % 15,
        fail_regions: vec!["eu-nl".into()],
        error_rate: if random_faults { 0.03 } else { 0.0 },
        reset_rate: if random_faults { 0.02 } else { 0.0 },
        ..Faults::default()
    };
    let sim =
        rt.block_on(certdesk::sim::start(SimConfig { scale: Scale::Demo, faults, ..SimConfig::default() })).unwrap();
    let vault = Arc::new(SlowKeyring {
        inner: MemoryStore::default(),
        names: Mutex::default(),
        delay: Duration::from_millis(seed % 25),
    });
    let (config, out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let options = WorkerOptions {
        profiles_path: Some(config.path().join("profiles.json")),
        vault: Some(vault.clone()),
        downloads_dir: Some(out.path().to_path_buf()),
        ..WorkerOptions::default()
    };
    let dialog = Arc::new(ScriptedDialog::default());
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    World { h, dialog, sim, vault, config, out, next_name: 0, files: 0 }
}

#[test]
fn random_overlapping_user_actions_leave_the_app_consistent() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for seed in 1..=6u64 {
        let random_faults = seed % 3 == 0;
        let mut w = world(seed, random_faults, &rt);
        let mut rng = Rng(seed);
        // Every sequence starts with a profile, so the other steps have rows to act on.
        let mut steps = vec![Step::AddProfile];
        w.run(Step::AddProfile, &mut rng);
        w.settle("the first refresh");
        for _ in 0..12 {
            let step = STEPS[usize::try_from(rng.below(STEPS.len() as u64)).unwrap()];
            steps.push(step);
            w.run(step, &mut rng);
        }
        w.check(seed, &steps, random_faults);
        let World { h, sim, .. } = w;
        drop(h);
        rt.block_on(sim.shutdown());
    }
}
