//! The JSON API, version 1. Parameter names are English; the German names the first version of
//! `/api/v1/warnings` took are still read.

use crate::Scope;
use crate::pages::lagebild::{series_link, warning_filter};
use crate::params::{Params, given, yes_no};
use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, State};
use kimo_model::Period;
use kimo_store::ObservationFilter;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One observation of `/api/v1/indicators/{code}/observations`, serialised straight from the
/// database row. Fields in alphabetical order: the answer's bytes are those the first version made
/// through `serde_json::Value` (whose objects sort their keys).
#[derive(Serialize)]
struct ObservationJson<'a> {
    area: &'a str,
    breakdown: BreakdownKey<'a>,
    denominator: Option<f64>,
    flags: FlagLabels,
    indicator: &'a str,
    numerator: Option<f64>,
    period: String,
    period_label: String,
    value: Option<f64>,
}

/// A stored breakdown key (`d=c;d=c`, sorted by dimension) as a JSON object `{"d": "c"}`.
struct BreakdownKey<'a>(&'a str);

impl Serialize for BreakdownKey<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.contains(';') {
            // Several dimensions: through the breakdown, which sorts and de-duplicates them.
            return kimo_model::Breakdown::from_key(self.0).serialize(s);
        }
        s.collect_map(self.0.split_once('='))
    }
}

/// The German labels of the flags set, as a JSON array.
struct FlagLabels(kimo_model::Flags);

impl Serialize for FlagLabels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == kimo_model::Flags::default() {
            return s.collect_seq(std::iter::empty::<&str>());
        }
        s.collect_seq(self.0.labels())
    }
}

/// The body of `/api/v1/indicators/{code}/observations`: `{"count", "indicator", "observations"}`,
/// each observation written as its row is read (no value tree, no list of observations).
fn observations_body(st: &Scope, code: &str, f: &ObservationFilter) -> Result<Vec<u8>, AppError> {
    let mut rows: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut count = 0usize;
    let mut failed = None;
    let secrets = st.secrets(&st.indicator(code)?)?;
    st.store.scan_observations(f, &mut |o| {
        let Some(fig) = st.publish_row(o, &secrets) else {
            return;
        };
        rows.push(if count == 0 { b'[' } else { b',' });
        count += 1;
        let row = ObservationJson {
            area: o.area,
            breakdown: BreakdownKey(o.breakdown),
            denominator: fig.denominator,
            flags: FlagLabels(fig.flags),
            indicator: o.indicator,
            numerator: fig.numerator,
            period: o.period.code(),
            period_label: o.period.label(),
            value: fig.value,
        };
        if let Err(e) = serde_json::to_writer(&mut rows, &row) {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(AppError::Internal(e.to_string()));
    }
    if count == 0 {
        rows.push(b'[');
    }
    rows.push(b']');
    let mut body = Vec::with_capacity(rows.len() + code.len() + 64);
    body.extend_from_slice(b"{\"count\":");
    body.extend_from_slice(count.to_string().as_bytes());
    body.extend_from_slice(b",\"indicator\":");
    serde_json::to_writer(&mut body, code).map_err(|e| AppError::Internal(e.to_string()))?;
    body.extend_from_slice(b",\"observations\":");
    body.extend_from_slice(&rows);
    body.push(b'}');
    Ok(body)
}

/// The cache key of an API answer: path and query.
fn key(path: &str, raw: &Option<String>) -> String {
    format!("{path}?{}", raw.as_deref().unwrap_or(""))
}

#[utoipa::path(
    get,
    path = "/api/v1/indicators",
    tag = "Indikatoren",
    summary = "Der Katalog: alle Indikatoren, die der Aufrufer sehen darf",
    responses((status = 200, description = "Die Indikatoren", body = crate::openapi::IndicatorList))
)]
/// `GET /api/v1/indicators`: the catalogue.
pub async fn indicators(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    blocking(&st, |st| {
        st.page("/api/v1/indicators", crate::Format::Json, || {
            Page::json(&json!({ "indicators": st.indicators()?.as_ref() }))
        })
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v1/indicators/{code}",
    tag = "Indikatoren",
    summary = "Ein Indikator mit Zeiträumen, Merkmalen und Stand",
    params(("code" = String, Path, description = "Der Code des Indikators, z. B. ARB-01")),
    responses(
        (status = 200, description = "Der Indikator", body = crate::openapi::IndicatorDetail),
        (status = 404, description = "Unbekannt (oder nicht veröffentlicht)", body = crate::openapi::ErrorJson),
    )
)]
/// `GET /api/v1/indicators/{code}`: one indicator with its metadata, periods and dimensions.
pub async fn indicator(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
) -> Result<Page, AppError> {
    let key = format!("/api/v1/indicators/{code}");
    blocking(&st, move |st| {
        st.page(&key, crate::Format::Json, || {
            let ind = st.indicator(&code)?;
            let obs = st.observations(&ObservationFilter {
                indicator: Some(code.clone()),
                ..Default::default()
            })?;
            let mut periods: Vec<Period> = obs.iter().map(|o| o.period.clone()).collect();
            periods.sort();
            periods.dedup();
            let mut dims: Vec<&str> = obs.iter().flat_map(|o| o.breakdown.dimensions()).collect();
            dims.sort();
            dims.dedup();
            Page::json(&json!({
                "indicator": ind,
                "periods": periods.iter().map(|p| json!({"code": p.code(), "label": p.label()})).collect::<Vec<_>>(),
                "dimensions": dims,
                "observations": obs.len(),
                "last_update": st.profile(&ind)?.last_update,
            }))
        })
    })
    .await
}

/// The query of `/api/v1/indicators/{code}/observations`: area, period and any number of
/// `DIMENSION=CATEGORY` filters.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ObservationQuery {
    /// Area code.
    pub area: Option<String>,
    /// Period in any spelling.
    pub period: Option<String>,
    /// Dimension code → category code (`insgesamt` = the dimension's total).
    #[serde(flatten)]
    pub categories: BTreeMap<String, String>,
}

/// Checks an observation query against the areas and dimensions that exist.
fn observation_filter(
    st: &Scope,
    code: &str,
    q: &ObservationQuery,
) -> Result<ObservationFilter, AppError> {
    let mut f = ObservationFilter {
        indicator: Some(code.to_string()),
        ..Default::default()
    };
    if let Some(a) = given(&q.area) {
        if !st.areas()?.iter().any(|x| x.code == a) {
            return Err(AppError::BadRequest(format!("unbekanntes Gebiet '{a}'")));
        }
        f.area = Some(a.to_string());
    }
    if let Some(p) = given(&q.period) {
        let p = match Period::parse(p) {
            Ok(p) => p,
            // Else it must be one of the indicator's labelled periods (Open SDG's free text).
            Err(e) => Period::parse_or_label(p)
                .ok()
                .filter(|l| {
                    st.store
                        .profile(code)
                        .is_ok_and(|pr| pr.cells.iter().any(|c| &c.0 == l))
                })
                .ok_or_else(|| AppError::BadRequest(e.to_string()))?,
        };
        f.period = Some(p.code());
    }
    let known = st.dimensions()?;
    for (d, c) in &q.categories {
        let Some(dim) = known.iter().find(|k| &k.code == d) else {
            return Err(AppError::BadRequest(format!(
                "unbekannter Filter '{d}' (erlaubt: area, period und die Merkmale {})",
                known
                    .iter()
                    .map(|k| k.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        let total = c.is_empty() || c == "insgesamt";
        if !total && !dim.categories.iter().any(|x| &x.code == c) {
            return Err(AppError::BadRequest(format!(
                "unbekannte Ausprägung '{c}' des Merkmals '{d}'"
            )));
        }
        f.categories.push((d.clone(), c.clone()));
    }
    Ok(f)
}

#[utoipa::path(
    get,
    path = "/api/v1/indicators/{code}/observations",
    tag = "Indikatoren",
    summary = "Die Werte eines Indikators, gefiltert nach Gebiet, Zeitraum und Merkmalen",
    description = "Weitere Filter: MERKMAL=AUSPRÄGUNG (z. B. geschlecht=w; insgesamt = die Summe des Merkmals). Ohne Anmeldung: keine Zeiträume unter Sperrfrist, geheime Werte ohne Zahl mit dem Kennzeichen „geheim“, Fallzahlen gerundet, wie die Geheimhaltungsregel der Quelle sagt.",
    params(
        ("code" = String, Path, description = "Der Code des Indikators"),
        ("area" = Option<String>, Query, description = "Der Code eines Gebiets"),
        ("period" = Option<String>, Query, description = "Ein Zeitraum (2024, 2024-H2, 1. Halbjahr 2024, 2023/24, …)"),
    ),
    responses(
        (status = 200, description = "Die Werte", body = crate::openapi::ObservationList),
        (status = 400, description = "Ein unbekanntes Gebiet, ein unbekannter Zeitraum oder Filter", body = crate::openapi::ErrorJson),
        (status = 404, description = "Unbekannter Indikator", body = crate::openapi::ErrorJson),
    )
)]
/// `GET /api/v1/indicators/{code}/observations?area=&period=&<dimension>=<category>`.
pub async fn observations(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
    Params { value: q, raw }: Params<ObservationQuery>,
) -> Result<Page, AppError> {
    let key = key(&format!("/api/v1/indicators/{code}/observations"), &raw);
    blocking(&st, move |st| {
        st.page(&key, crate::Format::Json, || {
            st.indicator(&code)?;
            let f = observation_filter(st, &code, &q)?;
            Ok(Page::json_bytes(observations_body(st, &code, &f)?))
        })
    })
    .await
}

/// The query of `/api/v1/areas`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AreaQuery {
    /// `1` adds the GeoJSON geometry.
    pub geometry: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/areas",
    tag = "Gebiete",
    summary = "Die Gebiete mit ihrer Gliederung (mit geometry=1 auch die Grenzen als GeoJSON)",
    params(("geometry" = Option<String>, Query, description = "1: mit Geometrie; 0 oder leer: ohne")),
    responses(
        (status = 200, description = "Die Gebiete", body = crate::openapi::AreaList),
        (status = 400, description = "Ein ungültiger Wert für geometry", body = crate::openapi::ErrorJson),
    )
)]
/// `GET /api/v1/areas`: areas with hierarchy (geometry with `?geometry=1`).
pub async fn areas(
    State(st): State<Arc<AppState>>,
    Params { value: q, .. }: Params<AreaQuery>,
) -> Result<Page, AppError> {
    let geometry = yes_no("geometry", &q.geometry)?;
    let key = format!("/api/v1/areas?geometry={geometry}");
    blocking(&st, move |st| {
        st.page(&key, crate::Format::Json, || {
            let list: Vec<Value> = st
                .areas()?
                .iter()
                .map(|a| {
                    let mut v = json!({ "code": a.code, "name": a.name, "parent": a.parent, "level": a.level });
                    if geometry && let Some(g) = &a.geometry {
                        v["geometry"] = serde_json::from_str(g).unwrap_or(Value::Null);
                    }
                    v
                })
                .collect();
            Page::json(&json!({ "areas": list }))
        })
    })
    .await
}

/// The query of `/api/v1/warnings` (English names; the German ones of the first version too).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WarningQuery {
    /// Handlungsfeld code.
    #[serde(alias = "handlungsfeld")]
    pub action_field: Option<String>,
    /// Area code.
    #[serde(alias = "gebiet")]
    pub area: Option<String>,
    /// Severity: hoch, mittel, niedrig.
    #[serde(alias = "schwere")]
    pub severity: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Indicator code.
    #[serde(alias = "indikator")]
    pub indicator: Option<String>,
    /// `1` includes resolved warnings.
    #[serde(alias = "alle")]
    pub all: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/warnings",
    tag = "Warnhinweise",
    summary = "Die Warnhinweise des Frühwarnsystems (nur angemeldet)",
    params(
        ("action_field" = Option<String>, Query, description = "Der Code eines Handlungsfelds"),
        ("area" = Option<String>, Query, description = "Der Code eines Gebiets"),
        ("severity" = Option<String>, Query, description = "hoch, mittel oder niedrig"),
        ("status" = Option<String>, Query, description = "neu, in-bearbeitung, erledigt oder fehlalarm"),
        ("indicator" = Option<String>, Query, description = "Der Code eines Indikators"),
        ("all" = Option<String>, Query, description = "1: auch die behobenen"),
    ),
    responses(
        (status = 200, description = "Die Warnhinweise", body = crate::openapi::WarningList),
        (status = 400, description = "Ein ungültiger Filter", body = crate::openapi::ErrorJson),
        (status = 401, description = "Ungültiger API-Schlüssel", body = crate::openapi::ErrorJson),
        (status = 403, description = "Nicht angemeldet", body = crate::openapi::ErrorJson),
    ),
    security((), ("token" = []), ("session" = []))
)]
/// `GET /api/v1/warnings?action_field=&area=&severity=&status=&indicator=&all=1`.
pub async fn warnings(
    State(st): State<Arc<AppState>>,
    Params { value: q, raw }: Params<WarningQuery>,
) -> Result<Page, AppError> {
    let key = key("/api/v1/warnings", &raw);
    blocking(&st, move |st| {
        // Warnings are internal.
        st.require_internal()?;
        st.page(&key, crate::Format::Json, || {
            let f = warning_filter(
                st,
                &q.action_field,
                &q.area,
                &q.severity,
                &q.status,
                &q.all,
                &q.indicator,
            )?;
            let list: Vec<Value> = st.store.warnings(&f)?.iter().map(warning_json).collect();
            Page::json(&json!({ "count": list.len(), "warnings": list }))
        })
    })
    .await
}

/// A warning as the API gives it: the stored fields, the status's label and the series' page.
pub fn warning_json(w: &kimo_store::Warning) -> Value {
    let mut v = serde_json::to_value(w).unwrap_or_default();
    v["status_label"] = w.status.label().into();
    v["link"] = series_link(w).into();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::{Breakdown, Flags};

    #[test]
    fn rows_are_written_as_the_value_tree_wrote_them() {
        // Breakdown keys with no, one and two dimensions (also unsorted and doubled), flags, and
        // missing and whole-number values: the same bytes as through `serde_json::Value`.
        let keys = [
            "",
            "geschlecht=w",
            "geschlecht=w;staatsangehoerigkeit=nichtdeutsch",
            "staatsangehoerigkeit=deutsch;geschlecht=m;geschlecht=w",
        ];
        for (i, key) in keys.into_iter().enumerate() {
            let b = Breakdown::from_key(key);
            let flags = Flags::parse(["", "p", "pb", "d"][i]).unwrap();
            let period = Period::Half(2024, i as u8 % 2 + 1);
            let (value, numerator) = ([None, Some(12.0), Some(0.1), Some(-3.25e7)][i], None);
            let tree = json!({
                "indicator": "I-1",
                "period": period.code(),
                "period_label": period.label(),
                "area": "07",
                "breakdown": b,
                "value": value,
                "numerator": numerator,
                "denominator": Some(8114.0),
                "flags": flags.labels(),
            });
            let row = ObservationJson {
                area: "07",
                breakdown: BreakdownKey(key),
                denominator: Some(8114.0),
                flags: FlagLabels(flags),
                indicator: "I-1",
                numerator,
                period: period.code(),
                period_label: period.label(),
                value,
            };
            assert_eq!(
                serde_json::to_string(&row).unwrap(),
                tree.to_string(),
                "{key}"
            );
        }
    }
}
