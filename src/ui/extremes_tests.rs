//! Property test: rows with legal extremes (the year 1, 9999-12-31 23:59:59, the epoch, dates
//! with offsets at the calendar's edge, revoked and frozen items, any thresholds, a clock at either
//! end) driven through every path that does date or number arithmetic on them: classification,
//! changes, reminders, the timeline, `check`, OpenMetrics, CSV/JSON/.ics, the saved inventory,
//! the table's filters and sorts, and the app itself, headless. Nothing may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

use super::filter::{ExpiryWindow, QuickFilters, SortColumn, ViewState, visible_rows};
use super::timeline_view::Timeline;
use crate::cloud::Service;
use crate::inventory::changes::compare;
use crate::inventory::export::{ExportFormat, openmetrics, render_with_errors};
use crate::inventory::policy::{Judge, Thresholds, assess};
use crate::inventory::reminders::Reminders;
use crate::inventory::snapshot::{self, Snapshot};
use crate::inventory::{InventoryRow, RefreshError, SslStatus};

const MIN: OffsetDateTime = datetime!(0001-01-01 00:00 UTC);
const MAX: OffsetDateTime = datetime!(9999-12-31 23:59:59.999_999_999 UTC);

fn moment() -> impl Strategy<Value = OffsetDateTime> {
    prop_oneof![
        Just(MIN),
        Just(MAX),
        Just(datetime!(9999-12-31 23:59:59 UTC)),
        Just(OffsetDateTime::UNIX_EPOCH),
        Just(datetime!(1969-12-31 23:59:59 UTC)),
        Just(datetime!(9999-12-31 23:00 -23:59)),
        Just(datetime!(0001-01-01 00:30 +23:59)),
        (MIN.unix_timestamp()..=MAX.unix_timestamp()).prop_map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap()),
        (-400_i64..400).prop_map(|d| OffsetDateTime::now_utc() + time::Duration::days(d)),
    ]
}

fn threshold() -> impl Strategy<Value = i64> {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), Just(-1), -10_i64..400]
}

fn row_strategy() -> impl Strategy<Value = (InventoryRow, Option<OffsetDateTime>, Option<OffsetDateTime>)> {
    let service = prop_oneof![
        Just(Service::Dcs),
        Just(Service::GeminiDb),
        Just(Service::Ccm),
        Just(Service::Elb),
        Just(Service::Scm)
    ];
    let status = prop_oneof![Just("RUNNING"), Just("REVOKED"), Just("FROZEN"), Just(""), Just("ISSUED")];
    let ssl = prop_oneof![Just(SslStatus::On), Just(SslStatus::Off), Just(SslStatus::Unknown)];
    (service, status, ssl, proptest::option::of(moment()), proptest::option::of(moment()), any::<bool>(), 0_u8..4)
        .prop_map(|(service, status, ssl, not_before, not_after, frozen, id)| {
            let mut row: InventoryRow = serde_json::from_value(serde_json::json!({
                "service": service, "profile": "p", "region": "eu-de", "name": format!("n{id}"),
                "id": format!("i{id}"), "engine": "", "engine_version": "", "status": status, "ssl": ssl,
                "expires_at": null, "validated": null, "endpoint": "", "note": ""
            }))
            .unwrap();
            row.frozen = frozen;
            (row, not_before, not_after)
        })
}

/// Rows as the refresh makes them: the facts of each spec.
fn made(specs: &[(InventoryRow, Option<OffsetDateTime>, Option<OffsetDateTime>)]) -> Vec<InventoryRow> {
    specs
        .iter()
        .map(|(row, not_before, not_after)| {
            let mut row = row.clone();
            if let Some(at) = not_after {
                row.set_expiry(*not_before, *at);
            }
            row
        })
        .collect()
}

fn every_path(
    before: &[InventoryRow],
    after: &[InventoryRow],
    (then, now): (OffsetDateTime, OffsetDateTime),
    t: Thresholds,
) {
    let judge = Judge { thresholds: t, now };
    for (a, b) in [(before, after), (after, before)] {
        let changes = compare(a, b, |_| true, t, Some(then), now);
        let _ = changes.words();
        let mut reminders = Reminders::default();
        let refs: Vec<&InventoryRow> = b.iter().collect();
        let _ = reminders.due(&refs, Some((a, then)), &[], judge);
    }
    for r in after {
        let _ = (r.expiry_words_at(now), assess(r, now, t), assess(r, then, t));
    }
    let timeline = Timeline::of(after, judge);
    for x in -3..60 {
        if let Some(window) = timeline.window_at(f64::from(x)) {
            let _ = (timeline.bar_of(window), window.words());
            let _ = after.iter().filter(|r| window.contains(r, judge.assess(r))).count();
        }
    }
    if let Some(first) = after.first() {
        let _ = ExpiryWindow::Week(MAX.date()).contains(first, judge.assess(first));
    }
    let error = RefreshError { profile: "p".into(), region: "r".into(), service: Service::Dcs, message: "m".into() };
    let _ = crate::cli::check::status_line(after, std::slice::from_ref(&error), t, now);
    let _ = openmetrics(after, &[error], t, now);
    for format in [ExportFormat::Csv, ExportFormat::Json, ExportFormat::Ics] {
        let _ = render_with_errors(after, &[], format, t, now);
    }
    for sort in [SortColumn::DaysLeft, SortColumn::Name, SortColumn::Status] {
        for quick in [
            QuickFilters::default(),
            QuickFilters { expired: true, ..QuickFilters::default() },
            QuickFilters { expiring: true, ..QuickFilters::default() },
        ] {
            let view = ViewState { quick, sort, ..ViewState::default() };
            let _ = visible_rows(after, &view, judge);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn extreme_rows_pass_every_path_without_a_panic(
        specs in proptest::collection::vec(row_strategy(), 1..12),
        now in prop_oneof![Just(OffsetDateTime::now_utc()), Just(datetime!(9999-12-31 12:00 UTC)), Just(datetime!(0001-01-01 12:00 UTC))],
        later in 0_i64..800,
        warn in threshold(),
        crit in threshold(),
    ) {
        let rows = made(&specs);
        let t = Thresholds { warn_days: warn, critical_days: crit };
        let then = now.checked_add(time::Duration::days(later)).unwrap_or(now);
        every_path(&rows, &rows, (now, then), t);

        // The saved inventory: written, read back and shown at another time.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(snapshot::FILE_NAME);
        if let Some(saved_at) = crate::certs::summary::in_utc(then) {
            snapshot::save(&path, &Snapshot::new(&rows, &[], saved_at)).unwrap();
            if let Ok(Some(read)) = snapshot::load(&path) {
                let read = read.rows();
                every_path(&rows, &read, (then, OffsetDateTime::now_utc()), t);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// The app draws them: table, timeline, details of each row, each sort, in a small window.
    #[test]
    fn the_app_draws_extreme_rows_headless(specs in proptest::collection::vec(row_strategy(), 1..8)) {
        let rows = made(&specs);
        let (mut h, _dir) = super::test_app::headless(super::settings::Settings::default(), egui::vec2(900.0, 600.0));
        h.state_mut().show_rows(rows.clone());
        h.run_steps(3);
        for sort in [SortColumn::DaysLeft, SortColumn::Name] {
            h.state_mut().view_mut().sort = sort;
            h.run_steps(2);
        }
        for _ in &rows {
            h.key_press(egui::Key::ArrowDown);
            h.run_steps(2);
        }
    }
}
