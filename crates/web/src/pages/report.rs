//! A report's content, made from the data: the Monitoringbericht's chapters (overview of all
//! Handlungsfelder, the focus topics with their Auswertung — charts, Stadtteile, groups, changes in
//! plain German sentences, the year's warnings, the Konzept's goals and Leitprojekte —, the BfI's
//! annual report from its activities, the AKI's activity report from its meetings, methods and
//! sources from the catalogue, glossary). One typed view: the web page renders it with its
//! template, the PDF and DOCX writers take the same view and its charts.

use super::indicator::{IndicatorQuery, IndicatorView};
use crate::format::local_date;
use crate::{AppError, Scope};
use kimo_model::meeting::{Body, TaskStatus};
use kimo_model::report::{Report, ReportKind, ReportState};
use kimo_model::{Indicator, Period, Polarity};
use kimo_store::WarningFilter;
use serde::Serialize;

/// A line of the overview: a core indicator with its latest value and change.
#[derive(Debug, Serialize)]
pub struct OverviewRow {
    /// Indicator code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Latest value with unit.
    pub value: String,
    /// Its period.
    pub period: String,
    /// The change to the period before („+0,6 Pp.“), or „–“.
    pub change: String,
    /// The change in words: gestiegen, gesunken, unverändert (and whether that is good).
    pub trend: String,
}

/// A Handlungsfeld in the overview.
#[derive(Debug, Serialize)]
pub struct OverviewField {
    /// Name.
    pub name: String,
    /// Its core indicators.
    pub rows: Vec<OverviewRow>,
}

/// A Stadtteil's or group's value.
#[derive(Debug, Serialize)]
pub struct Ranked {
    /// Name.
    pub name: String,
    /// Value with unit.
    pub value: String,
}

/// An indicator analysed in a focus topic.
#[derive(Debug, Serialize)]
pub struct Analysed {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// What happened, in plain German with the numbers.
    pub sentences: Vec<String>,
    /// The chart's text alternative.
    pub chart_alt: String,
    /// The map's text alternative (empty without a map).
    pub map_alt: String,
    /// The period of the Stadtteile.
    pub period: String,
    /// The Stadtteile, most favourable first (for an indicator without polarity: highest first).
    pub ranking: Vec<Ranked>,
    /// The groups of its first breakdown in the latest period, with the whole city first.
    pub groups: Vec<Ranked>,
    /// The breakdown of `groups`.
    pub groups_by: String,
    /// The line chart (SVG, wide and narrow), not in the JSON.
    #[serde(skip)]
    pub chart_svg: (String, String),
    /// The map (SVG, wide and narrow; empty without geometry), not in the JSON.
    #[serde(skip)]
    pub map_svg: (String, String),
}

/// A warning of the year and how it was handled.
#[derive(Debug, Serialize)]
pub struct WarningLine {
    /// Number.
    pub id: i64,
    /// The sentence.
    pub sentence: String,
    /// Its state in words (and whether the condition still holds).
    pub handling: String,
}

/// A focus topic as reported.
#[derive(Debug, Serialize)]
pub struct FocusPart {
    /// Title.
    pub title: String,
    /// Sachstand.
    pub sachstand: super::konzept::Text,
    /// Empfehlungen.
    pub empfehlungen: super::konzept::Text,
    /// The indicators analysed.
    pub indicators: Vec<Analysed>,
    /// The year's warnings on them.
    pub warnings: Vec<WarningLine>,
    /// The Konzept's part for the Handlungsfeld (goals with their state, Leitprojekte).
    pub konzept: Option<super::konzept::FieldPart>,
}

/// A meeting in the AKI's activity report.
#[derive(Debug, Serialize)]
pub struct MeetingLine {
    /// German date.
    pub date: String,
    /// Title.
    pub title: String,
    /// Its decisions.
    pub decisions: Vec<String>,
}

/// An activity of the Büro für Integration.
#[derive(Debug, Serialize)]
pub struct ActivityLine {
    /// German date.
    pub date: String,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Partners.
    pub partners: String,
    /// Reach („140“, or „–“).
    pub reach: String,
}

/// An indicator in the methods chapter.
#[derive(Debug, Serialize)]
pub struct MethodLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Definition.
    pub definition: String,
    /// Source.
    pub source: String,
    /// Delivering Amt.
    pub amt: String,
    /// Periodicity in words.
    pub periodicity: String,
}

/// What every report shows at its head: the report, its kind and state in words, the city with
/// its logo, the key date and the data version.
#[derive(Debug, Serialize)]
pub struct Head {
    /// The stored report.
    pub report: Report,
    /// „Monitoringbericht“ or „Halbjahrespräsentation“.
    pub kind_label: String,
    /// The state in words.
    pub state_label: String,
    /// The city.
    pub city: String,
    /// The logo's file in the PDF's world (`/logo.png`), if there is one.
    pub logo: Option<String>,
    /// The logo itself, not in the JSON.
    #[serde(skip)]
    pub logo_file: Option<kimo_store::Logo>,
    /// The key date (or the presentation's day) in German.
    pub key_date: String,
    /// The data version it is made from.
    pub data_version: i64,
    /// When it was made (German date).
    pub made_on: String,
    /// Its state, when it was made and from which data, for the title page: „Freigegeben am
    /// 02.12.2026 · Daten vom 01.12.2026 (Datenversion 42)“.
    pub status_line: String,
}

impl Head {
    /// The head of a report made now.
    pub fn of(st: &Scope, report: &Report) -> Result<Head, AppError> {
        let (city, logo_file) = city(st)?;
        let today = chrono::Local::now().format("%Y-%m-%d").to_string();
        let made_on = local_date(&today);
        let data_version = st.store.data_version()?;
        let data = match st.store.imports_since(&today)?.0 {
            Some(at) => format!("Daten vom {}", local_date(at.get(..10).unwrap_or(&at))),
            None => "noch keine Daten".to_string(),
        };
        let state = match report.state {
            ReportState::Freigegeben => format!("Freigegeben am {made_on}"),
            ReportState::Entwurf => format!("Entwurf vom {made_on}"),
        };
        Ok(Head {
            status_line: format!("{state} · {data} (Datenversion {data_version})"),
            made_on,
            kind_label: report.kind.label().to_string(),
            state_label: report.state.label().to_string(),
            city,
            logo: logo_file
                .as_ref()
                .map(|l| format!("/logo.{}", l.extension())),
            logo_file,
            key_date: local_date(&report.key_date),
            data_version,
            report: report.clone(),
        })
    }
}

/// The whole report as made from the data now (a draft) or at its release.
#[derive(Debug, Serialize)]
pub struct ReportView {
    /// Report, city, key date, data version.
    #[serde(flatten)]
    pub head: Head,
    /// Overview of all Handlungsfelder.
    pub overview: Vec<OverviewField>,
    /// The focus topics.
    pub focus: Vec<FocusPart>,
    /// The BfI's activities in the year, with a summary sentence.
    pub activities: Vec<ActivityLine>,
    /// „6 Aktivitäten mit zusammen 9.140 erreichten Personen.“
    pub activities_text: String,
    /// The AKI's meetings in the year.
    pub aki: Vec<MeetingLine>,
    /// The InA's meetings in the year.
    pub ina: Vec<MeetingLine>,
    /// The tasks from the year's meetings in words.
    pub tasks_text: String,
    /// Methods and sources.
    pub methods: Vec<MethodLine>,
    /// Glossary: (term, explanation).
    pub glossary: Vec<(String, String)>,
}

/// The glossary of every Monitoringbericht.
const GLOSSARY: &[(&str, &str)] = &[
    (
        "Handlungsfeld",
        "Ein Themenbereich der Integrationsarbeit, z. B. Arbeit oder Bildung, mit Zielen, Kernindikatoren und Leitprojekten.",
    ),
    (
        "Kernindikator",
        "Eine Kennzahl, an der die Entwicklung in einem Handlungsfeld abgelesen wird.",
    ),
    (
        "Frühwarnsystem",
        "Regeln, die nach jeder Datenlieferung prüfen, wo eine Entwicklung Aufmerksamkeit braucht; ein Warnhinweis ist ein Arbeitsauftrag, kein Urteil.",
    ),
    (
        "Prozentpunkt (Pp.)",
        "Der Abstand zweier Anteile: von 8 % auf 7 % sind es 1 Prozentpunkt weniger.",
    ),
    (
        "Stadtteil",
        "Die kleinräumige Ebene der Auswertung; sehr kleine Stadtteile bleiben bei Vergleichen außen vor.",
    ),
    (
        "Migrationshintergrund",
        "Wer selbst oder mindestens ein Elternteil nicht mit deutscher Staatsangehörigkeit geboren ist (Definition des Mikrozensus).",
    ),
];

/// Builds a report's view from the data as it is now.
pub fn build(st: &Scope, report: &Report) -> Result<ReportView, AppError> {
    let indicators = st.indicators()?;
    let focus = report
        .focus
        .iter()
        .map(|f| focus_part(st, report, f, &indicators))
        .collect::<Result<Vec<_>, _>>()?;
    let (activities, activities_text) = activities(st, report.year)?;
    let (aki, ina, tasks_text) = meetings(st, report.year)?;
    Ok(ReportView {
        head: Head::of(st, report)?,
        overview: overview(st, report.year)?,
        focus,
        activities,
        activities_text,
        aki,
        ina,
        tasks_text,
        methods: methods(&indicators),
        glossary: GLOSSARY
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    })
}

/// Every Handlungsfeld with its core indicators' values of the report's year (or the latest
/// before it) and the change to the period before, for the whole city.
fn overview(st: &Scope, year: i32) -> Result<Vec<OverviewField>, AppError> {
    let fields = st.action_fields()?;
    let indicators = st.indicators()?;
    let city = city_code(st)?;
    let mut out = Vec::new();
    for f in fields.iter() {
        let rows = indicators
            .iter()
            .filter(|i| i.core && i.action_field.as_deref() == Some(f.code.as_str()))
            .map(|ind| overview_row(st, ind, &city, year))
            .collect::<Result<Vec<_>, _>>()?;
        if !rows.is_empty() {
            out.push(OverviewField {
                name: f.name.clone(),
                rows,
            });
        }
    }
    Ok(out)
}

/// A core indicator's line of the overview.
fn overview_row(
    st: &Scope,
    ind: &Indicator,
    city: &str,
    year: i32,
) -> Result<OverviewRow, AppError> {
    let mut obs: Vec<(Period, f64)> = st
        .store
        .observations(&kimo_store::ObservationFilter {
            indicator: Some(ind.code.clone()),
            area: Some(city.to_string()),
            total_only: true,
            ..Default::default()
        })?
        .into_iter()
        .filter(|o| o.period.year().is_some_and(|y| y <= year))
        .filter_map(|o| Some((o.period, o.value?)))
        .collect();
    obs.sort_by(|a, b| a.0.cmp(&b.0));
    let unit = &ind.unit;
    let (value, period, change, trend) = match obs.as_slice() {
        [] => ("–".into(), "–".into(), "–".into(), "–".into()),
        [(p, v)] => (unit.format(Some(*v)), p.label(), "–".into(), "–".into()),
        [.., (_, before), (p, v)] => {
            let d = v - before;
            (
                unit.format(Some(*v)),
                p.label(),
                unit.difference(d),
                trend_words(ind.polarity, d, unit),
            )
        }
    };
    Ok(OverviewRow {
        code: ind.code.clone(),
        name: ind.name.clone(),
        value,
        period,
        change,
        trend,
    })
}

/// A change in words: gestiegen, gesunken or unverändert, and whether that is good.
fn trend_words(polarity: Polarity, d: f64, unit: &kimo_model::Unit) -> String {
    if d.abs() < unit.resolution() {
        return "unverändert".into();
    }
    let direction = if d > 0.0 { "gestiegen" } else { "gesunken" };
    match polarity {
        Polarity::Neutral => format!("{direction} (ohne Bewertung)"),
        p if (d > 0.0) == (p == Polarity::HigherBetter) => format!("{direction} (günstig)"),
        _ => format!("{direction} (ungünstig)"),
    }
}

/// The whole city's code.
fn city_code(st: &Scope) -> Result<String, AppError> {
    Ok(kimo_model::whole_city(&st.areas()?).map_or(String::new(), |a| a.code.clone()))
}

/// A focus topic: its texts, its indicators analysed, the year's warnings on them, the Konzept.
fn focus_part(
    st: &Scope,
    report: &Report,
    f: &kimo_model::report::Focus,
    indicators: &[Indicator],
) -> Result<FocusPart, AppError> {
    let codes: Vec<String> = match (&f.field, f.indicators.is_empty()) {
        (Some(field), true) => indicators
            .iter()
            .filter(|i| i.core && i.action_field.as_deref() == Some(field.as_str()))
            .map(|i| i.code.clone())
            .collect(),
        _ => f.indicators.clone(),
    };
    let in_force = st.store.konzept_in_force()?;
    let snapshot = in_force
        .as_ref()
        .map(|v| v.snapshot.clone())
        .unwrap_or_default();
    let renderer = super::konzept::Renderer::new(st, &snapshot)?;
    let konzept = match (&f.field, &in_force) {
        (Some(code), Some(v)) => match v.content.fields.iter().find(|x| &x.code == code) {
            Some(part) => Some(renderer.field(part)?),
            None => None,
        },
        _ => None,
    };
    let analysed = codes
        .iter()
        .filter(|c| indicators.iter().any(|i| &i.code == *c))
        .map(|c| analyse(st, c, report.year))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FocusPart {
        title: f.title.clone(),
        sachstand: renderer.text(&f.sachstand),
        empfehlungen: renderer.text(&f.empfehlungen),
        warnings: year_warnings(st, &codes, report.year)?,
        indicators: analysed,
        konzept,
    })
}

/// The warnings on some indicators recorded in or still open during a year, with their handling.
fn year_warnings(st: &Scope, codes: &[String], year: i32) -> Result<Vec<WarningLine>, AppError> {
    let all = st.store.warnings(&WarningFilter {
        include_resolved: true,
        ..Default::default()
    })?;
    let y = year.to_string();
    Ok(all
        .iter()
        .filter(|w| codes.contains(&w.indicator))
        .filter(|w| {
            w.first_seen[..4.min(w.first_seen.len())] <= *y.as_str()
                && w.resolved_at
                    .as_deref()
                    .is_none_or(|r| r[..4.min(r.len())] >= *y.as_str())
        })
        .map(|w| WarningLine {
            id: w.id,
            sentence: w.sentence.clone(),
            handling: match (w.active, w.assignee.as_deref()) {
                (true, Some(a)) => format!("{}, zuständig: {a}", w.status.label()),
                (true, None) => w.status.label().to_string(),
                (false, _) => format!("{}; Bedingung nicht mehr erfüllt", w.status.label()),
            },
        })
        .collect())
}

/// An indicator of a focus topic: chart, map, Stadtteile, groups and the changes in sentences.
fn analyse(st: &Scope, code: &str, year: i32) -> Result<Analysed, AppError> {
    let base = super::indicator::build(st, code, &IndicatorQuery::default())?;
    // The Stadtteile in the report's year when it has values, else in the latest period.
    let in_year = base
        .periods
        .iter()
        .rev()
        .find(|p| Period::parse(&p.code).is_ok_and(|x| x.year().is_some_and(|y| y <= year)))
        .map(|p| p.code.clone());
    let v = match in_year {
        Some(p) if Some(&p) != base.period.as_ref().map(|x| &x.code) => {
            let q = IndicatorQuery {
                zeitraum: Some(p),
                ..Default::default()
            };
            super::indicator::build(st, code, &q)?
        }
        _ => base,
    };
    let c = super::indicator::charts::report_charts(st, &v)?;
    let (groups, groups_by) = groups(st, &v)?;
    let ind = &v.indicator.indicator;
    Ok(Analysed {
        code: ind.code.clone(),
        name: ind.name.clone(),
        sentences: sentences(&v, year),
        chart_alt: v.line_caption.clone(),
        map_alt: if c.map.is_empty() {
            String::new()
        } else {
            v.map_caption.clone()
        },
        period: v.period.as_ref().map_or("–".into(), |p| p.label.clone()),
        ranking: ranking(&v),
        groups,
        groups_by,
        chart_svg: (c.line, c.line_narrow),
        map_svg: (c.map, c.map_narrow),
    })
}

/// The city's total values on the time axis: (period, value), oldest first.
fn city_series(v: &IndicatorView) -> Vec<(Period, f64)> {
    let Some(line) = v
        .lines
        .iter()
        .find(|l| l.area == v.area && l.breakdown.is_total())
    else {
        return Vec::new();
    };
    v.periods
        .iter()
        .zip(&line.points)
        .filter_map(|(p, pt)| {
            let period = Period::parse(&p.code).ok()?;
            period.year()?;
            Some((period, pt.value?))
        })
        .collect()
}

/// The changes against the previous period and five years back, in plain German with the numbers.
fn sentences(v: &IndicatorView, year: i32) -> Vec<String> {
    let ind = &v.indicator.indicator;
    let series = city_series(v);
    let year_of = |p: &Period| p.year().unwrap_or(i32::MIN);
    let Some(k) = series.iter().rposition(|(p, _)| year_of(p) <= year) else {
        return vec![format!("Für {} liegen noch keine Werte vor.", ind.name)];
    };
    let (now_p, now) = &series[k];
    let unit = &ind.unit;
    let mut out = vec![format!(
        "{} lag {} bei {} ({}).",
        ind.name,
        now_p.label(),
        unit.format(Some(*now)),
        v.area_name
    )];
    let compare = |(then_p, then): &(Period, f64), against: &str| -> String {
        let d = now - then;
        let how = if d.abs() < unit.resolution() {
            "unverändert".to_string()
        } else {
            let word = if d > 0.0 { "höher" } else { "niedriger" };
            let judged = match ind.polarity {
                Polarity::Neutral => "",
                p if (d > 0.0) == (p == Polarity::HigherBetter) => " – eine günstige Entwicklung",
                _ => " – eine ungünstige Entwicklung",
            };
            format!("{} {word}{judged}", unit.difference_words(d))
        };
        format!(
            "Gegenüber {against} {} ({}) ist das {how}.",
            then_p.label(),
            unit.format(Some(*then))
        )
    };
    if k > 0 {
        out.push(compare(&series[k - 1], "dem Vorjahr"));
    }
    if let Some(five) = series[..k]
        .iter()
        .rev()
        .find(|(p, _)| year_of(p) <= year_of(now_p) - 5)
    {
        out.push(compare(five, "fünf Jahren zuvor,"));
    }
    out
}

/// The Stadtteile in the view's period, most favourable first.
fn ranking(v: &IndicatorView) -> Vec<Ranked> {
    let mut rows: Vec<_> = v
        .areas
        .iter()
        .filter(|r| !r.city)
        .filter_map(|r| Some((r.value?, r)))
        .collect();
    let lower_first = v.indicator.indicator.polarity == Polarity::LowerBetter;
    rows.sort_by(|a, b| match lower_first {
        true => a.0.total_cmp(&b.0),
        false => b.0.total_cmp(&a.0),
    });
    rows.into_iter()
        .map(|(_, r)| Ranked {
            name: r.name.clone(),
            value: r.value_text.clone(),
        })
        .collect()
}

/// The groups of the indicator's first breakdown in the view's period (the whole city first).
fn groups(st: &Scope, v: &IndicatorView) -> Result<(Vec<Ranked>, String), AppError> {
    let Some(dim) = v.options.dimensions.iter().find(|d| !d.code.is_empty()) else {
        return Ok((Vec::new(), String::new()));
    };
    let q = IndicatorQuery {
        merkmal: Some(dim.code.clone()),
        zeitraum: v.period.as_ref().map(|p| p.code.clone()),
        ..Default::default()
    };
    let g = super::indicator::build(st, &v.indicator.indicator.code, &q)?;
    let Some(at) = g
        .period
        .as_ref()
        .and_then(|p| g.periods.iter().position(|x| x.code == p.code))
    else {
        return Ok((Vec::new(), String::new()));
    };
    let rows = g
        .lines
        .iter()
        .filter(|l| l.area == g.area)
        .filter_map(|l| {
            let p = l.points.get(at)?;
            p.value.map(|_| Ranked {
                name: l.label.clone(),
                value: p.value_text.clone(),
            })
        })
        .collect();
    Ok((rows, g.dimension_label.unwrap_or_default()))
}

/// The Büro's activities of the year, with a summary.
fn activities(st: &Scope, year: i32) -> Result<(Vec<ActivityLine>, String), AppError> {
    let y = year.to_string();
    let list: Vec<_> = st
        .store
        .activities()?
        .into_iter()
        .filter(|a| a.date.starts_with(&y))
        .collect();
    let reach: i64 = list.iter().filter_map(|a| a.reach).sum();
    let text = format!(
        "{} im Jahr {year}, die zusammen {} Personen erreicht haben.",
        kimo_monitor::sentences::count_noun(list.len(), "Aktivität", "Aktivitäten"),
        kimo_model::format_number(reach as f64, 0)
    );
    let lines = list
        .iter()
        .map(|a| ActivityLine {
            date: local_date(&a.date),
            kind: a.kind.clone(),
            title: a.title.clone(),
            partners: a.partners.clone(),
            reach: a
                .reach
                .map_or("–".into(), |r| kimo_model::format_number(r as f64, 0)),
        })
        .collect();
    Ok((lines, text))
}

/// The AKI's and the InA's meetings of the year with their decisions, and the tasks in words.
fn meetings(
    st: &Scope,
    year: i32,
) -> Result<(Vec<MeetingLine>, Vec<MeetingLine>, String), AppError> {
    let y = year.to_string();
    let all: Vec<_> = st
        .store
        .meetings()?
        .into_iter()
        .filter(|m| m.date.starts_with(&y))
        .collect();
    let line = |m: &kimo_model::meeting::Meeting| MeetingLine {
        date: local_date(&m.date),
        title: m.title.clone(),
        decisions: m
            .items
            .iter()
            .filter(|i| !i.decision.trim().is_empty())
            .map(|i| format!("{}: {}", i.title, i.decision))
            .collect(),
    };
    let of = |b: Body| all.iter().filter(|m| m.body == b).map(line).collect();
    let tasks: Vec<_> = all.iter().flat_map(|m| &m.tasks).collect();
    let done = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Erledigt)
        .count();
    let tasks_text = format!(
        "Aus den Sitzungen des Jahres {year} stammen {}, davon {done} erledigt.",
        kimo_monitor::sentences::count_noun(tasks.len(), "Aufgabe", "Aufgaben")
    );
    Ok((of(Body::Aki), of(Body::Ina), tasks_text))
}

/// Every indicator with its definition and source.
fn methods(indicators: &[Indicator]) -> Vec<MethodLine> {
    indicators
        .iter()
        .map(|i| MethodLine {
            code: i.code.clone(),
            name: i.name.clone(),
            definition: i.definition.clone(),
            source: i.source.clone(),
            amt: i.department.clone(),
            periodicity: i.periodicity.label().to_string(),
        })
        .collect()
}

/// The city's name without a note in brackets: „Karlsruhe (Gesamtstadt)“ → „Karlsruhe“.
fn city_short(name: &str) -> String {
    name.split(" (").next().unwrap_or(name).trim().to_string()
}

/// The city as documents show it: the name set with `kimo einstellung stadt` (else the whole
/// city's area name without a note in brackets) and the logo.
pub fn city(st: &Scope) -> Result<(String, Option<kimo_store::Logo>), AppError> {
    let set = st.store.city()?;
    let name = match set.name {
        Some(n) => n,
        None => city_short(&super::overview::city_name(st)?),
    };
    Ok((name, set.logo))
}

/// The report's title for a kind and year (the default of a new report).
pub fn default_title(kind: ReportKind, year: i32, city: &str) -> String {
    let city = city_short(city);
    match kind {
        ReportKind::Monitoringbericht => format!("Monitoringbericht Integration {city} {year}"),
        ReportKind::Praesentation => {
            format!("Monitoring Integration {city}: Bericht an den Integrationsausschuss {year}")
        }
    }
}
