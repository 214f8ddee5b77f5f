//! Personal API tokens: made on the account page (shown once, stored as a hash), sent by programs
//! as `Authorization: Bearer kimo_…`, acting with the rights of their owner; revoked on the account
//! page. A wrong or revoked token is a 401, never a silent fallback to the public.

use crate::auth::{ClientAddr, Identity, actor, checked_browser};
use crate::extract::Form;
use crate::{AppError, AppState};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kimo_store::Session;
use serde::Deserialize;
use std::sync::Arc;

/// The prefix of every token (so that a leaked one is recognisable in logs and by scanners).
pub const PREFIX: &str = "kimo_";

/// The longest name of a token.
const MAX_NAME_CHARS: usize = 80;

/// The token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The identity of a token: its owner, or 401.
pub async fn identity(st: &Arc<AppState>, token: String) -> Result<Identity, AppError> {
    let hash = kimo_auth::token_hash(&token);
    let s = st.clone();
    let user = tokio::task::spawn_blocking(move || s.store.token_user(&hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let Some(user) = user else {
        return Err(AppError::Unauthorized(
            "Der API-Schlüssel ist ungültig oder widerrufen, oder sein Konto ist gesperrt.".into(),
        ));
    };
    let session = Session {
        id: 0,
        user_id: user.id,
        csrf: String::new(),
        created_at: String::new(),
        last_seen: String::new(),
        address: String::new(),
        agent: "API-Schlüssel".into(),
    };
    Ok(Identity(Some(Arc::new((user, session))), true))
}

/// The form that makes a token.
#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    csrf: String,
    name: String,
}

/// `POST /konto/schluessel`: makes a token and shows it once on the account page.
pub async fn create(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, AppError> {
    let viewer = checked_browser(&identity, &form.csrf)?;
    let name = form.name.trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        let m = format!("Der Name des Schlüssels muss 1 bis {MAX_NAME_CHARS} Zeichen lang sein.");
        return crate::auth::account_page(st, identity, &m, StatusCode::BAD_REQUEST, None).await;
    }
    let token = format!("{PREFIX}{}", kimo_auth::new_token());
    let (s, hash, who) = (
        st.clone(),
        kimo_auth::token_hash(&token),
        actor(&viewer.0.name, addr.as_ref()),
    );
    crate::auth::off_thread(move || Ok(s.store.add_token(&viewer.0, &name, &hash, &who)?)).await?;
    crate::auth::account_page(st, identity, "", StatusCode::OK, Some(&token)).await
}

/// The form that revokes a token.
#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /konto/schluessel/{id}/widerrufen`: revokes one of one's own tokens.
pub async fn revoke(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    let viewer = checked_browser(&identity, &form.csrf)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let done =
        crate::auth::off_thread(move || Ok(st.store.revoke_token(&viewer.0, id, &who)?)).await?;
    if !done {
        return Err(AppError::NotFound(format!(
            "Einen aktiven API-Schlüssel Nr. {id} hat dieses Konto nicht."
        )));
    }
    Ok(Redirect::to("/konto#schluessel-h").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_authorization_header() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer kimo_ab12".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("kimo_ab12"));
        h.insert(header::AUTHORIZATION, "bearer  kimo_x ".parse().unwrap());
        assert_eq!(bearer(&h).as_deref(), Some("kimo_x"));
        h.insert(header::AUTHORIZATION, "Basic dXNlcjpwdw==".parse().unwrap());
        assert_eq!(bearer(&h), None);
    }
}
