//! The inventory as files: CSV and JSON for spreadsheets and scripts, and an iCalendar file with
//! one reminder per certificate expiry, ahead of it by the warning threshold.

use serde_json::json;
use time::OffsetDateTime;

use super::policy::{Judged, Thresholds, assess};
use super::{InventoryRow, RefreshError};

/// A file format for the inventory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Comma-separated values, RFC 4180 quoting.
    Csv,
    /// JSON, schema `certdesk.list.v1` (as `certdesk list --json`).
    Json,
    /// iCalendar with an all-day event per expiry and an alarm before it.
    Ics,
}

impl ExportFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ics => "ics",
        }
    }
}

fn csv_field(value: &str) -> String {
    // Formula characters first: a spreadsheet must not run a cell that starts with them (a
    // leading TAB or CR is skipped by some, then the formula runs: OWASP's list).
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) && value.parse::<f64>().is_err() {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    // ';' too: spreadsheets in German and other locales split on it.
    if value.contains([',', ';', '"', '\n', '\r']) { format!("\"{}\"", value.replace('"', "\"\"")) } else { value }
}

/// Renders rows in a format.
pub fn render(rows: &[InventoryRow], format: ExportFormat, thresholds: Thresholds, now: OffsetDateTime) -> Vec<u8> {
    render_with_errors(rows, &[], format, thresholds, now)
}

/// Renders rows and the parts that failed (JSON lists them as the CLI does), each row judged at
/// `now` with the user's thresholds.
pub fn render_with_errors(
    rows: &[InventoryRow],
    errors: &[RefreshError],
    format: ExportFormat,
    thresholds: Thresholds,
    now: OffsetDateTime,
) -> Vec<u8> {
    let rows = Judged::all(rows, now, thresholds);
    match format {
        ExportFormat::Csv => csv(&rows).into_bytes(),
        ExportFormat::Json => {
            let doc = json!({"schema": "certdesk.list.v1", "items": rows, "errors": errors});
            serde_json::to_vec_pretty(&doc).unwrap_or_default()
        }
        ExportFormat::Ics => ics(&rows, thresholds.warn_days, now).into_bytes(),
    }
}

fn csv(rows: &[Judged<'_>]) -> String {
    let mut out = String::from(
        "service,profile,region,name,id,engine,version,status,ssl,expires_at,days_left,validity,endpoint,note\r\n",
    );
    for judged in rows {
        let r = judged.row;
        let expires = r
            .expires_at
            .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
            .unwrap_or_default();
        let fields = [
            r.service.label().to_owned(),
            r.profile.clone(),
            r.region.clone(),
            r.name.clone(),
            r.id.clone(),
            r.engine.clone(),
            r.engine_version.clone(),
            r.status.clone(),
            r.ssl.label().to_owned(),
            expires,
            judged.days_left.map(|d| d.to_string()).unwrap_or_default(),
            judged.validity.map(|v| v.label().to_owned()).unwrap_or_default(),
            r.endpoint.clone(),
            r.note.clone(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Escapes text for an iCalendar property value (RFC 5545 §3.3.11).
fn ics_text(value: &str) -> String {
    let value = value.replace("\r\n", "\n").replace('\r', "\n");
    let escaped = value.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace('\n', "\\n");
    // Other control characters are not allowed in a text value (§3.3.11): dropped.
    escaped.chars().filter(|c| !c.is_control() || *c == '\t').collect()
}

/// Folds a content line at 75 octets (RFC 5545 §3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut used = 0;
    for ch in line.chars() {
        let len = ch.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(ch);
        used += len;
    }
    out.push_str("\r\n");
    out
}

fn ics(rows: &[Judged<'_>], warn_days: i64, now: OffsetDateTime) -> String {
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//certdesk//certificate expiry//EN\r\nCALSCALE:GREGORIAN\r\n",
    );
    for judged in rows {
        let r = judged.row;
        let Some(at) = r.expires_at else { continue };
        let day = at.date();
        let next = day.next_day().unwrap_or(day);
        let date = |d: time::Date| format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day());
        out.push_str("BEGIN:VEVENT\r\n");
        out.push_str(&fold(&format!("UID:{}-{}@certdesk", ics_text(&r.id), date(day))));
        out.push_str(&fold(&format!("DTSTAMP:{stamp}")));
        out.push_str(&fold(&format!("DTSTART;VALUE=DATE:{}", date(day))));
        out.push_str(&fold(&format!("DTEND;VALUE=DATE:{}", date(next))));
        // A revoked, frozen or not-yet-valid item says so: its expiry is not the whole story.
        let unusable = judged.severity.is_unusable();
        let state = if unusable { judged.validity.map(|v| format!(" [{}]", v.label())) } else { None };
        let state = state.unwrap_or_default();
        out.push_str(&fold(&format!(
            "SUMMARY:{}",
            ics_text(&format!("Certificate expires: {} ({} {}){state}", r.name, r.service.label(), r.region))
        )));
        out.push_str(&fold(&format!(
            "DESCRIPTION:{}",
            ics_text(&format!(
                "{} {} in {} (profile {}), id {}, expires {}.{state}",
                r.service.label(),
                r.name,
                r.region,
                r.profile,
                r.id,
                at
            ))
        )));
        out.push_str("BEGIN:VALARM\r\nACTION:DISPLAY\r\n");
        out.push_str(&fold(&format!("TRIGGER:-P{warn_days}D")));
        out.push_str(&fold(&format!("DESCRIPTION:{}", ics_text(&format!("{} expires in {warn_days} days", r.name)))));
        out.push_str("END:VALARM\r\nEND:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// A label value in the OpenMetrics text format: control characters shown as escapes, then
/// backslash, double quote and line feed escaped.
fn metric_label(value: &str) -> String {
    // Inert first: a scrape read in a terminal runs no escape sequence of a name.
    crate::text::inert_lines(value).replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// A value's serde name (`gemini-db`, `not_yet_valid`): what the JSON output calls it too.
fn wire_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The OpenMetrics (Prometheus) text exposition of the rows: expiry time and days left per item
/// with its service, profile, region, name, id and state; the policy's severity of every item as
/// a series of its own (a new label on the old series would make every one of them new); one
/// `certdesk_scrape_errors` sample per part that failed (its items are missing, not expired).
/// Ends with `# EOF`.
pub fn openmetrics(
    rows: &[InventoryRow],
    errors: &[RefreshError],
    thresholds: Thresholds,
    now: OffsetDateTime,
) -> String {
    use std::fmt::Write as _;
    let item = |r: &InventoryRow| {
        format!(
            "service=\"{}\",profile=\"{}\",region=\"{}\",name=\"{}\",id=\"{}\"",
            metric_label(&wire_name(&r.service)),
            metric_label(&r.profile),
            metric_label(&r.region),
            metric_label(&r.name),
            metric_label(&r.id),
        )
    };
    let labels = |r: &InventoryRow| {
        let state = assess(r, now, thresholds).state().map_or_else(|| "unknown".to_owned(), |v| wire_name(&v));
        format!("{},state=\"{}\"", item(r), metric_label(&state))
    };
    let mut out = String::new();
    let expiry = "certdesk_certificate_expiry_timestamp_seconds";
    let _ = writeln!(out, "# TYPE {expiry} gauge\n# UNIT {expiry} seconds");
    let _ = writeln!(out, "# HELP {expiry} When the certificate expires, as a Unix time.");
    for r in rows {
        if let Some(at) = r.expires_at {
            let _ = writeln!(out, "{expiry}{{{}}} {}", labels(r), at.unix_timestamp());
        }
    }
    let days = "certdesk_certificate_days_left";
    let _ = writeln!(out, "# TYPE {days} gauge");
    let _ = writeln!(out, "# HELP {days} Whole UTC days until the certificate expires; negative once expired.");
    for r in rows {
        if let Some(at) = r.expires_at {
            let _ = writeln!(out, "{days}{{{}}} {}", labels(r), crate::certs::summary::days_left(now, at));
        }
    }
    let severity = "certdesk_certificate_severity";
    let _ = writeln!(out, "# TYPE {severity} gauge");
    let _ = writeln!(
        out,
        "# HELP {severity} 1 for every item, labelled with the policy's verdict: revoked, frozen, expired, critical, \
         not_yet_valid, warning, ok or unknown."
    );
    for r in rows {
        let _ = writeln!(out, "{severity}{{{},severity=\"{}\"}} 1", item(r), assess(r, now, thresholds).reason());
    }
    let failed = "certdesk_scrape_errors";
    let _ = writeln!(out, "# TYPE {failed} gauge");
    let _ = writeln!(out, "# HELP {failed} Parts of the scan that failed (their items are missing, not gone).");
    for e in errors {
        let _ = writeln!(
            out,
            "{failed}{{profile=\"{}\",region=\"{}\",service=\"{}\"}} 1",
            metric_label(&e.profile),
            metric_label(&e.region),
            metric_label(&wire_name(&e.service))
        );
    }
    out.push_str("# EOF\n");
    out
}

/// A file name stem from cloud data (an instance name, a common name): letters, digits, `-`,
/// `_` and inner dots only; no leading dot, no Windows reserved name, at most 80 characters.
pub fn safe_file_stem(name: &str) -> String {
    let mapped: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') { c } else { '_' })
        .take(80)
        .collect();
    let trimmed = mapped.trim_start_matches('.').trim_end_matches(['.', ' ']);
    // Windows reserves these names with any extension (COM/LPT with ¹²³ too, but those
    // characters are mapped to '_' above, as is the '$' of CONIN$).
    let base = trimmed.split('.').next().unwrap_or_default().trim_end_matches(' ').to_ascii_lowercase();
    let numbered =
        |prefix: &str| base.strip_prefix(prefix).is_some_and(|n| n.len() == 1 && n.as_bytes()[0].is_ascii_digit());
    let reserved = matches!(base.as_str(), "con" | "prn" | "aux" | "nul") || numbered("com") || numbered("lpt");
    match trimmed {
        "" => "certificate".to_owned(),
        t if reserved => format!("_{t}"),
        t => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_field, ics_text, metric_label, safe_file_stem};

    #[test]
    fn metric_label_values_are_escaped() {
        assert_eq!(metric_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(metric_label("t\x1b]0;x\x07"), "t\\\\x1b]0;x\\\\x07", "no escape sequence reaches a terminal");
    }

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_are_defused() {
        for cell in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"] {
            assert!(csv_field(cell).trim_start_matches('"').starts_with('\''), "{cell:?} -> {}", csv_field(cell));
        }
        assert_eq!(csv_field("-12"), "-12", "a negative number stays a number");
    }

    #[test]
    fn ics_text_has_no_bare_line_breaks_or_control_characters() {
        assert_eq!(ics_text("a\r\nb\rc\nd"), "a\\nb\\nc\\nd");
        assert_eq!(ics_text("x\u{7}y;z,w"), "xy\\;z\\,w");
    }

    #[test]
    fn names_from_the_cloud_become_safe_file_stems() {
        assert_eq!(safe_file_stem("redis-prod"), "redis-prod");
        assert_eq!(safe_file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_stem(".hidden"), "hidden");
        assert_eq!(safe_file_stem("CON"), "_CON");
        assert_eq!(safe_file_stem("com7.txt"), "_com7.txt");
        assert_eq!(safe_file_stem("LPT9"), "_LPT9");
        assert_eq!(safe_file_stem("com10"), "com10");
        assert_eq!(safe_file_stem("name..."), "name");
        assert_eq!(safe_file_stem("a b\r\n"), "a_b__");
        assert_eq!(safe_file_stem("..."), "certificate");
        assert_eq!(safe_file_stem(&"x".repeat(300)).len(), 80);
    }
}
