//! What changed between two looks at the estate: new, removed, renewed, newly expiring, newly
//! expired, SSL switched. Only parts that answered both times are compared, so a region that
//! failed never shows its items as removed.

use std::collections::{HashMap, HashSet};

use time::OffsetDateTime;

use super::policy::{Severity, Thresholds, assess, is_past_expiry};
use super::{InventoryRow, SslStatus};
use crate::cloud::Service;

/// What identifies an item across refreshes: profile, service, region and id.
pub type ItemKey = (String, Service, String, String);

/// The key of a row.
pub fn item_key(row: &InventoryRow) -> ItemKey {
    (row.profile.clone(), row.service, row.region.clone(), row.id.clone())
}

/// One change of one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Change {
    /// Not there before.
    New,
    /// Its expiry moved later by more than a day, and it is valid (a renewed or replaced certificate).
    Renewed,
    /// Its expiry moved earlier by more than a day (replaced by a shorter one, or reissued).
    ExpiresSooner,
    /// It entered the warning window.
    NowExpiring,
    /// It expired.
    NowExpired,
    /// SSL was switched on or off.
    SslSwitched,
}

impl Change {
    /// Every kind, in the order the summary lists them.
    pub const ALL: [Self; 6] =
        [Self::Renewed, Self::New, Self::NowExpiring, Self::NowExpired, Self::ExpiresSooner, Self::SslSwitched];

    /// The badge on the row.
    pub fn badge(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Renewed => "renewed",
            Self::ExpiresSooner => "expires sooner",
            Self::NowExpiring => "now expiring",
            Self::NowExpired => "now expired",
            Self::SslSwitched => "SSL switched",
        }
    }
}

/// The changes of one refresh against the look before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// When the earlier look was taken.
    pub since: Option<OffsetDateTime>,
    /// The changes of each item still there.
    pub items: HashMap<ItemKey, Vec<Change>>,
    /// Items gone from parts that answered both times.
    pub removed: Vec<InventoryRow>,
}

impl Changes {
    /// Items with a change of this kind.
    pub fn count(&self, kind: Change) -> usize {
        self.items.values().filter(|c| c.contains(&kind)).count()
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.removed.is_empty()
    }

    /// "2 renewed, 1 new, 3 now expiring, 1 removed", or "no changes".
    pub fn words(&self) -> String {
        let mut parts: Vec<String> = Change::ALL
            .iter()
            .map(|&k| (self.count(k), k))
            .filter(|(n, _)| *n > 0)
            .map(|(n, k)| format!("{n} {}", k.badge()))
            .collect();
        if !self.removed.is_empty() {
            parts.push(format!("{} removed", self.removed.len()));
        }
        if parts.is_empty() { "no changes".into() } else { parts.join(", ") }
    }

    /// The changes of a row.
    pub fn of(&self, row: &InventoryRow) -> &[Change] {
        // Asked for every row shown; most refreshes change nothing, and the key is three strings.
        if self.items.is_empty() {
            return &[];
        }
        self.items.get(&item_key(row)).map_or(&[], Vec::as_slice)
    }
}

/// Compares the rows of a refresh at `now` with the rows before it, judged as they stood at
/// `since` (or at `now` when that is unknown). `answered` says which parts (profile, region,
/// service) answered this time: only their items can be new or removed.
pub fn compare(
    previous: &[InventoryRow],
    current: &[InventoryRow],
    answered: impl Fn(&InventoryRow) -> bool,
    thresholds: Thresholds,
    since: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Changes {
    let then = since.unwrap_or(now);
    let before: HashMap<ItemKey, &InventoryRow> = previous.iter().map(|r| (item_key(r), r)).collect();
    let mut items: HashMap<ItemKey, Vec<Change>> = HashMap::new();
    let mut seen = HashSet::new();
    for row in current {
        let key = item_key(row);
        seen.insert(key.clone());
        let changes = match before.get(&key) {
            None if answered(row) => vec![Change::New],
            None => Vec::new(),
            Some(old) => changes_of((old, then), (row, now), thresholds),
        };
        if !changes.is_empty() {
            items.insert(key, changes);
        }
    }
    let removed = previous.iter().filter(|r| answered(r) && !seen.contains(&item_key(r))).cloned().collect::<Vec<_>>();
    Changes { since, items, removed }
}

fn changes_of(
    (old, then): (&InventoryRow, OffsetDateTime),
    (new, now): (&InventoryRow, OffsetDateTime),
    t: Thresholds,
) -> Vec<Change> {
    let mut out = Vec::new();
    let (was, is) = (assess(old, then, t), assess(new, now, t));
    // A day's slack: a cloud that reissues the same date with another time of day renewed nothing.
    // Compared as a difference: adding a day to 9999-12-31 (RFC 5280's "no expiry") has no date.
    if let (Some(a), Some(b)) = (old.expires_at, new.expires_at) {
        let moved = b - a;
        if moved > time::Duration::days(1) && !is_past_expiry(new, now) {
            out.push(Change::Renewed);
        } else if moved < -time::Duration::days(1) {
            out.push(Change::ExpiresSooner);
        }
    }
    let expiring = |s: Severity| matches!(s, Severity::Warning | Severity::Critical);
    if expiring(is) && !expiring(was) && !is_past_expiry(old, then) {
        out.push(Change::NowExpiring);
    }
    // Past its date, whatever else it is: a frozen certificate that runs out is news too.
    if is_past_expiry(new, now) && !is_past_expiry(old, then) {
        out.push(Change::NowExpired);
    }
    let known = |s: SslStatus| matches!(s, SslStatus::On | SslStatus::Off);
    if known(old.ssl) && known(new.ssl) && old.ssl != new.ssl {
        out.push(Change::SslSwitched);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const THEN: OffsetDateTime = time::macros::datetime!(2026-11-30 12:00 UTC);

    fn row(id: &str, days: i64, ssl: SslStatus) -> InventoryRow {
        let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
            "service": "dcs", "profile": "p", "region": "eu-de", "name": id, "id": id, "engine": "Redis",
            "engine_version": "6.0", "status": "RUNNING", "ssl": "on", "expires_at": null,
            "validated": null, "endpoint": "", "note": ""
        }))
        .unwrap();
        r.ssl = ssl;
        r.set_expiry(None, THEN + time::Duration::days(days) + time::Duration::hours(1));
        r
    }

    #[test]
    fn each_kind_of_change_is_found_once_and_parts_that_did_not_answer_remove_nothing() {
        let before = vec![
            row("renewed", 10, SslStatus::On),
            row("entering", 40, SslStatus::On),
            row("expiring", -0, SslStatus::On),
            row("switched", 200, SslStatus::On),
            row("gone", 100, SslStatus::On),
            row("quiet", 100, SslStatus::On),
            row("shortened", 300, SslStatus::On),
            row("still-expired", -20, SslStatus::On),
        ];
        let mut other_region = row("elsewhere", 100, SslStatus::On);
        other_region.region = "eu-nl".into();
        let mut previous = before.clone();
        previous.push(other_region);
        let after = vec![
            row("renewed", 400, SslStatus::On),
            // Twenty days passed, the dates stayed: 40 days left are 20 now, the last day went by.
            row("entering", 40, SslStatus::On),
            row("expiring", -0, SslStatus::On),
            row("switched", 200, SslStatus::Off),
            row("quiet", 100, SslStatus::On),
            row("added", 50, SslStatus::On),
            row("shortened", 100, SslStatus::On),
            row("still-expired", -10, SslStatus::On),
        ];
        let now = THEN + time::Duration::days(20);
        let changes = compare(&previous, &after, |r| r.region == "eu-de", Thresholds::default(), Some(THEN), now);
        let of = |id: &str| changes.of(after.iter().find(|r| r.id == id).unwrap()).to_vec();
        assert_eq!(of("renewed"), [Change::Renewed]);
        assert_eq!(of("entering"), [Change::NowExpiring]);
        assert_eq!(of("expiring"), [Change::NowExpired]);
        assert_eq!(of("switched"), [Change::SslSwitched]);
        assert_eq!(of("added"), [Change::New]);
        assert!(of("quiet").is_empty());
        assert_eq!(of("shortened"), [Change::ExpiresSooner]);
        assert!(of("still-expired").is_empty(), "a later date that is still past renewed nothing");
        assert_eq!(changes.removed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["gone"]);
        assert_eq!(
            changes.words(),
            "1 renewed, 1 new, 1 now expiring, 1 now expired, 1 expires sooner, 1 SSL switched, 1 removed"
        );
    }
}
