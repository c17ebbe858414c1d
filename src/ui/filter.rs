//! Which rows the table shows and in what order: search over every column, quick filters, sort.
//! Pure functions over the rows, so the UI stays thin and the bench can time them.

use serde::{Deserialize, Serialize};

use crate::certs::summary::Validity;
use crate::inventory::policy::{Judge, Severity, days_left_at};
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
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    words.iter().all(|w| fields.iter().any(|f| f.contains(w.as_str())))
}

/// Whether a row has a problem: a status that is not a working one (revoked, frozen, abnormal), a
/// note from the cloud, or stale.
pub fn has_problem(row: &InventoryRow, stale: bool) -> bool {
    stale || !row.note.is_empty() || row.has_problem_status()
}

fn matches_quick(row: &InventoryRow, severity: Severity, q: QuickFilters, marks: RowMarks) -> bool {
    let any = q.expired || q.expiring || q.ssl_off || q.errors || q.changed;
    !any || (q.expired && severity == Severity::Expired)
        || (q.expiring && matches!(severity, Severity::Warning | Severity::Critical))
        || (q.ssl_off && row.ssl == SslStatus::Off)
        || (q.errors && has_problem(row, marks.stale))
        || (q.changed && marks.changed)
}

fn matches(row: &InventoryRow, view: &ViewState, judge: Judge, words: &[String], marks: RowMarks) -> bool {
    if !matches_search(row, words) {
        return false;
    }
    let severity = judge.assess(row);
    matches_quick(row, severity, view.quick, marks)
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
    let mut out: Vec<usize> =
        (0..rows.len()).filter(|&i| matches(&rows[i], view, judge, &words, marks(&rows[i]))).collect();
    let now = judge.now;
    out.sort_by(|&a, &b| {
        let (x, y) = (&rows[a], &rows[b]);
        let ord = match view.sort {
            SortColumn::Service => x.service.label().cmp(y.service.label()),
            SortColumn::Profile => x.profile.cmp(&y.profile),
            SortColumn::Region => x.region.cmp(&y.region),
            SortColumn::Name => x.name.to_lowercase().cmp(&y.name.to_lowercase()),
            SortColumn::Id => x.id.cmp(&y.id),
            SortColumn::Engine => (&x.engine, &x.engine_version).cmp(&(&y.engine, &y.engine_version)),
            SortColumn::Status => x.status.cmp(&y.status),
            SortColumn::Ssl => x.ssl.label().cmp(y.ssl.label()),
            // Unknown expiry sorts after every known one, whichever the direction.
            SortColumn::DaysLeft => match (days_left_at(x, now), days_left_at(y, now)) {
                (Some(p), Some(q)) => p.cmp(&q),
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        let ord = if view.descending { ord.reverse() } else { ord };
        ord.then_with(|| x.name.cmp(&y.name)).then_with(|| x.id.cmp(&y.id))
    });
    out
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
