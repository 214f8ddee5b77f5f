//! The API's changes, for programs with a personal API token (`Authorization: Bearer kimo_…`) or
//! for a browser session that sends its CSRF token in `X-CSRF-Token`: importing a file and working
//! on a warning, with the rights of the user (an Amt only for its own indicators).

use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Json;
use crate::{AppError, AppState, blocking};
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kimo_model::{Problem, Role, User};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The largest file `POST /api/v1/import` takes (bigger files: `kimo import` at the server).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The user of a changing API request: a token's owner, or a session whose request carries its
/// CSRF token in `X-CSRF-Token`.
fn user_of(
    identity: &Identity,
    headers: &HeaderMap,
) -> Result<Arc<(User, kimo_store::Session)>, AppError> {
    let csrf = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    checked(identity, csrf)
}

/// The query of `POST /api/v1/import`.
#[derive(Deserialize)]
pub struct ImportQuery {
    /// The file's name (its extension tells the format).
    file: Option<String>,
    /// `auto` (default), `long`, `wide`, `open-sdg`, `catalogue`, `geojson`.
    format: Option<String>,
    /// The indicator of a table without an indicator column.
    indicator: Option<String>,
    /// `true`: check only.
    dry_run: Option<String>,
}

/// Problems as JSON: file, line, column and message each.
fn problems_json(problems: &[Problem]) -> serde_json::Value {
    problems
        .iter()
        .map(|p| {
            json!({
                "file": p.origin.file, "line": p.origin.line, "column": p.origin.column,
                "message": p.message, "text": p.to_string(),
            })
        })
        .collect()
}

#[utoipa::path(
    post,
    path = "/api/v1/import",
    tag = "Import",
    summary = "Eine Datei einspielen: alles oder nichts (Redaktion; ein Amt nur für seine Indikatoren)",
    description = "Der Inhalt der Anfrage ist die Datei (CSV, XLSX, Open-SDG-CSV, Katalog, GeoJSON). Mit einer Sitzung statt eines API-Schlüssels muss X-CSRF-Token den CSRF-Schlüssel der Sitzung tragen.",
    params(
        ("file" = Option<String>, Query, description = "Der Dateiname (seine Endung bestimmt das Format)"),
        ("format" = Option<String>, Query, description = "auto (Voreinstellung), long, wide, open-sdg, catalogue, geojson"),
        ("indicator" = Option<String>, Query, description = "Der Indikator einer Tabelle ohne Indikatorspalte"),
        ("dry_run" = Option<String>, Query, description = "true: nur prüfen"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Die Datei"),
    responses(
        (status = 200, description = "Eingespielt (oder geprüft)", body = crate::openapi::ImportDone),
        (status = 400, description = "Abgelehnt, mit jedem Problem (Datei, Zeile, Spalte); nichts wurde geschrieben", body = crate::openapi::ErrorJson),
        (status = 401, description = "Nicht angemeldet", body = crate::openapi::ErrorJson),
        (status = 403, description = "Nicht erlaubt (Rolle, CSRF)", body = crate::openapi::ErrorJson),
        (status = 413, description = "Die Datei ist zu groß", body = crate::openapi::ErrorJson),
    ),
    security(("token" = []), ("session" = []))
)]
/// `POST /api/v1/import?file=NAME[&format=…][&indicator=…][&dry_run=true]` with the file as the
/// body: all or nothing; an Amt only for the indicators it is responsible for; the warnings are
/// evaluated after a written import. 200 with the summary, 400 with every problem.
pub async fn import(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let viewer = user_of(&identity, &headers)?;
    let only_amt = match viewer.0.role {
        Role::Admin | Role::Redaktion => None,
        Role::Amt => Some(viewer.0.amt.clone().unwrap_or_default()),
        Role::Gremium => {
            return Err(AppError::Forbidden(
                "Daten importieren die Redaktion und die Ämter.".into(),
            ));
        }
    };
    let dry_run = crate::params::yes_no("dry_run", &q.dry_run)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let result = blocking(&st, move |st| {
        let name = q.file.unwrap_or_else(|| "upload.csv".into());
        let up = kimo_work::upload::Upload {
            name: &name,
            bytes: &body,
            format: q.format.as_deref().unwrap_or("auto"),
            indicator: q.indicator.as_deref(),
            dry_run,
            actor: &who,
            only_amt: only_amt.as_deref(),
        };
        let r = kimo_work::upload::import(&st.store, &up)
            .map_err(|e| AppError::Internal(format!("{e:#}")))?;
        st.changed();
        Ok(r)
    })
    .await?;
    Ok(match result {
        Ok(done) => {
            let o = &done.outcome;
            let (new, changed, unchanged) = o.totals();
            axum::Json(json!({
                "written": o.written, "dry_run": dry_run, "import_id": o.import_id,
                "new": new, "changed": changed, "unchanged": unchanged,
                "indicators": o.indicators.iter().map(|s| json!({
                    "code": s.code, "new": s.new, "changed": s.changed, "unchanged": s.unchanged,
                })).collect::<Vec<_>>(),
                "notices": o.notices.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
                "evaluation": done.evaluation,
            }))
            .into_response()
        }
        Err(problems) => {
            let n = problems.len();
            let body = json!({
                "error": format!("Import abgelehnt, nichts wurde geschrieben: {n} {}", if n == 1 { "Problem" } else { "Probleme" }),
                "problems": problems_json(&problems),
            });
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
    })
}

/// The body of `POST /api/v1/warnings/{id}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningChange {
    /// `neu`, `in-bearbeitung`, `erledigt`, `fehlalarm` (or their labels).
    #[schema(value_type = Option<crate::openapi::StatusValue>)]
    status: Option<String>,
    /// A person or an Amt.
    assignee: Option<String>,
    /// A comment.
    comment: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/warnings/{id}",
    tag = "Warnhinweise",
    summary = "Einen Warnhinweis bearbeiten: Status, Zuständigkeit, Kommentar",
    params(("id" = i64, Path, description = "Die Nummer des Warnhinweises")),
    request_body(content = WarningChange, content_type = "application/json"),
    responses(
        (status = 200, description = "Der Warnhinweis nach der Änderung, mit Verlauf", body = crate::openapi::WarningWorked),
        (status = 400, description = "Eine ungültige Änderung", body = crate::openapi::ErrorJson),
        (status = 401, description = "Nicht angemeldet", body = crate::openapi::ErrorJson),
        (status = 403, description = "Nicht erlaubt (Rolle, Amt, CSRF)", body = crate::openapi::ErrorJson),
        (status = 404, description = "Unbekannter Warnhinweis", body = crate::openapi::ErrorJson),
        (status = 415, description = "Kein JSON", body = crate::openapi::ErrorJson),
        (status = 422, description = "JSON mit unbekannten oder falschen Feldern", body = crate::openapi::ErrorJson),
    ),
    security(("token" = []), ("session" = []))
)]
/// `POST /api/v1/warnings/{id}` with `{"status", "assignee", "comment"}`: the same change and
/// rights as the warning's page; answers with the warning and its history.
pub async fn work_on_warning(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(change): Json<WarningChange>,
) -> Result<Response, AppError> {
    let viewer = user_of(&identity, &headers)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let json = blocking(&st, move |st| {
        let fields = [change.status, change.assignee, change.comment];
        if let Err(m) = crate::pages::warning::work_as(st, &viewer.0, id, fields, &who)? {
            return Err(AppError::BadRequest(m));
        }
        st.changed();
        let Some((w, history)) = st.store.warning(id)? else {
            return Err(AppError::NotFound(format!(
                "Einen Warnhinweis Nr. {id} gibt es nicht."
            )));
        };
        Ok(json!({ "warning": crate::api::warning_json(&w), "history": history }))
    })
    .await?;
    Ok(axum::Json(json).into_response())
}
