//! One warning as a work item (`/warnungen/{id}`): what it says, its history, and — for those
//! allowed — the form to set its status and assignee and to comment. Internal only.

use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::{Role, User, WarningStatus};
use serde::Deserialize;
use std::sync::Arc;

/// What a user may do with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    /// Read it and its history.
    Read,
    /// Also comment (Arbeitskreis, Gremium).
    Comment,
    /// Also set status and assignee (Redaktion, administrators, the Amt of the indicator).
    Work,
}

/// The right of `user` on a warning of an indicator whose responsible Amt is `department`.
pub fn right(user: &User, department: &str) -> Right {
    match user.role {
        Role::Admin | Role::Redaktion => Right::Work,
        Role::Amt
            if user
                .amt
                .as_deref()
                .is_some_and(|a| !a.is_empty() && a == department) =>
        {
            Right::Work
        }
        Role::Amt => Right::Read,
        Role::Gremium => Right::Comment,
    }
}

/// The form's fields.
#[derive(Deserialize)]
pub struct WorkForm {
    #[serde(default)]
    csrf: String,
    status: Option<String>,
    zustaendig: Option<String>,
    kommentar: Option<String>,
}

/// Sets status and assignee and adds a comment, as far as `user` may (403 otherwise);
/// `fields` are status, assignee and comment (empty or missing: unchanged). Ok(Err(message)) for
/// a wrong status. Used by the page and by `POST /api/v1/warnings/{id}`.
pub fn work_as(
    st: &crate::Scope,
    user: &User,
    id: i64,
    fields: [Option<String>; 3],
    who: &kimo_store::Actor,
) -> Result<Result<(), String>, AppError> {
    let Some((w, _)) = st.store.warning(id)? else {
        return Err(AppError::NotFound(format!(
            "Einen Warnhinweis Nr. {id} gibt es nicht."
        )));
    };
    let ind = st.indicator(&w.indicator)?;
    let right = right(user, &ind.department);
    let [status, assignee, comment] =
        fields.map(|o| o.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()));
    let changes_work = status.as_deref().is_some_and(|s| s != w.status.code())
        || assignee.is_some() && assignee != w.assignee;
    let refused = match right {
        Right::Work => None,
        Right::Comment if !changes_work => None,
        Right::Comment => Some(
            "Status und Zuständigkeit ändern die Redaktion und das zuständige Amt; Sie können kommentieren.",
        ),
        Right::Read => Some("Diesen Warnhinweis bearbeitet das zuständige Amt oder die Redaktion."),
    };
    if let Some(m) = refused {
        return Err(AppError::Forbidden(m.into()));
    }
    let (s, a, c) = (status.as_deref(), assignee.as_deref(), comment.as_deref());
    match st.store.work_on_warning(id, s, a, c, who) {
        Ok(()) => Ok(Ok(())),
        Err(kimo_store::Error::Invalid(m)) => Ok(Err(m)),
        Err(e) => Err(e.into()),
    }
}

/// The page, with a message (after a refused change) and its status code.
fn page(
    st: &crate::Scope,
    user: &User,
    csrf: &str,
    id: i64,
    message: &str,
) -> Result<(StatusCode, String), AppError> {
    let Some((w, events)) = st.store.warning(id)? else {
        return Err(AppError::NotFound(format!(
            "Einen Warnhinweis Nr. {id} gibt es nicht."
        )));
    };
    let ind = st.indicator(&w.indicator)?;
    let right = right(user, &ind.department);
    let history: Vec<_> = events
        .iter()
        .map(|e| {
            minijinja::context! {
                at => &e.at, actor => &e.actor, kind => &e.kind, old => &e.old_value,
                new => &e.new_value, comment => &e.comment,
            }
        })
        .collect();
    let statuses: Vec<_> = WarningStatus::ALL
        .iter()
        .map(|s| minijinja::context! { code => s.code(), label => s.label(), current => *s == w.status })
        .collect();
    let (discussed, coming) = super::meetings::for_warning(st, id)?;
    let council = crate::format::council_papers(&st.store, &format!("warnung:{id}"))?;
    let body = render(
        "warnung.html",
        minijinja::context! {
            title => format!("Warnhinweis Nr. {id}"), demo => st.demo, internal => true,
            w => minijinja::value::Serde(&w), status_label => w.status.label(),
            link => super::lagebild::series_link(&w), history => history, statuses => statuses,
            csrf => csrf, message => message, department => &ind.department,
            may_work => right == Right::Work, may_comment => right != Right::Read,
            discussed => discussed, coming => coming,
            may_schedule => super::konzept_edit::may_edit(user),
            council => minijinja::value::Serde(&council),
        },
    )?;
    let code = match message.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::BAD_REQUEST,
    };
    Ok((code, body))
}

/// `GET /warnungen/{id}` (also `.json`: the warning, its history and the viewer's rights):
/// logged-in users only.
pub async fn show(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(segment): Path<String>,
) -> Result<Response, AppError> {
    let Some(viewer) = identity.0 else {
        return Err(AppError::Forbidden(
            "Warnhinweise sind intern: bitte anmelden (/anmelden).".into(),
        ));
    };
    let (id, format) = crate::Format::split(&segment);
    let Ok(id) = id.parse::<i64>() else {
        let id = kimo_model::quote(id);
        return Err(AppError::NotFound(format!(
            "Einen Warnhinweis Nr. {id} gibt es nicht."
        )));
    };
    if format == crate::Format::Json {
        let json = blocking(&st, move |st| {
            let Some((w, history)) = st.store.warning(id)? else {
                return Err(AppError::NotFound(format!(
                    "Einen Warnhinweis Nr. {id} gibt es nicht."
                )));
            };
            let right = right(&viewer.0, &st.indicator(&w.indicator)?.department);
            Ok(serde_json::json!({
                "warning": w, "history": history,
                "may_work": right == Right::Work, "may_comment": right != Right::Read,
            }))
        })
        .await?;
        let mut res = axum::Json(json).into_response();
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        return Ok(res);
    }
    let (code, body) = blocking(&st, move |st| page(st, &viewer.0, &viewer.1.csrf, id, "")).await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /warnungen/{id}`: sets status and assignee (with the right to work on it) and adds a
/// comment (with the right to comment); each change in the history and the audit log.
pub async fn work(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<WorkForm>,
) -> Result<Response, AppError> {
    let viewer = checked(&identity, &form.csrf)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        let (status, assignee, comment) = (form.status, form.zustaendig, form.kommentar);
        match work_as(st, &viewer.0, id, [status, assignee, comment], &who)? {
            Ok(()) => Ok(None),
            // A wrong status: the page again, with the message.
            Err(m) => page(st, &viewer.0, &viewer.1.csrf, id, &m).map(Some),
        }
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&format!("/warnungen/{id}")).into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}
