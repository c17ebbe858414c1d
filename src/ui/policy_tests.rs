//! One verdict everywhere: a row of each severity reason, under thresholds set in the app's
//! settings (not the defaults), gets the same verdict from the table (its state filter, summary
//! and days-left cell), `check`, reminders, OpenMetrics and the JSON and CSV exports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use egui_kittest::kittest::Queryable;
use time::{Duration, OffsetDateTime};

use super::filter::ViewState;
use crate::certs::summary::Validity;
use crate::inventory::export::{ExportFormat, openmetrics, render};
use crate::inventory::policy::{Alarm, Judge, Severity, Thresholds, assess};
use crate::inventory::reminders::Reminders;
use crate::inventory::{InventoryRow, SslStatus};

/// Not the defaults (30/7): 40 days left is a warning only under these.
const T: Thresholds = Thresholds { warn_days: 45, critical_days: 10 };

fn row(name: &str) -> InventoryRow {
    serde_json::from_value(serde_json::json!({
        "service": "ccm", "profile": "p", "region": "global", "name": name, "id": format!("id-{name}"),
        "engine": "RSA2048", "engine_version": "", "status": "ISSUED", "ssl": SslStatus::On,
        "expires_at": null, "validated": null, "endpoint": "", "note": ""
    }))
    .unwrap()
}

/// One row per reason, named after it, with days far from every boundary.
fn rows(now: OffsetDateTime) -> Vec<(InventoryRow, Severity)> {
    let at = |days: i64| now + Duration::days(days) + Duration::hours(1);
    let dated = |name: &str, days: i64| {
        let mut r = row(name);
        r.set_expiry(Some(now - Duration::days(30)), at(days));
        r
    };
    let mut revoked = dated("gone", 200);
    revoked.status = "REVOKED".into();
    let mut frozen = dated("iced", 200);
    frozen.frozen = true;
    let mut early = dated("early", 300);
    early.not_before = Some(now + Duration::days(5));
    vec![
        (revoked, Severity::Revoked),
        (frozen, Severity::Frozen),
        (dated("expired", -5), Severity::Expired),
        (dated("critical", 5), Severity::Critical),
        (early, Severity::NotYetValid),
        (dated("warning", 40), Severity::Warning),
        (dated("fine", 200), Severity::Ok),
        (row("unknown"), Severity::Unknown),
    ]
}

fn wire<S: serde::Serialize>(value: &S) -> String {
    serde_json::to_value(value).unwrap().as_str().unwrap_or_default().to_owned()
}

#[test]
fn check_reminders_openmetrics_and_exports_give_each_row_the_policys_verdict() {
    let now = OffsetDateTime::now_utc();
    let judge = Judge { thresholds: T, now };
    for (r, want) in rows(now) {
        let name = r.name.clone();
        assert_eq!(assess(&r, now, T), want, "{name}");

        let (code, line) = crate::cli::check::status_line(std::slice::from_ref(&r), &[], T, now);
        let expected_code = match want.alarm() {
            Alarm::Critical => 2,
            Alarm::Warning => 1,
            Alarm::None => 0,
        };
        assert_eq!(code, expected_code, "check on {name}: {line}");
        if want == Severity::NotYetValid {
            assert!(line.contains("1 not yet valid: early (not yet valid)"), "{line}");
        }

        let due = Reminders::default().due(&[&r], Some((&[], now)), &[], judge);
        match want.alarm() {
            Alarm::None => assert!(due.is_none(), "no reminder for {name}: {due:?}"),
            alarm => {
                let (title, body) = due.unwrap_or_else(|| panic!("a reminder for {name}"));
                let days = if alarm == Alarm::Critical { T.critical_days } else { T.warn_days };
                assert!(title.contains(&format!("1 item(s) expire within {days} days")), "{name}: {title}");
                if want.is_unusable() {
                    assert!(body.ends_with(want.state().unwrap().label()), "{name}: {body}");
                }
            }
        }

        let metrics = openmetrics(std::slice::from_ref(&r), &[], T, now);
        if r.expires_at.is_some() {
            let state = want.state().map_or_else(|| "unknown".to_owned(), |s| wire(&s));
            assert_eq!(metrics.matches(&format!(",state=\"{state}\"}}")).count(), 2, "{name}: {metrics}");
        }
        let severity = format!(",severity=\"{}\"}} 1\n", want.reason());
        assert_eq!(metrics.matches(&severity).count(), 1, "{name}: {metrics}");

        let json: serde_json::Value =
            serde_json::from_slice(&render(std::slice::from_ref(&r), ExportFormat::Json, T, now)).unwrap();
        assert_eq!(json["items"][0]["severity"], want.reason(), "{name}");
        assert_eq!(json["items"][0]["validity"], want.state().map_or(serde_json::Value::Null, |s| wire(&s).into()));
        let csv = String::from_utf8(render(std::slice::from_ref(&r), ExportFormat::Csv, T, now)).unwrap();
        let label = want.state().map_or("", |s| s.label());
        assert!(csv.lines().nth(1).unwrap().contains(&format!(",{label},")), "{name}: {csv}");
    }
}

#[test]
fn the_table_judges_with_the_thresholds_from_settings() {
    let now = OffsetDateTime::now_utc();
    let all = rows(now);
    let mut settings = super::settings::Settings::default();
    settings.thresholds = T;
    settings.show_timeline = false;
    let (mut h, _dir) = super::test_app::headless(settings, egui::vec2(1600.0, 900.0));
    h.state_mut().show_rows(all.iter().map(|(r, _)| r.clone()).collect());
    h.run_steps(3);
    // The summary line counts each state once, expiring = critical + warning.
    for text in ["1 expired", "2 expiring within 45 days", "1 valid", "1 not yet valid", "1 revoked", "1 frozen"] {
        h.get_by_label(text);
    }
    // The days-left cell says an unusable row's state (the filter's box says "any").
    for state in [Validity::Revoked, Validity::Frozen, Validity::NotYetValid] {
        assert_eq!(h.query_all_by_label(state.label()).count(), 1, "the table says {}", state.label());
    }
    // The state filter finds each state's rows.
    let states = all.iter().filter_map(|(_, s)| s.state()).collect::<std::collections::HashSet<_>>();
    for state in states {
        h.state_mut().view_mut().state = Some(state);
        h.run();
        let want: Vec<String> =
            all.iter().filter(|(_, s)| s.state() == Some(state)).map(|(r, _)| r.id.clone()).collect();
        let mut shown = h.state().visible_row_ids();
        shown.sort();
        let mut want = want;
        want.sort();
        assert_eq!(shown, want, "{state:?}");
    }
    *h.state_mut().view_mut() = ViewState::default();
    h.state_mut().view_mut().quick.expiring = true;
    h.run_steps(2);
    let mut expiring = h.state().visible_row_ids();
    expiring.sort();
    assert_eq!(expiring, ["id-critical", "id-warning"], "the Expiring filter, with the settings' 45 days");
}
