//! The Leitprojekte and the Kernindikatoren of a Handlungsfeld in forms: per project its title,
//! short description, the Amt or Träger responsible, partners, Stadtteile, state (a change is dated
//! and kept in its history), start, end and the Ziele it serves (`/konzept/{id}/leitprojekte/{field}`);
//! the Kernindikatoren chosen from the catalogue (`/konzept/{id}/kernindikatoren/{field}`). Checked
//! like the exchange file; every error named, nothing saved then. The Redaktion.

use super::konzept_edit::{editable, viewer};
use super::konzept_goals::{field_name, part, problems, status};
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::konzept::{Field, Project, ProjectStatus, StatusChange, Version, german_when};
use std::collections::HashMap;
use std::sync::Arc;

/// The form's values of the projects (`p1_titel`, `p1_gebiet_01`, …).
fn values(projects: &[Project]) -> HashMap<String, String> {
    let mut v = HashMap::new();
    for (i, p) in projects.iter().enumerate() {
        let n = i + 1;
        let mut put = |k: &str, value: String| v.insert(format!("p{n}_{k}"), value);
        put("id", p.id.clone());
        put("titel", p.title.clone());
        put("beschreibung", p.description.clone());
        put("verantwortlich", p.responsible.clone());
        put("partner", p.partners.join("\n"));
        put("stand", p.status.code().to_string());
        put(
            "beginn",
            p.start.as_deref().map(german_when).unwrap_or_default(),
        );
        put(
            "ende",
            p.end.as_deref().map(german_when).unwrap_or_default(),
        );
        for a in &p.areas {
            put(&format!("gebiet_{a}"), "ja".into());
        }
        for g in &p.goals {
            put(&format!("ziel_{g}"), "ja".into());
        }
    }
    v
}

/// The row numbers of a form whose keys are `{prefix}{n}_…`.
fn rows(form: &HashMap<String, String>, prefix: char) -> Vec<usize> {
    let mut rows: Vec<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix(prefix)?.split_once('_')?.0.parse().ok())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows
}

/// Today as an ISO date.
fn today() -> String {
    chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

/// One row of the Leitprojekte form (`p{n}_…`).
struct Row<'a> {
    form: &'a HashMap<String, String>,
    n: usize,
}

impl Row<'_> {
    /// A field, trimmed.
    fn get(&self, k: &str) -> String {
        self.form
            .get(&format!("p{}_{k}", self.n))
            .map_or(String::new(), |s| s.trim().to_string())
    }

    /// The ticked boxes of a kind (`p{n}_gebiet_CODE`), their codes sorted.
    fn chosen(&self, what: &str) -> Vec<String> {
        let prefix = format!("p{}_{what}_", self.n);
        let mut out: Vec<String> = self
            .form
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
            .collect();
        out.sort();
        out
    }

    /// A start or end in ISO form; an error when it is no date.
    fn when(&self, k: &str, what: &str, errors: &mut Vec<String>) -> Option<String> {
        match self.get(k).as_str() {
            "" => None,
            typed => kimo_model::konzept::iso_when(typed).or_else(|| {
                errors.push(format!(
                    "Leitprojekt {}: {what} „{typed}“ ist kein Datum (Jahr, MM/JJJJ oder TT.MM.JJJJ)",
                    self.n
                ));
                None
            }),
        }
    }

    /// The project of the row (None: an empty new row, or one to delete); a changed state is
    /// dated by `who` and kept in the stored project's history.
    fn project(&self, stored: &[Project], who: &str, errors: &mut Vec<String>) -> Option<Project> {
        let (id, title) = (self.get("id"), self.get("titel"));
        if !self.get("loeschen").is_empty() || (id.is_empty() && title.is_empty()) {
            return None;
        }
        let stored = stored.iter().find(|p| p.id == id && !id.is_empty());
        let status = ProjectStatus::parse(&self.get("stand")).unwrap_or(ProjectStatus::Geplant);
        let (start, end) = (
            self.when("beginn", "Beginn", errors),
            self.when("ende", "Ende", errors),
        );
        if self.get("verantwortlich").is_empty() {
            errors.push(format!(
                "Leitprojekt {}: „Verantwortlich“ fehlt (Amt oder Träger)",
                self.n
            ));
        }
        let mut history = stored.map(|p| p.history.clone()).unwrap_or_default();
        if stored.map(|p| p.status) != Some(status) {
            history.push(StatusChange {
                on: today(),
                status,
                by: who.to_string(),
            });
        }
        Some(Project {
            id,
            title,
            description: self.get("beschreibung").replace("\r\n", "\n"),
            responsible: self.get("verantwortlich"),
            partners: self
                .get("partner")
                .split(['\n', ';'])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            areas: self.chosen("gebiet"),
            status,
            start,
            end,
            goals: self.chosen("ziel"),
            history,
        })
    }
}

/// The projects a submitted form describes (ids kept, state changes dated by `who`), or the errors
/// (German, naming the project's row).
fn projects_of(
    form: &HashMap<String, String>,
    field: &Field,
    taken: &[String],
    who: &str,
) -> Result<Vec<Project>, Vec<String>> {
    let mut errors = Vec::new();
    let mut projects: Vec<Project> = rows(form, 'p')
        .into_iter()
        .filter_map(|n| Row { form, n }.project(&field.projects, who, &mut errors))
        .collect();
    // New projects get the first id of the Handlungsfeld used nowhere yet (never reused).
    let mut k = 0;
    for p in projects.iter_mut().filter(|p| p.id.is_empty()) {
        p.id = loop {
            k += 1;
            let id = format!("{}-p{k}", field.code);
            if !taken.contains(&id) && !form.values().any(|v| v.trim() == id) {
                break id;
            }
        };
    }
    match errors.is_empty() {
        true => Ok(projects),
        false => Err(errors),
    }
}

/// A text cut after about 80 characters at a word.
fn short(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = String::new();
    for w in &words {
        if out.chars().count() + w.chars().count() > 80 {
            return format!("{out} …");
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The Leitprojekte page.
fn page(
    st: &crate::Scope,
    v: &Version,
    field: &Field,
    values: &HashMap<String, String>,
    csrf: &str,
    errors: &[String],
) -> Result<(StatusCode, String), AppError> {
    let name = field_name(st, &field.code)?;
    let n = rows(values, 'p').len() + 1;
    let areas: Vec<_> = st
        .areas()?
        .iter()
        .filter(|a| a.level > 0)
        .map(|a| (a.code.clone(), a.name.clone()))
        .collect();
    let goals: Vec<_> = field
        .goals
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.clone(), format!("Ziel {}: {}", i + 1, short(&g.text))))
        .collect();
    let rows: Vec<_> = (1..=n)
        .map(|i| {
            let get = |k: &str| values.get(&format!("p{i}_{k}")).cloned().unwrap_or_default();
            let on = |what: &str, code: &str| values.contains_key(&format!("p{i}_{what}_{code}"));
            let areas: Vec<_> = areas.iter().map(|(c, _)| on("gebiet", c)).collect();
            let goals: Vec<_> = goals.iter().map(|(g, _)| on("ziel", g)).collect();
            minijinja::context! {
                n => i, id => get("id"), title => get("titel"), description => get("beschreibung"),
                responsible => get("verantwortlich"), partners => get("partner"),
                status => get("stand"), start => get("beginn"), end => get("ende"),
                chosen_areas => areas.iter().filter(|x| **x).count(),
                areas => areas, goals => goals, new => get("titel").is_empty() && get("id").is_empty(),
            }
        })
        .collect();
    // Suggestions: the Ämter that deliver data and who is responsible for a project already.
    let mut responsible: Vec<String> = st
        .indicators()?
        .iter()
        .map(|i| i.department.clone())
        .chain(
            v.content
                .fields
                .iter()
                .flat_map(|f| f.projects.iter().map(|p| p.responsible.clone())),
        )
        .filter(|r| !r.trim().is_empty())
        .collect();
    responsible.sort();
    responsible.dedup();
    let body = render(
        "konzept_projekte.html",
        minijinja::context! {
            title => format!("Leitprojekte: {name}"), demo => st.demo, internal => true,
            version => minijinja::value::Serde(v), field => &field.code, field_name => name,
            rows => rows, areas => areas, goals => goals, responsible => responsible,
            states => ProjectStatus::ALL.map(ProjectStatus::code), csrf => csrf,
            errors => errors.to_vec(),
        },
    )?;
    Ok((status(errors), body))
}

/// `GET /konzept/{id}/leitprojekte/{field}`.
pub async fn edit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path((id, field)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let mut v = editable(st, &me.0, id)?;
        let f = part(&mut v.content, &field)?.clone();
        page(st, &v, &f, &values(&f.projects), &me.1.csrf, &[])
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /konzept/{id}/leitprojekte/{field}`.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path((id, field)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = format!("/konzept/{id}#{field}-projekte");
    let outcome = blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let mut content = v.content.clone();
        let stored = part(&mut content, &field)?.clone();
        let taken: Vec<String> = v
            .content
            .fields
            .iter()
            .flat_map(|f| f.projects.iter().map(|p| p.id.clone()))
            .collect();
        let errors = match projects_of(&form, &stored, &taken, &me.0.name) {
            Ok(projects) => {
                part(&mut content, &field)?.projects = projects;
                problems(st, &content)?
            }
            Err(errors) => errors,
        };
        if !errors.is_empty() {
            return page(st, &v, &stored, &form, &me.1.csrf, &errors).map(Some);
        }
        st.store.save_konzept(id, &content, &who)?;
        st.changed();
        Ok(None)
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&back).into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

/// The Kernindikatoren page: every indicator of the catalogue to tick, the Handlungsfeld's own
/// first.
fn core_page(
    st: &crate::Scope,
    v: &Version,
    field: &Field,
    chosen: &[String],
    csrf: &str,
) -> Result<(StatusCode, String), AppError> {
    let name = field_name(st, &field.code)?;
    let indicators = st.indicators()?;
    let (own, other): (Vec<_>, Vec<_>) = indicators
        .iter()
        .map(|i| {
            let ticked = chosen.contains(&i.code);
            (
                i.code.clone(),
                i.name.clone(),
                ticked,
                i.action_field.clone(),
            )
        })
        .partition(|i| i.3.as_deref() == Some(field.code.as_str()));
    let body = render(
        "konzept_kern.html",
        minijinja::context! {
            title => format!("Kernindikatoren: {name}"), demo => st.demo, internal => true,
            version => minijinja::value::Serde(v), field => &field.code, field_name => name,
            own => own, other => other, chosen => chosen.len(), csrf => csrf,
        },
    )?;
    Ok((StatusCode::OK, body))
}

/// `GET /konzept/{id}/kernindikatoren/{field}`.
pub async fn edit_core(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path((id, field)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let mut v = editable(st, &me.0, id)?;
        let f = part(&mut v.content, &field)?.clone();
        core_page(st, &v, &f, &f.core_indicators, &me.1.csrf)
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /konzept/{id}/kernindikatoren/{field}`: the ticked indicators (`k_CODE`), in the
/// catalogue's order.
pub async fn save_core(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path((id, field)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = format!("/konzept/{id}#{field}-kern");
    blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let mut content = v.content.clone();
        let unknown: Vec<&str> = form
            .keys()
            .filter_map(|k| k.strip_prefix("k_"))
            .filter(|c| {
                !st.indicators()
                    .is_ok_and(|i| i.iter().any(|i| i.code == *c))
            })
            .collect();
        if !unknown.is_empty() {
            return Err(AppError::BadRequest(format!(
                "Diese Indikatoren gibt es nicht: {}.",
                kimo_model::quote(&unknown.join(", "))
            )));
        }
        part(&mut content, &field)?.core_indicators = st
            .indicators()?
            .iter()
            .filter(|i| form.contains_key(&format!("k_{}", i.code)))
            .map(|i| i.code.clone())
            .collect();
        st.store.save_konzept(id, &content, &who)?;
        st.changed();
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field() -> Field {
        Field {
            code: "arbeit".into(),
            situation: String::new(),
            goals: vec![],
            core_indicators: vec![],
            projects: vec![Project {
                id: "arbeit-p1".into(),
                title: "Jobbrücke".into(),
                description: "Beratung".into(),
                responsible: "Jobcenter".into(),
                partners: vec!["IHK".into(), "HWK".into()],
                areas: vec!["01".into()],
                status: ProjectStatus::Geplant,
                start: Some("2027-03".into()),
                end: Some("2029".into()),
                goals: vec!["arbeit-1".into()],
                history: vec![],
            }],
        }
    }

    #[test]
    fn projects_read_back_from_their_form() {
        let f = field();
        let mut form = values(&f.projects);
        assert_eq!(
            (form["p1_beginn"].as_str(), form["p1_partner"].as_str()),
            ("03/2027", "IHK\nHWK")
        );
        assert_eq!(projects_of(&form, &f, &[], "r").unwrap(), f.projects);
        form.insert("p1_stand".into(), "laufend".into());
        form.insert("p2_titel".into(), "Neu".into());
        form.insert("p2_verantwortlich".into(), "BfI".into());
        form.insert("p2_beginn".into(), "1.4.2027".into());
        let got = projects_of(&form, &f, &["arbeit-p1".into()], "r").unwrap();
        assert_eq!(got[0].history.len(), 1);
        assert_eq!(
            (got[0].history[0].status, got[0].history[0].by.as_str()),
            (ProjectStatus::Laufend, "r")
        );
        assert_eq!(
            (got[1].id.as_str(), got[1].start.as_deref()),
            ("arbeit-p2", Some("2027-04-01"))
        );
        assert_eq!(
            got[1].history.len(),
            1,
            "a new project's first state is dated too"
        );
        form.insert("p2_ende".into(), "Sommer".into());
        form.insert("p2_verantwortlich".into(), " ".into());
        assert_eq!(
            projects_of(&form, &f, &[], "r").unwrap_err(),
            [
                "Leitprojekt 2: Ende „Sommer“ ist kein Datum (Jahr, MM/JJJJ oder TT.MM.JJJJ)",
                "Leitprojekt 2: „Verantwortlich“ fehlt (Amt oder Träger)"
            ]
        );
        form.insert("p1_loeschen".into(), "ja".into());
        form.remove("p2_titel");
        assert!(projects_of(&form, &f, &[], "r").unwrap().is_empty());
    }
}
