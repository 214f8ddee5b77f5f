//! The Integrationskonzept's pages on the demo city: the version in force for everyone with live
//! figures and goal progress, drafts and comments only for those logged in, the comparison of two
//! versions word by word, and each Handlungsfeld page opening with its part. Both databases.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::Store;
use kimo_store::testing::TestDb;

#[test]
fn the_konzept_in_force_drafts_and_the_comparison() {
    for t in TestDb::all("the_konzept_in_force_drafts_and_the_comparison") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let versions = store.konzept_versions().unwrap();
        let decided = versions
            .iter()
            .find(|v| v.title.starts_with("Integrationskonzept"))
            .unwrap()
            .id;
        let draft = versions
            .iter()
            .find(|v| v.title.starts_with("1. Fortschreibung 2029"))
            .unwrap()
            .id;
        // The goals of the version in force are the early warning's targets (KIT-04 off course).
        let ziel = store
            .warnings(&kimo_store::WarningFilter::default())
            .unwrap()
            .into_iter()
            .find(|w| w.rule == "ziel-kita-1")
            .expect("a warning of the goal kita-1");
        assert!(
            ziel.sentence
                .contains("ist nicht auf Kurs: Verschlechterung"),
            "{}",
            ziel.sentence
        );
        drop(store);
        let server = Server::start(&["--database", db], &[]);

        // The public reads the version in force: live figures with links, goals with progress.
        let page = send(&server, "GET", "/konzept", "", &[]);
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("<h1>Integrationskonzept Karlsruhe 2027 (Demo)</h1>")
        );
        assert!(
            page.body
                .contains("beschlossen am 24.11.2026 vom Gemeinderat"),
            "German date"
        );
        assert!(page.body.contains("<a class=\"figure\" href=\"/indikatoren/ARB-03?merkmal=staatsangehoerigkeit&amp;gruppe=nichtdeutsch\">"));
        assert!(
            page.body
                .contains("class=\"progress-deterioration\">Verschlechterung</strong>"),
            "KIT-04's goal"
        );
        assert!(page.body.contains("Messung: Arbeitslosenquote, nichtdeutsch: sinken auf 7,0 % bis 2030 (gemessen seit 2015)"));
        assert!(!page.body.contains("Kommentare aus dem Beratungsprozess"));
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", "/konzept.json", "", &[]).body).unwrap();
        assert_eq!(json["fields"].as_array().unwrap().len(), 9);
        assert!(json.get("comments").is_none(), "no comments for the public");
        assert_eq!(json["version"]["id"], decided);

        // Drafts and the comparison are not public (the same 404 as for nothing there).
        assert_eq!(
            send(&server, "GET", &format!("/konzept/{draft}"), "", &[]).status,
            404
        );
        assert_eq!(send(&server, "GET", "/konzept/999", "", &[]).status, 404);
        let list = send(&server, "GET", "/konzept/versionen", "", &[]).body;
        assert!(
            list.contains("Karlsruher Integrationsplan") && !list.contains("Fortschreibung 2029")
        );

        // Logged in: the draft with its comments, and what changed since the decision.
        let cookie = server.log_in_as(db, "gremium");
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &cookie, &[]);
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("Kommentare aus dem Beratungsprozess (3)")
        );
        assert!(
            page.body
                .contains("Wird im Monitoringbericht 2027 als Schwerpunkt aufgegriffen.")
        );
        let diff = send(
            &server,
            "GET",
            &format!("/konzept/vergleich?von={decided}&bis={draft}"),
            &cookie,
            &[],
        );
        assert_eq!(diff.status, 200, "{}", diff.body);
        assert!(
            diff.body
                .contains("<h2 id=\"d-2\">Arbeit und Beschäftigung: Ausgangslage</h2>"),
            "{}",
            diff.body
        );
        assert!(
            diff.body
                .contains("<del><span class=\"sr-only\">gestrichen: </span>")
        );
        assert!(diff.body.contains(
            "<ins><span class=\"sr-only\">neu: </span>seit 2021 deutlich kleiner geworden;"
        ));
        assert!(diff.body.contains("4 Abschnitte geändert, 34 unverändert"));
        let json: serde_json::Value = serde_json::from_str(
            &send(
                &server,
                "GET",
                &format!("/konzept/vergleich.json?von={decided}&bis={draft}"),
                &cookie,
                &[],
            )
            .body,
        )
        .unwrap();
        let goals = json["changed"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == "feld:arbeit:ziele")
            .unwrap();
        assert_eq!(
            (goals["added"].as_u64(), goals["removed"].as_u64()),
            (Some(1), Some(1)),
            "7 → 6.5"
        );

        // The Handlungsfeld page opens with its part of the Konzept in force.
        let field = send(&server, "GET", "/handlungsfelder/arbeit", "", &[]).body;
        let konzept_at = field
            .find("<h2 id=\"konzept-h\">Aus dem Integrationskonzept</h2>")
            .unwrap();
        assert!(
            konzept_at
                < field
                    .find("<h2 id=\"indikatoren-h\">Indikatoren</h2>")
                    .unwrap()
        );
        assert!(field.contains("Jobcenter-Sprechstunde in den Stadtteilen"));
    }
}
