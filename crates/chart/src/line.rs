//! The line chart over time: direct labels at the lines' right ends (up to four lines) or a wrapped
//! legend, period labels thinned to fit, and a mark when the value axis does not start at zero.

use crate::text::{text_width, wrap};
use crate::{FONT, Frame, PALETTE, SMALL, esc, ticks};
use kimo_model::{Unit, format_number};
use std::fmt::Write;

const DASHES: [&str; 8] = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3"];
/// Most lines labelled directly at their end; more get a legend.
const DIRECT_LABELS: usize = 4;
/// Line height of wrapped labels.
const LABEL_LINE: f64 = 16.0;

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Label (at the line's end or in the legend).
    pub label: String,
    /// (position on the time axis, axis label, value).
    pub points: Vec<(f64, String, Option<f64>)>,
    /// Drawn thicker (e.g. the whole city).
    pub emphasis: bool,
}

/// The plot area of a line chart and the value ranges it shows.
struct Plot {
    width: f64,
    left: f64,
    right: f64,
    top: f64,
    height: f64,
    x0: f64,
    x1: f64,
    /// Value axis ticks, lowest first; their first and last are the axis range.
    ticks: Vec<f64>,
}

impl Plot {
    fn bottom(&self) -> f64 {
        self.top + self.height
    }
    fn x(&self, x: f64) -> f64 {
        let pw = self.width - self.left - self.right;
        if self.x1 > self.x0 {
            self.left + (x - self.x0) / (self.x1 - self.x0) * pw
        } else {
            self.left + pw / 2.0
        }
    }
    fn y(&self, y: f64) -> f64 {
        let lo = self.ticks.first().copied().unwrap_or(0.0);
        let hi = self.ticks.last().copied().unwrap_or(1.0);
        self.bottom() - (y - lo) / (hi - lo).max(1e-9) * self.height
    }
    /// Whether the value axis leaves out zero (its range lies wholly above or below it).
    fn cut(&self) -> bool {
        self.ticks.first().is_some_and(|t| *t > 0.0) || self.ticks.last().is_some_and(|t| *t < 0.0)
    }
    fn tick_decimals(&self) -> usize {
        let step = if self.ticks.len() > 1 {
            self.ticks[1] - self.ticks[0]
        } else {
            1.0
        };
        match step {
            s if s >= 1.0 => 0,
            s if s >= 0.1 => 1,
            _ => 2,
        }
    }
}

/// The smallest and largest of some numbers; None when there are none.
fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
    })
}

/// Scales for the series: the time span of all points and round ticks over the values (from zero
/// unless the lowest value is well above it). None when there is nothing to draw.
fn plot_of(series: &[Series], f: &Frame, right: f64) -> Option<Plot> {
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let ys = series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.2));
    let (x0, x1) = min_max(xs)?;
    let (mut y0, y1) = min_max(ys)?;
    if y0 > 0.0 && y0 < y1 * 0.6 {
        y0 = 0.0;
    }
    let ticks = ticks(y0, y1, if f.narrow() { 4 } else { 5 });
    let mut plot = Plot {
        width: f.width,
        left: 0.0,
        right,
        top: 26.0,
        height: if f.narrow() { 220.0 } else { 280.0 },
        x0,
        x1,
        ticks,
    };
    let dec = plot.tick_decimals();
    let widest = plot
        .ticks
        .iter()
        .map(|t| text_width(&format_number(*t, dec), FONT))
        .fold(0.0, f64::max);
    plot.left = (widest + 16.0).max(40.0);
    Some(plot)
}

/// A line chart over time, drawn for the frame's width; `NaN` and infinite values count as missing.
pub fn line_chart(f: &Frame, unit: &Unit, series: &[Series]) -> String {
    let finite: Vec<Series> = series
        .iter()
        .map(|s| Series {
            points: s
                .points
                .iter()
                .filter(|p| p.0.is_finite())
                .map(|(x, label, v)| (*x, label.clone(), crate::finite(*v)))
                .collect(),
            ..s.clone()
        })
        .collect();
    draw_line_chart(f, unit, &finite)
}

/// [`line_chart`] with finite values only.
fn draw_line_chart(f: &Frame, unit: &Unit, series: &[Series]) -> String {
    let labels = direct_labels(f, series);
    let right = labels.as_ref().map_or(0.0, |l| l.width) + 8.0;
    let axis_labels = axis_labels(series);
    let last_half = axis_labels
        .last()
        .map_or(0.0, |l| text_width(&l.1, SMALL) / 2.0 + 4.0);
    let Some(plot) = plot_of(series, f, right.max(last_half).max(16.0)) else {
        return f.finish("", "<text x=\"8\" y=\"24\">Keine Daten</text>", 36.0);
    };
    let mut s = String::new();
    value_axis(&mut s, &plot, unit);
    let mut y = time_axis(&mut s, &plot, &axis_labels);
    if plot.cut() {
        y = zero_note(&mut s, &plot, y);
    }
    for (i, se) in series.iter().enumerate() {
        line(&mut s, &plot, i, se, unit);
    }
    match labels {
        Some(l) => end_labels(&mut s, &plot, series, &l),
        None => y = legend(&mut s, f, series, y),
    }
    f.finish("", &s, y + 8.0)
}

/// Grid lines with tick labels, the value axis, and the unit above them.
fn value_axis(s: &mut String, plot: &Plot, unit: &Unit) {
    let dec = plot.tick_decimals();
    let (left, right) = (plot.left, plot.width - plot.right);
    for v in &plot.ticks {
        let y = plot.y(*v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d0d0d0\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            left - 8.0,
            y + 5.0,
            format_number(*v, dec)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"{}\" y2=\"{}\" stroke=\"#555\"/>\
         <text x=\"8\" y=\"14\" fill=\"#333\" font-size=\"{SMALL}\">{}</text>",
        plot.top,
        plot.bottom(),
        esc(unit.as_str())
    );
}

/// Every distinct time position with its label, in order.
fn axis_labels(series: &[Series]) -> Vec<(f64, String)> {
    let mut labels: Vec<(f64, String)> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| (p.0, p.1.clone())))
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    labels.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9);
    labels
}

/// Which of the labels centred at `xs` (with widths `widths`) to draw so that no two overlap: every
/// k-th from the first, the smallest k that fits, and the last if it does not collide.
pub fn thin_labels(xs: &[f64], widths: &[f64], gap: f64) -> Vec<usize> {
    let n = xs.len();
    let fits = |a: usize, b: usize| xs[b] - xs[a] >= (widths[a] + widths[b]) / 2.0 + gap;
    let every = (1..n.max(2))
        .find(|k| (0..n.saturating_sub(*k)).all(|i| fits(i, i + k)))
        .unwrap_or(n.max(1));
    let mut keep: Vec<usize> = (0..n).step_by(every).collect();
    if n > 1 && keep.last() != Some(&(n - 1)) {
        if keep.len() > 1 && !fits(keep[keep.len() - 1], n - 1) {
            keep.pop();
        }
        if keep.last().is_none_or(|l| fits(*l, n - 1)) {
            keep.push(n - 1);
        }
    }
    keep
}

/// The period labels (thinned) and the base line; returns the y below them.
fn time_axis(s: &mut String, plot: &Plot, labels: &[(f64, String)]) -> f64 {
    let xs: Vec<f64> = labels.iter().map(|l| plot.x(l.0)).collect();
    let widths: Vec<f64> = labels.iter().map(|l| text_width(&l.1, SMALL)).collect();
    for i in thin_labels(&xs, &widths, 8.0) {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\" font-size=\"{SMALL}\" class=\"axis-label\">{}</text>",
            xs[i],
            plot.bottom() + 18.0,
            esc(&labels[i].1)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{}\" x2=\"{}\" y1=\"{}\" y2=\"{}\" stroke=\"#555\"/>",
        plot.left,
        plot.width - plot.right,
        plot.bottom(),
        plot.bottom()
    );
    plot.bottom() + 26.0
}

/// A zig-zag break at the foot of the value axis and the words saying so; returns the y below.
fn zero_note(s: &mut String, plot: &Plot, y: f64) -> f64 {
    let (x, b) = (plot.left, plot.bottom() - 4.0);
    let _ = write!(
        s,
        "<path d=\"M{x},{b} l-6,-3 l12,-5 l-12,-5 l6,-3\" fill=\"none\" stroke=\"#fff\" stroke-width=\"5\"/>\
         <path d=\"M{x},{b} l-6,-3 l12,-5 l-12,-5 l6,-3\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\" class=\"axis-break\"/>\
         <text x=\"8\" y=\"{}\" font-size=\"{SMALL}\" fill=\"#333\" class=\"axis-note\">≈ {}</text>",
        y + 12.0,
        kimo_model::lang::t("Achse beginnt nicht bei 0")
    );
    y + 20.0
}

/// The look of series `i`: colour, dash pattern and stroke width.
fn line_style(i: usize, se: &Series) -> (&'static str, &'static str, f64) {
    let width = if se.emphasis { 3.0 } else { 2.0 };
    (PALETTE[i % PALETTE.len()], DASHES[i % DASHES.len()], width)
}

/// One series as a path (broken where a value is missing) with a marker and tooltip per value.
fn line(s: &mut String, plot: &Plot, i: usize, se: &Series, unit: &Unit) {
    let (colour, dash, width) = line_style(i, se);
    let mut d = String::new();
    let mut pen = false;
    for (x, _, y) in &se.points {
        match y {
            Some(y) => {
                let m = if pen { "L" } else { "M" };
                let _ = write!(d, "{m}{:.1},{:.1} ", plot.x(*x), plot.y(*y));
                pen = true;
            }
            None => pen = false,
        }
    }
    let _ = write!(
        s,
        "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{width}\" stroke-dasharray=\"{dash}\"/>",
        d.trim()
    );
    for (x, l, y) in &se.points {
        if let Some(y) = y {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{}, {}: {}</title></circle>",
                plot.x(*x),
                plot.y(*y),
                esc(&se.label),
                esc(l),
                unit.bare(Some(*y))
            );
        }
    }
}

/// A line sample (colour, dash, width) of series `i` from `x` at height `y`, `len` long.
fn sample(s: &mut String, i: usize, se: &Series, x: f64, y: f64, len: f64) {
    let (colour, dash, width) = line_style(i, se);
    let _ = write!(
        s,
        "<line x1=\"{x:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"{width}\" stroke-dasharray=\"{dash}\"/>",
        x + len
    );
}

/// Labels at the lines' right ends, wrapped; their width including the line sample.
struct EndLabels {
    lines: Vec<Vec<String>>,
    width: f64,
}

/// Direct labels when there are few lines and they fit beside the plot (at most 3 lines each).
fn direct_labels(f: &Frame, series: &[Series]) -> Option<EndLabels> {
    if series.is_empty() || series.len() > DIRECT_LABELS {
        return None;
    }
    let max = if f.narrow() { 112.0 } else { 200.0 };
    let lines: Vec<Vec<String>> = series.iter().map(|s| wrap(&s.label, max, SMALL)).collect();
    if lines.iter().any(|l| l.len() > 3) {
        return None;
    }
    let text = lines
        .iter()
        .flatten()
        .map(|l| text_width(l, SMALL))
        .fold(0.0, f64::max);
    Some(EndLabels {
        lines,
        width: text + 26.0,
    })
}

/// Draws the end labels beside the last value of each line, pushed apart so that none overlap.
fn end_labels(s: &mut String, plot: &Plot, series: &[Series], labels: &EndLabels) {
    let mut placed: Vec<(usize, f64, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, se)| {
            let last = se.points.iter().rev().find_map(|p| p.2)?;
            let h = labels.lines[i].len() as f64 * LABEL_LINE;
            Some((i, plot.y(last) - h / 2.0 + 4.0, h))
        })
        .collect();
    placed.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut floor = f64::MIN;
    for p in placed.iter_mut() {
        p.1 = p.1.max(floor);
        floor = p.1 + p.2 + 2.0;
    }
    let overflow = (floor - plot.bottom() - 8.0).max(0.0);
    let x = plot.width - plot.right + 6.0;
    for (i, top, _) in placed {
        let top = top - overflow;
        sample(s, i, &series[i], x, top + 6.0, 14.0);
        for (k, l) in labels.lines[i].iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SMALL}\" fill=\"#222\" class=\"line-label\">{}</text>",
                x + 18.0,
                top + 11.0 + k as f64 * LABEL_LINE,
                esc(l)
            );
        }
    }
}

/// A legend below the plot (three columns wide, one narrow), labels wrapped; returns the y below.
fn legend(s: &mut String, f: &Frame, series: &[Series], top: f64) -> f64 {
    let cols = if f.narrow() { 1 } else { 3 };
    let col_w = (f.width - 16.0) / cols as f64;
    let mut y = top + 4.0;
    for (row, chunk) in series.chunks(cols).enumerate() {
        let mut rows = 1;
        for (c, se) in chunk.iter().enumerate() {
            let i = row * cols + c;
            let x = 8.0 + c as f64 * col_w;
            let lines = wrap(&se.label, col_w - 44.0, SMALL);
            sample(s, i, se, x, y + 6.0, 28.0);
            for (k, l) in lines.iter().enumerate() {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"{SMALL}\" fill=\"#222\" class=\"legend-label\">{}</text>",
                    x + 34.0,
                    y + 11.0 + k as f64 * LABEL_LINE,
                    esc(l)
                );
            }
            rows = rows.max(lines.len());
        }
        y += rows as f64 * LABEL_LINE + 6.0;
    }
    y
}
