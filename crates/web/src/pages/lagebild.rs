//! The Lagebild: traffic lights per Handlungsfeld and core indicator, the warnings with filters,
//! and a map of the Stadtteile by status and dynamics — computed with the rules in force, so the
//! map and the warnings always agree.

use crate::params::{Params, given, one_of, yes_no};
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::State;
use kimo_chart::ClassArea;
use kimo_model::WarningStatus;
use kimo_model::{Area, Breakdown, Indicator, Polarity};
use kimo_monitor::checks::Point;
use kimo_monitor::status::{Dynamics, Status};
use kimo_monitor::{Names, SeriesMap};
use kimo_store::{ObservationFilter, Warning, WarningFilter};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Severities, most severe first.
const SEVERITIES: [&str; 3] = ["hoch", "mittel", "niedrig"];

/// Status colours for the map, least favourable last (with the legend's labels).
const STATUS_LEGEND: [(&str, &str); 4] = [
    ("#4dac26", "günstiger als der Durchschnitt"),
    ("#e0e0e0", "durchschnittlich"),
    ("#fdae61", "ungünstiger als der Durchschnitt"),
    ("#d7191c", "deutlich ungünstiger"),
];

/// The query of the Lagebild.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LagebildQuery {
    /// Handlungsfeld code.
    pub handlungsfeld: Option<String>,
    /// Area code.
    pub gebiet: Option<String>,
    /// Severity.
    pub schwere: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Also resolved warnings (`1`).
    pub alle: Option<String>,
    /// Indicator code.
    pub indikator: Option<String>,
    /// Indicator of the status × dynamics map.
    pub karte: Option<String>,
}

/// Checks a warning filter's values against what exists; anything unknown is a 400.
pub fn warning_filter(
    st: &AppState,
    action_field: &Option<String>,
    area: &Option<String>,
    severity: &Option<String>,
    status: &Option<String>,
    all: &Option<String>,
    indicator: &Option<String>,
) -> Result<WarningFilter, AppError> {
    if let Some(f) = given(action_field)
        && !st.action_fields()?.iter().any(|x| x.code == f)
    {
        return Err(AppError::BadRequest(format!(
            "Das Handlungsfeld '{f}' gibt es nicht."
        )));
    }
    if let Some(a) = given(area)
        && !st.areas()?.iter().any(|x| x.code == a)
    {
        return Err(AppError::BadRequest(format!(
            "Das Gebiet '{a}' gibt es nicht."
        )));
    }
    if let Some(i) = given(indicator) {
        st.indicator(i)
            .map_err(|_| AppError::BadRequest(format!("Den Indikator '{i}' gibt es nicht.")))?;
    }
    let statuses: Vec<&str> = WarningStatus::ALL.iter().map(|s| s.code()).collect();
    Ok(WarningFilter {
        action_field: given(action_field).map(str::to_string),
        area: given(area).map(str::to_string),
        severity: one_of("schwere", severity, &SEVERITIES)?.map(str::to_string),
        status: one_of("status", status, &statuses)?.map(str::to_string),
        include_resolved: yes_no("alle", all)?,
        indicator: given(indicator).map(str::to_string),
    })
}

/// A traffic light.
#[derive(Serialize)]
pub struct Light {
    /// Handlungsfeld or indicator code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `rot`, `gelb` or `gruen`.
    pub class: &'static str,
    /// The colour in words.
    pub colour: &'static str,
    /// Open warnings.
    pub warnings: usize,
    /// Of which high.
    pub high: usize,
    /// The reason in words.
    pub text: String,
    /// The lights of the core indicators (for a Handlungsfeld).
    pub core: Vec<Light>,
}

/// A warning in the table.
#[derive(Serialize)]
pub struct WarningRow {
    /// Number.
    pub id: i64,
    /// Severity.
    pub severity: String,
    /// Indicator code.
    pub indicator: String,
    /// Indicator name.
    pub indicator_name: String,
    /// Area code.
    pub area: String,
    /// Area name.
    pub area_name: String,
    /// The sentence.
    pub sentence: String,
    /// Status code.
    pub status: String,
    /// Status in words.
    pub status_label: String,
    /// Assignee.
    pub assignee: Option<String>,
    /// First seen (German date).
    pub since: String,
    /// Link to the series.
    pub link: String,
    /// Still active.
    pub active: bool,
    /// Rule type.
    pub rule: String,
}

/// A Stadtteil on the status × dynamics map.
#[derive(Serialize)]
pub struct MapRow {
    /// Area code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Value.
    pub value: f64,
    /// Value with unit.
    pub value_text: String,
    /// Change over the window.
    pub change: Option<f64>,
    /// Change in German notation.
    pub change_text: String,
    /// Status class code (`hoch` … `sehr-niedrig`, oriented: `sehr-niedrig` is least favourable).
    pub status: &'static str,
    /// Status in plain words („deutlich ungünstiger“ …).
    pub status_label: &'static str,
    /// Dynamics class code (`positiv`, `stabil`, `negativ`; `unbekannt` without an earlier value).
    pub dynamics: &'static str,
    /// Dynamics in plain words („verschlechtert sich“ …).
    pub dynamics_label: &'static str,
}

/// A Stadtteil left out of the classification for its small population.
#[derive(Serialize)]
pub struct Excluded {
    /// Area code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Inhabitants.
    pub population: f64,
    /// Inhabitants in German notation.
    pub population_text: String,
}

/// The status × dynamics map of one indicator.
#[derive(Serialize)]
pub struct StatusMap {
    /// Indicator code.
    pub indicator: String,
    /// Indicator name.
    pub indicator_name: String,
    /// Period classified.
    pub period: String,
    /// Start of the dynamics window.
    pub earlier: Option<String>,
    /// The least population of a classified Stadtteil (from the rules in force).
    pub min_population: f64,
    /// The least population in German notation.
    pub min_population_text: String,
    /// Text alternative.
    pub caption: String,
    /// Classified Stadtteile.
    pub rows: Vec<MapRow>,
    /// Left out for their population.
    pub excluded: Vec<Excluded>,
}

/// The Lagebild.
#[derive(Serialize)]
pub struct LagebildView {
    /// Traffic lights per Handlungsfeld.
    pub lights: Vec<Light>,
    /// The warnings matching the filter.
    pub warnings: Vec<WarningRow>,
    /// Their number.
    pub count: usize,
    /// The status × dynamics map.
    pub map: Option<StatusMap>,
    /// Why there is no map, if there is none.
    pub map_note: Option<String>,
    /// Choices of the forms.
    pub options: LagebildOptions,
}

/// Choices of the Lagebild's forms.
#[derive(Serialize)]
pub struct LagebildOptions {
    /// Handlungsfelder.
    pub fields: Vec<super::indicator::Opt>,
    /// Areas.
    pub areas: Vec<super::indicator::Opt>,
    /// Severities.
    pub severities: Vec<super::indicator::Opt>,
    /// Statuses.
    pub statuses: Vec<super::indicator::Opt>,
    /// Whether resolved warnings are included.
    pub include_resolved: bool,
    /// Indicators for the map.
    pub map_indicators: Vec<super::indicator::Opt>,
}

impl View for LagebildView {
    const TEMPLATE: &'static str = "lagebild.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        "Lagebild".into()
    }
    fn path(&self) -> String {
        "/lagebild".into()
    }
    fn html_extra(&self, st: &AppState) -> Result<minijinja::Value, AppError> {
        Ok(
            minijinja::context! { map_svg => minijinja::Value::from_safe_string(map_svg(st, self)?) },
        )
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let header = [
            "Nr.",
            "Schwere",
            "Indikator",
            "Gebiet",
            "Hinweis",
            "Regel",
            "Status",
            "Zuständig",
            "seit",
            "aktiv",
        ];
        let rows: Vec<Vec<String>> = self
            .warnings
            .iter()
            .map(|w| {
                vec![
                    w.id.to_string(),
                    w.severity.clone(),
                    w.indicator_name.clone(),
                    w.area_name.clone(),
                    w.sentence.clone(),
                    w.rule.clone(),
                    w.status_label.clone(),
                    w.assignee.clone().unwrap_or_default(),
                    w.since.clone(),
                    if w.active { "ja" } else { "nein" }.into(),
                ]
            })
            .collect();
        table_csv("warnhinweise.csv".into(), &header, &rows).map(Some)
    }
}

/// The link to the indicator page that shows the warning's series.
pub fn series_link(w: &Warning) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("gebiet", &w.area);
    if let Some(d) = w.breakdown.dimensions().next() {
        s.append_pair("merkmal", d);
    }
    if let Some(p) = &w.period {
        s.append_pair("zeitraum", p);
    }
    s.append_pair("warnung", &w.id.to_string());
    format!("/indikatoren/{}?{}", w.indicator, s.finish())
}

/// A warning as a table row.
pub fn warning_row(w: &Warning) -> WarningRow {
    WarningRow {
        id: w.id,
        severity: w.severity.clone(),
        indicator: w.indicator.clone(),
        indicator_name: w.indicator_name.clone(),
        area: w.area.clone(),
        area_name: w.area_name.clone(),
        sentence: w.sentence.clone(),
        status: w.status.code().to_string(),
        status_label: w.status.label().to_string(),
        assignee: w.assignee.clone(),
        since: crate::format::german_date(&w.first_seen),
        link: series_link(w),
        active: w.active,
        rule: w.kind.clone(),
    }
}

/// Answers the Lagebild in a format.
async fn answer(
    st: Arc<AppState>,
    format: Format,
    Params { value: q, raw }: Params<LagebildQuery>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let key = format!("/lagebild?{}", raw.as_deref().unwrap_or(""));
        st.page(&key, format, || {
            respond(st, &build(st, &q)?, format, raw.as_deref())
        })
    })
    .await
}

/// `GET /lagebild`.
pub async fn page(
    State(st): State<Arc<AppState>>,
    q: Params<LagebildQuery>,
) -> Result<Page, AppError> {
    answer(st, Format::Html, q).await
}

/// `GET /lagebild.json`.
pub async fn page_json(
    State(st): State<Arc<AppState>>,
    q: Params<LagebildQuery>,
) -> Result<Page, AppError> {
    answer(st, Format::Json, q).await
}

/// `GET /lagebild.csv`.
pub async fn page_csv(
    State(st): State<Arc<AppState>>,
    q: Params<LagebildQuery>,
) -> Result<Page, AppError> {
    answer(st, Format::Csv, q).await
}

/// Builds the Lagebild for a query.
pub fn build(st: &AppState, q: &LagebildQuery) -> Result<LagebildView, AppError> {
    let f = warning_filter(
        st,
        &q.handlungsfeld,
        &q.gebiet,
        &q.schwere,
        &q.status,
        &q.alle,
        &q.indikator,
    )?;
    let indicators = st.indicators()?;
    let candidates: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| i.polarity != Polarity::Neutral)
        .collect();
    let chosen = match given(&q.karte) {
        Some(c) => Some(*candidates.iter().find(|i| i.code == c).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Für '{c}' gibt es keine Karte nach Status und Dynamik (unbekannter oder neutraler Indikator)."
            ))
        })?),
        None => candidates.iter().find(|i| i.core).copied(),
    };
    let warnings: Vec<WarningRow> = st.store.warnings(&f)?.iter().map(warning_row).collect();
    let map = match chosen {
        Some(ind) => status_map(st, ind)?,
        None => None,
    };
    let map_note = match (chosen, &map) {
        (_, Some(_)) => None,
        (None, None) => Some("Es gibt keinen bewerteten Indikator für die Karte.".to_string()),
        (Some(ind), None) if st.rules()?.status_rule(ind).is_none() => Some(format!(
            "Für „{}“ ist keine Regel „Status und Dynamik“ in Kraft.",
            ind.name
        )),
        (Some(_), None) => Some("Für diesen Indikator gibt es keine Werte je Stadtteil.".into()),
    };
    let options = lagebild_options(st, &f, &candidates, chosen)?;
    Ok(LagebildView {
        lights: lights(st)?,
        count: warnings.len(),
        warnings,
        map,
        map_note,
        options,
    })
}

/// A light from the open warnings: red with a high one, yellow with any other, green without.
fn light(code: &str, name: &str, ws: &[&Warning], core: Vec<Light>) -> Light {
    let high = ws.iter().filter(|w| w.severity == "hoch").count();
    let (class, colour, text) = match (high, ws.len()) {
        (0, 0) => ("gruen", "grün", "keine offenen Warnhinweise".to_string()),
        (0, n) => ("gelb", "gelb", format!("{n} Warnhinweis(e), keiner hoch")),
        (h, n) => ("rot", "rot", format!("{n} Warnhinweis(e), davon {h} hoch")),
    };
    Light {
        code: code.to_string(),
        name: name.to_string(),
        class,
        colour,
        warnings: ws.len(),
        high,
        text,
        core,
    }
}

/// Traffic lights per Handlungsfeld, each with its core indicators' lights.
fn lights(st: &AppState) -> Result<Vec<Light>, AppError> {
    let open = st.store.warnings(&WarningFilter::default())?;
    let indicators = st.indicators()?;
    Ok(st
        .action_fields()?
        .iter()
        .map(|fld| {
            let core = indicators
                .iter()
                .filter(|i| i.core && i.action_field.as_deref() == Some(fld.code.as_str()))
                .map(|i| {
                    let ws: Vec<&Warning> = open.iter().filter(|w| w.indicator == i.code).collect();
                    light(&i.code, &i.name, &ws, Vec::new())
                })
                .collect();
            let ws: Vec<&Warning> = open
                .iter()
                .filter(|w| w.action_field.as_deref() == Some(fld.code.as_str()))
                .collect();
            light(&fld.code, &fld.name, &ws, core)
        })
        .collect())
}

/// The choices of the Lagebild's forms with the current selection marked.
fn lagebild_options(
    st: &AppState,
    f: &WarningFilter,
    candidates: &[&Indicator],
    chosen: Option<&Indicator>,
) -> Result<LagebildOptions, AppError> {
    use super::indicator::Opt;
    let opt = |code: &str, label: &str, selected: bool| Opt {
        code: code.into(),
        label: label.into(),
        selected,
    };
    let is = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    let areas = st.areas()?;
    let city = kimo_model::whole_city(&areas).cloned().unwrap_or_default();
    Ok(LagebildOptions {
        fields: st
            .action_fields()?
            .iter()
            .map(|x| opt(&x.code, &x.name, is(&f.action_field, &x.code)))
            .collect(),
        areas: std::iter::once(&city)
            .chain(kimo_model::children_of(&areas, &city.code))
            .map(|a| opt(&a.code, &a.name, is(&f.area, &a.code)))
            .collect(),
        severities: SEVERITIES
            .iter()
            .map(|s| opt(s, s, is(&f.severity, s)))
            .collect(),
        statuses: WarningStatus::ALL
            .iter()
            .map(|s| opt(s.code(), s.label(), is(&f.status, s.code())))
            .collect(),
        include_resolved: f.include_resolved,
        map_indicators: candidates
            .iter()
            .map(|i| opt(&i.code, &i.name, chosen.is_some_and(|c| c.code == i.code)))
            .collect(),
    })
}

/// Classifies the Stadtteile of an indicator by status and dynamics with the rules in force.
fn status_map(st: &AppState, ind: &Indicator) -> Result<Option<StatusMap>, AppError> {
    // The same parameters the evaluation uses, so the map and the warnings agree.
    let Some(params) = st.rules()?.status_rule(ind) else {
        return Ok(None);
    };
    let areas = st.areas()?;
    let city = kimo_model::whole_city(&areas).cloned().unwrap_or_default();
    let children = kimo_model::children_of(&areas, &city.code);
    let series = series_of(st, &ind.code, &children, &city.code)?;
    let population = series_of(st, &params.population_indicator, &children, &city.code)?;
    let names = Names {
        areas: areas
            .iter()
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        city: city.code.clone(),
        children: children.iter().map(|a| a.code.clone()).collect(),
        ..Default::default()
    };
    let pop = (!population.is_empty()).then_some(&population);
    let Some((period, class, earlier)) =
        kimo_monitor::classify_areas(ind, &series, &names, pop, &params)
    else {
        return Ok(None);
    };
    let name = |code: &str| names.areas.get(code).cloned().unwrap_or(code.to_string());
    let rows: Vec<MapRow> = class
        .areas
        .iter()
        .map(|c| MapRow {
            code: c.area.clone(),
            name: name(&c.area),
            value: c.value,
            value_text: ind.unit.format(Some(c.value)),
            change: c.change,
            change_text: c.change.map_or("–".into(), |x| ind.unit.difference(x)),
            status: c.status.code(),
            status_label: c.status.label(),
            dynamics: c.dynamics.map_or("unbekannt", |d| d.code()),
            dynamics_label: c.dynamics.map_or("unbekannt", |d| d.label()),
        })
        .collect();
    let caption = status_caption(ind, period, earlier, &class, &name);
    Ok(Some(StatusMap {
        indicator: ind.code.clone(),
        indicator_name: ind.name.clone(),
        period: period.label(),
        earlier: earlier.map(|p| p.label()),
        min_population: params.min_population,
        min_population_text: kimo_model::format_number(params.min_population, 0),
        caption,
        rows,
        excluded: class
            .excluded
            .iter()
            .map(|(code, p)| Excluded {
                code: code.clone(),
                name: name(code),
                population: *p,
                population_text: kimo_model::format_number(*p, 0),
            })
            .collect(),
    }))
}

/// The map's text alternative: which Stadtteile have a low status and negative dynamics.
fn status_caption(
    ind: &Indicator,
    period: kimo_model::Period,
    earlier: Option<kimo_model::Period>,
    class: &kimo_monitor::status::Classification,
    name: &dyn Fn(&str) -> String,
) -> String {
    let attention: Vec<String> = class
        .areas
        .iter()
        .filter(|c| {
            matches!(c.status, Status::Niedrig | Status::SehrNiedrig)
                && c.dynamics == Some(Dynamics::Negativ)
        })
        .map(|c| name(&c.area))
        .collect();
    format!(
        "Karte: {} in {}, Status und Dynamik ({} gegenüber {}). Niedriger Status mit negativer Dynamik: {}.",
        ind.name,
        period.label(),
        period.label(),
        earlier.map_or("–".into(), |p| p.label()),
        if attention.is_empty() {
            "keiner".into()
        } else {
            attention.join(", ")
        }
    )
}

/// The map's SVG: Stadtteile coloured by status, hatched with negative dynamics.
fn map_svg(st: &AppState, v: &LagebildView) -> Result<String, AppError> {
    let Some(m) = &v.map else {
        return Ok(String::new());
    };
    let areas = st.areas()?;
    let city = kimo_model::whole_city(&areas).cloned().unwrap_or_default();
    let status_index = |s: &str| Status::ALL.iter().position(|x| x.code() == s);
    let map_areas: Vec<ClassArea> = kimo_model::children_of(&areas, &city.code)
        .into_iter()
        .filter_map(|a: &Area| {
            let row = m.rows.iter().find(|r| r.code == a.code);
            Some(ClassArea {
                code: a.code.clone(),
                name: a.name.clone(),
                geometry: a.geometry.clone()?,
                class: row.and_then(|r| status_index(r.status)),
                hatched: row.is_some_and(|r| r.dynamics == Dynamics::Negativ.code()),
                label: row.map_or("ausgenommen oder ohne Wert".into(), |r| {
                    format!("{}; {}", r.status_label, r.dynamics_label)
                }),
            })
        })
        .collect();
    if map_areas.is_empty() {
        return Ok(String::new());
    }
    Ok(kimo_chart::class_map(
        "lagebild-karte",
        &format!("Status und Dynamik: {}", m.indicator_name),
        &m.caption,
        &map_areas,
        &STATUS_LEGEND,
        "verschlechtert sich",
    ))
}

/// Totals of an indicator for the city and the areas below it, as series.
fn series_of(
    st: &AppState,
    code: &str,
    children: &[&Area],
    city: &str,
) -> Result<SeriesMap, AppError> {
    let obs = st.store.observations(&ObservationFilter {
        indicator: Some(code.to_string()),
        areas: children
            .iter()
            .map(|a| a.code.clone())
            .chain([city.to_string()])
            .collect(),
        total_only: true,
        ..Default::default()
    })?;
    let mut m = SeriesMap::new();
    for o in obs {
        m.entry((o.area.clone(), Breakdown::total()))
            .or_default()
            .push(Point {
                period: o.period,
                value: o.value,
                brk: o.flags.break_in_series,
            });
    }
    for s in m.values_mut() {
        s.sort_by_key(|p| p.period);
    }
    Ok(m)
}
