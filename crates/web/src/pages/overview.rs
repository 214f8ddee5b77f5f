//! The overview pages: the start page (Handlungsfelder with core indicators), one Handlungsfeld,
//! and the list of all indicators — each a view with HTML, JSON and CSV twins.

use crate::format::{IndicatorRow, indicator_row};
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_model::{ActionField, Indicator, Observation};
use kimo_store::ObservationFilter;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Overview rows (whole city) of the given indicators.
fn rows(st: &AppState, indicators: &[&Indicator]) -> Result<Vec<IndicatorRow>, AppError> {
    let areas = st.areas()?;
    let Some(city) = kimo_model::whole_city(&areas) else {
        return Ok(indicators.iter().map(|i| indicator_row(i, &[])).collect());
    };
    let obs = st.store.observations(&ObservationFilter {
        area: Some(city.code.clone()),
        total_only: true,
        ..Default::default()
    })?;
    let mut by: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in &obs {
        by.entry(o.indicator.as_str()).or_default().push(o);
    }
    Ok(indicators
        .iter()
        .map(|i| {
            let mut v = by.get(i.code.as_str()).cloned().unwrap_or_default();
            v.sort_by_key(|o| o.period);
            indicator_row(i, &v)
        })
        .collect())
}

/// The name of the whole city, or "Stadt" before any area is imported.
fn city_name(st: &AppState) -> Result<String, AppError> {
    Ok(kimo_model::whole_city(&st.areas()?).map_or("Stadt".to_string(), |a| a.name.clone()))
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
                if r.core { "ja" } else { "nein" }.into(),
                r.period_label.clone(),
                r.value_text.clone(),
                r.trend.as_ref().map_or(String::new(), |t| t.short.clone()),
            ]
        })
        .collect()
}

/// A Handlungsfeld with the rows of its indicators.
#[derive(Serialize)]
pub struct FieldRows {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The indicators shown (on the start page: the core indicators).
    pub rows: Vec<IndicatorRow>,
}

/// The start page: Handlungsfelder with their core indicators.
#[derive(Serialize)]
pub struct IndexView {
    /// The whole city's name.
    pub city: String,
    /// Handlungsfelder with their core indicators.
    pub fields: Vec<FieldRows>,
}

impl View for IndexView {
    const TEMPLATE: &'static str = "index.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        "Übersicht".into()
    }
    fn path(&self) -> String {
        "/index".into()
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let rows: Vec<IndicatorRow> = self.fields.iter().flat_map(|f| f.rows.clone()).collect();
        table_csv("kernindikatoren.csv".into(), &ROW_HEADER, &row_cells(&rows)).map(Some)
    }
}

/// Builds the start page.
pub fn index_view(st: &AppState) -> Result<IndexView, AppError> {
    let indicators = st.indicators()?;
    let core: Vec<&Indicator> = indicators.iter().filter(|i| i.core).collect();
    let all = rows(st, &core)?;
    let fields = st
        .action_fields()?
        .iter()
        .map(|f| FieldRows {
            code: f.code.clone(),
            name: f.name.clone(),
            rows: all
                .iter()
                .filter(|r| r.action_field.as_deref() == Some(f.code.as_str()))
                .cloned()
                .collect(),
        })
        .collect();
    Ok(IndexView {
        city: city_name(st)?,
        fields,
    })
}

/// A Handlungsfeld with all its indicators.
#[derive(Serialize)]
pub struct FieldView {
    /// The Handlungsfeld.
    pub field: ActionField,
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
pub fn field_view(st: &AppState, code: &str) -> Result<FieldView, AppError> {
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
    Ok(FieldView {
        rows: rows(st, &inds)?,
        field,
    })
}

/// All indicators.
#[derive(Serialize)]
pub struct IndicatorsView {
    /// One row per indicator.
    pub rows: Vec<IndicatorRow>,
}

impl View for IndicatorsView {
    const TEMPLATE: &'static str = "indicators.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        "Alle Indikatoren".into()
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
pub fn indicators_view(st: &AppState) -> Result<IndicatorsView, AppError> {
    let indicators = st.indicators()?;
    let all: Vec<&Indicator> = indicators.iter().collect();
    Ok(IndicatorsView {
        rows: rows(st, &all)?,
    })
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
