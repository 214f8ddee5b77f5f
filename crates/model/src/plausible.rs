//! Numbers that cannot be right for an indicator: the checks an observation must pass before it is
//! stored, whatever file it came from.

use crate::{Observation, Unit, format_number};

/// Any value beyond this (in absolute terms) is refused as implausible: no figure of a city's
/// monitoring comes near a trillion; such numbers come from broken cells (Excel's `9,9E+307`, a
/// misread column).
pub const MAX_MAGNITUDE: f64 = 1e12;

/// How far a share may lie from `numerator / denominator` before it is refused: half a unit
/// (percentage point or per mille point), so values rounded to whole numbers still pass.
pub const SHARE_TOLERANCE: f64 = 0.5;

/// What the catalogue says about an indicator's numbers.
#[derive(Debug, Clone, Copy)]
pub struct Limits<'a> {
    /// The indicator's unit.
    pub unit: &'a Unit,
    /// Whether a share may exceed its whole (`ueber_100_moeglich`): then it may also be negative
    /// (a change in percent), and it is not compared with numerator and denominator.
    pub may_exceed_100: bool,
}

impl Limits<'_> {
    /// Limits for an indicator the catalogue does not know: only the unit-free checks apply.
    pub const UNKNOWN: Limits<'static> = Limits {
        unit: &Unit::None,
        may_exceed_100: true,
    };

    /// The whole a share is part of: 100 for percent, 1000 for per mille; `None` for other units.
    fn whole(&self) -> Option<f64> {
        match self.unit {
            Unit::Percent => Some(100.0),
            Unit::PerMille => Some(1000.0),
            _ => None,
        }
    }
}

/// Why the observation's numbers cannot be right (German, for the import's problem list), or
/// `None` when they pass: not finite, beyond [`MAX_MAGNITUDE`], a negative count, a share below 0
/// or above its whole (unless the catalogue allows it), a numerator above its denominator, or a
/// share that does not match its own numerator and denominator.
pub fn number_problem(limits: Limits, o: &Observation) -> Option<String> {
    number_problem_at(limits, o).map(|(_, m)| m)
}

/// [`number_problem`] with the number it concerns: 0 value, 1 numerator, 2 denominator (see
/// [`crate::Origin::at_number`]).
pub fn number_problem_at(limits: Limits, o: &Observation) -> Option<(usize, String)> {
    let numbers = [o.value, o.numerator, o.denominator];
    let first = |bad: &dyn Fn(f64) -> bool| {
        (0..3).find_map(|i| numbers[i].filter(|v| bad(*v)).map(|v| (i, v)))
    };
    if let Some((i, v)) = first(&|v| !v.is_finite()) {
        return Some((i, format!("'{v}' ist keine endliche Zahl")));
    }
    if let Some((i, v)) = first(&|v| v.abs() > MAX_MAGNITUDE) {
        let v = format!("{v:e}").replace('.', ",");
        let m = format!("{v} ist unplausibel groß (mehr als 1 Billion) – stimmt die Zelle?");
        return Some((i, m));
    }
    value_problem(limits, o)
        .map(|m| (0, m))
        .or_else(|| counts_problem(o))
        .or_else(|| ratio_problem(limits, o))
}

/// German number with up to six decimals and a plain minus, as the value was given (`104,5`, `-5`).
fn german(v: f64) -> String {
    let s = format_number(v, 6).replace('−', "-");
    match s.contains(',') {
        true => s.trim_end_matches('0').trim_end_matches(',').to_string(),
        false => s,
    }
}

/// The value against its unit: no negative counts; shares within 0 and their whole.
fn value_problem(limits: Limits, o: &Observation) -> Option<String> {
    let v = o.value?;
    let sign = limits.unit.as_str();
    if v < 0.0 && limits.unit.is_count() {
        return Some(format!(
            "negative Anzahl {} – eine Anzahl ist nie kleiner als 0",
            german(v)
        ));
    }
    let whole = limits.whole().filter(|_| !limits.may_exceed_100)?;
    if v < 0.0 {
        return Some(format!(
            "negativer Anteil {} {sign} – ein Anteil ist nie kleiner als 0 (sonst im Katalog ueber_100_moeglich = ja)",
            german(v)
        ));
    }
    (v > whole).then(|| {
        format!(
            "Anteil {} {sign} über {} {sign} – laut Katalog kann Indikator {} {} {sign} nicht überschreiten (sonst dort ueber_100_moeglich = ja)",
            german(v),
            german(whole),
            o.indicator,
            german(whole)
        )
    })
}

/// Numerator and denominator are counts: never negative.
fn counts_problem(o: &Observation) -> Option<(usize, String)> {
    [(1, "Zähler", o.numerator), (2, "Nenner", o.denominator)]
        .into_iter()
        .find_map(|(i, name, v)| v.filter(|v| *v < 0.0).map(|v| (i, name, v)))
        .map(|(i, name, v)| {
            let m = format!(
                "negativer {name} {} – eine Anzahl ist nie kleiner als 0",
                german(v)
            );
            (i, m)
        })
}

/// A bounded share against its own numerator and denominator.
fn ratio_problem(limits: Limits, o: &Observation) -> Option<(usize, String)> {
    let whole = limits.whole().filter(|_| !limits.may_exceed_100)?;
    let (n, d) = (o.numerator?, o.denominator?);
    if n > d {
        let m = format!(
            "Zähler {} größer als Nenner {} – ein Anteil kann nicht mehr als das Ganze sein",
            german(n),
            german(d)
        );
        return Some((1, m));
    }
    let (v, sign) = (o.value?, limits.unit.as_str());
    if d == 0.0 {
        return None;
    }
    let share = n / d * whole;
    ((v - share).abs() > SHARE_TOLERANCE + 1e-9).then(|| {
        let m = format!(
            "Wert {} {sign} passt nicht zu Zähler {} und Nenner {} (das wären {} {sign})",
            german(v),
            german(n),
            german(d),
            format_number(share, 1)
        );
        (0, m)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Period;

    fn obs(value: Option<f64>, numerator: Option<f64>, denominator: Option<f64>) -> Observation {
        Observation {
            indicator: "ALQ".into(),
            period: Period::Year(2024),
            area: "01".into(),
            breakdown: Default::default(),
            value,
            numerator,
            denominator,
            flags: Default::default(),
            origin: None,
        }
    }

    fn check(unit: Unit, may_exceed_100: bool, o: Observation) -> Option<String> {
        number_problem(
            Limits {
                unit: &unit,
                may_exceed_100,
            },
            &o,
        )
    }

    #[test]
    fn plausible_numbers_pass() {
        assert_eq!(
            check(Unit::Percent, false, obs(Some(12.5), None, None)),
            None
        );
        assert_eq!(
            check(
                Unit::Percent,
                false,
                obs(Some(14.3), Some(143.0), Some(1000.0))
            ),
            None
        );
        // Rounded to a whole number: within half a point.
        assert_eq!(
            check(
                Unit::Percent,
                false,
                obs(Some(14.0), Some(143.0), Some(1000.0))
            ),
            None
        );
        assert_eq!(
            check(Unit::Percent, true, obs(Some(-12.0), None, None)),
            None
        );
        assert_eq!(
            check(Unit::Percent, true, obs(Some(250.0), None, None)),
            None
        );
        assert_eq!(
            check(Unit::PerMille, false, obs(Some(999.0), None, None)),
            None
        );
        assert_eq!(
            check(Unit::Count, false, obs(Some(3.5e6), None, None)),
            None
        );
        assert_eq!(check(Unit::None, false, obs(Some(-4.0), None, None)), None);
        assert_eq!(
            check(Unit::Percent, false, obs(None, Some(0.0), Some(0.0))),
            None
        );
    }

    #[test]
    fn impossible_numbers_are_named() {
        let says = |unit, over, o, text: &str| {
            let m = check(unit, over, o).unwrap_or_default();
            assert!(m.contains(text), "{m:?} should contain {text:?}");
        };
        says(
            Unit::Percent,
            false,
            obs(Some(104.5), None, None),
            "Anteil 104,5 % über 100 %",
        );
        says(
            Unit::Percent,
            false,
            obs(Some(-0.5), None, None),
            "negativer Anteil -0,5 %",
        );
        says(
            Unit::PerMille,
            false,
            obs(Some(1200.0), None, None),
            "Anteil 1.200 ‰ über 1.000 ‰",
        );
        says(
            Unit::PerMille,
            false,
            obs(Some(-1.0), None, None),
            "negativer Anteil -1 ‰",
        );
        says(
            Unit::Count,
            false,
            obs(Some(-5.0), None, None),
            "negative Anzahl -5",
        );
        says(
            Unit::None,
            true,
            obs(Some(9.9e307), None, None),
            "unplausibel groß",
        );
        says(
            Unit::Count,
            true,
            obs(Some(1e13), None, None),
            "unplausibel groß",
        );
        says(
            Unit::None,
            true,
            obs(Some(f64::NAN), None, None),
            "'NaN' ist keine endliche Zahl",
        );
        says(
            Unit::None,
            true,
            obs(None, Some(-3.0), Some(5.0)),
            "negativer Zähler -3",
        );
        says(
            Unit::Percent,
            false,
            obs(Some(50.0), Some(120.0), Some(100.0)),
            "Zähler 120 größer als Nenner 100",
        );
        says(
            Unit::Percent,
            false,
            obs(Some(12.5), Some(143.0), Some(1000.0)),
            "Wert 12,5 % passt nicht zu Zähler 143 und Nenner 1.000 (das wären 14,3 %)",
        );
    }
}
