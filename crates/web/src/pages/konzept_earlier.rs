//! Recording an earlier plan (`/konzept/frueher`): its title, its date or year and a link to its
//! PDF, as a version of the Konzept in the state „früherer Plan“ (Leitlinien 2008, Integrationsplan
//! 2012, …). The Redaktion and administrators; every error named next to the form, nothing saved
//! then.

use super::konzept_edit::may_edit;
use super::konzept_goals::status;
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::konzept::{VersionState, iso_when};
use kimo_store::NewVersion;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The form.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct EarlierForm {
    #[serde(default)]
    csrf: String,
    /// Title.
    #[serde(default)]
    titel: String,
    /// Date or year, German or ISO.
    #[serde(default)]
    datum: String,
    /// Link to the PDF.
    #[serde(default)]
    pdf: String,
}

/// The plan the form describes, or the errors (German).
fn plan(form: &EarlierForm) -> Result<NewVersion, Vec<String>> {
    let mut errors = Vec::new();
    let title = form.titel.trim();
    if title.is_empty() {
        errors.push("Der Titel fehlt.".to_string());
    }
    let date = iso_when(&form.datum);
    if date.is_none() {
        errors.push(format!(
            "Datum „{}“: bitte ein Jahr (2012), einen Monat (03/2012) oder einen Tag (15.03.2012).",
            form.datum.trim()
        ));
    }
    let pdf = form.pdf.trim();
    let web = pdf.starts_with("https://") || pdf.starts_with("http://");
    if !pdf.is_empty() && (!web || pdf.contains(char::is_whitespace) || pdf.len() > 2000) {
        errors.push(format!(
            "Link „{pdf}“: bitte eine Web-Adresse mit https:// oder http://."
        ));
    }
    match errors.is_empty() {
        true => Ok(NewVersion {
            title: title.to_string(),
            state: Some(VersionState::Frueher),
            decided_on: date,
            pdf_url: Some(pdf.to_string()).filter(|p| !p.is_empty()),
            ..Default::default()
        }),
        false => Err(errors),
    }
}

/// The page.
fn page(
    st: &crate::Scope,
    form: &EarlierForm,
    csrf: &str,
    errors: &[String],
) -> Result<(StatusCode, String), AppError> {
    let body = render(
        "konzept_frueher.html",
        minijinja::context! {
            title => "Früheren Plan erfassen", demo => st.demo, internal => true,
            form => minijinja::value::Serde(form), csrf => csrf, errors => errors.to_vec(),
        },
    )?;
    Ok((status(errors), body))
}

/// The viewer when they may record plans.
fn editor(identity: &Identity) -> Result<Arc<(kimo_model::User, kimo_store::Session)>, AppError> {
    let me = identity
        .0
        .clone()
        .ok_or_else(|| AppError::Forbidden("Bitte zuerst anmelden (/anmelden).".into()))?;
    match may_edit(&me.0) {
        true => Ok(me),
        false => Err(AppError::Forbidden(
            "Frühere Pläne erfasst das Büro für Integration (Redaktion).".into(),
        )),
    }
}

/// `GET /konzept/frueher`.
pub async fn edit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    let me = editor(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        page(st, &EarlierForm::default(), &me.1.csrf, &[])
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /konzept/frueher`.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<EarlierForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        editor(&identity)?;
        match plan(&form) {
            Ok(new) => {
                let id = st.store.add_konzept_version(&new, &who)?;
                st.changed();
                Ok(Ok(id))
            }
            Err(errors) => page(st, &form, &me.1.csrf, &errors).map(Err),
        }
    })
    .await?;
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/konzept/{id}")).into_response()),
        Err((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_plan_needs_a_title_a_date_and_a_web_link() {
        let form = EarlierForm {
            titel: " Integrationsplan 2012 ".into(),
            datum: "2012".into(),
            pdf: "https://www.karlsruhe.de/plan-2012.pdf".into(),
            ..Default::default()
        };
        let v = plan(&form).unwrap();
        assert_eq!(
            (v.title.as_str(), v.decided_on.as_deref(), v.state),
            (
                "Integrationsplan 2012",
                Some("2012"),
                Some(VersionState::Frueher)
            )
        );
        let bad = EarlierForm {
            datum: "im Frühjahr".into(),
            pdf: "javascript:alert(1)".into(),
            ..Default::default()
        };
        let errors = plan(&bad).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[2].contains("javascript:alert(1)"), "{errors:?}");
    }
}
