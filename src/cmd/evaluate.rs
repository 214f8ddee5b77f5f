//! `kimo evaluate`, also run after every import: rules over all series, warnings kept in the store.

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use kimo_model::{Breakdown, format_number};
use kimo_monitor::checks::Point;
use kimo_monitor::rules::{RuleSet, STORED_RULES};
use kimo_monitor::{Context, Names, SeriesMap};
use kimo_store::{NewFinding, Store, SyncSummary};
use std::collections::HashMap;

/// The outcome of one evaluation.
pub struct Outcome {
    /// What changed in the stored warnings.
    pub sync: SyncSummary,
    /// Conditions that hold.
    pub findings: usize,
    /// Observations read.
    pub observations: usize,
}

/// Evaluates every rule on every series and brings the stored warnings up to date.
pub fn run(store: &Store, as_of: NaiveDate, actor: &str) -> Result<Outcome> {
    let rules = RuleSet::parse(STORED_RULES, &store.rules_text()?)?;
    let indicators = store.indicators()?;
    let areas = store.areas(false)?;
    let dims = store.dimensions()?;
    let city = kimo_model::whole_city(&areas)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    let names = Names {
        areas: areas
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        children: kimo_model::children_of(&areas, &city)
            .into_iter()
            .map(|a| a.code.clone())
            .collect(),
        city,
        categories: dims
            .iter()
            .flat_map(|d| {
                d.categories
                    .iter()
                    .map(|c| ((d.code.clone(), c.code.clone()), c.name.clone()))
            })
            .collect(),
    };
    let all = store.all_series().context("Zeitreihen lesen")?;
    let (ind_codes, area_codes, points) = (&all.indicators, &all.areas, &all.points);
    let breakdowns: Vec<Breakdown> = all
        .breakdowns
        .iter()
        .map(|k| Breakdown::from_key(k))
        .collect();
    let observations = points.len();
    // Points come sorted by indicator, area, breakdown and period: cut them into series.
    let mut maps: Vec<SeriesMap> = vec![HashMap::new(); ind_codes.len()];
    let mut start = 0;
    while start < points.len() {
        let p0 = &points[start];
        let mut end = start + 1;
        while end < points.len()
            && points[end].indicator == p0.indicator
            && points[end].area == p0.area
            && points[end].breakdown == p0.breakdown
        {
            end += 1;
        }
        maps[p0.indicator].insert(
            (
                area_codes[p0.area].clone(),
                breakdowns[p0.breakdown as usize].clone(),
            ),
            points[start..end]
                .iter()
                .map(|p| Point {
                    period: p.period,
                    value: p.value,
                    brk: p.brk,
                })
                .collect(),
        );
        start = end;
    }
    let by_code: HashMap<&str, usize> = ind_codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let population = |code: &str| by_code.get(code).map(|&i| &maps[i]);
    let cx = Context {
        names: &names,
        as_of,
        population: &population,
    };
    let empty = SeriesMap::new();
    let mut findings = Vec::new();
    for ind in &indicators {
        let series = by_code.get(ind.code.as_str()).map_or(&empty, |&i| &maps[i]);
        for f in kimo_monitor::evaluate(ind, &rules.for_indicator(ind), series, &cx) {
            findings.push(NewFinding {
                ident: f.key,
                kind: f.kind.to_string(),
                rule: f.rule,
                indicator: f.indicator,
                area: f.area,
                breakdown: f.breakdown,
                severity: f.severity.code().to_string(),
                sentence: f.sentence,
                figures: f.figures.to_string(),
                period: f.period,
            });
        }
    }
    let sync = store.sync_warnings(&findings, actor)?;
    Ok(Outcome {
        sync,
        findings: findings.len(),
        observations,
    })
}

/// One line about an evaluation, in German.
pub fn summary(o: &Outcome, as_of: NaiveDate) -> String {
    let s = &o.sync;
    format!(
        "Auswertung zum {}: {} Warnhinweise aktiv (neu {}, aktualisiert {}, unverändert {}, wieder aufgetreten {}, behoben {}); {} Werte geprüft.",
        as_of.format("%d.%m.%Y"),
        o.findings,
        s.new,
        s.updated,
        s.unchanged,
        s.reopened,
        s.resolved,
        format_number(o.observations as f64, 0)
    )
}

/// Today, or the `--as-of` date (`2026-11-25` or `25.11.2026`).
pub fn as_of(arg: Option<&str>) -> Result<NaiveDate> {
    match arg {
        None => Ok(chrono::Local::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
            .with_context(|| format!("'{s}' ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)")),
    }
}
