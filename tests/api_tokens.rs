//! Personal API tokens and the API's changes: a token is made on the account page and shown once,
//! acts with its owner's rights (an Amt imports only its own indicators), is refused with 401 when
//! wrong or revoked, and cannot do what only a browser session may. Request size limits. Both
//! databases.

mod common;
use common::{Server, kimo_ok, send, send_raw};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store, WarningFilter};

const JOBCENTER: &str = "Agentur für Arbeit / Jobcenter";

/// Makes a token on the account page of the session `cookie`; returns it.
fn make_token(server: &Server, cookie: &str, name: &str) -> String {
    let csrf = send(server, "GET", "/konto", cookie, &[]).csrf();
    let page = send(
        server,
        "POST",
        "/konto/schluessel",
        cookie,
        &[("csrf", &csrf), ("name", name)],
    );
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let at = page
        .body
        .find("value=\"kimo_")
        .expect("the new token on the page")
        + 7;
    let token = page.body[at..at + 5 + 64].to_string();
    assert!(token.starts_with("kimo_") && token[5..].chars().all(|c| c.is_ascii_hexdigit()));
    // Shown once: the account page lists it by name only.
    let again = send(server, "GET", "/konto", cookie, &[]);
    assert!(again.body.contains(&format!("<td>{name}</td>")));
    assert!(!again.body.contains(&token));
    token
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn api_tokens_act_with_their_owners_rights() {
    for t in TestDb::all("api_tokens_act_with_their_owners_rights") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        let bfi = common::log_in_with(&server, db, "b.schulz", "redaktion", None);
        let token = make_token(&server, &bfi, "Statistikskript");
        let auth = bearer(&token);

        // Internal answers with the token; the public gets 403; a wrong token 401.
        assert_eq!(
            send(&server, "GET", "/api/v1/warnings", "", &[]).status,
            403
        );
        let ok = send_raw(
            &server,
            "GET",
            "/api/v1/warnings",
            &[("authorization", &auth)],
            b"",
        );
        assert_eq!(ok.status, 200);
        let wrong = send_raw(
            &server,
            "GET",
            "/api/v1/warnings",
            &[("authorization", "Bearer kimo_00")],
            b"",
        );
        assert_eq!(wrong.status, 401);
        assert_eq!(
            wrong.header("www-authenticate"),
            Some("Bearer realm=\"kimo\"")
        );
        assert!(
            wrong
                .body
                .contains("\"error\":\"Der API-Schlüssel ist ungültig"),
            "{}",
            wrong.body
        );
        let me = send_raw(
            &server,
            "GET",
            "/konto.json",
            &[("authorization", &auth)],
            b"",
        );
        let v: serde_json::Value = serde_json::from_str(&me.body).unwrap();
        assert_eq!(
            (v["name"].as_str(), v["via_api_token"].as_bool()),
            (Some("b.schulz"), Some(true))
        );
        assert_eq!(v["api_tokens"][0]["name"], "Statistikskript");

        // A warning worked through the API, without a CSRF token (none is needed with a token).
        let store = Store::open(db).unwrap();
        let id = store.warnings(&WarningFilter::default()).unwrap()[0].id;
        let body =
            r#"{"status": "in-bearbeitung", "comment": "per API <b>geprüft</b>"}"#.as_bytes();
        let path = format!("/api/v1/warnings/{id}");
        let headers = [
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        let res = send_raw(&server, "POST", &path, &headers, body);
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(v["warning"]["status"], "in-bearbeitung");
        let wrong_status = send_raw(
            &server,
            "POST",
            &path,
            &headers,
            br#"{"status": "vielleicht"}"#,
        );
        assert_eq!(wrong_status.status, 400, "{}", wrong_status.body);
        let log = store
            .audit_log(&AuditFilter {
                action: Some("warning".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            (log[0].actor.as_str(), log[0].action.as_str()),
            ("b.schulz", "warning.update")
        );

        // The same with a browser session needs the CSRF token in a header.
        let cookie = [
            ("cookie", bfi.as_str()),
            ("content-type", "application/json"),
        ];
        let res = send_raw(&server, "POST", &path, &cookie, br#"{"comment": "x"}"#);
        assert_eq!(res.status, 403);

        // What only a browser session may do.
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        let form = format!("csrf={csrf}&name=zweiter");
        let form_headers = [
            ("authorization", auth.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let res = send_raw(
            &server,
            "POST",
            "/konto/schluessel",
            &form_headers,
            form.as_bytes(),
        );
        assert_eq!(res.status, 403, "{}", res.body);

        // Revoked: 401 from then on; revoking twice is a 404.
        let token_id = store
            .tokens_of(store.user_with_hash("b.schulz").unwrap().unwrap().0.id)
            .unwrap()[0]
            .id;
        let revoke = format!("/konto/schluessel/{token_id}/widerrufen");
        assert_eq!(
            send(&server, "POST", &revoke, &bfi, &[("csrf", &csrf)]).status,
            303
        );
        assert_eq!(
            send(&server, "POST", &revoke, &bfi, &[("csrf", &csrf)]).status,
            404
        );
        let res = send_raw(
            &server,
            "GET",
            "/api/v1/warnings",
            &[("authorization", &auth)],
            b"",
        );
        assert_eq!(res.status, 401);
        let actions: Vec<String> = store
            .audit_log(&AuditFilter {
                action: Some("token".into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["token.revoke", "token.add"]);
    }
}

#[test]
fn an_amt_imports_only_its_own_indicators() {
    for t in TestDb::all("an_amt_imports_only_its_own_indicators") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        let jc = common::log_in_with(&server, db, "jc.mueller", "amt", Some(JOBCENTER));
        let auth = bearer(&make_token(&server, &jc, "Lieferung"));
        let headers = [("authorization", auth.as_str())];
        let store = Store::open(db).unwrap();
        let before = store.stats().unwrap().observations;

        // Corrections of its own indicators: written, evaluated, in the audit log with the file.
        let own = "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2025;KA;4,4\nARB-05;2025;KA;3,1\n";
        let res = send_raw(
            &server,
            "POST",
            "/api/v1/import?file=jobcenter-2025.csv",
            &headers,
            own.as_bytes(),
        );
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(
            (v["written"].as_bool(), v["changed"].as_u64()),
            (Some(true), Some(2)),
            "{v}"
        );
        assert!(
            v["evaluation"]
                .as_str()
                .unwrap()
                .starts_with("Auswertung zum")
        );
        assert_eq!(store.stats().unwrap().observations, before);
        let log = store
            .audit_log(&AuditFilter {
                action: Some("import".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            (log[0].actor.as_str(), log[0].object.as_str()),
            ("jc.mueller", "jobcenter-2025.csv")
        );
        assert!(log[0].after.contains("0 neu, 2 geändert"), "{:?}", log[0]);

        // Another Amt's indicator in line 3: refused with file, line and column; nothing written.
        let mixed = "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2025;KA;4,3\nKIT-04;2025;KA;12,0\n";
        let res = send_raw(
            &server,
            "POST",
            "/api/v1/import?file=gemischt.csv",
            &headers,
            mixed.as_bytes(),
        );
        assert_eq!(res.status, 400, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(
            v["error"],
            "Import abgelehnt, nichts wurde geschrieben: 1 Problem"
        );
        let p = &v["problems"][0];
        assert_eq!(
            (p["file"].as_str(), p["line"].as_u64()),
            (Some("gemischt.csv"), Some(3))
        );
        assert!(
            p["message"]
                .as_str()
                .unwrap()
                .contains("'KIT-04' liefert Gesundheitsamt"),
            "{p}"
        );
        let values = |ind: &str| {
            let f = kimo_store::ObservationFilter {
                indicator: Some(ind.into()),
                area: Some("KA".into()),
                period: Some("2025".into()),
                total_only: true,
                ..Default::default()
            };
            store
                .observations(&f)
                .unwrap()
                .into_iter()
                .map(|o| o.value)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            values("ARB-03"),
            [Some(4.4)],
            "nothing of the refused file written"
        );

        // A new indicator (a catalogue change) is the Redaktion's.
        let new = "Indikator;Zeitraum;Gebiet;Wert\nNEU-01;2025;KA;1\n";
        let res = send_raw(
            &server,
            "POST",
            "/api/v1/import?file=neu.csv",
            &headers,
            new.as_bytes(),
        );
        assert_eq!(res.status, 400, "{}", res.body);

        // A Gremium member imports nothing; the Redaktion imports any indicator (dry run here).
        let gremium = common::log_in_with(&server, db, "g.ina", "gremium", None);
        let g_auth = bearer(&make_token(&server, &gremium, "lesen"));
        let res = send_raw(
            &server,
            "POST",
            "/api/v1/import?file=a.csv",
            &[("authorization", &g_auth)],
            own.as_bytes(),
        );
        assert_eq!(res.status, 403);
        let bfi = common::log_in_with(&server, db, "b.schulz", "redaktion", None);
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        let session = [("cookie", bfi.as_str()), ("x-csrf-token", csrf.as_str())];
        let res = send_raw(
            &server,
            "POST",
            "/api/v1/import?file=gemischt.csv&dry_run=true",
            &session,
            mixed.as_bytes(),
        );
        assert_eq!(res.status, 200, "{}", res.body);
        let v: serde_json::Value = serde_json::from_str(&res.body).unwrap();
        assert_eq!(
            (v["written"].as_bool(), v["changed"].as_u64()),
            (Some(false), Some(1)),
            "{v}"
        );
        assert_eq!(v["new"], 1, "KIT-04 2025 is new to the demo: {v}");
        assert_eq!(values("ARB-03"), [Some(4.4)], "a dry run writes nothing");
    }
}

#[test]
fn request_bodies_have_limits() {
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    kimo_ok(db, &["demo"]);
    let server = Server::start(&["--database", db], &[]);
    let bfi = server.log_in(db);
    let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
    // A form over 256 KiB: 413, nothing made.
    let big = format!("csrf={csrf}&name={}", "x".repeat(300 * 1024));
    let headers = [
        ("cookie", bfi.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let res = send_raw(
        &server,
        "POST",
        "/konto/schluessel",
        &headers,
        big.as_bytes(),
    );
    assert_eq!(res.status, 413);
    // An import of 1 MiB is still taken (and refused for its content, not its size).
    let file = format!(
        "Indikator;Zeitraum;Gebiet;Wert\n{}",
        "ARB-03;2025;KA;abc\n".repeat(60_000)
    );
    let headers = [("cookie", bfi.as_str()), ("x-csrf-token", csrf.as_str())];
    let res = send_raw(
        &server,
        "POST",
        "/api/v1/import?file=gross.csv",
        &headers,
        file.as_bytes(),
    );
    assert_eq!(res.status, 400, "{}", &res.body[..200.min(res.body.len())]);
    assert!(file.len() > 1024 * 1024);
}
