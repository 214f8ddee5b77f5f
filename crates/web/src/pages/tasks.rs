//! „Meine Aufgaben“ (`/aufgaben`, also `.json`): the open warnings assigned to the user (by login
//! name, display name or e-mail) or to the user's Amt, the new unassigned warnings of the
//! indicators the user's Amt is responsible for, and the open tasks from meetings for the user or
//! the Amt. Logged-in users only; never cached.

use crate::auth::Identity;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use kimo_model::{User, WarningStatus};
use kimo_store::{Warning, WarningFilter};
use serde::Serialize;
use std::sync::Arc;

/// The user's tasks.
#[derive(Debug, Serialize)]
pub struct Tasks {
    /// Open warnings assigned to the user or the user's Amt.
    pub assigned: Vec<Warning>,
    /// New, unassigned warnings of the indicators of the user's Amt.
    pub unassigned: Vec<Warning>,
    /// Open tasks from meetings for the user or the user's Amt.
    pub meeting_tasks: Vec<kimo_model::meeting::Task>,
}

/// Whether a warning's assignee names the user or the user's Amt (case and spaces aside).
pub fn assigned_to(assignee: &str, user: &User) -> bool {
    let a = assignee.trim().to_lowercase();
    !a.is_empty()
        && [Some(&user.name), user.email.as_ref(), user.amt.as_ref()]
            .into_iter()
            .flatten()
            .any(|n| n.trim().to_lowercase() == a)
}

/// Whether a warning still needs work (not done, not a false alarm).
fn open(w: &Warning) -> bool {
    !matches!(w.status, WarningStatus::Erledigt | WarningStatus::Fehlalarm)
}

/// The tasks of `user` among the active warnings.
fn tasks(st: &crate::Scope, user: &User) -> Result<Tasks, AppError> {
    let warnings = st.store.warnings(&WarningFilter::default())?;
    let inds = st.indicators()?;
    let of_my_amt = |w: &Warning| {
        user.amt.as_deref().is_some_and(|amt| {
            inds.iter()
                .any(|i| i.code == w.indicator && !amt.is_empty() && i.department == amt)
        })
    };
    let (mut assigned, mut unassigned) = (Vec::new(), Vec::new());
    for w in warnings.into_iter().filter(open) {
        match w.assignee.as_deref() {
            Some(a) if assigned_to(a, user) => assigned.push(w),
            None if w.status == WarningStatus::Neu && of_my_amt(&w) => unassigned.push(w),
            _ => {}
        }
    }
    let meeting_tasks = st
        .store
        .tasks()?
        .into_iter()
        .filter(|t| {
            t.status != kimo_model::meeting::TaskStatus::Erledigt && assigned_to(&t.owner, user)
        })
        .collect();
    Ok(Tasks {
        assigned,
        unassigned,
        meeting_tasks,
    })
}

/// `GET /aufgaben`.
pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    answer(st, identity, false).await
}

/// `GET /aufgaben.json`.
pub async fn page_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    answer(st, identity, true).await
}

async fn answer(st: Arc<AppState>, identity: Identity, json: bool) -> Result<Response, AppError> {
    let Some(viewer) = identity.0 else {
        return Err(AppError::Forbidden(
            "„Meine Aufgaben“ gibt es nach der Anmeldung (/anmelden).".into(),
        ));
    };
    let out = blocking(&st, move |st| {
        let t = tasks(st, &viewer.0)?;
        if json {
            return serde_json::to_string(&t).map_err(|e| AppError::Internal(e.to_string()));
        }
        let row = |w: &Warning| {
            minijinja::context! {
                w => minijinja::value::Serde(w), status => w.status.label(),
            }
        };
        render(
            "aufgaben.html",
            minijinja::context! {
                title => "Meine Aufgaben", demo => st.demo, internal => true,
                name => &viewer.0.name, amt => &viewer.0.amt,
                assigned => t.assigned.iter().map(row).collect::<Vec<_>>(),
                meeting_tasks => t.meeting_tasks.iter().map(|x| minijinja::context! {
                    t => minijinja::value::Serde(x), status => x.status.label(),
                    due => x.due.as_deref().map(crate::format::local_date),
                }).collect::<Vec<_>>(),
                unassigned => t.unassigned.iter().map(row).collect::<Vec<_>>(),
            },
        )
    })
    .await?;
    let mut res = match json {
        true => ([(header::CONTENT_TYPE, "application/json")], out).into_response(),
        false => Html(out).into_response(),
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::Role;

    #[test]
    fn assigned_by_name_email_or_amt() {
        let u = User {
            id: 1,
            name: "b.schulz".into(),
            role: Role::Amt,
            amt: Some("Jobcenter".into()),
            email: Some("B.Schulz@karlsruhe.de".into()),
            disabled: false,
            must_change_password: false,
            created_at: String::new(),
        };
        assert!(assigned_to(" B.Schulz ", &u));
        assert!(assigned_to("b.schulz@karlsruhe.de", &u));
        assert!(assigned_to("jobcenter", &u));
        assert!(!assigned_to("Ordnungsamt", &u));
        assert!(!assigned_to("", &u));
    }
}
