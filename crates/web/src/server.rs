//! Serving: HTTP/1 with a header-read timeout, graceful shutdown on SIGTERM/SIGINT, the request
//! log, ETags from the data version, and `/healthz`.

use crate::{AppError, AppState};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the server runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// How long a client may take to send a request's headers before the connection is closed.
    pub header_read_timeout: Duration,
    /// How long in-flight requests may take to finish after a shutdown signal.
    pub shutdown_grace: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Resolves on SIGINT (Strg+C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Serves the router on a bound listener until SIGINT or SIGTERM; then stops accepting, lets
/// in-flight requests finish (up to the grace period) and returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    options: ServeOptions,
) -> std::io::Result<()> {
    let app = crate::router(state);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let signal = shutdown_signal();
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            conn = listener.accept() => match conn {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little instead of spinning.
                    tracing::warn!(target: "kimo::http", "Verbindung nicht angenommen: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut signal => break,
        };
        // The client's address for the audit log and login throttling.
        let app = app.clone().layer(axum::Extension(crate::ClientAddr(peer)));
        let service = TowerToHyperService::new(app);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(target: "kimo::http", "Verbindung beendet: {e}");
            }
        });
    }
    drop(listener);
    tracing::info!(target: "kimo::http", "Beenden: laufende Anfragen werden abgeschlossen");
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(options.shutdown_grace) => {
            tracing::warn!(target: "kimo::http", "Beenden: Anfragen nach {:?} abgebrochen", options.shutdown_grace);
        }
    }
    Ok(())
}

/// Middleware: one log line per request (method, path, status, duration).
pub async fn request_log(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let t0 = Instant::now();
    let res = next.run(req).await;
    // The static site's pages are no visits.
    if crate::lang::chosen().site {
        return res;
    }
    tracing::info!(
        target: "kimo::http",
        method = %method,
        path = %path,
        status = res.status().as_u16(),
        ms = %format!("{:.1}", t0.elapsed().as_secs_f64() * 1000.0),
    );
    res
}

/// Pages smaller than this are sent as they are: compressing them saves less than it costs.
const GZIP_MIN: usize = 1024;

/// Whether the client accepts gzip (and does not refuse it with `q=0`).
fn accepts_gzip(req: &Request) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';').map(str::trim);
            parts.next() == Some("gzip")
                && !parts.any(|p| p.replace(' ', "") == "q=0" || p.replace(' ', "") == "q=0.0")
        })
}

/// Middleware: pages, API answers, downloads and the style sheet (every `Page`) are gzip-compressed
/// at most once and the compressed body is kept with the page, so a cache hit costs no compression.
/// Error pages and `/healthz` are small and go out as they are.
pub async fn precompressed(req: Request, next: Next) -> Response {
    let gzip = accepts_gzip(&req);
    let mut res = next.run(req).await;
    let Some(c) = res
        .extensions_mut()
        .remove::<crate::respond::Compressible>()
    else {
        return res;
    };
    res.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    // PNG is compressed already.
    let png = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t == "image/png");
    if !gzip || png || c.body.len() < GZIP_MIN || res.status() != StatusCode::OK {
        return res;
    }
    let body = c
        .gzip
        .get_or_init(|| {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let _ = e.write_all(&c.body);
            e.finish().unwrap_or_default().into()
        })
        .clone();
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    Response::from_parts(parts, axum::body::Body::from(body))
}

/// The ETag of every data answer at a data version (the binary's version is part of it, so a new
/// release with other pages is not answered from a browser's cache). Weak, because the same
/// answer may be sent compressed or not.
/// The start of the current half-year is part of it too: the Lagebild counts warnings as new since
/// then, so its answer changes on 1 January and 1 July without an import. So is the audience:
/// the public and those logged in get different answers at the same address, and so does the
/// language.
fn etag(version: i64) -> String {
    let half_year = crate::pages::lagebild::half_year_start(chrono::Local::now().date_naive());
    format!(
        "W/\"{}-{version}-{}-{}{}\"",
        env!("CARGO_PKG_VERSION"),
        half_year.format("%Y%m"),
        crate::auth::audience().key(),
        crate::lang::chosen().prefix.trim_start_matches('/')
    )
}

/// Whether a path's answer depends only on the data version (and the audience): not the pages
/// made for one user (forms with their token, their tasks), which are never cached.
fn versioned(path: &str) -> bool {
    !(path.starts_with("/static/")
        || path == "/healthz"
        || path == "/anmelden"
        || path.starts_with("/konto")
        || path.starts_with("/verwaltung/")
        || path.starts_with("/warnungen/")
        || path.starts_with("/aufgaben")
        || path.starts_with("/lieferungen")
        || path.starts_with("/sitzungen")
        || path.starts_with("/aktivitaeten")
        || path.starts_with("/kalender/")
        || path.ends_with("/regeln")
        || path.starts_with("/konzept/"))
}

/// Middleware: GET answers carry the data version as `ETag` (unless made for one viewer); a
/// matching `If-None-Match` gets a `304 Not Modified` without building the page.
pub async fn conditional(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !versioned(req.uri().path()) {
        return next.run(req).await;
    }
    let version = match st.fresh_version() {
        Some(v) => v,
        None => {
            let s = st.clone();
            match tokio::task::spawn_blocking(move || s.version()).await {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => return e.into_response(),
                Err(e) => return AppError::Internal(e.to_string()).into_response(),
            }
        }
    };
    let tag = etag(version);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if matches {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&tag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        return r;
    }
    let mut res = next.run(req).await;
    // A page made for one viewer (`no-store`: a form with its token) is neither tagged nor kept.
    if res.status() == StatusCode::OK
        && !res.headers().contains_key(header::CACHE_CONTROL)
        && let Ok(v) = HeaderValue::from_str(&tag)
    {
        res.headers_mut().insert(header::ETAG, v);
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // The answer depends on the session cookie or API token.
        res.headers_mut().append(
            header::VARY,
            HeaderValue::from_static("Cookie, Authorization"),
        );
    }
    res
}

/// `GET /healthz`: 200 with the data version when the database answers, 503 otherwise.
pub async fn healthz(State(st): State<Arc<AppState>>) -> Response {
    let s = st.clone();
    match tokio::task::spawn_blocking(move || s.store.data_version()).await {
        Ok(Ok(v)) => {
            axum::Json(serde_json::json!({ "status": "ok", "data_version": v })).into_response()
        }
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({ "status": "error", "error": "Datenbank nicht erreichbar" }),
            ),
        )
            .into_response(),
    }
}
