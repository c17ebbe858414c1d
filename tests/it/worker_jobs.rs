//! The worker's job model and the profile and file operations under it, driven through their
//! public doors: every command is a job that ends exactly once (also when it panics), slow keyring
//! work holds nothing else up and can be stopped, failed profile edits leave keyring and file as
//! they were, file sets change all at once or not at all, and a stopped save leaves no file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use certdesk::cloud::{Cloud, Secret};
use certdesk::store::profiles::{AuthSettings, Profile};
use certdesk::store::{self, Overwrite, Sensitivity, StoreError, TEMP_PREFIX};
use certdesk::vault::{MemoryStore, SecretField, SecretStore, VaultError};
use certdesk::worker::{
    Command, DialogFuture, Event, JobId, KeyringOpener, Outcome, ProfileSecrets, SaveChoice, SaveDialog,
    ScriptedDialog, WorkerHandle, WorkerOptions,
};

fn events_until(worker: &mut WorkerHandle, what: &str, done: impl Fn(&Event) -> bool) -> Vec<Event> {
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        while let Some(event) = worker.try_recv() {
            let stop = done(&event);
            seen.push(event);
            if stop {
                return seen;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("timed out waiting for {what}: {seen:?}");
}

fn finished(job: JobId) -> impl Fn(&Event) -> bool {
    move |e| matches!(e, Event::JobFinished { job: j, .. } if *j == job)
}

fn outcome_of(events: &[Event], job: JobId) -> Outcome {
    events
        .iter()
        .find_map(|e| match e {
            Event::JobFinished { job: j, outcome } if *j == job => Some(outcome.clone()),
            _ => None,
        })
        .unwrap()
}

/// A profile on a closed loopback port: saving never reaches a cloud, a refresh fails at once.
fn profile(name: &str) -> Profile {
    Profile {
        name: name.into(),
        cloud: Cloud::HuaweiCloud,
        auth: AuthSettings::AkSk { access_key: format!("AK{}", name.to_ascii_uppercase()), temporary: false },
        regions: vec!["eu-de".into()],
        endpoint: Some("http://127.0.0.1:9".into()),
        ca_file: None,
        endpoint_template: None,
        object_storage_suffix: None,
        resolve_to: None,
    }
}

fn sk(value: &str) -> ProfileSecrets {
    ProfileSecrets { secret_key: Some(Secret::new(value)), ..ProfileSecrets::default() }
}

struct CrashingDialog;

impl SaveDialog for CrashingDialog {
    fn ask_save_path<'a>(&'a self, _: &'a str, _: &'a str, _: Option<&'a Path>) -> DialogFuture<'a, SaveChoice> {
        Box::pin(async { panic!("the dialog crashed") })
    }
    fn ask_folder<'a>(&'a self, _: &'a str, _: Option<&'a Path>) -> DialogFuture<'a, std::path::PathBuf> {
        Box::pin(async { panic!("the dialog crashed") })
    }
    fn open_folder(&self, _: &Path) -> std::io::Result<()> {
        panic!("the dialog crashed")
    }
}

/// An export of no rows as CSV: a job whose only work is the dialog and the write.
fn empty_csv_export() -> Command {
    Command::ExportInventory {
        rows: Vec::new(),
        format: certdesk::inventory::export::ExportFormat::Csv,
        thresholds: certdesk::inventory::policy::Thresholds::default(),
        errors: Vec::new(),
    }
}

#[test]
fn a_job_that_panics_ends_once_as_a_failure_named_by_its_label_and_the_worker_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let options = WorkerOptions {
        profiles_path: Some(dir.path().join("profiles.json")),
        vault: Some(Arc::new(MemoryStore::default())),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(CrashingDialog), options).unwrap();
    let job = worker.send(empty_csv_export()).unwrap();
    let events = events_until(&mut worker, "the export's end", finished(job));
    let Outcome::Failed(message) = outcome_of(&events, job) else { panic!("{events:?}") };
    assert!(message.contains("Exporting 0 row(s) stopped on an internal error"), "{message}");
    // Still answering, and the crashed job never finishes twice.
    let test = worker.send(Command::TestProfile("nobody".into())).unwrap();
    let later = events_until(&mut worker, "the next job", finished(test));
    assert!(!later.iter().any(finished(job)), "{later:?}");
}

/// The system keyring as an opener that answers only when the test lets it.
fn slow_keyring() -> (KeyringOpener, mpsc::Sender<()>) {
    let (release, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let opener: KeyringOpener = Arc::new(move || {
        let _ = wait.lock().unwrap().recv_timeout(Duration::from_secs(10));
        Ok(Arc::new(SystemKeyring::default()) as Arc<dyn SecretStore>)
    });
    (opener, release)
}

/// Stands in for the system keyring (describes itself as one).
#[derive(Default)]
struct SystemKeyring(MemoryStore);

impl SecretStore for SystemKeyring {
    fn describe(&self) -> &'static str {
        "system keyring"
    }
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        self.0.get(profile, field)
    }
    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        self.0.set(profile, field, secret)
    }
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        self.0.delete(profile, field)
    }
}

#[test]
fn a_keyring_that_does_not_answer_holds_nothing_up_can_be_stopped_and_never_replaces_a_later_choice() {
    let dir = tempfile::tempdir().unwrap();
    let (opener, release) = slow_keyring();
    let options = WorkerOptions {
        profiles_path: Some(dir.path().join("profiles.json")),
        open_keyring: Some(opener),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(ScriptedDialog::default()), options).unwrap();
    let load = worker.send(Command::LoadProfiles).unwrap();
    // Another command is answered while the keyring hangs.
    let draft = Command::TestProfileDraft {
        profile: Box::new(Profile { name: String::new(), ..profile("x") }),
        secrets: sk("s"),
    };
    let test = worker.send(draft).unwrap();
    let events = events_until(&mut worker, "the draft test", finished(test));
    assert!(events.iter().any(|e| matches!(e, Event::ProfileTested { job, result: Err(_), .. } if *job == test)));
    // Stop waits no longer than the user does.
    worker.send(Command::Cancel(load)).unwrap();
    let events = events_until(&mut worker, "the stopped load", finished(load));
    assert_eq!(outcome_of(&events, load), Outcome::Cancelled);
    let session = worker.send(Command::UseSessionOnlySecrets).unwrap();
    events_until(&mut worker, "session-only secrets", finished(session));
    // The keyring answers late: the user's choice stands.
    release.send(()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let save = Command::SaveProfile { profile: Box::new(profile("late")), secrets: sk("sk-late"), previous_name: None };
    let save = worker.send(save).unwrap();
    let events = events_until(&mut worker, "the save", finished(save));
    assert_eq!(outcome_of(&events, save), Outcome::Done, "{events:?}");
    let vault = events.iter().rev().find_map(|e| match e {
        Event::ProfilesLoaded { vault, .. } => Some(vault.clone()),
        _ => None,
    });
    assert_eq!(vault, Some(Ok("this session only")), "{events:?}");
}

/// A keyring that runs a hook after each write: the profiles folder breaks while an edit runs
/// (a sync tool locking it); or whose deletes fail.
struct HookedVault {
    inner: MemoryStore,
    after_set: Box<dyn Fn() + Send + Sync>,
    deletes_fail: bool,
    /// Writes of this field fail (a keyring that fails halfway through an edit).
    fails: Option<SecretField>,
}

impl HookedVault {
    /// No hook after writes; deletes and writes of one field fail as asked.
    fn failing(deletes_fail: bool, fails: Option<SecretField>) -> Self {
        Self { inner: MemoryStore::default(), after_set: Box::new(|| {}), deletes_fail, fails }
    }
}

impl SecretStore for HookedVault {
    fn describe(&self) -> &'static str {
        "system keyring"
    }
    fn get(&self, profile: &str, field: SecretField) -> Result<Option<Secret>, VaultError> {
        self.inner.get(profile, field)
    }
    fn set(&self, profile: &str, field: SecretField, secret: &Secret) -> Result<(), VaultError> {
        if self.fails == Some(field) {
            return Err(VaultError::Failed("the test's keyring refused the write".into()));
        }
        self.inner.set(profile, field, secret)?;
        (self.after_set)();
        Ok(())
    }
    fn delete(&self, profile: &str, field: SecretField) -> Result<(), VaultError> {
        if self.deletes_fail {
            return Err(VaultError::Locked("the test locked it".into()));
        }
        self.inner.delete(profile, field)
    }
}

fn secret_of(vault: &Arc<dyn SecretStore>, name: &str) -> Option<String> {
    vault.get(name, SecretField::SecretKey).unwrap().map(|s| s.expose().to_owned())
}

#[test]
fn a_profile_edit_whose_file_cannot_be_written_keeps_every_secret_the_keyring_held() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("config");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("profiles.json");
    let armed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (hook_folder, hook_armed) = (folder.clone(), armed.clone());
    let vault: Arc<dyn SecretStore> = Arc::new(HookedVault {
        inner: MemoryStore::default(),
        // The folder turns into a file: even root cannot write profiles.json now.
        after_set: Box::new(move || {
            if hook_armed.load(std::sync::atomic::Ordering::SeqCst) && hook_folder.is_dir() {
                std::fs::remove_dir_all(&hook_folder).unwrap();
                std::fs::write(&hook_folder, b"not a folder").unwrap();
            }
        }),
        deletes_fail: false,
        fails: None,
    });
    rt.block_on(certdesk::worker::save_profile(&path, &vault, profile("prod"), sk("sk-shown-once"))).unwrap();
    let before = std::fs::read(&path).unwrap();
    let restore = || {
        if folder.is_file() {
            std::fs::remove_file(&folder).unwrap();
            std::fs::create_dir(&folder).unwrap();
            std::fs::write(&path, &before).unwrap();
        }
    };
    let edits: [(Profile, ProfileSecrets, Option<&str>); 3] = [
        // A new secret for the same profile.
        (profile("prod"), sk("sk-new"), Some("prod")),
        // A rename, keeping the secret.
        (profile("prod-eu"), ProfileSecrets::default(), Some("prod")),
        // A new profile.
        (profile("fresh"), sk("sk-fresh"), None),
    ];
    for (edited, secrets, previous) in edits {
        armed.store(true, std::sync::atomic::Ordering::SeqCst);
        let name = edited.name.clone();
        let result =
            rt.block_on(certdesk::worker::profiles::save(&path, &vault, edited, secrets, previous.map(str::to_owned)));
        armed.store(false, std::sync::atomic::Ordering::SeqCst);
        let error = result.unwrap_err();
        assert!(error.contains("Nothing was changed"), "{error}");
        restore();
        assert_eq!(secret_of(&vault, "prod").as_deref(), Some("sk-shown-once"), "after editing {name}");
        if name != "prod" {
            assert_eq!(secret_of(&vault, &name), None, "{name} got nothing");
        }
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}

#[test]
fn a_new_profile_never_adopts_a_secret_an_old_one_left_and_a_failed_cleanup_is_reported() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(HookedVault::failing(true, None));
    vault.set("ghost", SecretField::SecretKey, &Secret::new("stale")).unwrap();
    let error = rt
        .block_on(certdesk::worker::save_profile(&path, &vault, profile("ghost"), ProfileSecrets::default()))
        .unwrap_err();
    assert_eq!(error, "Enter the secret key (SK).");
    assert!(!path.exists(), "nothing saved");
    // Rename with a keyring that cannot delete: saved, and the leftover is named.
    rt.block_on(certdesk::worker::save_profile(&path, &vault, profile("old"), sk("sk-1"))).unwrap();
    let saved = rt
        .block_on(certdesk::worker::profiles::save(
            &path,
            &vault,
            profile("new"),
            ProfileSecrets::default(),
            Some("old".into()),
        ))
        .unwrap();
    assert_eq!(saved.profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["new"]);
    assert_eq!(secret_of(&vault, "new").as_deref(), Some("sk-1"));
    assert!(saved.warnings.len() == 1 && saved.warnings[0].contains("under its old name old"), "{:?}", saved.warnings);
    let removed = rt.block_on(certdesk::worker::profiles::delete(&path, &vault, "new".into())).unwrap();
    assert!(removed.profiles.is_empty());
    assert!(removed.warnings[0].contains("Profile new was deleted, but its secrets"), "{:?}", removed.warnings);
}

fn strays(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(TEMP_PREFIX))
        .collect()
}

#[test]
fn a_forced_set_of_pem_files_is_replaced_all_at_once_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("server.crt", "old cert"), ("chain.crt", "old chain")] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    // server.key cannot be replaced (a folder sits there): the two before it must come back.
    std::fs::create_dir(dir.path().join("server.key")).unwrap();
    std::fs::write(dir.path().join("server.key").join("x"), "x").unwrap();
    let set: [(&str, &[u8], Sensitivity); 3] = [
        ("server.crt", b"new cert", Sensitivity::Public),
        ("chain.crt", b"new chain", Sensitivity::Public),
        ("server.key", b"new key", Sensitivity::Secret),
    ];
    let error = store::write_set(dir.path(), &set, &[], Overwrite::Replace).unwrap_err();
    assert!(matches!(error, StoreError::Io { .. }), "{error}");
    assert_eq!(std::fs::read_to_string(dir.path().join("server.crt")).unwrap(), "old cert");
    assert_eq!(std::fs::read_to_string(dir.path().join("chain.crt")).unwrap(), "old chain");
    assert_eq!(strays(dir.path()), Vec::<String>::new());
    // Without the obstacle the whole set is replaced, the key 0600.
    std::fs::remove_dir_all(dir.path().join("server.key")).unwrap();
    let written = store::write_set(dir.path(), &set, &[], Overwrite::Replace).unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(std::fs::read_to_string(dir.path().join("chain.crt")).unwrap(), "new chain");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("server.key")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // A set without a key (PCA does not hold it) replaces one with: the old key goes too.
    let keyless: [(&str, &[u8], Sensitivity); 2] =
        [("server.crt", b"keyless cert", Sensitivity::Public), ("chain.crt", b"keyless chain", Sensitivity::Public)];
    store::write_set(dir.path(), &keyless, &["server.key"], Overwrite::Replace).unwrap();
    assert!(!dir.path().join("server.key").exists(), "no old key beside a new certificate");
    assert_eq!(std::fs::read_to_string(dir.path().join("server.crt")).unwrap(), "keyless cert");
    store::write_set(dir.path(), &set, &[], Overwrite::Replace).unwrap();
    // Never replace: one existing file and nothing is written.
    std::fs::remove_file(dir.path().join("chain.crt")).unwrap();
    let error = store::write_set(dir.path(), &set, &[], Overwrite::Never).unwrap_err();
    assert!(matches!(error, StoreError::Exists(_)), "{error}");
    assert!(!dir.path().join("chain.crt").exists());
    assert_eq!(strays(dir.path()), Vec::<String>::new());
}

#[test]
fn a_stopped_save_leaves_no_file_and_the_sweep_spares_live_saves() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ca.crt");
    let error = store::write_atomic_unless(&target, b"x", Sensitivity::Public, Overwrite::Never, &|| true).unwrap_err();
    assert!(matches!(error, StoreError::Cancelled(_)), "{error}");
    assert!(!target.exists());
    assert_eq!(strays(dir.path()), Vec::<String>::new());
    // A save of this process still writing, and one of a live process (pid 1): kept. One whose
    // writer is gone: swept.
    let live = format!("{TEMP_PREFIX}{}-1-0", std::process::id());
    let other = format!("{TEMP_PREFIX}1-2-0");
    let gone = format!("{TEMP_PREFIX}4194304999-3-0");
    for name in [&live, &other, &gone] {
        std::fs::write(dir.path().join(name), b"partial").unwrap();
    }
    assert_eq!(store::sweep_temp_files(dir.path()), 1);
    let mut left = strays(dir.path());
    left.sort();
    let mut expected = vec![live, other];
    expected.sort();
    assert_eq!(left, expected);
}

/// When the folder last changed, and what it holds.
fn folder_state(dir: &Path) -> (std::time::SystemTime, Vec<String>) {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    (std::fs::metadata(dir).unwrap().modified().unwrap(), names)
}

#[test]
fn a_stopped_save_reports_its_end_only_once_its_write_has_returned() {
    let dir = tempfile::tempdir().unwrap();
    // Temp files of saves this process is still writing: the write's sweep looks at each and keeps
    // it, so the write runs on the blocking pool for a while, long enough to stop it there.
    for i in 0..20_000 {
        std::fs::File::create(dir.path().join(format!("{TEMP_PREFIX}{}-{i}-0", std::process::id()))).unwrap();
    }
    let accessed = || std::fs::metadata(dir.path()).unwrap().accessed().unwrap();
    let before = accessed();
    let dialog = Arc::new(ScriptedDialog::default());
    let target = dir.path().join("inventory.csv");
    dialog.answer(Some(SaveChoice { path: target.clone(), overwrite_confirmed: false }));
    let options = WorkerOptions {
        profiles_path: Some(dir.path().join("config").join("profiles.json")),
        vault: Some(Arc::new(MemoryStore::default())),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), dialog.clone(), options).unwrap();
    let job = worker.send(empty_csv_export()).unwrap();
    // The dialog answered and the write's sweep has begun reading the folder (its access time
    // moves: relatime updates it once after a change), then the user stops the job.
    let start = Instant::now();
    while dialog.asked().is_empty() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_micros(200));
    }
    while accessed() == before && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_micros(200));
    }
    if accessed() == before {
        eprintln!("the folder's access time did not move (noatime?): stopped once the dialog answered");
    }
    worker.send(Command::Cancel(job)).unwrap();
    let events = events_until(&mut worker, "the stopped export's end", finished(job));
    let ended = folder_state(dir.path());
    // Once the job said it ended, nothing more happens in the folder: no temp file is created or
    // removed after it, and the file is there only if the job says it saved it.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(folder_state(dir.path()), ended, "the folder changed after the job ended: {events:?}");
    // Stopped, the file is absent, or (the stop came after the write's last check) there in full
    // and told; done, it is there.
    let told = events
        .iter()
        .any(|e| matches!(e, Event::Notice { message, .. } if message.contains("had already been written in full")));
    match outcome_of(&events, job) {
        Outcome::Cancelled => assert_eq!(target.exists(), told, "{events:?}"),
        Outcome::Done => assert!(target.exists(), "{events:?}"),
        Outcome::Failed(e) => panic!("{e}"),
    }
    assert_eq!(ended.1.len(), 20_000 + usize::from(target.exists()), "{events:?}");
}

#[test]
fn a_keyring_that_fails_halfway_through_an_edit_is_put_back_as_it_was() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(HookedVault::failing(false, Some(SecretField::SecurityToken)));
    vault.set("temp", SecretField::SecretKey, &Secret::new("sk-before")).unwrap();
    let mut temporary = profile("temp");
    temporary.auth = AuthSettings::AkSk { access_key: "AKTEMP".into(), temporary: true };
    let secrets = ProfileSecrets { security_token: Some(Secret::new("token")), ..sk("sk-new") };
    let error = rt.block_on(certdesk::worker::save_profile(&path, &vault, temporary, secrets)).unwrap_err();
    assert!(error.contains("refused the write") && error.contains("Nothing was changed"), "{error}");
    assert_eq!(secret_of(&vault, "temp").as_deref(), Some("sk-before"), "the SK stored first was put back");
    assert!(!path.exists());
}

/// A real FAT file system (an image mounted with fusefat): no hard links there. Unmounted on drop.
struct FatMount {
    _image_dir: tempfile::TempDir,
    mount: tempfile::TempDir,
}

impl FatMount {
    fn new() -> Option<Self> {
        if !(crate::common::have("mkfs.vfat") && crate::common::have("fusefat") && crate::common::have("fusermount")) {
            return None;
        }
        let image_dir = tempfile::tempdir().unwrap();
        let image = image_dir.path().join("fat.img");
        let run = |cmd: &str, args: &[&std::ffi::OsStr]| {
            let out = std::process::Command::new(cmd).args(args).output().unwrap();
            assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
        };
        run("mkfs.vfat", &["-C".as_ref(), image.as_os_str(), "8192".as_ref()]);
        let mount = tempfile::tempdir().unwrap();
        run("fusefat", &["-o".as_ref(), "rw+".as_ref(), image.as_os_str(), mount.path().as_os_str()]);
        Some(Self { _image_dir: image_dir, mount })
    }
}

impl Drop for FatMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("fusermount").arg("-u").arg(self.mount.path()).output();
    }
}

/// fusefat, like some FUSE file systems, has neither hard links nor a rename that refuses to
/// replace: certdesk cannot be sure a save does not replace a file that appears meanwhile there,
/// so it refuses with a clear message (before: a plain rename, which replaces).
#[test]
fn where_no_rename_refuses_to_replace_and_no_hard_link_exists_a_save_is_refused_not_risked() {
    let Some(fat) = FatMount::new() else { return };
    let dir = fat.mount.path();
    std::fs::write(dir.join("a"), b"a").unwrap();
    assert!(std::fs::hard_link(dir.join("a"), dir.join("b")).is_err(), "no hard links here");
    let target = dir.join("ca.crt");
    let error = store::write_atomic(&target, b"new", Sensitivity::Public, Overwrite::Never).unwrap_err();
    assert!(matches!(error, StoreError::NoSafePlace(_)), "{error}");
    assert!(error.to_string().contains("Save into a folder on this computer's disk"), "{error}");
    assert!(!target.exists());
    let set: [(&str, &[u8], Sensitivity); 2] =
        [("server.crt", b"cert", Sensitivity::Public), ("server.key", b"key", Sensitivity::Secret)];
    let error = store::write_set(dir, &set, &[], Overwrite::Never).unwrap_err();
    assert!(matches!(error, StoreError::NoSafePlace(_)), "{error}");
    assert!(!dir.join("server.crt").exists() && !dir.join("server.key").exists(), "all or none");
    // An existing file is refused as such, and a confirmed replacement still works.
    let error = store::write_atomic(&dir.join("a"), b"x", Sensitivity::Public, Overwrite::Never).unwrap_err();
    assert!(matches!(error, StoreError::Exists(_)), "{error}");
    store::write_atomic(&dir.join("a"), b"replaced", Sensitivity::Public, Overwrite::Replace).unwrap();
    assert_eq!(std::fs::read(dir.join("a")).unwrap(), b"replaced");
    assert_eq!(strays(dir), Vec::<String>::new());
}

/// A desktop without a notification service (counting the attempts).
#[derive(Default)]
struct NoNotificationService(std::sync::atomic::AtomicUsize);

impl certdesk::worker::Notifier for NoNotificationService {
    fn notify(&self, _: &str, _: &str) -> Result<(), certdesk::worker::NotifyError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(certdesk::worker::NotifyError("org.freedesktop.Notifications was not provided".into()))
    }
}

#[test]
fn a_missing_notification_service_is_said_once_not_at_every_reminder() {
    let dir = tempfile::tempdir().unwrap();
    let service = Arc::new(NoNotificationService::default());
    let options = WorkerOptions {
        profiles_path: Some(dir.path().join("profiles.json")),
        vault: Some(Arc::new(MemoryStore::default())),
        notifier: Some(service.clone()),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(CrashingDialog), options).unwrap();
    let mut notices = Vec::new();
    for n in 0..3 {
        worker.send(Command::Notify { title: format!("reminder {n}"), body: String::new() }).unwrap();
    }
    // Every notification tried (on the blocking pool), then a job: its end comes after their notices.
    let start = Instant::now();
    while service.0.load(std::sync::atomic::Ordering::SeqCst) < 3 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    let test = worker.send(Command::TestProfile("nobody".into())).unwrap();
    let events = events_until(&mut worker, "the job after the reminders", finished(test));
    for event in &events {
        if let Event::Notice { message, problem: true, .. } = event {
            notices.push(message.clone());
        }
    }
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("Turn notifications off in View"), "{notices:?}");
}

/// A user profile for a simulator at its one base URL, its secret in `vault`.
fn saved_profile_for(
    rt: &tokio::runtime::Runtime,
    path: &Path,
    vault: &Arc<dyn SecretStore>,
    name: &str,
    sim: &certdesk::sim::RunningSim,
) {
    let profile = Profile {
        auth: AuthSettings::AkSk { access_key: sim.info.ak.clone(), temporary: false },
        regions: sim.info.regions.clone(),
        endpoint: Some(sim.info.endpoint.clone()),
        ..profile(name)
    };
    rt.block_on(certdesk::worker::save_profile(path, vault, profile, sk(&sim.info.sk))).unwrap();
}

/// A small simulated estate that answers every call this many milliseconds late.
fn slow_sim(rt: &tokio::runtime::Runtime, latency_ms: u64) -> certdesk::sim::RunningSim {
    let faults = certdesk::sim::Faults { latency_ms, ..certdesk::sim::Faults::default() };
    rt.block_on(crate::common::sim_with(certdesk::sim::Scale::Small, faults))
}

/// Whether the estate shows rows of this profile.
fn has_rows_of(view: &certdesk::inventory::estate::EstateView, profile: &str) -> bool {
    view.rows.iter().any(|r| r.profile == profile)
}

/// The events of one refresh of the profiles in this file, which ended as done.
fn refreshed(dir: &Path, path: std::path::PathBuf, vault: Arc<dyn SecretStore>) -> Vec<Event> {
    let options = WorkerOptions {
        profiles_path: Some(path),
        vault: Some(vault),
        downloads_dir: Some(dir.to_path_buf()),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(ScriptedDialog::default()), options).unwrap();
    let job = worker.send(Command::RefreshInventory).unwrap();
    let events = events_until(&mut worker, "the refresh", finished(job));
    assert_eq!(outcome_of(&events, job), Outcome::Done);
    events
}

/// Profiles sign in and refresh at once, not one after another: rows of a quick account come
/// while a slow account listed first is still signing in (one after another, the slow account's
/// sign-in, then every row of it, would come first).
#[test]
fn every_profile_refreshes_at_once_and_a_slow_account_holds_no_other_back() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let slow = slow_sim(&rt, 400);
    let quick = rt.block_on(crate::common::sim());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    saved_profile_for(&rt, &path, &vault, "a-slow", &slow);
    saved_profile_for(&rt, &path, &vault, "b-quick", &quick);
    let events = refreshed(dir.path(), path, vault);
    let first_rows_of = |name: &str| {
        events.iter().position(|e| matches!(e, Event::Estate { view, .. } if has_rows_of(view, name))).unwrap()
    };
    let signed_in = |name: &str| {
        events.iter().position(|e| matches!(e, Event::ProfileSignIn { profile, result: Ok(_), .. } if profile == name))
    };
    assert!(first_rows_of("b-quick") < signed_in("a-slow").unwrap(), "{events:?}");
    assert!(signed_in("b-quick").is_some(), "{events:?}");
    assert!(first_rows_of("b-quick") < first_rows_of("a-slow"), "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Estate { view, .. } if !view.errors.is_empty())), "{events:?}");
    // Each profile's parts are told as it signs in: progress only grows, never past what is planned,
    // and the refresh ends with every part answered, none failed.
    let progress: Vec<_> =
        events.iter().filter_map(|e| if let Event::Estate { view, .. } = e { view.refresh } else { None }).collect();
    assert!(progress.iter().all(|p| p.done <= p.parts), "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].done <= w[1].done && w[0].parts <= w[1].parts), "{progress:?}");
    let loaded = events.iter().rev().find_map(|e| match e {
        Event::Estate { notes, .. } => notes.iter().find_map(|n| match n {
            certdesk::inventory::estate::Note::Loaded { failed, stale, .. } => Some((*failed, *stale)),
            _ => None,
        }),
        _ => None,
    });
    assert_eq!(loaded, Some((0, 0)), "{events:?}");
}

/// A hand-edited profiles file that names a profile twice: the refresh uses the first, ends, and
/// shows that account once.
#[test]
fn a_profile_named_twice_in_the_file_is_refreshed_once_and_the_refresh_ends() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(crate::common::sim());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    saved_profile_for(&rt, &path, &vault, "twice", &sim);
    let mut file: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let first = file["profiles"][0].clone();
    file["profiles"].as_array_mut().unwrap().push(first);
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let events = refreshed(dir.path(), path, vault);
    let sign_ins = events.iter().filter(|e| matches!(e, Event::ProfileSignIn { .. })).count();
    assert_eq!(sign_ins, 1, "{events:?}");
    assert!(events.iter().any(|e| matches!(e, Event::Estate { view, .. } if has_rows_of(view, "twice"))), "{events:?}");
}

/// Refreshes as the app's "refresh every minute" sends them, ten times, with a key whose secret
/// and an IAM user whose password the cloud now refuses: each is tried once, then the profile is
/// paused (said on every refresh) until the user tests it; a test that signs in resumes it.
#[test]
fn refused_credentials_are_tried_once_however_often_the_refresh_comes_until_the_user_tests_them() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(crate::common::sim());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let endpoint = Some(sim.info.endpoint.clone());
    let keys = Profile {
        auth: AuthSettings::AkSk { access_key: sim.info.ak.clone(), temporary: false },
        regions: sim.info.regions.clone(),
        endpoint: endpoint.clone(),
        ..profile("keys")
    };
    rt.block_on(certdesk::worker::save_profile(&path, &vault, keys, sk("rotated-away"))).unwrap();
    let domain_name = sim.state.estate().domain_name.clone();
    let user = Profile {
        auth: AuthSettings::Password { domain_name: domain_name.clone(), user_name: "sim-admin".into() },
        regions: sim.info.regions.clone(),
        endpoint,
        ..profile("user")
    };
    let old_password =
        ProfileSecrets { password: Some(Secret::new("changed-by-the-admin")), ..ProfileSecrets::default() };
    rt.block_on(certdesk::worker::save_profile(&path, &vault, user, old_password)).unwrap();
    let options = WorkerOptions {
        profiles_path: Some(path),
        vault: Some(vault.clone()),
        downloads_dir: Some(dir.path().to_path_buf()),
        ..WorkerOptions::default()
    };
    let mut worker =
        WorkerHandle::spawn(Arc::new(|| {}), Arc::new(ScriptedDialog::default()), options.clone()).unwrap();
    let mut last = Vec::new();
    for _ in 0..10 {
        let job = worker.send(Command::RefreshInventory).unwrap();
        last = events_until(&mut worker, "a refresh", finished(job));
    }
    let failures = sim.state.auth_failures();
    assert_eq!(failures.get(&sim.info.ak), Some(&1), "{failures:?}");
    assert_eq!(failures.get(&format!("{domain_name}/sim-admin")), Some(&1), "{failures:?}");
    assert_eq!(failures.len(), 2, "{failures:?}");
    let said: Vec<&String> = last
        .iter()
        .filter_map(|e| match e {
            Event::ProfileSignIn { result: Err(m), .. } => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(said.len(), 2, "{last:?}");
    assert!(said.iter().all(|m| m.contains("sign-in paused") && m.contains("test or edit")), "{said:?}");
    // The pause outlives a restart: the app opened again sends nothing for either profile.
    drop(worker);
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(ScriptedDialog::default()), options).unwrap();
    let job = worker.send(Command::RefreshInventory).unwrap();
    events_until(&mut worker, "a refresh after the restart", finished(job));
    assert_eq!(sim.state.auth_failures().values().sum::<u64>(), 2, "{:?}", sim.state.auth_failures());

    // The key's secret was put right in the keyring behind certdesk's back: a refresh still sends
    // nothing; the user's Test signs in, resumes the profile and refreshes it.
    vault.set("keys", SecretField::SecretKey, &Secret::new(&sim.info.sk)).unwrap();
    let job = worker.send(Command::RefreshInventory).unwrap();
    events_until(&mut worker, "a refresh", finished(job));
    assert_eq!(sim.state.auth_failures().get(&sim.info.ak), Some(&1));
    let test = worker.send(Command::TestProfile("keys".into())).unwrap();
    let events = events_until(
        &mut worker,
        "the test and the refresh it starts",
        |e| matches!(e, Event::Estate { view, .. } if has_rows_of(view, "keys")),
    );
    assert!(
        events.iter().any(|e| matches!(e, Event::ProfileTested { job, result: Ok(_), .. } if *job == test)),
        "{events:?}"
    );
    // The password profile stays paused: nothing more for it.
    assert_eq!(sim.state.auth_failures().get(&format!("{domain_name}/sim-admin")), Some(&1));
}

/// Refreshes stopped at once, before or after their first step, and one replaced by the next: the
/// estate always ends them (the app would otherwise show "refreshing" for good and ignore F5).
#[test]
fn a_refresh_stopped_at_once_or_replaced_is_over_in_the_estate() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = slow_sim(&rt, 200);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("profiles.json");
    let vault: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    saved_profile_for(&rt, &path, &vault, "acct", &sim);
    let options = WorkerOptions {
        profiles_path: Some(path),
        vault: Some(vault),
        downloads_dir: Some(dir.path().to_path_buf()),
        ..WorkerOptions::default()
    };
    let mut worker = WorkerHandle::spawn(Arc::new(|| {}), Arc::new(ScriptedDialog::default()), options).unwrap();
    let over = |events: &[Event]| {
        events.iter().rev().find_map(|e| if let Event::Estate { view, .. } = e { Some(view.refresh) } else { None })
    };
    for _ in 0..5 {
        let job = worker.send(Command::RefreshInventory).unwrap();
        worker.send(Command::Cancel(job)).unwrap();
        let mut events = events_until(&mut worker, "the stopped refresh", finished(job));
        assert_eq!(outcome_of(&events, job), Outcome::Cancelled);
        if over(&events) != Some(None) {
            // The view that ends it may follow the job's end by a moment.
            events = events_until(
                &mut worker,
                "the view that ends it",
                |e| matches!(e, Event::Estate { view, .. } if view.refresh.is_none()),
            );
        }
        assert_eq!(over(&events), Some(None), "{events:?}");
    }
    let first = worker.send(Command::RefreshInventory).unwrap();
    let second = worker.send(Command::RefreshInventory).unwrap();
    let events = events_until(&mut worker, "the second refresh", finished(second));
    assert_eq!(outcome_of(&events, first), Outcome::Cancelled, "the first was replaced");
    assert_eq!(outcome_of(&events, second), Outcome::Done);
    assert_eq!(over(&events), Some(None), "{events:?}");
}
