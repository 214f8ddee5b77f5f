//! The Lagebild: traffic lights per Handlungsfeld and core indicator, the open warnings with filters,
//! and a map of the Stadtteile by status and dynamics; also as JSON under /api/v1/warnings.

use crate::pages::root_area;
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{RawQuery, State};
use kimo_chart::ClassArea;
use kimo_model::{Breakdown, Polarity, WarningStatus};
use kimo_monitor::checks::Point;
use kimo_monitor::status::{Dynamics, Status};
use kimo_monitor::{Names, SeriesMap};
use kimo_store::{ObservationFilter, Warning, WarningFilter};
use minijinja::{Value, context};
use serde::Serialize;
use std::sync::Arc;

/// Status colours for the map, least favourable last (with the legend's labels).
const STATUS_LEGEND: [(&str, &str); 4] = [
    ("#4dac26", "Status hoch"),
    ("#e0e0e0", "Status mittel"),
    ("#fdae61", "Status niedrig"),
    ("#d7191c", "Status sehr niedrig"),
];

fn filter(q: Option<&str>) -> (WarningFilter, Option<String>) {
    let mut f = WarningFilter::default();
    let mut indicator = None;
    for (k, v) in form_urlencoded::parse(q.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        if v.is_empty() {
            continue;
        }
        match k.as_ref() {
            "handlungsfeld" => f.action_field = Some(v),
            "gebiet" => f.area = Some(v),
            "schwere" => f.severity = Some(v),
            "status" => f.status = Some(v),
            "alle" => f.include_resolved = v == "1" || v == "ja",
            "indikator" => f.indicator = Some(v),
            "karte" => indicator = Some(v),
            _ => {}
        }
    }
    (f, indicator)
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

#[derive(Serialize)]
struct Row {
    id: i64,
    severity: String,
    indicator: String,
    indicator_name: String,
    area_name: String,
    sentence: String,
    status: String,
    assignee: String,
    since: String,
    link: String,
    active: bool,
    rule: String,
}

/// `GET /lagebild`.
pub async fn page(
    State(st): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> Result<Page, AppError> {
    let key = format!("/lagebild?{}", q.as_deref().unwrap_or(""));
    blocking(&st, move |st| st.page(&key, || render(st, q.as_deref()))).await
}

fn render(st: &AppState, q: Option<&str>) -> Result<Page, AppError> {
    let (f, map_indicator) = filter(q);
    let all_active = st.store.warnings(&WarningFilter::default())?;
    let fields = st.action_fields()?;
    let indicators = st.cached("indicators", || Ok(st.store.indicators()?))?;
    let areas = st.areas()?;
    // Traffic lights: red with a high-severity warning, yellow with any other, green without.
    let light = |ws: &[&Warning]| -> (&'static str, &'static str, String) {
        let high = ws.iter().filter(|w| w.severity == "hoch").count();
        match (high, ws.len()) {
            (0, 0) => ("gruen", "grün", "keine offenen Warnhinweise".into()),
            (0, n) => ("gelb", "gelb", format!("{n} Warnhinweis(e), keiner hoch")),
            (h, n) => ("rot", "rot", format!("{n} Warnhinweis(e), davon {h} hoch")),
        }
    };
    let mut lights = Vec::new();
    for fld in fields.iter() {
        let inds: Vec<_> = indicators
            .iter()
            .filter(|i| i.action_field.as_deref() == Some(fld.code.as_str()))
            .collect();
        let ws: Vec<&Warning> = all_active
            .iter()
            .filter(|w| w.action_field.as_deref() == Some(fld.code.as_str()))
            .collect();
        let (class, colour, text) = light(&ws);
        let core: Vec<Value> = inds
            .iter()
            .filter(|i| i.core)
            .map(|i| {
                let ws: Vec<&Warning> = all_active.iter().filter(|w| w.indicator == i.code).collect();
                let (class, colour, text) = light(&ws);
                context! { code => i.code.clone(), name => i.name.clone(), class => class, colour => colour, text => text }
            })
            .collect();
        lights.push(context! { code => fld.code.clone(), name => fld.name.clone(), class => class, colour => colour, text => text, core => core });
    }
    let ws = st.store.warnings(&f)?;
    let rows: Vec<Row> = ws
        .iter()
        .map(|w| Row {
            id: w.id,
            severity: w.severity.clone(),
            indicator: w.indicator.clone(),
            indicator_name: w.indicator_name.clone(),
            area_name: w.area_name.clone(),
            sentence: w.sentence.clone(),
            status: w.status.label().to_string(),
            assignee: w.assignee.clone().unwrap_or_default(),
            since: crate::view::german_date(&w.first_seen),
            link: series_link(w),
            active: w.active,
            rule: w.kind.clone(),
        })
        .collect();

    // The map: status × dynamics for one indicator that rates (not neutral) and has Stadtteil values.
    let root = root_area(&areas).cloned().unwrap_or_default();
    let children: Vec<&kimo_model::Area> = areas
        .iter()
        .filter(|a| a.parent.as_deref() == Some(root.code.as_str()))
        .collect();
    let candidates: Vec<&kimo_model::Indicator> = indicators
        .iter()
        .filter(|i| i.polarity != Polarity::Neutral)
        .collect();
    let chosen = map_indicator
        .as_deref()
        .and_then(|c| candidates.iter().find(|i| i.code == c))
        .or_else(|| candidates.iter().find(|i| i.core))
        .copied();
    let (mut map_svg, mut map_rows, mut excluded, mut map_caption) =
        (String::new(), Vec::new(), Vec::new(), String::new());
    if let Some(ind) = chosen {
        let series = series_of(st, &ind.code, &children, &root.code)?;
        let population = series_of(st, "DEM-01", &children, &root.code)?;
        let names = Names {
            areas: areas
                .iter()
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect(),
            city: root.code.clone(),
            children: children.iter().map(|a| a.code.clone()).collect(),
            ..Default::default()
        };
        let pop = (!population.is_empty()).then_some(&population);
        if let Some((period, class, earlier)) =
            kimo_monitor::classify_areas(ind, &series, &names, pop, 300.0, 2)
        {
            let by_area = |code: &str| class.areas.iter().find(|a| a.area == code);
            let map_areas: Vec<ClassArea> = children
                .iter()
                .filter_map(|a| {
                    let c = by_area(&a.code);
                    Some(ClassArea {
                        code: a.code.clone(),
                        name: a.name.clone(),
                        geometry: a.geometry.clone()?,
                        class: c.map(|c| c.status as usize),
                        hatched: c.is_some_and(|c| c.dynamics == Some(Dynamics::Negativ)),
                        label: c.map_or("ausgenommen oder ohne Wert".into(), |c| {
                            format!(
                                "Status {}, Dynamik {}",
                                c.status.label(),
                                c.dynamics.map_or("unbekannt", |d| d.label())
                            )
                        }),
                    })
                })
                .collect();
            let attention: Vec<String> = class
                .areas
                .iter()
                .filter(|c| {
                    matches!(c.status, Status::Niedrig | Status::SehrNiedrig)
                        && c.dynamics == Some(Dynamics::Negativ)
                })
                .map(|c| names.areas.get(&c.area).cloned().unwrap_or(c.area.clone()))
                .collect();
            map_caption = format!(
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
            );
            if !map_areas.is_empty() {
                map_svg = kimo_chart::class_map(
                    "lagebild-karte",
                    &format!("Status und Dynamik: {}", ind.name),
                    &map_caption,
                    &map_areas,
                    &STATUS_LEGEND,
                    "negative Dynamik",
                );
            }
            for a in &children {
                if let Some(c) = by_area(&a.code) {
                    map_rows.push(context! {
                        name => a.name.clone(),
                        value => ind.unit.format(Some(c.value)),
                        change => c.change.map_or("–".into(), |x| kimo_model::format_number(x, 1)),
                        status => c.status.label(),
                        dynamics => c.dynamics.map_or("unbekannt", |d| d.label()),
                    });
                }
            }
            excluded = class
                .excluded
                .iter()
                .map(|(code, p)| {
                    format!(
                        "{} ({} Einwohner)",
                        names.areas.get(code).cloned().unwrap_or(code.clone()),
                        kimo_model::format_number(*p, 0)
                    )
                })
                .collect();
        }
    }
    let map_options: Vec<Value> = candidates
        .iter()
        .map(|i| context! { code => i.code.clone(), name => i.name.clone(), selected => chosen.is_some_and(|c| c.code == i.code) })
        .collect();
    let opt = |v: &Option<String>, code: &str| v.as_deref() == Some(code);
    st.render(
        "lagebild.html",
        context! {
            title => "Lagebild",
            lights => lights,
            rows => Value::from(minijinja::value::Serde(&rows)),
            count => rows.len(),
            fields => fields.iter().map(|x| context! { code => x.code.clone(), name => x.name.clone(), selected => opt(&f.action_field, &x.code) }).collect::<Vec<_>>(),
            areas => std::iter::once(&&root).chain(children.iter()).map(|a| context! { code => a.code.clone(), name => a.name.clone(), selected => opt(&f.area, &a.code) }).collect::<Vec<_>>(),
            severities => ["hoch", "mittel", "niedrig"].iter().map(|s| context! { code => *s, selected => opt(&f.severity, s) }).collect::<Vec<_>>(),
            statuses => WarningStatus::ALL.iter().map(|s| context! { code => s.code(), name => s.label(), selected => opt(&f.status, s.code()) }).collect::<Vec<_>>(),
            include_resolved => f.include_resolved,
            map_svg => Value::from_safe_string(map_svg),
            map_caption => map_caption,
            map_rows => map_rows,
            map_options => map_options,
            excluded => excluded,
        },
    )
}

/// Totals of an indicator for the city and the areas below it, as series.
fn series_of(
    st: &AppState,
    code: &str,
    children: &[&kimo_model::Area],
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

/// `GET /api/v1/warnings?handlungsfeld=&gebiet=&schwere=&status=&indikator=&alle=1`.
pub async fn api(State(st): State<Arc<AppState>>, RawQuery(q): RawQuery) -> Result<Page, AppError> {
    let key = format!("/api/v1/warnings?{}", q.as_deref().unwrap_or(""));
    blocking(&st, move |st| {
        st.page(&key, || {
            let (f, _) = filter(q.as_deref());
            let ws = st.store.warnings(&f)?;
            let list: Vec<serde_json::Value> = ws
                .iter()
                .map(|w| {
                    let mut v = serde_json::to_value(w).unwrap_or_default();
                    v["status_label"] = w.status.label().into();
                    v["link"] = series_link(w).into();
                    v
                })
                .collect();
            Ok(Page::json(
                &serde_json::json!({ "count": list.len(), "warnings": list }),
            ))
        })
    })
    .await
}
