//! The Fahrplan (`/fahrplan`, also `.json`, public): the milestones as an accessible timeline (SVG
//! with its text alternative, a line for today) and as a table with responsible parties, the time
//! as written, the state and what each depends on. The Redaktion sets the states at
//! `/fahrplan/bearbeiten`.

use super::konzept_edit::{may_edit, viewer};
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::respond::{Format, Page, View, respond};
use crate::{AppError, AppState, Scope, blocking, render};
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::fahrplan::{Milestone, MilestoneStatus, span};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// A milestone as a line of the page.
#[derive(Debug, Serialize)]
pub struct Line {
    /// The milestone.
    #[serde(flatten)]
    pub milestone: Milestone,
    /// Its time in German dates (`16.10.2025`, `01.12.2025 bis …`), or „ohne Termin“.
    pub dates: String,
    /// What it depends on: (number, title).
    pub depends: Vec<(String, String)>,
}

/// The Fahrplan.
#[derive(Debug, Serialize)]
pub struct FahrplanView {
    /// The milestones in their order.
    pub milestones: Vec<Line>,
    /// Today (ISO), the date of the line in the timeline.
    pub today: String,
}

impl View for FahrplanView {
    const TEMPLATE: &'static str = "fahrplan.html";
    fn title(&self) -> String {
        kimo_model::lang::t("Fahrplan des Integrationskonzepts").into()
    }
    fn path(&self) -> String {
        "/fahrplan".into()
    }
    fn html_extra(&self, _st: &Scope) -> Result<minijinja::Value, AppError> {
        let today = chrono::NaiveDate::parse_from_str(&self.today, "%Y-%m-%d")
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let steps: Vec<kimo_chart::Step> = self
            .milestones
            .iter()
            .map(|l| kimo_chart::Step {
                label: format!("{} {}", l.milestone.number, l.milestone.title),
                span: span(&l.milestone.when).map(|s| (s.start, s.end, s.open, s.day)),
                done: l.milestone.status == MilestoneStatus::Erledigt,
                state: l.milestone.status.code().into(),
            })
            .collect();
        let done = steps.iter().filter(|s| s.done).count();
        let frame = |id: &str, width: f64| kimo_chart::Frame {
            id: id.into(),
            title: "Fahrplan des Integrationskonzepts".into(),
            subtitle: format!("Stand {}", today.format("%d.%m.%Y")),
            desc: format!(
                "Zeitleiste mit {} Meilensteinen, davon {done} erledigt; eine gestrichelte Linie markiert heute. Alle Angaben stehen in der Tabelle unter der Grafik.",
                steps.len()
            ),
            footer: "Quelle: Vorlage 2025/1064, Abschnitt 4; Stände: Büro für Integration".into(),
            width,
        };
        Ok(minijinja::context! {
            wide => minijinja::Value::from_safe_string(kimo_chart::timeline(&frame("fahrplan-breit", kimo_chart::WIDE), &steps, today)),
            narrow => minijinja::Value::from_safe_string(kimo_chart::timeline(&frame("fahrplan-schmal", kimo_chart::NARROW), &steps, today)),
        })
    }
}

/// The view as of today.
fn view(st: &Scope) -> Result<FahrplanView, AppError> {
    let list = st.store.milestones()?;
    let lines = list
        .iter()
        .map(|m| Line {
            dates: span(&m.when).map_or("ohne Termin".into(), |s| {
                let d = |x: chrono::NaiveDate| x.format("%d.%m.%Y").to_string();
                match (s.day, s.open) {
                    (true, _) => d(s.start),
                    (false, true) => format!("ab {}", d(s.start)),
                    (false, false) => format!("{} bis {}", d(s.start), d(s.end)),
                }
            }),
            depends: m
                .depends_on
                .iter()
                .map(|n| {
                    let title = list
                        .iter()
                        .find(|x| &x.number == n)
                        .map_or(String::new(), |x| x.title.clone());
                    (n.clone(), title)
                })
                .collect(),
            milestone: m.clone(),
        })
        .collect();
    Ok(FahrplanView {
        milestones: lines,
        today: chrono::Local::now()
            .date_naive()
            .format("%Y-%m-%d")
            .to_string(),
    })
}

async fn answer(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/fahrplan", format, || {
            respond(st, &view(st)?, format, None)
        })
    })
    .await
}

/// `GET /fahrplan`.
pub async fn page(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    answer(st, Format::Html).await
}

/// `GET /fahrplan.json`.
pub async fn page_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    answer(st, Format::Json).await
}

/// The form of the states.
fn edit_page(st: &Scope, csrf: &str) -> Result<(StatusCode, String), AppError> {
    let list = st.store.milestones()?;
    let body = render(
        "fahrplan_bearbeiten.html",
        minijinja::context! {
            title => "Fahrplan: Stände", demo => st.demo, internal => true,
            milestones => minijinja::value::Serde(&list), csrf => csrf,
            states => MilestoneStatus::ALL.map(MilestoneStatus::code),
        },
    )?;
    Ok((StatusCode::OK, body))
}

/// `GET /fahrplan/bearbeiten`: the Redaktion.
pub async fn edit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    if !may_edit(&me.0) {
        return Err(AppError::Forbidden(
            "Den Fahrplan pflegt das Büro für Integration.".into(),
        ));
    }
    let (code, body) = blocking(&st, move |st| edit_page(st, &me.1.csrf)).await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /fahrplan/bearbeiten`: the changed states (`s_ID`).
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    if !may_edit(&me.0) {
        return Err(AppError::Forbidden(
            "Den Fahrplan pflegt das Büro für Integration.".into(),
        ));
    }
    let who = actor(&me.0.name, addr.as_ref());
    blocking(&st, move |st| {
        for m in st.store.milestones()? {
            let Some(wanted) = form.get(&format!("s_{}", m.id)) else {
                continue;
            };
            let status = MilestoneStatus::parse(wanted).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "Einen Stand '{}' gibt es nicht.",
                    kimo_model::quote(wanted)
                ))
            })?;
            if status != m.status {
                st.store.set_milestone_status(m.id, status, &who)?;
            }
        }
        st.changed();
        Ok(())
    })
    .await?;
    Ok(Redirect::to("/fahrplan").into_response())
}
