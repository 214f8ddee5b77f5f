//! Errors a handler can answer with: a German HTML page, or `{"error": …}` for the API and the
//! `.json` twins of pages.

use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

/// Errors a handler can answer with.
#[derive(Debug)]
pub enum AppError {
    /// 404 with a German message.
    NotFound(String),
    /// 400 with a German message.
    BadRequest(String),
    /// 409 with a German message.
    Conflict(String),
    /// 403 with a German message (a form without its CSRF token, a missing right).
    Forbidden(String),
    /// 401 with a German message and `WWW-Authenticate: Bearer` (an unknown or revoked API token).
    Unauthorized(String),
    /// A refused request body (too large, wrong type, unreadable) with its status.
    Refused(StatusCode, String),
    /// 500; the detail goes to the log, the user sees a general message.
    Internal(String),
}

impl std::fmt::Display for AppError {
    /// The message (for the command line, which uses the web's builders).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::NotFound(m)
            | AppError::BadRequest(m)
            | AppError::Conflict(m)
            | AppError::Forbidden(m)
            | AppError::Unauthorized(m)
            | AppError::Refused(_, m)
            | AppError::Internal(m) => f.write_str(m),
        }
    }
}

impl From<kimo_store::Error> for AppError {
    fn from(e: kimo_store::Error) -> Self {
        use kimo_store::Error as E;
        match e {
            E::NotFound(m) => AppError::NotFound(m),
            E::Invalid(m) => AppError::BadRequest(m),
            E::Conflict(m) => AppError::Conflict(m),
            E::Rejected(_) => AppError::BadRequest(e.to_string()),
            E::Database { .. } => {
                // The log gets the whole chain: what the store did and the driver's reason.
                let mut m = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    m.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                AppError::Internal(m)
            }
        }
    }
}

/// The message of an error answer, kept on the response so that JSON routes can re-shape it.
#[derive(Clone, Debug)]
struct ErrorMessage(String);

impl AppError {
    /// The status code and the German title and message shown.
    fn parts(self) -> (StatusCode, &'static str, String) {
        match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Nicht gefunden", m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Ungültige Anfrage", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "Konflikt", m),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "Nicht erlaubt", m),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, "Nicht angemeldet", m),
            AppError::Refused(status, m) => (status, "Ungültige Anfrage", m),
            AppError::Internal(m) => {
                tracing::error!(target: "kimo::web", "{m}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Interner Fehler",
                    "Die Seite konnte nicht erstellt werden.".to_string(),
                )
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = self.parts();
        // The title is translated in the template, where the request's language is known.
        let body = crate::render(
            "error.html",
            minijinja::context! { title => title, message => &message, demo => false, error_page => true },
        )
        .unwrap_or_else(|_| {
            format!(
                "<!DOCTYPE html><html lang=\"de\"><title>{title}</title><h1>{title}</h1></html>"
            )
        });
        let mut r = (status, Html(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"kimo\""),
            );
        }
        r.extensions_mut().insert(ErrorMessage(message));
        r
    }
}

/// Whether a path answers in JSON: the API and the `.json` twins of pages.
pub fn is_json_path(path: &str) -> bool {
    path.starts_with("/api/") || path.ends_with(".json")
}

/// Middleware: error answers on JSON routes become `{"error": "…"}` with the same status.
pub async fn json_errors(uri: Uri, mut res: Response) -> Response {
    if !is_json_path(uri.path()) {
        return res;
    }
    match res.extensions_mut().remove::<ErrorMessage>() {
        Some(ErrorMessage(m)) => {
            let status = res.status();
            let mut r = (status, axum::Json(serde_json::json!({ "error": m }))).into_response();
            if let Some(v) = res.headers().get(header::WWW_AUTHENTICATE) {
                r.headers_mut().insert(header::WWW_AUTHENTICATE, v.clone());
            }
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            r
        }
        // An extractor's refusal (a path segment that is no number, a body that is no JSON):
        // axum answers in plain text; the API answers in JSON, with axum's words — and the same
        // headers (`Allow` of a 405, the security headers).
        None if res.status().is_client_error() && !is_json(&res) => {
            let (mut parts, body) = res.into_parts();
            let text = match axum::body::to_bytes(body, 64 * 1024).await {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(_) => String::new(),
            };
            let why = match text.trim() {
                "" => parts.status.canonical_reason().unwrap_or("").to_string(),
                t => t.to_string(),
            };
            let body = serde_json::json!({ "error": format!("Die Anfrage ist ungültig: {why}") });
            parts.headers.remove(header::CONTENT_LENGTH);
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/json"),
            );
            Response::from_parts(parts, axum::body::Body::from(body.to_string()))
        }
        None => res,
    }
}

/// Whether an answer is JSON already.
fn is_json(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"))
}
