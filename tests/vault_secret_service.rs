//! Profile secrets in a real Secret Service: gnome-keyring under `dbus-run-session`, started by
//! `scripts/test` in three states, named by `CERTDESK_KEYRING`:
//! - `unlocked`: secrets land in the keyring (checked with `secret-tool`), never in the profiles file;
//! - `locked`: storing fails with a clear message and the profile is not saved;
//! - `absent` (no session bus): the app says so and offers session-only secrets.
//!
//! Without `CERTDESK_KEYRING` (a plain `cargo test`) these tests do nothing: they need that setup.
#![cfg(all(feature = "gui", target_os = "linux"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

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
