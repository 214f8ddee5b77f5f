//! Typed query parameters: `Params<T>` reads the query string into a serde struct (repeated keys
//! into vectors) and answers a 400 with a German message when it does not fit.

use crate::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string parsed into `T`, plus the raw query (for cache keys and links).
pub struct Params<T> {
    /// The typed parameters.
    pub value: T,
    /// The query string as sent (without `?`).
    pub raw: Option<String>,
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().map(str::to_string);
        let value = serde_html_form::from_str(raw.as_deref().unwrap_or("")).map_err(|e| {
            // An unknown parameter is named in German; anything else keeps serde's words.
            let text = e.to_string();
            match text
                .strip_prefix("unknown field `")
                .and_then(|r| r.split('`').next())
            {
                Some(name) => {
                    AppError::BadRequest(format!("Den Parameter '{name}' gibt es hier nicht."))
                }
                None => AppError::BadRequest(format!(
                    "Die Angaben in der Adresse passen nicht: {text}."
                )),
            }
        })?;
        Ok(Params { value, raw })
    }
}

/// A parameter's value, or `None` when it is missing or empty (as an unselected form field sends it).
/// Taken exactly as sent — not trimmed —, so that what the API's description allows (the codes
/// that exist, or empty) is exactly what is accepted.
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// A yes/no parameter: `1`, `ja`, `true` or `on` are yes; missing or empty is no; anything else is a 400.
pub fn yes_no(name: &str, v: &Option<String>) -> Result<bool, AppError> {
    match given(v) {
        None => Ok(false),
        Some("1" | "ja" | "true" | "on") => Ok(true),
        Some("0" | "nein" | "false" | "off") => Ok(false),
        Some(other) => Err(AppError::BadRequest(format!(
            "'{other}' ist für '{name}' kein gültiger Wert (erlaubt: 1 oder 0)."
        ))),
    }
}

/// A whole-number parameter, or a 400 naming it.
pub fn number(name: &str, v: &Option<String>) -> Result<Option<i64>, AppError> {
    given(v)
        .map(|s| {
            s.parse().map_err(|_| {
                AppError::BadRequest(format!("'{s}' ist für '{name}' keine ganze Zahl."))
            })
        })
        .transpose()
}

/// A choice among known codes, or a 400 listing what is allowed.
pub fn one_of<'a>(
    name: &str,
    v: &'a Option<String>,
    allowed: &[&str],
) -> Result<Option<&'a str>, AppError> {
    match given(v) {
        Some(s) if !allowed.contains(&s) => Err(AppError::BadRequest(format!(
            "'{s}' ist für '{name}' kein gültiger Wert (erlaubt: {}).",
            allowed.join(", ")
        ))),
        other => Ok(other),
    }
}
