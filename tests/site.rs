//! `kimo site DIR`: the public portal as static files — both languages, every page with relative
//! links that all lead to a file of the site, no page that needs JavaScript or a server, the
//! charts and the open data files with the DCAT catalogue, and nothing the public may not see
//! (an internal indicator, an embargoed period, a warning). SQLite and PostgreSQL.

mod common;
use common::{kimo, kimo_ok, set_published};
use kimo_store::testing::TestDb;
use std::path::{Path, PathBuf};

/// Every file below `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// The values of `href` and `src` attributes in a page.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            out.push(rest[..rest.find('"').unwrap()].to_string());
        }
    }
    out
}

#[test]
fn the_public_portal_as_static_files() {
    for t in TestDb::all("the_public_portal_as_static_files") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        // ARB-02 internal, ARB-03's 2025 under embargo: neither may reach the site.
        set_published(db, "ARB-02", false);
        kimo_ok(
            db,
            &[
                "einstellung",
                "sperrfrist",
                "ARB-03",
                "2025",
                "--bis",
                "2099-01-01",
            ],
        );
        let dir = tempfile::tempdir().unwrap();
        let out = kimo_ok(db, &["site", dir.path().to_str().unwrap()]);
        println!("{out}");
        assert!(out.contains("Statische Seiten in"), "{out}");

        let all = files(dir.path());
        let rel = |p: &Path| {
            p.strip_prefix(dir.path())
                .unwrap()
                .to_string_lossy()
                .to_string()
        };
        let names: Vec<String> = all.iter().map(|p| rel(p)).collect();
        for must in [
            "index.html",
            "en/index.html",
            "404.html",
            "en/404.html",
            "indikatoren/ARB-01/index.html",
            "en/indikatoren/ARB-01/index.html",
            "indikatoren/ARB-01.json",
            "indikatoren/ARB-01.csv",
            "indikatoren/ARB-01/diagramm/karte.svg",
            "stadtteile/19/index.html",
            "en/stadtteile/19/index.html",
            "daten/index.html",
            "daten/dcat.jsonld",
            "daten/kimo-daten.csv",
            "daten/kimo-daten-excel.csv",
            "daten/kimo-daten.xlsx",
            "daten/kimo-daten.json",
            "daten/indikatoren/ARB-01.xlsx",
            "static/style.css",
            "leichte-sprache/index.html",
            "konzept/index.html",
        ] {
            assert!(names.iter().any(|n| n == must), "{must} is missing");
        }
        assert!(!names.iter().any(|n| n.ends_with(".png")), "no PNG");
        assert!(
            !names
                .iter()
                .any(|n| n.starts_with("api") || n.starts_with("de/"))
        );

        let mut pages = 0;
        for p in all
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
        {
            pages += 1;
            let html = std::fs::read_to_string(p).unwrap();
            let english = rel(p).starts_with("en/");
            let lang = if english { "en" } else { "de" };
            assert!(
                html.contains(&format!("<html lang=\"{lang}\">")),
                "{}",
                rel(p)
            );
            // No form and no script a page would need: the indicator list's filter is the only
            // script, and the list works without it.
            assert!(!html.contains("<form"), "{} has a form", rel(p));
            for l in links(&html) {
                assert!(!l.starts_with('/'), "{}: link {l} is not relative", rel(p));
                if l.starts_with("http") || l.starts_with("mailto:") || l.starts_with('#') {
                    continue;
                }
                let target = l.split('#').next().unwrap();
                let file = p.parent().unwrap().join(target.replace("&amp;", "&"));
                assert!(file.exists(), "{}: link {l} leads nowhere", rel(p));
            }
        }
        println!(
            "{pages} pages, {} files, every link leads to a file",
            all.len()
        );

        // Nothing internal: not the internal indicator, not the embargoed period, no warning.
        for p in &all {
            let bytes = std::fs::read(p).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains("ARB-02"), "{} names ARB-02", rel(p));
            assert!(!text.contains("Warnhinweis Nr."), "{}", rel(p));
        }
        let arb03 =
            std::fs::read_to_string(dir.path().join("daten/indikatoren/ARB-03.csv")).unwrap();
        assert!(
            !arb03.contains(",2025,"),
            "the embargoed 2025 is not in the file"
        );
        let en =
            std::fs::read_to_string(dir.path().join("en/indikatoren/ARB-01/index.html")).unwrap();
        assert!(en.contains("href=\"../../../indikatoren/ARB-01/index.html\" hreflang=\"de\""));
        let de = std::fs::read_to_string(dir.path().join("indikatoren/ARB-01/index.html")).unwrap();
        assert!(de.contains("href=\"../../en/indikatoren/ARB-01/index.html\" hreflang=\"en\""));
        let dcat: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("daten/dcat.jsonld")).unwrap())
                .unwrap();
        assert!(dcat["dcat:dataset"].as_array().unwrap().len() > 30);

        // A folder that cannot be written is refused with its name.
        let bad = kimo(db, &["site", "/proc/kimo-site"]);
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("/proc/kimo-site"));
    }
}
