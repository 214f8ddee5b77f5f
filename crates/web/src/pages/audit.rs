//! The audit log for administrators (`/verwaltung/protokoll`, also `.json` and `.csv`): every
//! recorded change, newest first, filtered by action, person and date. Read only: kimo never
//! changes an entry.

use crate::auth::Identity;
use crate::params::Params;
use crate::respond::{Download, Format, View, respond, table_csv};
use crate::{AppError, AppState, Scope, blocking};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kimo_model::{AuditEntry, Role};
use kimo_store::AuditFilter;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The most entries one page shows.
const LIMIT: usize = 500;

/// The filters of the page.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    /// Actions starting with this, e.g. `login`.
    pub aktion: Option<String>,
    /// Exactly this person.
    pub wer: Option<String>,
    /// From this date on (`JJJJ-MM-TT` or `TT.MM.JJJJ`).
    pub seit: Option<String>,
}

/// The audit log as shown.
#[derive(Serialize)]
pub struct AuditView {
    /// The filters as given (for the form).
    pub aktion: String,
    /// The person filter.
    pub wer: String,
    /// The date filter as given.
    pub seit: String,
    /// Entries shown.
    pub count: usize,
    /// Whether there may be more than shown.
    pub limited: bool,
    /// The entries, newest first.
    pub entries: Vec<AuditRow>,
}

/// One entry as shown.
#[derive(Serialize)]
pub struct AuditRow {
    /// The entry itself.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Its time in German notation.
    pub when: String,
}

impl View for AuditView {
    const TEMPLATE: &'static str = "protokoll.html";
    const CSV: bool = true;
    fn title(&self) -> String {
        "Protokoll aller Änderungen".into()
    }
    fn path(&self) -> String {
        "/verwaltung/protokoll".into()
    }
    fn csv(&self) -> Result<Option<Download>, AppError> {
        let rows: Vec<Vec<String>> = self
            .entries
            .iter()
            .map(|r| {
                let e = &r.entry;
                [
                    &e.at, &e.actor, &e.action, &e.object, &e.before, &e.after, &e.address,
                ]
                .map(|s| s.to_string())
                .to_vec()
            })
            .collect();
        let header = [
            "Zeit (UTC)",
            "Wer",
            "Aktion",
            "Objekt",
            "Vorher",
            "Nachher",
            "Adresse",
        ];
        table_csv("protokoll.csv".into(), &header, &rows).map(Some)
    }
}

/// A date filter as the start of that day (RFC 3339), or a German message.
fn since(text: &str) -> Result<Option<String>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    ["%Y-%m-%d", "%d.%m.%Y"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(text, f).ok())
        .map(|d| Some(format!("{}T00:00:00Z", d.format("%Y-%m-%d"))))
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "'{}' ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).",
                kimo_model::quote(text)
            ))
        })
}

fn build(st: &Scope, q: &AuditQuery) -> Result<AuditView, AppError> {
    let text = |o: &Option<String>| o.as_deref().unwrap_or("").trim().to_string();
    let (aktion, wer, seit) = (text(&q.aktion), text(&q.wer), text(&q.seit));
    let filter = AuditFilter {
        action: Some(aktion.clone()).filter(|a| !a.is_empty()),
        actor: Some(wer.clone()).filter(|w| !w.is_empty()),
        since: since(&seit)?,
        limit: LIMIT + 1,
        object: None,
    };
    let mut entries = st.store.audit_log(&filter)?;
    let limited = entries.len() > LIMIT;
    entries.truncate(LIMIT);
    let entries: Vec<AuditRow> = entries
        .into_iter()
        .map(|entry| AuditRow {
            when: chrono::DateTime::parse_from_rfc3339(&entry.at)
                .map(|t| t.format("%d.%m.%Y %H:%M:%S").to_string())
                .unwrap_or_else(|_| entry.at.clone()),
            entry,
        })
        .collect();
    Ok(AuditView {
        aktion,
        wer,
        seit,
        count: entries.len(),
        limited,
        entries,
    })
}

/// `GET /verwaltung/protokoll` (also `.json`, `.csv`): administrators only. Never cached: logins
/// change the log without changing the data version.
pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(segment): Path<String>,
    Params { value: q, raw }: Params<AuditQuery>,
) -> Result<Response, AppError> {
    match identity.0.as_deref() {
        Some((user, _)) if user.role == Role::Admin => {}
        Some(_) => {
            return Err(AppError::Forbidden(
                "Das Protokoll sehen nur Administratorinnen und Administratoren.".into(),
            ));
        }
        None => {
            return Err(AppError::Forbidden(
                "Bitte zuerst anmelden (/anmelden).".into(),
            ));
        }
    }
    let (name, format) = Format::split(&segment);
    if name != "protokoll" {
        return Err(AppError::NotFound("Diese Seite gibt es nicht.".into()));
    }
    let page = blocking(&st, move |st| {
        respond(st, &build(st, &q)?, format, raw.as_deref())
    })
    .await?;
    let mut res = page.into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
