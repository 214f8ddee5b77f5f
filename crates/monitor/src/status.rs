//! Status and dynamics of small areas, as in Berlin's "Monitoring Soziale Stadtentwicklung" and
//! Hamburg's "Sozialmonitoring": each area's current value z-standardised against all areas (status)
//! and its change over a few periods z-standardised (dynamics), combined into classes.

use crate::rules::MinChange;
use serde::Serialize;

/// Status class (oriented so that "sehr niedrig" is the least favourable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// z < −1: clearly better than the other areas.
    Hoch,
    /// −1 ≤ z ≤ 1.
    Mittel,
    /// 1 < z ≤ 1.5.
    Niedrig,
    /// z > 1.5.
    SehrNiedrig,
}

/// Dynamics class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dynamics {
    /// z < −1: develops clearly better than the others.
    Positiv,
    /// −1 ≤ z ≤ 1.
    Stabil,
    /// z > 1: develops clearly worse.
    Negativ,
}

impl Status {
    /// All classes, most favourable first (the order of the map's legend).
    pub const ALL: [Status; 4] = [
        Status::Hoch,
        Status::Mittel,
        Status::Niedrig,
        Status::SehrNiedrig,
    ];
    /// The code (JSON, figures): `hoch`, `mittel`, `niedrig`, `sehr-niedrig`.
    pub fn code(&self) -> &'static str {
        match self {
            Status::Hoch => "hoch",
            Status::Mittel => "mittel",
            Status::Niedrig => "niedrig",
            Status::SehrNiedrig => "sehr-niedrig",
        }
    }
    /// In plain words for readers, whatever the polarity: „deutlich ungünstiger“ …
    /// (compared with the average of the Stadtteile).
    pub fn label(&self) -> &'static str {
        match self {
            Status::Hoch => "günstiger",
            Status::Mittel => "durchschnittlich",
            Status::Niedrig => "ungünstiger",
            Status::SehrNiedrig => "deutlich ungünstiger",
        }
    }
    fn of(z: f64) -> Status {
        if z < -1.0 {
            Status::Hoch
        } else if z <= 1.0 {
            Status::Mittel
        } else if z <= 1.5 {
            Status::Niedrig
        } else {
            Status::SehrNiedrig
        }
    }
}

impl Dynamics {
    /// The code (JSON, figures): `positiv`, `stabil`, `negativ`.
    pub fn code(&self) -> &'static str {
        match self {
            Dynamics::Positiv => "positiv",
            Dynamics::Stabil => "stabil",
            Dynamics::Negativ => "negativ",
        }
    }
    /// In plain words for readers, whatever the polarity.
    pub fn label(&self) -> &'static str {
        match self {
            Dynamics::Positiv => "verbessert sich",
            Dynamics::Stabil => "unauffällig",
            Dynamics::Negativ => "verschlechtert sich",
        }
    }
    fn of(z: f64) -> Dynamics {
        if z < -1.0 {
            Dynamics::Positiv
        } else if z <= 1.0 {
            Dynamics::Stabil
        } else {
            Dynamics::Negativ
        }
    }
}

/// One area's input: current value, value some periods before (if known), population.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaInput {
    /// Area code.
    pub area: String,
    /// Current value.
    pub value: f64,
    /// Value at the start of the dynamics window.
    pub earlier: Option<f64>,
    /// Inhabitants (None: unknown, not excluded).
    pub population: Option<f64>,
}

/// One area's classification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaClass {
    /// Area code.
    pub area: String,
    /// Current value.
    pub value: f64,
    /// Change over the window, if known.
    pub change: Option<f64>,
    /// Status z-score, oriented (positive = less favourable).
    pub z_status: f64,
    /// Dynamics z-score, oriented.
    pub z_dynamics: Option<f64>,
    /// Status class.
    pub status: Status,
    /// Dynamics class (None without an earlier value).
    pub dynamics: Option<Dynamics>,
}

/// The classification of all areas, and the areas left out for their small population.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Classification {
    /// Classified areas.
    pub areas: Vec<AreaClass>,
    /// Areas below the minimum population: (code, population).
    pub excluded: Vec<(String, f64)>,
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The dynamics of a z-score, kept only when the change itself says the same: negative dynamics
/// need a worsening of at least `min_change`, positive an improvement of at least it; else stable.
fn dynamics_of(z: f64, sign: f64, earlier: f64, value: f64, min_change: MinChange) -> Dynamics {
    let d = Dynamics::of(z);
    let substantive = min_change.reached(earlier, value);
    let worse = sign * (value - earlier) > 0.0;
    match d {
        Dynamics::Negativ if substantive && worse => d,
        Dynamics::Positiv if substantive && !worse && value != earlier => d,
        _ => Dynamics::Stabil,
    }
}

/// Classifies areas. `sign` is +1 when higher values are worse, −1 when higher values are better
/// (neutral indicators use +1: "sehr niedrig" then just means "far above average").
/// Needs at least three areas; a standard deviation of zero makes every area "mittel"/"stabil".
/// A change smaller than `min_change` is never negative or positive dynamics.
pub fn classify(
    inputs: &[AreaInput],
    sign: f64,
    min_population: f64,
    min_change: MinChange,
) -> Classification {
    let mut out = Classification::default();
    let kept: Vec<&AreaInput> = inputs
        .iter()
        .filter(|a| match a.population {
            Some(p) if p < min_population => {
                out.excluded.push((a.area.clone(), p));
                false
            }
            _ => true,
        })
        .collect();
    if kept.len() < 3 {
        return out;
    }
    let values: Vec<f64> = kept.iter().map(|a| a.value).collect();
    let (m, sd) = mean_sd(&values);
    let changes: Vec<f64> = kept
        .iter()
        .filter_map(|a| a.earlier.map(|e| a.value - e))
        .collect();
    let (cm, csd) = if changes.len() >= 3 {
        mean_sd(&changes)
    } else {
        (0.0, 0.0)
    };
    for a in kept {
        let z = if sd > 0.0 {
            sign * (a.value - m) / sd
        } else {
            0.0
        };
        let change = a.earlier.map(|e| a.value - e);
        let zd = match change {
            Some(c) if changes.len() >= 3 => Some(if csd > 0.0 {
                sign * (c - cm) / csd
            } else {
                0.0
            }),
            _ => None,
        };
        out.areas.push(AreaClass {
            area: a.area.clone(),
            value: a.value,
            change,
            z_status: z,
            z_dynamics: zd,
            status: Status::of(z),
            dynamics: zd
                .zip(a.earlier)
                .map(|(z, e)| dynamics_of(z, sign, e, a.value, min_change)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(area: &str, value: f64, earlier: f64, population: f64) -> AreaInput {
        AreaInput {
            area: area.into(),
            value,
            earlier: Some(earlier),
            population: Some(population),
        }
    }

    #[test]
    fn z_standardised_classes() {
        // Ten areas: nine at 10 (no change), one at 20 (+5). Mean 11, sd 3 → z = 3 for the outlier.
        let mut v: Vec<AreaInput> = (0..9)
            .map(|i| a(&format!("{i}"), 10.0, 10.0, 1000.0))
            .collect();
        v.push(a("X", 20.0, 15.0, 1000.0));
        let c = classify(&v, 1.0, 300.0, MinChange::NONE);
        let x = c.areas.iter().find(|a| a.area == "X").unwrap();
        assert!((x.z_status - 3.0).abs() < 1e-9);
        assert_eq!(x.status, Status::SehrNiedrig);
        assert_eq!(x.dynamics, Some(Dynamics::Negativ));
        assert_eq!(c.areas[0].status, Status::Mittel);
        // Higher is better: the same outlier is "hoch" with positive dynamics.
        let c = classify(&v, -1.0, 300.0, MinChange::NONE);
        let x = c.areas.iter().find(|a| a.area == "X").unwrap();
        assert_eq!(
            (x.status, x.dynamics),
            (Status::Hoch, Some(Dynamics::Positiv))
        );
    }

    #[test]
    fn small_areas_are_left_out_and_named() {
        let v = vec![
            a("A", 1.0, 1.0, 5000.0),
            a("B", 2.0, 1.0, 299.0),
            a("C", 3.0, 1.0, 300.0),
            a("D", 4.0, 1.0, 800.0),
        ];
        let c = classify(&v, 1.0, 300.0, MinChange::NONE);
        assert_eq!(c.excluded, vec![("B".to_string(), 299.0)]);
        assert_eq!(c.areas.len(), 3, "exactly at the minimum stays in");
    }

    #[test]
    fn degenerate_inputs() {
        // All equal: everyone "mittel" and "stabil".
        let v: Vec<AreaInput> = (0..5)
            .map(|i| a(&format!("{i}"), 7.0, 7.0, 1000.0))
            .collect();
        let c = classify(&v, 1.0, 300.0, MinChange::NONE);
        assert!(
            c.areas
                .iter()
                .all(|a| a.status == Status::Mittel && a.dynamics == Some(Dynamics::Stabil))
        );
        // Fewer than three areas: nothing to classify.
        assert!(
            classify(&v[..2], 1.0, 300.0, MinChange::NONE)
                .areas
                .is_empty()
        );
        // Negative and zero values are fine.
        let v = vec![
            a("A", -5.0, 0.0, 1e4),
            a("B", 0.0, 0.0, 1e4),
            a("C", 5.0, 0.0, 1e4),
        ];
        let c = classify(&v, 1.0, 300.0, MinChange::NONE);
        assert_eq!(c.areas.len(), 3);
        assert_eq!(c.areas[1].status, Status::Mittel);
    }
}
