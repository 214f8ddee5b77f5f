//! The pages every German public website needs: Impressum and Datenschutzerklärung (the city's
//! texts, `kimo einstellung rechtliches`), the Erklärung zur Barrierefreiheit required by BITV 2.0
//! (with the feedback contact and the enforcement procedure), and the monitoring explained in
//! Leichte Sprache (after the rules of the Netzwerk Leichte Sprache). Linked in every page's footer.

use crate::respond::{Format, View, respond};
use crate::{AppError, AppState, Page, Scope, blocking};
use axum::extract::State;
use serde::Serialize;
use std::sync::Arc;

/// Which page.
#[derive(Serialize, Clone, Copy, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// `/impressum`.
    Impressum,
    /// `/datenschutz`.
    Datenschutz,
    /// `/barrierefreiheit`.
    Barrierefreiheit,
    /// `/leichte-sprache`.
    LeichteSprache,
}

/// A legal page.
#[derive(Serialize)]
pub struct LegalView {
    /// Which page.
    pub kind: Kind,
    /// The city's text as sanitised HTML (Impressum, Datenschutz), if set.
    pub html: Option<String>,
    /// The feedback e-mail address (Barrierefreiheit).
    pub contact: Option<String>,
    /// The enforcement procedure as sanitised HTML (Barrierefreiheit).
    pub enforcement: Option<String>,
    /// When the texts were last changed (German date).
    pub changed_on: Option<String>,
    /// The city's name.
    pub city: String,
}

impl View for LegalView {
    const TEMPLATE: &'static str = "recht.html";
    fn title(&self) -> String {
        match self.kind {
            Kind::Impressum => kimo_model::lang::t("Impressum"),
            Kind::Datenschutz => kimo_model::lang::t("Datenschutzerklärung"),
            Kind::Barrierefreiheit => kimo_model::lang::t("Erklärung zur Barrierefreiheit"),
            Kind::LeichteSprache => "Leichte Sprache",
        }
        .into()
    }
    fn path(&self) -> String {
        match self.kind {
            Kind::Impressum => "/impressum",
            Kind::Datenschutz => "/datenschutz",
            Kind::Barrierefreiheit => "/barrierefreiheit",
            Kind::LeichteSprache => "/leichte-sprache",
        }
        .into()
    }
}

/// Markdown as sanitised HTML (no figures in these texts), its headings one level down: the page
/// has its own `h1`.
fn html(text: &Option<String>) -> Option<String> {
    text.as_deref().map(|t| {
        let mut h = kimo_konzept::markdown::render(t, &|_| None);
        for level in (1..=5).rev() {
            h = h
                .replace(&format!("<h{level}"), &format!("<h{}", level + 1))
                .replace(&format!("</h{level}>"), &format!("</h{}>", level + 1));
        }
        h
    })
}

/// Builds a legal page's view.
fn view(st: &Scope, kind: Kind) -> Result<LegalView, AppError> {
    let legal = st.store.legal()?;
    let city = super::report::city(st)?.0;
    Ok(LegalView {
        kind,
        html: match kind {
            Kind::Impressum => html(&legal.imprint),
            Kind::Datenschutz => html(&legal.privacy),
            _ => None,
        },
        contact: legal.contact,
        enforcement: html(&legal.enforcement),
        changed_on: legal.changed_on.as_deref().map(crate::format::local_date),
        city,
    })
}

/// A legal page in a format.
async fn page(st: Arc<AppState>, kind: Kind, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let v = view(st, kind)?;
        st.page(&v.path(), format, || respond(st, &v, format, None))
    })
    .await
}

/// `GET /impressum` and `/impressum.json`, `/datenschutz(.json)`, `/barrierefreiheit(.json)`,
/// `/leichte-sprache(.json)`.
pub async fn legal_page(
    State(st): State<Arc<AppState>>,
    uri: axum::http::Uri,
) -> Result<Page, AppError> {
    let (name, format) = Format::split(uri.path().trim_start_matches('/'));
    let kind = match name {
        "impressum" => Kind::Impressum,
        "datenschutz" => Kind::Datenschutz,
        "barrierefreiheit" => Kind::Barrierefreiheit,
        "leichte-sprache" => Kind::LeichteSprache,
        _ => return Err(AppError::NotFound("Diese Seite gibt es nicht.".into())),
    };
    page(st, kind, format).await
}
