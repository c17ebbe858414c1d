//! The CLI binary end to end: `certdesk sim` in a child process, the other commands against it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_certdesk");

/// A `certdesk sim` child, killed on drop.
struct Sim {
    child: Child,
    info: Value,
}

impl Sim {
    fn start(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .arg("sim")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let info: Value = serde_json::from_str(&line).expect("one JSON line");
        Self { child, info }
    }

    fn endpoint(&self) -> &str {
        self.info["endpoint"].as_str().unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .args(["--endpoint", self.endpoint()])
            .env("HUAWEICLOUD_SDK_AK", self.info["ak"].as_str().unwrap())
            .env("HUAWEICLOUD_SDK_SK", self.info["sk"].as_str().unwrap())
            .output()
            .unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json_out(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn sim_prints_exactly_one_json_line_with_the_connection_facts() {
    let sim = Sim::start(&["--scale", "small", "--seed", "7"]);
    for key in ["endpoint", "ak", "sk", "project_ids", "domain_id", "regions"] {
        assert!(!sim.info[key].is_null(), "{key} missing: {}", sim.info);
    }
    assert!(sim.endpoint().starts_with("http://127.0.0.1:"));
    assert_eq!(sim.info["regions"].as_array().unwrap().len(), sim.info["project_ids"].as_object().unwrap().len());
}

#[test]
fn list_shows_the_whole_estate_as_json_and_as_a_table() {
    let sim = Sim::start(&[]);
    let out = sim.run(&["list", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json_out(&out);
    assert_eq!(doc["schema"], "certdesk.list.v1");
    let items = doc["items"].as_array().unwrap();
    let estate = certdesk::sim::Estate::generate(1, certdesk::sim::Scale::Small, time::OffsetDateTime::now_utc());
    assert_eq!(items.len(), estate.item_count());
    for service in ["dcs", "gemini-db", "ccm", "elb", "scm"] {
        assert!(items.iter().any(|i| i["service"] == service), "{service} listed");
    }
    let with_expiry = items.iter().filter(|i| i["days_left"].is_i64()).count();
    assert!(with_expiry > 0);
    assert!(items.iter().any(|i| i["validity"] == "expired" || i["validity"] == "expiring"));
    let table = sim.run(&["list"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("SERVICE") && text.contains("DAYS"), "{text}");
    assert_eq!(text.lines().count(), estate.item_count() + 2, "header, rule, one line per item");
}

#[test]
fn list_exits_3_when_a_region_fails_and_still_lists_the_rest() {
    let sim = Sim::start(&["--fail-region", "eu-nl"]);
    let out = sim.run(&["list", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let doc = json_out(&out);
    assert!(doc["errors"].as_array().unwrap().iter().all(|e| e["region"] == "eu-nl"));
    assert!(doc["items"].as_array().unwrap().iter().any(|i| i["region"] == "eu-de"));
}

#[test]
fn commands_without_credentials_fail_with_a_clear_message() {
    let out = Command::new(BIN)
        .args(["list", "--endpoint", "http://127.0.0.1:9"])
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HUAWEICLOUD_SDK_AK"));
}

fn first(items: &Value, pred: impl Fn(&Value) -> bool) -> Value {
    items["items"].as_array().unwrap().iter().find(|i| pred(i)).cloned().expect("a matching item")
}

#[test]
fn download_saves_the_certificate_and_never_overwrites_silently() {
    let sim = Sim::start(&[]);
    let list = json_out(&sim.run(&["list", "--json"]));
    let dcs = first(&list, |i| i["service"] == "dcs" && i["ssl"] == "on");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.zip");
    let path_s = path.to_str().unwrap();
    let region = dcs["region"].as_str().unwrap();
    let id = dcs["id"].as_str().unwrap();
    let out = sim.run(&["download", "--region", region, id, "--out", path_s, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc = json_out(&out);
    assert_eq!(doc["certificates"][0]["file"], "ca.crt");
    assert_eq!(doc["certificates"][0]["is_ca"], true);
    let saved = std::fs::read(&path).unwrap();
    assert!(saved.starts_with(b"PK"));
    let again = sim.run(&["download", "--region", region, id, "--out", path_s]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    assert_eq!(std::fs::read(&path).unwrap(), saved, "the existing file is untouched");
    assert_eq!(sim.run(&["download", "--region", region, id, "--out", path_s, "--force"]).status.code(), Some(0));
    let gemini = first(&list, |i| i["service"] == "gemini-db" && i["ssl"] == "on");
    let gpath = dir.path().join("gemini.crt");
    let out = sim.run(&[
        "download",
        "--service",
        "gemini-db",
        "--region",
        gemini["region"].as_str().unwrap(),
        gemini["id"].as_str().unwrap(),
        "--out",
        gpath.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".certdesk-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left behind");
}

#[test]
fn export_writes_pem_files_with_a_private_key_only_the_owner_can_read() {
    let sim = Sim::start(&[]);
    let list = json_out(&sim.run(&["list", "--json", "--service", "ccm"]));
    let cert = first(&list, |i| i["status"] == "ISSUED" && i["note"] == "");
    let id = cert["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = sim.run(&["export", id, "--type", "apache", "--out", d]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["server.crt", "chain.crt", "server.key"] {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        assert!(!text.contains('\r'), "{name}: LF line breaks");
    }
    let mode = std::fs::metadata(dir.path().join("server.key")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = sim.run(&["export", id, "--type", "apache", "--out", d]);
    assert_eq!(again.status.code(), Some(1), "existing files are not replaced without --force");
    let zip_path = dir.path().join("bundle.zip");
    let out = sim.run(&["export", id, "--type", "tomcat", "--format", "zip", "--out", zip_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::metadata(&zip_path).unwrap().permissions().mode() & 0o777, 0o600, "zips hold keys");
}

#[test]
fn ssl_shows_one_instance_and_explains_unsupported_engines() {
    let sim = Sim::start(&[]);
    let list = json_out(&sim.run(&["list", "--json", "--service", "dcs"]));
    let on = first(&list, |i| i["ssl"] == "on");
    let out = sim.run(&["ssl", "--region", on["region"].as_str().unwrap(), on["id"].as_str().unwrap(), "--json"]);
    assert_eq!(json_out(&out)["state"], "on");
    let na = first(&list, |i| i["ssl"] == "not_supported");
    let out = sim.run(&["ssl", "--region", na["region"].as_str().unwrap(), na["id"].as_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not supported"));
}

#[test]
fn sim_over_tls_is_trusted_through_ca_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let sim = Sim::start(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert!(sim.endpoint().starts_with("https://"));
    let trusted = sim.run(&["list", "--service", "dcs", "--ca-file", ca.to_str().unwrap()]);
    assert_eq!(trusted.status.code(), Some(0), "{}", String::from_utf8_lossy(&trusted.stderr));
    let untrusted = sim.run(&["list", "--service", "dcs"]);
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&untrusted.stderr).contains("No response"),
        "{}",
        String::from_utf8_lossy(&untrusted.stderr)
    );
}

#[test]
fn version_prints_the_build_facts() {
    let out = Command::new(BIN).arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(format!("certdesk {}", env!("CARGO_PKG_VERSION")).as_str()));
    for fact in ["commit:   ", "target:   ", "features: ", "compiler: rustc "] {
        assert!(text.lines().any(|l| l.starts_with(fact)), "{fact} missing:\n{text}");
    }
    // -V stays one line, for scripts.
    let short = Command::new(BIN).arg("-V").output().unwrap();
    assert_eq!(String::from_utf8(short.stdout).unwrap().trim(), format!("certdesk {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn man_writes_a_page_per_visible_command_and_stays_out_of_help() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).arg("man").arg(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut pages: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "certdesk-check.1",
            "certdesk-convert.1",
            "certdesk-download.1",
            "certdesk-endpoints.1",
            "certdesk-export.1",
            "certdesk-inspect.1",
            "certdesk-list.1",
            "certdesk-profile.1",
            "certdesk-sim.1",
            "certdesk-ssl.1",
            "certdesk.1"
        ]
    );
    let main = std::fs::read_to_string(dir.path().join("certdesk.1")).unwrap();
    assert!(main.contains(".TH certdesk 1"), "{main}");
    assert!(main.contains("Exit status") && main.contains("HUAWEICLOUD_SDK_AK"), "environment and exit codes: {main}");
    let list = std::fs::read_to_string(dir.path().join("certdesk-list.1")).unwrap();
    assert!(list.contains("\\-\\-warn\\-days"), "options of list are documented");
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains("man "), "the packaging command is hidden");
}

#[test]
fn download_writes_pem_for_a_pem_name_and_the_zip_otherwise_and_says_which() {
    let sim = Sim::start(&[]);
    let list = json_out(&sim.run(&["list", "--json"]));
    let dcs = first(&list, |i| i["service"] == "dcs" && i["ssl"] == "on");
    let (region, id) = (dcs["region"].as_str().unwrap(), dcs["id"].as_str().unwrap());
    let dir = tempfile::tempdir().unwrap();
    for (name, pem) in [("ca.pem", true), ("ca.crt", true), ("ca.zip", false), ("ca.bin", false)] {
        let path = dir.path().join(name);
        let out = sim.run(&["download", "--region", region, id, "--out", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let bytes = std::fs::read(&path).unwrap();
        if pem {
            assert!(bytes.starts_with(b"-----BEGIN CERTIFICATE-----"), "{name} holds PEM");
            assert!(text.contains("written as PEM text: the certificates of the zip received"), "{text}");
            let inspected = Command::new(BIN).args(["inspect", path.to_str().unwrap()]).output().unwrap();
            assert_eq!(inspected.status.code(), Some(0), "{name} reads back");
        } else {
            assert!(bytes.starts_with(b"PK"), "{name} as received");
            assert!(text.contains("written as received (zip)"), "{text}");
        }
    }
    let json =
        sim.run(&["download", "--region", region, id, "--out", dir.path().join("j.pem").to_str().unwrap(), "--json"]);
    let doc = json_out(&json);
    assert_eq!((doc["format"].as_str(), doc["received"].as_str()), (Some("pem"), Some("zip")));
}

#[test]
fn a_profile_name_that_is_not_stored_only_labels_env_credentials_or_fails_clearly() {
    let sim = Sim::start(&[]);
    let config = tempfile::tempdir().unwrap();
    let labelled = Command::new(BIN)
        .args(["list", "--json", "--profile", "ops", "--endpoint", sim.endpoint()])
        .env("CERTDESK_CONFIG_DIR", config.path())
        .env("HUAWEICLOUD_SDK_AK", sim.info["ak"].as_str().unwrap())
        .env("HUAWEICLOUD_SDK_SK", sim.info["sk"].as_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(labelled.status.code(), Some(0), "{}", String::from_utf8_lossy(&labelled.stderr));
    assert!(json_out(&labelled)["items"].as_array().unwrap().iter().all(|i| i["profile"] == "ops"));
    let missing = Command::new(BIN)
        .args(["list", "--profile", "nobody", "--endpoint", sim.endpoint()])
        .env("CERTDESK_CONFIG_DIR", config.path())
        .env_remove("HUAWEICLOUD_SDK_AK")
        .env_remove("HUAWEICLOUD_SDK_SK")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no stored profile named nobody"));
    // Secrets have no command-line option.
    let argv = Command::new(BIN)
        .args(["profile", "add", "x", "--cloud", "huawei-cloud", "--access-key", "AK", "--secret-key", "SK"])
        .env("CERTDESK_CONFIG_DIR", config.path())
        .output()
        .unwrap();
    assert_eq!(argv.status.code(), Some(2), "a usage error");
    assert!(!config.path().join("profiles.json").exists());
}

#[test]
fn a_wrong_secret_or_password_fails_once_with_one_line_and_never_locks_the_key() {
    let sim = Sim::start(&["--scale", "large"]);
    let stats = |sim: &Sim| -> Value {
        use std::io::{Read, Write};
        let addr = sim.endpoint().trim_start_matches("http://").trim_end_matches('/').to_owned();
        let mut conn = std::net::TcpStream::connect(&addr).unwrap();
        write!(conn, "GET /__sim/stats HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut response = String::new();
        conn.read_to_string(&mut response).unwrap();
        serde_json::from_str(response.split("\r\n\r\n").nth(1).unwrap()).unwrap()
    };
    let regions: Vec<String> =
        sim.info["regions"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_owned()).collect();
    let mut region_args: Vec<&str> = Vec::new();
    for r in &regions {
        region_args.extend(["--region", r.as_str()]);
    }
    let ak = sim.info["ak"].as_str().unwrap();
    for explicit in [false, true] {
        let mut cmd = Command::new(BIN);
        cmd.args(["list", "--profile", "ops", "--endpoint", sim.endpoint()])
            .env("CERTDESK_CONFIG_DIR", tempfile::tempdir().unwrap().path())
            .env("HUAWEICLOUD_SDK_AK", ak)
            .env("HUAWEICLOUD_SDK_SK", "wrong-secret-key");
        if explicit {
            cmd.args(&region_args);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        let errors: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("error:"))
            .map(str::to_owned)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("profile ops: cannot sign in") && errors[0].contains("APIG.0301"), "{}", errors[0]);
    }
    let failures = &stats(&sim)["auth_failures"];
    assert_eq!(failures[ak], 2, "one failed authentication per run over {} regions: {failures}", regions.len());
    eprintln!("wrong SK over {} regions x 3 services, twice: {failures}", regions.len());
    // The key is not locked: the right secret works at once.
    assert_eq!(sim.run(&["list", "--json"]).status.code(), Some(0));
    // A wrong IAM password: one failed sign-in for that user.
    let out = Command::new(BIN)
        .args(["list", "--iam-user", "sim-admin", "--iam-domain", "wrong-domain", "--endpoint", sim.endpoint()])
        .args(&region_args)
        .env("CERTDESK_IAM_PASSWORD", "wrong-password")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let failures = &stats(&sim)["auth_failures"];
    assert_eq!(failures["wrong-domain/sim-admin"], 1, "{failures}");
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_connection() {
    // In a network namespace of its own (no interface up), any connection attempt would fail
    // locally; the refusal must come first, with its own words.
    let out = Command::new("unshare")
        .args(["-n", BIN, "list", "--endpoint", "http://iam.example.org"])
        .env("HUAWEICLOUD_SDK_AK", "AK")
        .env("HUAWEICLOUD_SDK_SK", "SK")
        .output()
        .expect("unshare (util-linux) runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("plain http") && stderr.contains("https://"), "{stderr}");
}

/// A raw HTTP/1.0 GET: the status line's code and the body.
fn raw_get(addr: &str, path: &str, header: Option<(&str, &str)>) -> (u16, String) {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    let extra = header.map(|(k, v)| format!("{k}: {v}\r\n")).unwrap_or_default();
    write!(conn, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n{extra}\r\n").unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).unwrap();
    let code = response.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, response.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned())
}

#[test]
fn the_simulator_listens_beyond_loopback_only_when_asked_and_then_with_its_own_keys() {
    let refused = Command::new(BIN).args(["sim", "--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("refusing to listen on 0.0.0.0") && stderr.contains("--allow-remote"), "{stderr}");

    let sim = Sim::start(&["--listen", "0.0.0.0:0", "--allow-remote"]);
    let port = sim.endpoint().rsplit(':').next().unwrap().trim_end_matches('/').to_owned();
    // Only ever reached over loopback here.
    let local = format!("127.0.0.1:{port}");
    let defaults = certdesk::sim::SimConfig::default();
    let (ak, sk) = (sim.info["ak"].as_str().unwrap(), sim.info["sk"].as_str().unwrap());
    assert!(ak != defaults.access_key && sk != defaults.secret_key, "credentials of the run's own");
    assert!(sim.info["iam_password"].as_str().is_some_and(|p| p != defaults.iam_password));
    let key = sim.info["admin_key"].as_str().unwrap();
    assert_eq!(raw_get(&local, "/__sim/stats", None).0, 401, "controls need the admin key");
    assert_eq!(raw_get(&local, "/__sim/stats", Some(("X-Sim-Admin-Key", "wrong"))).0, 401);
    let (code, body) = raw_get(&local, "/__sim/stats", Some(("X-Sim-Admin-Key", key)));
    assert_eq!(code, 200, "{body}");
    let endpoint = format!("http://{local}");
    let list = |ak: &str, sk: &str| {
        Command::new(BIN)
            .args(["list", "--endpoint", &endpoint, "--json"])
            .env("HUAWEICLOUD_SDK_AK", ak)
            .env("HUAWEICLOUD_SDK_SK", sk)
            .env("CERTDESK_CONFIG_DIR", tempfile::tempdir().unwrap().path())
            .output()
            .unwrap()
    };
    assert_eq!(list(ak, sk).status.code(), Some(0), "the run's keys work");
    let public = list(&defaults.access_key, &defaults.secret_key);
    assert_eq!(public.status.code(), Some(1), "the published default keys do not");
}

#[test]
fn check_follows_the_monitoring_plugin_conventions() {
    let sim = Sim::start(&[]);
    let check = |args: &[&str], sk: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.arg("check").args(args).args(["--endpoint", sim.endpoint()]);
        cmd.env("HUAWEICLOUD_SDK_AK", sim.info["ak"].as_str().unwrap());
        cmd.env("HUAWEICLOUD_SDK_SK", sk.unwrap_or(sim.info["sk"].as_str().unwrap()));
        cmd.env("CERTDESK_CONFIG_DIR", tempfile::tempdir().unwrap().path());
        let out = cmd.output().unwrap();
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(line.lines().count(), 1, "one status line: {line:?}");
        (out.status.code(), line)
    };
    // The small estate holds an expired, a revoked and a soon-expiring item (of the first three
    // services; load balancers and SCM add more of each).
    let (code, line) = check(&[], None);
    assert_eq!(code, Some(2), "{line}");
    let (code, line) = check(&["--service", "dcs", "--service", "gemini-db", "--service", "ccm"], None);
    assert_eq!(code, Some(2), "{line}");
    assert!(line.starts_with("CERTDESK CRITICAL - ") && line.contains("(revoked)"), "{line}");
    assert!(line.contains("| items=") && line.contains(" expired=") && line.contains(" min_days_left="), "{line}");
    // GeminiDB's CAs there are far from expiry: OK, then WARNING with a longer warning window.
    let (code, line) = check(&["--service", "gemini-db"], None);
    assert_eq!(code, Some(0), "{line}");
    assert!(line.starts_with("CERTDESK OK - "), "{line}");
    let (code, line) = check(&["--service", "gemini-db", "--warn-days", "3650", "--crit-days", "1"], None);
    assert_eq!(code, Some(1), "{line}");
    assert!(
        line.starts_with("CERTDESK WARNING - ") && line.contains("min_days_left=") && line.contains(";3650;1"),
        "{line}"
    );
    // Credentials that do not sign in: UNKNOWN with the cloud's reason.
    let (code, line) = check(&[], Some("not-the-secret"));
    assert_eq!(code, Some(3), "{line}");
    assert!(line.starts_with("CERTDESK UNKNOWN - ") && line.contains("APIG.0301"), "{line}");
}
