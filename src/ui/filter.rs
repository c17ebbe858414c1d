//! Which rows the table shows and in what order: search over every column, quick filters, sort.
//! Pure functions over the rows, so the UI stays thin and the bench can time them.

use serde::{Deserialize, Serialize};

use crate::certs::summary::Validity;
use time::OffsetDateTime;

use crate::inventory::policy::{Judge, Severity, days_left_at, is_past_expiry};
use crate::inventory::{InventoryRow, SslStatus};

/// A sortable column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortColumn {
    /// Service.
    Service,
    /// Profile.
    Profile,
    /// Region.
    Region,
    /// Name.
    Name,
    /// Id.
    Id,
    /// Engine and version.
    Engine,
    /// Status.
    Status,
    /// SSL state.
    Ssl,
    /// Expiry and days left.
    DaysLeft,
}

/// Quick filters; they survive refreshes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[expect(clippy::struct_excessive_bools, reason = "independent toggles")]
pub struct QuickFilters {
    /// Only expired certificates.
    pub expired: bool,
    /// Only certificates expiring within the warning threshold.
    pub expiring: bool,
    /// Only instances with SSL off.
    pub ssl_off: bool,
    /// Only rows with a problem note.
    pub errors: bool,
    /// Only rows that changed in the last refresh.
    pub changed: bool,
}

/// The expiry window a timeline bar stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpiryWindow {
    /// Already expired.
    Overdue,
    /// Expiring in the week (Monday to Sunday, UTC) that starts on this day.
    Week(time::Date),
}

impl ExpiryWindow {
    /// Whether a row of this severity expires in it (revoked, frozen and not-yet-valid ones are
    /// not "expiring").
    pub fn contains(self, row: &InventoryRow, severity: Severity) -> bool {
        match self {
            _ if severity.is_unusable() => false,
            Self::Overdue => severity == Severity::Expired,
            Self::Week(monday) => row.expires_at.is_some_and(|at| {
                let day = crate::certs::summary::utc_date(at);
                severity != Severity::Expired && day >= monday && (day - monday).whole_days() < 7
            }),
        }
    }

    /// "week of 2026-12-07", "overdue".
    pub fn words(self) -> String {
        match self {
            Self::Overdue => "overdue".into(),
            Self::Week(monday) => format!("week of {monday}"),
        }
    }
}

/// What the table shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ViewState {
    /// Search text, matched case-insensitively against every column.
    pub search: String,
    /// Quick filters.
    pub quick: QuickFilters,
    /// Sort column.
    pub sort: SortColumn,
    /// Sort direction.
    pub descending: bool,
    /// The warning days of settings saved by an earlier version (read, never written; they are
    /// the thresholds' now).
    #[serde(rename = "warn_days", skip_serializing)]
    pub(super) legacy_warn_days: Option<i64>,
    /// Only rows in this state.
    pub state: Option<Validity>,
    /// Only rows expiring in this window (a timeline bar clicked); not remembered between runs.
    #[serde(skip)]
    pub window: Option<ExpiryWindow>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            search: String::new(),
            quick: QuickFilters::default(),
            sort: SortColumn::DaysLeft,
            descending: false,
            legacy_warn_days: None,
            state: None,
            window: None,
        }
    }
}

/// What the app knows of a row beyond the row itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct RowMarks {
    /// Its part did not answer in the last refresh.
    pub stale: bool,
    /// It changed in the last refresh.
    pub changed: bool,
}

/// Every word of the search must match some column ("eu-de redis").
fn matches_search(row: &InventoryRow, words: &[String]) -> bool {
    if words.is_empty() {
        return true;
    }
    let fields = [
        row.service.label(),
        &row.profile,
        &row.region,
        &row.name,
        &row.id,
        &row.engine,
        &row.engine_version,
        &row.status,
        row.ssl.label(),
        &row.endpoint,
        &row.note,
    ];
    words.iter().all(|w| fields.iter().any(|f| contains_folded(f, w)))
}

/// Whether `text` contains `word` (already lower case), ignoring case. An ASCII word (what
/// searches mostly are) is matched in place, without lowering the text: 100,000 rows filter
/// without a string made per field.
fn contains_folded(text: &str, word: &str) -> bool {
    if !word.is_ascii() {
        return text.to_lowercase().contains(word);
    }
    let (text, word) = (text.as_bytes(), word.as_bytes());
    word.is_empty() || text.windows(word.len()).any(|w| w.eq_ignore_ascii_case(word))
}

/// Whether a row has a problem: a status that is not a working one (revoked, frozen, abnormal), a
/// note from the cloud, or stale.
pub fn has_problem(row: &InventoryRow, stale: bool) -> bool {
    stale || !row.note.is_empty() || row.has_problem_status()
}

fn matches_quick(
    row: &InventoryRow,
    (severity, now): (Severity, OffsetDateTime),
    q: QuickFilters,
    marks: RowMarks,
) -> bool {
    let any = q.expired || q.expiring || q.ssl_off || q.errors || q.changed;
    !any || (q.expired && is_past_expiry(row, now))
        || (q.expiring && matches!(severity, Severity::Warning | Severity::Critical))
        || (q.ssl_off && row.ssl == SslStatus::Off)
        || (q.errors && has_problem(row, marks.stale))
        || (q.changed && marks.changed)
}

fn matches(
    row: &InventoryRow,
    view: &ViewState,
    judge: Judge,
    words: &[String],
    marks: &impl Fn(&InventoryRow) -> RowMarks,
) -> bool {
    if !matches_search(row, words) {
        return false;
    }
    let q = view.quick;
    // Judged and looked up only when a filter asks: 100,000 rows with none set cost nothing here.
    if !(q.expired || q.expiring || q.ssl_off || q.errors || q.changed || view.state.is_some() || view.window.is_some())
    {
        return true;
    }
    let severity = judge.assess(row);
    let marks = if q.errors || q.changed { marks(row) } else { RowMarks::default() };
    matches_quick(row, (severity, judge.now), q, marks)
        && view.state.is_none_or(|s| severity.state() == Some(s))
        && view.window.is_none_or(|w| w.contains(row, severity))
}

/// Indices of the rows to show, filtered and sorted.
pub fn visible_rows(rows: &[InventoryRow], view: &ViewState, judge: Judge) -> Vec<usize> {
    visible_rows_with(rows, view, judge, |_| RowMarks::default())
}

/// Indices of the rows to show, knowing which rows are stale or changed.
pub fn visible_rows_with(
    rows: &[InventoryRow],
    view: &ViewState,
    judge: Judge,
    marks: impl Fn(&InventoryRow) -> RowMarks,
) -> Vec<usize> {
    let words: Vec<String> = view.search.split_whitespace().map(str::to_lowercase).collect();
    let out: Vec<usize> = (0..rows.len()).filter(|&i| matches(&rows[i], view, judge, &words, &marks)).collect();
    sorted(rows, out, view, judge)
}

/// The rows shown in the view's order. Days left and names are sorted as compact keys made once
/// per row (no row is read again while sorting 100,000 of them); name, then id, breaks ties.
fn sorted(rows: &[InventoryRow], mut out: Vec<usize>, view: &ViewState, judge: Judge) -> Vec<usize> {
    let desc = view.descending;
    match view.sort {
        SortColumn::DaysLeft => {
            // Unknown expiry sorts after every known one, whichever the direction.
            let mut keyed: Vec<((bool, i64), &str, &str, usize)> = out
                .iter()
                .map(|&i| {
                    let r = &rows[i];
                    let days = days_left_at(r, judge.now).map_or((true, 0), |d| (false, if desc { -d } else { d }));
                    (days, r.name.as_str(), r.id.as_str(), i)
                })
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|k| k.3).collect()
        }
        SortColumn::Name => {
            let mut keyed: Vec<(String, &str, &str, usize)> = out
                .iter()
                .map(|&i| (rows[i].name.to_lowercase(), rows[i].name.as_str(), rows[i].id.as_str(), i))
                .collect();
            keyed.sort_unstable_by(|a, b| {
                let ord = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
                ord.then_with(|| a.1.cmp(b.1)).then_with(|| a.2.cmp(b.2))
            });
            keyed.into_iter().map(|k| k.3).collect()
        }
        column => {
            // Unstable is enough: name and id make the order total.
            out.sort_unstable_by(|&a, &b| {
                let (x, y) = (&rows[a], &rows[b]);
                let ord = match column {
                    SortColumn::Service => x.service.label().cmp(y.service.label()),
                    SortColumn::Profile => x.profile.cmp(&y.profile),
                    SortColumn::Region => x.region.cmp(&y.region),
                    SortColumn::Id => x.id.cmp(&y.id),
                    SortColumn::Engine => (&x.engine, &x.engine_version).cmp(&(&y.engine, &y.engine_version)),
                    SortColumn::Status => x.status.cmp(&y.status),
                    SortColumn::Ssl | SortColumn::Name | SortColumn::DaysLeft => x.ssl.label().cmp(y.ssl.label()),
                };
                let ord = if desc { ord.reverse() } else { ord };
                ord.then_with(|| x.name.cmp(&y.name)).then_with(|| x.id.cmp(&y.id))
            });
            out
        }
    }
}

/// Counts for the summary bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// All rows.
    pub total: usize,
    /// Past expiry.
    pub expired: usize,
    /// Within the warning threshold.
    pub expiring: usize,
    /// Valid beyond the threshold.
    pub valid: usize,
    /// Revoked by their CA.
    pub revoked: usize,
    /// Frozen by the cloud.
    pub frozen: usize,
    /// Not valid yet.
    pub not_yet_valid: usize,
    /// SSL off.
    pub ssl_off: usize,
    /// Rows with a problem (see [`has_problem`]).
    pub with_problems: usize,
    /// Rows not refreshed by the last refresh.
    pub stale: usize,
}

/// Counts rows by state.
pub fn summarize(rows: &[InventoryRow], judge: Judge, is_stale: impl Fn(&InventoryRow) -> bool) -> Summary {
    let mut s = Summary { total: rows.len(), ..Summary::default() };
    for r in rows {
        let is_stale = is_stale(r);
        s.stale += usize::from(is_stale);
        // A revoked or frozen certificate is that, not "valid" however far its expiry is.
        match judge.assess(r).state() {
            Some(Validity::Expired) => s.expired += 1,
            Some(Validity::Expiring) => s.expiring += 1,
            Some(Validity::Valid) if !r.has_problem_status() => s.valid += 1,
            Some(Validity::Revoked) => s.revoked += 1,
            Some(Validity::Frozen) => s.frozen += 1,
            Some(Validity::NotYetValid) => s.not_yet_valid += 1,
            Some(Validity::Valid) | None => {}
        }
        if r.ssl == SslStatus::Off {
            s.ssl_off += 1;
        }
        if has_problem(r, is_stale) {
            s.with_problems += 1;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use time::macros::datetime;

    use super::*;
    use crate::inventory::policy::Thresholds;

    fn row(name: &str, days: Option<i64>) -> InventoryRow {
        let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
            "service": "dcs", "profile": "Prod", "region": "eu-de", "name": name, "id": format!("id-{name}"),
            "engine": "Redis", "engine_version": "6.0", "status": "RUNNING", "ssl": "on", "expires_at": null,
            "validated": null, "endpoint": "", "note": ""
        }))
        .unwrap();
        if let Some(d) = days {
            r.set_expiry(None, datetime!(2026-12-07 12:00 UTC) + time::Duration::days(d));
        }
        r
    }

    fn judge(warn_days: i64) -> Judge {
        Judge { thresholds: Thresholds { warn_days, critical_days: 7 }, now: datetime!(2026-12-07 08:00 UTC) }
    }

    #[test]
    fn the_search_ignores_case_in_every_column_also_beyond_ascii() {
        let rows = [row("Redis-ÄRGER", Some(3)), row("cache", Some(50))];
        let shown = |search: &str| {
            let view = ViewState { search: search.into(), ..ViewState::default() };
            visible_rows(&rows, &view, judge(30))
        };
        assert_eq!(shown("redis-ä"), [0]);
        assert_eq!(shown("PROD eu-DE cache"), [1], "every word, any column");
        assert_eq!(shown("ärger"), [0]);
        assert_eq!(shown("nothing"), Vec::<usize>::new());
        assert!(contains_folded("ABC", "") && contains_folded("xAbCx", "abc") && !contains_folded("ab", "abc"));
    }

    #[test]
    fn sorts_by_name_without_case_and_unknown_expiry_goes_last_both_ways() {
        let rows = [row("b", Some(5)), row("A", None), row("c", Some(1))];
        let mut view = ViewState { sort: SortColumn::Name, ..ViewState::default() };
        assert_eq!(visible_rows(&rows, &view, judge(30)), [1, 0, 2]);
        view.sort = SortColumn::DaysLeft;
        assert_eq!(visible_rows(&rows, &view, judge(30)), [2, 0, 1]);
        view.descending = true;
        assert_eq!(visible_rows(&rows, &view, judge(30)), [0, 2, 1]);
    }

    #[test]
    fn the_expiring_filter_follows_the_thresholds() {
        let rows = [row("soon", Some(3)), row("later", Some(40)), row("gone", Some(-2))];
        let view =
            ViewState { quick: QuickFilters { expiring: true, ..QuickFilters::default() }, ..ViewState::default() };
        assert_eq!(visible_rows(&rows, &view, judge(30)), [0]);
        assert_eq!(visible_rows(&rows, &view, judge(45)), [0, 1]);
        let expired =
            ViewState { quick: QuickFilters { expired: true, ..QuickFilters::default() }, ..ViewState::default() };
        assert_eq!(visible_rows(&rows, &expired, judge(45)), [2]);
        let mut frozen = row("iced", Some(-5));
        frozen.frozen = true;
        let rows = [frozen, row("fine", Some(100))];
        assert_eq!(visible_rows(&rows, &expired, judge(30)), [0], "frozen and past its date: expired too");
    }
}
