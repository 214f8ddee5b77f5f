//! The indicator page: a line chart over time (the city, compared Stadtteile or the groups of a
//! breakdown), the Stadtteile in one period as bars and map, the tables and the metadata. Three
//! phases: the query is checked against what exists (`select`), the view is built from the store
//! (`build`), and the HTML adds the charts (`charts`).

pub(crate) mod charts;

pub use charts::download;

use crate::Scope;
use crate::params::{Params, given, number};
use crate::respond::{Download, Format, View, respond};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_model::lang::{t, tf};
use kimo_model::{Area, Breakdown, Category, Dimension, Indicator, Observation, Period};
use kimo_store::{ObservationFilter, Profile, Warning};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The most areas compared in one chart.
const MAX_COMPARED: usize = 7;

/// The query of the indicator page.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndicatorQuery {
    /// Main area (code).
    pub gebiet: Option<String>,
    /// Breakdown dimension (code).
    pub merkmal: Option<String>,
    /// Group of the breakdown (category code) shown by the map, the bars and the Stadtteil table.
    pub gruppe: Option<String>,
    /// Areas to compare (codes, repeatable).
    pub vergleich: Vec<String>,
    /// Period for the map and bars (any spelling kimo reads).
    pub zeitraum: Option<String>,
    /// The warning whose series is highlighted (number).
    pub warnung: Option<String>,
    /// `csv` for the CSV of what is shown (older links; `.csv` is the same).
    pub format: Option<String>,
}

/// What the query chose, checked against what exists.
struct Selection {
    main: String,
    dimension: Option<Dimension>,
    group: Option<Category>,
    compare: Vec<String>,
    period: Option<Period>,
    warning: Option<Warning>,
}

impl Selection {
    /// The breakdown of the map, the bars and the Stadtteil table: the chosen group, or the total.
    fn group_breakdown(&self) -> Breakdown {
        match (&self.dimension, &self.group) {
            (Some(d), Some(c)) => Breakdown::of(&[(d.code.as_str(), c.code.as_str())]),
            _ => Breakdown::total(),
        }
    }
}

/// The indicator's metadata as shown.
#[derive(Serialize)]
pub struct Meta {
    /// The indicator as stored.
    #[serde(flatten)]
    pub indicator: Indicator,
    /// Polarity in words.
    pub polarity_label: &'static str,
    /// Periodicity in words.
    pub periodicity_label: &'static str,
    /// The denominator, empty for counts.
    pub denominator_shown: String,
}

/// A choice in a select or checkbox list.
#[derive(Serialize)]
pub struct Opt {
    /// Code sent back.
    pub code: String,
    /// Label shown.
    pub label: String,
    /// Whether it is chosen.
    pub selected: bool,
}

/// One value of a line.
#[derive(Serialize)]
pub struct Point {
    /// Value (none when missing or withheld).
    pub value: Option<f64>,
    /// Value in German notation, as in the table.
    pub value_text: String,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Flags in words.
    pub flags: Vec<&'static str>,
}

/// A line of the chart: an area's total or a group of the main area.
#[derive(Serialize)]
pub struct Line {
    /// Legend label.
    pub label: String,
    /// Area code.
    pub area: String,
    /// Breakdown (empty = total).
    pub breakdown: Breakdown,
    /// Drawn thick.
    pub emphasis: bool,
    /// One point per period of `periods`, in the same order.
    pub points: Vec<Point>,
}

/// A Stadtteil (or the city) in the chosen period.
#[derive(Serialize)]
pub struct AreaRow {
    /// Area code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Whether this is the whole city.
    pub city: bool,
    /// Value.
    pub value: Option<f64>,
    /// Value in German notation.
    pub value_text: String,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Numerator in German notation.
    pub numerator_text: String,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Denominator in German notation.
    pub denominator_text: String,
    /// Flags in words.
    pub flags: Vec<&'static str>,
}

/// The warning whose series is shown.
#[derive(Serialize)]
pub struct WarningNote {
    /// Number.
    pub id: i64,
    /// The sentence.
    pub sentence: String,
    /// Status in words.
    pub status: String,
    /// Severity.
    pub severity: String,
}

/// A period (code and label).
#[derive(Serialize, Clone)]
pub struct PeriodRef {
    /// Canonical code.
    pub code: String,
    /// German label.
    pub label: String,
}

/// The indicator page.
#[derive(Serialize)]
pub struct IndicatorView {
    /// Metadata.
    pub indicator: Meta,
    /// The headline figure of the chosen area: latest value, change, Datenstand, goals.
    pub headline: super::overview::Headline,
    /// The Handlungsfeld (code and name).
    pub field: Option<kimo_model::ActionField>,
    /// Chosen main area.
    pub area: String,
    /// The main area's name.
    pub area_name: String,
    /// Chosen breakdown dimension.
    pub dimension: Option<String>,
    /// The chosen dimension's name.
    pub dimension_label: Option<String>,
    /// Chosen group of the breakdown (category code) shown by the map, bars and Stadtteil table.
    pub group: Option<String>,
    /// The chosen group's name.
    pub group_label: Option<String>,
    /// Chosen comparison areas.
    pub compare: Vec<String>,
    /// The period of the map and bars.
    pub period: Option<PeriodRef>,
    /// All periods with values, oldest first (the points of every line follow this order).
    pub periods: Vec<PeriodRef>,
    /// The lines of the chart.
    pub lines: Vec<Line>,
    /// The city and its Stadtteile in `period`.
    pub areas: Vec<AreaRow>,
    /// The chart's text alternative.
    pub line_caption: String,
    /// The map's and bars' text alternative.
    pub map_caption: String,
    /// The warning whose series is highlighted.
    pub warning: Option<WarningNote>,
    /// When the indicator's values were last written (German date).
    pub last_update: String,
    /// Whether synthetic values are shown.
    pub shows_demo: bool,
    /// The legend of „.“ when a secret value is shown (Zeichenerklärung).
    pub secret_legend: Option<String>,
    /// Choices of the form.
    pub options: Options,
    /// The observations shown (for the CSV).
    #[serde(skip)]
    shown: Vec<Observation>,
    /// `periods` as values (for the chart's axis).
    #[serde(skip)]
    period_values: Vec<Period>,
}

/// The choices of the form.
#[derive(Serialize)]
pub struct Options {
    /// Main area choices.
    pub areas: Vec<Opt>,
    /// Comparison choices (Stadtteile).
    pub compare: Vec<Opt>,
    /// Breakdown choices.
    pub dimensions: Vec<Opt>,
    /// Group choices (categories of the chosen breakdown; empty without one).
    pub groups: Vec<Opt>,
    /// Period choices, newest first.
    pub periods: Vec<Opt>,
}

impl View for IndicatorView {
    const TEMPLATE: &'static str = "indicator.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        self.indicator.indicator.name.clone()
    }
    fn path(&self) -> String {
        format!("/indikatoren/{}", self.indicator.indicator.code)
    }
    fn html_extra(&self, st: &Scope) -> Result<minijinja::Value, AppError> {
        charts::html(st, self)
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let mut bytes = Vec::new();
        kimo_import::export::write_long(
            &mut bytes,
            &self.shown,
            &kimo_import::export::used_dimensions(&self.shown),
            kimo_import::export::CsvStyle::GermanExcel,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Some(Download {
            filename: format!("{}.csv", self.indicator.indicator.code),
            bytes,
        }))
    }
}

/// `GET /indikatoren/{code}` (also `.json`, `.csv`).
pub async fn page(
    State(st): State<Arc<AppState>>,
    Path(segment): Path<String>,
    Params { value: q, raw }: Params<IndicatorQuery>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let (code, mut format) = Format::split(&segment);
        if given(&q.format) == Some("csv") {
            format = Format::Csv;
        }
        let key = format!("/indikatoren/{code}?{}", raw.as_deref().unwrap_or(""));
        st.page(&key, format, || {
            let view = build(st, code, &q)?;
            respond(st, &view, format, raw.as_deref())
        })
    })
    .await
}

/// Builds the view of an indicator for a query.
pub fn build(st: &Scope, code: &str, q: &IndicatorQuery) -> Result<IndicatorView, AppError> {
    let ind = st.indicator(code)?;
    let areas = st.areas()?;
    let profile = st.profile(&ind)?;
    // The profile's cells are sorted by period.
    let mut periods: Vec<Period> = profile.cells.iter().map(|c| c.0.clone()).collect();
    periods.dedup();
    let sel = select(st, &ind, &areas, &profile, &periods, q)?;
    let city = kimo_model::whole_city(&areas).cloned().unwrap_or_default();
    let stadtteile = kimo_model::children_of(&areas, &city.code);
    let obs = read(st, &ind, &sel, &city, &stadtteile)?;
    let index: BTreeMap<(&str, String, Period), &Observation> = obs
        .iter()
        .map(|o| ((o.area.as_str(), o.breakdown.key(), o.period.clone()), o))
        .collect();
    let name_of = |c: &str| {
        areas
            .iter()
            .find(|a| a.code == c)
            .map_or(c.to_string(), |a| a.name.clone())
    };
    let lines = lines(&ind, &sel, &obs, &periods, &index, &name_of);
    let area_rows = area_rows(&ind, &sel, &city, &stadtteile, &index);
    let group = sel.group_breakdown().key();
    let shown = shown(
        &lines,
        &area_rows,
        &periods,
        (sel.period.as_ref(), &group),
        &index,
    );
    let field = match &ind.action_field {
        Some(f) => st.action_fields()?.iter().find(|x| &x.code == f).cloned(),
        None => None,
    };
    let options = options(&sel, &city, &stadtteile, &profile, &periods, st)?;
    let headline = super::overview::headline_for(st, &ind, &sel.main, sel.main == city.code)?;
    Ok(IndicatorView {
        headline,
        line_caption: line_caption(&ind, &lines, &periods),
        map_caption: map_caption(&ind, &sel, &area_rows),
        indicator: Meta {
            polarity_label: ind.polarity.label(),
            periodicity_label: ind.periodicity.label(),
            denominator_shown: if ind.is_count() {
                String::new()
            } else {
                ind.denominator.clone()
            },
            indicator: ind.clone(),
        },
        field,
        area: sel.main.clone(),
        area_name: name_of(&sel.main),
        dimension: sel.dimension.as_ref().map(|d| d.code.clone()),
        dimension_label: sel.dimension.as_ref().map(|d| d.name.clone()),
        group: sel.group.as_ref().map(|c| c.code.clone()),
        group_label: sel.group.as_ref().map(|c| c.name.clone()),
        compare: sel.compare.clone(),
        period: sel.period.map(period_ref),
        periods: periods.iter().cloned().map(period_ref).collect(),
        warning: sel.warning.as_ref().map(|w| WarningNote {
            id: w.id,
            sentence: w.sentence.clone(),
            status: w.status.label().to_string(),
            severity: w.severity.clone(),
        }),
        last_update: profile
            .last_update
            .as_deref()
            .map_or("–".into(), crate::format::local_date),
        shows_demo: shown.iter().any(|o| o.flags.synthetic),
        secret_legend: secret_legend(&shown),
        lines,
        areas: area_rows,
        options,
        shown,
        period_values: periods,
    })
}

/// The observations the page shows (lines and the Stadtteil table), each once, in key order.
fn shown(
    lines: &[Line],
    rows: &[AreaRow],
    periods: &[Period],
    (period, group): (Option<&Period>, &str),
    index: &Index,
) -> Vec<Observation> {
    let on_lines = lines.iter().flat_map(|l| {
        periods
            .iter()
            .filter_map(move |p| index.get(&(l.area.as_str(), l.breakdown.key(), p.clone())))
    });
    let in_table = rows.iter().filter_map(|r| {
        period.and_then(|p| index.get(&(r.code.as_str(), group.to_string(), p.clone())))
    });
    let mut shown: Vec<Observation> = on_lines.chain(in_table).map(|o| (*o).clone()).collect();
    shown.sort_by(|a, b| {
        (&a.area, a.breakdown.key(), &a.period).cmp(&(&b.area, b.breakdown.key(), &b.period))
    });
    shown.dedup_by(|a, b| a.area == b.area && a.breakdown == b.breakdown && a.period == b.period);
    shown
}

fn period_ref(p: Period) -> PeriodRef {
    PeriodRef {
        code: p.code(),
        label: p.label(),
    }
}

/// Checks the query against the areas, breakdowns, periods and warnings that exist: anything
/// unknown is a 400 naming it, never a silent fallback.
fn select(
    st: &Scope,
    ind: &Indicator,
    areas: &[Area],
    profile: &Profile,
    periods: &[Period],
    q: &IndicatorQuery,
) -> Result<Selection, AppError> {
    let known = |c: &str| areas.iter().any(|a| a.code == c);
    let unknown_area = |c: &str| AppError::BadRequest(format!("Das Gebiet '{c}' gibt es nicht."));
    let city = kimo_model::whole_city(areas).map_or(String::new(), |a| a.code.clone());
    let main = match given(&q.gebiet) {
        Some(a) if !known(a) => return Err(unknown_area(a)),
        Some(a) => a.to_string(),
        None => city,
    };
    let mut compare = Vec::new();
    for c in q
        .vergleich
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        if !known(c) {
            return Err(unknown_area(c));
        }
        if c != main && !compare.iter().any(|x| x == c) && compare.len() < MAX_COMPARED {
            compare.push(c.to_string());
        }
    }
    let dimension = match given(&q.merkmal) {
        Some(d) => Some(dimension_of(st, ind, profile, d)?),
        None => None,
    };
    let group = group_of(dimension.as_ref(), &q.gruppe)?;
    let period = match given(&q.zeitraum) {
        Some(p) => Some(period_of(ind, periods, p)?),
        None => default_period(profile)
            .or_else(|| periods.iter().rev().find(|p| !p.is_label()).cloned())
            .or_else(|| periods.last().cloned()),
    };
    let warning = match number("warnung", &q.warnung)? {
        Some(id) => Some(warning_of(st, ind, id)?),
        None => None,
    };
    Ok(Selection {
        main,
        dimension,
        group,
        compare,
        period,
        warning,
    })
}

/// A group (category) of the chosen breakdown; a group without a breakdown, or one the breakdown
/// does not have, is a 400.
fn group_of(
    dimension: Option<&Dimension>,
    gruppe: &Option<String>,
) -> Result<Option<Category>, AppError> {
    let Some(code) = given(gruppe).filter(|g| *g != "insgesamt") else {
        return Ok(None);
    };
    let Some(d) = dimension else {
        return Err(AppError::BadRequest(format!(
            "Die Gruppe '{code}' setzt eine Gliederung voraus (Parameter 'merkmal')."
        )));
    };
    d.categories
        .iter()
        .find(|c| c.code == code)
        .cloned()
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "Die Gruppe '{code}' gibt es in der Gliederung „{}“ nicht.",
                d.name
            ))
        })
}

/// A breakdown dimension the indicator has values for.
fn dimension_of(
    st: &Scope,
    ind: &Indicator,
    profile: &Profile,
    code: &str,
) -> Result<Dimension, AppError> {
    let used = profile.cells.iter().any(|c| c.1.get(code).is_some());
    st.dimensions()?
        .iter()
        .find(|d| d.code == code && used)
        .cloned()
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "Die Gliederung '{code}' gibt es für „{}“ nicht.",
                ind.name
            ))
        })
}

/// A period given in any spelling, or a labelled period of the indicator, which must have values.
fn period_of(ind: &Indicator, periods: &[Period], text: &str) -> Result<Period, AppError> {
    let p = Period::parse(text).or_else(|e| {
        let label = Period::parse_or_label(text).map_err(|_| e.clone())?;
        periods.contains(&label).then_some(label).ok_or(e)
    });
    let p = p.map_err(|e| AppError::BadRequest(e.to_string()))?;
    if periods.contains(&p) {
        Ok(p)
    } else {
        Err(AppError::BadRequest(format!(
            "Für „{}“ gibt es keine Werte für den Zeitraum {}.",
            ind.name,
            p.label()
        )))
    }
}

/// The default period of the map: the latest with values below the whole city (a labelled period
/// only when asked for).
fn default_period(profile: &Profile) -> Option<Period> {
    profile
        .cells
        .iter()
        .filter(|c| c.1.is_total() && c.2 > 1 && !c.0.is_label())
        .map(|c| c.0.clone())
        .max()
}

/// A warning of this indicator.
fn warning_of(st: &Scope, ind: &Indicator, id: i64) -> Result<Warning, AppError> {
    // Warnings are internal: for the public none exists.
    let found = match st.internal() {
        true => st.store.warning(id)?,
        false => None,
    };
    found
        .map(|(w, _)| w)
        .filter(|w| w.indicator == ind.code)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "Einen Warnhinweis Nr. {id} zu „{}“ gibt es nicht.",
                ind.name
            ))
        })
}

/// Two targeted reads: the lines' areas over time, and the city with its Stadtteile in one period.
fn read(
    st: &Scope,
    ind: &Indicator,
    sel: &Selection,
    city: &Area,
    stadtteile: &[&Area],
) -> Result<Vec<Observation>, AppError> {
    let mut obs = st.observations(&ObservationFilter {
        indicator: Some(ind.code.clone()),
        areas: std::iter::once(sel.main.clone())
            .chain(sel.compare.iter().cloned())
            .collect(),
        total_only: sel.dimension.is_none(),
        ..Default::default()
    })?;
    if let Some(p) = &sel.period {
        // Named areas, so that the lookup uses the (indicator, area, breakdown, period) key.
        let categories = match (&sel.dimension, &sel.group) {
            (Some(d), Some(c)) => vec![(d.code.clone(), c.code.clone())],
            _ => Vec::new(),
        };
        obs.extend(
            st.observations(&ObservationFilter {
                indicator: Some(ind.code.clone()),
                period: Some(p.code()),
                areas: std::iter::once(city)
                    .chain(stadtteile.iter().copied())
                    .map(|a| a.code.clone())
                    .collect(),
                total_only: categories.is_empty(),
                categories,
                ..Default::default()
            })?,
        );
    }
    Ok(obs)
}

type Index<'a> = BTreeMap<(&'a str, String, Period), &'a Observation>;

/// The lines: the main area by the categories of the breakdown, or the main and compared areas.
fn lines(
    ind: &Indicator,
    sel: &Selection,
    obs: &[Observation],
    periods: &[Period],
    index: &Index,
    name_of: &dyn Fn(&str) -> String,
) -> Vec<Line> {
    let mut wanted: Vec<(String, String, Breakdown)> = Vec::new();
    match &sel.dimension {
        Some(d) => {
            let total = format!("{} insgesamt", name_of(&sel.main));
            wanted.push((total, sel.main.clone(), Breakdown::total()));
            for c in &d.categories {
                let b = Breakdown::of(&[(d.code.as_str(), c.code.as_str())]);
                if obs.iter().any(|o| o.area == sel.main && o.breakdown == b) {
                    wanted.push((format!("{}: {}", d.name, c.name), sel.main.clone(), b));
                }
            }
        }
        None => {
            for a in std::iter::once(&sel.main).chain(&sel.compare) {
                wanted.push((name_of(a), a.clone(), Breakdown::total()));
            }
        }
    }
    // A warning's series is drawn thick; without one, the first line is.
    let highlight = sel.warning.as_ref().map(|w| w.breakdown.clone());
    wanted
        .into_iter()
        .enumerate()
        .map(|(i, (label, area, breakdown))| Line {
            emphasis: match &highlight {
                Some(h) => &breakdown == h && area == sel.main,
                None => i == 0,
            },
            points: periods
                .iter()
                .map(|p| {
                    let o = index.get(&(area.as_str(), breakdown.key(), p.clone()));
                    let value = o.and_then(|o| o.value);
                    Point {
                        value,
                        value_text: shown_value(ind, o.copied()),
                        numerator: o.and_then(|o| o.numerator),
                        denominator: o.and_then(|o| o.denominator),
                        flags: o.map(|o| o.flags.labels()).unwrap_or_default(),
                    }
                })
                .collect(),
            label,
            area,
            breakdown,
        })
        .collect()
}

/// The legend of „.“ when a shown value is secret.
fn secret_legend(shown: &[Observation]) -> Option<String> {
    use kimo_model::disclosure::{LEGEND, SYMBOL};
    shown
        .iter()
        .any(|o| o.value.is_none() && o.flags.suppressed)
        .then(|| format!("„{SYMBOL}“ = {LEGEND}"))
}

/// A value as a table shows it: „.“ for a secret one (disclosure control), else the number or
/// „–“.
fn shown_value(ind: &Indicator, o: Option<&Observation>) -> String {
    match o {
        Some(o) if o.value.is_none() && o.flags.suppressed => {
            kimo_model::disclosure::SYMBOL.to_string()
        }
        _ => ind.unit.bare(o.and_then(|o| o.value)),
    }
}

/// The whole city and its Stadtteile in the chosen period.
fn area_rows(
    ind: &Indicator,
    sel: &Selection,
    city: &Area,
    stadtteile: &[&Area],
    index: &Index,
) -> Vec<AreaRow> {
    let count = |v: Option<f64>| v.map_or(String::new(), |v| kimo_model::format_number(v, 0));
    let group = sel.group_breakdown().key();
    std::iter::once(city)
        .chain(stadtteile.iter().copied())
        .map(|a| {
            let o = sel
                .period
                .clone()
                .and_then(|p| index.get(&(a.code.as_str(), group.clone(), p)));
            let value = o.and_then(|o| o.value);
            let numerator = o.and_then(|o| o.numerator);
            let denominator = o.and_then(|o| o.denominator);
            AreaRow {
                code: a.code.clone(),
                name: a.name.clone(),
                city: a.code == city.code,
                value,
                value_text: shown_value(ind, o.copied()),
                numerator,
                numerator_text: count(numerator),
                denominator,
                denominator_text: count(denominator),
                flags: o.map(|o| o.flags.labels()).unwrap_or_default(),
            }
        })
        .collect()
}

/// The text alternative of the line chart: each line from its first to its last value.
fn line_caption(ind: &Indicator, lines: &[Line], periods: &[Period]) -> String {
    let summary: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let pts: Vec<(usize, f64)> = l
                .points
                .iter()
                .enumerate()
                .filter(|(i, _)| !periods[*i].is_label())
                .filter_map(|(i, p)| p.value.map(|v| (i, v)))
                .collect();
            let (f, last) = (pts.first()?, pts.last()?);
            Some(tf(
                "{}: von {} ({}) auf {} ({})",
                &[
                    &l.label,
                    &ind.unit.format(Some(f.1)),
                    &periods[f.0].short_label(),
                    &ind.unit.format(Some(last.1)),
                    &periods[last.0].short_label(),
                ],
            ))
        })
        .collect();
    format!(
        "{} {}. {}.",
        t("Liniendiagramm"),
        ind.name,
        summary.join("; ")
    )
}

/// The text alternative of the map and the bars: the highest and lowest Stadtteil.
fn map_caption(ind: &Indicator, sel: &Selection, rows: &[AreaRow]) -> String {
    let group = sel
        .group
        .as_ref()
        .map_or(String::new(), |c| tf("Gruppe „{}“: ", &[&c.name]));
    let mut ranked: Vec<&AreaRow> = rows
        .iter()
        .filter(|r| !r.city && r.value.is_some())
        .collect();
    ranked.sort_by(|a, b| {
        b.value
            .unwrap_or(f64::MIN)
            .total_cmp(&a.value.unwrap_or(f64::MIN))
    });
    match (ranked.first(), ranked.last()) {
        (Some(hi), Some(lo)) => {
            let text = tf(
                "Höchster Wert: {} ({}), niedrigster Wert: {} ({}).",
                &[
                    &hi.name,
                    &ind.unit.format(hi.value),
                    &lo.name,
                    &ind.unit.format(lo.value),
                ],
            );
            format!("{group}{text}")
        }
        _ => format!(
            "{group}{}",
            t("Für diesen Zeitraum liegen keine Werte je Stadtteil vor.")
        ),
    }
}

/// The choices of the form, with the current selection marked.
fn options(
    sel: &Selection,
    city: &Area,
    stadtteile: &[&Area],
    profile: &Profile,
    periods: &[Period],
    st: &Scope,
) -> Result<Options, AppError> {
    let used: BTreeSet<&str> = profile
        .cells
        .iter()
        .flat_map(|c| c.1.dimensions())
        .collect();
    let opt = |code: &str, label: &str, selected: bool| Opt {
        code: code.to_string(),
        label: label.to_string(),
        selected,
    };
    Ok(Options {
        areas: std::iter::once(city)
            .chain(stadtteile.iter().copied())
            .map(|a| opt(&a.code, &a.name, a.code == sel.main))
            .collect(),
        compare: stadtteile
            .iter()
            .map(|a| opt(&a.code, &a.name, sel.compare.contains(&a.code)))
            .collect(),
        dimensions: st
            .dimensions()?
            .iter()
            .filter(|d| used.contains(d.code.as_str()))
            .map(|d| {
                let chosen = sel.dimension.as_ref().is_some_and(|x| x.code == d.code);
                opt(&d.code, &d.name, chosen)
            })
            .collect(),
        groups: sel.dimension.as_ref().map_or(Vec::new(), |d| {
            d.categories
                .iter()
                .map(|c| opt(&c.code, &c.name, sel.group.as_ref() == Some(c)))
                .collect()
        }),
        periods: periods
            .iter()
            .rev()
            .map(|p| opt(&p.code(), &p.label(), sel.period.as_ref() == Some(p)))
            .collect(),
    })
}
