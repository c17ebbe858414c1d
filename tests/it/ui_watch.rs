//! Watching the estate with a user's profile: the saved inventory at start (also with the cloud
//! gone), what a refresh changed, the timeline's bars, reminders, and states that are not valid.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use crate::common::ui::*;
use certdesk::certs::summary::Validity;
use certdesk::inventory::InventoryRow;
use certdesk::inventory::changes::Change;
use certdesk::inventory::policy::{Judge, Severity, days_left_at};
use certdesk::sim::estate::Evolution;
use certdesk::sim::{Scale, SimConfig};
use certdesk::ui::filter::ExpiryWindow;
use certdesk::ui::{AppOptions, CertdeskApp};
use certdesk::worker::{RecordingNotifier, SaveChoice, ScriptedDialog};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

fn ids(rows: impl IntoIterator<Item = String>) -> BTreeSet<String> {
    rows.into_iter().collect()
}

fn refreshed_and_saved(dir: &std::path::Path) -> impl Fn(&CertdeskApp) -> bool + '_ {
    move |app| loaded(app) && dir.join("inventory.json").exists()
}

/// Clicks at a point as a mouse does: move there, press, release.
fn click_at(h: &mut Harness<'static, CertdeskApp>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    for pressed in [true, false] {
        let (button, modifiers) = (egui::PointerButton::Primary, egui::Modifiers::NONE);
        h.event(egui::Event::PointerButton { pos, button, pressed, modifiers });
        h.run_steps(1);
    }
    h.run_steps(2);
}

#[test]
fn the_saved_inventory_shows_at_once_as_of_its_time_and_stays_usable_with_the_cloud_gone() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let mut h = user_profile_app(options.clone(), &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate and its saved copy", refreshed_and_saved(dir.path()));
    let before: BTreeSet<String> = ids(h.state().rows().iter().map(|r| r.id.clone()));
    let saved = std::fs::read_to_string(dir.path().join("inventory.json")).unwrap();
    assert!(
        !saved.contains(&sim.info.sk) && !saved.contains("X-Amz") && !saved.contains("/obs/"),
        "no secret, no link"
    );
    drop(h);
    rt.block_on(sim.shutdown());

    // The next start, with the cloud unreachable: the rows are there before any answer.
    let started = Instant::now();
    let dialog = Arc::new(ScriptedDialog::default());
    let options_again = options.clone();
    let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, dialog.clone());
    wait_for(&mut h, "the saved rows", |app| app.rows().len() == before.len());
    println!("figure: start to {} saved rows on screen: {:?}", before.len(), started.elapsed());
    assert_eq!(ids(h.state().rows().iter().map(|r| r.id.clone())), before);
    assert!(h.state().as_of().is_some());
    h.get_by_label_contains("Saved inventory as of");
    wait_for(&mut h, "the refresh that cannot reach the cloud", |app| {
        !app.is_refreshing() && !app.region_errors().is_empty()
    });
    let app = h.state();
    assert_eq!(app.rows().len(), before.len(), "nothing is lost when the cloud is gone");
    assert!(app.rows().iter().all(|r| app.stale_reason(r).is_some()), "every row says it was not refreshed");
    let seen = app.stale_reason(&app.rows()[0]).unwrap().seen.unwrap();
    assert!(seen < time::OffsetDateTime::now_utc(), "last seen at the saved time: {seen}");
    h.get_by_label_contains("Saved inventory as of");
    // Search, details and inventory exports work on what was saved.
    let target = h.state().rows().iter().find(|r| r.service == certdesk::cloud::Service::Ccm).unwrap().clone();
    find_and_select(&mut h, &target.id);
    assert_eq!(h.state().selected_id(), Some(target.id.as_str()));
    assert!(h.query_all_by_label_contains(&target.name).count() >= 2, "in the table and the details pane");
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    let csv = dir.path().join("offline.csv");
    dialog.answer(Some(SaveChoice { path: csv.clone(), overwrite_confirmed: false }));
    h.get_by_label("Export").click();
    h.run_steps(2);
    h.get_by_label("CSV (shown rows)").click();
    wait_for(&mut h, "the export", |app| !app.is_busy() && csv.exists());
    let shown = h.state().visible_row_ids().len();
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), shown + 1);

    // A refresh that reached nothing saves nothing: a third start still says when the rows were
    // last seen, never the time of a failed refresh.
    let as_of = h.state().as_of();
    wait_for(&mut h, "the jobs to end", |app| !app.is_busy());
    assert!(!h.state().activity_messages().iter().any(|m| m.starts_with("Saving the inventory")));
    drop(h);
    let mut h = harness(AppOptions { worker: options_again, ..AppOptions::default() }, Arc::default());
    wait_for(&mut h, "the saved rows again", |app| app.rows().len() == before.len());
    assert_eq!(h.state().as_of(), as_of);
}

#[test]
fn a_damaged_or_newer_saved_inventory_is_set_aside_with_a_message_and_the_app_starts() {
    for (content, words) in [(&b"{\"schema\": 1, \"rows\": [tru"[..], "damaged"), (br#"{"schema": 99}"#, "newer")] {
        let (options, dir) = isolated();
        std::fs::write(dir.path().join("inventory.json"), content).unwrap();
        let mut h = harness(AppOptions { worker: options, ..AppOptions::default() }, Arc::default());
        wait_for(&mut h, "the message", |app| {
            app.activity_messages().iter().any(|m| m.contains("saved inventory") && m.contains(words))
        });
        assert!(!dir.path().join("inventory.json").exists(), "moved aside");
        let aside = std::fs::read_dir(dir.path()).unwrap().filter_map(Result::ok).count();
        assert!(aside >= 1);
        assert!(h.state().rows().is_empty());
    }
}

#[test]
fn a_refresh_lists_exactly_what_the_cloud_changed_and_reminds_once_per_item() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig { scale: Scale::Demo, ..SimConfig::default() })).unwrap();
    let (mut options, dir) = isolated();
    let notifier = Arc::new(RecordingNotifier::default());
    options.notifier = Some(notifier.clone());
    let mut h = user_profile_app(options, &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate", refreshed_and_saved(dir.path()));
    assert!(h.state().changes().since.is_none(), "nothing to compare the first look with");
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Desktop notifications").click();
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().settings().notifications);

    // The operators renew one certificate, let another run towards expiry, switch one instance's
    // SSL off, add an instance and delete one.
    let url = format!("{}/__sim/evolve", sim.endpoint());
    let evolution: Evolution =
        rt.block_on(async { reqwest::Client::new().post(url).send().await.unwrap().json().await.unwrap() });
    for part in
        [&evolution.renewed, &evolution.now_expiring, &evolution.ssl_switched, &evolution.added, &evolution.removed]
    {
        assert_eq!(part.len(), 1, "{evolution:?}");
    }
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "the compared refresh", |app| loaded(app) && app.changes().since.is_some());
    let app = h.state();
    let of_kind = |kind: Change| -> BTreeSet<String> {
        app.rows().iter().filter(|r| app.changes().of(r).contains(&kind)).map(|r| r.id.clone()).collect()
    };
    assert_eq!(of_kind(Change::Renewed), ids(evolution.renewed.clone()));
    assert_eq!(of_kind(Change::NowExpiring), ids(evolution.now_expiring.clone()));
    assert_eq!(of_kind(Change::SslSwitched), ids(evolution.ssl_switched.clone()));
    assert_eq!(of_kind(Change::ExpiresSooner), ids(evolution.now_expiring.clone()));
    assert_eq!(of_kind(Change::New), ids(evolution.added.clone()));
    assert_eq!(ids(app.changes().removed.iter().map(|r| r.id.clone())), ids(evolution.removed.clone()));
    let changed = app.rows().iter().filter(|r| !app.changes().of(r).is_empty()).count();
    assert_eq!(changed, 4, "nothing else is reported changed: {:?}", app.changes().items);
    // In the summary line and the activity log.
    // The one now expiring also expires sooner than it did (by months).
    let words = "1 renewed, 1 new, 1 now expiring, 1 expires sooner, 1 SSL switched, 1 removed";
    assert_eq!(h.query_all_by_label_contains(words).count(), 2);
    h.get_by_label("Changes").click();
    h.run_steps(2);
    let expected: BTreeSet<String> =
        [&evolution.renewed, &evolution.now_expiring, &evolution.ssl_switched, &evolution.added]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
    assert_eq!(ids(h.state().visible_row_ids()), expected);
    for badge in ["renewed", "new", "now expiring", "expires sooner", "SSL switched"] {
        assert_eq!(h.query_all_by_label(badge).count(), 1, "one {badge} badge on the rows shown");
    }

    // One notification, naming the item that entered the critical window; none the next time.
    let shown = notifier.shown();
    assert_eq!(shown.len(), 1, "{shown:?}");
    let expiring = h.state().rows().iter().find(|r| r.id == evolution.now_expiring[0]).unwrap().name.clone();
    assert!(shown[0].0.contains("1 item(s) expire within 7 days"), "{shown:?}");
    assert!(shown[0].1.contains(&expiring), "{shown:?}");
    let loads =
        |app: &CertdeskApp| app.activity_messages().iter().filter(|m| m.starts_with("Inventory loaded")).count();
    let before = loads(h.state());
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "a refresh without changes", |app| loaded(app) && loads(app) == before + 1);
    assert_eq!(notifier.shown().len(), 1, "at most one per item and window");
    let kept = h.state().rows().iter().filter(|r| !h.state().changes().of(r).is_empty()).count();
    assert_eq!(kept, 4, "a refresh that finds nothing new keeps the last changes on screen");

    // A refresh that fails is worth one notification too.
    sim.state.set_faults(certdesk::sim::Faults { fail_regions: sim.info.regions.clone(), ..Default::default() });
    h.key_press(egui::Key::F5);
    wait_for(&mut h, "the failed refresh", |app| !app.is_refreshing() && !app.region_errors().is_empty());
    wait_for(&mut h, "its notification", |_| notifier.shown().len() == 2);
    assert!(notifier.shown()[1].0.contains("the refresh failed"), "{:?}", notifier.shown());
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn clicking_a_timeline_bar_lists_the_items_expiring_that_week_and_the_overdue_bar_the_expired() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig { scale: Scale::Demo, ..SimConfig::default() })).unwrap();
    let (options, dir) = isolated();
    let mut h = user_profile_app(options, &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate", refreshed_and_saved(dir.path()));
    h.run_steps(2);
    let rows = h.state().rows().to_vec();
    let judge = Judge::default();
    let days = |r: &InventoryRow| days_left_at(r, judge.now);
    let soon = rows
        .iter()
        .filter(|r| judge.assess(r) != Severity::Expired && days(r).is_some_and(|d| (0..300).contains(&d)))
        .min_by_key(|r| days(r));
    let at = soon.unwrap().expires_at.unwrap().date();
    let monday = at - time::Duration::days(i64::from(at.weekday().number_days_from_monday()));
    for window in [ExpiryWindow::Week(monday), ExpiryWindow::Overdue] {
        let expected: BTreeSet<String> =
            rows.iter().filter(|r| window.contains(r, judge.assess(r))).map(|r| r.id.clone()).collect();
        assert!(!expected.is_empty());
        let pos = h.state().timeline_bar_center(window).expect("the timeline is drawn");
        click_at(&mut h, pos);
        assert_eq!(h.state().settings().view.window, Some(window));
        assert_eq!(ids(h.state().visible_row_ids()), expected, "{window:?}");
        let chip = format!("Expiring: {} (clear)", window.words());
        h.get_by_label(&chip).click();
        h.run_steps(2);
        assert_eq!(h.state().visible_row_ids().len(), rows.len(), "cleared");
    }
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn revoked_frozen_and_not_yet_valid_certificates_have_their_own_state_everywhere() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig { scale: Scale::Demo, ..SimConfig::default() })).unwrap();
    let (options, dir) = isolated();
    let mut h = user_profile_app(options, &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate", refreshed_and_saved(dir.path()));
    for state in [Validity::Revoked, Validity::Frozen, Validity::NotYetValid] {
        let n = h.state().rows().iter().filter(|r| Judge::default().assess(r).state() == Some(state)).count();
        assert!(n > 0, "the demo estate has {state:?} certificates");
        h.get_by_label(&format!("{n} {}", state.label()));
        h.state_mut().view_mut().state = Some(state);
        h.run_steps(2);
        assert_eq!(h.state().visible_row_ids().len(), n);
        assert_eq!(h.query_all_by_label(state.label()).count(), n, "the table says {}", state.label());
    }
    let judge = Judge::default();
    let revoked = h.state().rows().iter().filter(|r| judge.assess(r) == Severity::Revoked).count();
    let frozen: Vec<_> = h.state().rows().iter().filter(|r| judge.assess(r) == Severity::Frozen).cloned().collect();
    assert!(frozen.iter().all(|r| r.status == "ISSUED"), "frozen by the flag, whatever the status says");
    let json = certdesk::inventory::export::render_with_errors(
        h.state().rows(),
        &[],
        certdesk::inventory::export::ExportFormat::Json,
        judge.thresholds,
        judge.now,
    );
    let json = String::from_utf8(json).unwrap();
    assert_eq!(
        json.matches("\"validity\":\"frozen\"").count() + json.matches("\"validity\": \"frozen\"").count(),
        frozen.len()
    );
    assert!(revoked > 0);
    drop(h);
    rt.block_on(sim.shutdown());
}

#[test]
fn the_periodic_refresh_runs_when_its_minutes_have_passed_and_not_before() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sim = rt.block_on(certdesk::sim::start(SimConfig::default())).unwrap();
    let (options, dir) = isolated();
    let mut h = user_profile_app(options, &sim, "acct", Arc::default());
    wait_for(&mut h, "the estate", refreshed_and_saved(dir.path()));
    let refreshes = |app: &CertdeskApp| {
        app.activity_messages().iter().filter(|m| m.starts_with("Refreshing the inventory")).count()
    };
    let before = refreshes(h.state());
    h.state_mut().settings_mut().auto_refresh_minutes = 2;
    // egui's clock, moved as a user waiting would move it.
    let start = h.ctx.input(|i| i.time);
    let at = |h: &mut Harness<'static, CertdeskApp>, seconds: f64| {
        h.input_mut().time = Some(start + seconds);
        h.run_steps(2);
    };
    at(&mut h, 1.0);
    at(&mut h, 119.0);
    assert_eq!(refreshes(h.state()), before, "not before two minutes");
    at(&mut h, 121.0);
    wait_for(&mut h, "the periodic refresh", |app| refreshes(app) == before + 1 && loaded(app));
    let ended = h.ctx.input(|i| i.time);
    at(&mut h, ended - start + 60.0);
    assert_eq!(refreshes(h.state()), before + 1, "the next one is two minutes after this one ended");
    h.state_mut().settings_mut().auto_refresh_minutes = 0;
    at(&mut h, ended - start + 600.0);
    assert_eq!(refreshes(h.state()), before + 1, "off means off");
    drop(h);
    rt.block_on(sim.shutdown());
}
