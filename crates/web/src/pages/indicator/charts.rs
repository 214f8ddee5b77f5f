//! The indicator page's charts (time course, bars and map), each drawn from the page's view for a
//! wide and a narrow layout, and offered for download as SVG, PNG and CSV (`/indikatoren/{code}/diagramm/{name}.{ext}`
//! with the page's query): one view, so a download shows exactly what the page shows.

use super::{IndicatorQuery, IndicatorView, PeriodRef, build};
use crate::Scope;
use crate::params::Params;
use crate::respond::{Format, table_csv};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_chart::{Bar, Frame, MapArea, NARROW, Series, WIDE};
use kimo_model::lang::{t, tf};
use std::sync::Arc;

/// A chart of the indicator page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// The line chart over time.
    Verlauf,
    /// The bars of the Stadtteile in one period.
    Balken,
    /// The map of the Stadtteile in one period.
    Karte,
}

impl Chart {
    /// The chart named in a download path.
    fn parse(name: &str) -> Option<Chart> {
        match name {
            "verlauf" => Some(Chart::Verlauf),
            "balken" => Some(Chart::Balken),
            "karte" => Some(Chart::Karte),
            _ => None,
        }
    }
    /// The name in download paths.
    fn name(self) -> &'static str {
        match self {
            Chart::Verlauf => "verlauf",
            Chart::Balken => "balken",
            Chart::Karte => "karte",
        }
    }
    /// The SVG's id on the page (the narrow one adds `-schmal`).
    fn id(self) -> &'static str {
        match self {
            Chart::Verlauf => "verlauf-diagramm",
            Chart::Balken => "stadtteile-balken",
            Chart::Karte => "stadtteile-karte",
        }
    }
}

/// The period label of the map and bars (`–` without one).
fn period_label(v: &IndicatorView) -> String {
    v.period.as_ref().map_or("–".into(), |p| p.label.clone())
}

/// The latest period on the time axis with a value on any line.
fn latest_on_lines(v: &IndicatorView) -> Option<String> {
    (0..v.periods.len())
        .rev()
        .filter(|i| on_axis(v, *i))
        .find(|i| v.lines.iter().any(|l| l.points[*i].value.is_some()))
        .map(|i| v.periods[i].label.clone())
}

/// Whether period `i` of the view has a place on the line chart's time axis (labelled periods
/// have none: they stay in the tables).
fn on_axis(v: &IndicatorView, i: usize) -> bool {
    v.period_values.get(i).is_some_and(|p| !p.is_label())
}

/// The first and last period on the line chart's time axis.
fn axis_span(v: &IndicatorView) -> (Option<&PeriodRef>, Option<&PeriodRef>) {
    let mut on = (0..v.periods.len()).filter(|i| on_axis(v, *i));
    let first = on.next();
    let last = on.next_back().or(first);
    (first.map(|i| &v.periods[i]), last.map(|i| &v.periods[i]))
}

/// The source and Datenstand line of a chart.
fn footer(v: &IndicatorView, chart: Chart) -> String {
    let source = &v.indicator.indicator.source;
    let latest = match chart {
        Chart::Verlauf => latest_on_lines(v),
        _ => v.period.as_ref().map(|p| p.label.clone()),
    };
    tf(
        "Quelle: {} · Datenstand: {}",
        &[
            if source.trim().is_empty() {
                "–"
            } else {
                source
            },
            latest.as_deref().unwrap_or("–"),
        ],
    )
}

/// The subtitle of a chart: area, breakdown or group, period.
fn subtitle(v: &IndicatorView, chart: Chart) -> String {
    match chart {
        Chart::Verlauf => {
            let span = match axis_span(v) {
                (Some(a), Some(b)) if a.code != b.code => format!("{}–{}", a.label, b.label),
                (Some(a), _) => a.label.clone(),
                _ => "–".into(),
            };
            let by = match (&v.dimension_label, v.compare.len()) {
                (Some(d), _) => format!(" {} {d}", t("nach")),
                (None, 0) => String::new(),
                (None, 1) => t(" im Vergleich mit einem Gebiet").into(),
                (None, n) => tf(" im Vergleich mit {} Gebieten", &[&n.to_string()]),
            };
            format!("{}{by}, {span}", v.area_name)
        }
        _ => {
            let group = v
                .group_label
                .as_ref()
                .map_or(String::new(), |g| format!(", {}: {g}", t("Gruppe")));
            let chosen = v
                .areas
                .iter()
                .find(|r| r.code == v.area && !r.city)
                .map_or(String::new(), |r| {
                    format!(", {}: {}", t("hervorgehoben"), r.name)
                });
            format!("{}{group}, {}{chosen}", t("Stadtteile"), period_label(v))
        }
    }
}

/// The frame of a chart for a width and an id.
fn frame(v: &IndicatorView, chart: Chart, width: f64, id: &str) -> Frame {
    let ind = &v.indicator.indicator;
    let (title, desc) = match chart {
        Chart::Verlauf => (tf("{} im Zeitverlauf", &[&ind.name]), &v.line_caption),
        Chart::Balken => (tf("{} nach Stadtteil", &[&ind.name]), &v.map_caption),
        Chart::Karte => (tf("Karte: {} nach Stadtteil", &[&ind.name]), &v.map_caption),
    };
    Frame {
        id: id.to_string(),
        title,
        subtitle: subtitle(v, chart),
        desc: desc.clone(),
        footer: footer(v, chart),
        width,
    }
}

/// The lines of the view as chart series (labels without the breakdown's name, which the subtitle says).
fn series(v: &IndicatorView) -> Vec<Series> {
    v.lines
        .iter()
        .map(|l| Series {
            label: match &v.dimension_label {
                Some(d) => l
                    .label
                    .strip_prefix(&format!("{d}: "))
                    .unwrap_or(&l.label)
                    .to_string(),
                None => l.label.clone(),
            },
            emphasis: l.emphasis,
            points: v
                .period_values
                .iter()
                .zip(&l.points)
                // Labelled periods have no place on the time axis: only the tables show them.
                .filter_map(|(p, pt)| Some((p.axis()?, p.short_label(), pt.value)))
                .collect(),
        })
        .collect()
}

/// The bars: the city and its Stadtteile, highest first.
fn bars(v: &IndicatorView) -> Vec<Bar> {
    let mut bars: Vec<Bar> = v
        .areas
        .iter()
        .map(|r| Bar {
            label: r.name.clone(),
            value: r.value,
            emphasis: r.city,
            selected: !r.city && r.code == v.area,
            secret: secret(r),
        })
        .collect();
    bars.sort_by(|a, b| {
        b.value
            .unwrap_or(f64::MIN)
            .total_cmp(&a.value.unwrap_or(f64::MIN))
    });
    bars
}

/// Whether a row's value is kept from the public (flagged „geheim“, without a number).
fn secret(r: &super::AreaRow) -> bool {
    r.value.is_none() && r.flags.contains(&t("geheim"))
}

/// The Stadtteile with their geometry, for the map.
fn map_areas(st: &Scope, v: &IndicatorView) -> Result<Vec<MapArea>, AppError> {
    let areas = st.areas()?;
    Ok(v.areas
        .iter()
        .filter(|r| !r.city)
        .filter_map(|r| {
            Some(MapArea {
                code: r.code.clone(),
                name: r.name.clone(),
                geometry: areas.iter().find(|a| a.code == r.code)?.geometry.clone()?,
                value: r.value,
                selected: r.code == v.area,
                secret: secret(r),
            })
        })
        .collect())
}

/// One chart as SVG for a width; empty for a map without values or geometry.
fn svg(
    st: &Scope,
    v: &IndicatorView,
    chart: Chart,
    width: f64,
    id: &str,
) -> Result<String, AppError> {
    let f = frame(v, chart, width, id);
    let unit = &v.indicator.indicator.unit;
    Ok(match chart {
        Chart::Verlauf => kimo_chart::line_chart(&f, unit, &series(v)),
        Chart::Balken => kimo_chart::bar_chart(&f, unit, &bars(v)),
        Chart::Karte => {
            let areas = map_areas(st, v)?;
            let has_values = areas.iter().any(|a| a.value.is_some());
            if has_values {
                kimo_chart::map(&f, unit, &areas)
            } else {
                String::new()
            }
        }
    })
}

/// The line chart and the map of a view as a report shows them, each wide and narrow (the maps
/// empty without values or geometry).
pub(crate) struct ReportCharts {
    /// Line chart, wide.
    pub line: String,
    /// Line chart, narrow.
    pub line_narrow: String,
    /// Map, wide.
    pub map: String,
    /// Map, narrow.
    pub map_narrow: String,
}

/// The charts of a view for a report.
pub(crate) fn report_charts(st: &Scope, v: &IndicatorView) -> Result<ReportCharts, AppError> {
    let code = &v.indicator.indicator.code;
    let id = |what: &str, narrow: bool| {
        format!(
            "bericht-{what}-{code}{}",
            if narrow { "-schmal" } else { "" }
        )
    };
    Ok(ReportCharts {
        line: svg(st, v, Chart::Verlauf, WIDE, &id("verlauf", false))?,
        line_narrow: svg(st, v, Chart::Verlauf, NARROW, &id("verlauf", true))?,
        map: svg(st, v, Chart::Karte, WIDE, &id("karte", false))?,
        map_narrow: svg(st, v, Chart::Karte, NARROW, &id("karte", true))?,
    })
}

/// The page's query, rebuilt from what the view shows (for the download links).
fn query(v: &IndicatorView) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("gebiet", &v.area);
    if let Some(d) = &v.dimension {
        q.append_pair("merkmal", d);
    }
    if let Some(g) = &v.group {
        q.append_pair("gruppe", g);
    }
    for c in &v.compare {
        q.append_pair("vergleich", c);
    }
    if let Some(p) = &v.period {
        q.append_pair("zeitraum", &p.code);
    }
    if let Some(w) = &v.warning {
        q.append_pair("warnung", &w.id.to_string());
    }
    q.finish()
}

/// The charts of the HTML page, each wide and narrow, with its source line and download links.
pub(super) fn html(st: &Scope, v: &IndicatorView) -> Result<minijinja::Value, AppError> {
    let code = &v.indicator.indicator.code;
    let query = query(v);
    let mut charts = std::collections::BTreeMap::new();
    for chart in [Chart::Verlauf, Chart::Balken, Chart::Karte] {
        let wide = svg(st, v, chart, WIDE, chart.id())?;
        let narrow = svg(st, v, chart, NARROW, &format!("{}-schmal", chart.id()))?;
        let url = |ext: &str| {
            let url = format!(
                "/indikatoren/{code}/diagramm/{}.{ext}?{query}",
                chart.name()
            );
            minijinja::Value::from_safe_string(kimo_chart::esc(&url))
        };
        charts.insert(
            chart.name(),
            minijinja::context! {
                shown => !wide.is_empty(),
                wide => minijinja::Value::from_safe_string(wide),
                narrow => minijinja::Value::from_safe_string(narrow),
                source => footer(v, chart),
                svg_url => url("svg"),
                embed_url => url("html"),
                png_url => url("png"),
                csv_url => url("csv"),
            },
        );
    }
    Ok(minijinja::context! {
        verlauf => charts.remove("verlauf"),
        balken => charts.remove("balken"),
        karte => charts.remove("karte"),
        area_count => v.areas.iter().filter(|r| !r.city).count(),
        period_label => period_label(v),
    })
}

/// A number for German Excel, exact as stored (decimal comma, no thousands separator): the same
/// cell the page's own `.csv` writes.
fn excel(v: Option<f64>) -> String {
    kimo_import::export::number(v, kimo_import::export::CsvStyle::GermanExcel)
}

/// The CSV header of every chart's data.
pub const CSV_HEADER: [&str; 8] = [
    "Zeitraum",
    "Nr.",
    "Gebiet",
    "Gruppe",
    "Wert",
    "Zähler",
    "Nenner",
    "Kennzeichen",
];

/// The data of a chart as rows of `CSV_HEADER`.
fn csv_rows(st: &Scope, v: &IndicatorView, chart: Chart) -> Result<Vec<Vec<String>>, AppError> {
    let areas = st.areas()?;
    let name_of = |c: &str| {
        areas
            .iter()
            .find(|a| a.code == c)
            .map_or(c.to_string(), |a| a.name.clone())
    };
    let group_of_area = v.group_label.clone().unwrap_or_else(|| "insgesamt".into());
    let mut rows = Vec::new();
    match chart {
        Chart::Verlauf => {
            for l in &v.lines {
                let group = match (&v.dimension_label, l.breakdown.is_total()) {
                    (Some(d), false) => l
                        .label
                        .strip_prefix(&format!("{d}: "))
                        .unwrap_or(&l.label)
                        .to_string(),
                    _ => "insgesamt".into(),
                };
                for (p, pt) in v.periods.iter().zip(&l.points) {
                    rows.push(vec![
                        p.label.clone(),
                        l.area.clone(),
                        name_of(&l.area),
                        group.clone(),
                        excel(pt.value),
                        excel(pt.numerator),
                        excel(pt.denominator),
                        pt.flags.join(", "),
                    ]);
                }
            }
        }
        _ => {
            for r in v.areas.iter().filter(|r| chart == Chart::Balken || !r.city) {
                rows.push(vec![
                    period_label(v),
                    r.code.clone(),
                    r.name.clone(),
                    group_of_area.clone(),
                    excel(r.value),
                    excel(r.numerator),
                    excel(r.denominator),
                    r.flags.join(", "),
                ]);
            }
        }
    }
    Ok(rows)
}

/// The file name of a download, after what is shown: `arbeitslosenquote_durlach_nichtdeutsch_2024.csv`.
fn filename(v: &IndicatorView, chart: Chart, ext: &str) -> String {
    let mut parts = vec![
        kimo_model::slug(&v.indicator.indicator.name),
        kimo_model::slug(&v.area_name),
    ];
    let period = match chart {
        Chart::Verlauf => {
            if let Some(d) = &v.dimension_label {
                parts.push(kimo_model::slug(d));
            }
            match axis_span(v) {
                (Some(a), Some(b)) if a.code != b.code => format!("{}-{}", a.code, b.code),
                (Some(a), _) => a.code.clone(),
                _ => String::new(),
            }
        }
        _ => {
            if let Some(g) = &v.group_label {
                parts.push(kimo_model::slug(g));
            }
            v.period.as_ref().map_or(String::new(), |p| p.code.clone())
        }
    };
    parts.push(kimo_model::slug(&period.replace('/', "-")));
    parts.retain(|p| !p.is_empty());
    format!("{}_{}.{ext}", parts.join("_"), chart.name())
}

/// A chart's download in one format.
fn download_page(st: &Scope, v: &IndicatorView, chart: Chart, ext: &str) -> Result<Page, AppError> {
    let not_found = || AppError::NotFound("Diese Datei gibt es nicht.".into());
    let name = filename(v, chart, ext);
    match ext {
        "csv" => {
            let d = table_csv(name, &CSV_HEADER, &csv_rows(st, v, chart)?)?;
            Ok(Page::download(
                "text/csv; charset=utf-8",
                &d.filename,
                d.bytes,
            ))
        }
        "svg" | "png" => {
            let svg = svg(st, v, chart, WIDE, chart.id())?;
            if svg.is_empty() {
                return Err(AppError::NotFound(
                    "Für diesen Zeitraum gibt es keine Karte (keine Werte je Stadtteil).".into(),
                ));
            }
            if ext == "svg" {
                let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{svg}");
                return Ok(Page::download("image/svg+xml", &name, body.into_bytes()));
            }
            let png = kimo_chart::png(&svg, 2.0).map_err(AppError::Internal)?;
            Ok(Page::download("image/png", &name, png))
        }
        "html" => embed(st, v, chart),
        _ => Err(not_found()),
    }
}

/// The chart as a page of its own for other websites' `<iframe>`: the chart, its text alternative
/// and source, its numbers in a table, a link to the indicator's page and the licence.
fn embed(st: &Scope, v: &IndicatorView, chart: Chart) -> Result<Page, AppError> {
    let wide = svg(st, v, chart, WIDE, chart.id())?;
    if wide.is_empty() {
        return Err(AppError::NotFound(
            "Für diesen Zeitraum gibt es keine Karte (keine Werte je Stadtteil).".into(),
        ));
    }
    let narrow = svg(st, v, chart, NARROW, &format!("{}-schmal", chart.id()))?;
    let f = frame(v, chart, WIDE, chart.id());
    let licence = st.store.open_data()?.licence;
    let code = &v.indicator.indicator.code;
    let ctx = minijinja::context! {
        title => f.title,
        caption => f.desc,
        source => f.footer,
        svg => minijinja::Value::from_safe_string(wide),
        narrow => minijinja::Value::from_safe_string(narrow),
        header => CSV_HEADER.iter().map(|h| t(h)).collect::<Vec<_>>(),
        rows => csv_rows(st, v, chart)?,
        page_url => format!("/indikatoren/{code}?{}", query(v)),
        indicator => v.indicator.indicator.name.clone(),
        city => super::super::report::city(st)?.0,
        licence => licence.name,
        licence_url => licence.url,
    };
    Ok(Page::embeddable(crate::render("einbetten.html", ctx)?))
}

/// `GET /indikatoren/{code}/diagramm/{name}.{svg|png|csv|html}` with the page's query.
pub async fn download(
    State(st): State<Arc<AppState>>,
    Path((code, file)): Path<(String, String)>,
    Params { value: q, raw }: Params<IndicatorQuery>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let not_found = || AppError::NotFound("Dieses Diagramm gibt es nicht.".into());
        let (name, ext) = file.rsplit_once('.').ok_or_else(not_found)?;
        let chart = Chart::parse(name).ok_or_else(not_found)?;
        let key = format!(
            "/indikatoren/{code}/diagramm/{file}?{}",
            raw.as_deref().unwrap_or("")
        );
        // An embeddable chart is shown on other sites: always the public's view.
        let public = st.scope(crate::Audience::Public);
        let st = if ext == "html" { &public } else { st };
        st.page(&key, Format::Html, || {
            let view = build(st, &code, &q)?;
            download_page(st, &view, chart, ext)
        })
    })
    .await
}
