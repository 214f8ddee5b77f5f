//! One function per rule type: which series the rule looks at, whether it fires, and the finding
//! with its severity and figures (the sentence comes from [`crate::sentences`]).

use crate::checks::{self, Dated, Point};
use crate::progress::{self, ProgressClass};
use crate::rules::{MinChange, Rule, Scope, Severity, StatusParams};
use crate::sentences::Say;
use crate::status::{Dynamics, Status};
use crate::{Context, Finding, SeriesMap, classify_areas};
use kimo_model::{Breakdown, Indicator, Periodicity, Polarity};
use serde_json::json;

/// The series keys of an indicator, sorted, so that findings come in a stable order.
pub(crate) type Keys<'s> = [&'s (String, Breakdown)];

/// A group gap rule's settings.
pub(crate) struct Gap<'a> {
    /// Dimension code.
    pub dimension: &'a str,
    /// The group watched.
    pub group: &'a str,
    /// The reference group.
    pub reference: &'a str,
    /// Largest tolerated gap.
    pub limit: Option<f64>,
    /// Consecutive widening steps that fire.
    pub widening: Option<usize>,
}

/// One rule applied to one indicator's series.
pub(crate) struct RuleEval<'a, 'c> {
    rule: &'a Rule,
    ind: &'a Indicator,
    series: &'a SeriesMap,
    keys: &'a Keys<'a>,
    cx: &'a Context<'c>,
    say: Say<'a>,
}

fn expected_days(p: Periodicity) -> i64 {
    match p {
        Periodicity::Year | Periodicity::SchoolYear | Periodicity::Irregular => 365,
        Periodicity::HalfYear => 183,
        Periodicity::Quarter => 92,
        Periodicity::Month => 31,
    }
}

impl<'a, 'c> RuleEval<'a, 'c> {
    /// Prepares a rule for one indicator; `keys` are the series' keys, sorted.
    pub fn new(
        rule: &'a Rule,
        ind: &'a Indicator,
        series: &'a SeriesMap,
        keys: &'a Keys<'a>,
        cx: &'a Context<'c>,
    ) -> RuleEval<'a, 'c> {
        let say = Say {
            names: cx.names,
            ind,
        };
        RuleEval {
            rule,
            ind,
            series,
            keys,
            cx,
            say,
        }
    }

    /// The rule's severity, or `d` when the rules file sets none.
    fn severity(&self, d: Severity) -> Severity {
        self.rule.severity.unwrap_or(d)
    }

    /// The identity part of a finding; callers fill in severity, sentence, period and figures.
    fn finding(&self, area: &str, b: &Breakdown) -> Finding {
        Finding::new(self.rule, &self.ind.code, area, b)
    }

    fn in_scope(&self, area: &str) -> bool {
        self.rule.scope.includes(area, area == self.cx.names.city)
    }

    /// The series in the rule's scope and groups (for threshold and trend rules).
    fn scoped_series(&self) -> impl Iterator<Item = (&'a String, &'a Breakdown, &'a Vec<Point>)> {
        self.keys.iter().filter_map(move |k| {
            let (area, b) = (&k.0, &k.1);
            let wanted = self.in_scope(area) && (self.rule.all_groups || *b == self.rule.breakdown);
            wanted.then(|| (area, b, &self.series[*k]))
        })
    }

    /// Threshold: the latest value of a series is strictly beyond the limit.
    pub fn threshold(&self, limit: f64, above: bool) -> Vec<Finding> {
        self.scoped_series()
            .filter_map(|(area, b, pts)| {
                let (p, x) = checks::beyond(pts, limit, above)?;
                Some(Finding {
                    severity: self.severity(Severity::Hoch),
                    sentence: self.say.threshold(area, b, (p.clone(), x), limit, above),
                    period: Some(p.clone()),
                    figures: json!({ "wert": x, "zeitraum": p.code(), "grenze": limit, "richtung": if above { "ueber" } else { "unter" }, "beginn": checks::beyond_since(pts, limit, above).map(|p| p.code()) }),
                    ..self.finding(area, b)
                })
            })
            .collect()
    }

    /// Trend: a worsening streak of `periods` steps by at least `min_total_percent` % and the least
    /// substantive change, else (with `jump`) one step worse than allowed and substantive.
    pub fn trend(
        &self,
        (periods, min_total_percent, min_change): (usize, f64, MinChange),
        jump: Option<f64>,
        jump_points: bool,
    ) -> Vec<Finding> {
        let polarity = self.ind.polarity;
        self.scoped_series()
            .filter_map(|(area, b, pts)| {
                let streak = checks::worsening_streak(pts, periods, polarity, min_total_percent)
                    .filter(|s| min_change.reached(s[0].1, s[s.len() - 1].1));
                if let Some(streak) = streak {
                    return Some(self.streak_finding(area, b, periods, &streak));
                }
                let limit = jump?;
                let (before, after, _) = checks::worsening_jump(pts, limit, jump_points, polarity)?;
                min_change
                    .reached(before.1, after.1)
                    .then(|| self.jump_finding(area, b, (before, after), limit, jump_points))
            })
            .collect()
    }

    /// The finding of a worsening streak; it began with the streak's first period.
    fn streak_finding(
        &self,
        area: &str,
        b: &Breakdown,
        periods: usize,
        streak: &[Dated],
    ) -> Finding {
        Finding {
            severity: self.severity(Severity::Mittel),
            sentence: self.say.trend_streak(area, b, periods, streak),
            period: Some(streak[streak.len() - 1].0.clone()),
            figures: json!({ "reihe": streak.iter().map(|(p, x)| json!({"zeitraum": p.code(), "wert": x})).collect::<Vec<_>>(), "beginn": streak[0].0.code() }),
            ..self.finding(area, b)
        }
    }

    /// The finding of one step worse than allowed; it began with the step's earlier period.
    fn jump_finding(
        &self,
        area: &str,
        b: &Breakdown,
        (before, after): (Dated, Dated),
        limit: f64,
        jump_points: bool,
    ) -> Finding {
        Finding {
            severity: self.severity(Severity::Mittel),
            sentence: self
                .say
                .trend_jump(area, b, before.clone(), after.clone(), jump_points),
            figures: json!({ "vorher": {"zeitraum": before.0.code(), "wert": before.1}, "nachher": {"zeitraum": after.0.code(), "wert": after.1}, "grenze": limit, "beginn": before.0.code() }),
            period: Some(after.0),
            ..self.finding(area, b)
        }
    }

    /// Group gap: in each area with the group's series, the gap to the reference group is beyond
    /// the limit, or widened `widening` times in a row.
    pub fn group_gap(&self, gap: &Gap) -> Vec<Finding> {
        let gb = Breakdown::of(&[(gap.dimension, gap.group)]);
        let mut areas: Vec<&String> = self
            .keys
            .iter()
            .filter(|k| k.1 == gb)
            .map(|k| &k.0)
            .collect();
        areas.dedup();
        areas
            .into_iter()
            .filter(|area| self.in_scope(area))
            .filter_map(|area| self.group_gap_in(gap, area, &gb))
            .collect()
    }

    fn group_gap_in(&self, gap: &Gap, area: &str, gb: &Breakdown) -> Option<Finding> {
        let rb = Breakdown::of(&[(gap.dimension, gap.reference)]);
        let g = self.series.get(&(area.to_string(), gb.clone()))?;
        let r = self.series.get(&(area.to_string(), rb))?;
        let gaps = checks::gaps(g, r, self.ind.polarity);
        let names = self.cx.names;
        let groups = (
            names.category(gap.dimension, gap.group),
            names.category(gap.dimension, gap.reference),
        );
        let groups = (groups.0.as_str(), groups.1.as_str());
        let over = gap
            .limit
            .and_then(|l| checks::beyond(&gaps, l, true).map(|x| (l, x)));
        let widened = gap
            .widening
            .and_then(|k| checks::widening(&gaps, k).map(|s| (k, s)));
        let (sentence, period, began) = match (over, &widened) {
            (Some((l, (p, d))), _) => (
                self.say.gap_over(area, groups, (p.clone(), d), l),
                p,
                checks::beyond_since(&gaps, l, true),
            ),
            (None, Some((k, s))) => (
                self.say.gap_widening(area, groups, *k, s),
                s[s.len() - 1].0.clone(),
                Some(s[0].0.clone()),
            ),
            (None, None) => return None,
        };
        Some(Finding {
            severity: self.severity(Severity::Mittel),
            sentence,
            period: Some(period),
            figures: json!({ "abstaende": gaps.iter().map(|p| json!({"zeitraum": p.period.code(), "abstand": p.value})).collect::<Vec<_>>(), "grenze": gap.limit, "gruppe": gap.group, "vergleich": gap.reference, "beginn": began.map(|p| p.code()) }),
            ..self.finding(area, gb)
        })
    }

    /// Status × dynamics: areas whose low status meets negative dynamics (not for neutral indicators).
    pub fn status_dynamics(&self, params: &StatusParams) -> Vec<Finding> {
        if self.ind.polarity == Polarity::Neutral {
            return Vec::new();
        }
        let population = (self.cx.population)(&params.population_indicator);
        let Some((period, class, since)) =
            classify_areas(self.ind, self.series, self.cx.names, population, params)
        else {
            return Vec::new();
        };
        let city = self
            .series
            .get(&(self.cx.names.city.clone(), Breakdown::total()))
            .and_then(|s| s.iter().find(|p| p.period == period))
            .and_then(|p| p.value);
        class
            .areas
            .iter()
            .filter(|a| {
                // As in Berlin's monitoring: attention where a low status meets negative dynamics.
                let low = matches!(a.status, Status::Niedrig | Status::SehrNiedrig);
                low && a.dynamics == Some(Dynamics::Negativ)
                    && self.rule.scope.includes(&a.area, false)
            })
            .map(|a| Finding {
                severity: self.severity(if a.status == Status::SehrNiedrig {
                    Severity::Hoch
                } else {
                    Severity::Mittel
                }),
                sentence: self.say.status(a, (period.clone(), since.clone()), city),
                period: Some(period.clone()),
                figures: json!({ "wert": a.value, "stadt": city, "veraenderung": a.change, "z_status": a.z_status, "z_dynamik": a.z_dynamics, "status": a.status.code(), "dynamik": a.dynamics.map(|d| d.code()), "ausgenommen": class.excluded, "beginn": since.clone().map(|p| p.code()) }),
                ..self.finding(&a.area, &Breakdown::total())
            })
            .collect()
    }

    /// Target: Open SDG's progress measure says limited progress or deterioration.
    pub fn target(
        &self,
        value: f64,
        year: i32,
        base_year: i32,
        rising: Option<bool>,
    ) -> Vec<Finding> {
        let rule = self.rule;
        let area = match &rule.scope {
            Scope::Areas(v) if !v.is_empty() => v[0].clone(),
            _ => self.cx.names.city.clone(),
        };
        let Some(pts) = self.series.get(&(area.clone(), rule.breakdown.clone())) else {
            return Vec::new();
        };
        let values: Vec<(kimo_model::Period, f64)> = pts
            .iter()
            .filter_map(|p| Some((p.period.clone(), p.value?)))
            .collect();
        let Some(pr) = progress::towards(self.ind, &values, (value, year), base_year, rising)
        else {
            return Vec::new();
        };
        let severity = match pr.class {
            ProgressClass::Deterioration => Severity::Hoch,
            ProgressClass::Limited => Severity::Mittel,
            _ => return Vec::new(),
        };
        vec![Finding {
            severity: self.severity(severity),
            sentence: self.say.target(&rule.breakdown, (value, year), &pr),
            period: pts.last().map(|p| p.period.clone()),
            figures: serde_json::to_value(&pr).unwrap_or_default(),
            ..self.finding(&area, &rule.breakdown)
        }]
    }

    /// Overdue: no new value for longer than the periodicity plus `grace_days`.
    pub fn overdue(&self, grace_days: i64) -> Vec<Finding> {
        let Some(latest) = self
            .series
            .values()
            .filter_map(|s| {
                s.iter()
                    .rev()
                    .find(|p| p.value.is_some())
                    .map(|p| p.period.clone())
            })
            .chain(self.cx.latest_unread.clone())
            .max()
        else {
            return Vec::new();
        };
        // A due date beyond the calendar is never reached.
        let Some(due) = chrono::TimeDelta::try_days(
            expected_days(self.ind.periodicity).saturating_add(grace_days),
        )
        .and_then(|d| latest.end()?.checked_add_signed(d)) else {
            return Vec::new();
        };
        let as_of = self.cx.as_of;
        if as_of <= due {
            return Vec::new();
        }
        vec![Finding {
            severity: self.severity(Severity::Niedrig),
            sentence: self.say.overdue(latest.clone(), due),
            period: Some(latest.clone()),
            figures: json!({ "letzter_zeitraum": latest.code(), "faellig": due.format("%Y-%m-%d").to_string(), "stichtag": as_of.format("%Y-%m-%d").to_string() }),
            ..self.finding(&self.cx.names.city, &Breakdown::total())
        }]
    }
}
