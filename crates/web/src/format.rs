//! Formatting for pages: trends, German dates, overview rows.

use kimo_model::lang::{t, tf};
use kimo_model::{Indicator, Observation, Polarity, Unit};
use serde::Serialize;

/// An ISO timestamp as a date in the page's language (`2026-11-25T08:00:00Z` → `25.11.2026`,
/// `25 Nov 2026`).
pub fn local_date(iso: &str) -> String {
    kimo_model::lang::date(iso)
}

/// The development between two periods, for arrows and screen readers.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// ↑, ↓ or →.
    pub arrow: &'static str,
    /// better, worse or neutral (CSS class suffix).
    pub class: &'static str,
    /// Full sentence for screen readers.
    pub text: String,
    /// Visible difference, e.g. `+0,3 Pp.`.
    pub short: String,
    /// The difference as a number.
    pub change: f64,
}

/// The trend from `prev` to `last` judged by the indicator's polarity.
pub fn trend(ind: &Indicator, prev: &Observation, last: &Observation) -> Option<Trend> {
    let (a, b) = (prev.value?, last.value?);
    let d = b - a;
    let eps = ind.unit.resolution();
    let short = ind.unit.difference(d);
    let (arrow, dir) = if d.abs() < eps {
        ("→", t("unverändert"))
    } else if d > 0.0 {
        ("↑", t("gestiegen"))
    } else {
        ("↓", t("gesunken"))
    };
    let class = match (ind.polarity, arrow) {
        (_, "→") | (Polarity::Neutral, _) => "neutral",
        (Polarity::HigherBetter, "↑") | (Polarity::LowerBetter, "↓") => "better",
        _ => "worse",
    };
    let judgement = match class {
        "better" => t(" (günstige Entwicklung)"),
        "worse" => t(" (ungünstige Entwicklung)"),
        _ => "",
    };
    Some(Trend {
        arrow,
        class,
        text: format!(
            "{} {} {dir}{}{judgement}",
            t("gegenüber"),
            prev.period.label(),
            if arrow == "→" {
                String::new()
            } else {
                format!(" {} {short}", t("um"))
            }
        ),
        short,
        change: d,
    })
}

/// One indicator in an overview table: its latest whole-city value and the change to the period before.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Code of the Handlungsfeld.
    pub action_field: Option<String>,
    /// Core indicator.
    pub core: bool,
    /// Unit of the value.
    pub unit: Unit,
    /// Latest value.
    pub value: Option<f64>,
    /// Latest value with unit, German notation.
    pub value_text: String,
    /// Latest period (code).
    pub period: Option<String>,
    /// Latest period (label).
    pub period_label: String,
    /// Trend to the previous period.
    pub trend: Option<Trend>,
    /// Whether the latest value is synthetic.
    pub synthetic: bool,
    /// Goals for the indicator and the progress towards them.
    pub goals: Vec<Goal>,
}

/// Builds the overview row of an indicator from its whole-city totals (sorted by period).
pub fn indicator_row(ind: &Indicator, totals: &[&Observation]) -> IndicatorRow {
    let last = totals.last();
    let prev = totals.len().checked_sub(2).map(|i| totals[i]);
    let value = last.and_then(|o| o.value);
    IndicatorRow {
        code: ind.code.clone(),
        name: ind.name.clone(),
        action_field: ind.action_field.clone(),
        core: ind.core,
        unit: ind.unit.clone(),
        value,
        value_text: match last {
            // Kept from the public (disclosure control): Destatis' „.“.
            Some(o) if value.is_none() && o.flags.suppressed => {
                kimo_model::disclosure::SYMBOL.to_string()
            }
            _ => ind.unit.format(value),
        },
        period: last.map(|o| o.period.code()),
        period_label: last.map_or("–".into(), |o| o.period.label()),
        trend: match (prev, last) {
            (Some(p), Some(l)) => trend(ind, p, l),
            _ => None,
        },
        synthetic: last.is_some_and(|o| o.flags.synthetic),
        goals: Vec::new(),
    }
}

/// A goal of the Integrationskonzept for an indicator (a `ziel` rule in force for the whole city)
/// and the progress towards it, measured as the early warning measures it.
#[derive(Debug, Clone, Serialize)]
pub struct Goal {
    /// Target value.
    pub target: f64,
    /// Target value with unit.
    pub target_text: String,
    /// Target year.
    pub year: i32,
    /// Base year of the measure.
    pub base_year: i32,
    /// The progress class, when it can be measured.
    pub class: Option<kimo_monitor::progress::ProgressClass>,
    /// The class in words (or why there is none).
    pub progress: String,
    /// One sentence: the goal and the progress.
    pub text: String,
}

/// The goals in force for an indicator with their progress on the whole city's totals (by period).
pub fn goals(
    rules: &kimo_monitor::rules::RuleSet,
    ind: &Indicator,
    city_totals: &[&Observation],
) -> Vec<Goal> {
    use kimo_monitor::rules::{Check, Scope};
    let points: Vec<(kimo_model::Period, f64)> = city_totals
        .iter()
        .filter_map(|o| Some((o.period.clone(), o.value?)))
        .collect();
    rules
        .for_indicator(ind)
        .into_iter()
        .filter(|r| r.breakdown.is_total() && matches!(r.scope, Scope::All | Scope::City))
        .filter_map(|r| match r.check {
            Check::Target {
                value,
                year,
                base_year,
                rising,
            } => Some((value, year, base_year, rising)),
            _ => None,
        })
        .map(|(value, year, base_year, rising)| {
            let p = kimo_monitor::progress::towards(ind, &points, (value, year), base_year, rising);
            let progress = p.as_ref().map_or(t("noch nicht messbar").to_string(), |p| {
                t(p.class.label()).to_string()
            });
            let target_text = ind.unit.format(Some(value));
            let latest = p.as_ref().map_or(String::new(), |p| {
                format!(
                    " ({})",
                    tf(
                        "zuletzt {} im Jahr {}",
                        &[
                            &ind.unit.format(Some(p.current_value)),
                            &p.current_year.to_string()
                        ]
                    )
                )
            });
            Goal {
                text: format!(
                    "{}: {progress}{latest}.",
                    tf(
                        "Ziel: {} bis {} (gemessen seit {})",
                        &[&target_text, &year.to_string(), &base_year.to_string()]
                    )
                ),
                target: value,
                target_text,
                year,
                base_year,
                class: p.map(|p| p.class),
                progress,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::{Breakdown, Flags, Period};

    fn o(year: i32, v: f64) -> Observation {
        Observation {
            indicator: "X".into(),
            period: Period::Year(year),
            area: "KA".into(),
            breakdown: Breakdown::total(),
            value: Some(v),
            numerator: None,
            denominator: None,
            flags: Flags::default(),
            origin: None,
        }
    }

    #[test]
    fn trends_follow_polarity() {
        let ind = Indicator {
            unit: Unit::Percent,
            polarity: Polarity::LowerBetter,
            ..Default::default()
        };
        let t = trend(&ind, &o(2023, 8.1), &o(2024, 9.4)).unwrap();
        assert_eq!(
            (t.arrow, t.class, t.short.as_str()),
            ("↑", "worse", "+1,3 Pp.")
        );
        assert!(
            t.text
                .contains("gegenüber 2023 gestiegen um +1,3 Pp. (ungünstige Entwicklung)")
        );
        let t = trend(&ind, &o(2023, 8.1), &o(2024, 8.12)).unwrap();
        assert_eq!(t.arrow, "→");
        assert_eq!(local_date("2026-11-25T08:00:00Z"), "25.11.2026");
    }
}

/// A council paper or meeting as pages link it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PaperLink {
    /// „Drucksache 2025/1064: Integrationsplanung (18.11.2025)“.
    pub title: String,
    /// The page in the council information system, or the OParl address.
    pub href: String,
    /// Its type („Beschlussvorlage“), or empty.
    pub paper_type: String,
}

/// The council papers an object (`konzept:6`, `bericht:1`, `warnung:12`) refers to.
pub fn council_papers(
    store: &kimo_store::Store,
    object: &str,
) -> Result<Vec<PaperLink>, crate::AppError> {
    Ok(store
        .council_links(object)?
        .into_iter()
        .map(|p| PaperLink {
            title: p.title(),
            href: if p.web.is_empty() {
                p.oparl_id.clone()
            } else {
                p.web.clone()
            },
            paper_type: p.paper_type,
        })
        .collect())
}
