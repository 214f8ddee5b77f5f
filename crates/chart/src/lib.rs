//! Charts and maps as accessible SVG, drawn on the server: the same picture for pages, reports and slides.
//!
//! Every SVG carries `role="img"`, a `<title>` and a `<desc>` (the text alternative); callers show the
//! numbers in a table next to it. Lines differ by dash pattern and marker, not only by colour.

use kimo_model::{Unit, format_number};
use std::fmt::Write;

/// Line colours (Okabe–Ito, distinguishable with colour-vision deficiencies).
pub const PALETTE: [&str; 8] = [
    "#0b5394", "#d55e00", "#009e73", "#cc79a7", "#56760d", "#8a5a00", "#5b3f99", "#333333",
];
const DASHES: [&str; 8] = ["", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3"];
/// Map classes, light to dark (ColorBrewer Blues); text on the darkest two is white.
pub const CLASS_COLOURS: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

/// Escapes text for XML and HTML.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// (position on the time axis, axis label, value).
    pub points: Vec<(f64, String, Option<f64>)>,
    /// Drawn thicker (e.g. the whole city).
    pub emphasis: bool,
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Value (None: no data).
    pub value: Option<f64>,
    /// Drawn in the accent colour (e.g. the whole city as reference).
    pub emphasis: bool,
}

/// One area of a map.
#[derive(Debug, Clone)]
pub struct MapArea {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// GeoJSON geometry (Polygon or MultiPolygon, WGS84).
    pub geometry: String,
    /// Value (None: no data).
    pub value: Option<f64>,
}

/// Nice axis ticks covering [lo, hi].
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if (hi - lo).abs() < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut v = Vec::new();
    let mut t = start;
    while t <= hi + step * 0.999 {
        v.push((t / step).round() * step);
        t += step;
        if v.len() > 50 {
            break;
        }
    }
    v
}

fn decimals_for(step: f64) -> usize {
    if step >= 1.0 {
        0
    } else if step >= 0.1 {
        1
    } else {
        2
    }
}

fn open_svg(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" \
         aria-labelledby=\"{id}-t {id}-d\" id=\"{id}\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    )
}

/// The plot area of a line chart and the value ranges it shows.
struct Plot {
    width: f64,
    left: f64,
    right: f64,
    top: f64,
    height: f64,
    /// Time axis range.
    x0: f64,
    x1: f64,
    /// Value axis ticks, lowest first; their first and last are the axis range.
    ticks: Vec<f64>,
}

impl Plot {
    /// Scales for the given series: the time span of all points and round ticks over the values
    /// (from zero when the lowest value is far above it). None when there is nothing to draw.
    fn of(series: &[Series], width: f64, left: f64, right: f64, top: f64) -> Option<Plot> {
        let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
        let ys = series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.2));
        let (x0, x1) = min_max(xs)?;
        let (mut y0, y1) = min_max(ys)?;
        if y0 > 0.0 && y0 < y1 * 0.6 {
            y0 = 0.0;
        }
        Some(Plot {
            width,
            left,
            right,
            top,
            height: 280.0,
            x0,
            x1,
            ticks: ticks(y0, y1, 5),
        })
    }
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
        let (lo, hi) = (self.ticks[0], *self.ticks.last().unwrap_or(&self.ticks[0]));
        self.bottom() - (y - lo) / (hi - lo).max(1e-9) * self.height
    }
}

/// The smallest and largest of some numbers; None when there are none.
fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
    })
}

/// A line chart over time with a legend below the plot.
pub fn line_chart(id: &str, title: &str, desc: &str, unit: &Unit, series: &[Series]) -> String {
    let (w, left, right, top) = (760.0, 64.0, 16.0, 16.0);
    let legend_rows = series.len().div_ceil(3);
    let h = top + 280.0 + 40.0 + legend_rows as f64 * 22.0 + 8.0;
    let mut s = open_svg(id, w, h, title, desc);
    let Some(plot) = Plot::of(series, w, left, right, top) else {
        let _ = write!(s, "<text x=\"{}\" y=\"40\">Keine Daten</text></svg>", left);
        return s;
    };
    value_axis(&mut s, &plot, unit);
    time_axis(&mut s, &plot, series);
    for (i, se) in series.iter().enumerate() {
        line(&mut s, &plot, i, se, unit);
        legend_entry(&mut s, &plot, i, se);
    }
    s.push_str("</svg>");
    s
}

/// Grid lines with tick labels, and the unit above them.
fn value_axis(s: &mut String, plot: &Plot, unit: &Unit) {
    let t = &plot.ticks;
    let dec = decimals_for(if t.len() > 1 { t[1] - t[0] } else { 1.0 });
    let (left, right) = (plot.left, plot.width - plot.right);
    for v in t {
        let y = plot.y(*v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#d0d0d0\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#333\">{}</text>",
            left - 6.0,
            y + 4.0,
            format_number(*v, dec)
        );
    }
    let _ = write!(
        s,
        "<text x=\"4\" y=\"{}\" fill=\"#333\" font-size=\"12\">{}</text>",
        plot.top - 4.0 + 10.0,
        esc(unit.as_str())
    );
}

/// Labels of every distinct time position (thinned to at most 14) and the base line.
fn time_axis(s: &mut String, plot: &Plot, series: &[Series]) {
    let mut labels: Vec<(f64, String)> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| (p.0, p.1.clone())))
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    labels.dedup_by(|a, b| (a.0 - b.0).abs() < 1e-9);
    let every = labels.len().div_ceil(14).max(1);
    for (i, (x, l)) in labels.iter().enumerate() {
        if i % every != 0 && i != labels.len() - 1 {
            continue;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>",
            plot.x(*x),
            plot.bottom() + 18.0,
            esc(l)
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
                let _ = write!(
                    d,
                    "{}{:.1},{:.1} ",
                    if pen { "L" } else { "M" },
                    plot.x(*x),
                    plot.y(*y)
                );
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

/// The legend entry of series `i`: three per row below the plot.
fn legend_entry(s: &mut String, plot: &Plot, i: usize, se: &Series) {
    let (colour, dash, width) = line_style(i, se);
    let lx = plot.left + (i % 3) as f64 * 230.0;
    let ly = plot.bottom() + 42.0 + (i / 3) as f64 * 22.0;
    let _ = write!(
        s,
        "<line x1=\"{lx}\" x2=\"{}\" y1=\"{ly}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"{width}\" stroke-dasharray=\"{dash}\"/>\
         <text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text>",
        lx + 28.0,
        lx + 34.0,
        ly + 4.0,
        esc(&se.label)
    );
}

/// A horizontal bar chart, one bar per label, in the given order.
pub fn bar_chart(id: &str, title: &str, desc: &str, unit: &Unit, bars: &[Bar]) -> String {
    let (w, label_w, right, row) = (760.0, 190.0, 70.0, 20.0);
    let h = 24.0 + bars.len() as f64 * row + 8.0;
    let mut s = open_svg(id, w, h, title, desc);
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let min = bars.iter().filter_map(|b| b.value).fold(0.0, f64::min);
    let span = (max - min).max(1e-9);
    let pw = w - label_w - right;
    let zero = label_w + (-min) / span * pw;
    let _ = write!(
        s,
        "<text x=\"{label_w}\" y=\"14\" fill=\"#333\" font-size=\"12\">{}</text>",
        esc(unit.as_str())
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 24.0 + i as f64 * row;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#222\">{}</text>",
            label_w - 8.0,
            y + 14.0,
            esc(&b.label)
        );
        match b.value {
            Some(v) => {
                let x = zero.min(zero + v / span * pw);
                let bw = (v.abs() / span * pw).max(1.0);
                let colour = if b.emphasis { "#d55e00" } else { "#0b5394" };
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{}\" fill=\"{colour}\"><title>{}: {}</title></rect>\
                     <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\">{}</text>",
                    y + 3.0,
                    row - 6.0,
                    esc(&b.label),
                    unit.bare(Some(v)),
                    x + bw + 4.0,
                    y + 14.0,
                    unit.bare(Some(v))
                );
            }
            None => {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\">keine Daten</text>",
                    zero + 4.0,
                    y + 14.0
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// A closed ring of (longitude, latitude) points.
type Ring = Vec<(f64, f64)>;

fn rings(geometry: &serde_json::Value) -> Vec<Ring> {
    let to_ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = geometry.get("coordinates");
    match geometry.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => coords
            .and_then(|c| c.as_array())
            .map(|a| a.iter().map(to_ring).collect())
            .unwrap_or_default(),
        Some("MultiPolygon") => coords
            .and_then(|c| c.as_array())
            .map(|polys| {
                polys
                    .iter()
                    .filter_map(|p| p.as_array())
                    .flat_map(|p| p.iter().map(to_ring))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// SVG path data for each geometry, projected into a `width`-wide box (equirectangular, scaled by the
/// cosine of the middle latitude); returns the paths and the box's height.
fn project(geometries: &[&str], width: f64) -> (Vec<String>, f64) {
    let parsed: Vec<Vec<Ring>> = geometries
        .iter()
        .map(|g| {
            serde_json::from_str(g)
                .map(|g| rings(&g))
                .unwrap_or_default()
        })
        .collect();
    let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in parsed.iter().flatten().flatten() {
        lo_x = lo_x.min(*x);
        hi_x = hi_x.max(*x);
        lo_y = lo_y.min(*y);
        hi_y = hi_y.max(*y);
    }
    let k = ((lo_y + hi_y) / 2.0).to_radians().cos();
    let scale = width / ((hi_x - lo_x) * k).max(1e-9);
    let paths = parsed
        .iter()
        .map(|rs| {
            let mut d = String::new();
            for r in rs {
                for (i, (x, y)) in r.iter().enumerate() {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if i == 0 { "M" } else { "L" },
                        10.0 + (x - lo_x) * k * scale,
                        10.0 + (hi_y - y) * scale
                    );
                }
                d.push('Z');
            }
            d
        })
        .collect();
    (paths, ((hi_y - lo_y) * scale).max(1.0))
}

/// Class breaks (upper bounds of classes 1–4) by quantiles of the values.
pub fn class_breaks(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return Vec::new();
    }
    (1..5)
        .map(|q| v[((q as f64 / 5.0) * (v.len() - 1) as f64).round() as usize])
        .collect()
}

/// The class (0–4) of a value given the breaks.
pub fn class_of(v: f64, breaks: &[f64]) -> usize {
    breaks.iter().take_while(|b| v > **b).count().min(4)
}

/// A choropleth map: areas shaded in five quantile classes, with a legend.
pub fn map(id: &str, title: &str, desc: &str, unit: &Unit, areas: &[MapArea]) -> String {
    let (w, map_w) = (760.0, 520.0);
    let geometries: Vec<&str> = areas.iter().map(|a| a.geometry.as_str()).collect();
    let (paths, map_h) = project(&geometries, map_w);
    let h = map_h.max(200.0) + 20.0;
    let mut s = open_svg(id, w, h, title, desc);
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    let breaks = class_breaks(&values);
    s.push_str(
        "<defs><pattern id=\"nodata\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><path d=\"M0,6 L6,0\" stroke=\"#999\"/></pattern></defs>",
    );
    for (a, d) in areas.iter().zip(&paths) {
        let (fill, label) = match a.value {
            Some(v) => (
                CLASS_COLOURS[class_of(v, &breaks)].to_string(),
                unit.bare(Some(v)),
            ),
            None => ("url(#nodata)".to_string(), "keine Daten".to_string()),
        };
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\" data-area=\"{}\"><title>{}: {}</title></path>",
            esc(&a.code),
            esc(&a.name),
            label
        );
    }
    // Legend.
    let lx = map_w + 40.0;
    let _ = write!(
        s,
        "<text x=\"{lx}\" y=\"24\" fill=\"#222\" font-weight=\"bold\">Legende ({})</text>",
        esc(unit.as_str())
    );
    if !values.is_empty() {
        let min = values.iter().cloned().fold(f64::MAX, f64::min);
        let max = values.iter().cloned().fold(f64::MIN, f64::max);
        let mut lower = min;
        for (i, colour) in CLASS_COLOURS.iter().enumerate() {
            let upper = breaks.get(i).copied().unwrap_or(max).min(max);
            let y = 36.0 + i as f64 * 24.0;
            let _ = write!(
                s,
                "<rect x=\"{lx}\" y=\"{y}\" width=\"20\" height=\"16\" fill=\"{colour}\" stroke=\"#555\"/>\
                 <text x=\"{}\" y=\"{}\" fill=\"#222\">{} bis {}</text>",
                lx + 28.0,
                y + 13.0,
                unit.bare(Some(lower)),
                unit.bare(Some(upper))
            );
            lower = upper;
        }
    }
    let y = 36.0 + 5.0 * 24.0;
    let _ = write!(
        s,
        "<rect x=\"{lx}\" y=\"{y}\" width=\"20\" height=\"16\" fill=\"url(#nodata)\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" fill=\"#222\">keine Daten</text></svg>",
        lx + 28.0,
        y + 13.0
    );
    s
}

/// One area of a map of classes (e.g. status × dynamics).
#[derive(Debug, Clone)]
pub struct ClassArea {
    /// Area code.
    pub code: String,
    /// Area name.
    pub name: String,
    /// GeoJSON geometry.
    pub geometry: String,
    /// Index into the legend's colours (None: no data or left out).
    pub class: Option<usize>,
    /// Hatched on top (e.g. negative dynamics).
    pub hatched: bool,
    /// Text of the area's tooltip.
    pub label: String,
}

/// A map of categories: each area filled with its class colour, optionally hatched, with a legend.
pub fn class_map(
    id: &str,
    title: &str,
    desc: &str,
    areas: &[ClassArea],
    legend: &[(&str, &str)],
    hatch_label: &str,
) -> String {
    let (w, map_w) = (760.0, 520.0);
    let geometries: Vec<&str> = areas.iter().map(|a| a.geometry.as_str()).collect();
    let (paths, map_h) = project(&geometries, map_w);
    let h = map_h.max(200.0) + 20.0;
    let mut s = open_svg(id, w, h, title, desc);
    let _ = write!(
        s,
        "<defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <path d=\"M0,6 L6,0\" stroke=\"#222\" stroke-width=\"1.2\"/></pattern>\
         <pattern id=\"{id}-none\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><path d=\"M0,0 L6,6\" stroke=\"#999\"/></pattern></defs>"
    );
    for (a, d) in areas.iter().zip(&paths) {
        let fill = a
            .class
            .and_then(|c| legend.get(c))
            .map_or(format!("url(#{id}-none)"), |l| l.0.to_string());
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"#fff\" stroke-width=\"1\" data-area=\"{}\"><title>{}: {}</title></path>",
            esc(&a.code),
            esc(&a.name),
            esc(&a.label)
        );
        if a.hatched {
            let _ = write!(
                s,
                "<path d=\"{d}\" fill=\"url(#{id}-hatch)\" stroke=\"none\" aria-hidden=\"true\"/>"
            );
        }
    }
    let lx = map_w + 40.0;
    let _ = write!(
        s,
        "<text x=\"{lx}\" y=\"24\" fill=\"#222\" font-weight=\"bold\">Legende</text>"
    );
    let mut y = 36.0;
    for (colour, label) in legend {
        let _ = write!(
            s,
            "<rect x=\"{lx}\" y=\"{y}\" width=\"20\" height=\"16\" fill=\"{colour}\" stroke=\"#555\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text>",
            lx + 28.0,
            y + 13.0,
            esc(label)
        );
        y += 24.0;
    }
    let _ = write!(
        s,
        "<rect x=\"{lx}\" y=\"{y}\" width=\"20\" height=\"16\" fill=\"url(#{id}-hatch)\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" fill=\"#222\">{}</text>\
         <rect x=\"{lx}\" y=\"{}\" width=\"20\" height=\"16\" fill=\"url(#{id}-none)\" stroke=\"#555\"/>\
         <text x=\"{}\" y=\"{}\" fill=\"#222\">keine Daten oder ausgenommen</text></svg>",
        lx + 28.0,
        y + 13.0,
        esc(hatch_label),
        y + 24.0,
        lx + 28.0,
        y + 37.0
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 9.3, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn charts_have_text_alternatives() {
        let s = line_chart(
            "c",
            "Arbeitslosenquote",
            "Von 5,0 % auf 4,2 %",
            &Unit::Percent,
            &[Series {
                label: "Karlsruhe".into(),
                points: vec![
                    (2020.5, "2020".into(), Some(5.0)),
                    (2021.5, "2021".into(), Some(4.2)),
                ],
                emphasis: true,
            }],
        );
        assert!(
            s.contains("role=\"img\"") && s.contains("<title id=\"c-t\">Arbeitslosenquote</title>")
        );
        assert!(s.contains("4,2"));
        let b = bar_chart(
            "b",
            "t",
            "d",
            &Unit::Percent,
            &[Bar {
                label: "A & B".into(),
                value: Some(234.5),
                emphasis: false,
            }],
        );
        assert!(b.contains("A &amp; B") && b.contains("234,5"));
        let count = Bar {
            label: "Stadt".into(),
            value: Some(311635.0),
            emphasis: true,
        };
        let b = bar_chart("b", "t", "d", &Unit::Count, &[count]);
        assert!(b.contains(">311.635<") && b.contains(">Anzahl<"), "{b}");
    }

    #[test]
    fn map_classes() {
        let breaks = class_breaks(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]);
        assert_eq!(class_of(1.0, &breaks), 0);
        assert_eq!(class_of(10.0, &breaks), 4);
        let m = map(
            "m",
            "Karte",
            "d",
            &Unit::Percent,
            &[MapArea {
                code: "01".into(),
                name: "Innenstadt-Ost".into(),
                geometry: r#"{"type":"Polygon","coordinates":[[[8.4,49.0],[8.41,49.0],[8.41,49.01],[8.4,49.0]]]}"#.into(),
                value: Some(3.5),
            }],
        );
        assert_eq!(m.matches("data-area=").count(), 1);
        assert!(m.contains("Innenstadt-Ost: 3,5"));
    }
}
