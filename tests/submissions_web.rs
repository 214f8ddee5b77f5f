//! A delivery in the browser's requests, on the demo city: the Jobcenter uploads a file for its
//! owed ARB-03 delivery. A file with errors is refused with line and column and nothing is kept; a
//! file for another Amt's indicator is refused; a file with one implausible value is checked (new
//! values counted, the flag shown), submitted only with a reason, and accepted by the Redaktion:
//! the values are written, the warnings evaluated, the delivery accepted, every step in the audit
//! log, the original file downloadable unchanged. A second file is returned with a comment and the
//! delivery is owed again. Both databases.

mod common;
use common::{Reply, Server, kimo_ok, log_in_with, send, send_raw};
use kimo_model::delivery::{DeliveryState, SubmissionState};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, DeliveryFilter, ObservationFilter, Store, WarningFilter};

const JC: &str = "Agentur für Arbeit / Jobcenter";

/// Uploads `bytes` as `name` for delivery `id` (a multipart form as a browser sends it).
fn upload(server: &Server, cookie: &str, csrf: &str, id: i64, name: &str, bytes: &[u8]) -> Reply {
    let b = "----kimo-test-boundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    let ctype = format!("multipart/form-data; boundary={b}");
    send_raw(
        server,
        "POST",
        &format!("/lieferungen/{id}/datei"),
        &[("cookie", cookie), ("content-type", &ctype)],
        &body,
    )
}

#[test]
fn an_amt_delivers_a_file_and_the_redaktion_accepts_or_returns_it() {
    for t in TestDb::all("an_amt_delivers_a_file_and_the_redaktion_accepts_or_returns_it") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let owed = |code: &str| {
            store
                .deliveries(&DeliveryFilter {
                    indicator: Some(code.into()),
                    ..Default::default()
                })
                .unwrap()
                .into_iter()
                .find(|d| d.state == DeliveryState::Offen)
                .unwrap()
        };
        let (arb03, arb01) = (owed("ARB-03"), owed("ARB-01"));
        // The demo's own (one accepted, one returned).
        let demo_submissions = store.submissions(None).unwrap().len();
        assert_eq!((arb03.amt.as_str(), arb03.period.as_str()), (JC, "2026"));
        let server = Server::start(&["--database", db], &[]);
        let jc = log_in_with(&server, db, "jc.lieferung", "amt", Some(JC));
        let jc_csrf = send(&server, "GET", "/konto", &jc, &[]).csrf();
        let bfi = server.log_in(db);
        let bfi_csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        let page = send(
            &server,
            "GET",
            &format!("/lieferungen/{}", arb03.id),
            &jc,
            &[],
        )
        .body;
        assert!(
            page.contains("enctype=\"multipart/form-data\""),
            "the upload form: {page}"
        );

        // Errors: refused with line and column, nothing kept.
        let res = upload(
            &server,
            &jc,
            &jc_csrf,
            arb03.id,
            "fehler.csv",
            "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2026;KA;viel\n".as_bytes(),
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("fehler.csv: Zeile 2, Spalte 4"),
            "{}",
            res.body
        );
        assert!(
            res.body.contains("Nichts wurde gespeichert"),
            "{}",
            res.body
        );
        let res = upload(
            &server,
            &jc,
            &jc_csrf,
            arb03.id,
            "fremd.csv",
            "Indikator;Zeitraum;Gebiet;Wert\nGES-01;2026;KA;5\n".as_bytes(),
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("Indikator &#x27;GES-01&#x27; liefert"),
            "{}",
            res.body
        );
        assert_eq!(
            store.submissions(None).unwrap().len(),
            demo_submissions,
            "nothing kept"
        );
        // The Redaktion does not upload for an Amt; another Amt may not upload here.
        let ga = log_in_with(&server, db, "ga.lieferung", "amt", Some("Gesundheitsamt"));
        let ga_csrf = send(&server, "GET", "/konto", &ga, &[]).csrf();
        let file = "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2026;KA;12,5\nARB-03;2026;19;4,3\n";
        assert_eq!(
            upload(&server, &ga, &ga_csrf, arb03.id, "a.csv", file.as_bytes()).status,
            403
        );
        assert_eq!(
            upload(&server, &bfi, &bfi_csrf, arb03.id, "a.csv", file.as_bytes()).status,
            403
        );

        // One implausible value: checked, flagged, kept as „geprüft“.
        let res = upload(
            &server,
            &jc,
            &jc_csrf,
            arb03.id,
            "arbeitslose-2026.csv",
            file.as_bytes(),
        );
        assert_eq!(res.status, 303, "{}", res.body);
        let at = res.header("location").unwrap().to_string();
        let sid: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
        let s = store.submission(sid).unwrap();
        assert_eq!(
            (s.state, s.deliveries.clone(), s.checked[0].new),
            (SubmissionState::Geprueft, vec![arb03.id], 2)
        );
        assert_eq!(s.flags.len(), 1, "{:?}", s.flags);
        assert_eq!(
            (s.flags[0].area.as_str(), s.flags[0].period.as_str()),
            ("KA", "2026")
        );
        let page = send(&server, "GET", &at, &jc, &[]).body;
        assert!(
            page.contains("Der Anteil springt von 4,6 % (2025) auf 12,5 %"),
            "{page}"
        );
        assert!(
            page.contains("arbeitslose-2026.csv: Zeile 2, Spalte 4"),
            "the flag's place: {page}"
        );
        assert_eq!(
            send(&server, "GET", &at, &ga, &[]).status,
            403,
            "another Amt"
        );

        // Submitted only with a reason; then the delivery is „eingereicht“.
        let submit = format!("{at}/einreichen");
        let res = send(
            &server,
            "POST",
            &submit,
            &jc,
            &[("csrf", &jc_csrf), ("grund_1", " ")],
        );
        assert_eq!(res.status, 400);
        assert!(
            res.body.contains("Hinweis 1: bitte begründen"),
            "{}",
            res.body
        );
        let reason = "Neue Zählweise ab 2026 (Bürgergeld)";
        assert_eq!(
            send(
                &server,
                "POST",
                &submit,
                &jc,
                &[("csrf", &jc_csrf), ("grund_1", reason)]
            )
            .status,
            303
        );
        assert_eq!(
            store.delivery(arb03.id).unwrap().state,
            DeliveryState::Eingereicht
        );
        assert_eq!(store.submission(sid).unwrap().flags[0].reason, reason);

        // The Amt does not accept its own; the Redaktion does: values written, warnings evaluated.
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("{at}/annehmen"),
                &jc,
                &[("csrf", &jc_csrf)]
            )
            .status,
            403
        );
        let res = send(
            &server,
            "POST",
            &format!("{at}/annehmen"),
            &bfi,
            &[("csrf", &bfi_csrf)],
        );
        assert_eq!(res.status, 303, "{}", res.body);
        let s = store.submission(sid).unwrap();
        assert_eq!(s.state, SubmissionState::Angenommen);
        assert!(s.import_id.is_some());
        assert_eq!(
            store.delivery(arb03.id).unwrap().state,
            DeliveryState::Angenommen
        );
        let value = store
            .observations(&ObservationFilter {
                indicator: Some("ARB-03".into()),
                area: Some("KA".into()),
                period: Some("2026".into()),
                total_only: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(value[0].value, Some(12.5));
        let warnings = store.warnings(&WarningFilter::default()).unwrap();
        assert!(
            warnings
                .iter()
                .any(|w| w.indicator == "ARB-03" && w.sentence.contains("12,5")),
            "a warning on the new value: {:?}",
            warnings
                .iter()
                .filter(|w| w.indicator == "ARB-03")
                .map(|w| &w.sentence)
                .collect::<Vec<_>>()
        );
        let log = store
            .audit_log(&AuditFilter {
                object: Some(format!("submission:{sid}")),
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["delivery.accept", "delivery.submit", "delivery.upload"]
        );
        assert!(
            log[2].after.contains(&s.file_hash),
            "the hash in the audit log"
        );
        let imports = store
            .audit_log(&AuditFilter {
                action: Some("import".into()),
                limit: 1,
                ..Default::default()
            })
            .unwrap();
        assert!(
            imports[0].actor.starts_with("pruefer"),
            "the import by the reviewer: {imports:?}"
        );
        let original = send(&server, "GET", &format!("{at}/datei"), &jc, &[]);
        assert_eq!(original.body, file, "the original file");

        // A second file, returned with a comment: the delivery is owed again, the Amt sees why.
        let res = upload(
            &server,
            &jc,
            &jc_csrf,
            arb01.id,
            "beschaeftigte.csv",
            "Indikator;Zeitraum;Gebiet;Wert\nARB-01;2026;KA;60,5\n".as_bytes(),
        );
        assert_eq!(res.status, 303, "{}", res.body);
        let at = res.header("location").unwrap().to_string();
        let flags = store
            .submission(at.rsplit('/').next().unwrap().parse().unwrap())
            .unwrap()
            .flags
            .len();
        let reasons: Vec<(String, String)> = (1..=flags)
            .map(|i| (format!("grund_{i}"), "geprüft".to_string()))
            .collect();
        let mut form: Vec<(&str, &str)> = vec![("csrf", &jc_csrf)];
        form.extend(reasons.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(
            send(&server, "POST", &format!("{at}/einreichen"), &jc, &form).status,
            303
        );
        let res = send(
            &server,
            "POST",
            &format!("{at}/zurueckgeben"),
            &bfi,
            &[("csrf", &bfi_csrf), ("kommentar", "")],
        );
        assert_eq!(res.status, 400);
        let comment = "Bitte auch die Stadtteile liefern.";
        assert_eq!(
            send(
                &server,
                "POST",
                &format!("{at}/zurueckgeben"),
                &bfi,
                &[("csrf", &bfi_csrf), ("kommentar", comment)]
            )
            .status,
            303
        );
        let d = store.delivery(arb01.id).unwrap();
        assert_eq!(
            (d.state, d.note.as_str()),
            (DeliveryState::Zurueckgegeben, comment)
        );
        let page = send(&server, "GET", &at, &jc, &[]).body;
        assert!(page.contains(comment), "{page}");
        assert!(
            send(
                &server,
                "GET",
                &format!("/lieferungen/{}", arb01.id),
                &jc,
                &[]
            )
            .body
            .contains("id=\"hochladen\""),
            "owed again: the upload form is back"
        );
    }
}
