//! Inventory exports: CSV quoting and formula safety, JSON schema, iCalendar reminders.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use certdesk::cloud::Service;
use certdesk::inventory::export::{ExportFormat, render};
use certdesk::inventory::policy::Thresholds;
use certdesk::inventory::{InventoryRow, SslStatus};

const T30: Thresholds = Thresholds { warn_days: 30, critical_days: 7 };
const T60: Thresholds = Thresholds { warn_days: 60, critical_days: 7 };

fn row(name: &str, days: Option<i64>) -> InventoryRow {
    let now = time::OffsetDateTime::now_utc();
    let mut r = InventoryRow {
        service: Service::Dcs,
        profile: "prod".into(),
        region: "eu-de".into(),
        name: name.into(),
        id: "3c49a5c4-4bd5-4a4e-a7c5-0d8a3a8c1f22".into(),
        engine: "Redis".into(),
        engine_version: "6.0".into(),
        status: "RUNNING".into(),
        ssl: SslStatus::On,
        expires_at: None,
        validated: Some(true),
        endpoint: String::new(),
        note: String::new(),
        facts: Vec::new(),
        not_before: None,
        frozen: false,
    };
    if let Some(d) = days {
        // The last second of the day d days ahead: d calendar days left at any hour (an hour
        // past now crossed midnight after 23:00 UTC and made it d + 1).
        let at = (now + time::Duration::days(d)).replace_time(time::Time::from_hms(23, 59, 59).unwrap());
        r.set_expiry(None, at);
    }
    r
}

#[test]
fn csv_quotes_and_defuses_formulas() {
    let rows = [row("plain", Some(10)), row("a, \"quoted\" name", None), row("=HYPERLINK(\"x\")", Some(400))];
    let text = String::from_utf8(render(&rows, ExportFormat::Csv, T30, time::OffsetDateTime::now_utc())).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[0].starts_with("service,profile,region,name"));
    assert!(lines[1].contains(",plain,") && lines[1].contains(",10,expiring,"), "{}", lines[1]);
    assert!(lines[2].contains("\"a, \"\"quoted\"\" name\""), "{}", lines[2]);
    assert!(lines[3].contains("\"'=HYPERLINK(\"\"x\"\")\""), "a formula is not executable: {}", lines[3]);
}

#[test]
fn json_has_the_list_schema() {
    let doc: serde_json::Value =
        serde_json::from_slice(&render(&[row("x", Some(3))], ExportFormat::Json, T30, time::OffsetDateTime::now_utc()))
            .unwrap();
    assert_eq!(doc["schema"], "certdesk.list.v1");
    assert_eq!(doc["items"][0]["days_left"], 3);
}

#[test]
fn ics_has_one_event_per_expiry_with_an_alarm() {
    let rows = [row("redis-prod", Some(45)), row("no-expiry", None), row("semi;colon,comma", Some(5))];
    let text = String::from_utf8(render(&rows, ExportFormat::Ics, T30, time::OffsetDateTime::now_utc())).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 2);
    assert_eq!(text.matches("TRIGGER:-P30D").count(), 2);
    assert!(text.contains("semi\\;colon\\,comma"));
    assert!(text.split("\r\n").all(|l| l.len() <= 75), "lines are folded");
}

#[test]
fn the_apps_json_export_lists_the_failed_parts_and_classifies_with_the_users_threshold() {
    let now = time::OffsetDateTime::now_utc();
    let mut revoked = row("revoked-one", Some(200));
    revoked.service = Service::Ccm;
    revoked.status = "REVOKED".into();
    revoked.set_expiry(None, now + time::Duration::days(200));
    assert_eq!(
        certdesk::inventory::policy::assess(&revoked, now, T30).state().map(certdesk::certs::summary::Validity::label),
        Some("revoked"),
        "revoked is not valid, whatever its dates say"
    );
    let rows = [row("in-45-days", Some(45)), revoked];
    let errors = [certdesk::inventory::RefreshError {
        profile: "prod".into(),
        region: "eu-nl".into(),
        service: Service::GeminiDb,
        message: "HTTP 503".into(),
    }];
    let bytes = certdesk::inventory::export::render_with_errors(&rows, &errors, ExportFormat::Json, T60, now);
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(doc["errors"][0]["region"], "eu-nl", "{doc}");
    assert_eq!(doc["errors"][0]["message"], "HTTP 503");
    // 45 days left is "expiring" under a 60-day threshold (the default is 30).
    assert_eq!(doc["items"][0]["validity"], "expiring", "{doc}");
    assert_eq!(doc["items"][1]["validity"], "revoked");
    let csv = String::from_utf8(render(&rows, ExportFormat::Csv, T60, now)).unwrap();
    assert!(csv.contains(",revoked,"), "{csv}");
}
