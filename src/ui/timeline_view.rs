//! The expiry timeline: one bar per week for the coming year (and one for the overdue), stacked by
//! service; hovering names the counts, clicking a bar filters the table to that week.

use egui_plot::{Bar, BarChart, Plot, PlotPoint, PlotTransform, Text, VLine};
use time::{Date, Duration};

use super::filter::ExpiryWindow;
use super::tokens;
use crate::cloud::Service;
use crate::inventory::InventoryRow;
use crate::inventory::policy::{Judge, Severity};

/// Weeks shown ahead (a year and a bit, so this week next year is on it).
pub const WEEKS: usize = 53;
/// The services stacked, bottom first, and their names in hover texts.
const SERVICES: [(Service, &str); 5] = [
    (Service::Dcs, "DCS"),
    (Service::GeminiDb, "GeminiDB"),
    (Service::Ccm, "private certificates"),
    (Service::Elb, "load balancers"),
    (Service::Scm, "SCM"),
];
/// The overdue bar's place on the x axis (weeks are 0..WEEKS).
const OVERDUE_X: f64 = -1.5;

/// Counts per bar and service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// Monday of this week (UTC): week 0 starts then.
    pub first_monday: Date,
    /// Expired items per service.
    pub overdue: [usize; 5],
    /// Items expiring in each week, per service.
    pub weeks: Vec<[usize; 5]>,
}

impl Timeline {
    /// Bins the rows by the week they expire in (as [`ExpiryWindow`] does, so a bar and the rows
    /// its click shows always agree).
    pub fn of(rows: &[InventoryRow], judge: Judge) -> Self {
        let today = crate::certs::summary::utc_date(judge.now);
        let first_monday = week_start(today, 0).unwrap_or(today);
        let mut timeline = Self { first_monday, overdue: [0; 5], weeks: vec![[0; 5]; WEEKS] };
        for row in rows {
            let Some(s) = SERVICES.iter().position(|(service, _)| *service == row.service) else { continue };
            let severity = judge.assess(row);
            if severity.is_unusable() {
                continue;
            }
            if severity == Severity::Expired {
                timeline.overdue[s] += 1;
            } else if let Some(at) = row.expires_at {
                let week = (crate::certs::summary::utc_date(at) - first_monday).whole_days().div_euclid(7);
                if let Some(bin) = usize::try_from(week).ok().and_then(|w| timeline.weeks.get_mut(w)) {
                    bin[s] += 1;
                }
            }
        }
        timeline
    }

    /// The window of bar `x` (as the plot places them).
    pub fn window_at(&self, x: f64) -> Option<ExpiryWindow> {
        if (x - OVERDUE_X).abs() <= 0.5 {
            return Some(ExpiryWindow::Overdue);
        }
        let week = x.round();
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_precision_loss,
            reason = "a week number, checked to be 0..WEEKS"
        )]
        ((0.0..WEEKS as f64).contains(&week) && (x - week).abs() <= 0.45)
            .then(|| week_start(self.first_monday, week as i64).map(ExpiryWindow::Week))
            .flatten()
    }

    /// Where bar `window` stands on the x axis, and its total height.
    pub fn bar_of(&self, window: ExpiryWindow) -> Option<(f64, usize)> {
        match window {
            ExpiryWindow::Overdue => Some((OVERDUE_X, self.overdue.iter().sum())),
            ExpiryWindow::Week(monday) => {
                let week = usize::try_from((monday - self.first_monday).whole_days() / 7).ok()?;
                let counts = self.weeks.get(week)?;
                #[expect(clippy::cast_precision_loss, reason = "a week number")]
                Some((week as f64, counts.iter().sum()))
            }
        }
    }
}

/// What the timeline keeps between frames: where its plot was drawn (tests click its bars).
#[derive(Default)]
pub struct TimelineView {
    /// The plot's transform and the timeline it drew, from the last frame.
    pub drawn: Option<(PlotTransform, Timeline)>,
}

impl TimelineView {
    /// The screen position of a bar's middle, as last drawn.
    pub fn bar_center(&self, window: ExpiryWindow) -> Option<egui::Pos2> {
        let (transform, timeline) = self.drawn.as_ref()?;
        let (x, height) = timeline.bar_of(window)?;
        #[expect(clippy::cast_precision_loss, reason = "a count of items")]
        Some(transform.position_from_point(&PlotPoint::new(x, height as f64 / 2.0)))
    }
}

/// The timeline panel above the table; a click on a bar sets `window`.
pub fn timeline_ui(ui: &mut egui::Ui, timeline: &Timeline, window: &mut Option<ExpiryWindow>, view: &mut TimelineView) {
    let palette = tokens::palette(ui.visuals().dark_mode);
    egui::Panel::top("timeline").resizable(true).default_size(tokens::TIMELINE_HEIGHT).show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.strong("Expiries by week");
            ui.weak("(click a bar to list what expires then)");
            for (i, (_, name)) in SERVICES.iter().enumerate() {
                ui.colored_label(palette.services[i], *name);
            }
        });
        let first = timeline.first_monday;
        let mut charts: Vec<BarChart> = Vec::new();
        for (i, (_, name)) in SERVICES.iter().enumerate() {
            // Solid bars (the plot's default fill is faint): the colours are the design tokens'.
            let color = palette.services[i];
            let mut bars = vec![Bar::new(OVERDUE_X, count_f64(timeline.overdue[i])).name("overdue").fill(color)];
            for (w, counts) in timeline.weeks.iter().enumerate() {
                #[expect(clippy::cast_precision_loss, reason = "a week number")]
                let x = w as f64;
                let monday = week_start(first, i64::try_from(w).unwrap_or(0));
                let name = monday.map(|m| format!("week of {m}")).unwrap_or_default();
                bars.push(Bar::new(x, count_f64(counts[i])).name(name).fill(color));
            }
            let service = *name;
            let chart = BarChart::new(service, bars)
                .color(palette.services[i])
                .width(0.8)
                .element_formatter(Box::new(move |bar, _| format!("{}: {} {service}", bar.name, bar.value)));
            let refs: Vec<&BarChart> = charts.iter().collect();
            let chart = chart.stack_on(&refs);
            charts.push(chart);
        }
        let response = Plot::new("expiry-timeline")
            .height(ui.available_height().max(60.0))
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            // Hover names a bar's count (egui_plot hovers only when one axis is shown); the bare
            // coordinates between bars say nothing, so they get no label.
            .show_x(false)
            .show_y(true)
            .label_formatter(|_| None)
            .include_x(OVERDUE_X - 0.6)
            .include_x(count_f64(WEEKS))
            .include_y(0.0)
            .include_y(1.0)
            .x_axis_formatter(move |mark, _| axis_label(first, mark.value))
            .show(ui, |plot| {
                for chart in charts {
                    plot.bar_chart(chart);
                }
                // The overdue bar stands apart from the weeks, and says what it is.
                plot.vline(VLine::new("now", -0.75).color(palette.muted).width(1.0));
                let top = count_f64(timeline.overdue.iter().sum()) + 0.4;
                let label = egui::RichText::new("overdue").small().color(palette.expired);
                plot.text(Text::new("overdue", PlotPoint::new(OVERDUE_X, top), label));
            });
        if response.response.clicked()
            && let Some(pointer) = response.response.interact_pointer_pos()
        {
            let x = response.transform.value_from_position(pointer).x;
            if let Some(clicked) = timeline.window_at(x) {
                *window = if *window == Some(clicked) { None } else { Some(clicked) };
            }
        }
        view.drawn = Some((response.transform, timeline.clone()));
    });
}

fn count_f64(n: usize) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "a count of items or weeks")]
    let n = n as f64;
    n
}

/// "overdue" under the overdue bar, the week's Monday (month and day) under the others.
fn axis_label(first_monday: Date, x: f64) -> String {
    if (x - OVERDUE_X).abs() < 0.6 {
        return "overdue".into();
    }
    // The axis can be panned and zoomed far out: only a week that has a date gets a label.
    if !(0.0..=f64::from(u16::MAX)).contains(&x) || x.fract() != 0.0 {
        return String::new();
    }
    #[expect(clippy::cast_possible_truncation, reason = "a week number on the axis, checked above")]
    week_start(first_monday, x as i64)
        .map_or_else(String::new, |day| format!("{} {}", &day.month().to_string()[..3], day.day()))
}

/// The Monday of the week `weeks` after the one `day` is in; `None` past the calendar's end
/// (a clock or an axis at the year 9999).
fn week_start(day: Date, weeks: i64) -> Option<Date> {
    let monday = day.checked_sub(Duration::days(i64::from(day.weekday().number_days_from_monday())))?;
    monday.checked_add(Duration::days(weeks.checked_mul(7)?.clamp(-4_000_000, 4_000_000)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn rows_fall_in_the_week_they_expire_in_and_a_bar_names_the_rows_its_click_shows() {
        let now = time::macros::datetime!(2026-11-30 10:00 UTC); // a Monday
        let row = |service, days: i64| {
            let mut r: InventoryRow = serde_json::from_value(serde_json::json!({
                "service": service, "profile": "p", "region": "eu-de", "name": "n", "id": "i", "engine": "",
                "engine_version": "", "status": "", "ssl": "on", "expires_at": null,
                "validated": null, "endpoint": "", "note": ""
            }))
            .unwrap();
            r.set_expiry(None, now + Duration::days(days));
            r
        };
        let rows = vec![row("dcs", 0), row("dcs", 6), row("gemini-db", 7), row("ccm", -3), row("ccm", 400)];
        let judge = Judge { thresholds: crate::inventory::policy::Thresholds::default(), now };
        let t = Timeline::of(&rows, judge);
        assert_eq!(t.first_monday, time::macros::date!(2026 - 11 - 30));
        assert_eq!(t.overdue, [0, 0, 1, 0, 0]);
        assert_eq!(t.weeks[0], [2, 0, 0, 0, 0]);
        assert_eq!(t.weeks[1], [0, 1, 0, 0, 0]);
        assert_eq!(t.weeks.iter().flatten().sum::<usize>(), 3, "beyond a year is not on it");
        let week1 = t.window_at(1.2).unwrap();
        assert_eq!(week1, ExpiryWindow::Week(time::macros::date!(2026 - 12 - 07)));
        assert_eq!(rows.iter().filter(|r| week1.contains(r, judge.assess(r))).count(), 1);
        assert_eq!(t.window_at(OVERDUE_X), Some(ExpiryWindow::Overdue));
        assert_eq!(t.window_at(0.5), None, "between bars");
        assert_eq!(t.bar_of(ExpiryWindow::Week(t.first_monday)), Some((0.0, 2)));
    }
}
