//! The evaluation (`kimo evaluate`, also run after every import and rules change): rules over all
//! series, warnings kept in the store.

use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use kimo_model::{Breakdown, Indicator, Period, format_number};
use kimo_monitor::checks::Point;
use kimo_monitor::rules::{RuleSet, STORED_RULES};
use kimo_monitor::{Context, Finding, Names, SeriesMap, only_totals};
use kimo_store::{AllSeries, NewFinding, SeriesPoint, Store, SyncSummary};
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
    // Read before the data: the evaluation clears only the change it has seen.
    let pending = store.evaluation_pending()?;
    let input = load(store)?;
    let findings = evaluate(&input, as_of);
    let sync = store.sync_warnings(&findings, actor, pending.as_deref())?;
    // New figures may settle deliveries that are owed (the plan is always as of today, whatever
    // date the rules are evaluated for).
    crate::deliveries::sync(store, chrono::Local::now().date_naive()).context("Lieferplan")?;
    Ok(Outcome {
        sync,
        findings: findings.len(),
        observations: input.observations,
    })
}

/// Runs the evaluation that an import or rules change left pending (a process killed between its
/// commit and its evaluation), so that warnings never stay stale; prints a line to stderr.
pub fn run_pending(store: &Store) -> Result<()> {
    if store.evaluation_pending()?.is_none() {
        return Ok(());
    }
    let date = as_of(None)?;
    let o = run(store, date, "Auswertung").context("ausstehende Auswertung")?;
    eprintln!("Ausstehende Auswertung nachgeholt. {}", summary(&o, date));
    Ok(())
}

/// Everything an evaluation reads from the store.
struct Input {
    rules: RuleSet,
    indicators: Vec<Indicator>,
    names: Names,
    /// The series of each indicator, by indicator code.
    series: HashMap<String, SeriesMap>,
    /// The latest period with a value of the series not loaded, by indicator code.
    latest_unread: HashMap<String, Period>,
    observations: usize,
}

/// Load phase: the stored rules, the catalogue's names and every series.
fn load(store: &Store) -> Result<Input> {
    let rules = rules_in_force(store)?;
    let indicators = store.indicators()?;
    let names = names(store)?;
    // Breakdown series are read only for indicators whose rules look at them.
    let totals_only: HashMap<&str, bool> = indicators
        .iter()
        .map(|i| (i.code.as_str(), only_totals(&rules.for_indicator(i))))
        .collect();
    let all = store
        .all_series(&|code| totals_only.get(code).copied().unwrap_or(false))
        .context("Zeitreihen lesen")?;
    let series = series_maps(&all);
    let latest_unread = all
        .indicators
        .iter()
        .zip(&all.latest_unread)
        .filter_map(|(code, p)| Some((code.clone(), p.clone()?)))
        .collect();
    Ok(Input {
        rules,
        indicators,
        names,
        latest_unread,
        observations: all.rows,
        series,
    })
}

/// The rules in force: the stored rules file over the defaults, and the measurable goals of the
/// Integrationskonzept in force as target rules.
pub fn rules_in_force(store: &Store) -> Result<RuleSet> {
    let mut rules = RuleSet::parse(STORED_RULES, &store.rules_text()?)?;
    if let Some(k) = store.konzept_in_force()? {
        rules.add_goals(k.content.goals().map(|(_, g)| g));
    }
    Ok(rules)
}

/// Area and category names, and the area hierarchy below the whole city.
fn names(store: &Store) -> Result<Names> {
    let areas = store.areas(false)?;
    let dims = store.dimensions()?;
    let city = kimo_model::whole_city(&areas)
        .map(|a| a.code.clone())
        .unwrap_or_default();
    Ok(Names {
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
    })
}

/// Cuts the points into series, by indicator code. Points come sorted by indicator, area,
/// breakdown and period, so each series is one run of points.
fn series_maps(all: &AllSeries) -> HashMap<String, SeriesMap> {
    let breakdowns: Vec<Breakdown> = all
        .breakdowns
        .iter()
        .map(|k| Breakdown::from_key(k))
        .collect();
    let mut maps: Vec<SeriesMap> = vec![HashMap::new(); all.indicators.len()];
    let same_series = |a: &SeriesPoint, b: &SeriesPoint| {
        a.indicator == b.indicator && a.area == b.area && a.breakdown == b.breakdown
    };
    for run in all.points.chunk_by(same_series) {
        let p0 = &run[0];
        let key = (
            all.areas[p0.area].clone(),
            breakdowns[p0.breakdown as usize].clone(),
        );
        let points = run
            .iter()
            .map(|p| Point {
                period: p.period.clone(),
                value: p.value,
                brk: p.brk,
            })
            .collect();
        maps[p0.indicator].insert(key, points);
    }
    all.indicators.iter().cloned().zip(maps).collect()
}

/// Evaluate phase: every indicator's rules over its series, as findings to keep.
fn evaluate(input: &Input, as_of: NaiveDate) -> Vec<NewFinding> {
    let population = |code: &str| input.series.get(code);
    let empty = SeriesMap::new();
    let mut findings = Vec::new();
    for ind in &input.indicators {
        let cx = Context {
            names: &input.names,
            as_of,
            population: &population,
            latest_unread: input.latest_unread.get(&ind.code).cloned(),
        };
        let series = input.series.get(&ind.code).unwrap_or(&empty);
        let rules = input.rules.for_indicator(ind);
        findings.extend(
            kimo_monitor::evaluate(ind, &rules, series, &cx)
                .into_iter()
                .map(new_finding),
        );
    }
    findings
}

/// A finding as the store keeps it.
fn new_finding(f: Finding) -> NewFinding {
    NewFinding {
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
    }
}

/// One line about an evaluation, in German.
pub fn summary(o: &Outcome, as_of: NaiveDate) -> String {
    let s = &o.sync;
    format!(
        "Auswertung zum {}: {} aktiv (neu {}, aktualisiert {}, unverändert {}, wieder aufgetreten {}, behoben {}); {} Werte geprüft.",
        as_of.format("%d.%m.%Y"),
        kimo_monitor::sentences::warnings(o.findings),
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
