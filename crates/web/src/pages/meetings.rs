//! Meetings (`/sitzungen`, `/sitzungen/{id}`, both also `.json`): of the Integrationsausschuss, the
//! Arbeitskreis and the Austauschrunden, with agenda items that link to what they discuss, minutes
//! and decisions per item, and tasks with owner, due date and state. Every logged-in role reads; the
//! Redaktion and administrators keep them. A warning is put on an agenda from its page in one step
//! (`POST /warnungen/{id}/tagesordnung`) and shows where it was discussed.

use super::konzept_edit::{may_edit, viewer};
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::format::local_date;
use crate::respond::Format;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::User;
use kimo_model::meeting::{Body, Link, Meeting, TaskStatus};
use kimo_store::NewMeeting;
use std::collections::HashMap;
use std::sync::Arc;

/// A date as typed (`19.11.2026` or ISO) in ISO form.
pub(crate) fn iso_day(s: &str) -> Option<String> {
    ["%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(s.trim(), f).ok())
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// Who keeps the meetings, for a 403.
const KEEPER: &str = "Sitzungen pflegt das Büro für Integration.";

/// The Redaktion (or an administrator), or 403 with `why`.
pub(crate) fn keeper(user: &User, why: &str) -> Result<(), AppError> {
    match may_edit(user) {
        true => Ok(()),
        false => Err(AppError::Forbidden(why.into())),
    }
}

/// A page or its JSON twin, made for the viewer.
pub(crate) fn answer(json: bool, body: String) -> Response {
    let mut res = match json {
        true => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        false => axum::response::Html(body).into_response(),
    };
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// `GET /sitzungen`.
pub async fn list(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    list_in(st, identity, false).await
}

/// `GET /sitzungen.json`.
pub async fn list_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    list_in(st, identity, true).await
}

async fn list_in(st: Arc<AppState>, identity: Identity, json: bool) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let body = blocking(&st, move |st| {
        let all = st.store.meetings()?;
        if json {
            return serde_json::to_string(&all).map_err(|e| AppError::Internal(e.to_string()));
        }
        let rows: Vec<_> = all
            .iter()
            .map(|m| {
                (
                    m.id,
                    m.body.label(),
                    m.title.clone(),
                    local_date(&m.date),
                    m.items.len(),
                    m.tasks
                        .iter()
                        .filter(|t| t.status != TaskStatus::Erledigt)
                        .count(),
                )
            })
            .collect();
        render(
            "sitzungen.html",
            minijinja::context! {
                title => "Sitzungen", demo => st.demo, internal => true, rows => rows,
                manage => may_edit(&me.0), csrf => &me.1.csrf,
                bodies => Body::ALL.map(|b| (b.code(), b.label())),
            },
        )
    })
    .await?;
    Ok(answer(json, body))
}

/// `GET /sitzungen/{id}` and `/sitzungen/{id}.json`.
pub async fn one(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(segment): Path<String>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (id, format) = Format::split(&segment);
    let json = format == Format::Json;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::NotFound("Diese Sitzung gibt es nicht.".into()))?;
    let body = blocking(&st, move |st| {
        let m = st.store.meeting(id).map_err(|e| match e {
            kimo_store::Error::NotFound(m) => AppError::NotFound(m),
            e => e.into(),
        })?;
        if json {
            return serde_json::to_string(&m).map_err(|e| AppError::Internal(e.to_string()));
        }
        page(st, &me, &m)
    })
    .await?;
    Ok(answer(json, body))
}

/// The page of a meeting.
fn page(
    st: &crate::Scope,
    me: &(User, kimo_store::Session),
    m: &Meeting,
) -> Result<String, AppError> {
    let items: Vec<_> = m
        .items
        .iter()
        .map(|i| {
            let links: Vec<_> = i
                .links
                .iter()
                .map(|l| (l.href(), format!("{} {}", l.kind, l.target)))
                .collect();
            minijinja::context! { i => minijinja::value::Serde(i), links => links }
        })
        .collect();
    let tasks: Vec<_> = m
        .tasks
        .iter()
        .map(|t| {
            let top = t
                .item
                .and_then(|id| m.items.iter().find(|i| i.id == id))
                .map(|i| i.number);
            minijinja::context! {
                t => minijinja::value::Serde(t), due => t.due.as_deref().map(local_date),
                status => t.status.label(), top => top,
            }
        })
        .collect();
    render(
        "sitzung.html",
        minijinja::context! {
            title => format!("{} am {}", m.title, local_date(&m.date)), demo => st.demo,
            internal => true, m => minijinja::value::Serde(m), body => m.body.label(),
            date => local_date(&m.date), items => items, tasks => tasks,
            manage => may_edit(&me.0), csrf => &me.1.csrf,
            states => TaskStatus::ALL.map(|s| (s.code(), s.label())),
        },
    )
}

/// A meeting's agenda and minutes as Markdown (the exchange form; also for a Word or PDF file).
pub fn markdown(m: &Meeting) -> String {
    let mut out = format!("# {}\n\n", m.title);
    out.push_str(&format!(
        "- Gremium: {}\n- Datum: {}",
        m.body.label(),
        local_date(&m.date)
    ));
    if !m.time.is_empty() {
        out.push_str(&format!(", {} Uhr", m.time));
    }
    out.push('\n');
    for (k, v) in [("Ort", &m.place), ("Teilnehmende", &m.participants)] {
        if !v.is_empty() {
            out.push_str(&format!("- {k}: {v}\n"));
        }
    }
    out.push_str("\n## Tagesordnung und Protokoll\n");
    for i in &m.items {
        out.push_str(&format!("\n### TOP {}: {}\n\n", i.number, i.title));
        if !i.links.is_empty() {
            let l: Vec<String> = i
                .links
                .iter()
                .map(|l| format!("{}:{}", l.kind, l.target))
                .collect();
            out.push_str(&format!("Zum Thema: {}\n\n", l.join(", ")));
        }
        if !i.minutes.is_empty() {
            out.push_str(&format!("{}\n\n", i.minutes));
        }
        if !i.decision.is_empty() {
            out.push_str(&format!("**Beschluss:** {}\n", i.decision));
        }
    }
    out.push_str("\n## Aufgaben\n\n| Aufgabe | Zuständig | Fällig | Stand |\n|---|---|---|---|\n");
    for t in &m.tasks {
        let due = t.due.as_deref().map_or("–".to_string(), local_date);
        out.push_str(&format!(
            "| {} | {} | {due} | {} |\n",
            t.title.replace('|', "/"),
            t.owner.replace('|', "/"),
            t.status.label()
        ));
    }
    out
}

/// `GET /sitzungen/{id}/protokoll.md` (Markdown) and `/sitzungen/{id}/druck` (a page to print or
/// save as PDF: the agenda, minutes and tasks without menu and forms).
pub async fn export(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let print = match file.as_str() {
        "protokoll.md" => false,
        "druck" => true,
        _ => return Err(AppError::NotFound("Diese Seite gibt es nicht.".into())),
    };
    let (m, body) = blocking(&st, move |st| {
        let m = st.store.meeting(id).map_err(|e| match e {
            kimo_store::Error::NotFound(m) => AppError::NotFound(m),
            e => e.into(),
        })?;
        let body = match print {
            // The page as printed: the print styles on screen too (no menu, no forms).
            true => page(st, &me, &m)?.replacen("<body", "<body class=\"print\"", 1),
            false => markdown(&m),
        };
        Ok((m, body))
    })
    .await?;
    let mut res = match print {
        true => axum::response::Html(body).into_response(),
        false => {
            let name = format!("sitzung-{}-{}.md", m.id, m.date);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "text/markdown; charset=utf-8".to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                body,
            )
                .into_response()
        }
    };
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

/// A change by the Redaktion (403 with `why` for others) from a CSRF-checked form: `f` does it
/// and names the page to go back to.
pub(crate) async fn change_as(
    st: Arc<AppState>,
    identity: Identity,
    addr: Option<Extension<ClientAddr>>,
    form: HashMap<String, String>,
    why: &'static str,
    f: impl FnOnce(
        &crate::Scope,
        &kimo_store::Actor,
        &HashMap<String, String>,
    ) -> Result<String, AppError>
    + Send
    + 'static,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    keeper(&me.0, why)?;
    let who = actor(&me.0.name, addr.as_ref());
    let back = blocking(&st, move |st| {
        let back = f(st, &who, &form)?;
        st.changed();
        Ok(back)
    })
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// A field of a form, trimmed.
pub(crate) fn field<'a>(form: &'a HashMap<String, String>, k: &str) -> &'a str {
    form.get(k).map_or("", |v| v.trim())
}

/// `POST /sitzungen`: a new meeting (`gremium`, `titel`, `datum`, `uhrzeit`, `ort`, `teilnehmende`).
pub async fn add(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, |st, who, form| {
        let body = Body::parse(field(form, "gremium"))
            .ok_or_else(|| AppError::BadRequest("Bitte ein Gremium wählen.".into()))?;
        let date = iso_day(field(form, "datum")).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Datum „{}“: bitte wie 19.11.2026.",
                field(form, "datum")
            ))
        })?;
        let id = st.store.add_meeting(
            &NewMeeting {
                body,
                title: field(form, "titel"),
                date: &date,
                time: field(form, "uhrzeit"),
                place: field(form, "ort"),
                participants: field(form, "teilnehmende"),
            },
            who,
        )?;
        Ok(format!("/sitzungen/{id}"))
    })
    .await
}

/// The links written in a form field (`warnung:12, indikator:ARB-03`), or the first wrong one.
fn links(text: &str) -> Result<Vec<Link>, AppError> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            Link::parse(t).ok_or_else(|| {
                AppError::BadRequest(format!(
                    "Verweis „{t}“: bitte indikator:CODE, warnung:NR, konzept:ABSCHNITT oder projekt:ID."
                ))
            })
        })
        .collect()
}

/// `POST /sitzungen/{id}/top`: an agenda item (`titel`, `verweise`).
pub async fn add_item(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let links = links(field(form, "verweise"))?;
        st.store.add_item(id, field(form, "titel"), &links, who)?;
        Ok(format!("/sitzungen/{id}#tagesordnung"))
    })
    .await
}

/// `POST /sitzungen/top/{item}`: an item's minutes and decision (`protokoll`, `beschluss`).
pub async fn minutes(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(item): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let m = st.store.set_minutes(
            item,
            field(form, "protokoll"),
            field(form, "beschluss"),
            who,
        )?;
        Ok(format!("/sitzungen/{m}#top-{item}"))
    })
    .await
}

/// `POST /sitzungen/{id}/aufgaben`: a task (`titel`, `zustaendig`, `faellig`, `top`).
pub async fn add_task(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let due = match field(form, "faellig") {
            "" => None,
            t => Some(iso_day(t).ok_or_else(|| {
                AppError::BadRequest(format!("Fällig „{t}“: bitte wie 31.01.2027."))
            })?),
        };
        let item = field(form, "top").parse::<i64>().ok();
        st.store.add_task(
            id,
            item,
            field(form, "titel"),
            field(form, "zustaendig"),
            due.as_deref(),
            who,
        )?;
        Ok(format!("/sitzungen/{id}#aufgaben"))
    })
    .await
}

/// `POST /sitzungen/aufgaben/{task}`: a task's new state (`stand`).
pub async fn task_status(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(task): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let status = TaskStatus::parse(field(form, "stand"))
            .ok_or_else(|| AppError::BadRequest("Diesen Stand gibt es nicht.".into()))?;
        let t = st.store.set_task_status(task, status, who)?;
        Ok(format!("/sitzungen/{}#aufgaben", t.meeting))
    })
    .await
}

/// `POST /warnungen/{id}/tagesordnung`: the warning as a new agenda item of a meeting (`sitzung`),
/// linked to the warning and its indicator.
pub async fn warning_to_agenda(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let meeting: i64 = field(form, "sitzung")
            .parse()
            .map_err(|_| AppError::BadRequest("Bitte eine Sitzung wählen.".into()))?;
        let Some((w, _)) = st.store.warning(id)? else {
            return Err(AppError::NotFound(format!(
                "Einen Warnhinweis Nr. {id} gibt es nicht."
            )));
        };
        let links = [
            Link {
                kind: "warnung".into(),
                target: id.to_string(),
            },
            Link {
                kind: "indikator".into(),
                target: w.indicator.clone(),
            },
        ];
        let item = st.store.add_item(
            meeting,
            &format!("Warnhinweis Nr. {id}: {}", w.sentence),
            &links,
            who,
        )?;
        Ok(format!("/sitzungen/{meeting}#top-id-{item}"))
    })
    .await
}

/// Where a warning is discussed: (meeting id, title, German date, TOP number).
pub type Discussed = Vec<(i64, String, String, i64)>;

/// The coming meetings to put a warning on: (id, „title am date“).
pub type Coming = Vec<(i64, String)>;

/// The meetings a warning was or will be discussed in, and the coming meetings to put it on: for
/// the warning's page.
pub fn for_warning(st: &crate::Scope, id: i64) -> Result<(Discussed, Coming), AppError> {
    let discussed = st
        .store
        .discussed("warnung", &id.to_string())?
        .into_iter()
        .map(|(m, i)| (m.id, m.title.clone(), local_date(&m.date), i.number))
        .collect();
    Ok((discussed, coming(st)?))
}

/// The meetings from today on, soonest first, to put a warning on.
pub fn coming(st: &crate::Scope) -> Result<Coming, AppError> {
    let today = chrono::Local::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    let mut coming: Vec<_> = st
        .store
        .meetings()?
        .into_iter()
        .filter(|m| m.date >= today)
        .collect();
    coming.sort_by(|a, b| a.date.cmp(&b.date));
    Ok(coming
        .into_iter()
        .map(|m| (m.id, format!("{} am {}", m.title, local_date(&m.date))))
        .collect())
}

/// `GET /aktivitaeten`: the activities of the Büro für Integration, with the form to record one
/// for the Redaktion.
pub async fn activities(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    activities_in(st, identity, false).await
}

/// `GET /aktivitaeten.json`.
pub async fn activities_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    activities_in(st, identity, true).await
}

async fn activities_in(
    st: Arc<AppState>,
    identity: Identity,
    json: bool,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let body = blocking(&st, move |st| {
        let list = st.store.activities()?;
        if json {
            return serde_json::to_string(&list).map_err(|e| AppError::Internal(e.to_string()));
        }
        let rows: Vec<_> = list
            .iter()
            .map(|a| {
                let reach = a.reach.map(|r| kimo_model::format_number(r as f64, 0));
                minijinja::context! { a => minijinja::value::Serde(a), date => local_date(&a.date), reach => reach }
            })
            .collect();
        let total: i64 = list.iter().filter_map(|a| a.reach).sum();
        render(
            "aktivitaeten.html",
            minijinja::context! {
                title => "Aktivitäten des Büros für Integration", demo => st.demo, internal => true,
                rows => rows, total => kimo_model::format_number(total as f64, 0),
                manage => may_edit(&me.0), csrf => &me.1.csrf,
                kinds => kimo_model::meeting::ACTIVITY_KINDS,
            },
        )
    })
    .await?;
    Ok(answer(json, body))
}

/// `POST /aktivitaeten`: an activity (`datum`, `art`, `titel`, `partner`, `reichweite`, `notiz`).
pub async fn add_activity(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, |st, who, form| {
        let date = iso_day(field(form, "datum")).ok_or_else(|| {
            AppError::BadRequest(format!(
                "Datum „{}“: bitte wie 19.11.2026.",
                field(form, "datum")
            ))
        })?;
        let reach = match field(form, "reichweite").replace('.', "") {
            r if r.is_empty() => None,
            r => Some(r.parse::<i64>().map_err(|_| {
                AppError::BadRequest(format!("Reichweite „{r}“: bitte eine ganze Zahl."))
            })?),
        };
        st.store.add_activity(
            &kimo_model::meeting::Activity {
                id: 0,
                date,
                kind: field(form, "art").to_string(),
                title: field(form, "titel").to_string(),
                partners: field(form, "partner").to_string(),
                reach,
                note: field(form, "notiz").to_string(),
            },
            who,
        )?;
        Ok("/aktivitaeten".into())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_as_written() {
        let l = links("warnung:12, indikator:ARB-03\nprojekt:arbeit-p1").unwrap();
        assert_eq!(l.len(), 3);
        assert!(links("foto:1").is_err());
        assert_eq!(iso_day("19.11.2026").as_deref(), Some("2026-11-19"));
    }
}
