//! The public pages in German and English: every public page at `/x` (German, or English when the
//! browser prefers it and nobody is logged in), `/de/x` and `/en/x`, with the switch to the other
//! language, the right `lang` attributes, links that keep the language, the catalogue's English
//! texts, and numbers and dates as each language writes them. English pages are the public's view
//! whoever asks; pages for staff are German only. SQLite and PostgreSQL.

mod common;
use common::{Server, kimo, kimo_ok, set_published};
use kimo_store::testing::TestDb;

/// The public pages offered in both languages.
const PAGES: [&str; 15] = [
    "/",
    "/indikatoren",
    "/indikatoren/ARB-01",
    "/handlungsfelder/arbeit",
    "/stadtteile",
    "/stadtteile/19",
    "/daten",
    "/api",
    "/impressum",
    "/datenschutz",
    "/barrierefreiheit",
    "/leichte-sprache",
    "/konzept",
    "/konzept/versionen",
    "/fahrplan",
];

/// German words of kimo's own page frame and tables that an English page must not show.
const GERMAN: [&str; 10] = [
    "Zum Inhalt springen",
    "Hauptnavigation",
    "Datenstand",
    "Zeichenerklärung",
    "Menü",
    "Zeitverlauf",
    "Metadaten",
    "Gliederung",
    "Alle Indikatoren",
    "Offene Daten",
];

/// An answer's HTML with minijinja's `&#x2f;` written as `/`.
fn html(server: &Server, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let a = server.request(path, headers);
    (a.status, a.body.replace("&#x2f;", "/"))
}

/// The HTML without the elements marked as German (`lang="de"`: the Konzept's text, the
/// Leichte Sprache, the API's descriptions), whose words an English page may show.
fn without_german(html: &str) -> String {
    let mut out = html.to_string();
    while let Some(at) = out.find(" lang=\"de\"") {
        let start = out[..at].rfind('<').unwrap();
        let name: String = out[start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let (open, close) = (format!("<{name}"), format!("</{name}>"));
        let (mut depth, mut pos) = (0usize, start);
        let end = loop {
            let next_open = out[pos + 1..].find(&open).map(|i| i + pos + 1);
            let next_close = out[pos..].find(&close).map(|i| i + pos).unwrap();
            match next_open {
                Some(o) if o < next_close => {
                    depth += 1;
                    pos = o;
                }
                _ if depth > 0 => {
                    depth -= 1;
                    pos = next_close + 1;
                }
                _ => break next_close + close.len(),
            }
        };
        out.replace_range(start..end, "");
    }
    out
}

/// The English name of an indicator in the demo catalogue (`name_en` of examples/katalog).
fn english_name(code: &str) -> (String, String) {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path("examples/katalog/indikatoren.csv")
        .unwrap();
    let head = r.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let row = r
        .records()
        .map(Result::unwrap)
        .find(|row| &row[0] == code)
        .unwrap();
    (
        row[col("name")].to_string(),
        row[col("name_en")].to_string(),
    )
}

#[test]
fn public_pages_in_german_and_english() {
    for t in TestDb::all("public_pages_in_german_and_english") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        for page in PAGES {
            let (status, de) = html(&server, page, &[]);
            assert_eq!(status, 200, "{page}");
            assert!(de.contains("<html lang=\"de\">"), "{page}");
            let to_en = if page == "/" {
                "/en/".to_string()
            } else {
                format!("/en{page}")
            };
            assert!(
                de.contains(&format!(
                    "href=\"{to_en}\" hreflang=\"en\" lang=\"en\">English</a>"
                )),
                "{page}: the switch to English"
            );
            let answer = server.request(&to_en, &[]);
            assert_eq!(answer.status, 200, "{to_en}");
            assert_eq!(
                answer.headers.get("content-language").map(String::as_str),
                Some("en"),
                "{to_en}"
            );
            let en = answer.body.replace("&#x2f;", "/");
            assert!(en.contains("<html lang=\"en\">"), "{to_en}");
            let to_de = format!("/de{}", page);
            let to_de = if page == "/" { "/de/" } else { &to_de };
            assert!(
                en.contains(&format!(
                    "href=\"{to_de}\" hreflang=\"de\" lang=\"de\">Deutsch</a>"
                )),
                "{to_en}: the switch to German"
            );
            let english = without_german(&en);
            for word in GERMAN {
                assert!(!english.contains(word), "{to_en} shows „{word}“");
            }
            // Every link to a page in both languages stays English.
            for stays in ["/indikatoren", "/stadtteile", "/daten\"", "/konzept\""] {
                assert!(
                    !en.contains(&format!("href=\"{stays}")),
                    "{to_en} links {stays} in German"
                );
            }
            assert!(en.contains("href=\"/en/daten\""), "{to_en}");
            // German pages asked for explicitly keep their prefix in links.
            let (_, de2) = html(&server, to_de, &[]);
            assert!(de2.contains("<html lang=\"de\">") && de2.contains("href=\"/de/daten\""));
        }
        println!("{} pages in German and English", PAGES.len());

        // The browser's language decides at the plain address; with German or neither, German.
        for (accept, lang) in [
            ("en-GB,en;q=0.9,de;q=0.5", "en"),
            ("de-DE,de;q=0.9,en;q=0.8", "de"),
            ("fr-FR,fr;q=0.9", "de"),
            ("fr-FR,en;q=0.5", "en"),
        ] {
            let a = server.request("/indikatoren", &[("accept-language", accept)]);
            assert!(
                a.body.contains(&format!("<html lang=\"{lang}\">")),
                "{accept} → {lang}"
            );
            assert_eq!(
                a.headers.get("content-language").map(String::as_str),
                Some(lang),
                "{accept}"
            );
            let vary = server.raw_headers("/indikatoren", "vary").join(", ");
            assert!(vary.contains("Accept-Language"), "{vary}");
        }
        // Pages made for staff are German only: a prefix leads to the German page.
        let a = common::send(&server, "GET", "/en/lagebild", "", &[]);
        assert_eq!(a.status, 308);
        // No redirect to another site (`//host`).
        for evil in ["/en//example.org", "/de//example.org/x"] {
            let a = common::send(&server, "GET", evil, "", &[]);
            assert_eq!(a.status, 404, "{evil}");
        }
        // The tables as CSV: German with `;` and decimal commas, English with `,`.
        let de = server.request("/indikatoren.csv", &[]).body;
        let en = server.request("/en/indikatoren.csv", &[]).body;
        assert!(de.lines().next().unwrap().contains(';'), "{de:.200}");
        assert!(!en.lines().next().unwrap().contains(';'), "{en:.200}");
        assert!(en.lines().next().unwrap().contains(','), "{en:.200}");
        assert_eq!(a.header("location"), Some("/lagebild"));

        // The catalogue's English texts, numbers and dates as each language writes them.
        let (name_de, name_en) = english_name("ARB-01");
        assert!(!name_en.is_empty() && name_en != name_de);
        let (_, de) = html(&server, "/indikatoren/ARB-01", &[]);
        let (_, en) = html(&server, "/en/indikatoren/ARB-01", &[]);
        assert!(de.contains(&name_de) && !de.contains(&name_en));
        assert!(en.contains(&name_en), "the English name „{name_en}“");
        let json = |path: &str| -> serde_json::Value {
            serde_json::from_str(&server.request(path, &[]).body).unwrap()
        };
        let de = json("/indikatoren/ARB-01.json");
        let en = json("/en/indikatoren/ARB-01.json");
        let value_de = de["headline"]["value_text"].as_str().unwrap().to_string();
        let value_en = en["headline"]["value_text"].as_str().unwrap().to_string();
        assert!(
            value_de.contains(',') && !value_de.contains('.'),
            "{value_de}"
        );
        assert_eq!(value_en, value_de.replace(',', "."), "{value_en}");
        let date_de = de["last_update"].as_str().unwrap().to_string();
        let date_en = en["last_update"].as_str().unwrap().to_string();
        let d = chrono::NaiveDate::parse_from_str(&date_de, "%d.%m.%Y").unwrap();
        assert_eq!(date_en, d.format("%-d %b %Y").to_string());
        println!(
            "ARB-01: „{name_de}“ / „{name_en}“, {value_de} / {value_en}, {date_de} / {date_en}"
        );
        let (_, stadtteile) = html(&server, "/en/stadtteile", &[]);
        let big = stadtteile
            .split("<td class=\"num\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .unwrap();
        assert!(
            big.contains(',') && !big.contains('.'),
            "population „{big}“"
        );

        // The embeddable chart: other sites may frame it (and only it), with its numbers and source.
        for (path, lang) in [
            (
                "/indikatoren/ARB-01/diagramm/karte.html?gebiet=KA&zeitraum=2025",
                "de",
            ),
            ("/en/indikatoren/ARB-01/diagramm/verlauf.html", "en"),
        ] {
            let a = server.request(path, &[]);
            assert_eq!(a.status, 200, "{path}");
            let csp = a.headers.get("content-security-policy").unwrap();
            assert!(csp.contains("frame-ancestors *"), "{csp}");
            assert!(!a.headers.contains_key("x-frame-options"), "{path}");
            assert!(a.body.contains(&format!("<html lang=\"{lang}\">")));
            assert!(
                a.body.contains("<table")
                    && a.body.contains("<svg")
                    && a.body.contains("target=\"_top\"")
            );
        }
        let page = server.request("/indikatoren/ARB-01", &[]);
        assert_eq!(
            page.headers.get("x-frame-options").map(String::as_str),
            Some("SAMEORIGIN")
        );
        assert!(
            page.body
                .contains("&lt;iframe src=&quot;/indikatoren/ARB-01/diagramm/verlauf.html?")
        );

        // English pages are the public's, also for those logged in; German ones show them more.
        set_published(db, "ARB-02", false);
        let cookie = server.log_in(db);
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert_eq!(server.get_as(&cookie, "/indikatoren/ARB-02").0, 200);
        assert_eq!(server.get_as(&cookie, "/en/indikatoren/ARB-02").0, 404);
        assert_eq!(server.request("/en/indikatoren/ARB-02", &[]).status, 404);
        // An error page in English: the title English, the office's German message marked German.
        let error = server.request("/en/indikatoren/ARB-03?gebiet=99", &[]);
        assert_eq!(error.status, 400);
        assert!(
            error.body.contains("<title>Invalid request –"),
            "{}",
            error.body
        );
        assert!(
            error.body.contains("<h1>Invalid request</h1>"),
            "{}",
            error.body
        );
        assert!(
            error
                .body
                .contains("<p lang=\"de\">Das Gebiet &#x27;99&#x27; gibt es nicht.</p>"),
            "{}",
            error.body
        );
        let german = server.request("/indikatoren/ARB-03?gebiet=99", &[]);
        assert!(german.body.contains("<h1>Ungültige Anfrage</h1>"));
        assert!(german.body.contains("<p>Das Gebiet"));
        let decided: serde_json::Value =
            serde_json::from_str(&server.request("/konzept.json", &[]).body).unwrap();
        let id = decided["version"]["id"].as_i64().unwrap();
        let (status, konzept) = server.get_as(&cookie, &format!("/en/konzept/{id}"));
        assert_eq!(status, 200);
        assert!(
            !konzept.contains("<form"),
            "no staff forms on an English page"
        );
        let (_, index) = server.get_as(&cookie, "/");
        assert!(index.contains("<html lang=\"de\">"));
        // Logged in, the browser's English does not switch the plain address.
        let a = server.request(
            "/",
            &[("cookie", cookie.as_str()), ("accept-language", "en")],
        );
        assert!(a.body.contains("<html lang=\"de\">"));
    }
}

#[test]
fn catalogue_translations_are_imported_checked_and_kept() {
    for t in TestDb::all("catalogue_translations_are_imported_checked_and_kept") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("felder.csv");
        std::fs::write(
            &file,
            "handlungsfeld;name;beschreibung;reihenfolge;name_tr\narbeit;Arbeit;;5;Çalışma\n",
        )
        .unwrap();
        let out = kimo(db, &["import", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("felder.csv")
                && err.contains("Zeile 1, Spalte 5")
                && err.contains("Übersetzungen gibt es nur ins Englische"),
            "{err}"
        );

        // A table with the English column replaces the English text; one without keeps it.
        std::fs::write(
            &file,
            "handlungsfeld;name;beschreibung;reihenfolge;name_en\narbeit;Arbeit und Beschäftigung;;5;Jobs and work\n",
        )
        .unwrap();
        kimo_ok(db, &["import", file.to_str().unwrap()]);
        let server = Server::start(&["--database", db], &[]);
        let (_, en) = html(&server, "/en/handlungsfelder/arbeit", &[]);
        assert!(en.contains("Jobs and work"));
        std::fs::write(
            &file,
            "handlungsfeld;name;beschreibung;reihenfolge\narbeit;Arbeit und Beschäftigung;Neu.;5\n",
        )
        .unwrap();
        kimo_ok(db, &["import", file.to_str().unwrap()]);
        std::thread::sleep(std::time::Duration::from_millis(300));
        let (_, en) = html(&server, "/en/handlungsfelder/arbeit", &[]);
        assert!(en.contains("Jobs and work"), "kept");
        let (_, de) = html(&server, "/handlungsfelder/arbeit", &[]);
        assert!(de.contains("Neu.") && !de.contains("Jobs and work"));

        // The catalogue export carries the English columns, which read back.
        let xlsx = dir.path().join("katalog.xlsx");
        kimo_ok(
            db,
            &["export", "--format", "catalogue", xlsx.to_str().unwrap()],
        );
        let copy = TestDb::sqlite();
        kimo_ok(&copy.url, &["import", xlsx.to_str().unwrap()]);
        let store = kimo_store::Store::open(&copy.url).unwrap();
        let fields = store.action_fields().unwrap();
        let arbeit = fields.iter().find(|f| f.code == "arbeit").unwrap();
        let texts = arbeit.translations.as_ref().unwrap();
        assert_eq!(
            texts.get(kimo_model::lang::Lang::En, "name"),
            Some("Jobs and work")
        );
        let inds = store.indicators().unwrap();
        let arb = inds.iter().find(|i| i.code == "ARB-01").unwrap();
        assert_eq!(
            arb.translations
                .as_ref()
                .unwrap()
                .get(kimo_model::lang::Lang::En, "name"),
            Some(english_name("ARB-01").1.as_str())
        );
    }
}
