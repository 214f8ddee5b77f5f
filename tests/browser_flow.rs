//! A user's way through kimo in a real browser (Chromium at 1366×768, tests/browser/flow.js): log
//! in with the keyboard, set a warning to „in Bearbeitung“ with an assignee and a comment that
//! contain markup (shown as text, never run), the same change replayed without or with a wrong
//! CSRF token and after logging out (refused), and forms with errors without axe-core violations;
//! then the database holds exactly the one change, by that user, in the history and the audit log.
//!
//! Needs Node.js, Chromium and `npm ci` in tests/browser; without them the test says it was skipped,
//! unless KIMO_TEST_BROWSER=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::{Server, kimo_ok};
use kimo_model::WarningStatus;
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store, WarningFilter};
use std::process::Command;

const USER: &str = "b.schulz";
const ASSIGNEE: &str = "<script>alert(\"x\")</script> Jobcenter";
const COMMENT: &str = "Rückfrage beim Jobcenter <img src=x onerror=alert(1)>";

#[test]
fn a_warning_is_worked_on_in_chromium() {
    let Some(dir) = common::browser() else {
        return;
    };

    // The demo city in a throw-away database, a Redaktion account with its one-time password, and
    // a new warning on ARB-03. The server without --demo: visitors are the public until they log in.
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    kimo_ok(db, &["demo"]);
    let password =
        common::one_time_password(&kimo_ok(db, &["user", "add", USER, "--role", "redaktion"]));
    let store = Store::open(db).unwrap();
    let w = store
        .warnings(&WarningFilter::default())
        .unwrap()
        .into_iter()
        .find(|w| w.indicator == "ARB-03")
        .expect("a warning on ARB-03 in the demo city");
    assert_eq!(w.status, WarningStatus::Neu, "{w:?}");
    let (_, history_before) = store.warning(w.id).unwrap().unwrap();
    let rules_before = store.rules_text().unwrap();
    drop(store);
    let server = Server::start(&["--database", db], &[]);

    let t0 = std::time::Instant::now();
    let out = Command::new("node")
        .current_dir(&dir)
        .env("KIMO_USER", USER)
        .env("KIMO_PASSWORD", &password)
        .env("KIMO_WARNING", w.id.to_string())
        .arg("flow.js")
        .arg(&server.url)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "{text}{}(flow.js: {:.1} s)",
        String::from_utf8_lossy(&out.stderr),
        t0.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "the browser flow failed:\n{text}");
    let path = format!("/warnungen/{}", w.id);
    for line in [
        format!("ok: logged in as {USER}"),
        "ok: warning set to in Bearbeitung with a comment".into(),
        "ok: markup shown as text".into(),
        format!("axe {path}: 0 violations"),
        "ok: replay without CSRF token refused (403)".into(),
        "ok: replay with a wrong CSRF token refused (403)".into(),
        "axe rules form with errors: 0 violations".into(),
        "axe login with error: 0 violations".into(),
        "ok: replay after logout refused (403)".into(),
        format!("ok: {path} after logout refused (403)"),
        "ok: the ended session's cookie is refused (403)".into(),
        "flow ok".into(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line „{line}“ in:\n{text}"
        );
    }

    // The database: the one change, exactly as typed; the refused replays changed nothing.
    let store = Store::open(db).unwrap();
    let (after, history) = store.warning(w.id).unwrap().unwrap();
    assert_eq!(after.status, WarningStatus::InBearbeitung);
    assert_eq!(after.assignee.as_deref(), Some(ASSIGNEE));
    assert_eq!(
        history.len(),
        history_before.len() + 3,
        "status, assignee and comment, nothing else: {history:?}"
    );
    let mine: Vec<_> = history
        .iter()
        .filter(|e| e.actor == USER)
        .map(|e| {
            (
                e.kind.as_str(),
                e.old_value.as_deref(),
                e.new_value.as_deref(),
                e.comment.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [
            ("status", Some("neu"), Some("in-bearbeitung"), None),
            ("zuständig", None, Some(ASSIGNEE), None),
            ("kommentar", None, None, Some(COMMENT)),
        ]
    );
    let log = store
        .audit_log(&AuditFilter {
            action: Some("warning".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log.len(), 1, "one change, no replay: {log:?}");
    let entry = &log[0];
    assert_eq!(
        (
            entry.actor.as_str(),
            entry.action.as_str(),
            entry.object.clone()
        ),
        (USER, "warning.update", format!("warnhinweis:{}", w.id))
    );
    assert_eq!(entry.address, "127.0.0.1");
    let logged: serde_json::Value = serde_json::from_str(&entry.after).unwrap();
    assert_eq!(logged["status"], "in-bearbeitung", "{entry:?}");
    assert_eq!(logged["zustaendig"], ASSIGNEE, "{entry:?}");
    assert_eq!(logged["kommentar"], COMMENT, "{entry:?}");

    // The rules form with errors stored nothing; the login, the failed login and the logout are in
    // the audit log.
    assert_eq!(store.rules_text().unwrap(), rules_before);
    let actions = |prefix: &str| {
        store
            .audit_log(&AuditFilter {
                action: Some(prefix.into()),
                actor: Some(USER.into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect::<Vec<_>>()
    };
    let mut logins = actions("login");
    logins.sort();
    assert_eq!(logins, ["login", "login.failed"]);
    assert_eq!(actions("logout"), ["logout"]);
}
