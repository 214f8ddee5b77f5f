//! Plausibility flags for a delivery: values that are possible but unusual against their own
//! series — a change far beyond the series' usual movement, a share jumping by more than a set
//! amount, a Stadtteil value far from its own history. The uploader confirms each with a reason or
//! corrects the file. Pure, like the rules.

use kimo_model::delivery::Flag;
use kimo_model::{Indicator, Observation, Period, Unit};
use std::collections::HashMap;

/// A share may move by this many percentage (or per-mille) points from one period to the next
/// before it is flagged, unless configured otherwise.
pub const DEFAULT_SHARE_JUMP: f64 = 5.0;

/// A change counts as far beyond the usual when it exceeds this many times the median of the
/// series' earlier changes.
pub const CHANGE_FACTOR: f64 = 4.0;

/// A Stadtteil value counts as far from its history beyond this robust z-score (median and
/// median absolute deviation of its earlier values).
pub const AREA_Z: f64 = 3.5;

/// A stored series: (indicator, area, breakdown key) → values by period, oldest first.
pub type History = HashMap<(String, String, String), Vec<(Period, f64)>>;

/// What the checks need to know besides the values.
pub struct Settings<'a> {
    /// The catalogue.
    pub indicators: &'a [Indicator],
    /// Whether an area is a Stadtteil (or finer), not the whole city.
    pub is_district: &'a dyn Fn(&str) -> bool,
    /// How far a share may move between periods (points).
    pub share_jump: f64,
}

/// The median of some numbers (None for none).
fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(match n % 2 {
        1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    })
}

/// The flag of one new value against its series' earlier values (`before`: oldest first, only
/// periods before the value's), or None.
fn flag_one(
    unit: &Unit,
    v: f64,
    before: &[(Period, f64)],
    district: bool,
    share_jump: f64,
) -> Option<String> {
    let (prev_period, prev) = before.last()?;
    let change = v - prev;
    let fmt = |x: f64| unit.format(Some(x));
    if (unit.is_percent() || matches!(unit, Unit::PerMille)) && change.abs() > share_jump {
        return Some(format!(
            "Der Anteil springt von {} ({}) auf {}: um {}, mehr als die üblichen {}.",
            fmt(*prev),
            prev_period.label(),
            fmt(v),
            unit.difference_words(change),
            unit.difference_words(share_jump)
        ));
    }
    let changes: Vec<f64> = before.windows(2).map(|w| (w[1].1 - w[0].1).abs()).collect();
    if changes.len() >= 3 {
        let typical = median(changes)?;
        if typical > 0.0
            && change.abs() > CHANGE_FACTOR * typical
            && change.abs() > unit.resolution()
        {
            return Some(format!(
                "Veränderung gegenüber {} um {}; bisher lag die Veränderung von Zeitraum zu Zeitraum meist bei {}.",
                prev_period.label(),
                unit.difference(change),
                unit.difference_words(typical)
            ));
        }
    }
    if district && before.len() >= 4 {
        let values: Vec<f64> = before.iter().map(|x| x.1).collect();
        let m = median(values.clone())?;
        let mad = median(values.iter().map(|x| (x - m).abs()).collect())?;
        let (lo, hi) = values
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
        if mad > 0.0 && (v - m).abs() / (1.4826 * mad) > AREA_Z {
            return Some(format!(
                "Der Wert {} liegt weit außerhalb der bisherigen Werte dieses Stadtteils ({} bis {}).",
                fmt(v),
                fmt(lo),
                fmt(hi)
            ));
        }
    }
    None
}

/// The flags of a file's values against the stored series.
pub fn flags(new: &[Observation], history: &History, s: &Settings) -> Vec<Flag> {
    let mut out = Vec::new();
    for o in new {
        let Some(v) = o.value else { continue };
        let Some(ind) = s.indicators.iter().find(|i| i.code == o.indicator) else {
            continue;
        };
        let key = (o.indicator.clone(), o.area.clone(), o.breakdown.key());
        let before: Vec<(Period, f64)> = history
            .get(&key)
            .map(|h| h.iter().filter(|(p, _)| p < &o.period).cloned().collect())
            .unwrap_or_default();
        if let Some(message) = flag_one(
            &ind.unit,
            v,
            &before,
            (s.is_district)(&o.area),
            s.share_jump,
        ) {
            out.push(Flag {
                indicator: o.indicator.clone(),
                area: o.area.clone(),
                breakdown: o.breakdown.key(),
                period: o.period.code(),
                place: o
                    .origin
                    .as_ref()
                    .map_or(String::new(), |x| x.at_number(0).to_string()),
                message,
                reason: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::{Breakdown, Origin};

    fn series(values: &[(i32, f64)]) -> Vec<(Period, f64)> {
        values.iter().map(|(y, v)| (Period::Year(*y), *v)).collect()
    }

    fn obs(ind: &str, area: &str, year: i32, v: f64) -> Observation {
        Observation {
            indicator: ind.into(),
            period: Period::Year(year),
            area: area.into(),
            breakdown: Breakdown::total(),
            value: Some(v),
            numerator: None,
            denominator: None,
            flags: Default::default(),
            origin: Some(Origin {
                file: "lieferung.csv".into(),
                line: 4,
                column: 2,
                numbers: [5, 0, 0],
            }),
        }
    }

    #[test]
    fn unusual_values_are_flagged_usual_ones_not() {
        let inds = [
            Indicator {
                code: "ARB-03".into(),
                unit: Unit::Percent,
                ..Default::default()
            },
            Indicator {
                code: "DEM-01".into(),
                unit: Unit::Count,
                ..Default::default()
            },
        ];
        let mut history = History::new();
        let key = |i: &str, a: &str| (i.to_string(), a.to_string(), String::new());
        history.insert(
            key("ARB-03", "KA"),
            series(&[
                (2020, 9.0),
                (2021, 8.6),
                (2022, 8.1),
                (2023, 8.4),
                (2024, 8.0),
            ]),
        );
        history.insert(
            key("ARB-03", "19"),
            series(&[
                (2020, 12.0),
                (2021, 12.4),
                (2022, 11.9),
                (2023, 12.2),
                (2024, 12.1),
            ]),
        );
        history.insert(
            key("DEM-01", "KA"),
            series(&[
                (2020, 300_000.0),
                (2021, 301_000.0),
                (2022, 302_500.0),
                (2023, 303_500.0),
                (2024, 305_000.0),
            ]),
        );
        let district = |a: &str| a != "KA";
        let s = Settings {
            indicators: &inds,
            is_district: &district,
            share_jump: DEFAULT_SHARE_JUMP,
        };
        let file = [
            obs("ARB-03", "KA", 2025, 8.3),       // usual
            obs("ARB-03", "KA", 2026, 14.0),      // a share jumping by 5.7 points
            obs("ARB-03", "19", 2025, 14.2), // 2.1 points: not a jump, but beyond the usual movement
            obs("DEM-01", "KA", 2025, 350_000.0), // a count: beyond the usual change
            obs("DEM-01", "KA", 2026, 306_500.0), // usual
            obs("ARB-03", "07", 2025, 50.0), // no history: nothing to compare
        ];
        let got = flags(&file, &history, &s);
        let what: Vec<(&str, &str, &str)> = got
            .iter()
            .map(|f| (f.indicator.as_str(), f.area.as_str(), f.period.as_str()))
            .collect();
        assert_eq!(
            what,
            [
                ("ARB-03", "KA", "2026"),
                ("ARB-03", "19", "2025"),
                ("DEM-01", "KA", "2025")
            ]
        );
        assert_eq!(
            got[0].message,
            "Der Anteil springt von 8,0 % (2024) auf 14,0 %: um 6,0 Prozentpunkte, mehr als die üblichen 5,0 Prozentpunkte."
        );
        assert_eq!(got[0].place, "lieferung.csv: Zeile 4, Spalte 5");
        assert!(
            got[2]
                .message
                .starts_with("Veränderung gegenüber 2024 um +45.000;"),
            "{}",
            got[2].message
        );
        // A Stadtteil far from its own history although the change is not a jump.
        let mut history2 = History::new();
        history2.insert(
            key("DEM-01", "19"),
            series(&[
                (2019, 100.0),
                (2020, 300.0),
                (2021, 120.0),
                (2022, 280.0),
                (2023, 110.0),
                (2024, 290.0),
            ]),
        );
        let far = flags(&[obs("DEM-01", "19", 2025, 900.0)], &history2, &s);
        assert_eq!(far.len(), 1);
        assert!(far[0].message.starts_with("Der Wert 900 liegt weit außerhalb der bisherigen Werte dieses Stadtteils (100 bis 300)"), "{}", far[0].message);
    }
}
