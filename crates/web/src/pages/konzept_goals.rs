//! The Ziele of a Handlungsfeld in a form (`/konzept/{id}/ziele/{field}`): per goal its text and,
//! when measurable, indicator, Stadtteil, group, direction, target value, target year and base year;
//! one empty row adds a goal, a checkbox removes one. Checked with the exchange file's checks
//! (unknown indicator, area, group, years), every error named; nothing saved then. The Redaktion.

use super::konzept_edit::editable;
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::konzept::{Direction, Goal, Measure, Version};
use std::collections::HashMap;
use std::sync::Arc;

/// The form's values of a goal (`g1_text`, `g1_indikator`, …).
fn values(goals: &[Goal]) -> HashMap<String, String> {
    let mut v = HashMap::new();
    for (i, g) in goals.iter().enumerate() {
        let n = i + 1;
        v.insert(format!("g{n}_id"), g.id.clone());
        v.insert(format!("g{n}_text"), g.text.clone());
        if let Some(m) = &g.measure {
            v.insert(format!("g{n}_indikator"), m.indicator.clone());
            v.insert(format!("g{n}_gebiet"), m.area.clone().unwrap_or_default());
            let group = m.group.as_ref().map(|(d, c)| format!("{d}={c}"));
            v.insert(format!("g{n}_gruppe"), group.unwrap_or_default());
            v.insert(format!("g{n}_richtung"), m.direction.label().to_string());
            v.insert(format!("g{n}_ziel"), m.target.to_string().replace('.', ","));
            v.insert(format!("g{n}_zieljahr"), m.target_year.to_string());
            v.insert(format!("g{n}_basisjahr"), m.base_year.to_string());
        }
    }
    v
}

/// The goals a submitted form describes, or the errors (German, naming the goal's row).
fn goals_of(
    form: &HashMap<String, String>,
    field: &str,
    stored: &[String],
) -> Result<Vec<Goal>, Vec<String>> {
    let get = |n: usize, k: &str| -> String {
        form.get(&format!("g{n}_{k}"))
            .map_or(String::new(), |s| s.trim().to_string())
    };
    let mut rows: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix('g')?.split_once('_')?.0.parse().ok())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    let (mut goals, mut errors) = (Vec::new(), Vec::new());
    for n in rows {
        let text = get(n, "text");
        if text.is_empty() || !get(n, "loeschen").is_empty() {
            continue;
        }
        let id = get(n, "id");
        let indicator = get(n, "indikator");
        let measure = match indicator.as_str() {
            "" => None,
            indicator => match measure(indicator, n, &get) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.extend(e);
                    None
                }
            },
        };
        goals.push(Goal {
            id,
            text: text.to_string(),
            measure,
        });
    }
    // New goals get the first id of the Handlungsfeld used neither in the form nor in the stored
    // version (ids are never reused: the warnings of a goal keep theirs).
    let used: Vec<String> = form
        .iter()
        .filter(|(k, _)| k.ends_with("_id"))
        .map(|(_, v)| v.trim().to_string())
        .chain(stored.iter().cloned())
        .collect();
    let mut k = 0;
    for g in goals.iter_mut().filter(|g| g.id.is_empty()) {
        g.id = loop {
            k += 1;
            let id = format!("{field}-{k}");
            if !used.contains(&id) {
                break id;
            }
        };
    }
    match errors.is_empty() {
        true => Ok(goals),
        false => Err(errors),
    }
}

/// A goal's measure from its row.
fn measure(
    indicator: &str,
    n: usize,
    get: &dyn Fn(usize, &str) -> String,
) -> Result<Measure, Vec<String>> {
    let mut errors = Vec::new();
    let number = |k: &str, what: &str, errors: &mut Vec<String>| {
        let t = get(n, k).replace(',', ".");
        t.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .unwrap_or_else(|| {
                errors.push(format!("Ziel {n}: {what} „{}“ ist keine Zahl", get(n, k)));
                0.0
            })
    };
    let target = number("ziel", "Zielwert", &mut errors);
    let target_year = number("zieljahr", "Zieljahr", &mut errors) as i32;
    let base_year = number("basisjahr", "Basisjahr", &mut errors) as i32;
    let direction = match get(n, "richtung").as_str() {
        "sinken" => Direction::Sinken,
        _ => Direction::Steigen,
    };
    let group = get(n, "gruppe")
        .split_once('=')
        .map(|(d, c)| (d.to_string(), c.to_string()));
    let area = Some(get(n, "gebiet")).filter(|a| !a.is_empty());
    match errors.is_empty() {
        true => Ok(Measure {
            indicator: indicator.to_string(),
            area,
            group,
            direction,
            target,
            target_year,
            base_year,
        }),
        false => Err(errors),
    }
}

/// Leitprojekte no longer serve a goal that was removed.
fn unlink_removed_goals(content: &mut kimo_model::konzept::Konzept) {
    let ids: Vec<String> = content.goals().map(|(_, g)| g.id.clone()).collect();
    for p in content
        .fields
        .iter_mut()
        .flat_map(|f| f.projects.iter_mut())
    {
        p.goals.retain(|g| ids.contains(g));
    }
}

/// The page.
fn page(
    st: &crate::Scope,
    v: &Version,
    field: &str,
    values: &HashMap<String, String>,
    csrf: &str,
    errors: &[String],
) -> Result<(StatusCode, String), AppError> {
    let name = field_name(st, field)?;
    let n = values.keys().filter(|k| k.ends_with("_text")).count() + 1;
    let rows: Vec<_> = (1..=n)
        .map(|i| {
            let get = |k: &str| values.get(&format!("g{i}_{k}")).cloned().unwrap_or_default();
            minijinja::context! {
                n => i, id => get("id"), text => get("text"), indicator => get("indikator"),
                area => get("gebiet"), group => get("gruppe"), direction => get("richtung"),
                target => get("ziel"), target_year => get("zieljahr"), base_year => get("basisjahr"),
                new => get("text").is_empty(),
            }
        })
        .collect();
    let indicators: Vec<_> = st
        .indicators()?
        .iter()
        .map(|i| (i.code.clone(), format!("{} – {}", i.code, i.name)))
        .collect();
    let areas: Vec<_> = st
        .areas()?
        .iter()
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    let groups: Vec<_> = st
        .dimensions()?
        .iter()
        .flat_map(|d| {
            d.categories.iter().map(move |c| {
                (
                    format!("{}={}", d.code, c.code),
                    format!("{}: {}", d.name, c.name),
                )
            })
        })
        .collect();
    let body = render(
        "konzept_ziele.html",
        minijinja::context! {
            title => format!("Ziele: {name}"), demo => st.demo, internal => true,
            version => minijinja::value::Serde(v), field => field, field_name => name, rows => rows,
            indicators => indicators, areas => areas, groups => groups, csrf => csrf,
            errors => errors.to_vec(),
        },
    )?;
    Ok((status(errors), body))
}

/// A Handlungsfeld's name, or 404.
pub(crate) fn field_name(st: &crate::Scope, field: &str) -> Result<String, AppError> {
    st.action_fields()?
        .iter()
        .find(|a| a.code == field)
        .map(|a| a.name.clone())
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "Das Handlungsfeld '{}' gibt es nicht.",
                kimo_model::quote(field)
            ))
        })
}

/// 200 for a form, 400 for a form with its errors.
pub(crate) fn status(errors: &[String]) -> StatusCode {
    match errors.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::BAD_REQUEST,
    }
}

/// The version's part for a Handlungsfeld, to change (404 when the version has none).
pub(crate) fn part<'a>(
    content: &'a mut kimo_model::konzept::Konzept,
    field: &str,
) -> Result<&'a mut kimo_model::konzept::Field, AppError> {
    content
        .fields
        .iter_mut()
        .find(|f| f.code == field)
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "Das Handlungsfeld '{}' steht nicht in dieser Fassung.",
                kimo_model::quote(field)
            ))
        })
}

/// The problems of a changed content with the catalogue (the exchange file's checks).
pub(crate) fn problems(
    st: &crate::Scope,
    content: &kimo_model::konzept::Konzept,
) -> Result<Vec<String>, AppError> {
    let cx = kimo_work::konzept::Context {
        indicators: st.indicators()?.as_ref().clone(),
        areas: st.areas()?.as_ref().clone(),
        dimensions: st.dimensions()?.as_ref().clone(),
    };
    Ok(kimo_work::konzept::check(content, &cx))
}

/// `GET /konzept/{id}/ziele/{field}`.
pub async fn edit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path((id, field)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let Some(me) = identity.0 else {
        return Err(AppError::Forbidden(
            "Bitte zuerst anmelden (/anmelden).".into(),
        ));
    };
    let (code, body) = blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let goals = v
            .content
            .field(&field)
            .map(|f| f.goals.clone())
            .unwrap_or_default();
        page(st, &v, &field, &values(&goals), &me.1.csrf, &[])
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /konzept/{id}/ziele/{field}`.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path((id, field)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = format!("/konzept/{id}#{field}-ziele");
    let outcome = blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let mut content = v.content.clone();
        part(&mut content, &field)?;
        let stored: Vec<String> = v.content.goals().map(|(_, g)| g.id.clone()).collect();
        let errors = match goals_of(&form, &field, &stored) {
            Ok(goals) => {
                part(&mut content, &field)?.goals = goals;
                unlink_removed_goals(&mut content);
                problems(st, &content)?
            }
            Err(errors) => errors,
        };
        match errors.is_empty() {
            true => {
                st.store.save_konzept(id, &content, &who)?;
                st.changed();
                Ok(None)
            }
            false => page(st, &v, &field, &form, &me.1.csrf, &errors).map(Some),
        }
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&back).into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goals_read_back_from_their_form() {
        let goals = vec![Goal {
            id: "arbeit-1".into(),
            text: "Weniger Arbeitslose".into(),
            measure: Some(Measure {
                indicator: "ARB-03".into(),
                area: Some("12".into()),
                group: Some(("staatsangehoerigkeit".into(), "nichtdeutsch".into())),
                direction: Direction::Sinken,
                target: 6.5,
                target_year: 2030,
                base_year: 2015,
            }),
        }];
        let mut form = values(&goals);
        assert_eq!(form["g1_ziel"], "6,5");
        assert_eq!(goals_of(&form, "arbeit", &[]).unwrap(), goals);
        form.insert("g2_text".into(), "Neu, nicht gemessen".into());
        form.insert("g1_ziel".into(), "sechs".into());
        assert_eq!(
            goals_of(&form, "arbeit", &[]).unwrap_err(),
            ["Ziel 1: Zielwert „sechs“ ist keine Zahl"]
        );
        form.insert("g1_ziel".into(), "6".into());
        form.insert("g1_loeschen".into(), "ja".into());
        let left = goals_of(&form, "arbeit", &["arbeit-2".into()]).unwrap();
        assert_eq!(
            (left.len(), left[0].id.as_str(), left[0].measure.is_none()),
            (1, "arbeit-3", true)
        );
    }
}
