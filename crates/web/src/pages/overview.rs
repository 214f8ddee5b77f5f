//! The overview pages: the start page (Handlungsfelder with core indicators), one Handlungsfeld,
//! and the list of all indicators — each a view with HTML, JSON and CSV twins.

use crate::Scope;
use crate::format::{IndicatorRow, indicator_row};
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_model::{ActionField, Indicator, Observation};
use kimo_store::ObservationFilter;
use serde::Serialize;
use std::sync::Arc;

/// Overview rows (whole city) of the given indicators.
fn rows(st: &Scope, indicators: &[&Indicator]) -> Result<Vec<IndicatorRow>, AppError> {
    Ok(rows_with_previous(st, indicators)?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// Overview rows (whole city) of the given indicators, each with the label of the period before
/// its latest one.
fn rows_with_previous(
    st: &Scope,
    indicators: &[&Indicator],
) -> Result<Vec<(IndicatorRow, Option<String>)>, AppError> {
    let areas = st.areas()?;
    let Some(city) = kimo_model::whole_city(&areas) else {
        return Ok(indicators
            .iter()
            .map(|i| (indicator_row(i, &[]), None))
            .collect());
    };
    // The city's totals from the cache of every area's (one read per data version).
    let totals = super::area::totals(st)?;
    let rules = st.rules()?;
    Ok(indicators
        .iter()
        .map(|i| {
            let mut v: Vec<&Observation> = totals.of(&i.code, &city.code).iter().collect();
            // The latest value and its change are on the time axis: labelled periods stay out.
            v.retain(|o| !o.period.is_label());
            v.sort_by(|a, b| a.period.cmp(&b.period));
            let previous = v.len().checked_sub(2).map(|k| v[k].period.label());
            let mut row = indicator_row(i, &v);
            row.goals = crate::format::goals(&rules, i, &v);
            (row, previous)
        })
        .collect())
}

/// The name of the whole city, or "Stadt" before any area is imported.
pub(crate) fn city_name(st: &Scope) -> Result<String, AppError> {
    Ok(kimo_model::whole_city(&st.areas()?)
        .map_or(kimo_model::lang::t("Stadt").to_string(), |a| a.name.clone()))
}

/// The columns of every overview table as CSV.
const ROW_HEADER: [&str; 7] = [
    "Handlungsfeld",
    "Code",
    "Indikator",
    "Kernindikator",
    "Zeitraum",
    "Wert",
    "Veränderung zum Vorzeitraum",
];

/// Overview rows as CSV cells, as shown on the page.
fn row_cells(rows: &[IndicatorRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.action_field.clone().unwrap_or_default(),
                r.code.clone(),
                r.name.clone(),
                kimo_model::lang::t(if r.core { "ja" } else { "nein" }).into(),
                r.period_label.clone(),
                r.value_text.clone(),
                r.trend.as_ref().map_or(String::new(), |t| t.short.clone()),
            ]
        })
        .collect()
}

/// A core indicator's headline figure on the start page: the overview row plus its context.
#[derive(Serialize, Clone)]
pub struct Headline {
    /// The overview row (latest value, period, trend).
    #[serde(flatten)]
    pub row: IndicatorRow,
    /// The change to the previous period in the unit (`+1.584`, `+0,6 Pp.`), empty without one.
    pub change_text: String,
    /// The previous period (label), empty without one.
    pub previous_label: String,
    /// The direction in words: gestiegen, gesunken or unverändert.
    pub direction: String,
    /// The judgement in words: günstig, ungünstig or ohne Bewertung.
    pub judgement: String,
    /// When the indicator's values were last written (German date), if known.
    pub last_update: Option<String>,
}

/// The headline figure of an indicator in an area (its totals): latest value, change in words,
/// Datenstand and — for the whole city — the goals with their progress.
pub(crate) fn headline_for(
    st: &Scope,
    ind: &Indicator,
    area: &str,
    is_city: bool,
) -> Result<Headline, AppError> {
    let obs = st.observations(&ObservationFilter {
        indicator: Some(ind.code.clone()),
        area: Some(area.to_string()),
        total_only: true,
        ..Default::default()
    })?;
    // The latest value and its change are on the time axis: labelled periods stay out.
    let mut v: Vec<&Observation> = obs.iter().filter(|o| !o.period.is_label()).collect();
    v.sort_by(|a, b| a.period.cmp(&b.period));
    let previous = v.len().checked_sub(2).map(|k| v[k].period.label());
    let mut row = indicator_row(ind, &v);
    if is_city {
        row.goals = crate::format::goals(&*st.rules()?, ind, &v);
    }
    headline(st, row, previous)
}

/// The headline of an overview row: change, direction and judgement in words, last update.
fn headline(st: &Scope, row: IndicatorRow, previous: Option<String>) -> Result<Headline, AppError> {
    // Through the audience's profile: the public does not learn when an embargoed period came.
    let last_update = st
        .profile(&st.indicator(&row.code)?)?
        .last_update
        .as_deref()
        .map(crate::format::local_date);
    let (direction, judgement) = match &row.trend {
        None => ("", ""),
        Some(t) => (
            kimo_model::lang::t(match t.arrow {
                "↑" => "gestiegen",
                "↓" => "gesunken",
                _ => "unverändert",
            }),
            kimo_model::lang::t(match t.class {
                "better" => "günstig",
                "worse" => "ungünstig",
                _ if t.arrow == "→" => "",
                _ => "ohne Bewertung",
            }),
        ),
    };
    Ok(Headline {
        change_text: row
            .trend
            .as_ref()
            .map_or(String::new(), |t| t.short.clone()),
        previous_label: previous.unwrap_or_default(),
        direction: direction.into(),
        judgement: judgement.into(),
        last_update,
        row,
    })
}

/// A Handlungsfeld with the headlines of its core indicators.
#[derive(Serialize)]
pub struct FieldHeadlines {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The core indicators' headline figures.
    pub rows: Vec<Headline>,
}

/// A heading of the grouped indicator list: a Handlungsfeld, or none for the indicators without one.
#[derive(Serialize)]
pub struct FieldGroup {
    /// Code of the Handlungsfeld (none: indicators without one).
    pub code: Option<String>,
    /// Name shown as the heading.
    pub name: String,
    /// Codes of its indicators (rows of the list).
    pub indicators: Vec<String>,
}

/// The start page: Handlungsfelder with their core indicators.
#[derive(Serialize)]
pub struct IndexView {
    /// The whole city's name.
    pub city: String,
    /// Handlungsfelder with their core indicators.
    pub fields: Vec<FieldHeadlines>,
    /// Whether a change in percentage points (`Pp.`) is shown, so the page explains it once.
    pub uses_points: bool,
}

impl View for IndexView {
    const TEMPLATE: &'static str = "index.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        kimo_model::lang::t("Übersicht").into()
    }
    fn path(&self) -> String {
        "/index".into()
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let rows: Vec<IndicatorRow> = self
            .fields
            .iter()
            .flat_map(|f| f.rows.iter().map(|h| h.row.clone()))
            .collect();
        table_csv("kernindikatoren.csv".into(), &ROW_HEADER, &row_cells(&rows)).map(Some)
    }
}

/// Builds the start page.
pub fn index_view(st: &Scope) -> Result<IndexView, AppError> {
    let indicators = st.indicators()?;
    let core: Vec<&Indicator> = indicators.iter().filter(|i| i.core).collect();
    let mut all = Vec::new();
    for (r, p) in rows_with_previous(st, &core)? {
        all.push(headline(st, r, p)?);
    }
    let fields = st
        .action_fields()?
        .iter()
        .map(|f| FieldHeadlines {
            code: f.code.clone(),
            name: f.name.clone(),
            rows: all
                .iter()
                .filter(|h| h.row.action_field.as_deref() == Some(f.code.as_str()))
                .cloned()
                .collect(),
        })
        .collect();
    Ok(IndexView {
        city: city_name(st)?,
        uses_points: all
            .iter()
            .any(|h| h.row.trend.is_some() && h.row.unit.is_percent()),
        fields,
    })
}

/// A Handlungsfeld with all its indicators.
#[derive(Serialize)]
pub struct FieldView {
    /// The Handlungsfeld.
    pub field: ActionField,
    /// Its part of the Integrationskonzept in force (title of the version, and the part).
    pub konzept: Option<(String, super::konzept::FieldPart)>,
    /// Its indicators.
    pub rows: Vec<IndicatorRow>,
}

impl View for FieldView {
    const TEMPLATE: &'static str = "field.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        self.field.name.clone()
    }
    fn path(&self) -> String {
        format!("/handlungsfelder/{}", self.field.code)
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let name = format!("handlungsfeld-{}.csv", self.field.code);
        table_csv(name, &ROW_HEADER, &row_cells(&self.rows)).map(Some)
    }
}

/// Builds the page of a Handlungsfeld.
pub fn field_view(st: &Scope, code: &str) -> Result<FieldView, AppError> {
    let field = st
        .action_fields()?
        .iter()
        .find(|f| f.code == code)
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("Das Handlungsfeld '{code}' gibt es nicht.")))?;
    let indicators = st.indicators()?;
    let inds: Vec<&Indicator> = indicators
        .iter()
        .filter(|i| i.action_field.as_deref() == Some(code))
        .collect();
    let konzept = match st.store.konzept_in_force()? {
        Some(v) => match v.content.field(code) {
            Some(f) => {
                let r = super::konzept::Renderer::new(st, &v.snapshot)?;
                Some((v.title.clone(), r.field(f)?))
            }
            None => None,
        },
        None => None,
    };
    Ok(FieldView {
        rows: rows(st, &inds)?,
        konzept,
        field,
    })
}

/// All indicators.
#[derive(Serialize)]
pub struct IndicatorsView {
    /// One row per indicator.
    pub rows: Vec<IndicatorRow>,
    /// The headings the rows are grouped under (by `action_field`), with at least one row each.
    pub fields: Vec<FieldGroup>,
}

impl View for IndicatorsView {
    const TEMPLATE: &'static str = "indicators.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        kimo_model::lang::t("Alle Indikatoren").into()
    }
    fn path(&self) -> String {
        "/indikatoren".into()
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        table_csv(
            "indikatoren.csv".into(),
            &ROW_HEADER,
            &row_cells(&self.rows),
        )
        .map(Some)
    }
}

/// Builds the list of all indicators.
pub fn indicators_view(st: &Scope) -> Result<IndicatorsView, AppError> {
    let indicators = st.indicators()?;
    let all: Vec<&Indicator> = indicators.iter().collect();
    let rows = rows(st, &all)?;
    let codes = |keep: &dyn Fn(&IndicatorRow) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|r| keep(r))
            .map(|r| r.code.clone())
            .collect()
    };
    let action_fields = st.action_fields()?;
    let mut fields: Vec<FieldGroup> = action_fields
        .iter()
        .map(|f| FieldGroup {
            code: Some(f.code.clone()),
            name: f.name.clone(),
            indicators: codes(&|r| r.action_field.as_deref() == Some(f.code.as_str())),
        })
        .filter(|g| !g.indicators.is_empty())
        .collect();
    // Rows whose Handlungsfeld is missing or unknown go under one heading, so none is lost.
    let rest = codes(&|r| {
        !action_fields
            .iter()
            .any(|f| r.action_field.as_deref() == Some(f.code.as_str()))
    });
    if !rest.is_empty() {
        fields.push(FieldGroup {
            code: None,
            name: kimo_model::lang::t("Ohne Handlungsfeld").into(),
            indicators: rest,
        });
    }
    Ok(IndicatorsView { rows, fields })
}

/// Answers the start page in a format.
async fn index_in(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/", format, || respond(st, &index_view(st)?, format, None))
    })
    .await
}

/// `GET /`.
pub async fn index(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    index_in(st, Format::Html).await
}

/// `GET /index.json`.
pub async fn index_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    index_in(st, Format::Json).await
}

/// `GET /index.csv`.
pub async fn index_csv(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    index_in(st, Format::Csv).await
}

/// `GET /handlungsfelder/{code}` (also `.json`, `.csv`).
pub async fn field(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let (code, format) = Format::split(&segment);
        st.page(&format!("/handlungsfelder/{code}"), format, || {
            respond(st, &field_view(st, code)?, format, None)
        })
    })
    .await
}

/// Answers the list of all indicators in a format.
async fn indicators_in(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/indikatoren", format, || {
            respond(st, &indicators_view(st)?, format, None)
        })
    })
    .await
}

/// `GET /indikatoren`.
pub async fn indicators(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    indicators_in(st, Format::Html).await
}

/// `GET /indikatoren.json`.
pub async fn indicators_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    indicators_in(st, Format::Json).await
}

/// `GET /indikatoren.csv`.
pub async fn indicators_csv(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    indicators_in(st, Format::Csv).await
}
