//! The unit of an indicator: one type that knows its decimals, how a value and a difference are
//! written in German, and whether it is a share — so nobody compares unit strings.

use crate::format::format_number;
use serde::{Serialize, Serializer};
use std::fmt;

/// The unit of an indicator's values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Unit {
    /// No unit given: a bare number with one decimal.
    #[default]
    None,
    /// Percent (`%`): differences are percentage points.
    Percent,
    /// Per mille (`‰`).
    PerMille,
    /// A count of persons or things (`Anzahl`): no decimals.
    Count,
    /// An index (`Index`): written without a unit, differences in points.
    Index,
    /// Any other unit, kept as written (`je 1.000`, `m²`, `Jahre`).
    Other(String),
}

impl Unit {
    /// Reads a unit as written in a catalogue; unknown spellings are kept verbatim.
    pub fn parse(s: &str) -> Unit {
        match s.trim() {
            "" => Unit::None,
            "%" | "Prozent" | "prozent" | "percent" => Unit::Percent,
            "‰" | "Promille" | "promille" => Unit::PerMille,
            "Anzahl" | "anzahl" | "count" => Unit::Count,
            "Index" | "index" => Unit::Index,
            other => Unit::Other(other.to_string()),
        }
    }

    /// The unit as stored and exported (`%`, `‰`, `Anzahl`, `Index`, or the text as written).
    pub fn as_str(&self) -> &str {
        match self {
            Unit::None => "",
            Unit::Percent => "%",
            Unit::PerMille => "‰",
            Unit::Count => "Anzahl",
            Unit::Index => "Index",
            Unit::Other(s) => s,
        }
    }

    /// Whether values are shares in percent (bounded by 100 unless the indicator says otherwise).
    pub fn is_percent(&self) -> bool {
        matches!(self, Unit::Percent)
    }

    /// Whether values are counts.
    pub fn is_count(&self) -> bool {
        matches!(self, Unit::Count)
    }

    /// Decimals shown: none for counts, one otherwise.
    pub fn decimals(&self) -> usize {
        if self.is_count() { 0 } else { 1 }
    }

    /// The suffix written after a value, if any (`%`, `je 1.000`); counts and indices have none.
    fn suffix(&self) -> Option<&str> {
        match self {
            Unit::None | Unit::Count | Unit::Index => None,
            u => Some(crate::lang::t(u.as_str())),
        }
    }

    /// A value without unit, in German notation with the unit's decimals (tables).
    pub fn bare(&self, v: Option<f64>) -> String {
        v.map_or_else(|| "–".into(), |v| format_number(v, self.decimals()))
    }

    /// A value with its unit: `18,5 %`, `311.635`, `92,0 je 1.000`; `–` when missing.
    pub fn format(&self, v: Option<f64>) -> String {
        match (v, self.suffix()) {
            (None, _) => "–".into(),
            (Some(v), None) => format_number(v, self.decimals()),
            (Some(v), Some(s)) => format!("{} {s}", format_number(v, self.decimals())),
        }
    }

    /// A signed difference, short: `+1,3 Pp.` for percent, `+1.584` for counts, `−0,4 ‰`.
    pub fn difference(&self, d: f64) -> String {
        let sign = if d >= self.resolution() { "+" } else { "" };
        self.with_difference_unit(
            format!("{sign}{}", format_number(d, self.decimals())),
            crate::lang::t("Pp."),
        )
    }

    /// The size of a difference in words, without sign: `2,5 Prozentpunkte`, `3 Punkte`, `2,5 m²`.
    pub fn difference_words(&self, d: f64) -> String {
        let n = format_number(d.abs(), self.decimals());
        self.with_difference_unit(n, crate::lang::t("Prozentpunkte"))
    }

    /// A written difference with its unit: percentage points (as `points` says), index points, or the unit.
    fn with_difference_unit(&self, n: String, points: &str) -> String {
        match (self, self.suffix()) {
            (Unit::Percent, _) => format!("{n} {points}"),
            (Unit::Index, _) => format!("{n} {}", crate::lang::t("Punkte")),
            (_, Some(s)) => format!("{n} {s}"),
            (_, None) => n,
        }
    }

    /// The smallest difference that shows at the unit's decimals (half of the last digit).
    pub fn resolution(&self) -> f64 {
        0.5 * 10f64.powi(-(self.decimals() as i32))
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl From<&str> for Unit {
    fn from(s: &str) -> Unit {
        Unit::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_format_values_and_differences() {
        let cases: &[(&str, f64, &str, &str, &str)] = &[
            ("%", 18.46, "18,5 %", "+18,5 Pp.", "18,5 Prozentpunkte"),
            ("Anzahl", 311635.0, "311.635", "+311.635", "311.635"),
            (
                "je 1.000",
                92.0,
                "92,0 je 1.000",
                "+92,0 je 1.000",
                "92,0 je 1.000",
            ),
            ("Index", -3.0, "−3,0", "−3,0 Punkte", "3,0 Punkte"),
            ("", 1.25, "1,2", "+1,2", "1,2"),
            ("‰", 0.04, "0,0 ‰", "0,0 ‰", "0,0 ‰"),
            (
                "Personen",
                1584.0,
                "1.584,0 Personen",
                "+1.584,0 Personen",
                "1.584,0 Personen",
            ),
        ];
        for (u, v, value, diff, words) in cases {
            let unit = Unit::parse(u);
            assert_eq!(unit.as_str(), *u);
            assert_eq!(unit.format(Some(*v)), *value, "{u}");
            assert_eq!(unit.difference(*v), *diff, "{u}");
            assert_eq!(unit.difference_words(*v), *words, "{u}");
        }
        assert_eq!(Unit::Percent.format(None), "–");
        assert_eq!(Unit::parse("Prozent"), Unit::Percent);
        assert!(Unit::Count.resolution() == 0.5 && Unit::Percent.resolution() == 0.05);
    }
}
