//! kimo's web layer: server-rendered German pages (usable without JavaScript) and the JSON API.

mod api;
mod pages;
mod view;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kimo_store::Store;
use minijinja::Environment;
use std::sync::Arc;

/// Shared state of all handlers.
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Whether this is the demo city (shows the "Demodaten" notice).
    pub demo: bool,
}

/// The embedded templates, compiled once.
fn templates() -> &'static Environment<'static> {
    static ENV: std::sync::OnceLock<Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, src) in [
            ("base.html", include_str!("../templates/base.html")),
            ("macros.html", include_str!("../templates/macros.html")),
            ("index.html", include_str!("../templates/index.html")),
            ("field.html", include_str!("../templates/field.html")),
            (
                "indicators.html",
                include_str!("../templates/indicators.html"),
            ),
            (
                "indicator.html",
                include_str!("../templates/indicator.html"),
            ),
            ("error.html", include_str!("../templates/error.html")),
        ] {
            env.add_template(name, src)
                .expect("embedded template is valid");
        }
        env
    })
}

fn render(name: &str, ctx: minijinja::Value) -> Result<String, AppError> {
    templates()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| AppError::Internal(format!("{e:#}")))
}

impl AppState {
    /// Builds the state.
    pub fn new(store: Store, demo: bool) -> Arc<AppState> {
        Arc::new(AppState { store, demo })
    }

    /// Renders a template to an HTML response.
    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<Response, AppError> {
        let ctx = minijinja::context! { demo => self.demo, ..ctx };
        Ok(Html(render(name, ctx)?).into_response())
    }
}

/// Errors a handler can answer with.
#[derive(Debug)]
pub enum AppError {
    /// 404 with a German message.
    NotFound(String),
    /// 400 with a German message.
    BadRequest(String),
    /// 500; the detail goes to the log.
    Internal(String),
}

impl From<kimo_store::Error> for AppError {
    fn from(e: kimo_store::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Nicht gefunden", m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Ungültige Anfrage", m),
            AppError::Internal(m) => {
                eprintln!("web: {m}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Interner Fehler",
                    "Die Seite konnte nicht erstellt werden.".to_string(),
                )
            }
        };
        let body = render(
            "error.html",
            minijinja::context! { title => title, message => message, demo => false },
        )
        .unwrap_or_else(|_| {
            format!(
                "<!DOCTYPE html><html lang=\"de\"><title>{title}</title><h1>{title}</h1></html>"
            )
        });
        (status, Html(body)).into_response()
    }
}

/// Runs blocking store work off the async threads.
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&AppState) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let s = state.clone();
    tokio::task::spawn_blocking(move || f(&s))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../static/style.css"),
    )
        .into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound("Diese Seite gibt es nicht.".into())
}

/// All routes in one table.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route("/handlungsfelder/{code}", get(pages::field))
        .route("/indikatoren", get(pages::indicators))
        .route("/indikatoren/{code}", get(pages::indicator))
        .route("/static/style.css", get(style))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators/{code}", get(api::indicator))
        .route(
            "/api/v1/indicators/{code}/observations",
            get(api::observations),
        )
        .route("/api/v1/areas", get(api::areas))
        .fallback(not_found)
        .with_state(state)
}

/// Serves the router on a bound listener until ctrl-c.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
