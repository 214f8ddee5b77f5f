//! Working on the Konzept in the browser: a text section of an editable version
//! (`/konzept/{id}/abschnitt/{key}`: Integrationsverständnis, Leitlinien, a Handlungsfeld's
//! Ausgangslage) with its word count, reading time and the soft word limit, references checked at
//! saving (each error with line and column next to the field); the version's state, a
//! Fortschreibung and comments (`/konzept/{id}/stand`, `/fortschreiben`, `/kommentare`). Only the
//! Redaktion and administrators edit; in Beratung the Gremium and the Ämter comment.

use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::konzept::{Konzept, ProjectStatus, StatusChange, Version, VersionState};
use kimo_model::{Role, User};
use serde::Deserialize;
use std::sync::Arc;

/// The soft limit of words per text, unless `kimo serve --konzept-wortgrenze` says otherwise.
pub const DEFAULT_WORD_LIMIT: usize = 150;

/// Whether a user edits the Konzept (the Büro für Integration and administrators).
pub fn may_edit(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Redaktion)
}

/// A section's title and its text in a version (None: no such text section).
fn section(k: &Konzept, key: &str, names: &[kimo_model::ActionField]) -> Option<(String, String)> {
    match key {
        "verstaendnis" => Some(("Integrationsverständnis".into(), k.understanding.clone())),
        "leitlinien" => Some(("Leitlinien (eine je Zeile)".into(), k.guidelines.join("\n"))),
        _ => {
            let code = key.strip_prefix("feld:")?.strip_suffix(":ausgangslage")?;
            let f = k.field(code)?;
            let name = names
                .iter()
                .find(|a| a.code == code)
                .map_or(code, |a| &a.name);
            Some((format!("{name}: Ausgangslage"), f.situation.clone()))
        }
    }
}

/// The content with a section's new text.
fn with_text(mut k: Konzept, key: &str, text: &str) -> Konzept {
    let text = text.replace("\r\n", "\n").trim().to_string();
    match key {
        "verstaendnis" => k.understanding = text,
        "leitlinien" => {
            k.guidelines = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        }
        _ => {
            let code = key
                .strip_prefix("feld:")
                .and_then(|k| k.strip_suffix(":ausgangslage"))
                .unwrap_or_default();
            if let Some(f) = k.fields.iter_mut().find(|f| f.code == code) {
                f.situation = text;
            }
        }
    }
    k
}

/// The anchor of a section on the version's page.
fn anchor(key: &str) -> String {
    match key {
        "verstaendnis" | "leitlinien" => key.to_string(),
        _ => format!(
            "{}-ausgangslage",
            key.trim_start_matches("feld:")
                .trim_end_matches(":ausgangslage")
        ),
    }
}

/// A version that `user` may edit now, or why not.
pub(crate) fn editable(st: &crate::Scope, user: &User, id: i64) -> Result<Version, AppError> {
    if !may_edit(user) {
        return Err(AppError::Forbidden(
            "Das Integrationskonzept bearbeitet das Büro für Integration (Redaktion).".into(),
        ));
    }
    let v = st.store.konzept_version(id).map_err(|e| match e {
        kimo_store::Error::NotFound(m) => AppError::NotFound(m),
        e => e.into(),
    })?;
    if !v.state.editable() {
        return Err(AppError::Conflict(format!(
            "Diese Fassung ist {} und wird nicht mehr bearbeitet; eine Fortschreibung beginnt als Kopie.",
            v.state.label()
        )));
    }
    Ok(v)
}

/// The editor page.
fn page(
    st: &crate::Scope,
    v: &Version,
    key: &str,
    text: &str,
    csrf: &str,
    errors: &[String],
) -> Result<(StatusCode, String), AppError> {
    let names = st.action_fields()?;
    let Some((title, _)) = section(&v.content, key, &names) else {
        return Err(AppError::NotFound(format!(
            "Einen Textabschnitt '{}' gibt es nicht.",
            kimo_model::quote(key)
        )));
    };
    let words = kimo_konzept::markdown::words(text);
    let limit = st.word_limit();
    let body = render(
        "konzept_abschnitt.html",
        minijinja::context! {
            title => format!("{title} bearbeiten"), demo => st.demo, internal => true,
            version => minijinja::value::Serde(v), state_label => v.state.label(),
            section_title => title, key => key,
            text => text, csrf => csrf, errors => errors.to_vec(), words => words,
            minutes => kimo_konzept::markdown::reading_minutes(words), limit => limit,
            over => words > limit,
        },
    )?;
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((code, body))
}

/// The logged-in viewer, or 403.
pub(crate) fn viewer(identity: &Identity) -> Result<Arc<(User, kimo_store::Session)>, AppError> {
    identity
        .0
        .clone()
        .ok_or_else(|| AppError::Forbidden("Bitte zuerst anmelden (/anmelden).".into()))
}

/// `GET /konzept/{id}/abschnitt/{key}`: the editor.
pub async fn edit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path((id, key)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let names = st.action_fields()?;
        let text = section(&v.content, &key, &names)
            .map(|s| s.1)
            .unwrap_or_default();
        page(st, &v, &key, &text, &me.1.csrf, &[])
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// The editor's form.
#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
}

/// `POST /konzept/{id}/abschnitt/{key}`: checks the references and saves; errors come back next
/// to the field with nothing saved.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path((id, key)): Path<(i64, String)>,
    Form(form): Form<EditForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = format!(
        "/konzept/{id}?gespeichert={}#{}",
        anchor(&key),
        anchor(&key)
    );
    let outcome = blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let names = st.action_fields()?;
        if section(&v.content, &key, &names).is_none() {
            return Err(AppError::NotFound(format!(
                "Einen Textabschnitt '{}' gibt es nicht.",
                kimo_model::quote(&key)
            )));
        }
        let cx = kimo_work::konzept::Context {
            indicators: st.indicators()?.as_ref().clone(),
            areas: st.areas()?.as_ref().clone(),
            dimensions: st.dimensions()?.as_ref().clone(),
        };
        if let Err(errors) = kimo_konzept::refs::check(&form.text, &cx.catalogue()) {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return page(st, &v, &key, &form.text, &me.1.csrf, &errors).map(Some);
        }
        let content = with_text(v.content.clone(), &key, &form.text);
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

/// The form that moves a version.
#[derive(Deserialize)]
pub struct StateForm {
    #[serde(default)]
    csrf: String,
    stand: String,
    #[serde(default)]
    datum: String,
    #[serde(default)]
    gremium: String,
    #[serde(default)]
    vorlage: String,
    #[serde(default)]
    link: String,
}

/// `POST /konzept/{id}/stand`: Entwurf ↔ in Beratung → beschlossen (with date, body, Vorlage and
/// the figures as they are now); the Redaktion and administrators.
pub async fn set_state(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<StateForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    blocking(&st, move |st| {
        if !may_edit(&me.0) {
            return Err(AppError::Forbidden(
                "Den Stand setzt das Büro für Integration.".into(),
            ));
        }
        let to = VersionState::parse(&form.stand).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Einen Stand '{}' gibt es nicht.",
                kimo_model::quote(&form.stand)
            ))
        })?;
        let decision = match to {
            VersionState::Beschlossen => {
                let v = st.store.konzept_version(id)?;
                let cx = kimo_work::konzept::Context::load(&st.store)
                    .map_err(|e| AppError::Internal(format!("{e:#}")))?;
                let snapshot = kimo_work::konzept::snapshot(&st.store, &cx, &v.content)
                    .map_err(|e| AppError::Internal(format!("{e:#}")))?;
                Some(kimo_store::Decision {
                    decided_on: form.datum.clone(),
                    body: form.gremium.clone(),
                    vorlage: form.vorlage.clone(),
                    paper_url: Some(form.link.trim().to_string()).filter(|l| !l.is_empty()),
                    snapshot,
                })
            }
            _ => None,
        };
        st.store
            .set_konzept_state(id, to, decision.as_ref(), &who)?;
        st.changed();
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/konzept/{id}")).into_response())
}

/// The form that changes a Leitprojekt's state.
#[derive(Deserialize)]
pub struct ProjectForm {
    #[serde(default)]
    csrf: String,
    status: String,
}

/// `POST /konzept/{id}/projekte/{pid}`: a Leitprojekt's new state, dated and kept in its history.
pub async fn project_status(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path((id, pid)): Path<(i64, String)>,
    Form(form): Form<ProjectForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = format!("/konzept/{id}#projekt-{pid}");
    blocking(&st, move |st| {
        let v = editable(st, &me.0, id)?;
        let status = ProjectStatus::parse(&form.status).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Einen Stand '{}' gibt es nicht.",
                kimo_model::quote(&form.status)
            ))
        })?;
        let mut content = v.content.clone();
        let project = content
            .fields
            .iter_mut()
            .flat_map(|f| f.projects.iter_mut())
            .find(|p| p.id == pid)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "Ein Leitprojekt '{}' gibt es nicht.",
                    kimo_model::quote(&pid)
                ))
            })?;
        if project.status != status {
            project.status = status;
            project.history.push(StatusChange {
                on: chrono::Local::now()
                    .date_naive()
                    .format("%Y-%m-%d")
                    .to_string(),
                status,
                by: me.0.name.clone(),
            });
            st.store.save_konzept(id, &content, &who)?;
            st.changed();
        }
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// A form with a title.
#[derive(Deserialize)]
pub struct CopyForm {
    #[serde(default)]
    csrf: String,
    titel: String,
}

/// `POST /konzept/{id}/fortschreiben`: a new draft as a copy of this version.
pub async fn copy(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<CopyForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let new = blocking(&st, move |st| {
        if !may_edit(&me.0) {
            return Err(AppError::Forbidden(
                "Fortschreibungen beginnt das Büro für Integration.".into(),
            ));
        }
        let new = st.store.konzept_copy(id, &form.titel, &who)?;
        st.changed();
        Ok(new)
    })
    .await?;
    Ok(Redirect::to(&format!("/konzept/{new}")).into_response())
}

/// A comment or an answer.
#[derive(Deserialize)]
pub struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    abschnitt: String,
    #[serde(default)]
    text: String,
}

/// `POST /konzept/{id}/kommentare`: a comment on a section of a version in Beratung (every
/// logged-in role).
pub async fn comment(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<CommentForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    blocking(&st, move |st| {
        st.store
            .add_konzept_comment(id, form.abschnitt.trim(), &form.text, &who)?;
        st.changed();
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/konzept/{id}#kommentare-h")).into_response())
}

/// The form that answers a comment.
#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    antwort: String,
    erledigt: Option<String>,
}

/// `POST /konzept/kommentare/{cid}`: the Redaktion answers a comment and/or marks it done.
pub async fn answer(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(cid): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let version = blocking(&st, move |st| {
        if !may_edit(&me.0) {
            return Err(AppError::Forbidden(
                "Kommentare beantwortet das Büro für Integration.".into(),
            ));
        }
        let answer = Some(form.antwort.trim()).filter(|t| !t.is_empty());
        let v = st
            .store
            .answer_konzept_comment(cid, answer, form.erledigt.is_some(), &who)?;
        st.changed();
        Ok(v)
    })
    .await?;
    Ok(Redirect::to(&format!("/konzept/{version}#kommentar-{cid}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_and_written() {
        let k = Konzept {
            understanding: "Teilhabe".into(),
            guidelines: vec!["Eins".into(), "Zwei".into()],
            fields: vec![kimo_model::konzept::Field {
                code: "arbeit".into(),
                situation: "Alt".into(),
                goals: vec![],
                core_indicators: vec![],
                projects: vec![],
            }],
        };
        assert_eq!(section(&k, "leitlinien", &[]).unwrap().1, "Eins\nZwei");
        assert_eq!(
            section(&k, "feld:arbeit:ausgangslage", &[]).unwrap().1,
            "Alt"
        );
        assert!(section(&k, "feld:arbeit:ziele", &[]).is_none());
        let k = with_text(k, "leitlinien", "Eins\r\n\r\n Drei ");
        assert_eq!(k.guidelines, ["Eins", "Drei"]);
        let k = with_text(k, "feld:arbeit:ausgangslage", " Neu ");
        assert_eq!(k.fields[0].situation, "Neu");
        assert_eq!(anchor("feld:arbeit:ausgangslage"), "arbeit-ausgangslage");
    }
}
