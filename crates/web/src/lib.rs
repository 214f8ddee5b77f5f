//! kimo's web layer: server-rendered German pages (usable without JavaScript) and the JSON API.

mod api;
mod lagebild;
mod pages;
mod view;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use kimo_store::Store;
use minijinja::Environment;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Shared state of all handlers.
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Whether this is the demo city (shows the "Demodaten" notice).
    pub demo: bool,
    /// Whether finished pages and API answers are kept until the next import.
    pub page_cache: bool,
    cache: Mutex<Cache>,
}

/// What pages reuse until the data version changes (any import, from this process or another).
#[derive(Default)]
struct Cache {
    version: i64,
    /// When the version was last read from the store.
    checked: Option<std::time::Instant>,
    items: HashMap<String, Arc<dyn Any + Send + Sync>>,
}

/// How long a read data version is trusted: a cached answer costs no database round trip within
/// this time, and an import shows on the pages at most this much later.
const VERSION_TTL: std::time::Duration = std::time::Duration::from_millis(250);

/// The most items kept; past that the cache starts afresh.
const CACHE_ITEMS: usize = 4096;

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
            ("lagebild.html", include_str!("../templates/lagebild.html")),
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
    pub fn new(store: Store, demo: bool, page_cache: bool) -> Arc<AppState> {
        Arc::new(AppState {
            store,
            demo,
            page_cache,
            cache: Mutex::new(Cache::default()),
        })
    }

    /// A value computed once per data version: `load` runs when the key is missing or an import
    /// has happened since.
    pub fn cached<T: Send + Sync + 'static>(
        &self,
        key: &str,
        load: impl FnOnce() -> Result<T, AppError>,
    ) -> Result<Arc<T>, AppError> {
        let fresh = {
            let c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            c.checked
                .is_some_and(|t| t.elapsed() < VERSION_TTL)
                .then_some(c.version)
        };
        let version = match fresh {
            Some(v) => v,
            None => self.store.data_version()?,
        };
        {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if fresh.is_none() {
                c.checked = Some(std::time::Instant::now());
            }
            if c.version != version || c.items.len() > CACHE_ITEMS {
                c.items.clear();
                c.version = version;
            }
            if let Some(v) = c
                .items
                .get(key)
                .and_then(|v| v.clone().downcast::<T>().ok())
            {
                return Ok(v);
            }
        }
        let v = Arc::new(load()?);
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if c.version == version {
            c.items.insert(key.to_string(), v.clone());
        }
        Ok(v)
    }

    /// All areas with geometry.
    pub fn areas(&self) -> Result<Arc<Vec<kimo_model::Area>>, AppError> {
        self.cached("areas", || Ok(self.store.areas(true)?))
    }

    /// All dimensions with categories.
    pub fn dimensions(&self) -> Result<Arc<Vec<kimo_model::Dimension>>, AppError> {
        self.cached("dimensions", || Ok(self.store.dimensions()?))
    }

    /// All Handlungsfelder.
    pub fn action_fields(&self) -> Result<Arc<Vec<kimo_model::ActionField>>, AppError> {
        self.cached("action_fields", || Ok(self.store.action_fields()?))
    }

    /// Renders a template to an HTML page.
    fn render(&self, name: &str, ctx: minijinja::Value) -> Result<Page, AppError> {
        let ctx = minijinja::context! { demo => self.demo, ..ctx };
        Ok(Page::html(render(name, ctx)?))
    }

    /// A page from the cache, or made by `make` and kept until the next import.
    fn page(
        &self,
        key: &str,
        make: impl FnOnce() -> Result<Page, AppError>,
    ) -> Result<Page, AppError> {
        if !self.page_cache {
            return make();
        }
        Ok(self.cached(&format!("page:{key}"), make)?.as_ref().clone())
    }
}

/// A finished answer (HTML or a download) that can be kept and sent again cheaply.
#[derive(Debug, Clone)]
pub struct Page {
    content_type: &'static str,
    disposition: Option<String>,
    body: axum::body::Bytes,
}

impl Page {
    /// An HTML page.
    pub fn html(body: String) -> Page {
        Page {
            content_type: "text/html; charset=utf-8",
            disposition: None,
            body: body.into(),
        }
    }
    /// A JSON answer.
    pub fn json(v: &serde_json::Value) -> Page {
        Page {
            content_type: "application/json",
            disposition: None,
            body: serde_json::to_vec(v).unwrap_or_default().into(),
        }
    }
    /// A file to download.
    pub fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Page {
        Page {
            content_type,
            disposition: Some(format!("attachment; filename=\"{filename}\"")),
            body: body.into(),
        }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut r = ([(header::CONTENT_TYPE, self.content_type)], self.body).into_response();
        if let Some(d) = self.disposition
            && let Ok(v) = header::HeaderValue::from_str(&d)
        {
            r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        r
    }
}

/// Errors a handler can answer with.
#[derive(Debug)]
pub enum AppError {
    /// 404 with a German message.
    NotFound(String),
    /// 400 with a German message.
    BadRequest(String),
    /// 409 with a German message.
    Conflict(String),
    /// 500; the detail goes to the log.
    Internal(String),
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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "Nicht gefunden", m),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, "Ungültige Anfrage", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "Konflikt", m),
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
        .route("/lagebild", get(lagebild::page))
        .route("/static/style.css", get(style))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators/{code}", get(api::indicator))
        .route(
            "/api/v1/indicators/{code}/observations",
            get(api::observations),
        )
        .route("/api/v1/areas", get(api::areas))
        .route("/api/v1/warnings", get(lagebild::api))
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
