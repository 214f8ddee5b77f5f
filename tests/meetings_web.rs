//! Meetings on the demo city: the Redaktion makes an AKI meeting, adds agenda items linked to what
//! they discuss (a wrong link refused), puts a warning on the agenda from the warning's page (the
//! Lagebild offers the same step by every open warning, to the Redaktion only, with its own form
//! token), and the warning's page then shows where it is discussed; writes minutes and a decision,
//! and gives the Jobcenter a task that shows in its „Meine Aufgaben“; the minutes export as Markdown
//! and a print view, the meeting is in the calendar feed; every logged-in role reads, only the
//! Redaktion keeps; the public sees nothing; every change audited. Both databases.

mod common;
use common::{Server, kimo_ok, log_in_with, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store, WarningFilter};

#[test]
fn meetings_keep_agenda_minutes_and_tasks() {
    for t in TestDb::all("meetings_keep_agenda_minutes_and_tasks") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let warning = store.warnings(&WarningFilter::default()).unwrap()[0].clone();
        let server = Server::start(&["--database", db], &[]);
        let bfi = server.log_in(db);
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        let aki = server.log_in_as(db, "gremium");
        let jc = log_in_with(
            &server,
            db,
            "jc.sitzung",
            "amt",
            Some("Agentur für Arbeit / Jobcenter"),
        );
        let jc_csrf = send(&server, "GET", "/konto", &jc, &[]).csrf();
        assert_eq!(send(&server, "GET", "/sitzungen", "", &[]).status, 403);
        assert_eq!(send(&server, "GET", "/sitzungen", &aki, &[]).status, 200);

        // A meeting; the Amt may not make one.
        let new = [
            ("csrf", csrf.as_str()),
            ("gremium", "aki"),
            ("titel", "Arbeitskreis Integration, 1. Sitzung 2027"),
            ("datum", "18.02.2027"),
            ("uhrzeit", "16:00"),
            ("ort", "Rathaus"),
            ("teilnehmende", "BfI, AKI"),
        ];
        let mut theirs = new;
        theirs[0].1 = jc_csrf.as_str();
        assert_eq!(
            send(&server, "POST", "/sitzungen", &jc, &theirs).status,
            403
        );
        let res = send(&server, "POST", "/sitzungen", &bfi, &new);
        assert_eq!(res.status, 303);
        let at = res.header("location").unwrap().to_string();
        let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();

        // Agenda items: linked; a wrong link refused.
        let top = format!("/sitzungen/{id}/top");
        let res = send(
            &server,
            "POST",
            &top,
            &bfi,
            &[("csrf", &csrf), ("titel", "Fotos"), ("verweise", "foto:1")],
        );
        assert_eq!(res.status, 400);
        assert!(res.body.contains("Verweis „foto:1“"), "{}", res.body);
        let res = send(
            &server,
            "POST",
            &top,
            &bfi,
            &[
                ("csrf", &csrf),
                ("titel", "Ziele Arbeit"),
                ("verweise", "indikator:ARB-03, konzept:feld:arbeit:ziele"),
            ],
        );
        assert_eq!(res.status, 303);
        // The warning onto the agenda from its page.
        let wpage = send(
            &server,
            "GET",
            &format!("/warnungen/{}", warning.id),
            &bfi,
            &[],
        )
        .body;
        assert!(wpage.contains("Noch in keiner Sitzung besprochen."));
        assert!(
            wpage.contains(&format!("<option value=\"{id}\">")),
            "the coming meeting to choose"
        );
        // The Lagebild offers the same step by every open warning — to the Redaktion only, and
        // with the viewer's own form token (the page is made afresh, never cached).
        let lagebild = send(&server, "GET", "/lagebild", &bfi, &[]);
        assert_eq!(lagebild.header("cache-control"), Some("no-store"));
        assert!(
            lagebild
                .body
                .contains(&format!("name=\"csrf\" value=\"{csrf}\""))
        );
        assert!(lagebild.body.contains(&format!("<option value=\"{id}\">")));
        let buttons = lagebild.body.matches("formaction=\"/warnungen/").count();
        assert!(buttons > 0, "{}", lagebild.body);
        for other in [&aki, &jc] {
            let page = send(&server, "GET", "/lagebild", other, &[]).body;
            assert!(
                !page.contains("formaction="),
                "no agenda form for other roles"
            );
        }
        let json = send(&server, "GET", "/lagebild.json", &bfi, &[]).body;
        assert!(!json.contains("csrf"), "the token is not in the JSON");
        let res = send(
            &server,
            "POST",
            &format!("/warnungen/{}/tagesordnung", warning.id),
            &bfi,
            &[("csrf", &csrf), ("sitzung", &id.to_string())],
        );
        assert_eq!(res.status, 303);
        let m = store.meeting(id).unwrap();
        assert_eq!(m.items.len(), 2);
        assert_eq!(
            m.items[1].title,
            format!("Warnhinweis Nr. {}: {}", warning.id, warning.sentence)
        );
        let wpage = send(
            &server,
            "GET",
            &format!("/warnungen/{}", warning.id),
            &aki,
            &[],
        )
        .body;
        assert!(wpage.contains(&format!("<a href=\"/sitzungen/{id}\">Arbeitskreis Integration, 1. Sitzung 2027 am 18.02.2027, TOP 2</a>")), "{wpage}");

        // Minutes, decision and a task for the Jobcenter.
        let item = m.items[1].id;
        let res = send(
            &server,
            "POST",
            &format!("/sitzungen/top/{item}"),
            &bfi,
            &[
                ("csrf", &csrf),
                ("protokoll", "Der Anstieg wurde erläutert."),
                ("beschluss", "Das Jobcenter berichtet im April."),
            ],
        );
        assert_eq!(res.status, 303);
        let res = send(
            &server,
            "POST",
            &format!("/sitzungen/{id}/aufgaben"),
            &bfi,
            &[
                ("csrf", &csrf),
                ("titel", "Bericht zur Arbeitslosigkeit"),
                ("zustaendig", "Agentur für Arbeit / Jobcenter"),
                ("faellig", "15.04.2027"),
                ("top", &item.to_string()),
            ],
        );
        assert_eq!(res.status, 303);
        let page = send(&server, "GET", &at, &aki, &[]).body;
        assert!(page.contains("<strong>Beschluss:</strong> Das Jobcenter berichtet im April."));
        assert!(page.contains("<td>15.04.2027</td><td>2</td>"), "{page}");
        assert!(
            !page.contains("action=\"/sitzungen/"),
            "the Gremium reads, no forms"
        );
        let tasks = send(&server, "GET", "/aufgaben", &jc, &[]).body;
        assert!(tasks.contains("Bericht zur Arbeitslosigkeit"), "{tasks}");
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", &format!("{at}.json"), &jc, &[]).body)
                .unwrap();
        let task = json["tasks"][0]["id"].as_i64().unwrap();
        assert_eq!(json["items"][1]["links"][0]["kind"], "warnung");
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/sitzungen/aufgaben/{task}"),
                &jc,
                &[("csrf", &jc_csrf), ("stand", "erledigt")]
            )
            .status,
            403
        );
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("/sitzungen/aufgaben/{task}"),
                &bfi,
                &[("csrf", &csrf), ("stand", "erledigt")]
            )
            .status,
            303
        );
        assert!(
            !send(&server, "GET", "/aufgaben", &jc, &[])
                .body
                .contains("Bericht zur Arbeitslosigkeit"),
            "done: no longer listed"
        );
        // Activities of the BfI: recorded by the Redaktion (a wrong reach refused), read by all.
        let act = [
            ("csrf", csrf.as_str()),
            ("datum", "05.10.2026"),
            ("art", "Veranstaltung"),
            ("titel", "Interkulturelle Woche"),
            ("partner", "AKI"),
            ("reichweite", "1.200"),
            ("notiz", ""),
        ];
        let mut bad = act;
        bad[5].1 = "viele";
        assert_eq!(
            send(&server, "POST", "/aktivitaeten", &bfi, &bad).status,
            400
        );
        let mut theirs = act;
        theirs[0].1 = jc_csrf.as_str();
        assert_eq!(
            send(&server, "POST", "/aktivitaeten", &jc, &theirs).status,
            403
        );
        assert_eq!(
            send(&server, "POST", "/aktivitaeten", &bfi, &act).status,
            303
        );
        assert!(
            send(&server, "GET", "/aktivitaeten", &aki, &[])
                .body
                .contains("<td class=\"num\">1.200</td>")
        );
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", "/aktivitaeten.json", &aki, &[]).body)
                .unwrap();
        assert_eq!(
            {
                let mine = json
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|a| a["title"] == "Interkulturelle Woche" && a["date"] == "2026-10-05")
                    .unwrap();
                (mine["reach"].as_i64(), mine["date"].as_str())
            },
            (Some(1200), Some("2026-10-05"))
        );
        assert_eq!(send(&server, "GET", "/aktivitaeten", "", &[]).status, 403);

        // Exports: Markdown and the print view; the meeting in the calendar feed (a Gremium's too).
        let md = send(&server, "GET", &format!("{at}/protokoll.md"), &aki, &[]);
        assert!(md.header("content-disposition").unwrap().contains(".md"));
        assert!(
            md.body.contains("### TOP 2: Warnhinweis Nr.")
                && md
                    .body
                    .contains("**Beschluss:** Das Jobcenter berichtet im April."),
            "{}",
            md.body
        );
        assert!(md.body.contains("| Bericht zur Arbeitslosigkeit | Agentur für Arbeit / Jobcenter | 15.04.2027 | erledigt |"), "{}", md.body);
        let print = send(&server, "GET", &format!("{at}/druck"), &bfi, &[]).body;
        assert!(print.contains("<body class=\"print\""));
        let aki_csrf = send(&server, "GET", "/konto", &aki, &[]).csrf();
        let made = send(
            &server,
            "POST",
            "/lieferungen/kalender",
            &aki,
            &[("csrf", &aki_csrf)],
        )
        .body
        .replace("&#x2f;", "/");
        let path: String = made[made.find("/kalender/").unwrap()..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let feed = send(&server, "GET", &path, "", &[]).body;
        let mut events = 0;
        for cal in ical::IcalParser::new(std::io::BufReader::new(feed.as_bytes())) {
            for e in cal.expect("valid iCalendar").events {
                let get = |k: &str| {
                    e.properties
                        .iter()
                        .find(|p| p.name == k)
                        .and_then(|p| p.value.clone())
                        .unwrap_or_default()
                };
                if get("UID") == format!("sitzung-{id}@kimo") {
                    assert_eq!(
                        (get("DTSTART").as_str(), get("LOCATION").as_str()),
                        ("20270218T160000", "Rathaus")
                    );
                    events += 1;
                }
            }
        }
        assert_eq!(events, 1, "{feed}");
        let log = store
            .audit_log(&AuditFilter {
                action: Some("meeting".into()),
                limit: 6,
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "meeting.task.status",
                "meeting.task",
                "meeting.minutes",
                "meeting.item",
                "meeting.item",
                "meeting.add"
            ]
        );
    }
}
