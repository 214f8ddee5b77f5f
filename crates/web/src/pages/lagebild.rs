//! The Lagebild: traffic lights per Handlungsfeld and core indicator, the warnings with filters,
//! and a map of the Stadtteile by status and dynamics — computed with the rules in force, so the
//! map and the warnings always agree.

use crate::Scope;
use crate::auth::Identity;
use crate::params::{Params, given, one_of, yes_no};
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
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

/// Status colours for the map, in the order of `Status::ALL` (least favourable last).
const STATUS_COLOURS: [&str; 4] = ["#4dac26", "#e0e0e0", "#fdae61", "#d7191c"];

/// The query of the Lagebild.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Date of the last presentation (`TT.MM.JJJJ` or `JJJJ-MM-TT`; default: start of the half-year).
    pub seit: Option<String>,
    /// Order of the warnings: `schwere` (default: severity, then newest) or `neueste`.
    pub sortierung: Option<String>,
    /// Groups (Handlungsfeld codes) showing 10 more warnings, once per click (repeatable).
    pub mehr: Vec<String>,
}

/// Warnings shown per group before "weitere anzeigen".
const PAGE: usize = 10;

/// The orders of the warnings: (code, label).
const SORTS: [(&str, &str); 2] = [
    ("schwere", "nach Schwere, dann neueste"),
    ("neueste", "neueste zuerst"),
];

/// The group code of warnings whose indicator has no Handlungsfeld.
const NO_FIELD: &str = "ohne";

/// Checks a warning filter's values against what exists; anything unknown is a 400.
pub fn warning_filter(
    st: &Scope,
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
    /// The warnings that cause a red or yellow light (red: the high ones; yellow: all).
    pub causes: Vec<Cause>,
    /// The lights of the core indicators (for a Handlungsfeld).
    pub core: Vec<Light>,
}

/// A warning that causes a light: indicator and Stadtteil, linked to its series.
#[derive(Serialize)]
pub struct Cause {
    /// Warning number.
    pub id: i64,
    /// Indicator name.
    pub indicator_name: String,
    /// Area name.
    pub area_name: String,
    /// Severity code.
    pub severity: String,
    /// Link to the series.
    pub link: String,
}

/// The summary at the top: open warnings and those new since the last presentation.
#[derive(Serialize)]
pub struct Summary {
    /// Open warnings (all, unfiltered).
    pub open: usize,
    /// „35 offene Warnhinweise“.
    pub open_text: String,
    /// Of which first recorded on or after `since`.
    pub new: usize,
    /// „12 neu“.
    pub new_text: String,
    /// The presentation date (ISO).
    pub since: String,
    /// „seit der letzten Halbjahrespräsentation (01.07.2026)“ or „seit dem 15.09.2026“.
    pub since_words: String,
}

/// The warnings of one Handlungsfeld.
#[derive(Serialize)]
pub struct Group {
    /// Handlungsfeld code (`ohne` for indicators without one).
    pub code: String,
    /// Name.
    pub name: String,
    /// Warnings in the group (matching the filter).
    pub count: usize,
    /// „3 Warnhinweise, davon 1 hoch, 2 neu“.
    pub count_text: String,
    /// Of which high.
    pub high: usize,
    /// Of which new since the presentation.
    pub new: usize,
    /// Whether the group is shown open (it has high ones, or more were asked for).
    pub open: bool,
    /// The warnings shown (the first `PAGE`, or more with `mehr`).
    pub warnings: Vec<WarningRow>,
    /// Link that shows 10 more, if there are more.
    pub more_link: Option<String>,
}

/// A warning in the table.
#[derive(Serialize, Clone)]
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
    /// The Stadtteil's profile page (none for the whole city).
    pub area_link: Option<String>,
    /// The sentence.
    pub sentence: String,
    /// Status code.
    pub status: String,
    /// Status in words.
    pub status_label: String,
    /// Assignee.
    pub assignee: Option<String>,
    /// Since when the condition holds: „seit 2023“, „überfällig seit 30.03.2025“, or „erfasst am …“.
    pub since: String,
    /// Since when the condition holds, where the figures say it (`since` without „erfasst am“).
    pub began: Option<String>,
    /// When the warning was first recorded (German date).
    pub first_seen: String,
    /// When it was first recorded (ISO, for sorting).
    pub first_seen_iso: String,
    /// First recorded on or after the presentation date.
    pub is_new: bool,
    /// Link to the series.
    pub link: String,
    /// Still active.
    pub active: bool,
    /// Rule type code (`status_dynamik`, …).
    pub kind: String,
    /// Rule type in German („Stadtteilvergleich“, …).
    pub rule: String,
    /// Handlungsfeld code of the indicator.
    #[serde(skip)]
    pub action_field: Option<String>,
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

/// The Lagebild: the summary (counts, lights, map), then the warnings by Handlungsfeld.
#[derive(Serialize)]
pub struct LagebildView {
    /// Open warnings and the new ones since the last presentation.
    pub summary: Summary,
    /// Traffic lights per Handlungsfeld.
    pub lights: Vec<Light>,
    /// The warnings matching the filter, by Handlungsfeld, sorted and paged.
    pub groups: Vec<Group>,
    /// The number of warnings matching the filter.
    pub count: usize,
    /// „35 Warnhinweise“.
    pub count_text: String,
    /// Of which new since the presentation.
    pub new_count: usize,
    /// Every warning matching the filter, sorted (the CSV).
    #[serde(skip)]
    pub all: Vec<WarningRow>,
    /// The status × dynamics map.
    pub map: Option<StatusMap>,
    /// Why there is no map, if there is none.
    pub map_note: Option<String>,
    /// Choices of the forms.
    pub options: LagebildOptions,
    /// The form that puts a warning on a coming meeting's agenda: only in the page made for
    /// the Redaktion (never cached, never in the JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agenda: Option<AgendaForm>,
}

/// The agenda form of the Lagebild: the viewer's form token and the coming meetings.
#[derive(Serialize)]
pub struct AgendaForm {
    /// The viewer's CSRF token.
    pub csrf: String,
    /// The coming meetings: (id, „title am date“).
    pub coming: super::meetings::Coming,
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
    /// Orders of the warnings.
    pub sorts: Vec<super::indicator::Opt>,
    /// The presentation date as given (or the default, German).
    pub since: String,
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
    fn html_extra(&self, st: &Scope) -> Result<minijinja::Value, AppError> {
        Ok({
            let (wide, narrow) = map_svgs(st, self)?;
            minijinja::context! {
                map_svg => minijinja::Value::from_safe_string(wide),
                map_svg_narrow => minijinja::Value::from_safe_string(narrow),
            }
        })
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
            "erfasst am",
            "aktiv",
        ];
        let rows: Vec<Vec<String>> = self
            .all
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
                    w.first_seen.clone(),
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

/// Since when a warning's condition holds, from its figures: the period it began („seit 2023“),
/// or the due date of overdue data; None when the figures do not say.
fn condition_began(w: &Warning) -> Option<String> {
    let began = w.figures["beginn"]
        .as_str()
        .and_then(|c| kimo_model::Period::parse_or_label(c).ok());
    match (began, w.figures["faellig"].as_str()) {
        (Some(p), _) => Some(format!("seit {}", p.label())),
        (None, Some(due)) => Some(format!(
            "überfällig seit {}",
            crate::format::local_date(due)
        )),
        (None, None) => None,
    }
}

/// A warning as a table row; `since` is the presentation date (ISO).
pub fn warning_row(w: &Warning, since: &str) -> WarningRow {
    WarningRow {
        id: w.id,
        severity: w.severity.clone(),
        indicator: w.indicator.clone(),
        indicator_name: w.indicator_name.clone(),
        area: w.area.clone(),
        area_name: w.area_name.clone(),
        area_link: None,
        sentence: w.sentence.clone(),
        status: w.status.code().to_string(),
        status_label: w.status.label().to_string(),
        assignee: w.assignee.clone(),
        since: condition_began(w)
            .unwrap_or_else(|| format!("erfasst am {}", crate::format::local_date(&w.first_seen))),
        began: condition_began(w),
        first_seen: crate::format::local_date(&w.first_seen),
        first_seen_iso: w.first_seen.clone(),
        is_new: w.first_seen.get(..10).unwrap_or("") >= since,
        link: series_link(w),
        active: w.active,
        kind: w.kind.clone(),
        rule: kimo_monitor::rules::kind_label(&w.kind).to_string(),
        action_field: w.action_field.clone(),
    }
}

/// Answers the Lagebild in a format.
async fn answer(
    st: Arc<AppState>,
    format: Format,
    Params { value: q, raw }: Params<LagebildQuery>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        // Warnings are internal.
        st.require_internal()?;
        // The default presentation date moves with the calendar; the cache key must too.
        let half_year = half_year_start(chrono::Local::now().date_naive());
        let key = format!("/lagebild?{}#{half_year}", raw.as_deref().unwrap_or(""));
        st.page(&key, format, || {
            respond(st, &build(st, &q)?, format, raw.as_deref())
        })
    })
    .await
}

/// `GET /lagebild`: for the Redaktion and administrators made afresh with the form that puts a
/// warning on a coming meeting's agenda in one step; for everyone else the cached page.
pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    q: Params<LagebildQuery>,
) -> Result<Response, AppError> {
    let Some(viewer) = identity.0.filter(|v| super::konzept_edit::may_edit(&v.0)) else {
        return answer(st, Format::Html, q)
            .await
            .map(IntoResponse::into_response);
    };
    let Params { value: q, raw } = q;
    let page = blocking(&st, move |st| {
        st.require_internal()?;
        let mut view = build(st, &q)?;
        let coming = super::meetings::coming(st)?;
        if !coming.is_empty() {
            let csrf = viewer.1.csrf.clone();
            view.agenda = Some(AgendaForm { csrf, coming });
        }
        respond(st, &view, Format::Html, raw.as_deref())
    })
    .await?;
    let body = String::from_utf8_lossy(page.body()).into_owned();
    Ok(crate::respond::no_store(StatusCode::OK, body))
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

/// The presentation date: `seit` (`TT.MM.JJJJ` or `JJJJ-MM-TT`), else the start of the current
/// half-year (1 January or 1 July on or before today). Returns (date, whether it is the default).
pub fn presentation_date(seit: &Option<String>) -> Result<(NaiveDate, bool), AppError> {
    // Typed into a text field: spaces around it do not count.
    match given(seit).map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => NaiveDate::parse_from_str(s, "%d.%m.%Y")
            .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d"))
            .map(|d| (d, false))
            .map_err(|_| {
                AppError::BadRequest(format!(
                    "'{s}' ist für 'seit' kein Datum (erlaubt: TT.MM.JJJJ oder JJJJ-MM-TT)."
                ))
            }),
        None => Ok((half_year_start(chrono::Local::now().date_naive()), true)),
    }
}

/// 1 January or 1 July, whichever last came on or before `today`.
pub fn half_year_start(today: NaiveDate) -> NaiveDate {
    let month = if today.month() >= 7 { 7 } else { 1 };
    NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today)
}

/// Builds the Lagebild for a query.
pub fn build(st: &Scope, q: &LagebildQuery) -> Result<LagebildView, AppError> {
    let f = warning_filter(
        st,
        &q.handlungsfeld,
        &q.gebiet,
        &q.schwere,
        &q.status,
        &q.alle,
        &q.indikator,
    )?;
    let (since, is_default) = presentation_date(&q.seit)?;
    let since_iso = since.format("%Y-%m-%d").to_string();
    let sort = one_of("sortierung", &q.sortierung, &SORTS.map(|s| s.0))?.unwrap_or("schwere");
    let indicators = st.indicators()?;
    let candidates: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| i.polarity != Polarity::Neutral)
        .collect();
    let chosen = map_indicator(&candidates, &q.karte)?;
    let mut all: Vec<WarningRow> = st
        .store
        .warnings(&f)?
        .iter()
        .map(|w| warning_row(w, &since_iso))
        .collect();
    let areas = st.areas()?;
    let city = kimo_model::whole_city(&areas).map_or("", |a| a.code.as_str());
    for r in &mut all {
        if let Some(a) = areas.iter().find(|a| a.code == r.area)
            && a.parent.as_deref() == Some(city)
        {
            r.area_link = Some(format!("/stadtteile/{}", a.code));
        }
    }
    sort_rows(&mut all, sort);
    let map = match chosen {
        Some(ind) => status_map(st, ind)?,
        None => None,
    };
    let map_note = map_note(st, chosen, map.is_some())?;
    let mut options = lagebild_options(st, &f, &candidates, chosen)?;
    options.sorts = SORTS
        .iter()
        .map(|(c, l)| super::indicator::Opt {
            code: c.to_string(),
            label: l.to_string(),
            selected: *c == sort,
        })
        .collect();
    options.since = given(&q.seit)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or(since.format("%d.%m.%Y").to_string(), str::to_string);
    let open = st.store.warnings(&WarningFilter::default())?;
    Ok(LagebildView {
        summary: summary(&open, since, is_default),
        lights: lights(st, &open)?,
        groups: groups(st, &all, q)?,
        count: all.len(),
        count_text: kimo_monitor::sentences::warnings(all.len()),
        new_count: all.iter().filter(|w| w.is_new).count(),
        all,
        map,
        map_note,
        options,
        agenda: None,
    })
}

/// The indicator of the map: `karte` (a 400 unless rated), else the first rated core indicator.
fn map_indicator<'a>(
    candidates: &[&'a Indicator],
    karte: &Option<String>,
) -> Result<Option<&'a Indicator>, AppError> {
    match given(karte) {
        Some(c) => Ok(Some(*candidates.iter().find(|i| i.code == c).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Für '{c}' gibt es keine Karte nach Status und Dynamik (unbekannter oder neutraler Indikator)."
            ))
        })?)),
        None => Ok(candidates.iter().find(|i| i.core).copied()),
    }
}

/// Why there is no map, if there is none.
fn map_note(
    st: &Scope,
    chosen: Option<&Indicator>,
    has_map: bool,
) -> Result<Option<String>, AppError> {
    Ok(match chosen {
        _ if has_map => None,
        None => Some("Es gibt keinen bewerteten Indikator für die Karte.".to_string()),
        Some(ind) if st.rules()?.status_rule(ind).is_none() => Some(format!(
            "Für „{}“ ist keine Regel „{}“ in Kraft.",
            ind.name,
            kimo_monitor::rules::kind_label("status_dynamik")
        )),
        Some(_) => Some("Für diesen Indikator gibt es keine Werte je Stadtteil.".into()),
    })
}

/// Severity rank, most severe first.
fn severity_rank(s: &str) -> usize {
    SEVERITIES
        .iter()
        .position(|x| *x == s)
        .unwrap_or(SEVERITIES.len())
}

/// Sorts warnings: by severity, then newest (`schwere`), or newest first (`neueste`).
fn sort_rows(rows: &mut [WarningRow], sort: &str) {
    let newest = |a: &WarningRow, b: &WarningRow| {
        b.first_seen_iso
            .cmp(&a.first_seen_iso)
            .then(b.id.cmp(&a.id))
    };
    if sort == "neueste" {
        rows.sort_by(newest);
    } else {
        rows.sort_by(|a, b| {
            severity_rank(&a.severity)
                .cmp(&severity_rank(&b.severity))
                .then_with(|| newest(a, b))
        });
    }
}

/// The summary: open warnings and those first recorded since the presentation.
fn summary(open: &[Warning], since: NaiveDate, is_default: bool) -> Summary {
    let since_iso = since.format("%Y-%m-%d").to_string();
    let new = open
        .iter()
        .filter(|w| w.first_seen.get(..10).unwrap_or("") >= since_iso.as_str())
        .count();
    let date = since.format("%d.%m.%Y");
    Summary {
        open: open.len(),
        open_text: kimo_monitor::sentences::count_noun(
            open.len(),
            "offener Warnhinweis",
            "offene Warnhinweise",
        ),
        new,
        new_text: format!("{new} neu"),
        since: since_iso,
        since_words: if is_default {
            format!("seit der letzten Halbjahrespräsentation ({date})")
        } else {
            format!("seit dem {date}")
        },
    }
}

/// The query as a link, with one more `mehr` for a group (and its anchor).
fn more_link(q: &LagebildQuery, group: &str) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    let pairs = [
        ("handlungsfeld", &q.handlungsfeld),
        ("gebiet", &q.gebiet),
        ("schwere", &q.schwere),
        ("status", &q.status),
        ("indikator", &q.indikator),
        ("alle", &q.alle),
        ("karte", &q.karte),
        ("seit", &q.seit),
        ("sortierung", &q.sortierung),
    ];
    for (k, v) in pairs {
        if let Some(v) = given(v) {
            s.append_pair(k, v);
        }
    }
    for m in q.mehr.iter().chain([&group.to_string()]) {
        s.append_pair("mehr", m);
    }
    format!("/lagebild?{}#hf-{group}", s.finish())
}

/// The warnings by Handlungsfeld (in the catalogue's order; `ohne` last), each paged.
fn groups(st: &Scope, rows: &[WarningRow], q: &LagebildQuery) -> Result<Vec<Group>, AppError> {
    let fields = st.action_fields()?;
    let mut codes: Vec<(String, String)> = fields
        .iter()
        .map(|f| (f.code.clone(), f.name.clone()))
        .collect();
    codes.push((NO_FIELD.into(), "ohne Handlungsfeld".into()));
    if let Some(m) = q.mehr.iter().find(|m| !codes.iter().any(|c| &c.0 == *m)) {
        return Err(AppError::BadRequest(format!(
            "Das Handlungsfeld '{m}' gibt es nicht (Parameter 'mehr')."
        )));
    }
    Ok(codes
        .into_iter()
        .filter_map(|(code, name)| {
            let ws: Vec<&WarningRow> = rows
                .iter()
                .filter(|w| w.action_field.as_deref().unwrap_or(NO_FIELD) == code)
                .collect();
            (!ws.is_empty()).then(|| group(q, code, name, &ws))
        })
        .collect())
}

/// One group: its counts, the warnings of its page and the link to more.
fn group(q: &LagebildQuery, code: String, name: String, ws: &[&WarningRow]) -> Group {
    let clicks = q.mehr.iter().filter(|m| **m == code).count();
    let shown = PAGE * (1 + clicks);
    let high = ws.iter().filter(|w| w.severity == "hoch").count();
    let new = ws.iter().filter(|w| w.is_new).count();
    let count_text = format!(
        "{}, davon {} hoch, {} neu",
        kimo_monitor::sentences::warnings(ws.len()),
        high,
        new
    );
    Group {
        more_link: (ws.len() > shown).then(|| more_link(q, &code)),
        open: high > 0 || clicks > 0,
        count: ws.len(),
        count_text,
        high,
        new,
        warnings: ws.iter().take(shown).map(|w| (*w).clone()).collect(),
        code,
        name,
    }
}

/// A light from the open warnings: red with a high one, yellow with any other, green without;
/// the causes are the high warnings of a red light and every warning of a yellow one.
fn light(code: &str, name: &str, ws: &[&Warning], core: Vec<Light>) -> Light {
    use kimo_monitor::sentences::warnings;
    let high = ws.iter().filter(|w| w.severity == "hoch").count();
    let (class, colour, text) = match (high, ws.len()) {
        (0, 0) => ("gruen", "grün", "keine offenen Warnhinweise".to_string()),
        (0, n) => (
            "gelb",
            "gelb",
            format!("{}, keiner davon hoch", warnings(n)),
        ),
        (h, n) => ("rot", "rot", format!("{}, davon {h} hoch", warnings(n))),
    };
    let causes = ws
        .iter()
        .filter(|w| high == 0 || w.severity == "hoch")
        .map(|w| Cause {
            id: w.id,
            indicator_name: w.indicator_name.clone(),
            area_name: w.area_name.clone(),
            severity: w.severity.clone(),
            link: series_link(w),
        })
        .collect();
    Light {
        code: code.to_string(),
        name: name.to_string(),
        class,
        colour,
        warnings: ws.len(),
        high,
        text,
        causes,
        core,
    }
}

/// Traffic lights per Handlungsfeld, each with its core indicators' lights, from the open warnings.
fn lights(st: &Scope, open: &[Warning]) -> Result<Vec<Light>, AppError> {
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
    st: &Scope,
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
        sorts: Vec::new(),
        since: String::new(),
    })
}

/// Classifies the Stadtteile of an indicator by status and dynamics with the rules in force.
fn status_map(st: &Scope, ind: &Indicator) -> Result<Option<StatusMap>, AppError> {
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
    let caption = status_caption(ind, period.clone(), earlier.clone(), &class, &name);
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
        "Karte: {} in {}, Lage im Vergleich der Stadtteile und Entwicklung seit {}. Ungünstiger als der Durchschnitt und verschlechtert sich: {}.",
        ind.name,
        period.label(),
        earlier.map_or("–".into(), |p| p.label()),
        if attention.is_empty() {
            "keiner".into()
        } else {
            attention.join(", ")
        }
    )
}

/// The map's SVG in the wide and the narrow layout: Stadtteile coloured by status, hatched where
/// they get worse.
fn map_svgs(st: &Scope, v: &LagebildView) -> Result<(String, String), AppError> {
    let Some(m) = &v.map else {
        return Ok(Default::default());
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
        return Ok(Default::default());
    }
    let legend: Vec<(&str, &str)> = STATUS_COLOURS
        .iter()
        .zip(Status::ALL)
        .map(|(c, s)| (*c, s.label()))
        .collect();
    let indicator = st.indicator(&m.indicator)?;
    let frame = |id: &str, width: f64| kimo_chart::Frame {
        id: id.to_string(),
        title: format!("Lage und Entwicklung: {}", m.indicator_name),
        subtitle: format!(
            "Stadtteile, {} gegenüber {}",
            m.period,
            m.earlier.as_deref().unwrap_or("–")
        ),
        desc: m.caption.clone(),
        footer: format!("Quelle: {} · Datenstand: {}", indicator.source, m.period),
        width,
    };
    let draw = |f: kimo_chart::Frame| {
        kimo_chart::class_map(&f, &map_areas, &legend, "verschlechtert sich")
    };
    Ok((
        draw(frame("lagebild-karte", kimo_chart::WIDE)),
        draw(frame("lagebild-karte-schmal", kimo_chart::NARROW)),
    ))
}

/// Totals of an indicator for the city and the areas below it, as series.
fn series_of(
    st: &Scope,
    code: &str,
    children: &[&Area],
    city: &str,
) -> Result<SeriesMap, AppError> {
    let obs = st.observations(&ObservationFilter {
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
        s.sort_by_key(|p| p.period.clone());
    }
    Ok(m)
}
