//! Accounts at the command line through the real binary: `kimo user add|list|disable|reset-password`,
//! on SQLite and PostgreSQL, each change in the audit log.

mod common;
use common::{kimo, kimo_ok};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

/// The one-time password in `kimo user add`'s or `reset-password`'s output.
fn one_time_password(out: &str) -> String {
    let word = out
        .split_whitespace()
        .find(|w| w.len() == 19 && w.matches('-').count() == 3)
        .unwrap_or_else(|| panic!("no one-time password in: {out}"));
    word.to_string()
}

#[test]
fn accounts_are_managed_at_the_command_line() {
    for t in TestDb::all("accounts_are_managed_at_the_command_line") {
        let db = t.url.as_str();
        let out = kimo_ok(db, &["user", "list"]);
        assert!(out.contains("Keine Konten. Das erste: kimo user add NAME --role admin"));

        let out = kimo_ok(db, &["user", "add", "Chefin", "--role", "admin"]);
        assert!(
            out.contains("Konto 'chefin' (Administration) angelegt."),
            "{out}"
        );
        let first = one_time_password(&out);
        let out = kimo_ok(
            db,
            &[
                "user",
                "add",
                "a.meier",
                "--role",
                "amt",
                "--amt",
                "50",
                "--email",
                "a.meier@example.org",
            ],
        );
        assert!(out.contains("Konto 'a.meier' (Amt) angelegt."), "{out}");

        // Refused with a German message, nothing written.
        for (args, message) in [
            (
                &["user", "add", "chefin", "--role", "gremium"][..],
                "ein Konto 'chefin' gibt es schon",
            ),
            (
                &["user", "add", "x2", "--role", "chef"][..],
                "unbekannte Rolle 'chef' (möglich: admin, redaktion, amt, gremium)",
            ),
            (
                &["user", "add", "x3", "--role", "amt"][..],
                "ein Konto mit der Rolle 'amt' braucht --amt CODE",
            ),
            (
                &["user", "add", "<script>", "--role", "gremium"][..],
                "Anmeldename '<script>' ungültig",
            ),
            (&["user", "disable", "niemand"][..], "kein Konto 'niemand'"),
        ] {
            let out = kimo(db, args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !out.status.success() && err.contains(message),
                "{args:?}: {err}"
            );
        }

        let list = kimo_ok(db, &["user", "list"]);
        let lines: Vec<&str> = list.lines().collect();
        assert_eq!(lines.len(), 2, "{list}");
        assert!(lines[0].starts_with("a.meier") && lines[0].contains("a.meier@example.org"));
        assert!(
            lines[0].contains(" 50 ") && lines[0].ends_with("aktiv"),
            "{list}"
        );
        assert!(lines[1].starts_with("chefin") && lines[1].contains("Administration"));

        let out = kimo_ok(db, &["user", "disable", "a.meier"]);
        assert!(out.contains("Konto 'a.meier' gesperrt; seine Sitzungen sind beendet."));
        assert!(
            kimo_ok(db, &["user", "list"])
                .lines()
                .next()
                .unwrap()
                .ends_with("gesperrt")
        );
        kimo_ok(db, &["user", "disable", "a.meier", "--enable"]);
        let out = kimo_ok(db, &["user", "reset-password", "chefin"]);
        let second = one_time_password(&out);
        assert_ne!(first, second);

        // The stored hash is Argon2id of the printed password; the audit log has every change.
        let store = Store::open(db).unwrap();
        let (chefin, hash) = store.user_with_hash("chefin").unwrap().unwrap();
        assert!(chefin.must_change_password);
        assert!(kimo_auth::verify_password(&second, &hash));
        assert!(!kimo_auth::verify_password(&first, &hash));
        let log = store.audit_log(&AuditFilter::default()).unwrap();
        let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "user.add",
                "user.add",
                "user.disable",
                "user.disable",
                "user.password"
            ]
        );
        assert!(
            log.iter().all(|e| e.actor.starts_with("Kommandozeile (")),
            "{log:?}"
        );
        assert!(
            !log.iter().any(|e| e.after.contains("argon2")),
            "no hash in the log"
        );
    }
}

#[test]
fn a_server_without_administrator_says_how_to_make_one() {
    let t = TestDb::sqlite();
    let server = common::Server::start(&["--database", &t.url], &[]);
    let log = server.log.lock().unwrap().join("\n");
    assert!(
        log.contains("noch kein Administrator. Anlegen mit: kimo user add NAME --role admin"),
        "{log}"
    );
}
