//! One handler per page.

use crate::view::{self, IndicatorRow, bare, german_date, indicator_row};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, RawQuery, State};
use kimo_chart::{Bar, MapArea, Series};
use kimo_model::{Area, Breakdown, Indicator, Observation, Period, format_number};
use kimo_store::ObservationFilter;
use minijinja::Value;
use minijinja::context;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The whole-city area: the first area without a parent.
pub fn root_area(areas: &[Area]) -> Option<&Area> {
    areas.iter().find(|a| a.parent.is_none() && a.level == 0)
}

/// Overview rows (whole city) of the given indicators.
fn rows(st: &AppState, indicators: &[Indicator]) -> Result<(Vec<IndicatorRow>, String), AppError> {
    let areas = st.store.areas(false)?;
    let root = root_area(&areas).cloned().unwrap_or_default();
    let obs = st.store.observations(&ObservationFilter {
        area: Some(root.code.clone()),
        ..Default::default()
    })?;
    let mut by: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
    for o in obs.iter().filter(|o| o.breakdown.is_total()) {
        by.entry(o.indicator.as_str()).or_default().push(o);
    }
    let rows = indicators
        .iter()
        .map(|i| {
            let mut v = by.get(i.code.as_str()).cloned().unwrap_or_default();
            v.sort_by_key(|o| o.period);
            indicator_row(i, &v)
        })
        .collect();
    Ok((rows, root.name))
}

/// Start page: Handlungsfelder with their core indicators.
pub async fn index(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    blocking(&st, |st| st.page("/", || {
        let fields = st.store.action_fields()?;
        let indicators = st.store.indicators()?;
        let core: Vec<Indicator> = indicators.into_iter().filter(|i| i.core).collect();
        let (all_rows, city) = rows(st, &core)?;
        #[derive(Serialize)]
        struct Field {
            code: String,
            name: String,
            rows: Vec<IndicatorRow>,
        }
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|f| Field {
                rows: core
                    .iter()
                    .zip(&all_rows)
                    .filter(|(i, _)| i.action_field.as_deref() == Some(f.code.as_str()))
                    .map(|(_, r)| r.clone())
                    .collect(),
                code: f.code,
                name: f.name,
            })
            .collect();
        st.render(
            "index.html",
            context! { title => "Übersicht", city => if city.is_empty() { "Stadt".to_string() } else { city }, fields => Value::from(minijinja::value::Serde(&fields)) },
        )
    }))
    .await
}

/// A Handlungsfeld with all its indicators.
pub async fn field(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| st.page(&format!("/handlungsfelder/{code}"), || {
        let field = st
            .store
            .action_fields()?
            .into_iter()
            .find(|f| f.code == code)
            .ok_or_else(|| AppError::NotFound(format!("Das Handlungsfeld '{code}' gibt es nicht.")))?;
        let inds: Vec<Indicator> = st
            .store
            .indicators()?
            .into_iter()
            .filter(|i| i.action_field.as_deref() == Some(code.as_str()))
            .collect();
        let (rows, _) = rows(st, &inds)?;
        st.render("field.html", context! { title => field.name.clone(), field => Value::from(minijinja::value::Serde(&field)), rows => Value::from(minijinja::value::Serde(&rows)) })
    }))
    .await
}

/// All indicators.
pub async fn indicators(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    blocking(&st, |st| st.page("/indikatoren", || {
        let inds = st.store.indicators()?;
        let (rows, _) = rows(st, &inds)?;
        st.render("indicators.html", context! { title => "Alle Indikatoren", rows => Value::from(minijinja::value::Serde(&rows)) })
    }))
    .await
}

/// The choices of the indicator page, from the query string.
#[derive(Debug, Default, Clone)]
pub struct Choice {
    /// Main area (`gebiet`).
    pub area: Option<String>,
    /// Breakdown dimension (`merkmal`).
    pub dimension: Option<String>,
    /// Areas to compare (`vergleich`, repeatable).
    pub compare: Vec<String>,
    /// Period for the map and bars (`zeitraum`).
    pub period: Option<String>,
    /// Whether the CSV of the shown data is wanted (`format=csv`).
    pub csv: bool,
    /// The warning whose series is shown (`warnung`).
    pub warning: Option<i64>,
}

impl Choice {
    /// Parses `gebiet=..&merkmal=..&vergleich=..&vergleich=..&zeitraum=..`.
    pub fn parse(q: Option<&str>) -> Choice {
        let mut c = Choice::default();
        for (k, v) in form_urlencoded::parse(q.unwrap_or("").as_bytes()) {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                "gebiet" => c.area = Some(v),
                "merkmal" => c.dimension = Some(v),
                "vergleich" => c.compare.push(v),
                "zeitraum" => c.period = Some(v),
                "format" => c.csv = v == "csv",
                "warnung" => c.warning = v.parse().ok(),
                _ => {}
            }
        }
        c
    }
    fn query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(a) = &self.area {
            s.append_pair("gebiet", a);
        }
        if let Some(d) = &self.dimension {
            s.append_pair("merkmal", d);
        }
        for c in &self.compare {
            s.append_pair("vergleich", c);
        }
        if let Some(p) = &self.period {
            s.append_pair("zeitraum", p);
        }
        s.append_pair("format", "csv");
        s.finish()
    }
}

#[derive(Serialize)]
struct Cell {
    value: String,
    flags: String,
}

#[derive(Serialize)]
struct SeriesRow {
    period: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct AreaRow {
    code: String,
    name: String,
    value: String,
    numerator: String,
    denominator: String,
    flags: String,
}

/// The indicator page (or, with `format=csv`, the data it shows as German Excel CSV).
pub async fn indicator(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Page, AppError> {
    let key = format!("/indikatoren/{code}?{}", q.as_deref().unwrap_or(""));
    let choice = Choice::parse(q.as_deref());
    blocking(&st, move |st| {
        st.page(&key, || indicator_page(st, &code, choice))
    })
    .await
}

fn indicator_page(st: &AppState, code: &str, choice: Choice) -> Result<Page, AppError> {
    let ind = st
        .cached(&format!("indicator:{code}"), || {
            Ok(st.store.indicator(code)?)
        })?
        .as_ref()
        .clone()
        .ok_or_else(|| AppError::NotFound(format!("Den Indikator '{code}' gibt es nicht.")))?;
    let field = match &ind.action_field {
        Some(f) => st.action_fields()?.iter().find(|x| &x.code == f).cloned(),
        None => None,
    };
    let areas = st.areas()?;
    let root = root_area(&areas).cloned().unwrap_or_default();
    let all_dims = st.dimensions()?;
    let profile = st.cached(&format!("profile:{code}"), || Ok(st.store.profile(code)?))?;
    let name_of = |c: &str| {
        areas
            .iter()
            .find(|a| a.code == c)
            .map_or(c.to_string(), |a| a.name.clone())
    };
    let periods: Vec<Period> = profile
        .cells
        .iter()
        .map(|c| c.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let used_dims: BTreeSet<&str> = profile
        .cells
        .iter()
        .flat_map(|c| c.1.dimensions())
        .collect();
    let dims: Vec<_> = all_dims
        .iter()
        .filter(|d| used_dims.contains(d.code.as_str()))
        .collect();

    let main = choice
        .area
        .clone()
        .filter(|a| areas.iter().any(|x| &x.code == a))
        .unwrap_or(root.code.clone());
    let dim = choice
        .dimension
        .as_ref()
        .and_then(|d| dims.iter().find(|x| &x.code == d))
        .copied();
    if choice.dimension.is_some() && dim.is_none() {
        return Err(AppError::BadRequest(
            "Diese Gliederung gibt es für den Indikator nicht.".into(),
        ));
    }
    let compare: Vec<String> = choice
        .compare
        .iter()
        .filter(|a| **a != main && areas.iter().any(|x| &x.code == *a))
        .take(7)
        .cloned()
        .collect();
    // The period of the map: chosen, or the latest with values below the whole city.
    let with_children: Vec<Period> = profile
        .cells
        .iter()
        .filter(|c| c.1.is_total() && c.2 > 1)
        .map(|c| c.0)
        .collect();
    let period = choice
        .period
        .as_deref()
        .and_then(|p| Period::parse(p).ok())
        .filter(|p| periods.contains(p))
        .or_else(|| with_children.last().copied())
        .or_else(|| periods.last().copied());
    // Two targeted reads: the lines' areas over time, and all areas in one period.
    let mut obs = st.store.observations(&ObservationFilter {
        indicator: Some(code.to_string()),
        areas: std::iter::once(main.clone())
            .chain(compare.iter().cloned())
            .collect(),
        total_only: dim.is_none(),
        ..Default::default()
    })?;
    if let Some(p) = period {
        // Named areas, so that the lookup uses the (indicator, area, breakdown, period) key.
        obs.extend(
            st.store.observations(&ObservationFilter {
                indicator: Some(code.to_string()),
                period: Some(p.code()),
                areas: areas
                    .iter()
                    .filter(|a| {
                        a.code == root.code || a.parent.as_deref() == Some(root.code.as_str())
                    })
                    .map(|a| a.code.clone())
                    .collect(),
                total_only: true,
                ..Default::default()
            })?,
        );
    }
    let index: BTreeMap<(&str, String, Period), &Observation> = obs
        .iter()
        .map(|o| ((o.area.as_str(), o.breakdown.key(), o.period), o))
        .collect();

    // Lines: the main area by categories, or the main area and the compared areas.
    let mut lines: Vec<(String, String, Breakdown)> = Vec::new();
    match dim {
        Some(d) => {
            lines.push((
                format!("{} insgesamt", name_of(&main)),
                main.clone(),
                Breakdown::total(),
            ));
            for c in &d.categories {
                let b = Breakdown::of(&[(d.code.as_str(), c.code.as_str())]);
                if obs.iter().any(|o| o.area == main && o.breakdown == b) {
                    lines.push((format!("{}: {}", d.name, c.name), main.clone(), b));
                }
            }
        }
        None => {
            lines.push((name_of(&main), main.clone(), Breakdown::total()));
            for a in &compare {
                lines.push((name_of(a), a.clone(), Breakdown::total()));
            }
        }
    }
    // A warning's series is drawn thick; the notice above the chart repeats the warning.
    let warning = match choice.warning {
        Some(id) => st
            .store
            .warning(id)?
            .map(|(w, _)| w)
            .filter(|w| w.indicator == code),
        None => None,
    };
    let highlight = warning.as_ref().map(|w| w.breakdown.clone());
    let mut shown: Vec<&Observation> = Vec::new();
    let series: Vec<Series> = lines
        .iter()
        .enumerate()
        .map(|(i, (label, area, b))| Series {
            label: label.clone(),
            emphasis: match &highlight {
                Some(h) => b == h && *area == main,
                None => i == 0,
            },
            points: periods
                .iter()
                .map(|p| {
                    let o = index.get(&(area.as_str(), b.key(), *p));
                    if let Some(o) = o {
                        shown.push(o);
                    }
                    (p.axis(), p.short_label(), o.and_then(|o| o.value))
                })
                .collect(),
        })
        .collect();
    let summary: Vec<String> = series
        .iter()
        .filter_map(|s| {
            let pts: Vec<_> = s.points.iter().filter(|p| p.2.is_some()).collect();
            let (f, l) = (pts.first()?, pts.last()?);
            Some(format!(
                "{}: von {} ({}) auf {} ({})",
                s.label,
                view::with_unit(f.2, &ind.unit),
                f.1,
                view::with_unit(l.2, &ind.unit),
                l.1
            ))
        })
        .collect();
    let line_caption = format!("Liniendiagramm {}. {}.", ind.name, summary.join("; "));
    let line_svg = kimo_chart::line_chart(
        "verlauf-diagramm",
        &format!("{} im Zeitverlauf", ind.name),
        &line_caption,
        ind.unit.as_str(),
        &series,
    );
    let series_rows: Vec<SeriesRow> = periods
        .iter()
        .rev()
        .map(|p| SeriesRow {
            period: p.label(),
            cells: lines
                .iter()
                .map(|(_, a, b)| {
                    let o = index.get(&(a.as_str(), b.key(), *p));
                    Cell {
                        value: bare(o.and_then(|o| o.value), &ind.unit),
                        flags: o.map(|o| o.flags.labels().join(", ")).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect();

    // Stadtteile in one period.
    let children: Vec<&Area> = areas
        .iter()
        .filter(|a| a.parent.as_deref() == Some(root.code.as_str()))
        .collect();
    let period_label = period.map_or("–".to_string(), |p| p.label());
    let at = |a: &str| period.and_then(|p| index.get(&(a, String::new(), p)).copied());
    let mut area_rows = Vec::new();
    let mut bars = Vec::new();
    for a in std::iter::once(&&root).chain(children.iter()) {
        let o = at(&a.code);
        if let Some(o) = o {
            shown.push(o);
        }
        area_rows.push(AreaRow {
            code: a.code.clone(),
            name: a.name.clone(),
            value: bare(o.and_then(|o| o.value), &ind.unit),
            numerator: o
                .and_then(|o| o.numerator)
                .map_or(String::new(), |v| format_number(v, 0)),
            denominator: o
                .and_then(|o| o.denominator)
                .map_or(String::new(), |v| format_number(v, 0)),
            flags: o.map(|o| o.flags.labels().join(", ")).unwrap_or_default(),
        });
        bars.push(Bar {
            label: a.name.clone(),
            value: o.and_then(|o| o.value),
            emphasis: a.code == root.code,
        });
    }
    bars.sort_by(|a, b| {
        b.value
            .unwrap_or(f64::MIN)
            .total_cmp(&a.value.unwrap_or(f64::MIN))
    });
    let has_children = children.iter().any(|c| at(&c.code).is_some());
    let ranked: Vec<&Bar> = bars
        .iter()
        .filter(|b| !b.emphasis && b.value.is_some())
        .collect();
    let map_caption = match (ranked.first(), ranked.last()) {
        (Some(hi), Some(lo)) if has_children => format!(
            "Höchster Wert: {} ({}), niedrigster Wert: {} ({}).",
            hi.label,
            view::with_unit(hi.value, &ind.unit),
            lo.label,
            view::with_unit(lo.value, &ind.unit)
        ),
        _ => "Für diesen Zeitraum liegen keine Werte je Stadtteil vor.".into(),
    };
    let bar_svg = kimo_chart::bar_chart(
        "stadtteile-balken",
        &format!("{} nach Stadtteil, {period_label}", ind.name),
        &map_caption,
        ind.unit.as_str(),
        &bars,
    );
    let map_areas: Vec<MapArea> = children
        .iter()
        .filter_map(|a| {
            Some(MapArea {
                code: a.code.clone(),
                name: a.name.clone(),
                geometry: a.geometry.clone()?,
                value: at(&a.code).and_then(|o| o.value),
            })
        })
        .collect();
    let map_svg = if has_children && !map_areas.is_empty() {
        kimo_chart::map(
            "stadtteile-karte",
            &format!("Karte: {} nach Stadtteil, {period_label}", ind.name),
            &map_caption,
            ind.unit.as_str(),
            &map_areas,
        )
    } else {
        String::new()
    };

    shown.sort_by(|a, b| {
        (&a.area, a.breakdown.key(), a.period).cmp(&(&b.area, b.breakdown.key(), b.period))
    });
    shown.dedup_by(|a, b| a.area == b.area && a.breakdown == b.breakdown && a.period == b.period);
    if choice.csv {
        let owned: Vec<Observation> = shown.iter().map(|o| (*o).clone()).collect();
        let mut buf = Vec::new();
        kimo_import::export::write_long(
            &mut buf,
            &owned,
            &kimo_import::export::used_dimensions(&owned),
            kimo_import::export::CsvStyle::GermanExcel,
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        return Ok(Page::download(
            "text/csv; charset=utf-8",
            &format!("{code}.csv"),
            buf,
        ));
    }

    #[derive(Serialize)]
    struct Opt {
        code: String,
        name: String,
        main: bool,
        compare: bool,
        root: bool,
    }
    let area_opts: Vec<Opt> = std::iter::once(&&root)
        .chain(children.iter())
        .map(|a| Opt {
            code: a.code.clone(),
            name: a.name.clone(),
            main: a.code == main,
            compare: choice.compare.contains(&a.code),
            root: a.code == root.code,
        })
        .collect();
    let dim_opts: Vec<Value> = dims
        .iter()
        .map(|d| context! { code => d.code.clone(), name => d.name.clone(), selected => Some(&d.code) == choice.dimension.as_ref() })
        .collect();
    let period_opts: Vec<Value> = periods
        .iter()
        .rev()
        .map(|p| context! { code => p.code(), label => p.label(), selected => Some(*p) == period })
        .collect();
    let last_update = profile
        .last_update
        .as_deref()
        .map_or("–".into(), german_date);
    let series_names: Vec<String> = lines.iter().map(|l| l.0.clone()).collect();
    let shows_demo = shown.iter().any(|o| o.flags.synthetic);
    st.render(
        "indicator.html",
        context! {
            title => ind.name.clone(),
            ind => context! {
                code => ind.code.clone(), name => ind.name.clone(), definition => ind.definition.clone(),
                numerator => ind.numerator.clone(), denominator => if ind.is_count() { String::new() } else { ind.denominator.clone() },
                unit => ind.unit.to_string(), polarity => ind.polarity.label(), source => ind.source.clone(),
                department => ind.department.clone(), periodicity => ind.periodicity.label(), core => ind.core,
                notes => ind.notes.clone(),
            },
            field => Value::from(minijinja::value::Serde(&field)),
            areas => Value::from(minijinja::value::Serde(&area_opts)),
            dims => dim_opts,
            periods => period_opts,
            line_svg => Value::from_safe_string(line_svg),
            line_caption => line_caption,
            series_names => series_names,
            series_rows => Value::from(minijinja::value::Serde(&series_rows)),
            period_label => period_label,
            map_svg => Value::from_safe_string(map_svg),
            map_caption => map_caption,
            area_count => children.len(),
            bar_svg => Value::from_safe_string(bar_svg),
            area_rows => Value::from(minijinja::value::Serde(&area_rows)),
            csv_url => format!("/indikatoren/{code}?{}", choice.query()),
            last_update => last_update,
            shows_demo => shows_demo,
            warning => warning.as_ref().map(|w| context! { id => w.id, sentence => w.sentence.clone(), status => w.status.label(), severity => w.severity.clone() }),
        },
    )
}
