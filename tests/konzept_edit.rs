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

/// A form's fields as `send` takes them.
fn fields<'a>(v: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn leitprojekte_kernindikatoren_and_earlier_plans_are_kept_in_forms() {
    for t in TestDb::all("leitprojekte_kernindikatoren_and_earlier_plans_are_kept_in_forms") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let draft = store.konzept_versions().unwrap()[0].id;
        let server = Server::start(&["--database", db], &[]);
        let bfi = server.log_in(db);
        let aki = server.log_in_as(db, "gremium");
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();

        // Leitprojekte: the Gremium may not; the form shows the project with German dates.
        let form_url = format!("/konzept/{draft}/leitprojekte/arbeit");
        assert_eq!(send(&server, "GET", &form_url, &aki, &[]).status, 403);
        let form = send(&server, "GET", &form_url, &bfi, &[]);
        assert_eq!(form.status, 200);
        assert_eq!(form.header("cache-control"), Some("no-store"));
        assert!(
            form.body
                .contains("value=\"Jobcenter-Sprechstunde in den Stadtteilen\"")
        );
        assert!(
            form.body
                .contains("name=\"p1_gebiet_12\" value=\"ja\" checked"),
            "{}",
            form.body
        );
        assert!(
            form.body.contains("name=\"p2_titel\""),
            "an empty row for a new project"
        );
        let mut post = vec![
            ("csrf", csrf.clone()),
            ("p1_id", "arbeit-p1".to_string()),
            (
                "p1_titel",
                "Jobcenter-Sprechstunde in den Stadtteilen".to_string(),
            ),
            (
                "p1_beschreibung",
                "Beratung vor Ort, Quote [[ARB-03 nichtdeutsch]].".to_string(),
            ),
            ("p1_verantwortlich", "Jobcenter Stadt Karlsruhe".to_string()),
            ("p1_stand", "abgeschlossen".to_string()),
            ("p1_beginn", "2025".to_string()),
            ("p1_ende", "2024".to_string()),
            ("p1_gebiet_12", "ja".to_string()),
            ("p1_ziel_arbeit-1", "ja".to_string()),
            ("p2_titel", "Mentoring für Geflüchtete".to_string()),
            (
                "p2_beschreibung",
                "Ehrenamtliche begleiten [[XYZ-01]].".to_string(),
            ),
            ("p2_verantwortlich", "Caritasverband".to_string()),
            ("p2_partner", "Jobcenter\nIHK Karlsruhe".to_string()),
            ("p2_stand", "geplant".to_string()),
            ("p2_beginn", "1.3.2027".to_string()),
            ("p2_ende", "Sommer".to_string()),
            ("p2_gebiet_19", "ja".to_string()),
            ("p2_gebiet_12", "ja".to_string()),
            ("p2_ziel_arbeit-2", "ja".to_string()),
        ];
        let res = send(&server, "POST", &form_url, &bfi, &fields(&post));
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Leitprojekt 2: Ende „Sommer“ ist kein Datum"),
            "{}",
            res.body
        );
        assert!(
            res.body.contains("value=\"Mentoring für Geflüchtete\""),
            "the input stays"
        );
        let set = |post: &mut Vec<(&str, String)>, key: &str, value: &str| {
            post.iter_mut().find(|(k, _)| *k == key).unwrap().1 = value.to_string();
        };
        set(&mut post, "p2_ende", "2029");
        let res = send(&server, "POST", &form_url, &bfi, &fields(&post));
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("arbeit: Leitprojekt arbeit-p1 „Jobcenter-Sprechstunde in den Stadtteilen“: das Ende 2024 liegt vor dem Beginn 2025"),
            "{}",
            res.body
        );
        assert!(
            res.body.contains("arbeit: Leitprojekt arbeit-p2 „Mentoring für Geflüchtete“, Zeile 1, Spalte 25: den Indikator &#x27;XYZ-01&#x27; gibt es nicht"),
            "{}",
            res.body
        );
        assert!(
            store
                .konzept_version(draft)
                .unwrap()
                .content
                .field("arbeit")
                .unwrap()
                .projects
                .len()
                == 1,
            "nothing saved"
        );
        set(&mut post, "p1_ende", "2026");
        set(
            &mut post,
            "p2_beschreibung",
            "Ehrenamtliche begleiten [[ARB-03]].",
        );
        let res = send(&server, "POST", &form_url, &bfi, &fields(&post));
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(
            res.header("location"),
            Some(format!("/konzept/{draft}#arbeit-projekte").as_str())
        );
        let f = store
            .konzept_version(draft)
            .unwrap()
            .content
            .field("arbeit")
            .unwrap()
            .clone();
        let (old, new) = (&f.projects[0], &f.projects[1]);
        assert_eq!(
            (old.status, old.end.as_deref(), old.history.len()),
            (
                kimo_model::konzept::ProjectStatus::Abgeschlossen,
                Some("2026"),
                1
            )
        );
        assert_eq!(
            (new.id.as_str(), new.start.as_deref(), new.end.as_deref()),
            ("arbeit-p2", Some("2027-03-01"), Some("2029"))
        );
        assert_eq!(new.partners, ["Jobcenter", "IHK Karlsruhe"]);
        assert_eq!(
            (new.areas.clone(), new.goals.clone()),
            (
                vec!["12".to_string(), "19".to_string()],
                vec!["arbeit-2".to_string()]
            )
        );
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &bfi, &[]).body;
        assert!(
            page.contains("<td>01.03.2027 bis 2029</td>"),
            "German dates"
        );
        assert!(
            page.contains("<a href=\"#ziel-arbeit-2\">Ziel 2</a>"),
            "linked goals"
        );
        assert!(page.contains(&format!("href=\"/konzept/{draft}/leitprojekte/arbeit\"")));

        // A goal that is removed is no longer served by a project.
        let goals = vec![
            ("csrf", csrf.clone()),
            ("g1_id", "arbeit-1".to_string()),
            (
                "g1_text",
                "Die Arbeitslosigkeit der Nichtdeutschen sinkt.".to_string(),
            ),
            ("g2_id", "arbeit-2".to_string()),
            ("g2_text", "Mehr Beschäftigte.".to_string()),
            ("g2_loeschen", "ja".to_string()),
        ];
        let res = send(
            &server,
            "POST",
            &format!("/konzept/{draft}/ziele/arbeit"),
            &bfi,
            &fields(&goals),
        );
        assert_eq!(res.status, 303, "{}", res.body);
        let f = store
            .konzept_version(draft)
            .unwrap()
            .content
            .field("arbeit")
            .unwrap()
            .clone();
        assert!(f.projects[1].goals.is_empty());

        // Kernindikatoren from the catalogue, in its order; an unknown code is refused.
        let core_url = format!("/konzept/{draft}/kernindikatoren/arbeit");
        assert_eq!(send(&server, "GET", &core_url, &aki, &[]).status, 403);
        let form = send(&server, "GET", &core_url, &bfi, &[]);
        assert!(
            form.body.contains("name=\"k_ARB-06\" value=\"ja\" checked"),
            "{}",
            form.body
        );
        let chosen = [
            ("csrf", csrf.as_str()),
            ("k_SOZ-01", "ja"),
            ("k_ARB-03", "ja"),
        ];
        assert_eq!(send(&server, "POST", &core_url, &bfi, &chosen).status, 303);
        let f = store
            .konzept_version(draft)
            .unwrap()
            .content
            .field("arbeit")
            .unwrap()
            .clone();
        assert_eq!(f.core_indicators, ["ARB-03", "SOZ-01"]);
        let res = send(
            &server,
            "POST",
            &core_url,
            &bfi,
            &[("csrf", csrf.as_str()), ("k_XYZ-01", "ja")],
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Diese Indikatoren gibt es nicht: XYZ-01."),
            "{}",
            res.body
        );

        // An earlier plan: the Redaktion records it with title, date and PDF; the public sees it.
        assert_eq!(
            send(&server, "GET", "/konzept/frueher", &aki, &[]).status,
            403
        );
        assert_eq!(
            send(&server, "GET", "/konzept/frueher", &bfi, &[]).status,
            200
        );
        let bad = [
            ("csrf", csrf.as_str()),
            ("titel", "Leitbild 1998"),
            ("datum", "damals"),
            ("pdf", "ftp://x"),
        ];
        let res = send(&server, "POST", "/konzept/frueher", &bfi, &bad);
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("Datum „damals“: bitte ein Jahr"),
            "{}",
            res.body
        );
        assert!(
            res.body
                .contains("Link „ftp:&#x2f;&#x2f;x“: bitte eine Web-Adresse"),
            "{}",
            res.body
        );
        assert!(res.body.contains("value=\"Leitbild 1998\""));
        let good = [
            ("csrf", csrf.as_str()),
            ("titel", "Leitbild 1998"),
            ("datum", "15.06.1998"),
            ("pdf", "https://example.org/leitbild-1998.pdf"),
        ];
        let res = send(&server, "POST", "/konzept/frueher", &bfi, &good);
        assert_eq!(res.status, 303, "{}", res.body);
        let id: i64 = res
            .header("location")
            .unwrap()
            .trim_start_matches("/konzept/")
            .parse()
            .unwrap();
        let v = store.konzept_version(id).unwrap();
        assert_eq!(
            (v.state, v.decided_on.as_deref(), v.pdf_url.as_deref()),
            (
                kimo_model::konzept::VersionState::Frueher,
                Some("1998-06-15"),
                Some("https://example.org/leitbild-1998.pdf")
            )
        );
        let public = send(&server, "GET", "/konzept/versionen", "", &[]).body;
        assert!(
            public.contains("Leitbild 1998") && public.contains("15.06.1998"),
            "{public}"
        );
        assert!(
            !public.contains("/konzept/frueher"),
            "no form link for the public"
        );

        // Comments stand beside their section, titled.
        let page = send(&server, "GET", &format!("/konzept/{draft}"), &bfi, &[]).body;
        assert!(page.contains("Kommentare zu diesem Abschnitt"), "{page}");
        assert!(!page.contains("<td>feld:"), "section titles, not keys");

        let log = store
            .audit_log(&AuditFilter {
                action: Some("konzept".into()),
                limit: 4,
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "konzept.add",
                "konzept.edit",
                "konzept.edit",
                "konzept.edit"
            ]
        );
    }
}
