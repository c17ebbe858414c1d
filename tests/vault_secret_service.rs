//! Profile secrets in a real Secret Service: gnome-keyring under `dbus-run-session`, started by
//! `scripts/test` in three states, named by `CERTDESK_KEYRING`:
//! - `unlocked`: secrets land in the keyring (checked with `secret-tool`), never in the profiles file;
//! - `locked`: storing fails with a clear message and the profile is not saved;
//! - `absent` (no session bus): the app says so and offers session-only secrets.
//!
//! Without `CERTDESK_KEYRING` (a plain `cargo test`) these tests do nothing: they need that setup.
#![cfg(all(feature = "gui", target_os = "linux"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "it/common/mod.rs"]
mod common;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use certdesk::cloud::Secret;
use certdesk::store::profiles::{AuthSettings, Profile};
use certdesk::ui::{AppOptions, CertdeskApp};
use certdesk::vault::{KeyringStore, SecretField, SecretStore, VaultError};
use certdesk::worker::{ProfileSecrets, WorkerOptions};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn mode() -> Option<String> {
    std::env::var("CERTDESK_KEYRING").ok()
}

fn wait_for(h: &mut Harness<'static, CertdeskApp>, what: &str, cond: impl Fn(&CertdeskApp) -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(40) {
        h.step();
        if cond(h.state()) {
            h.step();
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}; activity: {:?}", h.state().activity_messages());
}

/// The real app with the system keyring (`vault: None` opens it) and a temp profiles file.
fn app(dir: &std::path::Path) -> Harness<'static, CertdeskApp> {
    let worker = WorkerOptions { profiles_path: Some(dir.join("profiles.json")), ..WorkerOptions::default() };
    let app = CertdeskApp::new(
        Arc::new(|| {}),
        Arc::new(certdesk::worker::ScriptedDialog::default()),
        AppOptions { worker, ..AppOptions::default() },
    )
    .unwrap();
    Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(
        |ui, app: &mut CertdeskApp| {
            app.logic(ui.ctx());
            app.ui(ui);
        },
        app,
    )
}

fn secret_tool_search() -> String {
    let out =
        Command::new("secret-tool").args(["search", "--all", "--unlock", "service", "certdesk"]).output().unwrap();
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn keyring_store_round_trip() {
    if mode().as_deref() != Some("unlocked") {
        return;
    }
    let store = KeyringStore::open().unwrap();
    store.set("rt-profile", SecretField::SecretKey, &Secret::new("round-trip-secret")).unwrap();
    assert_eq!(store.get("rt-profile", SecretField::SecretKey).unwrap().unwrap().expose(), "round-trip-secret");
    assert!(secret_tool_search().contains("rt-profile/secret-key"));
    store.delete("rt-profile", SecretField::SecretKey).unwrap();
    assert!(store.get("rt-profile", SecretField::SecretKey).unwrap().is_none());
    store.delete("rt-profile", SecretField::SecretKey).unwrap();
}

#[test]
fn the_app_stores_a_profile_secret_in_the_keyring_and_nowhere_else() {
    if mode().as_deref() != Some("unlocked") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    wait_for(&mut h, "the keyring", |a| a.vault_status().is_some());
    assert_eq!(h.state().vault_status().unwrap().as_deref(), Ok("system keyring"));
    h.get_by_label("Add a profile").click();
    h.run_steps(12);
    for (label, text) in [
        ("Name", "keyring-profile"),
        ("Access key (AK)", "AKKEYRINGTEST"),
        ("Secret key (SK)", "sk-in-the-keyring-only"),
        ("Custom endpoint", "http://127.0.0.1:9"),
    ] {
        h.get_by_label(label).click();
        h.get_by_label(label).type_text(text);
    }
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |a| a.profiles().len() == 1 && !a.profile_dialog_open());
    let found = secret_tool_search();
    assert!(found.contains("keyring-profile/secret-key"), "{found}");
    assert!(found.contains("sk-in-the-keyring-only"), "the secret is in the keyring: {found}");
    let file = std::fs::read_to_string(dir.path().join("profiles.json")).unwrap();
    assert!(file.contains("AKKEYRINGTEST") && !file.contains("sk-in-the-keyring-only"), "{file}");
    // Deleting the profile removes its secret too.
    h.get_by_label("Delete").click();
    h.run_steps(2);
    h.get_by_label("Confirm delete").click();
    wait_for(&mut h, "the deletion", |a| a.profiles().is_empty());
    assert!(!secret_tool_search().contains("keyring-profile/secret-key"));
}

#[test]
fn a_locked_keyring_is_reported_and_nothing_is_saved() {
    if mode().as_deref() != Some("locked") {
        return;
    }
    let store = KeyringStore::open().expect("the service answers while locked");
    let err = store.set("locked-profile", SecretField::SecretKey, &Secret::new("x")).unwrap_err();
    assert!(matches!(err, VaultError::Locked(_)), "{err:?}");
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let vault: Arc<dyn SecretStore> = Arc::new(store);
    let profile = Profile {
        name: "locked-profile".into(),
        cloud: certdesk::cloud::Cloud::HuaweiCloud,
        auth: AuthSettings::AkSk { access_key: "AK".into(), temporary: false },
        regions: Vec::new(),
        endpoint: None,
        ca_file: None,
        endpoint_template: None,
        object_storage_suffix: None,
        resolve_to: None,
    };
    let secrets = ProfileSecrets { secret_key: Some(Secret::new("sk")), ..ProfileSecrets::default() };
    let path = dir.path().join("profiles.json");
    let result = rt.block_on(certdesk::worker::save_profile(&path, &vault, profile, secrets));
    let message = result.unwrap_err();
    assert!(message.contains("locked") || message.contains("keyring"), "{message}");
    assert!(!path.exists(), "no profile without its secret");
}

#[test]
fn no_keyring_offers_session_only_secrets() {
    if mode().as_deref() != Some("absent") {
        return;
    }
    assert!(matches!(KeyringStore::open(), Err(VaultError::Unavailable(_))));
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    wait_for(&mut h, "the keyring check", |a| a.vault_status().is_some());
    assert!(h.state().vault_status().unwrap().is_err());
    h.get_by_label_contains("No system keyring is available");
    h.get_by_label("Keep secrets for this session only").click();
    wait_for(&mut h, "session-only secrets", |a| {
        a.vault_status().is_some_and(|v| v.as_deref() == Ok("this session only"))
    });
}

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");

/// The CLI with its own config folder and no SDK credentials in the environment.
fn cli(config: &std::path::Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .args(args)
        .env("CERTDESK_CONFIG_DIR", config)
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .env_remove("CERTDESK_IAM_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn profiles_on_the_command_line_use_the_keyring_and_serve_every_cloud_command() {
    if mode().as_deref() != Some("unlocked") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(certdesk::sim::SimConfig::default())).unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let sk = sim.info.sk.clone();
    let added = ok(&cli(
        cfg,
        &[
            "profile",
            "add",
            "cli-aksk",
            "--cloud",
            "huawei-cloud",
            "--access-key",
            &sim.info.ak,
            "--endpoint",
            sim.endpoint(),
            "--secret-stdin",
        ],
        Some(&format!("{sk}\n")),
    ));
    assert!(added.contains("Profile cli-aksk saved") && added.contains("system keyring"), "{added}");
    let file = std::fs::read_to_string(cfg.join("profiles.json")).unwrap();
    assert!(file.contains("cli-aksk") && !file.contains(&sk), "no secret in the file");
    assert!(secret_tool_search().contains("cli-aksk/secret-key"), "the SK is in the Secret Service");
    // IAM password from the environment variable.
    let out = Command::new(BIN)
        // No --cloud: Huawei Cloud, as everywhere else.
        .args(["profile", "add", "cli-iam", "--iam-user", "sim-admin", "--iam-domain"])
        .arg(&sim.state.estate().domain_name)
        .args(["--endpoint", sim.endpoint(), "--region", "eu-de"])
        .env("CERTDESK_CONFIG_DIR", cfg)
        .env("CERTDESK_IAM_PASSWORD", "sim-password")
        .output()
        .unwrap();
    ok(&out);
    // The same name twice is refused, the first kept.
    let again = cli(
        cfg,
        &["profile", "add", "cli-aksk", "--cloud", "huawei-cloud", "--access-key", "OTHER", "--secret-stdin"],
        Some("x\n"),
    );
    assert_eq!(again.status.code(), Some(1));
    let listed = ok(&cli(cfg, &["profile", "list"], None));
    assert!(listed.contains("cli-aksk") && listed.contains("IAM sim-admin@"), "{listed}");
    let json: serde_json::Value = serde_json::from_str(&ok(&cli(cfg, &["profile", "list", "--json"], None))).unwrap();
    assert_eq!(json["schema"], "certdesk.profiles.v1");
    assert_eq!(json["profiles"].as_array().unwrap().len(), 2);
    assert!(ok(&cli(cfg, &["profile", "test", "cli-aksk"], None)).contains("Connected: 2 region(s)"));
    assert!(ok(&cli(cfg, &["profile", "test", "cli-iam"], None)).contains("Connected: 1 region(s) (eu-de)"));
    // Every cloud command with --profile and no credentials in the environment.
    for profile in ["cli-aksk", "cli-iam"] {
        let list: serde_json::Value =
            serde_json::from_str(&ok(&cli(cfg, &["list", "--profile", profile, "--json"], None))).unwrap();
        let items = list["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.iter().all(|i| i["profile"] == profile), "{profile}");
        let dcs = items.iter().find(|i| i["service"] == "dcs" && i["ssl"] == "on").unwrap();
        let (region, id) = (dcs["region"].as_str().unwrap(), dcs["id"].as_str().unwrap());
        ok(&cli(cfg, &["ssl", "--profile", profile, "--region", region, id], None));
        let pem = cfg.join(format!("{profile}-ca.pem"));
        ok(&cli(
            cfg,
            &["download", "--profile", profile, "--region", region, id, "--out", pem.to_str().unwrap()],
            None,
        ));
        assert!(std::fs::read_to_string(&pem).unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
        let cert = items.iter().find(|i| i["service"] == "ccm" && i["status"] == "ISSUED" && i["note"] == "").unwrap();
        let zip = cfg.join(format!("{profile}-nginx.zip"));
        let export = [
            "export",
            "--profile",
            profile,
            cert["id"].as_str().unwrap(),
            "--type",
            "nginx",
            "--format",
            "zip",
            "--out",
        ];
        ok(&cli(cfg, &[&export[..], &[zip.to_str().unwrap()]].concat(), None));
        assert!(std::fs::read(&zip).unwrap().starts_with(b"PK"));
    }
    // The profile file the CLI wrote is the app's: the app lists both.
    let mut h = app(cfg);
    wait_for(&mut h, "the profiles", |a| a.profiles().len() == 2);
    drop(h);
    let removed = ok(&cli(cfg, &["profile", "remove", "cli-aksk"], None));
    assert!(removed.contains("removed"));
    assert!(!secret_tool_search().contains("cli-aksk/secret-key"), "its secret is gone");
    assert_eq!(cli(cfg, &["profile", "test", "cli-aksk"], None).status.code(), Some(1));

    rt.block_on(sim.shutdown());
}

/// A stored profile whose secret the cloud refuses, checked by cron every few minutes: one failed
/// authentication, then every run says the profile is paused and sends nothing, until the user
/// changes it.
#[test]
fn a_refused_stored_profile_is_paused_for_every_later_cli_run() {
    if mode().as_deref() != Some("unlocked") {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(certdesk::sim::SimConfig::default())).unwrap();
    let config = tempfile::tempdir().unwrap();
    let cfg = config.path();
    let sk = sim.info.sk.clone();
    let add_wrong = [
        "profile",
        "add",
        "cli-wrong",
        "--cloud",
        "huawei-cloud",
        "--access-key",
        &sim.info.ak,
        "--endpoint",
        sim.endpoint(),
        "--secret-stdin",
    ];
    ok(&cli(cfg, &add_wrong, Some("rotated-away\n")));
    for _ in 0..3 {
        let run = cli(cfg, &["check", "--profile", "cli-wrong"], None);
        assert_eq!(run.status.code(), Some(3), "UNKNOWN: {}", String::from_utf8_lossy(&run.stdout));
    }
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1), "{:?}", sim.state.auth_failures());
    let paused = cli(cfg, &["list", "--profile", "cli-wrong"], None);
    assert!(String::from_utf8_lossy(&paused.stderr).contains("sign-in paused"), "{paused:?}");
    // Tested after the fix (here: removed and added again with the right secret), it signs in.
    ok(&cli(cfg, &["profile", "remove", "cli-wrong"], None));
    ok(&cli(cfg, &add_wrong, Some(&format!("{sk}\n"))));
    assert_eq!(cli(cfg, &["check", "--profile", "cli-wrong"], None).status.code().map(|c| c <= 2), Some(true));
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1));
    rt.block_on(sim.shutdown());
}

#[test]
fn without_a_usable_keyring_profile_add_says_so_and_writes_nothing() {
    if !matches!(mode().as_deref(), Some("locked" | "absent")) {
        return;
    }
    let config = tempfile::tempdir().unwrap();
    let out = cli(
        config.path(),
        &["profile", "add", "k", "--cloud", "huawei-cloud", "--access-key", "AK", "--secret-stdin"],
        Some("secret\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("keyring"), "{stderr}");
    assert!(!config.path().join("profiles.json").exists(), "nothing half-written");
}

/// The app with the real keyring (`vault: None`), a temp profiles file, and Downloads in `dir`.
fn app_with_dialog(
    dir: &std::path::Path,
    dialog: Arc<certdesk::worker::ScriptedDialog>,
) -> Harness<'static, CertdeskApp> {
    let worker = WorkerOptions {
        profiles_path: Some(dir.join("profiles.json")),
        downloads_dir: Some(dir.to_path_buf()),
        ..WorkerOptions::default()
    };
    common::ui::harness(AppOptions { worker, ..AppOptions::default() }, dialog)
}

type Beside = (
    tokio::runtime::Runtime,
    certdesk::sim::RunningSim,
    tempfile::TempDir,
    Arc<certdesk::worker::ScriptedDialog>,
    Harness<'static, CertdeskApp>,
);

/// A simulator, and the app with the real keyring beside it (drop the app before the simulator).
fn app_beside_a_simulator() -> Beside {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(certdesk::sim::SimConfig::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dialog = Arc::new(certdesk::worker::ScriptedDialog::default());
    let h = app_with_dialog(dir.path(), dialog.clone());
    (rt, sim, dir, dialog, h)
}

#[test]
fn a_user_profile_in_the_secret_service_downloads_and_exports_before_and_after_a_restart() {
    if mode().as_deref() != Some("unlocked") {
        return;
    }
    let (rt, sim, dir, dialog, mut h) = app_beside_a_simulator();
    wait_for(&mut h, "the keyring", |a| a.vault_status().is_some_and(|v| v.as_deref() == Ok("system keyring")));
    common::ui::fill_new_profile(&mut h, "ss-user", &sim);
    h.run_steps(1);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |a| !a.profile_dialog_open() && a.profiles().len() == 1);
    assert!(secret_tool_search().contains("ss-user/secret-key"));
    let first = dir.path().join("first");
    std::fs::create_dir(&first).unwrap();
    common::ui::every_action_works(&mut h, &dialog, &first, "ss-user");
    drop(h);
    // Restart: the secret comes from the Secret Service again.
    let dialog = Arc::new(certdesk::worker::ScriptedDialog::default());
    let mut h = app_with_dialog(dir.path(), dialog.clone());
    let second = dir.path().join("second");
    std::fs::create_dir(&second).unwrap();
    common::ui::every_action_works(&mut h, &dialog, &second, "ss-user");
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn without_a_keyring_session_only_secrets_serve_every_action() {
    if mode().as_deref() != Some("absent") {
        return;
    }
    let (rt, sim, dir, dialog, mut h) = app_beside_a_simulator();
    wait_for(&mut h, "the keyring check", |a| a.vault_status().is_some_and(Result::is_err));
    common::ui::fill_new_profile(&mut h, "mem-user", &sim);
    h.run_steps(12);
    // The profile dialog itself offers the way out.
    h.query_all_by_label("Keep secrets for this session only").last().unwrap().click();
    wait_for(&mut h, "session-only secrets", |a| {
        a.vault_status().is_some_and(|v| v.as_deref() == Ok("this session only"))
    });
    h.run_steps(12);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |a| !a.profile_dialog_open() && a.profiles().len() == 1);
    common::ui::every_action_works(&mut h, &dialog, dir.path(), "mem-user");
    drop(h);
    rt.block_on(sim.shutdown());
}
