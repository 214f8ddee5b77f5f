//! The delivery plan over HTTP on the demo city: an Amt sees what it owes (and nothing of another
//! Amt), the Redaktion sees every Amt's, sets a due date (checked, kept against the plan) and the
//! lags (the plan follows); the Gremium and the public see no deliveries; the calendar feed is
//! valid iCalendar (parsed back with the `ical` crate), one event per delivery and per meeting, and
//! a new address ends the old one. Both databases.

mod common;
use common::{Server, kimo_ok, log_in_with, send};
use kimo_model::delivery::DeliveryState;
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, DeliveryFilter, Store};

/// The events of an iCalendar text, each as its properties (name → value), parsed by `ical`.
fn events(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut out = Vec::new();
    for cal in ical::IcalParser::new(std::io::BufReader::new(text.as_bytes())) {
        let cal = cal.expect("valid iCalendar");
        for e in cal.events {
            out.push(
                e.properties
                    .into_iter()
                    .map(|p| (p.name, p.value.unwrap_or_default()))
                    .collect(),
            );
        }
    }
    out
}

#[test]
fn ämter_see_what_they_owe_and_the_redaktion_keeps_the_plan() {
    for t in TestDb::all("aemter_see_what_they_owe_and_the_redaktion_keeps_the_plan") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let all = store.deliveries(&DeliveryFilter::default()).unwrap();
        assert!(all.len() > 30, "the demo plan: {}", all.len());
        let amt = "Jobcenter Stadt Karlsruhe";
        let mine: Vec<_> = all.iter().filter(|d| d.amt == amt).collect();
        let other = all.iter().find(|d| d.amt != amt).unwrap();
        assert!(!mine.is_empty(), "the Jobcenter owes something");
        let server = Server::start(&["--database", db], &[]);
        let bfi = server.log_in(db);
        let aki = server.log_in_as(db, "gremium");
        let jc = log_in_with(&server, db, "jobcenter1", "amt", Some(amt));

        // The Amt: its own deliveries only, in the page and its JSON twin; never cached.
        let page = send(&server, "GET", "/lieferungen", &jc, &[]);
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert!(
            page.body
                .contains(&format!("href=\"/lieferungen/{}\"", mine[0].id))
        );
        assert!(
            !page
                .body
                .contains(&format!("href=\"/lieferungen/{}\"", other.id))
        );
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", "/lieferungen.json", &jc, &[]).body)
                .unwrap();
        let listed = ["overdue", "due", "submitted", "done"]
            .iter()
            .map(|k| json[k].as_array().unwrap().len())
            .sum::<usize>();
        assert_eq!(listed, mine.len());
        assert_eq!(json["amt"], amt);
        // Asking for another Amt changes nothing for an Amt user.
        let json: serde_json::Value = serde_json::from_str(
            &send(
                &server,
                "GET",
                "/lieferungen.json?amt=Gesundheitsamt",
                &jc,
                &[],
            )
            .body,
        )
        .unwrap();
        assert_eq!(json["amt"], amt);
        assert_eq!(
            send(
                &server,
                "GET",
                &format!("/lieferungen/{}", other.id),
                &jc,
                &[]
            )
            .status,
            403
        );
        assert_eq!(
            send(
                &server,
                "GET",
                &format!("/lieferungen/{}", mine[0].id),
                &jc,
                &[]
            )
            .status,
            200
        );
        for who in ["", aki.as_str()] {
            assert_eq!(send(&server, "GET", "/lieferungen", who, &[]).status, 403);
            assert_eq!(
                send(
                    &server,
                    "GET",
                    &format!("/lieferungen/{}", other.id),
                    who,
                    &[]
                )
                .status,
                403
            );
        }

        // The Redaktion: every Amt; a due date set by hand (German date), checked first.
        let page = send(&server, "GET", "/lieferungen", &bfi, &[]).body;
        assert!(page.contains(&format!("href=\"/lieferungen/{}\"", other.id)));
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        let url = format!("/lieferungen/{}", mine[0].id);
        let jc_csrf = send(&server, "GET", "/konto", &jc, &[]).csrf();
        let form = [
            ("csrf", jc_csrf.as_str()),
            ("faellig", "30.06.2027"),
            ("kontakt", ""),
            ("notiz", ""),
        ];
        assert_eq!(
            send(&server, "POST", &url, &jc, &form).status,
            403,
            "an Amt does not set its own due date"
        );
        let bad = [
            ("csrf", csrf.as_str()),
            ("faellig", "Ende Juni"),
            ("kontakt", "Frau Müller"),
            ("notiz", ""),
        ];
        let res = send(&server, "POST", &url, &bfi, &bad);
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Fällig am „Ende Juni“: bitte ein Datum wie 31.03.2027."),
            "{}",
            res.body
        );
        assert!(res.body.contains("Kontakt „Frau Müller“"), "{}", res.body);
        let good = [
            ("csrf", csrf.as_str()),
            ("faellig", "30.06.2027"),
            ("kontakt", "statistik@jobcenter-ka.de"),
            ("notiz", "Verschoben wegen Umstellung"),
        ];
        assert_eq!(send(&server, "POST", &url, &bfi, &good).status, 303);
        let d = store.delivery(mine[0].id).unwrap();
        assert_eq!(
            (d.due.as_str(), d.due_set, d.contact.as_str()),
            ("2027-06-30", true, "statistik@jobcenter-ka.de")
        );
        let page = send(&server, "GET", &url, &bfi, &[]).body;
        assert!(
            page.contains("30.06.2027 (vom Büro für Integration gesetzt)"),
            "{page}"
        );
        assert!(
            page.contains("delivery.due von pruefer"),
            "the history on the page: {page}"
        );

        // The lags: a longer lag moves the owed deliveries of ARB-03 (not the one set by hand).
        let lag_url = "/lieferungen/fristen";
        assert_eq!(send(&server, "GET", lag_url, &jc, &[]).status, 403);
        let form = send(&server, "GET", lag_url, &bfi, &[]);
        assert!(
            form.body.contains(
                "name=\"f_ARB-03\" type=\"text\" inputmode=\"numeric\" size=\"4\" value=\"90\""
            ),
            "{}",
            form.body
        );
        let res = send(
            &server,
            "POST",
            lag_url,
            &bfi,
            &[("csrf", &csrf), ("f_ARB-03", "zehn"), ("k_ARB-03", "")],
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("ARB-03: Frist „zehn“ ist keine Zahl von 0 bis 730 Tagen."),
            "{}",
            res.body
        );
        let owed_before: Vec<_> = store
            .deliveries(&DeliveryFilter {
                indicator: Some("ARB-03".into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .filter(|d| d.state.owed() && !d.due_set)
            .collect();
        let res = send(
            &server,
            "POST",
            lag_url,
            &bfi,
            &[("csrf", &csrf), ("f_ARB-03", "120"), ("k_ARB-03", "")],
        );
        assert_eq!(res.status, 303, "{}", res.body);
        for before in &owed_before {
            let after = store.delivery(before.id).unwrap();
            let moved = chrono::NaiveDate::parse_from_str(&after.due, "%Y-%m-%d").unwrap()
                - chrono::NaiveDate::parse_from_str(&before.due, "%Y-%m-%d").unwrap();
            assert_eq!(moved.num_days(), 30, "{before:?} → {after:?}");
        }
        assert_eq!(
            store.delivery(mine[0].id).unwrap().due,
            "2027-06-30",
            "set by hand, kept"
        );
        let log = store
            .audit_log(&AuditFilter {
                action: Some("delivery".into()),
                limit: 3,
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions[..2],
            ["delivery.plan", "delivery.setting"],
            "{log:?}"
        );

        // The calendar feed: made by the user, valid iCalendar, one event per delivery of the Amt.
        let res = send(
            &server,
            "POST",
            "/lieferungen/kalender",
            &jc,
            &[("csrf", &jc_csrf)],
        );
        assert_eq!(res.status, 200);
        assert_eq!(res.header("cache-control"), Some("no-store"));
        let shown = res.body.replace("&#x2f;", "/");
        let at = shown.find("/kalender/").expect("the feed's address");
        let path: String = shown[at..].chars().take_while(|c| *c != '"').collect();
        assert!(
            shown.contains(&format!("value=\"{}{path}\"", server.url)),
            "the full address"
        );
        let feed = send(&server, "GET", &path, "", &[]);
        assert_eq!(feed.status, 200);
        assert!(
            feed.header("content-type")
                .unwrap()
                .starts_with("text/calendar")
        );
        let evs = events(&feed.body);
        let of_deliveries = evs
            .iter()
            .filter(|e| e["UID"].starts_with("lieferung-"))
            .count();
        assert_eq!(of_deliveries, mine.len(), "{}", feed.body);
        let meetings = store.meetings().unwrap().len();
        assert_eq!(evs.len(), mine.len() + meetings, "and the meetings");
        let e = evs
            .iter()
            .find(|e| e["UID"] == format!("lieferung-{}@kimo", mine[0].id))
            .expect("the event of the delivery");
        assert_eq!(e["DTSTART"], "20270630");
        assert_eq!(e["DTEND"], "20270701");
        assert!(
            e["SUMMARY"].starts_with(&format!("Datenlieferung {} ", mine[0].indicator)),
            "{e:?}"
        );
        // A new address ends the old one; a made-up one is unknown.
        send(
            &server,
            "POST",
            "/lieferungen/kalender",
            &jc,
            &[("csrf", &jc_csrf)],
        );
        assert_eq!(send(&server, "GET", &path, "", &[]).status, 404);
        assert_eq!(
            send(&server, "GET", "/kalender/abc.ics", "", &[]).status,
            404
        );

        // The figures for an owed period arrive: the delivery is settled by the evaluation.
        let owed = store
            .deliveries(&DeliveryFilter {
                indicator: Some("ARB-03".into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|d| d.state == DeliveryState::Offen)
            .expect("an open ARB-03 delivery");
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("arb.csv");
        std::fs::write(
            &file,
            format!(
                "Indikator;Zeitraum;Gebiet;Wert\nARB-03;{};KA;5,5\n",
                owed.period
            ),
        )
        .unwrap();
        kimo_ok(db, &["import", file.to_str().unwrap()]);
        assert_eq!(
            store.delivery(owed.id).unwrap().state,
            DeliveryState::Vorhanden
        );
    }
}
