//! Working on the Konzept over HTTP: the Redaktion edits a text (references checked at saving with
//! line and column, Markdown sanitised), the Arbeitskreis comments, the Redaktion decides the
//! version (the decided one is replaced) and a later figure shows beside the one at the decision;
//! who may do what. Both databases.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

#[test]
fn the_konzept_is_edited_commented_and_decided() {
    for t in TestDb::all("the_konzept_is_edited_commented_and_decided") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let draft = store.konzept_versions().unwrap()[0].id;
        let server = Server::start(&["--database", db], &[]);
        let bfi = server.log_in(db);
        let aki = server.log_in_as(db, "gremium");
        let edit = format!("/konzept/{draft}/abschnitt/feld:arbeit:ausgangslage");

        // The draft page links the editor for the Redaktion only; the Gremium gets 403 there.
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &bfi, &[]);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(page.body.contains(&format!("href=\"{edit}\"")));
        assert!(
            !send(&server, "GET", &format!("/konzept/{draft}"), &aki, &[])
                .body
                .contains(&edit)
        );
        assert_eq!(send(&server, "GET", &edit, &aki, &[]).status, 403);

        // The editor shows the words; an unknown reference is refused with its place.
        let form = send(&server, "GET", &edit, &bfi, &[]);
        assert_eq!(form.status, 200);
        assert!(
            form.body.contains("29 Wörter, etwa 1 Minute Lesezeit."),
            "{}",
            form.body
        );
        let csrf = form.csrf();
        let bad = "Die Quote liegt bei [[ARB-03 nichtdeutsch]].\nSiehe [[XYZ-01]].";
        let res = send(
            &server,
            "POST",
            &edit,
            &bfi,
            &[("csrf", &csrf), ("text", bad)],
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Zeile 2, Spalte 7: den Indikator &#x27;XYZ-01&#x27; gibt es nicht"),
            "{}",
            res.body
        );
        assert!(res.body.contains("aria-invalid=\"true\""));
        let text = "Die Quote liegt bei [[ARB-03 nichtdeutsch]]. <script>alert(1)</script> [Link](javascript:alert(2))";
        let res = send(
            &server,
            "POST",
            &edit,
            &bfi,
            &[("csrf", &csrf), ("text", text)],
        );
        assert_eq!(res.status, 303);
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &bfi, &[]).body;
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
                || page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "markup as text"
        );
        assert!(!page.contains("<script>alert") && !page.contains("javascript:"));

        // The goals of a Handlungsfeld in their form: checked against the catalogue, then saved.
        let goals = format!("/konzept/{draft}/ziele/arbeit");
        assert_eq!(send(&server, "GET", &goals, &aki, &[]).status, 403);
        let form = send(&server, "GET", &goals, &bfi, &[]);
        assert!(
            form.body
                .contains("name=\"g1_ziel\" type=\"text\" inputmode=\"decimal\" value=\"6,5\""),
            "{}",
            form.body
        );
        let goal = |area: &'static str, target: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("g1_id", "arbeit-1".to_string()),
                (
                    "g1_text",
                    "Die Arbeitslosigkeit der Nichtdeutschen sinkt.".to_string(),
                ),
                ("g1_indikator", "ARB-03".to_string()),
                ("g1_gebiet", area.to_string()),
                ("g1_gruppe", "staatsangehoerigkeit=nichtdeutsch".to_string()),
                ("g1_richtung", "sinken".to_string()),
                ("g1_ziel", target.to_string()),
                ("g1_zieljahr", "2030".to_string()),
                ("g1_basisjahr", "2015".to_string()),
                ("g2_text", "Mehr Frauen in Arbeit.".to_string()),
            ]
        };
        let pairs = |v: &[(&'static str, String)]| {
            v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>()
        };
        let bad = pairs(&goal("99", "sechs"));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = send(&server, "POST", &goals, &bfi, &bad);
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("Ziel 1: Zielwert „sechs“ ist keine Zahl"),
            "{}",
            res.body
        );
        let bad = pairs(&goal("99", "6"));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = send(&server, "POST", &goals, &bfi, &bad);
        assert!(
            res.body
                .contains("arbeit: Ziel arbeit-1: das Gebiet &#x27;99&#x27; gibt es nicht"),
            "{}",
            res.body
        );
        let good = pairs(&goal("12", "6"));
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(send(&server, "POST", &goals, &bfi, &good).status, 303);
        let saved = store
            .konzept_version(draft)
            .unwrap()
            .content
            .field("arbeit")
            .unwrap()
            .goals
            .clone();
        assert_eq!(saved.len(), 2);
        assert_eq!(
            saved[0].measure.as_ref().unwrap().area.as_deref(),
            Some("12")
        );
        assert_eq!(
            (saved[1].id.as_str(), saved[1].measure.is_none()),
            ("arbeit-3", true)
        );

        // A Leitprojekt's new state is dated and kept; the Gremium may not set it.
        let p = format!("/konzept/{draft}/projekte/kita-p1");
        let gremium_csrf = send(&server, "GET", "/konto", &aki, &[]).csrf();
        assert_eq!(
            send(
                &server,
                "POST",
                &p,
                &aki,
                &[("csrf", &gremium_csrf), ("status", "abgeschlossen")]
            )
            .status,
            403
        );
        assert_eq!(
            send(
                &server,
                "POST",
                &p,
                &bfi,
                &[("csrf", &csrf), ("status", "abgeschlossen")]
            )
            .status,
            303
        );
        let k = store.konzept_version(draft).unwrap().content;
        let kita = k.field("kita").unwrap().projects[0].clone();
        assert_eq!(
            kita.status,
            kimo_model::konzept::ProjectStatus::Abgeschlossen
        );
        let change = kita.history.last().unwrap();
        assert_eq!(
            change.on,
            chrono::Local::now()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string()
        );
        assert!(change.by.starts_with("pruefer"));

        // Downloads: the draft only logged in; Markdown and the exchange file.
        assert_eq!(
            send(
                &server,
                "GET",
                &format!("/konzept/{draft}/konzept.yml"),
                "",
                &[]
            )
            .status,
            404
        );
        let yml = send(
            &server,
            "GET",
            &format!("/konzept/{draft}/konzept.yml"),
            &bfi,
            &[],
        );
        assert_eq!(yml.status, 200);
        assert!(yml.header("content-disposition").unwrap().contains(".yml"));
        assert!(yml.body.contains("status: abgeschlossen"));

        // The Gremium comments; the Redaktion decides the draft.
        let a_csrf = send(&server, "GET", "/konto", &aki, &[]).csrf();
        let c = [
            ("csrf", a_csrf.as_str()),
            ("abschnitt", "feld:arbeit:ausgangslage"),
            ("text", "Gut so."),
        ];
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/konzept/{draft}/kommentare"),
                &aki,
                &c
            )
            .status,
            303
        );
        let comments = store.konzept_comments(draft).unwrap();
        let mine = comments.iter().find(|c| c.text == "Gut so.").unwrap().id;
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &bfi, &[]).body;
        assert!(page.contains(&format!("action=\"/konzept/kommentare/{mine}\"")));
        let a = [("csrf", a_csrf.as_str()), ("antwort", "Danke")];
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/konzept/kommentare/{mine}"),
                &aki,
                &a
            )
            .status,
            403
        );
        let a = [
            ("csrf", csrf.as_str()),
            ("antwort", "Danke, übernommen."),
            ("erledigt", "ja"),
        ];
        let res = send(
            &server,
            "POST",
            &format!("/konzept/kommentare/{mine}"),
            &bfi,
            &a,
        );
        assert_eq!(
            res.header("location"),
            Some(format!("/konzept/{draft}#kommentar-{mine}").as_str())
        );
        let answered = store
            .konzept_comments(draft)
            .unwrap()
            .into_iter()
            .find(|c| c.id == mine)
            .unwrap();
        assert_eq!(
            (answered.state.as_str(), answered.answer.as_deref()),
            ("erledigt", Some("Danke, übernommen."))
        );
        let decide = [
            ("csrf", a_csrf.as_str()),
            ("stand", "beschlossen"),
            ("datum", "2026-12-15"),
            ("gremium", "Gemeinderat"),
            ("vorlage", "2026/1234"),
        ];
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/konzept/{draft}/stand"),
                &aki,
                &decide
            )
            .status,
            403
        );
        let mut decide = decide;
        decide[0].1 = csrf.as_str();
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/konzept/{draft}/stand"),
                &bfi,
                &decide
            )
            .status,
            303
        );
        assert_eq!(store.konzept_in_force().unwrap().unwrap().id, draft);
        assert_eq!(
            send(&server, "GET", &edit, &bfi, &[]).status,
            409,
            "a decided version is not edited"
        );

        // A newer figure shows beside the one at the decision.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("neu.csv");
        std::fs::write(
            &file,
            "Indikator;Zeitraum;Gebiet;Staatsangehörigkeit;Wert\nARB-03;2026;KA;nichtdeutsch;7,5\n",
        )
        .unwrap();
        kimo_ok(db, &["import", file.to_str().unwrap()]);
        let public = send(&server, "GET", "/konzept", "", &[]).body;
        assert!(
            public.contains("7,5 % (2026; beim Beschluss: 8,1 % 2025)"),
            "{}",
            &public[public.find("Die Quote").unwrap_or(0)..][..300]
        );

        // A Fortschreibung starts as a copy.
        let copy = [("csrf", csrf.as_str()), ("titel", "2. Fortschreibung")];
        let res = send(
            &server,
            "POST",
            &format!("/konzept/{draft}/fortschreiben"),
            &bfi,
            &copy,
        );
        assert_eq!(res.status, 303);
        let versions = store.konzept_versions().unwrap();
        let newest = versions.iter().max_by_key(|v| v.id).unwrap();
        assert_eq!(
            (newest.title.as_str(), newest.based_on),
            ("2. Fortschreibung", Some(draft))
        );
        let log = store
            .audit_log(&AuditFilter {
                action: Some("konzept".into()),
                limit: 5,
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "konzept.add",
                "konzept.state",
                "konzept.state",
                "konzept.answer",
                "konzept.comment"
            ]
        );
    }
}
