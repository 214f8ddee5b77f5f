//! The Stadtteil pages: the list of all Stadtteile, and one Stadtteil's profile — population, the
//! core indicators against the city with rank and status × dynamics class, its open warnings and
//! small charts of its series — each a view with HTML, JSON and CSV twins.

use crate::Scope;
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_model::lang::{t, tf};
use kimo_model::{Area, Breakdown, Indicator, Observation, Period, Polarity, Unit};
use kimo_monitor::checks::Point as MonitorPoint;
use kimo_monitor::{Names, SeriesMap};
use kimo_store::{ObservationFilter, WarningFilter};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The whole-city totals of every indicator for the city and its Stadtteile, kept per data version.
pub(crate) struct Totals {
    city: Area,
    stadtteile: Vec<Area>,
    /// (indicator, area) → observations sorted by period.
    series: HashMap<(String, String), Vec<Observation>>,
}

impl Totals {
    /// The series of an indicator in an area (empty when there is none).
    pub(crate) fn of(&self, indicator: &str, area: &str) -> &[Observation] {
        self.series
            .get(&(indicator.to_string(), area.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The latest observation with a value (on the time axis: no labelled period).
    fn latest(&self, indicator: &str, area: &str) -> Option<&Observation> {
        self.of(indicator, area)
            .iter()
            .rev()
            .find(|o| o.value.is_some() && !o.period.is_label())
    }

    /// The value in a period.
    fn at(&self, indicator: &str, area: &str, period: Period) -> Option<f64> {
        self.of(indicator, area)
            .iter()
            .find(|o| o.period == period)
            .and_then(|o| o.value)
    }

    /// An indicator's series in the monitor's form, for the status × dynamics classification.
    fn series_map(&self, indicator: &str) -> SeriesMap {
        std::iter::once(&self.city)
            .chain(&self.stadtteile)
            .map(|a| {
                let points = self
                    .of(indicator, &a.code)
                    .iter()
                    .map(|o| MonitorPoint {
                        period: o.period.clone(),
                        value: o.value,
                        brk: o.flags.break_in_series,
                    })
                    .collect();
                ((a.code.clone(), Breakdown::total()), points)
            })
            .collect()
    }
}

/// Reads the totals of the city and its Stadtteile once per data version and audience (the
/// public's without secret cells and embargoed periods).
pub(crate) fn totals(st: &Scope) -> Result<Arc<Totals>, AppError> {
    st.cached(&format!("area-totals:{}", st.audience.key()), || {
        let areas = st.areas()?;
        let city = kimo_model::whole_city(&areas).cloned().unwrap_or_default();
        let stadtteile: Vec<Area> = kimo_model::children_of(&areas, &city.code)
            .into_iter()
            .map(|a| Area {
                geometry: None,
                ..a.clone()
            })
            .collect();
        let obs = st.observations(&ObservationFilter {
            areas: std::iter::once(city.code.clone())
                .chain(stadtteile.iter().map(|a| a.code.clone()))
                .collect(),
            total_only: true,
            ..Default::default()
        })?;
        let mut series: HashMap<(String, String), Vec<Observation>> = HashMap::new();
        for o in obs {
            series
                .entry((o.indicator.clone(), o.area.clone()))
                .or_default()
                .push(o);
        }
        for s in series.values_mut() {
            s.sort_by_key(|o| o.period.clone());
        }
        Ok(Totals {
            city: Area {
                geometry: None,
                ..city
            },
            stadtteile,
            series,
        })
    })
}

/// The indicator holding the population: the status rule's, or the default.
fn population_indicator(st: &Scope) -> Result<String, AppError> {
    let rules = st.rules()?;
    Ok(st
        .indicators()?
        .iter()
        .find_map(|i| rules.status_rule(i))
        .map_or(
            kimo_monitor::rules::DEFAULT_POPULATION_INDICATOR.to_string(),
            |p| p.population_indicator,
        ))
}

/// A Stadtteil's population: the latest total of the population indicator.
#[derive(Serialize, Clone)]
pub struct Population {
    /// Inhabitants.
    pub value: f64,
    /// Inhabitants in German notation.
    pub text: String,
    /// The period (label).
    pub period: String,
}

/// The latest population of an area, if known.
fn population(t: &Totals, indicator: &str, area: &str) -> Option<Population> {
    let o = t.latest(indicator, area)?;
    let value = o.value?;
    Some(Population {
        value,
        text: kimo_model::format_number(value, 0),
        period: o.period.label(),
    })
}

/// One Stadtteil in the list.
#[derive(Serialize)]
pub struct AreaListRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Latest population.
    pub population: Option<Population>,
    /// Number of open warnings (internal: none for the public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<usize>,
}

/// All Stadtteile.
#[derive(Serialize)]
pub struct AreaListView {
    /// The whole city's name.
    pub city: String,
    /// One row per Stadtteil.
    pub areas: Vec<AreaListRow>,
}

impl View for AreaListView {
    const TEMPLATE: &'static str = "stadtteile.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        t("Stadtteile").into()
    }
    fn path(&self) -> String {
        "/stadtteile".into()
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        // The warnings column only for those who see warnings (never for the public).
        let internal = self.areas.iter().any(|a| a.warnings.is_some());
        let rows: Vec<Vec<String>> = self
            .areas
            .iter()
            .map(|a| {
                let mut row = vec![
                    a.code.clone(),
                    a.name.clone(),
                    a.population.as_ref().map_or("–".into(), |p| p.text.clone()),
                    a.population
                        .as_ref()
                        .map_or("–".into(), |p| p.period.clone()),
                ];
                row.extend(a.warnings.map(|n| n.to_string()));
                row
            })
            .collect();
        let header = [
            "Code",
            "Stadtteil",
            "Einwohner",
            "Zeitraum",
            "Offene Warnhinweise",
        ];
        let header = &header[..if internal { 5 } else { 4 }];
        table_csv("stadtteile.csv".into(), header, &rows).map(Some)
    }
}

/// Builds the list of Stadtteile.
pub fn list_view(st: &Scope) -> Result<AreaListView, AppError> {
    let t = totals(st)?;
    let pop = population_indicator(st)?;
    let mut open: HashMap<String, usize> = HashMap::new();
    // Warnings are internal.
    if st.internal() {
        for w in st.store.warnings(&WarningFilter::default())? {
            *open.entry(w.area).or_default() += 1;
        }
    }
    Ok(AreaListView {
        city: t.city.name.clone(),
        areas: t
            .stadtteile
            .iter()
            .map(|a| AreaListRow {
                code: a.code.clone(),
                name: a.name.clone(),
                population: population(&t, &pop, &a.code),
                warnings: st
                    .internal()
                    .then(|| open.get(&a.code).copied().unwrap_or(0)),
            })
            .collect(),
    })
}

/// A core indicator in a Stadtteil, against the city.
#[derive(Serialize)]
pub struct AreaIndicator {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Name of the Handlungsfeld.
    pub field: String,
    /// Unit.
    pub unit: Unit,
    /// The period compared (label), the Stadtteil's latest with a value.
    pub period: Option<String>,
    /// The Stadtteil's value.
    pub value: Option<f64>,
    /// The Stadtteil's value with unit.
    pub value_text: String,
    /// The city's value in the same period.
    pub city_value: Option<f64>,
    /// The city's value with unit.
    pub city_value_text: String,
    /// Stadtteil minus city (for counts: none).
    pub difference: Option<f64>,
    /// The comparison in words (`2,5 Prozentpunkte über der Gesamtstadt`; for counts the share of the city).
    pub comparison: String,
    /// Rank among the Stadtteile with a value, 1 = most favourable; none for neutral indicators.
    pub rank: Option<usize>,
    /// Number of Stadtteile ranked.
    pub ranked: usize,
    /// The rank in words (`Rang 5 von 27`, or `ohne Rangfolge (neutral)`).
    pub rank_text: String,
    /// Status class under the status × dynamics rule, if it classifies this Stadtteil.
    pub status: Option<&'static str>,
    /// Dynamics class, if known.
    pub dynamics: Option<&'static str>,
    /// The series: the Stadtteil's and the city's values per period.
    pub series: Vec<SeriesPoint>,
}

/// One period of a Stadtteil's series beside the city's.
#[derive(Serialize)]
pub struct SeriesPoint {
    /// Period (code).
    pub period: String,
    /// Period (label).
    pub label: String,
    /// The Stadtteil's value.
    pub value: Option<f64>,
    /// The Stadtteil's value in German notation (no unit).
    pub value_text: String,
    /// The city's value.
    pub city_value: Option<f64>,
    /// The city's value in German notation (no unit).
    pub city_value_text: String,
    /// Axis position and short label, for the chart; None for a labelled period, which has no
    /// place on the time axis (it stays in the table).
    #[serde(skip)]
    axis: Option<(f64, String)>,
}

/// An open warning of the Stadtteil.
#[derive(Serialize)]
pub struct AreaWarning {
    /// Number.
    pub id: i64,
    /// Indicator code.
    pub indicator: String,
    /// Indicator name.
    pub indicator_name: String,
    /// Severity code.
    pub severity: String,
    /// The sentence.
    pub sentence: String,
    /// The indicator page showing the warning's series.
    pub link: String,
}

/// One Stadtteil's profile.
#[derive(Serialize)]
pub struct AreaView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The whole city's name.
    pub city: String,
    /// Latest population.
    pub population: Option<Population>,
    /// Number of Stadtteile.
    pub count: usize,
    /// The core indicators against the city.
    pub indicators: Vec<AreaIndicator>,
    /// Open warnings (internal; left out for the public).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<AreaWarning>>,
}

impl View for AreaView {
    const TEMPLATE: &'static str = "stadtteil.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        format!("{} {}", t("Stadtteil"), self.name)
    }
    fn path(&self) -> String {
        format!("/stadtteile/{}", self.code)
    }
    fn html_extra(&self, _st: &Scope) -> Result<minijinja::Value, AppError> {
        let charts: BTreeMap<String, minijinja::Value> = self
            .indicators
            .iter()
            .map(|i| {
                let svg = small_chart(i, &self.name, &self.city);
                (i.code.clone(), minijinja::Value::from_safe_string(svg))
            })
            .collect();
        Ok(minijinja::Value::from(charts))
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let rows: Vec<Vec<String>> = self
            .indicators
            .iter()
            .map(|i| {
                vec![
                    i.code.clone(),
                    i.name.clone(),
                    i.period.clone().unwrap_or_default(),
                    i.value_text.clone(),
                    i.city_value_text.clone(),
                    i.comparison.clone(),
                    i.rank_text.clone(),
                    i.status.unwrap_or("–").into(),
                    i.dynamics.unwrap_or("–").into(),
                ]
            })
            .collect();
        let header = [
            "Code",
            "Indikator",
            "Zeitraum",
            "Wert",
            "Gesamtstadt",
            "Vergleich",
            "Rang",
            "Status",
            "Dynamik",
        ];
        table_csv(format!("stadtteil-{}.csv", self.code), &header, &rows).map(Some)
    }
}

/// The small line chart of one indicator: the Stadtteil and the city over time. The only use of
/// the chart crate here, so a change of its interface is adapted in one place.
fn small_chart(i: &AreaIndicator, area: &str, city: &str) -> String {
    let line = |label: &str, emphasis: bool, pick: &dyn Fn(&SeriesPoint) -> Option<f64>| {
        kimo_chart::Series {
            label: label.to_string(),
            emphasis,
            points: i
                .series
                .iter()
                .filter_map(|p| p.axis.as_ref().map(|(x, l)| (*x, l.clone(), pick(p))))
                .collect(),
        }
    };
    let series = [
        line(area, true, &|p| p.value),
        line(city, false, &|p| p.city_value),
    ];
    // Laid out narrow: small multiples stand side by side, and text stays readable at phone width.
    let frame = kimo_chart::Frame {
        id: format!("verlauf-{}", i.code),
        title: i.name.clone(),
        subtitle: tf("{} und {} im Zeitverlauf", &[area, city]),
        desc: tf(
            "Liniendiagramm {} in {} ({}) und {} ({}), {}.",
            &[
                &i.name,
                area,
                &i.value_text,
                city,
                &i.city_value_text,
                i.period.as_deref().unwrap_or("–"),
            ],
        ),
        footer: tf("Datenstand: {}", &[i.period.as_deref().unwrap_or("–")]),
        width: kimo_chart::NARROW,
    };
    kimo_chart::line_chart(&frame, &i.unit, &series)
}

/// The rank of `value` among `values` (1 = most favourable under the polarity); none when neutral.
fn rank(polarity: Polarity, value: f64, values: &[f64]) -> Option<usize> {
    let better = |x: f64| match polarity {
        Polarity::HigherBetter => x > value,
        Polarity::LowerBetter => x < value,
        Polarity::Neutral => false,
    };
    (polarity != Polarity::Neutral).then(|| 1 + values.iter().filter(|x| better(**x)).count())
}

/// The comparison with the city in words; for counts the Stadtteil's share of the city.
fn comparison(ind: &Indicator, value: Option<f64>, city: Option<f64>) -> (Option<f64>, String) {
    let (Some(v), Some(c)) = (value, city) else {
        return (None, "–".into());
    };
    if ind.unit.is_count() {
        let share = if c > 0.0 { 100.0 * v / c } else { 0.0 };
        let text = tf(
            "{} % der Gesamtstadt",
            &[&kimo_model::format_number(share, 1)],
        );
        return (None, text);
    }
    let d = v - c;
    let text = if d.abs() < ind.unit.resolution() {
        t("wie die Gesamtstadt").to_string()
    } else {
        let side = if d > 0.0 {
            "{} über der Gesamtstadt"
        } else {
            "{} unter der Gesamtstadt"
        };
        tf(side, &[&ind.unit.difference_words(d)])
    };
    (Some(d), text)
}

/// The Stadtteil's status and dynamics class of an indicator under the status rule in force.
fn class_of(
    st: &Scope,
    t: &Totals,
    ind: &Indicator,
    area: &str,
) -> Result<(Option<&'static str>, Option<&'static str>), AppError> {
    let Some(params) = st.rules()?.status_rule(ind) else {
        return Ok((None, None));
    };
    let names = Names {
        areas: std::iter::once(&t.city)
            .chain(&t.stadtteile)
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        city: t.city.code.clone(),
        children: t.stadtteile.iter().map(|a| a.code.clone()).collect(),
        ..Default::default()
    };
    let population = t.series_map(&params.population_indicator);
    let pop = population
        .values()
        .any(|s| !s.is_empty())
        .then_some(&population);
    let series = t.series_map(&ind.code);
    let found = kimo_monitor::classify_areas(ind, &series, &names, pop, &params)
        .and_then(|(_, class, _)| class.areas.into_iter().find(|c| c.area == area));
    Ok(match found {
        Some(c) => (Some(c.status.label()), c.dynamics.map(|d| d.label())),
        None => (None, None),
    })
}

/// One core indicator of the Stadtteil against the city.
fn area_indicator(
    st: &Scope,
    t: &Totals,
    ind: &Indicator,
    field: String,
    area: &str,
) -> Result<AreaIndicator, AppError> {
    let latest = t.latest(&ind.code, area);
    let period = latest.map(|o| o.period.clone());
    let value = latest.and_then(|o| o.value);
    let city_value = period
        .clone()
        .and_then(|p| t.at(&ind.code, &t.city.code, p));
    let others: Vec<f64> = period.clone().map_or_else(Vec::new, |p| {
        t.stadtteile
            .iter()
            .filter_map(|a| t.at(&ind.code, &a.code, p.clone()))
            .collect()
    });
    let rank = value.and_then(|v| rank(ind.polarity, v, &others));
    let rank_text = match (rank, ind.polarity) {
        (_, Polarity::Neutral) => kimo_model::lang::t("ohne Rangfolge (neutral)").to_string(),
        (Some(r), _) => tf(
            "Rang {} von {}",
            &[&r.to_string(), &others.len().to_string()],
        ),
        (None, _) => "–".to_string(),
    };
    let (difference, comparison) = comparison(ind, value, city_value);
    let (status, dynamics) = class_of(st, t, ind, area)?;
    Ok(AreaIndicator {
        code: ind.code.clone(),
        name: ind.name.clone(),
        field,
        unit: ind.unit.clone(),
        period: period.map(|p| p.label()),
        value_text: ind.unit.format(value),
        value,
        city_value_text: ind.unit.format(city_value),
        city_value,
        difference,
        comparison,
        rank,
        ranked: others.len(),
        rank_text,
        status,
        dynamics,
        series: series_points(t, ind, area),
    })
}

/// The Stadtteil's and the city's values per period in which either has one.
fn series_points(t: &Totals, ind: &Indicator, area: &str) -> Vec<SeriesPoint> {
    let mut periods: Vec<Period> = t
        .of(&ind.code, area)
        .iter()
        .chain(t.of(&ind.code, &t.city.code))
        .map(|o| o.period.clone())
        .collect();
    periods.sort();
    periods.dedup();
    periods
        .into_iter()
        .map(|p| {
            let value = t.at(&ind.code, area, p.clone());
            let city_value = t.at(&ind.code, &t.city.code, p.clone());
            SeriesPoint {
                period: p.code(),
                label: p.label(),
                value_text: ind.unit.bare(value),
                value,
                city_value_text: ind.unit.bare(city_value),
                city_value,
                axis: p.axis().map(|x| (x, p.short_label())),
            }
        })
        .collect()
}

/// Builds a Stadtteil's profile; an unknown code is a 404.
pub fn area_view(st: &Scope, code: &str) -> Result<AreaView, AppError> {
    let t = totals(st)?;
    let area = t
        .stadtteile
        .iter()
        .find(|a| a.code == code)
        .ok_or_else(|| AppError::NotFound(format!("Den Stadtteil '{code}' gibt es nicht.")))?;
    let fields = st.action_fields()?;
    let field_name = |i: &Indicator| {
        fields
            .iter()
            .find(|f| Some(&f.code) == i.action_field.as_ref())
            .map_or(String::new(), |f| f.name.clone())
    };
    // In the order of the Handlungsfelder, as on the start page.
    let all = st.indicators()?;
    let mut core: Vec<&Indicator> = all.iter().filter(|i| i.core).collect();
    core.sort_by_key(|i| {
        fields
            .iter()
            .position(|f| Some(&f.code) == i.action_field.as_ref())
            .unwrap_or(usize::MAX)
    });
    let mut indicators = Vec::new();
    for ind in core {
        indicators.push(area_indicator(st, &t, ind, field_name(ind), code)?);
    }
    // Warnings are internal: the public's answer has no such field.
    let warnings = match st.internal() {
        true => Some(st.store.warnings(&WarningFilter {
            area: Some(code.to_string()),
            ..Default::default()
        })?),
        false => None,
    };
    let warnings = warnings.map(|ws| {
        ws.iter()
            .map(|w| AreaWarning {
                id: w.id,
                indicator: w.indicator.clone(),
                indicator_name: w.indicator_name.clone(),
                severity: w.severity.clone(),
                sentence: w.sentence.clone(),
                link: super::lagebild::series_link(w),
            })
            .collect()
    });
    Ok(AreaView {
        code: area.code.clone(),
        name: area.name.clone(),
        city: t.city.name.clone(),
        population: population(&t, &population_indicator(st)?, code),
        count: t.stadtteile.len(),
        indicators,
        warnings,
    })
}

/// Answers the list of Stadtteile in a format.
async fn list_in(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/stadtteile", format, || {
            respond(st, &list_view(st)?, format, None)
        })
    })
    .await
}

/// `GET /stadtteile`.
pub async fn list(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    list_in(st, Format::Html).await
}

/// `GET /stadtteile.json`.
pub async fn list_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    list_in(st, Format::Json).await
}

/// `GET /stadtteile.csv`.
pub async fn list_csv(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    list_in(st, Format::Csv).await
}

/// `GET /stadtteile/{code}` (also `.json`, `.csv`).
pub async fn page(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let (code, format) = Format::split(&segment);
        st.page(&format!("/stadtteile/{code}"), format, || {
            respond(st, &area_view(st, code)?, format, None)
        })
    })
    .await
}
