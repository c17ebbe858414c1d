//! Build info for `certdesk --version` and the about box (commit, date, target, profile, rustc),
//! and on Windows the exe's icon and version resource.

use std::process::Command;

fn main() {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    // Packagers building from a tarball (no .git) can name the commit themselves.
    let commit = std::env::var("CERTDESK_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(12).collect())
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]))
        .unwrap_or_else(|| "unknown".into());
    // The commit's date, not the build's: the same source gives the same binary.
    let date = std::env::var("CERTDESK_BUILD_DATE")
        .ok()
        .filter(|d| !d.is_empty())
        .or_else(|| git(&["log", "-1", "--format=%cs"]))
        .unwrap_or_else(|| "unknown".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "rustc (unknown)".into(), |s| s.trim().to_owned());
    let features = if std::env::var_os("CARGO_FEATURE_GUI").is_some() { "gui" } else { "cli only" };

    println!("cargo:rustc-env=CERTDESK_BUILD_COMMIT={commit}");
    println!("cargo:rustc-env=CERTDESK_BUILD_DATE={date}");
    println!("cargo:rustc-env=CERTDESK_BUILD_TARGET={}", std::env::var("TARGET").unwrap_or_default());
    println!("cargo:rustc-env=CERTDESK_BUILD_PROFILE={}", std::env::var("PROFILE").unwrap_or_default());
    println!("cargo:rustc-env=CERTDESK_BUILD_RUSTC={rustc_version}");
    println!("cargo:rustc-env=CERTDESK_BUILD_FEATURES={features}");
    println!("cargo:rerun-if-env-changed=CERTDESK_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=CERTDESK_BUILD_DATE");
    // A new commit changes HEAD or the branch it points to. Only files that exist are named: cargo
    // treats a missing one as always changed and would rebuild every time.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        let mut watched = vec![format!("{dir}/HEAD"), format!("{dir}/packed-refs")];
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.push(format!("{dir}/{branch}"));
        }
        for path in watched.iter().filter(|p| std::path::Path::new(p).exists()) {
            println!("cargo:rerun-if-changed={path}");
        }
    }

    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resources();
    }
}

/// The icon Explorer shows and the version tab of the file's properties.
fn windows_resources() {
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icons/certdesk.ico");
    res.set("ProductName", "certdesk");
    res.set("FileDescription", "certdesk - certificate manager for Huawei Cloud and Open Telekom Cloud");
    res.set("CompanyName", "certdesk developers");
    res.set("LegalCopyright", "certdesk developers; MIT OR Apache-2.0");
    res.set("OriginalFilename", "certdesk.exe");
    if let Err(e) = res.compile() {
        // A Windows build without its icon is a broken release, not a warning.
        panic!("embedding the Windows icon and version info failed: {e}");
    }
}
