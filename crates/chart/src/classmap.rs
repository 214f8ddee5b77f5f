//! The map of categories (e.g. the Lagebild's status × dynamics), drawn as before in one wide layout.

use crate::esc;
use crate::map::project;
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

fn open_svg(id: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" \
         aria-labelledby=\"{id}-t {id}-d\" id=\"{id}\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    )
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
    let proj = project(&geometries, map_w, 10.0, 10.0);
    let h = proj.height.max(200.0) + 20.0;
    let mut s = open_svg(id, w, h, title, desc);
    let _ = write!(
        s,
        "<defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <path d=\"M0,6 L6,0\" stroke=\"#222\" stroke-width=\"1.2\"/></pattern>\
         <pattern id=\"{id}-none\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">\
         <rect width=\"6\" height=\"6\" fill=\"#f4f4f4\"/><path d=\"M0,0 L6,6\" stroke=\"#999\"/></pattern></defs>"
    );
    for (a, d) in areas.iter().zip(&proj.paths) {
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
    class_legend(&mut s, id, map_w + 40.0, legend, hatch_label);
    s
}

/// The legend of a map of categories, and the closing tag.
fn class_legend(s: &mut String, id: &str, lx: f64, legend: &[(&str, &str)], hatch_label: &str) {
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
}
