//! The map of categories (e.g. the Lagebild's status × dynamics), in the same frame and layouts as
//! the value map: numbers on the areas, a wrapped legend beside (wide) or below (narrow) the map.

use crate::map::{area_numbers, map_legend, nodata_pattern, project};
use crate::{Frame, esc};
use std::fmt::Write;

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

/// A map of categories: each area filled with its class colour (`legend`: colour and label per
/// class), hatched where `hatched`, numbered, with a legend that names the hatch and "no data".
pub fn class_map(
    f: &Frame,
    areas: &[ClassArea],
    legend: &[(&str, &str)],
    hatch_label: &str,
) -> String {
    let id = esc(&f.id);
    let map_w = if f.narrow() { f.width - 20.0 } else { 500.0 };
    let geometries: Vec<&str> = areas.iter().map(|a| a.geometry.as_str()).collect();
    let proj = project(&geometries, map_w, 10.0, 6.0);
    let mut s = String::new();
    for (a, d) in areas.iter().zip(&proj.paths) {
        let fill = a
            .class
            .and_then(|c| legend.get(c))
            .map_or(format!("url(#{id}-nodata)"), |l| l.0.to_string());
        let _ = write!(
            s,
            "<path d=\"{d}\" fill=\"{fill}\" stroke=\"#555\" stroke-width=\"0.7\" data-area=\"{}\"><title>{} {}: {}</title></path>",
            esc(&a.code),
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
    let numbers: Vec<(&str, bool)> = areas.iter().map(|a| (a.code.as_str(), false)).collect();
    area_numbers(&mut s, &numbers, &proj.labels);
    let mut entries: Vec<(String, f64, String)> = legend
        .iter()
        .map(|(c, l)| (c.to_string(), 1.0, l.to_string()))
        .collect();
    entries.push((format!("url(#{id}-hatch)"), 1.0, hatch_label.to_string()));
    entries.push((
        format!("url(#{id}-nodata)"),
        1.0,
        kimo_model::lang::t("keine Daten oder ausgenommen").into(),
    ));
    let map_h = proj.height + 12.0;
    let (lx, ly, lw) = if f.narrow() {
        (8.0, map_h + 8.0, f.width - 16.0)
    } else {
        (map_w + 30.0, 8.0, f.width - map_w - 38.0)
    };
    let legend_h = map_legend(
        &mut s,
        kimo_model::lang::t("Legende"),
        &entries,
        (lx, ly, lw),
    );
    let body_h = if f.narrow() {
        ly + legend_h
    } else {
        map_h.max(ly + legend_h)
    };
    let defs = format!(
        "{}<defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <path d=\"M0,0 L6,6\" stroke=\"#222\" stroke-width=\"1.4\"/></pattern></defs>",
        nodata_pattern(&id)
    );
    f.finish(&defs, &s, body_h + 6.0)
}
