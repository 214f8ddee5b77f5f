//! German and English public pages: the language of a request, its paths and its links.
//!
//! A public page has three addresses: `/x` (German, or English when the browser prefers it and
//! nobody is logged in: `Accept-Language`), `/de/x` (German) and `/en/x` (English). The prefix is
//! taken off before routing, so every handler serves both languages; English pages are always
//! the public's view. Links in a page keep its prefix, and every public page has a switch to the
//! other language. Pages for those logged in are German only.

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kimo_model::lang::Lang;
use std::cell::RefCell;

/// The language of a request and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
    /// The page's language.
    pub lang: Lang,
    /// The prefix its links keep: `""` (German by default), `"/de"` or `"/en"`.
    pub prefix: &'static str,
    /// The path and query without the prefix (for the language switch), when the page is
    /// offered in both languages.
    pub path: Option<String>,
    /// Whether the page is made for the static site (`kimo site`): without what needs the
    /// server (forms, PNG downloads, the API, logging in).
    pub site: bool,
}

impl Default for Chosen {
    fn default() -> Self {
        Chosen {
            lang: Lang::De,
            prefix: "",
            path: None,
            site: false,
        }
    }
}

tokio::task_local! {
    /// The language of the request being answered, set by [`choose`].
    static CHOSEN: Chosen;
}

thread_local! {
    /// The language of the work a request does on a blocking thread (see [`enter`]).
    static WORK: RefCell<Option<Chosen>> = const { RefCell::new(None) };
}

/// The language of the current request: on a blocking thread the one [`enter`] set, otherwise
/// the request's (German outside a request).
pub fn chosen() -> Chosen {
    WORK.with(|w| w.borrow().clone())
        .or_else(|| CHOSEN.try_with(Clone::clone).ok())
        .unwrap_or_default()
}

/// Runs `f` (a request's work on a blocking thread) in the request's language: texts, numbers,
/// dates ([`kimo_model::lang`]) and links.
pub fn enter<T>(chosen: Chosen, f: impl FnOnce() -> T) -> T {
    struct Leave(Option<Chosen>);
    impl Drop for Leave {
        fn drop(&mut self) {
            let before = self.0.take();
            WORK.with(|w| *w.borrow_mut() = before);
        }
    }
    let lang = chosen.lang;
    let _leave = Leave(WORK.with(|w| w.borrow_mut().replace(chosen)));
    kimo_model::lang::in_language(lang, f)
}

/// Whether a path (without prefix) is a public page offered in German and English, with its
/// JSON and CSV twins and charts. Open data files, the API and everything internal are not.
pub fn bilingual(path: &str) -> bool {
    let base = path
        .strip_suffix(".json")
        .or_else(|| path.strip_suffix(".csv"))
        .unwrap_or(path);
    let konzept_version = base
        .strip_prefix("/konzept/")
        .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    matches!(
        base,
        "/" | "/index"
            | "/indikatoren"
            | "/stadtteile"
            | "/daten"
            | "/api"
            | "/impressum"
            | "/datenschutz"
            | "/barrierefreiheit"
            | "/leichte-sprache"
            | "/konzept"
            | "/konzept/versionen"
            | "/fahrplan"
    ) || konzept_version
        || (base.starts_with("/handlungsfelder/") && base.matches('/').count() == 2)
        || (base.starts_with("/stadtteile/") && base.matches('/').count() == 2)
        || (base.starts_with("/indikatoren/") && !base.ends_with("/regeln"))
}

/// The language a browser prefers among kimo's, from `Accept-Language` (German when it names
/// neither).
fn preferred(accept: &str) -> Lang {
    accept_language::parse_with_quality(accept)
        .iter()
        // q=0 means "not this one".
        .filter(|(_, q)| *q > 0.0)
        .find_map(|(tag, _)| Lang::from_code(tag.split('-').next().unwrap_or("")))
        .unwrap_or(Lang::De)
}

/// Middleware (outside the router): takes the language prefix off the path, chooses the
/// language, and marks the answer with `Content-Language` (and `Vary: Accept-Language` where
/// the browser chose). A prefix on a page that is German only leads to that page.
pub async fn choose(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let explicit = Lang::ALL.into_iter().find_map(|l| {
        let prefix = format!("/{}", l.code());
        let rest = path.strip_prefix(&prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| (l, rest.to_string()))
    });
    let site = req.extensions().get::<crate::site::SiteBuild>().is_some();
    let (mut chosen, rest, negotiated) = match explicit {
        Some((lang, rest)) => {
            let rest = if rest.is_empty() { "/".into() } else { rest };
            // `/en//host` would redirect to `//host`, another site: such a path is no page.
            if rest.starts_with("//") || rest.starts_with("/\\") {
                return StatusCode::NOT_FOUND.into_response();
            }
            if !bilingual(&rest) {
                let to = match &query {
                    Some(q) => format!("{rest}?{q}"),
                    None => rest,
                };
                return redirect(&to);
            }
            let prefix = if lang == Lang::En { "/en" } else { "/de" };
            (with_path(lang, prefix, &rest, &query), rest, false)
        }
        None if bilingual(&path) => {
            let anonymous = !req.headers().contains_key(header::AUTHORIZATION)
                && !req
                    .headers()
                    .get(header::COOKIE)
                    .and_then(|c| c.to_str().ok())
                    .is_some_and(|c| c.contains(crate::auth::SESSION_COOKIE));
            let lang = match req.headers().get(header::ACCEPT_LANGUAGE) {
                Some(v) if anonymous => preferred(v.to_str().unwrap_or("")),
                _ => Lang::De,
            };
            let prefix = if lang == Lang::En { "/en" } else { "" };
            (with_path(lang, prefix, &path, &query), path, true)
        }
        None => (Chosen::default(), path, false),
    };
    chosen.site = site;
    if chosen.prefix.is_empty() && !negotiated {
        return CHOSEN.scope(chosen, next.run(req)).await;
    }
    let rewritten = match &query {
        Some(q) => format!("{rest}?{q}"),
        None => rest,
    };
    match rewritten.parse::<Uri>() {
        Ok(uri) => *req.uri_mut() = uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    }
    let lang = chosen.lang;
    let mut res = CHOSEN.scope(chosen, next.run(req)).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    if negotiated {
        h.append(header::VARY, HeaderValue::from_static("Accept-Language"));
    }
    res
}

/// A language offered on a path, with the path kept for the switch. The query stays only where
/// the page's cache key holds it (an indicator's page and charts): elsewhere the first visitor's
/// query would stay in the cached page's switch.
fn with_path(lang: Lang, prefix: &'static str, path: &str, query: &Option<String>) -> Chosen {
    Chosen {
        lang,
        prefix,
        path: Some(match query {
            Some(q) if path.starts_with("/indikatoren/") => format!("{path}?{q}"),
            _ => path.to_string(),
        }),
        site: false,
    }
}

/// A permanent redirect to a German-only page asked for with a language prefix.
fn redirect(to: &str) -> Response {
    match HeaderValue::from_str(to) {
        Ok(v) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, v)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// The other language's address of the current page, for the switch: (href, language).
pub fn switch() -> Option<(String, Lang)> {
    let c = chosen();
    let path = c.path?;
    let other = match c.lang {
        Lang::De => Lang::En,
        Lang::En => Lang::De,
    };
    Some((format!("/{}{path}", other.code()), other))
}

/// Puts `prefix` before every link of `html` (`href`, `src`, `action`) to a page offered in both
/// languages, so that a reader stays in the page's language. Other links stay as they are.
pub fn prefix_links(html: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + html.len() / 50);
    let mut rest = html;
    while let Some((at, attr_len)) = next_link(rest) {
        let (before, link) = rest.split_at(at + attr_len);
        out.push_str(before);
        let end = link.find('"').unwrap_or(link.len());
        let target = link[..end].replace("&#x2f;", "/").replace("&amp;", "&");
        let path = target.split(['?', '#']).next().unwrap_or("");
        if bilingual(path) {
            out.push_str(prefix);
        }
        rest = link;
    }
    out.push_str(rest);
    out
}

/// The next link attribute in `html` whose value starts at the site's root: (position of the
/// attribute, length of `name="`). One pass over the page's attributes.
pub(crate) fn next_link(html: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = html[from..].find("=\"") {
        let eq = from + i;
        let value = &html[eq + 2..];
        let rooted = (value.starts_with('/') && !value.starts_with("//"))
            || (value.starts_with("&#x2f;") && !value.starts_with("&#x2f;&#x2f;"));
        if rooted
            && let Some(attr) = ["href", "src", "action"]
                .into_iter()
                .find(|a| html[..eq].ends_with(a))
        {
            return Some((eq - attr.len(), attr.len() + 2));
        }
        from = eq + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_pages_are_bilingual_the_internal_ones_not() {
        for p in [
            "/",
            "/index.json",
            "/indikatoren",
            "/indikatoren/ARB-01",
            "/indikatoren/ARB-01.csv",
            "/indikatoren/ARB-01/diagramm/karte.svg",
            "/stadtteile/01",
            "/handlungsfelder/arbeit.json",
            "/konzept/3",
            "/daten",
            "/impressum.json",
        ] {
            assert!(bilingual(p), "{p}");
        }
        for p in [
            "/lagebild",
            "/indikatoren/ARB-01/regeln",
            "/daten/kimo-daten.csv",
            "/api/v1/indicators",
            "/konzept/3/konzept.pdf",
            "/konto",
            "/static/style.css",
            "/anmelden",
        ] {
            assert!(!bilingual(p), "{p}");
        }
    }

    #[test]
    fn the_browser_chooses_among_german_and_english() {
        assert_eq!(preferred("en-GB,en;q=0.9,de;q=0.5"), Lang::En);
        assert_eq!(preferred("fr-FR, en;q=0.5, de;q=0.8"), Lang::De);
        assert_eq!(preferred("tr, ar"), Lang::De);
        assert_eq!(preferred("EN-us"), Lang::En);
        assert_eq!(preferred(""), Lang::De);
        assert_eq!(preferred("fr, en;q=0"), Lang::De);
    }

    /// The German texts given literally to `t(…)` / `tf(…)` in a file.
    fn literal_texts(source: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, _) in source.match_indices("t(\"") {
            let before = source[..i].chars().next_back();
            // `t(` or `tf(` as a word of its own (not `format(`, `set(`, …).
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &source[i + 3..];
            let mut text = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => text.extend(chars.next()),
                    '"' => break,
                    c => text.push(c),
                }
            }
            out.push(text);
        }
        out
    }

    #[test]
    fn every_public_text_has_an_english_translation() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in [
            "templates",
            "src",
            "src/pages",
            "src/pages/indicator",
            "../chart/src",
            "../model/src",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = e.unwrap().path();
                if path.extension().is_some_and(|x| x == "html" || x == "rs") {
                    files.push(path);
                }
            }
        }
        let english = kimo_model::lang::english();
        let mut missing = Vec::new();
        let mut count = 0;
        for f in &files {
            let source = std::fs::read_to_string(f).unwrap().replace("tf(\"", "t(\"");
            for text in literal_texts(&source) {
                count += 1;
                if !english.contains_key(&text) && text != "kein bekannter Text" {
                    missing.push(format!("{}: „{text}“", f.display()));
                }
            }
        }
        assert!(count > 300, "{count} texts found");
        assert!(
            missing.is_empty(),
            "without English:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn links_keep_the_pages_language() {
        let html = r#"<a href="/indikatoren/ARB-01?gebiet=01">x</a><a href="&#x2f;stadtteile&#x2f;01">y</a>
<link href="/static/style.css"><a href="/anmelden">z</a><a href="//example.org/">e</a>
<form action="/indikatoren/ARB-01"><img src="/indikatoren/ARB-01/diagramm/karte.svg"><a href="/de/daten">d</a>"#;
        let out = prefix_links(html, "/en");
        assert!(out.contains(r#"href="/en/indikatoren/ARB-01?gebiet=01""#));
        assert!(out.contains(r#"href="/en&#x2f;stadtteile&#x2f;01""#));
        assert!(out.contains(r#"href="/static/style.css""#));
        assert!(out.contains(r#"href="/anmelden""#));
        assert!(out.contains(r#"href="//example.org/""#));
        assert!(out.contains(r#"action="/en/indikatoren/ARB-01""#));
        assert!(out.contains(r#"src="/en/indikatoren/ARB-01/diagramm/karte.svg""#));
        assert!(out.contains(r#"href="/de/daten""#));
        assert_eq!(prefix_links(html, ""), html);
    }
}
