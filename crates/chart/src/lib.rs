//! Charts and maps as accessible SVG, drawn on the server: the same picture for pages, reports and slides.
//!
//! Every SVG carries `role="img"`, a `<title>` and a `<desc>` (the text alternative), and says what it
//! shows inside the picture (title, subtitle, source and Datenstand), so that a downloaded SVG or PNG
//! stands alone. Charts are drawn for a layout width (e.g. 760 for wide screens, 340 for phones) with
//! text of at least 13 units, so that text stays readable when the picture is shown at its width.
//! Lines differ by dash pattern and marker, not only by colour; callers show the numbers in a table.

mod bar;
mod classmap;
mod line;
mod map;
mod png;
#[cfg(test)]
mod tests;
mod text;
mod timeline;

pub use bar::{Bar, bar_chart};
pub use classmap::{ClassArea, class_map};
pub use line::{Series, line_chart, thin_labels};
pub use map::{CLASS_COLOURS, MapArea, class_breaks, class_labels, class_of, map};
pub use png::png;
pub use text::{text_width, wrap};
pub use timeline::{Step, timeline};

use std::fmt::Write;

/// Line colours (Okabe–Ito, distinguishable with colour-vision deficiencies).
pub const PALETTE: [&str; 8] = [
    "#0b5394", "#d55e00", "#009e73", "#cc79a7", "#56760d", "#8a5a00", "#5b3f99", "#333333",
];
/// Wide layout width (desktop, slides).
pub const WIDE: f64 = 760.0;
/// Narrow layout width (phones).
pub const NARROW: f64 = 340.0;
/// Font size of ordinary chart text, in viewBox units.
const FONT: f64 = 14.0;
/// Font size of small chart text (units, notes, legends), never below 13.
const SMALL: f64 = 13.0;
/// How much wider bold text runs than the estimate for regular text.
const BOLD: f64 = 1.1;
/// Font size of the title.
const TITLE: f64 = 17.0;

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

/// What a chart says about itself and how wide it is drawn.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    /// The SVG's `id` (its title and desc ids derive from it).
    pub id: String,
    /// Title drawn at the top, also the SVG's `<title>`.
    pub title: String,
    /// Subtitle below the title (area, group, period).
    pub subtitle: String,
    /// The text alternative (`<desc>`).
    pub desc: String,
    /// The line at the bottom (source and Datenstand).
    pub footer: String,
    /// Layout width in viewBox units (`WIDE` or `NARROW`).
    pub width: f64,
}

impl Frame {
    /// Whether the chart is laid out for a narrow screen.
    fn narrow(&self) -> bool {
        self.width < 500.0
    }

    /// Title and subtitle lines wrapped to the width.
    fn head_lines(&self) -> (Vec<String>, Vec<String>) {
        let w = self.width - 16.0;
        (
            wrap(&self.title, w, TITLE * BOLD),
            wrap(&self.subtitle, w, FONT),
        )
    }

    /// Height of the head (title, subtitle and a gap).
    fn head_height(&self) -> f64 {
        let (t, s) = self.head_lines();
        t.len() as f64 * 21.0 + s.len() as f64 * 18.0 + 12.0
    }

    /// Footer lines wrapped to the width; its parts (` · `) start new lines when it does not fit.
    fn foot_lines(&self) -> Vec<String> {
        let w = self.width - 16.0;
        // One line only with room to spare: the estimate is an average, and a source of wide
        // letters rendered in a wide font (DejaVu Sans) came out longer than estimated.
        if text_width(&self.footer, SMALL) <= w * 0.9 {
            return vec![self.footer.clone()];
        }
        self.footer
            .split(" · ")
            .flat_map(|part| wrap(part, w, SMALL))
            .collect()
    }

    /// Assembles the SVG: head, the body (drawn from its own origin, `body_h` high), footer.
    fn finish(&self, defs: &str, body: &str, body_h: f64) -> String {
        let head_h = self.head_height();
        let foot = self.foot_lines();
        let h = (head_h + body_h + foot.len() as f64 * 17.0 + 10.0).ceil();
        let (w, id) = (self.width, esc(&self.id));
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {h}\" \
             width=\"{w}\" height=\"{h}\" aria-labelledby=\"{id}-t {id}-d\" id=\"{id}\" \
             font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"{FONT}\">\
             <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{defs}\
             <rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/>",
            esc(&self.title),
            esc(&self.desc)
        );
        let (title, subtitle) = self.head_lines();
        let mut y = 0.0;
        for t in &title {
            y += 21.0;
            let _ = write!(
                s,
                "<text x=\"8\" y=\"{y}\" font-size=\"{TITLE}\" font-weight=\"bold\" fill=\"#1a1a1a\" class=\"chart-title\">{}</text>",
                esc(t)
            );
        }
        for t in &subtitle {
            y += 18.0;
            let _ = write!(
                s,
                "<text x=\"8\" y=\"{y}\" fill=\"#333\" class=\"chart-subtitle\">{}</text>",
                esc(t)
            );
        }
        let _ = write!(s, "<g transform=\"translate(0,{head_h})\">{body}</g>");
        let mut y = head_h + body_h;
        for t in &foot {
            y += 17.0;
            let _ = write!(
                s,
                "<text x=\"8\" y=\"{y}\" font-size=\"{SMALL}\" fill=\"#444\" class=\"chart-source\">{}</text>",
                esc(t)
            );
        }
        s.push_str("</svg>");
        s
    }
}

/// A value that a chart can draw: `NaN` and infinities count as missing.
fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite())
}

/// Nice axis ticks covering [lo, hi] (`0..1` when either is not finite).
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
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
    // Huge or huge-apart values (1e17 ± 1 rounds to itself, 1e308 − (−1e308) overflows) give no
    // usable step: the two ends are the axis then.
    if !(step.is_finite() && step > 0.0 && ((hi - lo) / step).is_finite()) {
        return vec![lo.min(hi), lo.max(hi)];
    }
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

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(ticks(0.0, 9.3, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn ticks_never_come_back_empty() {
        for (lo, hi) in [
            (1e17, 1e17),
            (-1e308, 1e308),
            (0.0, 0.0),
            (f64::NAN, 1.0),
            (5.0, 5.0),
        ] {
            let t = ticks(lo, hi, 5);
            assert!(
                t.len() >= 2 && t.iter().all(|x| x.is_finite()),
                "{lo} {hi}: {t:?}"
            );
        }
    }

    #[test]
    fn frame_says_what_it_shows() {
        let f = Frame {
            id: "c".into(),
            title: "Arbeitslosenquote".into(),
            subtitle: "Durlach, nichtdeutsch, 2024".into(),
            desc: "d".into(),
            footer: "Quelle: Bundesagentur für Arbeit · Datenstand: 2024".into(),
            width: NARROW,
        };
        let s = f.finish("", "", 100.0);
        assert!(s.contains("class=\"chart-title\">Arbeitslosenquote</text>"));
        assert!(s.contains(">Durlach, nichtdeutsch, 2024</text>"));
        assert!(s.contains("Quelle: Bundesagentur für Arbeit"));
        assert!(s.contains("role=\"img\"") && s.contains("aria-labelledby=\"c-t c-d\""));
    }
}
