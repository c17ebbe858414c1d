//! Secret canaries: the simulator and the environment use unique secret values (secret key, IAM
//! password, a security token, a keystore password), and every CLI command runs with
//! `CERTDESK_LOG=trace`, in success and under faults (5xx, expired links, a wrong secret, a wrong
//! password). Then every byte the runs produced is scanned (stdout, stderr with the trace log,
//! every file written and the folder's temp files): no secret, no IAM token the simulator
//! issued, no presigned-link signature, no private key may appear, except in the files the user
//! asked to export with keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    clippy::case_sensitive_file_extension_comparisons
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use certdesk::sim::{Faults, Scale, SimConfig};

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");
const SK: &str = "CanarySK-5e1b7c2d9a0f4e3b8c6d";
const PASSWORD: &str = "CanaryPassword-94c1e0d7";
const SECURITY_TOKEN: &str = "CanarySecurityToken-0b7e3f5a";
const KEYSTORE_PASSWORD: &str = "CanaryKeystore-6d2a";

/// What must never appear where the user did not ask for it. (The access key is no secret: it
/// names the key in lists and profiles.)
const CANARIES: [&str; 8] = [
    SK,
    PASSWORD,
    SECURITY_TOKEN,
    KEYSTORE_PASSWORD,
    // Tokens the simulator issues, and presigned-link signatures.
    "MIIsim",
    "Signature=",
    "sim-sts-",
    "PRIVATE KEY",
];

struct Run {
    what: String,
    out: Output,
}

fn certdesk(what: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .env("CERTDESK_LOG", "trace")
        .env("NO_COLOR", "1")
        .env_remove("HUAWEICLOUD_SDK_SECURITY_TOKEN")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Run { what: what.to_owned(), out }
}

fn hits(text: &str) -> Vec<&'static str> {
    CANARIES.iter().copied().filter(|c| text.contains(c)).collect()
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() { found.extend(files_below(&path)) } else { found.push(path) }
    }
    found
}

#[test]
fn no_secret_reaches_any_output_or_file_the_user_did_not_ask_for() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config =
        SimConfig { secret_key: SK.into(), iam_password: PASSWORD.into(), scale: Scale::Small, ..SimConfig::default() };
    let sim = rt.block_on(certdesk::sim::start(config)).unwrap();
    let endpoint = sim.endpoint().to_owned();
    let region = sim.info.regions[0].clone();
    let (ssl_region, dcs) = crate::common::ssl_dcs(&sim);
    let (ssl_region, dcs_id) = (ssl_region.name.clone(), dcs.instance.instance_id.clone());
    let pca_id =
        sim.state.estate().certificates.iter().find(|c| c.wire.status == "ISSUED").unwrap().wire.certificate_id.clone();
    let domain = sim.state.estate().domain_name.clone();
    let out = tempfile::tempdir().unwrap();
    let config_dir = tempfile::tempdir().unwrap();
    let o = |name: &str| out.path().join(name).to_str().unwrap().to_owned();
    let aksk = [
        ("HUAWEICLOUD_SDK_AK", sim.info.ak.as_str()),
        ("HUAWEICLOUD_SDK_SK", SK),
        ("CERTDESK_CONFIG_DIR", config_dir.path().to_str().unwrap()),
    ];
    let with = |extra: &[(&'static str, &'static str)]| -> Vec<(&str, &str)> {
        aksk.iter().copied().chain(extra.iter().copied()).collect()
    };
    let e = endpoint.as_str();
    let mut runs = vec![
        certdesk("list --json", &["list", "--endpoint", e, "--json"], &with(&[])),
        certdesk("list", &["list", "--endpoint", e], &with(&[])),
        certdesk(
            "download",
            &["download", "--endpoint", e, "--region", &ssl_region, &dcs_id, "--out", &o("ca.zip")],
            &with(&[]),
        ),
        certdesk(
            "export zip",
            &["export", "--endpoint", e, &pca_id, "--type", "tomcat", "--format", "zip", "--out", &o("keys.zip")],
            &with(&[]),
        ),
    ];
    std::fs::create_dir(out.path().join("pem")).unwrap();
    runs.push(certdesk(
        "export pem",
        &["export", "--endpoint", e, &pca_id, "--type", "nginx", "--out", &o("pem")],
        &with(&[]),
    ));
    runs.push(certdesk(
        "export --ca",
        &["export", "--endpoint", e, "--ca", &sim.state.estate().cas[0].ca_id, "--out", &o("ca.pem")],
        &with(&[]),
    ));
    runs.push(certdesk("inspect zip", &["inspect", &o("keys.zip")], &[]));
    runs.push(certdesk("inspect --json key", &["inspect", "--json", &o("pem/server.key"), &o("pem/server.crt")], &[]));
    runs.push(certdesk(
        "convert to p12",
        &["convert", &o("pem/server.crt"), &o("pem/server.key"), "--to", "p12", "--out", &o("out.p12")],
        &[("CERTDESK_OUTPUT_PASSWORD", KEYSTORE_PASSWORD)],
    ));
    runs.push(certdesk(
        "inspect p12",
        &["inspect", &o("out.p12")],
        &[("CERTDESK_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD)],
    ));
    runs.push(certdesk(
        "inspect p12, wrong password",
        &["inspect", &o("out.p12")],
        &[("CERTDESK_KEYSTORE_PASSWORD", "nope")],
    ));
    // Password sign-in, right and wrong.
    let iam = ["--iam-user", "sim-admin", "--iam-domain", domain.as_str()];
    let list_iam: Vec<&str> = ["list", "--endpoint", e, "--region", &region].into_iter().chain(iam).collect();
    runs.push(certdesk("list, IAM password", &list_iam, &[("CERTDESK_IAM_PASSWORD", PASSWORD)]));
    runs.push(certdesk("list, wrong IAM password", &list_iam, &[("CERTDESK_IAM_PASSWORD", "CanaryWrongPassword-1")]));
    // Failures: a wrong secret with a security token, 5xx, expired links.
    runs.push(certdesk(
        "list, wrong SK and a token",
        &["list", "--endpoint", e],
        &[
            ("HUAWEICLOUD_SDK_AK", sim.info.ak.as_str()),
            ("HUAWEICLOUD_SDK_SK", "CanaryWrongSK-3"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", SECURITY_TOKEN),
        ],
    ));
    sim.state.set_faults(Faults { error_rate: 0.5, link_ttl_secs: -60, ..Faults::default() });
    runs.push(certdesk("list under 5xx", &["list", "--endpoint", e, "--json"], &with(&[])));
    runs.push(certdesk(
        "download, expired link",
        &["download", "--endpoint", e, "--region", &ssl_region, &dcs_id, "--out", &o("late.zip")],
        &with(&[]),
    ));
    sim.state.set_faults(Faults::default());

    let mut leaks = Vec::new();
    for run in &runs {
        for (stream, bytes) in [("stdout", &run.out.stdout), ("stderr", &run.out.stderr)] {
            let found = hits(&String::from_utf8_lossy(bytes));
            if !found.is_empty() {
                leaks.push(format!("{} {stream}: {found:?}", run.what));
            }
        }
    }
    // Files: the ones the user asked to hold keys may; nothing else (temp files included).
    let with_keys = ["keys.zip", "server.key", "out.p12"];
    for file in files_below(out.path()).into_iter().chain(files_below(config_dir.path())) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if with_keys.contains(&name.as_str()) {
            continue;
        }
        let found = hits(&String::from_utf8_lossy(&std::fs::read(&file).unwrap()));
        if !found.is_empty() {
            leaks.push(format!("{}: {found:?}", file.display()));
        }
    }
    // The runs did what they say (a scan of runs that did nothing proves nothing).
    let ok = |what: &str| runs.iter().find(|r| r.what == what).unwrap().out.status.success();
    for what in ["list --json", "download", "export zip", "export pem", "convert to p12", "list, IAM password"] {
        assert!(ok(what), "{what} should work");
    }
    assert!(!ok("list, wrong IAM password") && !ok("download, expired link"));
    let trace = String::from_utf8_lossy(&runs[0].out.stderr);
    assert!(
        trace.contains("TRACE") || trace.contains("DEBUG"),
        "the trace log is on: {}",
        &trace[..trace.len().min(400)]
    );
    assert!(out.path().join("pem/server.key").exists());
    assert_eq!(leaks, Vec::<String>::new(), "canary hits");
    rt.block_on(sim.shutdown());
}

/// The app's flows with a user's profiles: an AK/SK profile does every action (downloads, every
/// export, a bulk export, CSV/JSON/calendar exports), an IAM password profile signs in, a wrong
/// password and 5xx fail. Then the activity log, the banners, the profile cards' messages, the
/// settings eframe persists, the profiles file and every file written are scanned.
#[cfg(feature = "gui")]
#[test]
fn no_secret_reaches_the_apps_log_state_or_files_the_user_did_not_ask_for() {
    use crate::common::ui::{every_action_works, harness, isolated, wait_for};
    use certdesk::ui::AppOptions;
    use egui_kittest::kittest::Queryable;

    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = SimConfig { secret_key: SK.into(), iam_password: PASSWORD.into(), ..SimConfig::default() };
    let sim = rt.block_on(certdesk::sim::start(config)).unwrap();
    let (options, dir) = isolated();
    let dialog = std::sync::Arc::new(certdesk::worker::ScriptedDialog::default());
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    wait_for(&mut h, "the vault status", |app| app.vault_status().is_some());
    crate::common::ui::fill_new_profile(&mut h, "canary", &sim);
    h.run_steps(1);
    h.get_by_label("Save").click();
    wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open());
    let out = tempfile::tempdir().unwrap();
    every_action_works(&mut h, &dialog, out.path(), "canary");
    for (label, name) in [
        ("CSV (shown rows)", "rows.csv"),
        ("JSON (shown rows)", "rows.json"),
        ("Calendar of expiry reminders (.ics)", "rows.ics"),
    ] {
        let path = out.path().join(name);
        dialog.answer(Some(certdesk::worker::SaveChoice { path: path.clone(), overwrite_confirmed: false }));
        h.get_by_label("Export").click();
        h.run_steps(3);
        h.get_by_label(label).click();
        wait_for(&mut h, name, |app| !app.is_busy() && path.exists());
    }
    // An IAM password profile, right then wrong, and a refresh under 5xx.
    let domain = sim.state.estate().domain_name.clone();
    for (name, password) in [("iam", PASSWORD), ("iam-wrong", "CanaryWrongPassword-2")] {
        h.query_all_by_label("Add profile").next().unwrap().click();
        h.run_steps(8);
        h.get_by_label("IAM user").click();
        h.run_steps(8);
        for (label, text) in [
            ("Account (domain)", domain.as_str()),
            ("IAM user", "sim-admin"),
            ("Password", password),
            ("Custom endpoint", sim.endpoint()),
        ] {
            let node = h.query_all_by_label(label).last().unwrap();
            node.click();
            node.type_text(text);
        }
        let node = h.query_all_by_label("Name").last().unwrap();
        node.click();
        node.type_text(name);
        h.run_steps(1);
        h.get_by_label("Save").click();
        wait_for(&mut h, "the saved profile", |app| !app.profile_dialog_open() && !app.is_busy());
    }
    assert!(h.state().profile_test("iam").is_some_and(Result::is_ok), "{:?}", h.state().profile_test("iam"));
    assert!(h.state().profile_test("iam-wrong").is_some_and(Result::is_err));
    sim.state.set_faults(Faults { error_rate: 0.5, ..Faults::default() });
    h.key_press(egui::Key::F5);
    h.run_steps(2);
    wait_for(&mut h, "the refresh under faults", |app| !app.is_busy());
    sim.state.set_faults(Faults::default());

    let app = h.state();
    let mut said: Vec<String> = app.activity_messages();
    said.extend(app.region_errors().iter().map(|e| e.message.clone()));
    said.extend(["canary", "iam", "iam-wrong"].iter().filter_map(|p| app.profile_test(p)).map(|r| format!("{r:?}")));
    said.push(serde_json::to_string(app.settings()).unwrap());
    said.push(format!("{:?}", app.settings()));
    let mut leaks: Vec<String> =
        said.iter().filter(|s| !hits(s).is_empty()).map(|s| format!("said: {s} {:?}", hits(s))).collect();
    let with_keys = |name: &str| {
        name.ends_with(".zip") && !name.contains("-ca") || name.ends_with("-with-key.pem") || name.ends_with(".p12")
    };
    for file in files_below(out.path()).into_iter().chain(files_below(dir.path())) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let found = hits(&String::from_utf8_lossy(&std::fs::read(&file).unwrap()));
        if !with_keys(&name) && !found.is_empty() {
            leaks.push(format!("{}: {found:?}", file.display()));
        }
    }
    assert!(out.path().join("canary-no-key.pem").exists() && out.path().join("rows.json").exists());
    assert_eq!(leaks, Vec::<String>::new(), "canary hits");
    drop(h);
    rt.block_on(sim.shutdown());
}
