//! Safe saving under `kill -9`: a child saving a large file through the store is killed at
//! seeded random moments; the target is always either absent, the complete old file or the
//! complete new one, and stray temp files are swept afterwards.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use certdesk::store::{Overwrite, Sensitivity, TEMP_PREFIX, sweep_temp_files, write_atomic};

const SIZE: usize = 8 * 1024 * 1024;

/// Not a test on its own: the body of the child process the kill test starts (it returns at once
/// when run without the child's environment).
#[test]
fn child_writer_process() {
    let Some(target) = std::env::var_os("CERTDESK_KILL_TARGET") else { return };
    let overwrite =
        if std::env::var_os("CERTDESK_KILL_REPLACE").is_some() { Overwrite::Replace } else { Overwrite::Never };
    write_atomic(Path::new(&target), &vec![b'B'; SIZE], Sensitivity::Secret, overwrite).unwrap();
}

#[derive(Debug, Default)]
struct Outcomes {
    absent: usize,
    old: usize,
    new: usize,
}

#[test]
fn a_killed_writer_never_leaves_a_partial_file() {
    let exe = std::env::current_exe().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("server.key");
    let mut rng = certdesk::sim::estate::Rng::new(2026);
    let mut seen = Outcomes::default();
    for run in 0..120 {
        let replace = run % 2 == 0;
        let _ = std::fs::remove_file(&target);
        if replace {
            std::fs::write(&target, vec![b'A'; SIZE]).unwrap();
        }
        let mut cmd = Command::new(&exe);
        cmd.args(["child_writer_process", "--exact", "--nocapture", "--test-threads", "1"])
            .env("CERTDESK_KILL_TARGET", &target);
        if replace {
            cmd.env("CERTDESK_KILL_REPLACE", "1");
        }
        let mut child = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(u64::try_from(rng.below(80)).unwrap()));
        let _ = child.kill();
        let _ = child.wait();
        match std::fs::read(&target) {
            Err(_) => {
                assert!(!replace, "run {run}: the old file vanished");
                seen.absent += 1;
            }
            Ok(bytes) => {
                assert_eq!(bytes.len(), SIZE, "run {run}: partial file of {} bytes", bytes.len());
                if bytes.iter().all(|b| *b == b'A') {
                    seen.old += 1;
                } else {
                    assert!(bytes.iter().all(|b| *b == b'B'), "run {run}: mixed content");
                    seen.new += 1;
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
                        assert_eq!(mode, 0o600, "run {run}: a new secret file is 0600");
                    }
                }
            }
        }
        sweep_temp_files(dir.path());
        let strays = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
            .count();
        assert_eq!(strays, 0, "run {run}: temp files swept");
    }
    // The kills must land both before and after the rename for this test to mean anything.
    assert!(seen.new > 0 && seen.old + seen.absent > 0, "{seen:?}");
    eprintln!("kill test outcomes over 120 runs: {seen:?}");
}

#[test]
fn never_overwrite_refuses_and_leaves_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pem");
    std::fs::write(&path, b"old").unwrap();
    let err = write_atomic(&path, b"new", Sensitivity::Public, Overwrite::Never).unwrap_err();
    assert!(err.to_string().contains("already exists"));
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    write_atomic(&path, b"new", Sensitivity::Public, Overwrite::Replace).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    let missing = dir.path().join("no/such/dir/x.pem");
    assert!(
        write_atomic(&missing, b"x", Sensitivity::Public, Overwrite::Never)
            .unwrap_err()
            .to_string()
            .contains("does not exist")
    );
}
