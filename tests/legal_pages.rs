//! The pages a German public website needs: Impressum and Datenschutz (the city's Markdown, set
//! with `kimo einstellung rechtliches`, shown sanitised), the Erklärung zur Barrierefreiheit with
//! the feedback address, and the monitoring in Leichte Sprache — linked from every page's footer,
//! the start page included. Wrong input is refused; every change is in the audit log. SQLite and
//! PostgreSQL.

mod common;
use common::{Server, kimo, kimo_ok};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

#[test]
fn legal_pages_and_leichte_sprache() {
    for t in TestDb::all("legal_pages_and_leichte_sprache") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        let start = server.request("/", &[]).body;
        for link in [
            "/leichte-sprache",
            "/barrierefreiheit",
            "/impressum",
            "/datenschutz",
        ] {
            assert!(
                start.contains(&format!("<a href=\"{link}\"")),
                "the start page links {link}"
            );
            assert_eq!(server.request(link, &[]).status, 200, "{link}");
        }
        let imprint = server.request("/impressum", &[]).body;
        assert!(imprint.contains("noch nicht eingestellt"));
        let statement = server.request("/barrierefreiheit", &[]).body;
        for part in [
            "Stand der Vereinbarkeit",
            "Nicht barrierefreie Inhalte",
            "Feedback und Kontaktangaben",
            "Durchsetzungsverfahren",
        ] {
            assert!(statement.contains(part), "{part}");
        }
        let easy = server.request("/leichte-sprache", &[]).body;
        assert!(easy.contains("class=\"leichte-sprache\""));
        assert!(easy.contains("Der Punkt bedeutet: Diese Zahl ist geheim."));

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("impressum.md");
        std::fs::write(
            &file,
            "# Herausgeberin\n\nStadt Beispielstadt, Integrationsbüro\n\n<script>alert(1)</script>\n",
        )
        .unwrap();
        let bad = kimo(
            db,
            &["einstellung", "rechtliches", "--kontakt", "kein mail"],
        );
        assert!(!bad.status.success());
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains("„kein mail“ ist keine E-Mail-Adresse")
        );
        let out = kimo_ok(
            db,
            &[
                "einstellung",
                "rechtliches",
                "--impressum",
                file.to_str().unwrap(),
                "--kontakt",
                "integration@example.de",
            ],
        );
        assert!(out.contains("Impressum: 81 Zeichen"), "{out}");
        assert!(
            out.contains("Kontakt für Barrierefreiheit: integration@example.de"),
            "{out}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
        let imprint = server.request("/impressum", &[]).body;
        assert!(
            imprint.contains("<h2>Herausgeberin</h2>"),
            "one level below the page's h1"
        );
        assert!(imprint.contains("Stadt Beispielstadt, Integrationsbüro"));
        assert!(
            !imprint.contains("<script>alert"),
            "the city's text is escaped"
        );
        for page in ["/barrierefreiheit", "/leichte-sprache"] {
            let body = server.request(page, &[]).body;
            assert!(
                body.contains("href=\"mailto:integration@example.de\""),
                "{page}: the feedback address"
            );
        }
        let twin: serde_json::Value =
            serde_json::from_str(&server.request("/impressum.json", &[]).body).unwrap();
        assert!(
            twin["html"]
                .as_str()
                .unwrap()
                .contains("<h2>Herausgeberin</h2>")
        );
        assert_eq!(twin["kind"], "impressum");
        let store = Store::open(db).unwrap();
        let log = store
            .audit_log(&AuditFilter {
                action: Some("setting.legal".into()),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log.len(), 1, "the refused change is not in it");
        assert_eq!(log[0].after, "Impressum (81 Zeichen); Kontakt (22 Zeichen)");
        println!("{}: 4 legal pages, the change audited", t.label);
    }
}
