//! Maps of the Stadtteile: the choropleth of values (classes with limits that do not overlap, the
//! area numbers at their label points, the chosen area outlined) and the map of categories.

use crate::text::wrap;
use crate::{Frame, SMALL, esc};
use kimo_model::lang::t;
use kimo_model::{Unit, format_number};
use std::fmt::Write;

/// Map classes, light to dark (ColorBrewer Blues without its near-white end, so that the lightest
/// class stands out from the white background and the grey hatching of "keine Daten").
pub const CLASS_COLOURS: [&str; 5] = ["#c6dbef", "#9ecae1", "#6baed6", "#2171b5", "#08306b"];

/// One area of a map.
#[derive(Debug, Clone, Default)]
pub struct MapArea {
    /// Area code (drawn on the map as its number).
    pub code: String,
    /// Area name.
    pub name: String,
    /// GeoJSON geometry (Polygon or MultiPolygon, WGS84).
    pub geometry: String,
    /// Value (None: no data).
    pub value: Option<f64>,
    /// The chosen area: drawn with a thick outline.
    pub selected: bool,
    /// The value is kept secret (disclosure control): drawn dotted, „.“ in the legend.
    pub secret: bool,
}

/// The legend's text of a secret value („.“, Destatis' symbol).
pub const SECRET_LABEL: &str = "„.“ geheim gehalten";

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
    let coords = geometry.get("coordinates").and_then(|c| c.as_array());
    match geometry.get("type").and_then(|t| t.as_str()) {
        Some("Polygon") => coords
            .map(|a| a.iter().map(to_ring).collect())
            .unwrap_or_default(),
        Some("MultiPolygon") => coords
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

/// Projected areas: SVG path data and a label point (centroid of the largest ring) per geometry.
pub(crate) struct Projected {
    pub(crate) paths: Vec<String>,
    pub(crate) labels: Vec<(f64, f64)>,
    pub(crate) height: f64,
}

/// Projects the geometries into a `width`-wide box at (`ox`, `oy`) (equirectangular, scaled by the
/// cosine of the middle latitude).
pub(crate) fn project(geometries: &[&str], width: f64, ox: f64, oy: f64) -> Projected {
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
    let at = |(x, y): &(f64, f64)| (ox + (x - lo_x) * k * scale, oy + (hi_y - y) * scale);
    let mut out = Projected {
        paths: Vec::new(),
        labels: Vec::new(),
        height: ((hi_y - lo_y) * scale).max(1.0),
    };
    for rs in &parsed {
        let mut d = String::new();
        let mut best = (0.0, (ox, oy));
        for r in rs {
            let pts: Vec<(f64, f64)> = r.iter().map(at).collect();
            for (i, (x, y)) in pts.iter().enumerate() {
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
            let (area, c) = centroid(&pts);
            if area > best.0 {
                best = (area, c);
            }
        }
        out.paths.push(d);
        out.labels.push(best.1);
    }
    out
}

/// The absolute area and the centroid of a ring (shoelace formula).
fn centroid(pts: &[(f64, f64)]) -> (f64, (f64, f64)) {
    let (mut a, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for w in pts.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        let cross = x0 * y1 - x1 * y0;
        a += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if a.abs() < 1e-9 {
        return (0.0, pts.first().copied().unwrap_or_default());
    }
    (a.abs() / 2.0, (cx / (3.0 * a), cy / (3.0 * a)))
}

/// Rounds to the given decimals.
fn round_to(v: f64, decimals: usize) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (v * f).round() / f
}

/// Class breaks (upper bounds of all classes but the last) by quantiles of the values, rounded to
/// the shown decimals, strictly rising and below the largest value: at most four, fewer when values repeat.
pub fn class_breaks(values: &[f64], decimals: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().map(|x| round_to(*x, decimals)).collect();
    v.sort_by(f64::total_cmp);
    let Some(max) = v.last().copied() else {
        return Vec::new();
    };
    let mut breaks: Vec<f64> = (1..5)
        .map(|q| v[((q as f64 / 5.0) * (v.len() - 1) as f64).round() as usize])
        .filter(|b| *b < max)
        .collect();
    breaks.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
    breaks
}

/// The class (0–4) of a value given the breaks (compared as shown, at the given decimals).
pub fn class_of(v: f64, breaks: &[f64], decimals: usize) -> usize {
    let v = round_to(v, decimals);
    breaks.iter().take_while(|b| v > **b + 1e-9).count().min(4)
}

/// The limits of each class in words, never overlapping: `bis 10,0`, `10,1 bis 15,0`, …, `20,1 bis 31,4`.
pub fn class_labels(breaks: &[f64], max: f64, decimals: usize) -> Vec<String> {
    let step = 10f64.powi(-(decimals as i32));
    let n = |v: f64| format_number(v, decimals);
    let mut out = Vec::new();
    let mut lower: Option<f64> = None;
    for upper in breaks.iter().copied().chain([round_to(max, decimals)]) {
        out.push(match lower {
            None => format!("bis {}", n(upper)),
            Some(l) if (l + step - upper).abs() < 1e-9 => n(upper),
            Some(l) => format!("{} bis {}", n(l + step), n(upper)),
        });
        lower = Some(upper);
    }
    out
}

/// Pattern for areas without data: grey with dark diagonal lines.
pub(crate) fn nodata_pattern(id: &str) -> String {
    format!(
        "<defs><pattern id=\"{id}-nodata\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#e0e0e0\"/><path d=\"M0,6 L6,0\" stroke=\"#666\" stroke-width=\"1.2\"/></pattern>\
         <pattern id=\"{id}-secret\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><circle cx=\"3\" cy=\"3\" r=\"1.3\" fill=\"#444\"/></pattern></defs>"
    )
}

/// A choropleth map drawn for the frame's width: areas shaded in up to five quantile classes, their
/// numbers at their label points, the chosen area outlined, and a legend (beside the map when wide,
/// below it when narrow). `NaN` and infinite values count as missing.
pub fn map(f: &Frame, unit: &Unit, areas: &[MapArea]) -> String {
    let finite: Vec<MapArea> = areas
        .iter()
        .map(|a| MapArea {
            value: crate::finite(a.value),
            ..a.clone()
        })
        .collect();
    draw_map(f, unit, &finite)
}

/// [`map`] with finite values only.
fn draw_map(f: &Frame, unit: &Unit, areas: &[MapArea]) -> String {
    let id = esc(&f.id);
    let map_w = if f.narrow() { f.width - 20.0 } else { 500.0 };
    let geometries: Vec<&str> = areas.iter().map(|a| a.geometry.as_str()).collect();
    let proj = project(&geometries, map_w, 10.0, 6.0);
    let dec = unit.decimals();
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    let breaks = class_breaks(&values, dec);
    let mut s = String::new();
    for (a, d) in areas.iter().zip(&proj.paths) {
        let (fill, label) = match a.value {
            Some(v) => (
                CLASS_COLOURS[class_of(v, &breaks, dec)].to_string(),
                unit.bare(Some(v)),
            ),
            None if a.secret => (format!("url(#{id}-secret)"), t(SECRET_LABEL).to_string()),
            None => (format!("url(#{id}-nodata)"), t("keine Daten").to_string()),
        };
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"#555\" stroke-width=\"0.7\" data-area=\"{}\"><title>{} {}: {}</title></path>",
            esc(&a.code),
            esc(&a.code),
            esc(&a.name),
            label
        );
    }
    for (a, d) in areas.iter().zip(&proj.paths).filter(|(a, _)| a.selected) {
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"none\" stroke=\"#fff\" stroke-width=\"6\" aria-hidden=\"true\"/>\
             <path d=\"{d}\" fill=\"none\" stroke=\"#000\" stroke-width=\"3\" class=\"selected-area\" aria-hidden=\"true\"><title>{}</title></path>",
            esc(&a.name)
        );
    }
    let numbers: Vec<(&str, bool)> = areas
        .iter()
        .map(|a| (a.code.as_str(), a.selected))
        .collect();
    area_numbers(&mut s, &numbers, &proj.labels);
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let entries = legend_entries(
        &id,
        unit,
        &breaks,
        (!values.is_empty()).then_some(max),
        areas,
    );
    let map_h = proj.height + 12.0;
    let (lx, ly, lw) = if f.narrow() {
        (8.0, map_h + 8.0, f.width - 16.0)
    } else {
        (map_w + 30.0, 8.0, f.width - map_w - 38.0)
    };
    let title = format!("{} ({})", t("Legende"), t(unit.as_str()));
    let legend_h = map_legend(&mut s, &title, &entries, (lx, ly, lw));
    let body_h = if f.narrow() {
        ly + legend_h
    } else {
        map_h.max(ly + legend_h)
    };
    f.finish(&nodata_pattern(&id), &s, body_h + 6.0)
}

/// The area numbers (codes) at their label points, dark on a white halo.
pub(crate) fn area_numbers(s: &mut String, areas: &[(&str, bool)], labels: &[(f64, f64)]) {
    for ((code, selected), (x, y)) in areas.iter().zip(labels) {
        let weight = if *selected { "bold" } else { "normal" };
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{SMALL}\" font-weight=\"{weight}\" fill=\"#111\" \
             stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\" class=\"area-number\" aria-hidden=\"true\">{}</text>",
            y + 4.5,
            esc(code)
        );
    }
}

/// The legend's entries: (swatch fill, swatch stroke width, text).
fn legend_entries(
    id: &str,
    unit: &Unit,
    breaks: &[f64],
    max: Option<f64>,
    areas: &[MapArea],
) -> Vec<(String, f64, String)> {
    let mut e: Vec<(String, f64, String)> = match max {
        Some(max) => class_labels(breaks, max, unit.decimals())
            .into_iter()
            .zip(CLASS_COLOURS)
            .map(|(l, c)| (c.to_string(), 1.0, l))
            .collect(),
        None => Vec::new(),
    };
    e.push((format!("url(#{id}-nodata)"), 1.0, t("keine Daten").into()));
    if areas.iter().any(|a| a.secret && a.value.is_none()) {
        e.push((format!("url(#{id}-secret)"), 1.0, t(SECRET_LABEL).into()));
    }
    if let Some(a) = areas.iter().find(|a| a.selected) {
        e.push((
            "none".into(),
            3.0,
            format!("{} {} {}", t("gewählt:"), a.code, a.name),
        ));
    }
    e
}

/// Draws the legend at (x, y) within width `w`, labels wrapped; returns its height.
pub(crate) fn map_legend(
    s: &mut String,
    title: &str,
    entries: &[(String, f64, String)],
    (x, y, w): (f64, f64, f64),
) -> f64 {
    let mut cy = y;
    for line in wrap(title, w, SMALL) {
        cy += 16.0;
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"{cy}\" font-size=\"{SMALL}\" font-weight=\"bold\" fill=\"#222\">{}</text>",
            esc(&line)
        );
    }
    cy += 8.0;
    for (fill, stroke, label) in entries {
        let stroke_colour = if *stroke > 1.0 { "#000" } else { "#555" };
        let _ = write!(
            s,
            "<rect x=\"{x}\" y=\"{cy}\" width=\"22\" height=\"16\" fill=\"{fill}\" stroke=\"{stroke_colour}\" stroke-width=\"{stroke}\"/>"
        );
        let lines = wrap(label, w - 32.0, SMALL);
        for (k, l) in lines.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"{SMALL}\" fill=\"#222\" class=\"legend-label\">{}</text>",
                x + 30.0,
                cy + 13.0 + k as f64 * 16.0,
                esc(l)
            );
        }
        cy += lines.len() as f64 * 16.0 + 8.0;
    }
    let note = t("Zahlen in der Karte: Nr. des Stadtteils (siehe Tabelle)");
    for l in wrap(note, w, SMALL) {
        cy += 16.0;
        let _ = write!(
            s,
            "<text x=\"{x}\" y=\"{cy}\" font-size=\"{SMALL}\" fill=\"#333\">{}</text>",
            esc(&l)
        );
    }
    cy - y + 4.0
}
