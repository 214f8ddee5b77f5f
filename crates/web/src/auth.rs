//! Who is asking: the session cookie, login and logout, the account page, CSRF tokens on every
//! form, login throttling, and the security headers of every answer.

use crate::extract::Form;
use crate::{AppError, AppState, Audience, render};
use axum::extract::{Extension, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kimo_model::User;
use kimo_store::{Actor, Session};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;

/// The session cookie.
pub(crate) const SESSION_COOKIE: &str = "kimo_sitzung";
/// The cookie of the login form's CSRF token (there is no session yet).
const LOGIN_COOKIE: &str = "kimo_anmeldung";
/// A session ends after this long without a request.
pub const IDLE_SECONDS: i64 = 8 * 3600;
/// A session ends this long after the login, whatever happens.
pub const MAX_SECONDS: i64 = 7 * 24 * 3600;
/// Failed logins within this window count for throttling.
const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// The client's address, put on every request by the server.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub std::net::SocketAddr);

/// The logged-in user of a request, if any, and whether it came with an API token (`true`) rather
/// than a browser session.
#[derive(Clone, Default)]
pub struct Identity(pub Option<Arc<(User, Session)>>, pub bool);

/// Middleware: finds the session of the request's cookie (valid, account enabled) and puts the
/// [`Identity`] on the request; adds the security headers to every answer.
pub async fn identify(State(st): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let identity = match crate::tokens::bearer(req.headers()) {
        Some(token) => crate::tokens::identity(&st, token).await,
        None => session_identity(&st, req.headers()).await,
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(e) => {
            let mut res = e.into_response();
            security_headers(res.headers_mut());
            return res;
        }
    };
    // The demo city has nothing confidential: its visitors see the internal pages too.
    // English pages are the public's (see `lang`).
    let english = crate::lang::chosen().lang == kimo_model::lang::Lang::En;
    let audience = match (&identity.0, st.demo) {
        _ if english => Audience::Public,
        (Some(_), _) | (None, true) => Audience::Internal,
        (None, false) => Audience::Public,
    };
    req.extensions_mut().insert(identity);
    let mut res = AUDIENCE.scope(audience, next.run(req)).await;
    // A 304 updates the stored answer's headers: it brings none, so that an embeddable chart's
    // own policy stays.
    if res.status() != axum::http::StatusCode::NOT_MODIFIED {
        security_headers(res.headers_mut());
    }
    res
}

/// The identity of a request's session cookie (none without a valid session).
async fn session_identity(st: &Arc<AppState>, headers: &HeaderMap) -> Result<Identity, AppError> {
    Ok(match cookie(headers, SESSION_COOKIE) {
        Some(token) => {
            let hash = kimo_auth::token_hash(&token);
            let s = st.clone();
            let found = tokio::task::spawn_blocking(move || {
                s.store.session(&hash, IDLE_SECONDS, MAX_SECONDS)
            })
            .await;
            match found {
                Ok(Ok(found)) => Identity(found.map(Arc::new), false),
                Ok(Err(e)) => return Err(e.into()),
                Err(e) => return Err(AppError::Internal(e.to_string())),
            }
        }
        None => Identity(None, false),
    })
}

tokio::task_local! {
    /// The audience of the request being answered, set by [`identify`] for the whole request.
    pub static AUDIENCE: Audience;
}

/// The audience of the current request; the public outside a request (the safe default).
pub fn audience() -> Audience {
    AUDIENCE.try_with(|a| *a).unwrap_or(Audience::Public)
}

/// Content-Security-Policy without inline script, no MIME sniffing, no referrer to other sites,
/// no framing by other sites — unless the answer brings a policy of its own (an embeddable chart,
/// which says which sites may frame it; then no `X-Frame-Options` contradicts it).
pub(crate) fn security_headers(h: &mut HeaderMap) {
    let framed_anywhere = h
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("frame-ancestors *"));
    if framed_anywhere {
        for (name, value) in [
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "same-origin"),
        ] {
            h.entry(name).or_insert(HeaderValue::from_static(value));
        }
        return;
    }
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ] {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
}

/// A cookie's value.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS (a
/// proxy says so in `X-Forwarded-Proto`); `max_age` 0 removes it.
fn set_cookie(headers: &HeaderMap, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .expect("tokens are hex")
}

/// Who acts, for the audit log: the login name (or what was typed) and the client address.
pub(crate) fn actor(name: &str, addr: Option<&Extension<ClientAddr>>) -> Actor {
    Actor {
        name: name.to_string(),
        address: addr.map(|a| a.0.0.ip().to_string()).unwrap_or_default(),
    }
}

/// Runs blocking work (store, password hashing) off the async threads.
pub(crate) async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    passwort: String,
    #[serde(default)]
    csrf: String,
}

fn login_page(message: &str, name: &str, csrf: &str) -> Result<String, AppError> {
    render(
        "anmelden.html",
        minijinja::context! {
            title => "Anmelden", message => message, name => name, csrf => csrf, demo => false
        },
    )
}

/// `GET /anmelden`: the login form, with a fresh CSRF token in the form and in a cookie.
pub async fn login_form(headers: HeaderMap) -> Result<Response, AppError> {
    let csrf = kimo_auth::new_token();
    let mut res = Html(login_page("", "", &csrf)?).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&headers, LOGIN_COOKIE, &csrf, 3600),
    );
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `POST /anmelden`: checks the CSRF token, waits after repeated failures (per account and per
/// address), checks the password off the async threads, and starts a session.
pub async fn login(
    State(st): State<Arc<AppState>>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !kimo_auth::same_token(&expected, &form.csrf) {
        return Err(AppError::Forbidden(
            "Das Formular ist abgelaufen oder kam nicht von dieser Seite. Bitte die Anmeldeseite neu laden.".into(),
        ));
    }
    let name =
        kimo_model::login_name(&form.name).unwrap_or_else(|_| form.name.trim().to_lowercase());
    let who = actor(&name, addr.as_ref());
    // One attempt per account at a time, so that parallel guesses each wait their turn.
    let line = st.login_line(&name);
    let _turn = line.lock().await;
    let (s, n, w) = (st.clone(), name.clone(), who.clone());
    let since = (chrono::Utc::now() - chrono::Duration::minutes(THROTTLE_WINDOW_MINUTES))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let (per_account, per_address) = off_thread(move || {
        Ok(s.store
            .recent("login.failed", &format!("konto:{n}"), &w.address, &since)?)
    })
    .await?;
    let wait = throttle(per_account, per_address);
    if !wait.is_zero() {
        tokio::time::sleep(wait).await;
    }
    let (s, n, password, w) = (st.clone(), name.clone(), form.passwort, who.clone());
    let checked = {
        let _slot = st
            .password_checks
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        off_thread(move || check_password(&s, &n, &password, &w)).await?
    };
    let user = match checked {
        Ok(user) => user,
        Err(reason) => return failed_login(st, who, &name, wait, &headers, reason).await,
    };
    let token = kimo_auth::new_token();
    let (s, u, t, w) = (st.clone(), user.clone(), token.clone(), who);
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect::<String>();
    off_thread(move || {
        let hash = kimo_auth::token_hash(&t);
        Ok(s.store
            .start_session(&u, &hash, &kimo_auth::new_token(), &w, &agent)?)
    })
    .await?;
    let mut res = Redirect::to("/konto").into_response();
    let h = res.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION_COOKIE, &token, MAX_SECONDS),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(&headers, LOGIN_COOKIE, "", 0),
    );
    Ok(res)
}

/// Checks a login: a local account with a kimo password by its Argon2 hash, every other name by
/// the directory when one is configured (its account made or brought up to date from the
/// directory). Err(reason) for a refusal: None for the usual message, or the directory's own
/// (not reachable, no kimo role).
fn check_password(
    st: &AppState,
    name: &str,
    password: &str,
    who: &Actor,
) -> Result<Result<User, Option<&'static str>>, AppError> {
    let found = st.store.user_with_hash(name)?;
    if let Some((user, hash)) = &found
        && !hash.is_empty()
    {
        let ok = kimo_auth::verify_password(password, hash) && !user.disabled;
        return Ok(if ok { Ok(user.clone()) } else { Err(None) });
    }
    let directory = st
        .directory
        .get()
        .filter(|_| kimo_model::login_name(name).is_ok());
    let Some(cfg) = directory else {
        // As long as for an existing account, so the time does not tell which names exist.
        kimo_auth::verify_password(password, unknown_account_hash());
        return Ok(Err(None));
    };
    let person = match kimo_auth::ldap::authenticate(cfg, name, password) {
        Ok(p) => p,
        Err(e @ kimo_auth::ldap::LdapError::WrongCredentials) => {
            tracing::info!(target: "kimo::auth", "Verzeichnis: {e}");
            return Ok(Err(None));
        }
        Err(e) => {
            tracing::warn!(target: "kimo::auth", "Verzeichnis: {e}");
            return Ok(Err(Some(e.user_message())));
        }
    };
    if found.is_some_and(|(u, _)| u.disabled) {
        return Ok(Err(None));
    }
    let new = kimo_store::NewUser {
        name: name.to_string(),
        role: person.role,
        amt: person.amt,
        email: person.email,
    };
    Ok(Ok(st.store.directory_user(&new, who)?))
}

/// A hash to check passwords for unknown accounts against (made once).
fn unknown_account_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| kimo_auth::hash_password(&kimo_auth::new_token()))
}

/// A failed login: recorded in the audit log, and the form again with the German message (how
/// long it waited, when it did) and a new CSRF token.
async fn failed_login(
    st: Arc<AppState>,
    who: Actor,
    name: &str,
    wait: Duration,
    headers: &HeaderMap,
    reason: Option<&str>,
) -> Result<Response, AppError> {
    let object = format!("konto:{name}");
    off_thread(move || Ok(st.store.record(&who, "login.failed", &object)?)).await?;
    let mut message = match reason {
        Some(r) => format!("Anmeldung fehlgeschlagen: {r}"),
        None => "Anmeldung fehlgeschlagen: Name oder Passwort falsch, oder das Konto ist gesperrt."
            .to_string(),
    };
    if !wait.is_zero() {
        let seconds = match wait.as_secs() {
            1 => "1 Sekunde".to_string(),
            n => format!("{n} Sekunden"),
        };
        message.push_str(&format!(
            " Nach mehreren Fehlversuchen wartet jede Anmeldung; diese hat {seconds} gewartet."
        ));
    }
    let csrf = kimo_auth::new_token();
    let mut res = (
        axum::http::StatusCode::UNAUTHORIZED,
        Html(login_page(&message, name, &csrf)?),
    )
        .into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(headers, LOGIN_COOKIE, &csrf, 3600),
    );
    Ok(res)
}

/// How long a login waits after `per_account` failures for the account and `per_address` from
/// the address within the window: nothing for the first three, then doubling up to 30 s.
pub fn throttle(per_account: usize, per_address: usize) -> Duration {
    let n = per_account.max(per_address / 4);
    match n {
        0..=2 => Duration::ZERO,
        n => Duration::from_secs((1u64 << (n - 3).min(5)).min(30)),
    }
}

/// A form that needs the logged-in user's CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// The logged-in user, when the form carries the session's CSRF token; 403 otherwise.
pub(crate) fn checked(identity: &Identity, csrf: &str) -> Result<Arc<(User, Session)>, AppError> {
    let Some(viewer) = identity.0.clone() else {
        return Err(AppError::Forbidden("Bitte zuerst anmelden.".into()));
    };
    // An API token is sent by a program, never added by a browser on its own: no CSRF risk.
    if identity.1 {
        return Ok(viewer);
    }
    if !kimo_auth::same_token(&viewer.1.csrf, csrf) {
        return Err(AppError::Forbidden(
            "Das Formular kam nicht von dieser Sitzung (CSRF-Schutz). Bitte die Seite neu laden."
                .into(),
        ));
    }
    Ok(viewer)
}

/// The same for what only a browser session may do (log out, change the password, end sessions,
/// make API tokens): an API token gets 403.
pub(crate) fn checked_browser(
    identity: &Identity,
    csrf: &str,
) -> Result<Arc<(User, Session)>, AppError> {
    if identity.1 {
        return Err(AppError::Forbidden(
            "Das geht nur im Browser, nicht mit einem API-Schlüssel.".into(),
        ));
    }
    checked(identity, csrf)
}

/// `POST /abmelden`: ends the session.
pub async fn logout(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let viewer = checked_browser(&identity, &form.csrf)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    off_thread(move || Ok(st.store.end_session(&viewer.0, viewer.1.id, &who)?)).await?;
    let mut res = Redirect::to("/").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        set_cookie(&headers, SESSION_COOKIE, "", 0),
    );
    Ok(res)
}

/// `GET /konto`: one's account: role, password change, sessions.
pub async fn account(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    account_page(st, identity, "", axum::http::StatusCode::OK, None).await
}

/// `GET /konto.json`: the same as data (without the form token).
pub async fn account_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    let Some(viewer) = identity.0 else {
        return Err(AppError::Forbidden("Bitte zuerst anmelden.".into()));
    };
    let id = viewer.0.id;
    let (sessions, tokens) =
        off_thread(move || Ok((st.store.sessions_of(id)?, st.store.tokens_of(id)?))).await?;
    let (user, current) = (&viewer.0, viewer.1.id);
    let sessions: Vec<_> = sessions
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id, "since": s.created_at, "last": s.last_seen, "address": s.address,
                "agent": s.agent, "current": s.id == current,
            })
        })
        .collect();
    let json = serde_json::json!({
        "name": user.name, "role": user.role.code(), "role_label": user.role.label(),
        "amt": user.amt, "must_change_password": user.must_change_password,
        "sessions": sessions, "api_tokens": tokens, "via_api_token": identity.1,
    });
    let mut res = axum::Json(json).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// The account page with a message (and status), and a token just made (shown this once).
pub(crate) async fn account_page(
    st: Arc<AppState>,
    identity: Identity,
    message: &str,
    status: axum::http::StatusCode,
    new_token: Option<&str>,
) -> Result<Response, AppError> {
    let Some(viewer) = identity.0 else {
        return Ok(Redirect::to("/anmelden").into_response());
    };
    let (id, name) = (viewer.0.id, viewer.0.name.clone());
    let (sessions, tokens, directory) = off_thread(move || {
        let directory = st
            .store
            .user_with_hash(&name)?
            .is_some_and(|(_, h)| h.is_empty());
        Ok((
            st.store.sessions_of(id)?,
            st.store.tokens_of(id)?,
            directory,
        ))
    })
    .await?;
    let tokens: Vec<_> = tokens
        .iter()
        .map(|t| {
            minijinja::context! {
                id => t.id, name => &t.name, since => stamp(&t.created_at),
                used => t.last_used.as_deref().map(stamp), revoked => t.revoked_at.as_deref().map(stamp),
            }
        })
        .collect();
    let (user, current) = (&viewer.0, &viewer.1);
    let rows: Vec<_> = sessions
        .iter()
        .map(|s| {
            minijinja::context! {
                id => s.id, since => stamp(&s.created_at), last => stamp(&s.last_seen),
                address => &s.address, agent => &s.agent, current => s.id == current.id
            }
        })
        .collect();
    let body = render(
        "konto.html",
        minijinja::context! {
            title => "Mein Konto", demo => false, csrf => &current.csrf, message => message,
            name => &user.name, role => user.role.label(), amt => &user.amt,
            must_change => user.must_change_password, sessions => rows, tokens => tokens,
            new_token => new_token, directory => directory,
            admin => user.role == kimo_model::Role::Admin,
            min_chars => kimo_auth::MIN_PASSWORD_CHARS,
        },
    )?;
    let mut res = (status, Html(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// An RFC 3339 time as German date and time (UTC).
fn stamp(t: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| t.format("%d.%m.%Y, %H:%M UTC").to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// The password form's fields.
#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    alt: String,
    neu: String,
    wiederholung: String,
}

/// `POST /konto/passwort`: a new password (the old one checked); other sessions end.
pub async fn change_password(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let viewer = checked_browser(&identity, &form.csrf)?;
    let problem = if form.neu != form.wiederholung {
        Some("Die beiden neuen Passwörter sind verschieden.".to_string())
    } else {
        kimo_auth::check_new_password(&form.neu, &viewer.0.name).err()
    };
    let bad = axum::http::StatusCode::BAD_REQUEST;
    if let Some(p) = problem {
        return account_page(st, identity, &p, bad, None).await;
    }
    let (s, v, who) = (
        st.clone(),
        viewer.clone(),
        actor(&viewer.0.name, addr.as_ref()),
    );
    let changed = {
        let _slot = st
            .password_checks
            .acquire()
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        off_thread(move || {
            let Some((_, hash)) = s.store.user_with_hash(&v.0.name)? else {
                return Ok(false);
            };
            if !kimo_auth::verify_password(&form.alt, &hash) {
                return Ok(false);
            }
            let new = kimo_auth::hash_password(&form.neu);
            s.store
                .set_password(&v.0.name, &new, false, Some(v.1.id), &who)?;
            Ok(true)
        })
        .await?
    };
    if !changed {
        return account_page(
            st,
            identity,
            "Das bisherige Passwort stimmt nicht.",
            bad,
            None,
        )
        .await;
    }
    Ok(Redirect::to("/konto?geaendert=1").into_response())
}

/// `POST /konto/sitzungen/{id}/beenden`: ends one of one's own sessions.
pub async fn end_session(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let viewer = checked_browser(&identity, &form.csrf)?;
    let who = actor(&viewer.0.name, addr.as_ref());
    let ended = off_thread(move || Ok(st.store.end_session(&viewer.0, id, &who)?)).await?;
    if !ended {
        return Err(AppError::NotFound(
            "Diese Sitzung gibt es nicht (mehr).".into(),
        ));
    }
    Ok(Redirect::to("/konto").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_wait_longer_after_each_failure() {
        assert_eq!(throttle(0, 0), Duration::ZERO);
        assert_eq!(throttle(2, 8), Duration::ZERO);
        assert_eq!(throttle(3, 0), Duration::from_secs(1));
        assert_eq!(throttle(5, 0), Duration::from_secs(4));
        assert_eq!(throttle(0, 20), Duration::from_secs(4));
        assert_eq!(throttle(50, 50), Duration::from_secs(30));
    }

    #[test]
    fn cookies_are_read_and_set_safely() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kimo_sitzung=abc"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        let c = set_cookie(&h, SESSION_COOKIE, "abc", 60);
        assert_eq!(
            c,
            "kimo_sitzung=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(
            set_cookie(&h, SESSION_COOKIE, "abc", 60)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
