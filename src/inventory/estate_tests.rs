#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::inventory::changes::Change;
use crate::inventory::policy::{Judge, Thresholds};

const T0: OffsetDateTime = datetime!(2026-12-07 08:00 UTC);

fn row(profile: &str, region: &str, id: &str, days: i64) -> InventoryRow {
    let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
        "service": "dcs", "profile": profile, "region": region, "name": id, "id": id, "engine": "Redis",
        "engine_version": "6.0", "status": "RUNNING", "ssl": "on", "expires_at": null, "validated": null,
        "endpoint": "", "note": ""
    }))
    .unwrap();
    r.set_expiry(None, T0 + Duration::days(days) + Duration::hours(1));
    r
}

fn part(profile: &str, region: &str) -> PartKey {
    (profile.into(), region.into(), Service::Dcs)
}

fn loaded(job: u64, profile: &str, region: &str, rows: Vec<InventoryRow>, at: OffsetDateTime) -> Update {
    Update::RowsLoaded { job, part: part(profile, region), rows, at }
}

fn failed(job: u64, profile: &str, region: &str) -> Update {
    let error = RefreshError {
        profile: profile.into(),
        region: region.into(),
        service: Service::Dcs,
        message: "HTTP 503".into(),
    };
    Update::PartFailed { job, error }
}

fn judge(now: OffsetDateTime) -> Judge {
    Judge { thresholds: Thresholds::default(), now }
}

fn ids(view: &EstateView) -> Vec<String> {
    let mut ids: Vec<String> = view.rows.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids
}

/// Two profiles, two regions each, refreshed once.
fn refreshed() -> Estate {
    let mut estate = Estate::default();
    estate.apply(Update::Started { job: 1 });
    estate.apply(Update::Planned { job: 1, parts: 4 });
    estate.apply(loaded(1, "a", "eu-de", vec![row("a", "eu-de", "a1", 100), row("a", "eu-de", "a2", 10)], T0));
    estate.apply(loaded(1, "a", "eu-nl", vec![row("a", "eu-nl", "a3", 200)], T0));
    estate.apply(loaded(1, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], T0));
    estate.apply(loaded(1, "b", "eu-nl", vec![], T0));
    let done = estate.finish(1, true, judge(T0), true).unwrap();
    assert!(done.answered);
    estate
}

#[test]
fn a_part_that_answers_replaces_its_rows_and_one_that_fails_keeps_them_stale_with_when_seen() {
    let mut estate = refreshed();
    let later = T0 + Duration::hours(1);
    estate.apply(Update::Started { job: 2 });
    estate.apply(loaded(2, "a", "eu-de", vec![row("a", "eu-de", "a1", 100)], later));
    estate.apply(failed(2, "a", "eu-nl"));
    estate.apply(loaded(2, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], later));
    estate.apply(loaded(2, "b", "eu-nl", vec![], later));
    let view = estate.view();
    assert_eq!(view.refresh.map(|r| r.done), Some(4));
    assert_eq!(ids(&view), ["a1", "a3", "b1"], "a2 went with its part's answer");
    let a3 = view.rows.iter().find(|r| r.id == "a3").unwrap();
    assert_eq!(view.stale_reason(a3), Some(&Stale { seen: Some(T0), reason: "HTTP 503".into() }));
    assert!(view.stale_reason(view.rows.iter().find(|r| r.id == "a1").unwrap()).is_none());
    estate.finish(2, true, judge(later), true).unwrap();
    let view = estate.view();
    assert!(view.refresh.is_none());
    assert_eq!(view.errors.len(), 1);
    assert_eq!(ids(&view), ["a1", "a3", "b1"], "a failed part keeps its rows");
    let notes = estate.take_notes();
    assert!(notes.contains(&Note::Loaded { items: 3, failed: 1, stale: 1 }), "{notes:?}");
    assert!(estate.take_notes().is_empty(), "each note is told once");
}

#[test]
fn a_failed_sign_in_is_one_line_for_the_profile_and_marks_all_its_rows_stale() {
    let mut estate = refreshed();
    estate.apply(Update::Started { job: 2 });
    estate.apply(Update::SignInFailed { job: 2, profile: "a".into(), message: "HTTP 401".into() });
    estate.apply(Update::SignedIn { job: 2, profile: "b".into() });
    estate.apply(Update::Planned { job: 2, parts: 2 });
    estate.apply(loaded(2, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], T0));
    estate.apply(loaded(2, "b", "eu-nl", vec![], T0));
    let state = estate.refresh().unwrap();
    assert_eq!((state.done, state.parts), (3, 3), "the failed profile counts as one part, answered");
    estate.finish(2, true, judge(T0), true).unwrap();
    let view = estate.view();
    assert_eq!(view.errors.len(), 1);
    assert!(view.errors[0].is_sign_in() && view.errors[0].profile == "a");
    let stale_ids: HashSet<&str> =
        view.rows.iter().filter(|r| view.stale_reason(r).is_some()).map(|r| r.id.as_str()).collect();
    assert_eq!(stale_ids, HashSet::from(["a1", "a2", "a3"]));
    assert!(estate.take_notes().contains(&Note::SignInFailed { profile: "a".into(), message: "HTTP 401".into() }));
}

#[test]
fn updates_of_a_replaced_refresh_are_dropped_and_a_stopped_one_restores_the_failures_before() {
    let mut estate = refreshed();
    estate.apply(Update::Started { job: 2 });
    estate.apply(failed(2, "a", "eu-nl"));
    estate.finish(2, true, judge(T0), true).unwrap();
    let rows = ids(&estate.view());
    estate.apply(Update::Started { job: 3 });
    estate.apply(loaded(2, "a", "eu-de", vec![], T0));
    assert_eq!(ids(&estate.view()), rows, "job 2's late rows change nothing");
    assert!(estate.view().errors.is_empty(), "a new refresh starts with no failures");
    assert!(estate.finish(2, true, judge(T0), true).is_none(), "an old job's end is not this refresh's");
    assert!(estate.finish(3, false, judge(T0), true).is_none());
    assert_eq!(estate.view().errors.len(), 1, "stopped: the stale rows keep their banner line");
    assert!(estate.view().refresh.is_none());
}

#[test]
fn rows_of_parts_no_longer_asked_for_and_of_gone_profiles_go() {
    let mut estate = refreshed();
    estate.set_profiles(Some(HashSet::from(["a".to_owned()])));
    assert_eq!(ids(&estate.view()), ["a1", "a2", "a3"], "profile b was deleted");
    estate.apply(Update::Started { job: 2 });
    estate.apply(loaded(2, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], T0));
    estate.apply(loaded(2, "a", "eu-de", vec![row("a", "eu-de", "a1", 100)], T0));
    estate.finish(2, true, judge(T0), true).unwrap();
    assert_eq!(ids(&estate.view()), ["a1"], "eu-nl was not asked for; b is gone");
}

#[test]
fn the_saved_inventory_shows_until_the_refresh_answers_and_is_the_look_compared_with() {
    let saved = refreshed();
    let snapshot = saved.snapshot(T0);
    let mut estate = Estate::default();
    estate.show_snapshot(&snapshot);
    let view = estate.view();
    assert_eq!(ids(&view), ["a1", "a2", "a3", "b1"]);
    assert_eq!(view.as_of, Some(T0));
    assert!(matches!(estate.take_notes()[..], [Note::ShowingSaved { items: 4, unreadable: 0, .. }]));
    // A week later: a2 renewed, a3 gone, b1 entered the warning window by time alone.
    let later = T0 + Duration::days(21);
    estate.apply(Update::Started { job: 7 });
    estate.apply(loaded(7, "a", "eu-de", vec![row("a", "eu-de", "a1", 100), row("a", "eu-de", "a2", 400)], later));
    estate.apply(loaded(7, "a", "eu-nl", vec![], later));
    estate.apply(loaded(7, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], later));
    estate.apply(loaded(7, "b", "eu-nl", vec![], later));
    let finished = estate.finish(7, true, judge(later), true).unwrap();
    let view = estate.view();
    assert_eq!(view.as_of, None, "every part answered");
    let of = |id: &str| view.changes.of(view.rows.iter().find(|r| r.id == id).unwrap()).to_vec();
    assert_eq!(of("a2"), [Change::Renewed]);
    assert_eq!(of("b1"), [Change::NowExpiring]);
    assert_eq!(view.changes.removed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["a3"]);
    let reminder = finished.reminder.expect("b1 entered the warning window");
    assert!(reminder.1.contains("b1"), "{reminder:?}");
    assert!(estate.take_notes().iter().any(|n| matches!(n, Note::Changed { since, .. } if *since == T0)));
}

#[test]
fn the_snapshot_keeps_when_each_part_last_answered() {
    let mut estate = refreshed();
    let later = T0 + Duration::hours(3);
    estate.apply(Update::Started { job: 2 });
    estate.apply(loaded(2, "a", "eu-de", vec![row("a", "eu-de", "a1", 100)], later));
    estate.apply(failed(2, "a", "eu-nl"));
    estate.finish(2, true, judge(later), true).unwrap();
    let snapshot = estate.snapshot(later);
    assert_eq!(snapshot.seen_at("a", "eu-de", Service::Dcs), later);
    assert_eq!(snapshot.seen_at("a", "eu-nl", Service::Dcs), T0, "failed since: the time it last answered");
    let mut restarted = Estate::default();
    restarted.show_snapshot(&snapshot);
    assert_eq!(restarted.view().as_of, Some(T0), "as of the oldest part shown");
}

#[test]
fn with_reminders_off_nothing_counts_as_shown() {
    let mut estate = refreshed();
    for job in [2, 3] {
        estate.apply(Update::Started { job });
        estate.apply(loaded(job, "a", "eu-de", vec![row("a", "eu-de", "a1", 100), row("a", "eu-de", "a2", 10)], T0));
        estate.apply(failed(job, "a", "eu-nl"));
        estate.apply(loaded(job, "b", "eu-de", vec![row("b", "eu-de", "b1", 50)], T0));
        estate.apply(loaded(job, "b", "eu-nl", vec![], T0));
        // Off for the first failed refresh, on for the second: the failure is still news then.
        let finished = estate.finish(job, true, judge(T0), job == 3).unwrap();
        assert_eq!(finished.reminder.is_some(), job == 3, "{finished:?}");
    }
}
