//! Form and JSON bodies as axum reads them, but refused with a German error page (or `{"error"}` on
//! the API) and the rejection's status (400, 413 too large, 415 wrong type, 422 unreadable)
//! instead of axum's English plain text.

use crate::AppError;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// A form body (`application/x-www-form-urlencoded`).
pub struct Form<T>(pub T);

/// A JSON body.
pub struct Json<T>(pub T);

/// The German error for a refused body; `detail` is the reader's own text (API only).
fn refused(status: StatusCode, what: &str, detail: Option<String>) -> AppError {
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("{what} ist zu groß."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => format!("{what} hat den falschen Inhaltstyp."),
        _ => match detail {
            Some(d) => format!("{what} ist fehlerhaft: {d}"),
            None => format!("{what} ist unvollständig oder fehlerhaft."),
        },
    };
    AppError::Refused(status, message)
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(r) => Err(refused(r.status(), "Das Formular", None)),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(refused(r.status(), "Der JSON-Inhalt", Some(r.body_text()))),
        }
    }
}
