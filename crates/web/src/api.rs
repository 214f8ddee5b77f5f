//! The JSON API, version 1.

use crate::{AppError, AppState, Page, blocking};
use axum::extract::{Path, RawQuery, State};
use kimo_model::{Observation, Period};
use kimo_store::ObservationFilter;
use serde_json::{Value, json};
use std::sync::Arc;

fn observation_json(o: &Observation) -> Value {
    json!({
        "indicator": o.indicator,
        "period": o.period.code(),
        "period_label": o.period.label(),
        "area": o.area,
        "breakdown": o.breakdown,
        "value": o.value,
        "numerator": o.numerator,
        "denominator": o.denominator,
        "flags": o.flags.labels(),
    })
}

/// `GET /api/v1/indicators`: the catalogue.
pub async fn indicators(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    blocking(&st, |st| {
        st.page("/api/v1/indicators", || {
            let inds = st.store.indicators()?;
            Ok(Page::json(&json!({ "indicators": inds })))
        })
    })
    .await
}

/// `GET /api/v1/indicators/{code}`: one indicator with its metadata, periods and dimensions.
pub async fn indicator(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
) -> Result<Page, AppError> {
    let key = format!("/api/v1/indicators/{code}");
    blocking(&st, move |st| st.page(&key, || {
        let ind = st
            .store
            .indicator(&code)?
            .ok_or_else(|| AppError::NotFound(format!("Indikator '{code}' unbekannt")))?;
        let obs = st.store.observations(&ObservationFilter {
            indicator: Some(code.clone()),
            ..Default::default()
        })?;
        let mut periods: Vec<Period> = obs.iter().map(|o| o.period).collect();
        periods.sort();
        periods.dedup();
        let mut dims: Vec<&str> = obs.iter().flat_map(|o| o.breakdown.dimensions()).collect();
        dims.sort();
        dims.dedup();
        Ok(Page::json(&json!({
            "indicator": ind,
            "periods": periods.iter().map(|p| json!({"code": p.code(), "label": p.label()})).collect::<Vec<_>>(),
            "dimensions": dims,
            "observations": obs.len(),
            "last_update": st.store.last_update(&code)?,
        })))
    }))
    .await
}

/// `GET /api/v1/indicators/{code}/observations?area=&period=&<dimension>=<category>`.
pub async fn observations(
    State(st): State<Arc<AppState>>,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Page, AppError> {
    let key = format!(
        "/api/v1/indicators/{code}/observations?{}",
        q.as_deref().unwrap_or("")
    );
    let mut f = ObservationFilter {
        indicator: Some(code.clone()),
        ..Default::default()
    };
    for (k, v) in form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "area" => f.area = Some(v.into_owned()),
            "period" => {
                let p = Period::parse(&v).map_err(|e| AppError::BadRequest(e.to_string()))?;
                f.period = Some(p.code());
            }
            dim => f.categories.push((dim.to_string(), v.into_owned())),
        }
    }
    blocking(&st, move |st| {
        st.page(&key, || {
            if st.store.indicator(&code)?.is_none() {
                return Err(AppError::NotFound(format!("Indikator '{code}' unbekannt")));
            }
            let known = st.dimensions()?;
            if let Some((d, _)) = f
                .categories
                .iter()
                .find(|(d, _)| !known.iter().any(|k| &k.code == d))
            {
                return Err(AppError::BadRequest(format!(
                    "unbekannter Filter '{d}' (erlaubt: area, period und die Merkmale {})",
                    known
                        .iter()
                        .map(|k| k.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let obs = st.store.observations(&f)?;
            Ok(Page::json(&json!({
                "indicator": code,
                "count": obs.len(),
                "observations": obs.iter().map(observation_json).collect::<Vec<_>>(),
            })))
        })
    })
    .await
}

/// `GET /api/v1/areas`: areas with hierarchy (geometry with `?geometry=1`).
pub async fn areas(
    State(st): State<Arc<AppState>>,
    RawQuery(q): RawQuery,
) -> Result<Page, AppError> {
    let geometry = q.as_deref().is_some_and(|q| q.contains("geometry=1"));
    let key = format!("/api/v1/areas?geometry={geometry}");
    blocking(&st, move |st| {
        st.page(&key, || {
            let areas = st.store.areas(geometry)?;
            let list: Vec<Value> = areas
            .iter()
            .map(|a| {
                let mut v =
                    json!({ "code": a.code, "name": a.name, "parent": a.parent, "level": a.level });
                if let Some(g) = &a.geometry {
                    v["geometry"] = serde_json::from_str(g).unwrap_or(Value::Null);
                }
                v
            })
            .collect();
            Ok(Page::json(&json!({ "areas": list })))
        })
    })
    .await
}
