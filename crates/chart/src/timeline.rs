//! The Fahrplan's timeline: one row per milestone with its label (number, title), a bar for a span,
//! a diamond for a day, an arrow for „ab …“ (open end), a dashed line for today; done milestones
//! drawn solid, others as outlines with their state in words, so colour is never the only sign.

use crate::text::wrap;
use crate::{FONT, Frame, SMALL, esc};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

/// One row of the timeline.
#[derive(Debug, Clone)]
pub struct Step {
    /// Label: number and title.
    pub label: String,
    /// First and last day, whether open-ended, whether a single day (None: no time given).
    pub span: Option<(NaiveDate, NaiveDate, bool, bool)>,
    /// Done (drawn solid).
    pub done: bool,
    /// The state in words, drawn after the mark.
    pub state: String,
}

/// Days to x positions.
struct Scale {
    x0: f64,
    x1: f64,
    start: NaiveDate,
    days: f64,
}

impl Scale {
    /// The x of a day.
    fn x(&self, d: NaiveDate) -> f64 {
        self.x0 + (self.x1 - self.x0) * (d - self.start).num_days() as f64 / self.days
    }
}

/// The years on the axis: a line at each new year (to the height `{H}` filled in later) and the
/// year's number between.
fn axis(body: &mut String, sc: &Scale, first: i32, last: i32, y: f64) {
    for year in first..=last {
        let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) else {
            continue;
        };
        let _ = write!(
            body,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{{H}}\" stroke=\"#ccc\"/>",
            sc.x(d),
            y - 4.0
        );
        if let (true, Some(next)) = (year < last, NaiveDate::from_ymd_opt(year + 1, 1, 1)) {
            let mid = (sc.x(d) + sc.x(next)) / 2.0;
            let _ = write!(
                body,
                "<text x=\"{mid:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{SMALL}\" fill=\"#333\">{year}</text>",
                y - 8.0
            );
        }
    }
}

/// One row at `y`: label, mark and state; returns its height.
fn row(body: &mut String, f: &Frame, sc: &Scale, s: &Step, y: f64, label_w: f64) -> f64 {
    let font = if f.narrow() { SMALL } else { FONT };
    let lines = wrap(&s.label, label_w, font);
    let row_h = (lines.len() as f64 * 16.0).max(20.0) + 8.0;
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            body,
            "<text x=\"8\" y=\"{:.1}\" font-size=\"{font}\" fill=\"#1a1a1a\">{}</text>",
            y + 14.0 + i as f64 * 16.0,
            esc(l)
        );
    }
    let mid = y + 10.0;
    let (fill, stroke) = if s.done {
        ("#0b5394", "#0b5394")
    } else {
        ("#fff", "#0b5394")
    };
    let end_x = match s.span {
        None => {
            let _ = write!(
                body,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SMALL}\" fill=\"#4a4a4a\">ohne Termin · {}</text>",
                sc.x0,
                mid + 4.0,
                esc(&s.state)
            );
            return row_h;
        }
        Some((a, _, _, true)) => {
            let cx = sc.x(a);
            let _ = write!(
                body,
                "<path d=\"M{cx:.1} {:.1} l7 7 l-7 7 l-7 -7 z\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
                mid - 7.0
            );
            cx + 10.0
        }
        Some((a, b, open, false)) => {
            let (xa, xb) = (sc.x(a), if open { sc.x1 - 10.0 } else { sc.x(b) });
            let _ = write!(
                body,
                "<rect x=\"{xa:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"2\"/>",
                mid - 6.0,
                (xb - xa).max(3.0)
            );
            if open {
                let _ = write!(
                    body,
                    "<path d=\"M{xb:.1} {:.1} l10 8 l-10 8 z\" fill=\"{stroke}\"/>",
                    mid - 8.0
                );
            }
            xb + 12.0
        }
    };
    // The state after the mark, or below it when there is no room.
    let below = end_x + 90.0 > f.width;
    let (sx, sy) = if below {
        (sc.x0, mid + 20.0)
    } else {
        (end_x, mid + 4.0)
    };
    let _ = write!(
        body,
        "<text x=\"{sx:.1}\" y=\"{sy:.1}\" font-size=\"{SMALL}\" fill=\"#4a4a4a\">{}</text>",
        esc(&s.state)
    );
    row_h + if below { 14.0 } else { 0.0 }
}

/// Draws the timeline for the frame's width; `today` gets a dashed line when it lies in the range.
pub fn timeline(f: &Frame, steps: &[Step], today: NaiveDate) -> String {
    let label_w = if f.narrow() { 130.0 } else { 260.0 };
    let dated: Vec<(NaiveDate, NaiveDate)> = steps
        .iter()
        .filter_map(|s| s.span.map(|(a, b, _, _)| (a, b)))
        .collect();
    let lo = dated.iter().map(|d| d.0).min().unwrap_or(today).min(today);
    let hi = dated.iter().map(|d| d.1).max().unwrap_or(today).max(today);
    let (first, last) = (lo.year(), hi.year() + 1);
    let start = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or(lo);
    let end = NaiveDate::from_ymd_opt(last, 1, 1).unwrap_or(hi);
    let sc = Scale {
        x0: label_w + 12.0,
        x1: f.width - 12.0,
        start,
        days: (end - start).num_days().max(1) as f64,
    };
    let mut body = String::new();
    axis(&mut body, &sc, first, last, 20.0);
    let mut y = 28.0;
    for s in steps {
        y += row(&mut body, f, &sc, s, y, label_w);
    }
    let h = y + 24.0;
    if today >= start && today <= end {
        let tx = sc.x(today);
        let _ = write!(
            body,
            "<line x1=\"{tx:.1}\" x2=\"{tx:.1}\" y1=\"16\" y2=\"{:.1}\" stroke=\"#a00000\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\
             <text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{SMALL}\" fill=\"#a00000\">{}</text>",
            h - 18.0,
            h - 4.0,
            kimo_model::lang::t("heute")
        );
    }
    let body = body.replace("{H}", &format!("{:.1}", h - 18.0));
    f.finish("", &body, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeline_has_its_text_alternative_marks_and_today() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let f = Frame {
            id: "fahrplan".into(),
            title: "Fahrplan".into(),
            desc: "Zeitleiste der Meilensteine".into(),
            width: crate::WIDE,
            ..Default::default()
        };
        let steps = [
            Step {
                label: "2.1 Vorstellung im AKI".into(),
                span: Some((d(2025, 10, 16), d(2025, 10, 16), false, true)),
                done: true,
                state: "erledigt".into(),
            },
            Step {
                label: "5 Arbeit mit dem Integrationskonzept".into(),
                span: Some((d(2027, 1, 1), d(2027, 12, 31), true, false)),
                done: false,
                state: "geplant".into(),
            },
            Step {
                label: "2.5 Diskussion des Entwurfes".into(),
                span: None,
                done: false,
                state: "laufend".into(),
            },
        ];
        let svg = timeline(&f, &steps, d(2026, 12, 2));
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains("<desc id=\"fahrplan-d\">Zeitleiste der Meilensteine</desc>")
        );
        assert!(svg.contains(">heute</text>"));
        assert!(svg.contains("ohne Termin · laufend"));
        assert_eq!(
            svg.matches("<path d=\"M").count(),
            2,
            "a diamond and an arrow"
        );
        for year in ["2025", "2026", "2027"] {
            assert!(svg.contains(&format!(">{year}</text>")), "{year}");
        }
    }
}
