//! kimo's early-warning system: rules over series (threshold, trend, group gap, status and dynamics,
//! target progress, overdue data), each finding explained in one German sentence with its numbers.
//! Pure functions: the store loads the series, this crate decides, the store keeps the warnings.

pub mod checks;
pub mod progress;
pub mod rules;
pub mod status;

use checks::Point;
use chrono::{Datelike, NaiveDate};
use kimo_model::{Breakdown, Indicator, Period, Periodicity, Polarity, format_number};
use rules::{Check, Rule, Severity, StatusParams};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// The series of one indicator: (area code, breakdown) → points sorted by period.
pub type SeriesMap = HashMap<(String, Breakdown), Vec<Point>>;

/// Names for sentences, and the area hierarchy.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Area code → name.
    pub areas: HashMap<String, String>,
    /// The whole city's area code.
    pub city: String,
    /// The areas directly below the city.
    pub children: Vec<String>,
    /// (dimension, category) → category name.
    pub categories: HashMap<(String, String), String>,
}

impl Names {
    fn area(&self, code: &str) -> String {
        self.areas
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }
    fn group(&self, b: &Breakdown) -> String {
        b.iter()
            .map(|(d, c)| {
                self.categories
                    .get(&(d.to_string(), c.to_string()))
                    .cloned()
                    .unwrap_or_else(|| c.to_string())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// „Arbeitslosenquote (nichtdeutsch)“
    fn subject(&self, ind: &Indicator, b: &Breakdown) -> String {
        if b.is_total() {
            format!("„{}“", ind.name)
        } else {
            format!("„{} ({})“", ind.name, self.group(b))
        }
    }
}

/// One condition that holds: the stuff a warning is made of.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Identity: the same key on the next evaluation is the same warning.
    pub key: String,
    /// Rule type code (`trend`, `schwelle`, ...).
    pub kind: &'static str,
    /// Rule id within the indicator.
    pub rule: String,
    /// Indicator code.
    pub indicator: String,
    /// Area code.
    pub area: String,
    /// The series concerned.
    pub breakdown: Breakdown,
    /// Severity.
    pub severity: Severity,
    /// One German sentence with the numbers.
    pub sentence: String,
    /// The latest period involved.
    pub period: Option<Period>,
    /// The figures that triggered it.
    pub figures: serde_json::Value,
}

const COUNT_WORDS: [&str; 13] = [
    "null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf",
];

fn count_word(n: usize) -> String {
    COUNT_WORDS.get(n).map_or(n.to_string(), |w| w.to_string())
}

fn steps_word(p: Periodicity, n: usize) -> String {
    let unit = match p {
        Periodicity::Year => "Jahre",
        Periodicity::SchoolYear => "Schuljahre",
        Periodicity::HalfYear => "Halbjahre",
        Periodicity::Quarter => "Quartale",
        Periodicity::Month => "Monate",
        Periodicity::Irregular => "Erhebungen",
    };
    format!("{} {unit}", count_word(n))
}

fn v(ind: &Indicator, x: f64) -> String {
    ind.unit.format(Some(x))
}

/// A difference in the indicator's unit: "2,5 Prozentpunkte" for %, else "2,5 m²".
fn diff(ind: &Indicator, x: f64) -> String {
    ind.unit.difference_words(x)
}

fn key(rule: &Rule, area: &str, b: &Breakdown) -> String {
    format!("{}|{}|{}|{}", rule.indicator, rule.id, area, b.key())
}

/// The identity part of a finding; callers fill in severity, sentence, period and figures.
fn base(rule: &Rule, ind: &Indicator, area: &str, b: &Breakdown) -> Finding {
    Finding {
        key: key(rule, area, b),
        kind: rule.check.code(),
        rule: rule.id.clone(),
        indicator: ind.code.clone(),
        area: area.to_string(),
        breakdown: b.clone(),
        severity: Severity::Mittel,
        sentence: String::new(),
        period: None,
        figures: serde_json::Value::Null,
    }
}

fn expected_days(p: Periodicity) -> i64 {
    match p {
        Periodicity::Year | Periodicity::SchoolYear | Periodicity::Irregular => 365,
        Periodicity::HalfYear => 183,
        Periodicity::Quarter => 92,
        Periodicity::Month => 31,
    }
}

/// Everything one evaluation needs besides the indicator's own series.
pub struct Context<'a> {
    /// Names and hierarchy.
    pub names: &'a Names,
    /// The reference date for "overdue".
    pub as_of: NaiveDate,
    /// Population series by indicator code (for the status rule's minimum population).
    pub population: &'a dyn Fn(&str) -> Option<&'a SeriesMap>,
}

/// Evaluates all rules of one indicator over its series.
pub fn evaluate(ind: &Indicator, rules: &[Rule], series: &SeriesMap, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let names = cx.names;
    let mut keys: Vec<&(String, Breakdown)> = series.keys().collect();
    keys.sort();
    for rule in rules {
        let sev = |d: Severity| rule.severity.unwrap_or(d);
        match &rule.check {
            Check::Threshold { limit, above } => {
                for (area, b) in keys.iter().map(|k| (&k.0, &k.1)) {
                    if !rule.scope.includes(area, *area == names.city)
                        || !(rule.all_groups || *b == rule.breakdown)
                    {
                        continue;
                    }
                    if let Some((p, x)) =
                        checks::beyond(&series[&(area.clone(), b.clone())], *limit, *above)
                    {
                        out.push(Finding {
                                                        severity: sev(Severity::Hoch),
                            sentence: format!(
                                "In {} liegt der Wert {} mit {} ({}) {} dem Schwellenwert von {}.",
                                names.area(area),
                                names.subject(ind, b),
                                v(ind, x),
                                p.label(),
                                if *above { "über" } else { "unter" },
                                v(ind, *limit)
                            ),
                            period: Some(p),
                            figures: json!({ "wert": x, "zeitraum": p.code(), "grenze": limit, "richtung": if *above { "ueber" } else { "unter" } }),
                            ..base(rule, ind, area, b)
                        });
                    }
                }
            }
            Check::Trend {
                periods,
                min_total_percent,
                jump,
                jump_points,
            } => {
                for (area, b) in keys.iter().map(|k| (&k.0, &k.1)) {
                    if !rule.scope.includes(area, *area == names.city)
                        || !(rule.all_groups || *b == rule.breakdown)
                    {
                        continue;
                    }
                    let pts = &series[&(area.clone(), b.clone())];
                    let dir = |a: f64, z: f64| if z > a { "gestiegen" } else { "gesunken" };
                    if let Some(streak) =
                        checks::worsening_streak(pts, *periods, ind.polarity, *min_total_percent)
                    {
                        let (p0, v0) = streak[0];
                        let (p1, v1) = streak[streak.len() - 1];
                        out.push(Finding {
                                                        severity: sev(Severity::Mittel),
                            sentence: format!(
                                "In {} ist der Wert {} {} in Folge {}, von {} ({}) auf {} ({}).",
                                names.area(area),
                                names.subject(ind, b),
                                steps_word(ind.periodicity, *periods),
                                dir(v0, v1),
                                v(ind, v0),
                                p0.label(),
                                v(ind, v1),
                                p1.label()
                            ),
                            period: Some(p1),
                            figures: json!({ "reihe": streak.iter().map(|(p, x)| json!({"zeitraum": p.code(), "wert": x})).collect::<Vec<_>>() }),
                            ..base(rule, ind, area, b)
                        });
                    } else if let Some(limit) = jump
                        && let Some(((pa, va), (pb, vb), _)) =
                            checks::worsening_jump(pts, *limit, *jump_points, ind.polarity)
                    {
                        out.push(Finding {
                                                                severity: sev(Severity::Mittel),
                                sentence: format!(
                                    "In {} ist der Wert {} gegenüber {} um {} auf {} ({}) {}.",
                                    names.area(area),
                                    names.subject(ind, b),
                                    pa.label(),
                                    if *jump_points || va == 0.0 { diff(ind, vb - va) } else { format!("{} %", format_number((vb - va).abs() / va.abs() * 100.0, 1)) },
                                    v(ind, vb),
                                    pb.label(),
                                    dir(va, vb)
                                ),
                                period: Some(pb),
                                figures: json!({ "vorher": {"zeitraum": pa.code(), "wert": va}, "nachher": {"zeitraum": pb.code(), "wert": vb}, "grenze": limit }),
                                ..base(rule, ind, area, b)
                            });
                    }
                }
            }
            Check::GroupGap {
                dimension,
                group,
                reference,
                limit,
                widening,
            } => {
                let gb = Breakdown::of(&[(dimension.as_str(), group.as_str())]);
                let rb = Breakdown::of(&[(dimension.as_str(), reference.as_str())]);
                let mut areas: Vec<&String> =
                    keys.iter().filter(|k| k.1 == gb).map(|k| &k.0).collect();
                areas.dedup();
                for area in areas {
                    if !rule.scope.includes(area, *area == names.city) {
                        continue;
                    }
                    let (Some(g), Some(r)) = (
                        series.get(&(area.clone(), gb.clone())),
                        series.get(&(area.clone(), rb.clone())),
                    ) else {
                        continue;
                    };
                    let gaps = checks::gaps(g, r, ind.polarity);
                    let gname = names
                        .categories
                        .get(&(dimension.clone(), group.clone()))
                        .cloned()
                        .unwrap_or(group.clone());
                    let rname = names
                        .categories
                        .get(&(dimension.clone(), reference.clone()))
                        .cloned()
                        .unwrap_or(reference.clone());
                    let widened = widening.and_then(|k| checks::widening(&gaps, k).map(|s| (k, s)));
                    let over = limit.and_then(|l| checks::beyond(&gaps, l, true).map(|x| (l, x)));
                    let sentence = match (&over, &widened) {
                        (Some((l, (p, d))), _) => format!(
                            "In {} liegt der Wert „{}“ für {} {} um {} ungünstiger als für {} (Schwelle {}).",
                            names.area(area),
                            ind.name,
                            gname,
                            p.label(),
                            diff(ind, *d),
                            rname,
                            diff(ind, *l)
                        ),
                        (None, Some((k, s))) => format!(
                            "In {} hat sich der Abstand bei „{}“ zwischen {} und {} {} in Folge vergrößert, von {} ({}) auf {} ({}).",
                            names.area(area),
                            ind.name,
                            gname,
                            rname,
                            steps_word(ind.periodicity, *k),
                            diff(ind, s[0].1),
                            s[0].0.label(),
                            diff(ind, s[s.len() - 1].1),
                            s[s.len() - 1].0.label()
                        ),
                        (None, None) => continue,
                    };
                    let period = over
                        .as_ref()
                        .map(|o| o.1.0)
                        .or(widened.as_ref().map(|w| w.1[w.1.len() - 1].0));
                    out.push(Finding {
                                                severity: sev(Severity::Mittel),
                        sentence,
                        period,
                        figures: json!({ "abstaende": gaps.iter().map(|p| json!({"zeitraum": p.period.code(), "abstand": p.value})).collect::<Vec<_>>(), "grenze": limit, "gruppe": group, "vergleich": reference }),
                        ..base(rule, ind, area, &gb)
                    });
                }
            }
            Check::StatusDynamics(params) => {
                if ind.polarity == Polarity::Neutral {
                    continue;
                }
                let Some(class) = classify_areas(
                    ind,
                    series,
                    names,
                    (cx.population)(&params.population_indicator),
                    params,
                ) else {
                    continue;
                };
                for a in &class.1.areas {
                    let (st, dy) = (a.status, a.dynamics);
                    // As in Berlin's monitoring: attention where a low status meets negative dynamics.
                    let low = matches!(st, status::Status::Niedrig | status::Status::SehrNiedrig);
                    let fires = low && dy == Some(status::Dynamics::Negativ);
                    if !fires || !rule.scope.includes(&a.area, false) {
                        continue;
                    }
                    let severity = if st == status::Status::SehrNiedrig
                        && dy == Some(status::Dynamics::Negativ)
                    {
                        Severity::Hoch
                    } else {
                        Severity::Mittel
                    };
                    let change = a.change.map_or(String::new(), |c| {
                        format!(
                            " ({}{} seit {})",
                            if c >= 0.0 { "+" } else { "−" },
                            diff(ind, c),
                            class.2.map_or("–".into(), |p| p.label())
                        )
                    });
                    out.push(Finding {
                                                severity: rule.severity.unwrap_or(severity),
                        sentence: format!(
                            "{} hat bei „{}“ im Vergleich der Stadtteile einen {} Status ({}, {}) und eine {} Dynamik{}.",
                            names.area(&a.area),
                            ind.name,
                            match st {
                                status::Status::SehrNiedrig => "sehr niedrigen",
                                status::Status::Niedrig => "niedrigen",
                                status::Status::Mittel => "mittleren",
                                status::Status::Hoch => "hohen",
                            },
                            v(ind, a.value),
                            class.0.label(),
                            dy.map_or("unbekannte", |d| match d {
                                status::Dynamics::Negativ => "negative",
                                status::Dynamics::Stabil => "stabile",
                                status::Dynamics::Positiv => "positive",
                            }),
                            change
                        ),
                        period: Some(class.0),
                        figures: json!({ "wert": a.value, "z_status": a.z_status, "z_dynamik": a.z_dynamics, "status": st.label(), "dynamik": dy.map(|d| d.label()), "ausgenommen": class.1.excluded }),
                        ..base(rule, ind, &a.area, &Breakdown::total())
                    });
                }
            }
            Check::Target {
                value,
                year,
                base_year,
            } => {
                let area = match &rule.scope {
                    rules::Scope::Areas(v) if !v.is_empty() => v[0].clone(),
                    _ => names.city.clone(),
                };
                let Some(pts) = series.get(&(area.clone(), rule.breakdown.clone())) else {
                    continue;
                };
                let yearly: Vec<(i32, f64)> = pts
                    .iter()
                    .filter_map(|p| Some((p.period.start().year(), p.value?)))
                    .collect();
                let higher = ind.polarity != Polarity::LowerBetter;
                let Some(pr) =
                    progress::progress(&yearly, *base_year, Some((*value, *year)), higher)
                else {
                    continue;
                };
                use progress::ProgressClass::*;
                if !matches!(pr.class, Limited | Deterioration) {
                    continue;
                }
                out.push(Finding {
                                        severity: sev(if pr.class == Deterioration { Severity::Hoch } else { Severity::Mittel }),
                    sentence: format!(
                        "Das Ziel {} für {} bis {} ist nicht auf Kurs: {} (von {} {} auf {} {}; nötig wären {} % pro Jahr, erreicht {} %).",
                        v(ind, *value),
                        names.subject(ind, &rule.breakdown),
                        year,
                        pr.class.label(),
                        v(ind, pr.base_value),
                        pr.base_year,
                        v(ind, pr.current_value),
                        pr.current_year,
                        format_number(pr.cagr_required.unwrap_or(0.0) * 100.0, 1),
                        format_number(pr.cagr_observed * 100.0, 1)
                    ),
                    period: pts.last().map(|p| p.period),
                    figures: serde_json::to_value(&pr).unwrap_or_default(),
                    ..base(rule, ind, &area, &rule.breakdown)
                });
            }
            Check::Overdue { grace_days } => {
                let Some(latest) = series
                    .values()
                    .filter_map(|s| s.iter().rev().find(|p| p.value.is_some()).map(|p| p.period))
                    .max()
                else {
                    continue;
                };
                let due = latest.end()
                    + chrono::TimeDelta::days(expected_days(ind.periodicity) + grace_days);
                if cx.as_of <= due {
                    continue;
                }
                out.push(Finding {
                                        severity: sev(Severity::Niedrig),
                    sentence: format!(
                        "Für „{}“ liegt seit {} kein neuer Wert vor; der nächste war bis {} fällig (zuständig: {}).",
                        ind.name,
                        latest.label(),
                        due.format("%d.%m.%Y"),
                        if ind.department.is_empty() { "nicht angegeben" } else { &ind.department }
                    ),
                    period: Some(latest),
                    figures: json!({ "letzter_zeitraum": latest.code(), "faellig": due.format("%Y-%m-%d").to_string(), "stichtag": cx.as_of.format("%Y-%m-%d").to_string() }),
                    ..base(rule, ind, &names.city, &Breakdown::total())
                });
            }
        }
    }
    out
}

/// Status and dynamics of the areas below the city in the latest period with values there, under
/// the status rule in force ([`rules::RuleSet::status_rule`]); `population` holds the series of its
/// population indicator. Returns (period, classification, start period of the dynamics window).
pub fn classify_areas(
    ind: &Indicator,
    series: &SeriesMap,
    names: &Names,
    population: Option<&SeriesMap>,
    params: &StatusParams,
) -> Option<(Period, status::Classification, Option<Period>)> {
    let total = Breakdown::total();
    let child_series: Vec<(&String, &Vec<Point>)> = names
        .children
        .iter()
        .filter_map(|c| series.get(&(c.clone(), total.clone())).map(|s| (c, s)))
        .collect();
    let latest = child_series
        .iter()
        .filter_map(|(_, s)| s.iter().rev().find(|p| p.value.is_some()).map(|p| p.period))
        .max()?;
    let mut earlier = Some(latest);
    for _ in 0..params.periods {
        earlier = earlier.and_then(|p| p.prev());
    }
    let value_at =
        |s: &Vec<Point>, p: Period| s.iter().find(|x| x.period == p).and_then(|x| x.value);
    let inputs: Vec<status::AreaInput> = child_series
        .iter()
        .filter_map(|(code, s)| {
            let value = value_at(s, latest)?;
            let pop = population.and_then(|ps| {
                let s = ps.get(&((*code).clone(), total.clone()))?;
                s.iter()
                    .rev()
                    .find(|p| p.period <= latest || p.period.start() <= latest.end())
                    .and_then(|p| p.value)
            });
            Some(status::AreaInput {
                area: (*code).clone(),
                value,
                earlier: earlier.and_then(|e| value_at(s, e)),
                population: pop,
            })
        })
        .collect();
    let sign = if ind.polarity == Polarity::HigherBetter {
        -1.0
    } else {
        1.0
    };
    Some((
        latest,
        status::classify(&inputs, sign, params.min_population),
        earlier,
    ))
}

#[cfg(test)]
mod tests;
