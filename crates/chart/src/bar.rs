//! The horizontal bar chart: one bar per area, the reference (city) and the chosen area marked by
//! more than colour (the chosen one with a bold label and a dark outline).

use crate::text::{text_width, wrap};
use crate::{FONT, Frame, SMALL, esc};
use kimo_model::Unit;
use std::fmt::Write;

/// Fill of ordinary bars.
const BAR: &str = "#0b5394";
/// Fill of the reference bar (the whole city).
const REFERENCE: &str = "#6b6b6b";
/// Fill of the chosen area's bar.
const CHOSEN: &str = "#d55e00";

/// One bar of a bar chart.
#[derive(Debug, Clone, Default)]
pub struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Value (None: no data).
    pub value: Option<f64>,
    /// The reference (e.g. the whole city): grey.
    pub emphasis: bool,
    /// The chosen area: accent colour, outline and bold label.
    pub selected: bool,
    /// The value is kept secret (disclosure control): „.“ instead of a bar.
    pub secret: bool,
}

/// A horizontal bar chart, one bar per label in the given order, drawn for the frame's width.
/// `NaN` and infinite values count as missing.
pub fn bar_chart(f: &Frame, unit: &Unit, bars: &[Bar]) -> String {
    let finite: Vec<Bar> = bars
        .iter()
        .map(|b| Bar {
            value: crate::finite(b.value),
            ..b.clone()
        })
        .collect();
    draw_bar_chart(f, unit, &finite)
}

/// [`bar_chart`] with finite values only.
fn draw_bar_chart(f: &Frame, unit: &Unit, bars: &[Bar]) -> String {
    let values: Vec<String> = bars.iter().map(|b| unit.bare(b.value)).collect();
    let value_w = values.iter().map(|v| text_width(v, SMALL)).fold(
        text_width(kimo_model::lang::t(crate::map::SECRET_LABEL), SMALL),
        f64::max,
    );
    let (label_max, font) = if f.narrow() {
        (140.0, SMALL)
    } else {
        (200.0, FONT)
    };
    let labels: Vec<Vec<String>> = bars
        .iter()
        .map(|b| wrap(&b.label, label_max, font))
        .collect();
    let label_w = labels
        .iter()
        .flatten()
        .map(|l| text_width(l, font))
        .fold(0.0, f64::max)
        .min(label_max)
        + 16.0;
    let pw = f.width - label_w - value_w - 16.0;
    let max = bars.iter().filter_map(|b| b.value).fold(0.0, f64::max);
    let min = bars.iter().filter_map(|b| b.value).fold(0.0, f64::min);
    let span = (max - min).max(1e-9);
    let zero = label_w + (-min) / span * pw;
    let mut s = format!(
        "<text x=\"{label_w}\" y=\"14\" fill=\"#333\" font-size=\"{SMALL}\">{}</text>",
        esc(unit.as_str())
    );
    let mut y = 24.0;
    for ((b, lines), text) in bars.iter().zip(&labels).zip(&values) {
        let row = lines.len() as f64 * 17.0 + 6.0;
        let weight = if b.selected {
            " font-weight=\"bold\""
        } else {
            ""
        };
        for (k, l) in lines.iter().enumerate() {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"{font}\" fill=\"#222\"{weight}>{}</text>",
                label_w - 8.0,
                y + 15.0 + k as f64 * 17.0,
                esc(l)
            );
        }
        let bar_y = y + (row - 16.0) / 2.0;
        draw_value(&mut s, b, text, (zero, span, pw, bar_y), weight);
        y += row;
    }
    f.finish("", &s, y + 6.0)
}

/// A bar and its value's text, or the words for a missing or secret value; `at` is (the zero
/// line's x, the value span, the plot width, the bar's y).
fn draw_value(s: &mut String, b: &Bar, text: &str, at: (f64, f64, f64, f64), weight: &str) {
    let (zero, span, pw, bar_y) = at;
    match b.value {
        Some(v) => {
            let x = zero.min(zero + v / span * pw);
            let bw = (v.abs() / span * pw).max(1.0);
            let (fill, stroke) = match (b.selected, b.emphasis) {
                (true, _) => (CHOSEN, " stroke=\"#000\" stroke-width=\"2\""),
                (false, true) => (REFERENCE, ""),
                _ => (BAR, ""),
            };
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{bar_y:.1}\" width=\"{bw:.1}\" height=\"16\" fill=\"{fill}\"{stroke}><title>{}: {text}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#222\" font-size=\"{SMALL}\"{weight}>{text}</text>",
                esc(&b.label),
                x + bw + 4.0,
                bar_y + 13.0
            );
        }
        None => {
            let text = if b.secret {
                kimo_model::lang::t(crate::map::SECRET_LABEL)
            } else {
                kimo_model::lang::t("keine Daten")
            };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#555\" font-size=\"{SMALL}\">{text}</text>",
                zero + 4.0,
                bar_y + 13.0
            );
        }
    }
}
