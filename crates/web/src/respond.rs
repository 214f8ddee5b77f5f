//! One view, three formats: a page is a typed, serialisable view rendered as HTML (template),
//! JSON (the view itself) or CSV (its table), datasette's pattern.

use crate::AppError;
use crate::Scope;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::{Arc, OnceLock};

/// The format an answer is wanted in, from the path's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The HTML page.
    Html,
    /// The view as JSON (`.json`).
    Json,
    /// The view's table as German Excel CSV (`.csv`).
    Csv,
}

impl Format {
    /// The path suffix of the format (empty for HTML).
    pub fn suffix(self) -> &'static str {
        match self {
            Format::Html => "",
            Format::Json => ".json",
            Format::Csv => ".csv",
        }
    }

    /// Splits a last path segment into the name and the wanted format: `ARB-03.json` → (`ARB-03`, Json).
    pub fn split(segment: &str) -> (&str, Format) {
        if let Some(s) = segment.strip_suffix(".json") {
            (s, Format::Json)
        } else if let Some(s) = segment.strip_suffix(".csv") {
            (s, Format::Csv)
        } else {
            (segment, Format::Html)
        }
    }
}

/// A finished answer (HTML, JSON or a download) that can be kept and sent again cheaply.
#[derive(Debug, Clone)]
pub struct Page {
    content_type: &'static str,
    disposition: Option<String>,
    link: Option<String>,
    /// A Content-Security-Policy of its own (an embeddable chart may be framed by other sites).
    csp: Option<&'static str>,
    body: axum::body::Bytes,
    /// The body gzip-compressed, made on the first request that accepts it and shared by every
    /// copy of this page in the cache — so a cached page is compressed once, not per request.
    gzip: Arc<OnceLock<axum::body::Bytes>>,
}

/// An HTML page made for one viewer (a form with its token, a message): never cached.
pub fn no_store(code: axum::http::StatusCode, body: String) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut res = (code, axum::response::Html(body)).into_response();
    res.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

impl Page {
    /// An HTML page.
    pub fn html(body: String) -> Page {
        Page {
            content_type: "text/html; charset=utf-8",
            disposition: None,
            link: None,
            csp: None,
            body: body.into(),
            gzip: Arc::default(),
        }
    }
    /// A static text (the style sheet) with its content type.
    pub fn text(content_type: &'static str, body: &'static str) -> Page {
        Page {
            content_type,
            disposition: None,
            link: None,
            csp: None,
            body: axum::body::Bytes::from_static(body.as_bytes()),
            gzip: Arc::default(),
        }
    }
    /// A JSON answer.
    pub fn json<T: Serialize + ?Sized>(v: &T) -> Result<Page, AppError> {
        Ok(Page {
            content_type: "application/json",
            disposition: None,
            link: None,
            csp: None,
            body: serde_json::to_vec(v)
                .map_err(|e| AppError::Internal(e.to_string()))?
                .into(),
            gzip: Arc::default(),
        })
    }
    /// A JSON answer already written out.
    pub fn json_bytes(body: Vec<u8>) -> Page {
        Page {
            content_type: "application/json",
            disposition: None,
            link: None,
            csp: None,
            body: body.into(),
            gzip: Arc::default(),
        }
    }
    /// A file to download.
    pub fn download(content_type: &'static str, filename: &str, body: Vec<u8>) -> Page {
        Page {
            content_type,
            disposition: Some(format!(
                "attachment; filename=\"{}\"",
                safe_filename(filename)
            )),
            link: None,
            csp: None,
            body: body.into(),
            gzip: Arc::default(),
        }
    }
    /// An HTML page other sites may show in an `<iframe>` (an embeddable chart): the usual policy,
    /// but any site may frame it.
    pub fn embeddable(body: String) -> Page {
        let mut page = Page::html(body);
        page.csp = Some(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'self'; form-action 'none'; frame-ancestors *",
        );
        page
    }
    /// The body, for tests and benchmarks.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A file name that survives a `Content-Disposition` header: codes come from imported catalogues, so
/// anything but ASCII letters, digits, `.`, `_` and `-` becomes `_`.
fn safe_filename(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A page's body and its shared compressed form, handed to the compression middleware.
#[derive(Clone)]
pub struct Compressible {
    /// The uncompressed body.
    pub body: axum::body::Bytes,
    /// The gzip form, once made.
    pub gzip: Arc<OnceLock<axum::body::Bytes>>,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let compressible = Compressible {
            body: self.body.clone(),
            gzip: self.gzip,
        };
        let mut r = ([(header::CONTENT_TYPE, self.content_type)], self.body).into_response();
        r.extensions_mut().insert(compressible);
        for (name, value) in [
            (header::CONTENT_DISPOSITION, self.disposition),
            (header::LINK, self.link),
            (
                header::CONTENT_SECURITY_POLICY,
                self.csp.map(str::to_string),
            ),
        ] {
            if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                r.headers_mut().insert(name, v);
            }
        }
        r
    }
}

/// A file offered as download: name and bytes.
pub struct Download {
    /// The file name, e.g. `ARB-03.csv`.
    pub filename: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// A page's data: built once, rendered as HTML, JSON or CSV.
pub trait View: Serialize {
    /// The template of the HTML page.
    const TEMPLATE: &'static str;
    /// Whether the page has a CSV twin.
    const CSV: bool = false;
    /// The page title.
    fn title(&self) -> String;
    /// The page's path without suffix and query (the JSON twin adds `.json`).
    fn path(&self) -> String;
    /// What only the HTML page needs beyond the view (rendered charts).
    fn html_extra(&self, _st: &Scope) -> Result<minijinja::Value, AppError> {
        Ok(minijinja::Value::UNDEFINED)
    }
    /// The page's table as CSV, where the page is tabular.
    fn csv(&self) -> Result<Option<Download>, AppError> {
        Ok(None)
    }
}

/// Renders a view in the wanted format; HTML pages point to their JSON twin (`<link>` and `Link`).
pub fn respond<V: View>(
    st: &Scope,
    view: &V,
    format: Format,
    query: Option<&str>,
) -> Result<Page, AppError> {
    let query = query.filter(|q| !q.is_empty()).map(|q| format!("?{q}"));
    let json_url = format!("{}.json{}", view.path(), query.as_deref().unwrap_or(""));
    match format {
        Format::Json => Page::json(view),
        Format::Csv => match view.csv()? {
            Some(d) => Ok(Page::download(
                "text/csv; charset=utf-8",
                &d.filename,
                d.bytes,
            )),
            None => Err(AppError::NotFound(
                "Diese Seite gibt es nicht als CSV.".into(),
            )),
        },
        Format::Html => {
            let ctx = minijinja::context! {
                title => view.title(),
                demo => st.demo,
                internal => st.internal(),
                json_url => &json_url,
                csv_url => V::CSV.then(|| format!("{}.csv{}", view.path(), query.as_deref().unwrap_or(""))),
                chart => view.html_extra(st)?,
                ..minijinja::Value::from(minijinja::value::Serde(view))
            };
            let mut page = Page::html(crate::render(V::TEMPLATE, ctx)?);
            page.link = Some(format!(
                "<{json_url}>; rel=\"alternate\"; type=\"application/json\""
            ));
            Ok(page)
        }
    }
}

/// A table as Excel reads it: UTF-8 with BOM, `;` separated on German pages and `,` on English
/// ones, the header in the page's language, every cell as shown on the page and neutralised
/// against formulas ([`kimo_model::csv_safe`]).
pub fn table_csv(
    filename: String,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Download, AppError> {
    // German numbers (decimal comma) want `;`, English ones (`1,234.5`) the plain `,`.
    let delimiter = match kimo_model::lang::current() {
        kimo_model::lang::Lang::De => b';',
        kimo_model::lang::Lang::En => b',',
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = |e: csv::Error| AppError::Internal(e.to_string());
    let safe = |cells: &[&str]| -> Vec<String> {
        cells
            .iter()
            .map(|c| kimo_model::csv_safe(c).into_owned())
            .collect()
    };
    let header: Vec<&str> = header.iter().map(|h| kimo_model::lang::t(h)).collect();
    w.write_record(safe(&header)).map_err(err)?;
    for r in rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        w.write_record(safe(&cells)).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Download { filename, bytes })
}
