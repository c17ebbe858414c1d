//! Legal extremes and hostile text from the cloud, end to end: certificates that expire on
//! 9999-12-31 (RFC 5280's "no expiry"), in the year 1, at the epoch and at `i64::MAX`
//! milliseconds, refreshed twice and the app restarted; names that carry escape sequences, line
//! breaks and `|` through `list` and `check`; and a panic that can no longer become a crash loop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use certdesk::sim::{RunningSim, SimConfig};
use time::macros::datetime;

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");
/// A name that would set the terminal's title, clear it, forge performance data and a table row.
const HOSTILE: &str = "evil\x1b]0;pwned\x07\x1b[2J | items=0 expired=0 critical=0\nfake-row  dcs  ok";

/// Puts the extremes into the simulator's account before anything asked for it (a certificate's
/// PEM is made on first use, with the dates it then has).
fn extreme_estate(sim: &RunningSim) {
    sim.state.change_estate(|estate| {
        let region = &mut estate.regions[0];
        region.elb[0].not_after = datetime!(9999-12-31 23:59:59 UTC);
        region.elb[1].not_before = datetime!(0001-01-01 00:00 UTC);
        region.dcs[0].instance.name = HOSTILE.into();
        let ms = [Some(i64::MAX), Some(0), Some(-1), Some(i64::MIN), Some(253_402_300_799_000)];
        for (cert, at) in estate.certificates.iter_mut().zip(ms) {
            cert.wire.not_after = at;
        }
        estate.certificates[5].wire.distinguished_name.common_name = HOSTILE.into();
        let scm = &mut estate.scm[0];
        scm.not_after = datetime!(9999-12-31 23:59:59 UTC);
        scm.wire.expire_time = "9999-12-31 23:59:59.0".into();
    });
}

fn extreme_sim(rt: &tokio::runtime::Runtime) -> RunningSim {
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    extreme_estate(&sim);
    sim
}

fn cli(sim: &RunningSim, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .args(["--endpoint", sim.endpoint()])
        .env("HUAWEICLOUD_SDK_AK", &sim.info.ak)
        .env("HUAWEICLOUD_SDK_SK", &sim.info.sk)
        .output()
        .unwrap()
}

#[test]
fn list_and_check_print_extreme_dates_and_hostile_names_inert() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = extreme_sim(&rt);
    let out = cli(&sim, &["list"]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stdout.contains(['\x1b', '\x07']), "{stdout}");
    assert!(stdout.contains("9999-12-31"), "{stdout}");
    assert!(stdout.contains("evil\\x1b]0;pwned\\x07"), "{stdout}");
    assert!(!stdout.lines().any(|l| l.starts_with("fake-row")), "a name adds no row:\n{stdout}");

    let json = cli(&sim, &["list", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let items = value["items"].as_array().unwrap();
    let elb = items.iter().find(|i| i["expires_at"] == "9999-12-31T23:59:59Z").expect("the 9999 certificate");
    assert_eq!(elb["validity"], "valid");
    assert!(elb["days_left"].as_i64().unwrap() > 2_900_000);
    assert!(items.iter().any(|i| i["name"] == HOSTILE), "JSON keeps the name as it is, escaped");

    let om = cli(&sim, &["list", "--format", "openmetrics"]);
    let text = String::from_utf8(om.stdout).unwrap();
    assert!(text.contains("253402300799") && !text.contains('\x1b'), "{text}");

    let check = cli(&sim, &["check", "--crit-days", "7"]);
    let line = String::from_utf8(check.stdout).unwrap();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert_eq!(line.matches('|').count(), 1, "only the status line's own: {line}");
    assert!(line.trim_end().ends_with(";30;7"), "the real performance data last: {line}");
    assert!(!line.contains('\x1b') && line.len() <= 4000, "{line}");
    rt.block_on(sim.shutdown());
}

#[cfg(feature = "gui")]
mod app {
    use std::sync::Arc;

    use super::*;
    use crate::common::ui::*;
    use certdesk::ui::AppOptions;
    use certdesk::worker::ScriptedDialog;
    use egui_kittest::kittest::Queryable;

    fn loads(app: &certdesk::ui::CertdeskApp) -> usize {
        app.activity_messages().iter().filter(|m| m.starts_with("Inventory loaded")).count()
    }

    #[test]
    fn a_certificate_expiring_9999_12_31_is_refreshed_twice_and_the_app_restarted_without_a_crash() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sim = extreme_sim(&rt);
        let (options, dir) = isolated();
        let mut h = user_profile_app(options.clone(), &sim, "acct", Arc::default());
        wait_for(&mut h, "the first refresh, saved", |app| loaded(app) && dir.path().join("inventory.json").exists());
        let far = |app: &certdesk::ui::CertdeskApp| {
            app.rows().iter().filter(|r| r.expires_at.is_some_and(|t| t.year() == 9999)).count()
        };
        assert!(far(h.state()) >= 2, "the ELB and SCM certificates, and the PCA one at 9999-12-31");
        // Compared with the first: the old expiry plus a day has no date.
        h.key_press(egui::Key::F5);
        wait_for(&mut h, "the compared refresh", |app| loaded(app) && loads(app) == 2);
        assert!(h.state().activity_messages().iter().all(|m| !m.contains("panicked")));
        // Timeline, details pane and the Expired filter draw the extremes.
        let hostile = h.state().rows().iter().find(|r| r.name == HOSTILE).unwrap().clone();
        find_and_select(&mut h, &hostile.id);
        h.run_steps(3);
        assert!(h.query_all_by_label_contains("evil\\x1b]0;pwned\\x07").count() >= 1, "shown, not run");
        drop(h);

        // The next start compares the saved 9999-12-31 with the cloud's.
        let mut h =
            harness(AppOptions { worker: options, ..AppOptions::default() }, Arc::new(ScriptedDialog::default()));
        wait_for(&mut h, "the saved rows", |app| !app.rows().is_empty());
        wait_for(&mut h, "the refresh after the restart", |app| loaded(app) && loads(app) == 1);
        assert!(h.state().as_of().is_none(), "every part answered and was compared with the saved rows");
        assert!(far(h.state()) >= 2);
        drop(h);
        rt.block_on(sim.shutdown());
    }

    #[test]
    fn after_a_crash_the_saved_inventory_is_set_aside_and_the_report_folder_offered() {
        let (options, dir) = isolated();
        let report = dir.path().join("crash-1-2.txt");
        std::fs::write(&report, "certdesk crash report").unwrap();
        std::fs::write(dir.path().join(certdesk::crash::MARKER), report.to_str().unwrap()).unwrap();
        std::fs::write(dir.path().join("inventory.json"), br#"{"schema": 1, "saved_at": "2026-11-30T06:00:00Z"}"#)
            .unwrap();
        // A user's profile: without the crash its refresh would start by itself.
        let rt = tokio::runtime::Runtime::new().unwrap();
        let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
        let profile = crate::common::sim_profile("acct", &sim, crate::common::sim_keys(&sim));
        let secrets = certdesk::worker::ProfileSecrets {
            secret_key: Some(certdesk::cloud::Secret::new(&sim.info.sk)),
            ..certdesk::worker::ProfileSecrets::default()
        };
        let vault = options.vault.clone().unwrap();
        rt.block_on(certdesk::worker::save_profile(options.profiles_path.as_ref().unwrap(), &vault, profile, secrets))
            .unwrap();
        let dialog = Arc::new(ScriptedDialog::default());
        let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
        wait_for(&mut h, "the notice", |app| {
            app.activity_messages().iter().any(|m| m.contains("stopped unexpectedly last time"))
        });
        wait_for(&mut h, "the profiles", |app| app.profiles().len() == 1 && !app.is_busy());
        assert!(h.state().rows().is_empty() && sim.state.request_count() == 0, "no refresh started by itself");
        assert!(h.state().activity_messages().iter().any(|m| m.contains("The refresh waits for you")));
        assert!(!dir.path().join("inventory.json").exists(), "set aside");
        assert!(!dir.path().join(certdesk::crash::MARKER).exists(), "taken: the next start is normal");
        let aside: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("inventory.json.crashed-"))
            .collect();
        assert_eq!(aside.len(), 1);
        h.get_by_label("Open its folder").click();
        h.run_steps(2);
        wait_for(&mut h, "the folder shown", |_| dialog.opened() == [dir.path().to_owned()]);
        h.get_by_label("Dismiss").click();
        h.run_steps(2);
        assert!(h.query_by_label("Open its folder").is_none());
        h.key_press(egui::Key::F5);
        wait_for(&mut h, "the refresh the user asked for", loaded);
        drop(h);
        rt.block_on(sim.shutdown());
    }
}

/// The child half of the panic-hook test: runs only when the parent asks for it.
#[test]
fn panic_hook_child() {
    let Some(folder) = std::env::var_os("CERTDESK_TEST_PANIC_FOLDER") else { return };
    certdesk::crash::install(folder.into());
    certdesk::crash::remember("Inventory loaded: 3 items");
    certdesk::crash::mark_app_thread();
    std::panic::panic_any(format!("resulting value is out of range \x1b[2J{}", "x".repeat(5000)));
}

#[test]
fn a_panic_on_the_app_thread_writes_a_report_here_and_leaves_the_marker() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "extremes::panic_hook_child", "--nocapture", "--test-threads=1"])
        .env("CERTDESK_TEST_PANIC_FOLDER", dir.path())
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the child panicked");
    let marker = std::fs::read_to_string(dir.path().join(certdesk::crash::MARKER)).unwrap();
    let report = std::fs::read_to_string(&marker).unwrap();
    assert!(report.starts_with("certdesk crash report (kept on this computer; nothing was sent anywhere)"));
    for fact in ["version:  ", "commit:   ", "thread:   ", "where:    tests/it/extremes.rs", "backtrace:"] {
        assert!(report.contains(fact), "{fact} in:\n{report}");
    }
    assert!(report.contains("resulting value is out of range \\x1b[2J"), "{report}");
    assert!(report.contains("Inventory loaded: 3 items"), "the last log lines");
    assert!(!report.contains('\x1b') && report.len() < 200_000);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&marker).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
