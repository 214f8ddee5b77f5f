//! `kimo site DIR`: the public portal as static files for the city's web server — both languages,
//! every page with its JSON and CSV twin, the charts as SVG, the open data files and the DCAT
//! catalogue, linked relatively so that the folder works anywhere (also opened from disk); no page
//! needs JavaScript (the indicator list's filter script is an enhancement).
//!
//! The pages are the server's own: the router answers in-process, as the public, starting at the
//! two start pages and following every link. What needs the server (the choice of area and
//! period, PNG downloads, the API, logging in) is left out of the pages made for the site.

use crate::{AppError, AppState};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::{HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower::ServiceExt;

/// Marks a request of the site build (see [`crate::lang::Chosen::site`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct SiteBuild;

/// What `kimo site` wrote.
#[derive(Debug, Default)]
pub struct SiteSummary {
    /// HTML pages (both languages).
    pub pages: usize,
    /// All files written (pages, twins, charts, downloads, style sheet).
    pub files: usize,
    /// Their size in bytes.
    pub bytes: u64,
    /// Links to something the site does not have (each with the page it is on).
    pub outside: Vec<String>,
}

/// How many pages are made at once: one per core (more only adds memory: each holds a page and a
/// database connection with its cache).
fn in_flight() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Where the crawl starts: both start pages, the catalogue for data portals, a page that does not
/// exist (the error page) in both languages.
const START: [&str; 5] = [
    "/",
    "/en/",
    "/daten/dcat.jsonld",
    "/indikatoren/-",
    "/en/indikatoren/-",
];

/// Writes the public portal into `dir` (created if missing; files of an earlier build are
/// overwritten, others left alone). Each answer is written as soon as it is made, so that memory
/// stays bounded whatever the size of the data.
pub async fn write_site(state: Arc<AppState>, dir: &Path) -> Result<SiteSummary, AppError> {
    let router = crate::router(state.clone());
    let mut queue: VecDeque<String> = START.iter().map(|s| s.to_string()).collect();
    let mut seen: HashSet<String> = queue.iter().cloned().collect();
    let mut written: HashSet<String> = HashSet::new();
    let mut linked: Vec<(String, String)> = Vec::new();
    let mut summary = SiteSummary::default();
    let mut running = tokio::task::JoinSet::new();
    let files = tokio::spawn(open_data(state, dir.to_path_buf()));
    loop {
        while running.len() < in_flight()
            && let Some(path) = queue.pop_front()
        {
            let (router, dir) = (router.clone(), dir.to_path_buf());
            running.spawn(async move {
                let t0 = std::time::Instant::now();
                let done = match fetch(router, &path).await {
                    Ok(Some(answer)) => write(&dir, &path, answer).map(Some),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                };
                if std::env::var_os("KIMO_SITE_TIMES").is_some() {
                    eprintln!("{:8.1} ms {path}", t0.elapsed().as_secs_f64() * 1000.0);
                }
                (path, done)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let (path, done) = done.map_err(|e| AppError::Internal(e.to_string()))?;
        let Some(file) = done? else {
            continue;
        };
        summary.files += 1;
        summary.bytes += file.bytes;
        summary.pages += usize::from(file.html);
        for link in file.links {
            if in_site(&link) && !open_data_file(&link) && seen.insert(link.clone()) {
                queue.push_back(link.clone());
            }
            linked.push((path.clone(), link));
        }
        written.insert(path);
    }
    let (paths, bytes) = files
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    summary.files += paths.len();
    summary.bytes += bytes;
    written.extend(paths);
    summary.outside = linked
        .into_iter()
        // The pass writes every open data file or fails; the ones it leaves out on purpose (an
        // XLSX beyond Excel's rows) are no broken links of the site.
        .filter(|(_, link)| !written.contains(link) && !left_out(link))
        .map(|(page, link)| format!("{page}: {link}"))
        .collect();
    summary.outside.sort();
    Ok(summary)
}

/// Whether a link is to a file the open data pass may leave out on purpose (an XLSX beyond
/// Excel's rows).
fn left_out(link: &str) -> bool {
    open_data_file(link) && link.ends_with(".xlsx")
}

/// Whether a path is an open data file (with everything or an indicator's), which [`open_data`]
/// writes.
fn open_data_file(path: &str) -> bool {
    path.starts_with("/daten/kimo-daten") || path.starts_with("/daten/indikatoren/")
}

/// Writes the open data files in one pass beside the crawl (German, like every open data file).
async fn open_data(state: Arc<AppState>, dir: PathBuf) -> Result<(Vec<String>, u64), AppError> {
    let dir = dir.join("daten");
    tokio::task::spawn_blocking(move || {
        let t0 = std::time::Instant::now();
        let done = crate::lang::enter(crate::lang::Chosen::default(), || {
            crate::pages::opendata::write_everything(&state, &dir)
        });
        if std::env::var_os("KIMO_SITE_TIMES").is_some() {
            eprintln!(
                "{:8.1} ms (open data files)",
                t0.elapsed().as_secs_f64() * 1000.0
            );
        }
        done
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// A file written: its size, whether it is a page, and the site's paths it links to.
struct Written {
    bytes: u64,
    html: bool,
    links: Vec<String>,
}

/// Writes one answer into the site: a page with its links made relative to its file.
fn write(dir: &Path, path: &str, (status, html, body): Answer) -> Result<Written, AppError> {
    let name = match (status, path) {
        (StatusCode::NOT_FOUND, "/indikatoren/-") => "404.html".to_string(),
        (StatusCode::NOT_FOUND, "/en/indikatoren/-") => "en/404.html".to_string(),
        _ => file_name(path)
            .ok_or_else(|| AppError::Internal(format!("„{path}“ kann kein Dateiname werden.")))?,
    };
    let (body, links) = match html {
        true => {
            let (page, links) = relative_links(&String::from_utf8_lossy(&body), &name);
            (page.into_bytes(), links)
        }
        false => (body, Vec::new()),
    };
    let target = dir.join(&name);
    let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", target.display()));
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::write(&target, &body).map_err(io)?;
    Ok(Written {
        bytes: body.len() as u64,
        html,
        links,
    })
}

/// An answer of the router: status, whether HTML, body.
type Answer = (StatusCode, bool, Vec<u8>);

/// One page from the router, as the public: a 200, or a 404 page (a page the site links to but
/// that has nothing yet, like the Konzept before its decision, keeps its message); None for
/// anything else (a redirect, a page that is not public).
async fn fetch(router: axum::Router, path: &str) -> Result<Option<Answer>, AppError> {
    let mut req = Request::get(path)
        .body(Body::empty())
        .map_err(|e| AppError::Internal(e.to_string()))?;
    req.extensions_mut().insert(SiteBuild);
    let res = router
        .oneshot(req)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let status = res.status();
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if status != StatusCode::OK && !(status == StatusCode::NOT_FOUND && html) {
        return Ok(None);
    }
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Some((status, html, body.to_vec())))
}

/// Whether a path belongs in the site: not the API, logging in, the accounts or anything that
/// needs the server.
fn in_site(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path == "/api"
        || path.starts_with("/anmelden")
        || path.starts_with("/konto")
        || path.ends_with(".png"))
}

/// The file of a path in the site: a page `x` becomes `x/index.html`, a file keeps its name.
/// None for a path that cannot be a file name (`..`, empty segments).
fn file_name(path: &str) -> Option<String> {
    let rel = path.trim_start_matches('/');
    let bad = |s: &str| s == "." || s == ".." || s.contains('\\');
    if rel.split('/').any(bad) || rel.contains("//") {
        return None;
    }
    // A file by its kind's extension; anything else (also a code such as `A.1`) is a page.
    const FILES: [&str; 11] = [
        ".json", ".csv", ".svg", ".xlsx", ".jsonld", ".css", ".js", ".html", ".md", ".yml", ".pdf",
    ];
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else if FILES.iter().any(|x| rel.ends_with(x)) {
        rel.to_string()
    } else {
        format!("{rel}/index.html")
    })
}

/// A link's value as (path, fragment) with minijinja's escapes undone; the query is dropped (the
/// site has each page in its first state only), and so is the prefix `/de` of the switch to
/// German: the site's German pages are at the plain addresses (there is no browser to ask).
fn target(value: &str) -> (String, String) {
    let value = value.replace("&#x2f;", "/").replace("&amp;", "&");
    let value = match value.strip_prefix("/de") {
        Some("") => "/".to_string(),
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        _ => value,
    };
    let (before, fragment) = match value.split_once('#') {
        Some((b, f)) => (b.to_string(), format!("#{f}")),
        None => (value.clone(), String::new()),
    };
    let path = before.split('?').next().unwrap_or("").to_string();
    (path, fragment)
}

/// The page with every link to the site made relative to its file, and the paths it links to.
fn relative_links(html: &str, name: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(html.len());
    let mut links = Vec::new();
    let mut rest: &str = html;
    while let Some((at, len)) = crate::lang::next_link(rest) {
        out.push_str(&rest[..at + len]);
        let value = &rest[at + len..];
        let end = value.find('"').unwrap_or(value.len());
        let (path, fragment) = target(&value[..end]);
        match file_name(&path).filter(|_| in_site(&path)) {
            Some(file) => {
                out.push_str(&relative(name, &file).replace('&', "&amp;"));
                out.push_str(&fragment);
            }
            None => out.push_str(&value[..end]),
        }
        links.push(path);
        rest = &value[end..];
    }
    out.push_str(rest);
    (out, links)
}

/// The relative address of file `to` from file `from` (both site-relative, `/`-separated).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len() - 1);
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_become_folders_and_files_keep_their_names() {
        assert_eq!(file_name("/").as_deref(), Some("index.html"));
        assert_eq!(file_name("/en/").as_deref(), Some("en/index.html"));
        assert_eq!(
            file_name("/indikatoren/ARB-01").as_deref(),
            Some("indikatoren/ARB-01/index.html")
        );
        assert_eq!(
            file_name("/indikatoren/ARB-01.json").as_deref(),
            Some("indikatoren/ARB-01.json")
        );
        assert_eq!(file_name("/daten/../x"), None);
        assert_eq!(
            file_name("/indikatoren/A.1").as_deref(),
            Some("indikatoren/A.1/index.html")
        );
        assert_eq!(file_name("/a//b"), None);
    }

    #[test]
    fn links_are_relative_to_the_page() {
        assert_eq!(
            relative("index.html", "daten/index.html"),
            "daten/index.html"
        );
        assert_eq!(
            relative(
                "indikatoren/ARB-01/index.html",
                "indikatoren/ARB-02/index.html"
            ),
            "../ARB-02/index.html"
        );
        assert_eq!(
            relative("en/indikatoren/index.html", "static/style.css"),
            "../../static/style.css"
        );
        assert_eq!(relative("en/index.html", "en/index.html"), "index.html");
        assert_eq!(target("&#x2f;de&#x2f;daten").0, "/daten");
        assert_eq!(target("/de").0, "/");
        assert_eq!(target("/details").0, "/details");
        assert_eq!(
            target("&#x2f;indikatoren&#x2f;ARB-01?gebiet=01&amp;x=1#karte"),
            ("/indikatoren/ARB-01".to_string(), "#karte".to_string())
        );
    }
}
