//! The public never sees internal data: an unpublished indicator and every warning are invisible
//! to visitors who are not logged in, by every route (pages, their JSON and CSV twins, chart
//! downloads, the API, error messages); logged in, all of it is there. SQLite and PostgreSQL.

mod common;
use common::{Server, kimo_ok};
use kimo_store::testing::TestDb;
use kimo_store::{Store, WarningFilter};

/// Every route of the server, with the unpublished indicator (ARB-03) and a warning in it where a
/// route takes them.
fn routes(warning: i64) -> Vec<String> {
    let mut routes: Vec<String> = [
        "/",
        "/index.json",
        "/index.csv",
        "/handlungsfelder/arbeit",
        "/handlungsfelder/arbeit.json",
        "/handlungsfelder/arbeit.csv",
        "/indikatoren",
        "/indikatoren.json",
        "/indikatoren.csv",
        "/indikatoren/ARB-03",
        "/indikatoren/ARB-03.json",
        "/indikatoren/ARB-03.csv",
        "/indikatoren/ARB-03/diagramm/verlauf.svg",
        "/indikatoren/ARB-03/diagramm/verlauf.csv",
        "/indikatoren/ARB-03/diagramm/karte.png",
        "/lagebild",
        "/lagebild.json",
        "/lagebild.csv",
        "/stadtteile",
        "/stadtteile.json",
        "/stadtteile.csv",
        "/stadtteile/19",
        "/stadtteile/19.json",
        "/stadtteile/19.csv",
        "/api/v1/indicators",
        "/api/v1/indicators/ARB-03",
        "/api/v1/indicators/ARB-03/observations",
        "/api/v1/areas",
        "/api/v1/warnings",
        "/api/v1/warnings?indicator=ARB-03",
        "/daten",
        "/daten.json",
        "/daten/kimo-daten.csv",
        "/daten/kimo-daten-excel.csv",
        "/daten/kimo-daten.json",
        "/daten/dcat.jsonld",
        "/daten/indikatoren/ARB-03.csv",
        "/daten/indikatoren/ARB-03.json",
        "/daten/indikatoren/ARB-03.xlsx",
        "/api",
        "/api/v1/openapi.json",
        "/impressum",
        "/datenschutz",
        "/barrierefreiheit",
        "/leichte-sprache",
        "/impressum.json",
        "/api.json",
        "/en/",
        "/en/index.json",
        "/en/indikatoren",
        "/en/indikatoren.json",
        "/en/indikatoren/ARB-03",
        "/en/indikatoren/ARB-03.json",
        "/en/indikatoren/ARB-03/diagramm/verlauf.svg",
        "/en/stadtteile/19",
        "/en/handlungsfelder/arbeit",
        "/en/daten",
        "/indikatoren/ARB-03/diagramm/verlauf.html",
    ]
    .iter()
    .map(|r| r.to_string())
    .collect();
    // A warning named on the page of a published indicator, and the internal pages.
    routes.push(format!("/indikatoren/ARB-01?warnung={warning}"));
    routes.push(format!("/warnungen/{warning}"));
    routes.push(format!("/warnungen/{warning}.json"));
    for r in [
        "/aufgaben",
        "/aufgaben.json",
        "/indikatoren/ARB-03/regeln",
        "/indikatoren/ARB-01/regeln",
        "/konzept",
        "/konzept.json",
        "/konto.json",
        "/lieferungen",
        "/lieferungen.json",
        "/lieferungen/1",
        "/lieferungen/erinnerungen",
        "/lieferungen/erinnerungen.json",
        "/berichte",
        "/berichte.json",
        "/berichte/1",
        "/berichte/1.json",
        "/berichte/1/bericht.html",
        "/berichte/1/bericht.pdf",
        "/berichte/1/bericht.docx",
        "/sitzungen",
        "/sitzungen.json",
        "/fahrplan",
        "/verwaltung/protokoll",
        "/verwaltung/protokoll.csv",
    ] {
        routes.push(r.to_string());
    }
    routes
}

#[test]
fn the_public_never_sees_an_unpublished_indicator_or_a_warning() {
    for t in TestDb::all("the_public_never_sees_an_unpublished_indicator_or_a_warning") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        // ARB-03 becomes internal: the catalogue line with `veroeffentlicht` = nein.
        common::set_published(db, "ARB-03", false);

        let store = Store::open(db).unwrap();
        // The withdrawal is in the audit log, by whom and from what to what.
        let filter = kimo_store::AuditFilter {
            action: Some("publication".into()),
            limit: 1,
            ..Default::default()
        };
        let e = &store.audit_log(&filter).unwrap()[0];
        assert_eq!(e.object, "indikator:ARB-03");
        assert_eq!(
            (e.before.as_str(), e.after.as_str()),
            ("veröffentlicht", "intern")
        );
        let warnings = store.warnings(&WarningFilter::default()).unwrap();
        assert!(warnings.len() > 10, "the demo city has warnings");
        let on_arb01 = warnings.iter().find(|w| w.indicator == "ARB-01");
        let warning = on_arb01.map_or(warnings[0].id, |w| w.id);
        drop(store);

        let server = Server::start(&["--database", db], &[]);
        // ARB-03's English name (the catalogue's `name_en`), which English pages would show.
        let catalogue = std::fs::read_to_string("examples/katalog/indikatoren.csv").unwrap();
        let head: Vec<&str> = catalogue.lines().next().unwrap().split(';').collect();
        let row: Vec<&str> = catalogue
            .lines()
            .find(|l| l.starts_with("ARB-03;"))
            .unwrap()
            .split(';')
            .collect();
        let english = row[head.iter().position(|h| *h == "name_en").unwrap()];
        assert!(!english.is_empty());
        let mut checked = 0;
        for route in routes(warning) {
            let a = server.request(&route, &[("accept-encoding", "identity")]);
            // The decided Integrationskonzept is a public document: its own words may name the
            // topic („Die Arbeitslosenquote der Nichtdeutschen …“); what the catalogue holds —
            // the indicator's name as data, its code, its figures — must not show.
            let own_words = "Die Arbeitslosenquote der Nichtdeutschen";
            assert!(
                !a.body.replace(own_words, "").contains("Arbeitslosenquote"),
                "{route} shows ARB-03's name"
            );
            assert!(
                !a.body.contains(english),
                "{route} shows ARB-03's English name"
            );
            // The code only where the address names it, in the answer that it does not exist.
            if route.contains("ARB-03") {
                assert!(matches!(a.status, 403 | 404), "{route}: {}", a.status);
            } else {
                assert!(
                    !a.body.contains("ARB-03"),
                    "{route} shows 'ARB-03' to the public"
                );
            }
            for w in &warnings {
                assert!(
                    !a.body.contains(&w.sentence),
                    "{route} shows a warning to the public"
                );
            }
            checked += 1;
            println!(
                "{}: {route} → {} for the public, nothing internal",
                t.label, a.status
            );
        }
        assert_eq!(checked, 85);
        // No trace of the warnings' existence in the public's Stadtteil table and page data.
        let csv = server.request("/stadtteile.csv", &[]);
        assert!(!csv.body.contains("Warnhinweis"), "{:.300}", csv.body);
        let json = server.request("/stadtteile/19.json", &[]);
        assert!(!json.body.contains("\"warnings\""), "{:.300}", json.body);

        // Unpublished is the same as not there, down to the message; warnings need a login.
        let (status, body) = server.get("/indikatoren/ARB-03.json");
        let (status2, body2) = server.get("/indikatoren/GIBT-ES-NICHT.json");
        assert_eq!((status, status2), (404, 404));
        assert_eq!(
            body.replace("ARB-03", "X"),
            body2.replace("GIBT-ES-NICHT", "X")
        );
        assert_eq!(server.get("/lagebild").0, 403);
        assert_eq!(server.get("/api/v1/warnings").0, 403);
        assert!(server.get("/lagebild").1.contains("bitte anmelden"));
        assert!(
            !server.get("/").1.contains("href=\"/lagebild\""),
            "no menu link"
        );
        // A warning's number on a public page is answered as if there were none.
        let (status, body) = server.get(&format!("/indikatoren/ARB-01?warnung={warning}"));
        let (status2, body2) = server.get("/indikatoren/ARB-01?warnung=999999");
        assert_eq!((status, status2), (400, 400));
        let message = |b: &str| {
            b.lines()
                .find(|l| l.contains("gibt es nicht"))
                .unwrap()
                .to_string()
        };
        assert_eq!(
            message(&body).replace(&format!("Nr. {warning} "), "Nr. N "),
            message(&body2).replace("Nr. 999999 ", "Nr. N ")
        );

        // Logged in, all of it is there.
        let cookie = server.log_in(db);
        let (status, page) = server.get_as(&cookie, "/indikatoren/ARB-03");
        assert_eq!(status, 200);
        assert!(page.contains("Arbeitslosenquote"));
        let (status, lagebild) = server.get_as(&cookie, "/lagebild");
        assert_eq!(status, 200);
        assert!(warnings.iter().any(|w| lagebild.contains(&w.sentence)));
        let (_, api) = server.get_as(&cookie, "/api/v1/warnings");
        assert!(
            api.contains(&format!("\"count\":{}", warnings.len())),
            "{api:.200}"
        );
        assert!(server.get_as(&cookie, "/").1.contains("href=\"/lagebild\""));
        // The public's and the logged-in answer at one address never share a browser cache entry.
        let public = server.request("/", &[]);
        let internal = server.request("/", &[("cookie", &cookie)]);
        assert_ne!(public.headers["etag"], internal.headers["etag"]);
        let vary = server.raw_headers("/", "vary");
        assert!(
            vary.iter().any(|v| v == "Cookie, Authorization"),
            "{vary:?}"
        );
        let revalidated = server.request("/", &[("if-none-match", &internal.headers["etag"])]);
        assert_eq!(
            revalidated.status, 200,
            "the public gets its own page, not a 304"
        );
    }
}
