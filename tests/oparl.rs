//! Council papers from OParl 1.1 (`kimo oparl import`, fixtures in the spec's shape): a list read
//! page by page from a real HTTP endpoint (a small server of the test's, serving
//! tests/fixtures/oparl; other object types and deleted papers left out), a single meeting from a
//! file, a broken file refused with its line and column and nothing written; papers linked to
//! the Konzept version in force, a report and a warning show beside them with their number,
//! date and type. Audited. SQLite and PostgreSQL.

mod common;
use common::{Server, kimo, kimo_ok};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// The fixtures' folder.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/oparl");

/// Serves the OParl list's two pages (`{{BASE}}` replaced by the server's address) until the
/// test ends; returns the base address.
fn oparl_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Read the rest of the header.
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let file = if request.contains("page=2") || request.contains("/kreis") {
                "drucksachen-2.json"
            } else {
                "drucksachen-1.json"
            };
            let mut body = std::fs::read_to_string(format!("{FIXTURES}/{file}"))
                .unwrap()
                .replace("{{BASE}}", &served);
            // A list whose next page is itself.
            if request.contains("/kreis") {
                body = body.replace(
                    "\"links\": {",
                    &format!("\"links\": {{\"next\": \"{served}/kreis\","),
                );
            }
            let mut out = &stream;
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

#[test]
fn council_papers_are_imported_linked_and_shown() {
    let base = oparl_endpoint();
    for t in TestDb::all("council_papers_are_imported_linked_and_shown") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);

        // A broken file: its line and column, nothing written.
        let broken = kimo(db, &["oparl", "import", &format!("{FIXTURES}/kaputt.json")]);
        assert!(!broken.status.success());
        let err = String::from_utf8_lossy(&broken.stderr);
        assert!(
            err.contains(
                "kaputt.json: Zeile 5, Spalte 3: kein gültiges JSON: expected `,` or `}`\n"
            ),
            "{err}"
        );
        assert!(err.contains("nichts wurde geschrieben"), "{err}");
        assert!(kimo_ok(db, &["oparl", "liste"]).contains("Noch keine"));

        // A list going round in circles: refused, nothing written.
        let circle = kimo(db, &["oparl", "import", &format!("{base}/kreis")]);
        assert!(!circle.status.success());
        let err = String::from_utf8_lossy(&circle.stderr);
        assert!(err.contains("links.next im Kreis"), "{err}");
        assert!(kimo_ok(db, &["oparl", "liste"]).contains("Noch keine"));

        // The endpoint's list, page by page.
        let list = format!("{base}/oparl/v1.1/body/1/paper");
        let out = kimo_ok(db, &["oparl", "import", &list, "--user", "bfi"]);
        assert!(
            out.contains("2 Drucksachen und Sitzungen gelesen (2 Seite(n)): 2 neu, 0 geändert, 0 unverändert; 2 andere oder gelöschte Objekte übergangen."),
            "{out}"
        );
        let again = kimo_ok(db, &["oparl", "import", &list]);
        assert!(
            again.contains("0 neu, 0 geändert, 2 unverändert"),
            "{again}"
        );
        let out = kimo_ok(
            db,
            &["oparl", "import", &format!("{FIXTURES}/sitzung.json")],
        );
        assert!(out.contains("1 neu"), "{out}");
        let listed = kimo_ok(db, &["oparl", "liste"]);
        assert!(
            listed.contains("Drucksache 2025/1064: Neuausrichtung der Integrationsplanung"),
            "{listed}"
        );
        assert!(
            listed.contains("Sitzung: Integrationsausschuss, 4. Sitzung (18.02.2026)"),
            "{listed}"
        );

        // Links: the Konzept in force, a report, a warning.
        let store = Store::open(db).unwrap();
        let konzept = store.konzept_in_force().unwrap().unwrap().id;
        let k = konzept.to_string();
        let out = kimo_ok(db, &["oparl", "verknuepfen", "2025/1064", "--konzept", &k]);
        assert!(
            out.contains(&format!("verknüpft mit konzept:{konzept}")),
            "{out}"
        );
        let report = store.reports().unwrap()[0].id.to_string();
        kimo_ok(
            db,
            &["oparl", "verknuepfen", "2026/0212", "--bericht", &report],
        );
        let meeting = "https://ris.example.de/oparl/v1.1/meeting/417";
        kimo_ok(db, &["oparl", "verknuepfen", meeting, "--warnung", "1"]);
        let twice = kimo(db, &["oparl", "verknuepfen", meeting, "--warnung", "1"]);
        assert!(String::from_utf8_lossy(&twice.stderr).contains("schon verknüpft"));
        let unknown = kimo(db, &["oparl", "verknuepfen", "2099/1", "--warnung", "1"]);
        assert!(!unknown.status.success());
        assert!(String::from_utf8_lossy(&unknown.stderr).contains("„2099/1“ gibt es nicht"));

        let server = Server::start(&["--database", db], &[]);
        // minijinja writes „/“ as &#x2f;.
        let page = server
            .request(&format!("/konzept/{konzept}"), &[])
            .body
            .replace("&#x2f;", "/");
        assert!(page.contains("Ratsvorgänge"), "the public Konzept page");
        assert!(page.contains(&format!(
            "<a href=\"{base}/vorgang/1064\">Drucksache 2025/1064: Neuausrichtung der Integrationsplanung: Integrationskonzept, Monitoring und Monitoringbericht (18.11.2025)</a> – Beschlussvorlage"
        )), "{page}");
        let cookie = server.log_in(db);
        let report_page = server
            .request(&format!("/berichte/{report}"), &[("cookie", &cookie)])
            .body
            .replace("&#x2f;", "/");
        assert!(
            report_page
                .contains("Drucksache 2026/0212: Monitoringbericht Integration 2026 (10.03.2026)")
        );
        let warning = server.request("/warnungen/1", &[("cookie", &cookie)]).body;
        assert!(warning.contains("Sitzung: Integrationsausschuss, 4. Sitzung (18.02.2026)"));

        let log = store
            .audit_log(&AuditFilter {
                action: Some("oparl".into()),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "oparl.import").count(), 3);
        assert_eq!(log.iter().filter(|e| e.action == "oparl.link").count(), 3);
        println!(
            "{}: 3 council papers and meetings imported (a list of 2 pages over HTTP), 3 links shown",
            t.label
        );
    }
}
