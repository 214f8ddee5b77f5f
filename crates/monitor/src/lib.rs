//! kimo's early-warning system: rules over series (threshold, trend, group gap, status and dynamics,
//! target progress, overdue data), each finding explained in one German sentence with its numbers.
//! Pure functions: the store loads the series, this crate decides, the store keeps the warnings.

pub mod checks;
pub mod deliveries;
pub mod plausibility;
pub mod progress;
pub mod rules;
mod rules_eval;
pub mod sentences;
pub mod status;

use checks::Point;
use chrono::NaiveDate;
use kimo_model::{Breakdown, Indicator, Period, Polarity};
use rules::{Check, Rule, Severity, StatusParams};
use rules_eval::{Gap, RuleEval};
use serde::Serialize;
use std::borrow::Cow;
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
    /// A category's name, or its code.
    fn category(&self, dimension: &str, code: &str) -> String {
        self.categories
            .get(&(dimension.to_string(), code.to_string()))
            .cloned()
            .unwrap_or_else(|| code.to_string())
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

impl Finding {
    /// A finding's identity: the same indicator, rule, area and series give the same key.
    /// Callers fill in severity, sentence, period and figures.
    fn new(rule: &Rule, indicator: &str, area: &str, b: &Breakdown) -> Finding {
        Finding {
            key: format!("{}|{}|{}|{}", rule.indicator, rule.id, area, b.key()),
            kind: rule.check.code(),
            rule: rule.id.clone(),
            indicator: indicator.to_string(),
            area: area.to_string(),
            breakdown: b.clone(),
            severity: Severity::Mittel,
            sentence: String::new(),
            period: None,
            figures: serde_json::Value::Null,
        }
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
    /// The latest period with a value in the indicator's series that were left out because no rule
    /// looks at them (see [`only_totals`]); the overdue rule counts it like a series' own.
    pub latest_unread: Option<Period>,
}

/// Whether the rules of an indicator look at its totals only (then its breakdown series need not
/// be loaded; the overdue rule needs only their latest period, [`Context::latest_unread`]).
pub fn only_totals(rules: &[Rule]) -> bool {
    rules.iter().all(|r| {
        !r.all_groups && r.breakdown.is_total() && !matches!(r.check, Check::GroupGap { .. })
    })
}

/// The series with only the points on the time axis: labelled periods ([`Period::Label`], e.g.
/// `WS 2005/06` or `2024 / 2005`) have no time, neighbours or "latest", so no rule looks at them —
/// not even a threshold, as a comparison period's value (a change since 2005) is no value of the
/// indicator's own kind. Series with nothing else left are dropped.
pub fn on_time_axis(series: &SeriesMap) -> Cow<'_, SeriesMap> {
    if !series.values().flatten().any(|p| p.period.is_label()) {
        return Cow::Borrowed(series);
    }
    Cow::Owned(
        series
            .iter()
            .map(|(k, s)| {
                let s: Vec<Point> = s.iter().filter(|p| !p.period.is_label()).cloned().collect();
                (k.clone(), s)
            })
            .filter(|(_, s)| !s.is_empty())
            .collect(),
    )
}

/// Evaluates all rules of one indicator over its series (without labelled periods, see
/// [`on_time_axis`]).
pub fn evaluate(ind: &Indicator, rules: &[Rule], series: &SeriesMap, cx: &Context) -> Vec<Finding> {
    let series = &*on_time_axis(series);
    let mut keys: Vec<&(String, Breakdown)> = series.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for rule in rules {
        let e = RuleEval::new(rule, ind, series, &keys, cx);
        out.extend(match &rule.check {
            Check::Threshold { limit, above } => e.threshold(*limit, *above),
            Check::Trend {
                periods,
                min_total_percent,
                jump,
                jump_points,
                min_change,
            } => e.trend(
                (*periods, *min_total_percent, *min_change),
                *jump,
                *jump_points,
            ),
            Check::GroupGap {
                dimension,
                group,
                reference,
                limit,
                widening,
            } => e.group_gap(&Gap {
                dimension,
                group,
                reference,
                limit: *limit,
                widening: *widening,
            }),
            Check::StatusDynamics(params) => e.status_dynamics(params),
            Check::Target {
                value,
                year,
                base_year,
                rising,
            } => e.target(*value, *year, *base_year, *rising),
            Check::Overdue { grace_days } => e.overdue(*grace_days),
        });
    }
    out
}

/// Status and dynamics of the areas below the city, under the status rule in force.
///
/// Classifies the latest period with values there; `params` come from
/// [`rules::RuleSet::status_rule`], `population` holds the series of `params.population_indicator`.
/// Returns (period, classification, start period of the dynamics window). Labelled periods take no
/// part (see [`on_time_axis`]).
pub fn classify_areas(
    ind: &Indicator,
    series: &SeriesMap,
    names: &Names,
    population: Option<&SeriesMap>,
    params: &StatusParams,
) -> Option<(Period, status::Classification, Option<Period>)> {
    let series = &*on_time_axis(series);
    let population = population.map(on_time_axis);
    let population = population.as_deref();
    let total = Breakdown::total();
    let child_series: Vec<(&String, &Vec<Point>)> = names
        .children
        .iter()
        .filter_map(|c| series.get(&(c.clone(), total.clone())).map(|s| (c, s)))
        .collect();
    let latest = child_series
        .iter()
        .filter_map(|(_, s)| {
            s.iter()
                .rev()
                .find(|p| p.value.is_some())
                .map(|p| p.period.clone())
        })
        .max()?;
    // The rules file allows at most MAX_PERIODS; a larger window (a caller's own) is cut to it.
    let window = params.periods.min(rules::MAX_PERIODS);
    let earlier = (0..window).try_fold(latest.clone(), |p, _| p.prev());
    let value_at =
        |s: &Vec<Point>, p: &Period| s.iter().find(|x| x.period == *p).and_then(|x| x.value);
    let inputs: Vec<status::AreaInput> = child_series
        .iter()
        .filter_map(|(code, s)| {
            let value = value_at(s, &latest)?;
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
                earlier: earlier.as_ref().and_then(|e| value_at(s, e)),
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
        status::classify(&inputs, sign, params.min_population, params.min_change),
        earlier,
    ))
}

#[cfg(test)]
mod tests;
