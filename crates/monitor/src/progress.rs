//! The Open SDG progress measure (sdg-build `ProgressMeasure`): compound annual growth since a base
//! year, compared with the growth needed to reach the target in the target year.

use serde::Serialize;

/// Progress classes, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressClass {
    /// The target value is reached.
    TargetAchieved,
    /// On track (Open SDG: `on_track`; ratio ≥ 0.95, or growth ≥ 1.5 % a year without target).
    Substantial,
    /// Progress, acceleration needed (`progress_needs_acceleration`; 0.6 ≤ ratio < 0.95).
    Moderate,
    /// Limited progress (0 ≤ ratio < 0.6).
    Limited,
    /// Moving away from the target (ratio < 0).
    Deterioration,
}

impl ProgressClass {
    /// The German label.
    pub fn label(&self) -> &'static str {
        match self {
            ProgressClass::TargetAchieved => "Ziel erreicht",
            ProgressClass::Substantial => "substanzieller Fortschritt",
            ProgressClass::Moderate => "moderater Fortschritt",
            ProgressClass::Limited => "begrenzter Fortschritt",
            ProgressClass::Deterioration => "Verschlechterung",
        }
    }
}

/// The figures behind a progress class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progress {
    /// The class.
    pub class: ProgressClass,
    /// Base year actually used (the first year with data at or after the configured one).
    pub base_year: i32,
    /// Value in the base year.
    pub base_value: f64,
    /// Latest year with data.
    pub current_year: i32,
    /// Latest value.
    pub current_value: f64,
    /// Observed compound annual growth rate (signed as observed).
    pub cagr_observed: f64,
    /// Growth rate needed to reach the target (None without target).
    pub cagr_required: Option<f64>,
    /// Observed over required growth (None without target or when achieved).
    pub ratio: Option<f64>,
}

/// The progress of a series (period, value) towards a target value in a target year since a base
/// year, as the `ziel` rule measures it: one implementation for the warnings and the pages (the
/// Konzept's goals too). `rising` says whether the value is to rise; None: as the indicator's
/// polarity says.
pub fn towards(
    ind: &kimo_model::Indicator,
    points: &[(kimo_model::Period, f64)],
    target: (f64, i32),
    base_year: i32,
    rising: Option<bool>,
) -> Option<Progress> {
    // Labelled periods have no year on the time axis and take no part.
    let yearly: Vec<(i32, f64)> = points
        .iter()
        .filter(|(p, _)| !p.is_label())
        .filter_map(|(p, v)| Some((p.year()?, *v)))
        .collect();
    let higher = rising.unwrap_or(ind.polarity != kimo_model::Polarity::LowerBetter);
    progress(&yearly, base_year, Some(target), higher)
}

/// Compound annual growth from (t0, v0) to (t1, v1).
pub fn cagr(v1: f64, v0: f64, t1: f64, t0: f64) -> f64 {
    (v1 / v0).powf(1.0 / (t1 - t0)) - 1.0
}

/// Computes the progress class of a yearly series, as Open SDG does.
///
/// `higher_better` is Open SDG's direction `positive`; `target` may be absent. Returns None when fewer
/// than two years are usable, the base year lies after the data, or base and current value have
/// different signs.
pub fn progress(
    series: &[(i32, f64)],
    base_year: i32,
    target: Option<(f64, i32)>,
    higher_better: bool,
) -> Option<Progress> {
    let mut data: Vec<(i32, f64)> = series.to_vec();
    data.sort_by_key(|p| p.0);
    let &(current_year, current_value) = data.last()?;
    // The base year, or the next year with data after it.
    let &(base_year, mut base_value) = data.iter().find(|p| p.0 >= base_year)?;
    if current_year - base_year < 1 {
        return None;
    }
    if base_value == 0.0 {
        base_value = 0.001;
    }
    if (base_value > 0.0 && current_value < 0.0) || (base_value < 0.0 && current_value > 0.0) {
        return None;
    }
    let observed = cagr(
        current_value,
        base_value,
        current_year as f64,
        base_year as f64,
    );
    let mut out = Progress {
        class: ProgressClass::Limited,
        base_year,
        base_value,
        current_year,
        current_value,
        cagr_observed: observed,
        cagr_required: None,
        ratio: None,
    };
    match target {
        Some((mut t, target_year)) => {
            if t == 0.0 {
                t = 0.001;
            }
            let achieved = if higher_better {
                current_value >= t
            } else {
                current_value <= t
            };
            if achieved {
                out.class = ProgressClass::TargetAchieved;
                return Some(out);
            }
            let required = cagr(t, base_value, target_year as f64, base_year as f64);
            let ratio = observed / required;
            out.cagr_required = Some(required);
            out.ratio = Some(ratio);
            out.class = classify(ratio, 0.95, 0.6, 0.0);
        }
        None => {
            let directed = if higher_better { observed } else { -observed };
            out.class = classify(directed, 0.015, 0.005, 0.0);
        }
    }
    Some(out)
}

fn classify(v: f64, high: f64, med: f64, low: f64) -> ProgressClass {
    if v >= high {
        ProgressClass::Substantial
    } else if v >= med {
        ProgressClass::Moderate
    } else if v >= low {
        ProgressClass::Limited
    } else {
        ProgressClass::Deterioration
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Worked numbers, checked by hand against sdg-build's formulas:
    /// CAGR = (v1 / v0)^(1 / (t1 − t0)) − 1, ratio = CAGR_observed / CAGR_required.
    #[test]
    fn with_target_reproduces_open_sdg() {
        // Higher is better: 50 (2015) → 60 (2020), target 80 in 2030.
        // Observed: (60/50)^(1/5) − 1 = 0.037137…; required: (80/50)^(1/15) − 1 = 0.031814…;
        // ratio 1.1673 ≥ 0.95 → on track (substanziell).
        let p = progress(
            &[(2015, 50.0), (2018, 55.0), (2020, 60.0)],
            2015,
            Some((80.0, 2030)),
            true,
        )
        .unwrap();
        assert!(near(p.cagr_observed, 1.2f64.powf(0.2) - 1.0));
        assert!(near(
            p.cagr_required.unwrap(),
            1.6f64.powf(1.0 / 15.0) - 1.0
        ));
        assert!((p.ratio.unwrap() - 1.1673).abs() < 1e-3);
        assert_eq!(p.class, ProgressClass::Substantial);

        // Lower is better: 10 (2015) → 9 (2020), target 5 in 2030.
        // Observed: 0.9^(1/5) − 1 = −0.020852; required: 0.5^(1/15) − 1 = −0.045158; ratio 0.4618 → limited.
        let p = progress(&[(2015, 10.0), (2020, 9.0)], 2015, Some((5.0, 2030)), false).unwrap();
        assert!((p.ratio.unwrap() - 0.4618).abs() < 1e-3);
        assert_eq!(p.class, ProgressClass::Limited);

        // Lower is better but rising: 10 → 11 → ratio negative → deterioration.
        let p = progress(
            &[(2015, 10.0), (2020, 11.0)],
            2015,
            Some((5.0, 2030)),
            false,
        )
        .unwrap();
        assert_eq!(p.class, ProgressClass::Deterioration);

        // 10 → 8.5: ratio (0.85^(1/5)−1)/(0.5^(1/15)−1) = 0.7089 → moderate.
        let p = progress(&[(2015, 10.0), (2020, 8.5)], 2015, Some((5.0, 2030)), false).unwrap();
        assert!((p.ratio.unwrap() - 0.7089).abs() < 1e-3);
        assert_eq!(p.class, ProgressClass::Moderate);

        // Exactly at the target counts as achieved.
        let p = progress(&[(2015, 10.0), (2020, 5.0)], 2015, Some((5.0, 2030)), false).unwrap();
        assert_eq!(p.class, ProgressClass::TargetAchieved);
    }

    #[test]
    fn without_target_and_edge_cases() {
        // No target: 100 → 110 over 5 years, higher better: CAGR 1.924 % ≥ 1.5 % → substantial.
        let p = progress(&[(2015, 100.0), (2020, 110.0)], 2015, None, true).unwrap();
        assert_eq!(p.class, ProgressClass::Substantial);
        // 100 → 102: 0.397 % → limited (≥ 0, < 0.5 %).
        let p = progress(&[(2015, 100.0), (2020, 102.0)], 2015, None, true).unwrap();
        assert_eq!(p.class, ProgressClass::Limited);
        // The base year is missing: the next year with data is used.
        let p = progress(
            &[(2014, 1.0), (2016, 100.0), (2020, 104.0)],
            2015,
            None,
            true,
        )
        .unwrap();
        assert_eq!(p.base_year, 2016);
        assert_eq!(p.class, ProgressClass::Moderate);
        // Base year after the data, one point only, or a change of sign: no result.
        assert!(progress(&[(2010, 1.0), (2012, 2.0)], 2015, None, true).is_none());
        assert!(progress(&[(2020, 1.0)], 2015, None, true).is_none());
        assert!(progress(&[(2015, -1.0), (2020, 2.0)], 2015, None, true).is_none());
        // Zero base value is replaced by 0.001 as in Open SDG.
        let p = progress(&[(2015, 0.0), (2020, 1.0)], 2015, None, true).unwrap();
        assert_eq!(p.base_value, 0.001);
    }
}
