//! Login, the account page and logout over HTTP with the real server, on SQLite and PostgreSQL:
//! session cookie flags, CSRF tokens on every form, throttling, sessions ended by logout and by a
//! new password, and the audit log of each step.

mod common;
use common::{Server, kimo_ok, log_in_form as log_in, one_time_password, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

#[test]
fn users_log_in_change_their_password_and_log_out() {
    for t in TestDb::all("users_log_in_change_their_password_and_log_out") {
        let db = t.url.as_str();
        let first = one_time_password(&kimo_ok(
            db,
            &["user", "add", "b.schulz", "--role", "redaktion"],
        ));
        let server = Server::start(&["--database", db], &[]);

        // Every answer carries the security headers; the page has no inline script.
        let page = send(&server, "GET", "/anmelden", "", &[]);
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'self'"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(page.header("referrer-policy"), Some("same-origin"));
        let (_, overview) = server.get("/indikatoren");
        assert!(!overview.contains("<script>"), "inline script left");

        // A login form without its token is refused; a wrong password says so in German.
        let no_token = send(
            &server,
            "POST",
            "/anmelden",
            "",
            &[("name", "b.schulz"), ("passwort", &first), ("csrf", "x")],
        );
        assert_eq!(no_token.status, 403, "{}", no_token.body);
        let wrong = log_in(&server, "b.schulz", "falsch");
        assert_eq!(wrong.status, 401);
        assert!(
            wrong
                .body
                .contains("Anmeldung fehlgeschlagen: Name oder Passwort falsch")
        );

        // The right one starts a session: an HttpOnly, SameSite=Lax cookie; to the account page.
        let ok = log_in(&server, "b.schulz", &first);
        assert_eq!(
            (ok.status, ok.header("location")),
            (303, Some("/konto")),
            "{}",
            ok.body
        );
        let set = ok
            .headers
            .iter()
            .find(|(n, v)| n == "set-cookie" && v.starts_with("kimo_sitzung="))
            .map(|(_, v)| v.clone())
            .unwrap();
        assert!(
            set.contains("; HttpOnly; SameSite=Lax; Max-Age=604800"),
            "{set}"
        );
        assert!(!set.contains("Secure"), "plain HTTP: no Secure flag");
        let session = format!("kimo_sitzung={}", ok.cookie("kimo_sitzung").unwrap());
        let account = send(&server, "GET", "/konto", &session, &[]);
        assert_eq!(account.status, 200);
        assert!(account.body.contains(
            "Angemeldet als <strong>b.schulz</strong> (Büro für Integration (Redaktion))"
        ));
        assert!(account.body.contains("Einmal-Passwort"));
        assert_eq!(account.header("cache-control"), Some("no-store"));
        let csrf = account.csrf();
        // The JSON twin: the same account and sessions, without the form token.
        let json = send(&server, "GET", "/konto.json", &session, &[]);
        let v: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert_eq!(
            (v["name"].as_str(), v["role"].as_str()),
            (Some("b.schulz"), Some("redaktion"))
        );
        assert_eq!(v["sessions"].as_array().unwrap().len(), 1);
        assert_eq!(v["sessions"][0]["current"], true);
        assert!(!json.body.contains(&csrf));
        assert_eq!(send(&server, "GET", "/konto.json", "", &[]).status, 403);

        // A second browser; the new password ends it, but not this one.
        let other = log_in(&server, "b.schulz", &first);
        let other = format!("kimo_sitzung={}", other.cookie("kimo_sitzung").unwrap());
        assert!(
            send(&server, "GET", "/konto", &other, &[])
                .body
                .contains("Beenden")
        );
        let forged = send(
            &server,
            "POST",
            "/konto/passwort",
            &session,
            &[
                ("csrf", "gefälscht"),
                ("alt", &first),
                ("neu", "neues Passwort 1"),
                ("wiederholung", "neues Passwort 1"),
            ],
        );
        assert_eq!(forged.status, 403);
        assert!(forged.body.contains("CSRF-Schutz"));
        let short = send(
            &server,
            "POST",
            "/konto/passwort",
            &session,
            &[
                ("csrf", &csrf),
                ("alt", &first),
                ("neu", "kurz"),
                ("wiederholung", "kurz"),
            ],
        );
        assert_eq!(short.status, 400);
        assert!(short.body.contains("mindestens 10 Zeichen"));
        let changed = send(
            &server,
            "POST",
            "/konto/passwort",
            &session,
            &[
                ("csrf", &csrf),
                ("alt", &first),
                ("neu", "neues Passwort 1"),
                ("wiederholung", "neues Passwort 1"),
            ],
        );
        assert_eq!(changed.status, 303, "{}", changed.body);
        assert_eq!(
            send(&server, "GET", "/konto", &other, &[]).status,
            303,
            "the other session ended"
        );
        let account = send(&server, "GET", "/konto", &session, &[]);
        assert!(!account.body.contains("Einmal-Passwort"));

        // Logout needs the token too, and ends the session.
        assert_eq!(
            send(&server, "POST", "/abmelden", &session, &[("csrf", "x")]).status,
            403
        );
        let out = send(&server, "POST", "/abmelden", &session, &[("csrf", &csrf)]);
        assert_eq!(out.status, 303);
        assert_eq!(out.cookie("kimo_sitzung").as_deref(), Some(""));
        assert_eq!(
            send(&server, "GET", "/konto", &session, &[]).header("location"),
            Some("/anmelden")
        );

        // Disabled accounts cannot log in.
        kimo_ok(db, &["user", "disable", "b.schulz"]);
        assert_eq!(log_in(&server, "b.schulz", "neues Passwort 1").status, 401);

        let log = Store::open(db)
            .unwrap()
            .audit_log(&AuditFilter::default())
            .unwrap();
        let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "user.add",
                "login.failed",
                "login",
                "login",
                "user.password",
                "logout",
                "user.disable",
                "login.failed"
            ]
        );
        assert!(
            log.iter()
                .filter(|e| e.action.starts_with("login"))
                .all(|e| e.address == "127.0.0.1")
        );
    }
}

#[test]
fn repeated_wrong_passwords_make_the_login_wait() {
    let t = TestDb::sqlite();
    let password = one_time_password(&kimo_ok(
        &t.url,
        &["user", "add", "c.wolf", "--role", "gremium"],
    ));
    let server = Server::start(&["--database", &t.url], &[]);
    for _ in 0..3 {
        assert_eq!(log_in(&server, "c.wolf", "falsch").status, 401);
    }
    // The fourth failure waits a second, the fifth two: and says so.
    let t0 = std::time::Instant::now();
    let fourth = log_in(&server, "c.wolf", "falsch");
    assert!(t0.elapsed() >= std::time::Duration::from_secs(1));
    assert!(
        fourth.body.contains("diese hat 1 Sekunde gewartet"),
        "{}",
        fourth.body
    );
    let t0 = std::time::Instant::now();
    let fifth = log_in(&server, "c.wolf", "falsch");
    assert!(t0.elapsed() >= std::time::Duration::from_secs(2));
    assert!(fifth.body.contains("diese hat 2 Sekunden gewartet"));
    // The right password still works, after its wait.
    let t0 = std::time::Instant::now();
    assert_eq!(log_in(&server, "c.wolf", &password).status, 303);
    assert!(t0.elapsed() >= std::time::Duration::from_secs(4));
}

#[test]
fn parallel_guesses_for_one_account_wait_in_line() {
    let t = TestDb::sqlite();
    kimo_ok(&t.url, &["user", "add", "d.kern", "--role", "gremium"]);
    let server = Server::start(&["--database", &t.url], &[]);
    for _ in 0..3 {
        assert_eq!(log_in(&server, "d.kern", "falsch").status, 401);
    }
    // Two guesses at once: the second waits its turn behind the first's second of waiting, then
    // its own two seconds, instead of both waiting one second side by side.
    let t0 = std::time::Instant::now();
    let bodies: Vec<String> = std::thread::scope(|s| {
        let guesses: Vec<_> = (0..2)
            .map(|_| s.spawn(|| log_in(&server, "d.kern", "falsch").body))
            .collect();
        guesses.into_iter().map(|g| g.join().unwrap()).collect()
    });
    assert!(
        t0.elapsed() >= std::time::Duration::from_secs(3),
        "{:?}",
        t0.elapsed()
    );
    assert!(
        bodies
            .iter()
            .any(|b| b.contains("diese hat 2 Sekunden gewartet"))
    );
}

#[test]
fn administrators_read_the_audit_log_and_nobody_else() {
    for t in TestDb::all("administrators_read_the_audit_log_and_nobody_else") {
        let db = t.url.as_str();
        let admin = one_time_password(&kimo_ok(db, &["user", "add", "chefin", "--role", "admin"]));
        let server = Server::start(&["--database", db], &[]);
        // A failed login with a name made to look like markup: it must appear as text.
        assert_eq!(
            log_in(&server, "<script>alert(1)</script>", "x").status,
            401
        );
        let ok = log_in(&server, "chefin", &admin);
        let cookie = format!("kimo_sitzung={}", ok.cookie("kimo_sitzung").unwrap());
        let account = send(&server, "GET", "/konto", &cookie, &[]);
        assert!(account.body.contains("href=\"/verwaltung/protokoll\""));

        let log = send(&server, "GET", "/verwaltung/protokoll", &cookie, &[]);
        assert_eq!(log.status, 200);
        assert_eq!(log.header("cache-control"), Some("no-store"));
        assert!(log.body.contains("3 Einträge"), "{}", log.body);
        assert!(
            log.body
                .contains("konto:&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
            "escaped"
        );
        assert!(!log.body.contains("<script>alert"));
        let failed = send(
            &server,
            "GET",
            "/verwaltung/protokoll.json?aktion=login.failed",
            &cookie,
            &[],
        );
        let json: serde_json::Value = serde_json::from_str(&failed.body).unwrap();
        assert_eq!(json["count"], 1);
        assert_eq!(json["entries"][0]["address"], "127.0.0.1");
        let csv = send(
            &server,
            "GET",
            "/verwaltung/protokoll.csv?seit=01.01.2000",
            &cookie,
            &[],
        );
        assert!(
            csv.body
                .contains("Zeit (UTC);Wer;Aktion;Objekt;Vorher;Nachher;Adresse"),
            "{}",
            csv.body
        );
        assert_eq!(csv.body.lines().count(), 4, "header and three entries");
        let bad = send(
            &server,
            "GET",
            "/verwaltung/protokoll?seit=gestern",
            &cookie,
            &[],
        );
        assert_eq!(bad.status, 400);
        assert!(
            bad.body.contains("&#x27;gestern&#x27; ist kein Datum")
                || bad.body.contains("'gestern' ist kein Datum")
        );

        // Anyone else: 403, logged in or not.
        let password = one_time_password(&kimo_ok(
            db,
            &["user", "add", "b.schulz", "--role", "redaktion"],
        ));
        let other = log_in(&server, "b.schulz", &password);
        let other = format!("kimo_sitzung={}", other.cookie("kimo_sitzung").unwrap());
        assert_eq!(
            send(&server, "GET", "/verwaltung/protokoll", &other, &[]).status,
            403
        );
        assert_eq!(
            send(&server, "GET", "/verwaltung/protokoll.csv", &other, &[]).status,
            403
        );
        assert_eq!(
            send(&server, "GET", "/verwaltung/protokoll", "", &[]).status,
            403
        );
        assert!(
            !send(&server, "GET", "/konto", &other, &[])
                .body
                .contains("/verwaltung/protokoll")
        );
    }
}
