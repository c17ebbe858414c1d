//! The real app, headless (egui_kittest, no GPU), with 100,000 inventory rows: frame times with
//! tessellation while the wheel scrolls the table (checked to move; the expiry timeline is drawn
//! above it), sort and filter times, the app's RSS, and repaints while idle; then the saved
//! inventory of as many rows: its size, save and read times, and the time from the app's start
//! to those rows on screen. Prints figures only; the last line is the result.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use certdesk::cloud::Service;
use certdesk::inventory::{InventoryRow, SslStatus};
use certdesk::ui::filter::{SortColumn, visible_rows};
use certdesk::ui::{AppOptions, CertdeskApp};
use egui_kittest::Harness;

const ROWS: usize = 100_000;
/// Rows in the saved-inventory figures: as many as the table holds.
const SAVED_ROWS: usize = ROWS;

fn rows(n: usize) -> Vec<InventoryRow> {
    let mut rng = certdesk::sim::estate::Rng::new(7);
    let now = time::OffsetDateTime::now_utc();
    (0..n)
        .map(|i| {
            let days = i64::try_from(rng.below(800)).unwrap() - 30;
            let mut row = InventoryRow {
                service: [Service::Dcs, Service::GeminiDb, Service::Ccm][i % 3],
                profile: format!("account-{}", i % 4),
                region: certdesk::sim::estate::REGIONS[i % 12].to_owned(),
                name: format!(
                    "{}-{}-{i:05}",
                    rng.pick(&["prod", "dev", "staging"]),
                    rng.pick(&["cache", "session", "api", "queue"])
                ),
                id: rng.uuid(),
                engine: "Redis".into(),
                engine_version: "6.0".into(),
                status: "RUNNING".into(),
                ssl: if i % 5 == 0 { SslStatus::Off } else { SslStatus::On },
                expires_at: None,
                validated: Some(true),
                endpoint: String::new(),
                note: String::new(),
                facts: Vec::new(),
                not_before: None,
                frozen: false,
            };
            if row.ssl == SslStatus::On {
                row.set_expiry(None, now + time::Duration::days(days));
            }
            row
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// The saved inventory of `SAVED_ROWS` rows: size, save and read, and start to rows on screen.
/// Also the RSS with those rows on screen: the worker's estate and the app's view, as a user's
/// app holds them after a start.
fn saved_inventory() -> (Duration, f64) {
    use certdesk::inventory::snapshot::{self, Snapshot};
    let rows = rows(SAVED_ROWS);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(snapshot::FILE_NAME);
    let t = Instant::now();
    snapshot::save(&path, &Snapshot::new(&rows, &[], time::OffsetDateTime::now_utc())).unwrap();
    let save = t.elapsed();
    let size = std::fs::metadata(&path).unwrap().len();
    let t = Instant::now();
    let back = snapshot::load(&path).unwrap().unwrap();
    let read = t.elapsed();
    assert_eq!(back.rows.len(), SAVED_ROWS);
    // Not the app's: gone before it starts, so the RSS measured after is the app's.
    drop((rows, back));
    // The rows' four profiles exist (rows of deleted profiles are not shown); their secrets do not,
    // so the refresh that follows fails at once without a connection, as when offline.
    let profiles: Vec<serde_json::Value> = (0..4)
        .map(|i| {
            serde_json::json!({"name": format!("account-{i}"), "cloud": "huawei-cloud",
                "auth": {"kind": "ak-sk", "access_key": "AKBENCH"}, "endpoint": "http://127.0.0.1:9"})
        })
        .collect();
    let file = serde_json::json!({"version": 1, "profiles": profiles});
    std::fs::write(dir.path().join("profiles.json"), file.to_string()).unwrap();
    let started = Instant::now();
    let app = CertdeskApp::new(
        Arc::new(|| {}),
        Arc::new(certdesk::worker::ScriptedDialog::default()),
        AppOptions {
            worker: certdesk::worker::WorkerOptions {
                profiles_path: Some(dir.path().join("profiles.json")),
                vault: Some(Arc::new(certdesk::vault::MemoryStore::default())),
                ..Default::default()
            },
            ..AppOptions::default()
        },
    )
    .unwrap();
    let mut h = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(
        |ui, app: &mut CertdeskApp| {
            app.logic(ui.ctx());
            app.ui(ui);
        },
        app,
    );
    while h.state().visible_row_ids().len() < SAVED_ROWS && started.elapsed() < Duration::from_mins(1) {
        h.step();
    }
    let on_screen = started.elapsed();
    let rss = rss_mib();
    assert_eq!(h.state().visible_row_ids().len(), SAVED_ROWS);
    println!(
        "  saved inventory of {SAVED_ROWS} rows: {:.1} MiB, saved in {:.0} ms, read in {:.0} ms; app start to \
         those rows on screen: {:.0} ms",
        size as f64 / 1_048_576.0,
        save.as_secs_f64() * 1e3,
        read.as_secs_f64() * 1e3,
        on_screen.as_secs_f64() * 1e3
    );
    println!("  rss with those rows (the worker's estate, the app's view): {rss:.0} MiB");
    (on_screen, rss)
}

/// The resident set of this process, in MiB (Linux; 0 elsewhere).
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// The names of the rows the table shows now (what the wheel must move).
fn names_on_screen(h: &Harness<'_, CertdeskApp>) -> Vec<String> {
    use egui_kittest::kittest::{NodeT, Queryable};
    let ids = h.state().visible_row_ids();
    h.query_all_by_label_contains("-cache-")
        .chain(h.query_all_by_label_contains("-api-"))
        .chain(h.query_all_by_label_contains("-queue-"))
        .chain(h.query_all_by_label_contains("-session-"))
        .filter_map(|n| n.accesskit_node().value().or_else(|| n.accesskit_node().label()))
        .filter(|name| !ids.is_empty() && name.len() > 8)
        .collect()
}

/// Scrolls through the table with the mouse wheel over the table (below the timeline), timing
/// each frame with its tessellation; every 25 frames, checks that the rows shown moved. The frame
/// times, sorted, and in how many of the checks the rows moved.
fn scroll(h: &mut Harness<'_, CertdeskApp>) -> (Vec<f64>, usize, usize) {
    let mut frames = Vec::new();
    let (mut moved, mut checks) = (0, 0);
    h.hover_at(egui::pos2(600.0, 700.0));
    let mut before = names_on_screen(h);
    assert!(!before.is_empty(), "the table shows rows");
    for i in 0..300 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, -6.0),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        let t = Instant::now();
        h.step();
        let output = h.output();
        let meshes = h.ctx.tessellate(output.shapes.clone(), output.pixels_per_point);
        frames.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!meshes.is_empty());
        if i % 25 == 24 {
            let now = names_on_screen(h);
            checks += 1;
            if now != before {
                moved += 1;
            }
            before = now;
        }
    }
    assert_eq!(moved, checks, "the wheel scrolled the table in every stretch of 25 frames");
    frames.sort_by(f64::total_cmp);
    (frames, moved, checks)
}

fn main() {
    // First, in a fresh process: the RSS of a user's start holds nothing of the runs after it.
    let (start_to_rows, rss) = saved_inventory();
    let rows = rows(ROWS);
    // Sort and filter, timed on the pure functions the table uses.
    let mut view = certdesk::ui::filter::ViewState::default();
    let judge = certdesk::inventory::policy::Judge::default();
    let t = Instant::now();
    let shown = visible_rows(&rows, &view, judge);
    let sort_days = t.elapsed();
    view.sort = SortColumn::Name;
    let t = Instant::now();
    visible_rows(&rows, &view, judge);
    let sort_name = t.elapsed();
    view.sort = SortColumn::DaysLeft;
    view.search = "prod-cache".into();
    let t = Instant::now();
    let filtered = visible_rows(&rows, &view, judge);
    let filter = t.elapsed();

    let wakes = Arc::new(AtomicU64::new(0));
    let counter = wakes.clone();
    let scratch = tempfile::tempdir().unwrap();
    let mut app = CertdeskApp::new(
        Arc::new(move || {
            counter.fetch_add(1, Ordering::Relaxed);
        }),
        Arc::new(certdesk::worker::ScriptedDialog::default()),
        // A profiles file of its own (none): the bench never reads the user's profiles or saved inventory.
        AppOptions {
            worker: certdesk::worker::WorkerOptions {
                profiles_path: Some(scratch.path().join("profiles.json")),
                ..Default::default()
            },
            ..AppOptions::default()
        },
    )
    .unwrap();
    app.show_rows(rows);
    let mut h = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_ui_state(
        |ui, app: &mut CertdeskApp| {
            app.logic(ui.ctx());
            app.ui(ui);
        },
        app,
    );
    h.run_steps(3);
    let (frames, moved, checks) = scroll(&mut h);
    // Idle: nothing changes for five seconds; count wake-ups and pending repaints.
    h.run_steps(5);
    wakes.store(0, Ordering::Relaxed);
    std::thread::sleep(Duration::from_secs(5));
    let idle_wakes = wakes.load(Ordering::Relaxed);
    let pending = h.ctx.has_requested_repaint();
    drop(h);
    println!("ui bench: {ROWS} rows (egui_kittest frames with tessellation, no GPU; release build)");
    println!(
        "  sort by days left: {:.2} ms ({} rows), by name: {:.2} ms",
        sort_days.as_secs_f64() * 1e3,
        shown.len(),
        sort_name.as_secs_f64() * 1e3
    );
    println!("  search filter over all columns: {:.2} ms ({} matches)", filter.as_secs_f64() * 1e3, filtered.len());
    println!(
        "  frame while scrolling: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({} frames, rows moved in {moved}/{checks} checks)",
        percentile(&frames, 0.5),
        percentile(&frames, 0.95),
        frames[frames.len() - 1],
        frames.len()
    );
    println!("  idle 5 s: {idle_wakes} wake-ups from the worker, repaint pending: {pending}");
    println!(
        "ui bench result: rows {ROWS}, p95 frame {:.2} ms, sort {:.1} ms, filter {:.1} ms, start to rows {:.0} ms, rss {:.0} MiB",
        percentile(&frames, 0.95),
        sort_days.max(sort_name).as_secs_f64() * 1e3,
        filter.as_secs_f64() * 1e3,
        start_to_rows.as_secs_f64() * 1e3,
        rss
    );
}
