//! Warnings worked in the browser: status, assignee and comments on `/warnungen/{id}`, by role,
//! with CSRF tokens, every change in the warning's history and the audit log. Both databases.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store, WarningFilter};

#[test]
fn warnings_are_worked_on_in_the_browser_by_role() {
    for t in TestDb::all("warnings_are_worked_on_in_the_browser_by_role") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let w = store
            .warnings(&WarningFilter::default())
            .unwrap()
            .into_iter()
            .find(|w| w.indicator == "ARB-03")
            .expect("a warning on ARB-03 in the demo city");
        let amt = store
            .indicators()
            .unwrap()
            .into_iter()
            .find(|i| i.code == "ARB-03")
            .unwrap()
            .department;
        drop(store);
        let server = Server::start(&["--database", db], &[]);
        let path = format!("/warnungen/{}", w.id);

        // The public: 403.
        assert_eq!(send(&server, "GET", &path, "", &[]).status, 403);

        // The Redaktion sets "in Bearbeitung" with a comment; markup stays text.
        let bfi = common::log_in_with(&server, db, "b.schulz", "redaktion", None);
        let page = send(&server, "GET", &path, &bfi, &[]);
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains(&format!("<h1>Warnhinweis Nr. {}</h1>", w.id))
        );
        assert!(page.body.contains(&format!("<dd>{}</dd>", w.area_name)));
        assert!(page.body.contains("<select id=\"status\" name=\"status\">"));
        let csrf = page.csrf();
        let forged = [
            ("csrf", "x"),
            ("status", "in-bearbeitung"),
            ("kommentar", ""),
        ];
        assert_eq!(send(&server, "POST", &path, &bfi, &forged).status, 403);
        let form = [
            ("csrf", csrf.as_str()),
            ("status", "in-bearbeitung"),
            ("zustaendig", "Jobcenter"),
            ("kommentar", "Rückfrage <script>alert(1)</script> läuft"),
        ];
        let done = send(&server, "POST", &path, &bfi, &form);
        assert_eq!(
            (done.status, done.header("location")),
            (303, Some(path.as_str()))
        );
        let page = send(&server, "GET", &path, &bfi, &[]);
        assert!(
            page.body.contains("<dd>in Bearbeitung</dd>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<dd>Jobcenter</dd>"));
        assert!(
            page.body
                .contains("Rückfrage &lt;script&gt;alert(1)&lt;&#x2f;script&gt; läuft")
        );
        assert!(!page.body.contains("<script>alert"));
        let bad = [("csrf", csrf.as_str()), ("status", "vielleicht")];
        let bad = send(&server, "POST", &path, &bfi, &bad);
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("vielleicht"), "{}", bad.body);

        // The responsible Amt works on it too; another Amt only reads; the Gremium comments.
        let own = common::log_in_with(&server, db, "jobcenter", "amt", Some(&amt));
        let csrf = send(&server, "GET", &path, &own, &[]).csrf();
        let erledigt = [("csrf", csrf.as_str()), ("status", "erledigt")];
        assert_eq!(send(&server, "POST", &path, &own, &erledigt).status, 303);
        let other =
            common::log_in_with(&server, db, "schulamt", "amt", Some("Schul- und Sportamt"));
        let page = send(&server, "GET", &path, &other, &[]);
        assert!(
            !page
                .body
                .contains("<form method=\"post\" action=\"/warnungen/")
        );
        let csrf = send(&server, "GET", "/konto", &other, &[]).csrf();
        let form = [("csrf", csrf.as_str()), ("status", "neu")];
        assert_eq!(send(&server, "POST", &path, &other, &form).status, 403);
        let aki = common::log_in_with(&server, db, "aki", "gremium", None);
        let page = send(&server, "GET", &path, &aki, &[]);
        assert!(page.body.contains("Kommentieren") && !page.body.contains("name=\"status\""));
        let csrf = page.csrf();
        let comment = [("csrf", csrf.as_str()), ("kommentar", "Im AKI besprochen")];
        assert_eq!(send(&server, "POST", &path, &aki, &comment).status, 303);
        let status = [("csrf", csrf.as_str()), ("status", "fehlalarm")];
        assert_eq!(send(&server, "POST", &path, &aki, &status).status, 403);

        // The JSON twin: the warning, its history and what this user may do.
        let json = send(&server, "GET", &format!("{path}.json"), &aki, &[]);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["warning"]["id"], w.id);
        assert_eq!(v["warning"]["status"], "erledigt");
        assert_eq!(
            (v["may_work"].as_bool(), v["may_comment"].as_bool()),
            (Some(false), Some(true))
        );
        assert!(
            v["history"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["comment"] == "Im AKI besprochen")
        );
        assert_eq!(
            send(&server, "GET", &format!("{path}.json"), "", &[]).status,
            403
        );
        assert_eq!(
            send(&server, "GET", "/warnungen/abc", &bfi, &[]).status,
            404
        );

        // The history and the audit log have every change, with who made it.
        let page = send(&server, "GET", &path, &bfi, &[]);
        for needle in [
            "<td>b.schulz</td><td>status</td><td>neu</td><td>in-bearbeitung</td>",
            "<td>jobcenter</td><td>status</td><td>in-bearbeitung</td><td>erledigt</td>",
            "<td>aki</td><td>kommentar</td>",
        ] {
            assert!(page.body.contains(needle), "{needle}\n{}", page.body);
        }
        let log = Store::open(db)
            .unwrap()
            .audit_log(&AuditFilter {
                action: Some("warning".into()),
                ..Default::default()
            })
            .unwrap();
        let who: Vec<&str> = log.iter().rev().map(|e| e.actor.as_str()).collect();
        assert_eq!(who, ["b.schulz", "jobcenter", "aki"]);
        assert!(
            log.iter()
                .all(|e| e.object == format!("warnhinweis:{}", w.id) && e.address == "127.0.0.1")
        );
        assert!(
            log[2].after.contains("in-bearbeitung") && log[2].after.contains("Jobcenter"),
            "{:?}",
            log[2]
        );
    }
}

#[test]
fn my_tasks_list_the_warnings_assigned_to_me_or_my_amt() {
    for t in TestDb::all("my_tasks_list_the_warnings_assigned_to_me_or_my_amt") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let ws = store.warnings(&WarningFilter::default()).unwrap();
        let arb = ws.iter().find(|w| w.indicator == "ARB-03").unwrap().id;
        let other = ws.iter().find(|w| w.indicator != "ARB-03").unwrap().id;
        drop(store);
        let server = Server::start(&["--database", db], &[]);
        assert_eq!(send(&server, "GET", "/aufgaben", "", &[]).status, 403);
        assert_eq!(send(&server, "GET", "/aufgaben.json", "", &[]).status, 403);

        // The Redaktion assigns one warning to the Jobcenter, another to a person.
        let bfi = common::log_in_with(&server, db, "b.schulz", "redaktion", None);
        for (id, to) in [(arb, "Agentur für Arbeit / Jobcenter"), (other, "b.schulz")] {
            let path = format!("/warnungen/{id}");
            let csrf = send(&server, "GET", &path, &bfi, &[]).csrf();
            let form = [
                ("csrf", csrf.as_str()),
                ("zustaendig", to),
                ("status", "neu"),
            ];
            assert_eq!(send(&server, "POST", &path, &bfi, &form).status, 303);
        }
        let jc = common::log_in_with(
            &server,
            db,
            "jc.mueller",
            "amt",
            Some("Agentur für Arbeit / Jobcenter"),
        );
        let page = send(&server, "GET", "/aufgaben", &jc, &[]);
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(
            page.body
                .contains(&format!("<a href=\"/warnungen/{arb}\">Nr. {arb}</a>"))
        );
        assert!(
            !page
                .body
                .contains(&format!("<a href=\"/warnungen/{other}\">"))
        );
        assert!(
            page.body.contains("Mir oder meinem Amt zugeordnet (1)"),
            "{}",
            page.body
        );
        let json = send(&server, "GET", "/aufgaben.json", &jc, &[]);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(v["assigned"][0]["id"], arb);
        let mine = send(&server, "GET", "/aufgaben.json", &bfi, &[]);
        let v: serde_json::Value = serde_json::from_str(&mine.body).unwrap();
        let ids: Vec<_> = v["assigned"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![other]);

        // Done: off the list.
        let path = format!("/warnungen/{arb}");
        let csrf = send(&server, "GET", &path, &jc, &[]).csrf();
        let form = [("csrf", csrf.as_str()), ("status", "erledigt")];
        assert_eq!(send(&server, "POST", &path, &jc, &form).status, 303);
        let page = send(&server, "GET", "/aufgaben", &jc, &[]);
        assert!(page.body.contains("Mir oder meinem Amt zugeordnet (0)"));
    }
}
