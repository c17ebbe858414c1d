//! Secret canaries: the simulator and the environment use unique secret values (secret key, IAM
//! password, a security token, a keystore password), and every CLI command runs with
//! `CERTDESK_LOG=trace`, in success and under faults (5xx, expired links, a wrong secret, a wrong
//! password). Then every byte the runs produced is scanned (stdout, stderr with the trace log,
//! every file written and the folder's temp files): no secret, no IAM token the simulator
//! issued, no presigned-link signature, no private key may appear, except in the files the user
//! asked to export with keys.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::too_many_lines)]

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
        sim.state.estate.certificates.iter().find(|c| c.wire.status == "ISSUED").unwrap().wire.certificate_id.clone();
    let domain = sim.state.estate.domain_name.clone();
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
        &["export", "--endpoint", e, "--ca", &sim.state.estate.cas[0].ca_id, "--out", &o("ca.pem")],
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
