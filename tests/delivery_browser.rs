//! A delivery in a real browser (Chromium, tests/browser/delivery.js): the Jobcenter's user uploads
//! a file with an error (refused, nothing kept, the error with line and column on the page), then a
//! file with one implausible value, confirms it with a reason and submits; the Redaktion's user
//! accepts it. axe-core finds no WCAG 2.1 A/AA violation on the refusal, the check page (also with
//! the missing reason) and the review page, at 1366×768 and 390×844. Then the database holds the
//! values, the delivery is accepted, a warning stands on the new value and the audit log has each
//! step; the file with the error left nothing.
//!
//! Needs Node.js, Chromium and `npm ci` in tests/browser; without them the test says it was skipped,
//! unless KIMO_TEST_BROWSER=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::{Server, kimo_ok};
use kimo_model::delivery::{DeliveryState, SubmissionState};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, DeliveryFilter, ObservationFilter, Store, WarningFilter};
use std::process::Command;

const JC: &str = "Agentur für Arbeit / Jobcenter";

#[test]
fn an_amt_delivers_and_the_redaktion_accepts_in_chromium() {
    let Some(dir) = common::browser() else {
        return;
    };
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    kimo_ok(db, &["demo"]);
    let pw = |name: &str, role: &str, amt: Option<&str>| {
        let mut args = vec!["user", "add", name, "--role", role];
        args.extend(amt.map(|a| ["--amt", a]).into_iter().flatten());
        common::one_time_password(&kimo_ok(db, &args))
    };
    let (amt_pw, bfi_pw) = (
        pw("jc.liefert", "amt", Some(JC)),
        pw("b.prueft", "redaktion", None),
    );
    let store = Store::open(db).unwrap();
    let delivery = store
        .deliveries(&DeliveryFilter {
            indicator: Some("ARB-03".into()),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|d| d.state == DeliveryState::Offen)
        .expect("an owed ARB-03 delivery");
    let server = Server::start(&["--database", db], &[]);
    let files = tempfile::tempdir().unwrap();

    let t0 = std::time::Instant::now();
    let out = Command::new("node")
        .current_dir(&dir)
        .env("KIMO_AMT_USER", "jc.liefert")
        .env("KIMO_AMT_PASSWORD", &amt_pw)
        .env("KIMO_BFI_USER", "b.prueft")
        .env("KIMO_BFI_PASSWORD", &bfi_pw)
        .env("KIMO_DELIVERY", delivery.id.to_string())
        .env("KIMO_DIR", files.path())
        .arg("delivery.js")
        .arg(&server.url)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "{text}{}(delivery.js: {:.1} s)",
        String::from_utf8_lossy(&out.stderr),
        t0.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "the browser flow failed:\n{text}");
    for line in [
        "ok: file with an error refused (400): fehler.csv: Zeile 2, Spalte 4",
        "axe upload check with errors: 0 violations",
        "ok: check page: 2 new values, 1 flag",
        "axe upload check: 0 violations",
        "axe upload check without reason: 0 violations",
        "axe review: 0 violations",
        "ok: accepted by the Redaktion",
        "delivery flow ok",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line „{line}“ in:\n{text}"
        );
    }

    // The database: one submission (the refused file left nothing), accepted; the values; the
    // delivery; a warning on the new value; each step in the audit log.
    // The browser's: the demo has its own (uploaded by *.demo).
    let subs: Vec<_> = store
        .submissions(None)
        .unwrap()
        .into_iter()
        .filter(|s| s.uploaded_by == "jc.liefert")
        .collect();
    assert_eq!(subs.len(), 1, "{subs:?}");
    assert_eq!(
        (
            subs[0].state,
            subs[0].uploaded_by.as_str(),
            subs[0].reviewed_by.as_str()
        ),
        (SubmissionState::Angenommen, "jc.liefert", "b.prueft")
    );
    assert_eq!(subs[0].flags[0].reason, "Neue Zählweise ab 2026");
    assert_eq!(
        store.delivery(delivery.id).unwrap().state,
        DeliveryState::Angenommen
    );
    let ka = store
        .observations(&ObservationFilter {
            indicator: Some("ARB-03".into()),
            area: Some("KA".into()),
            period: Some("2026".into()),
            total_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(ka[0].value, Some(12.5));
    assert!(
        store
            .warnings(&WarningFilter::default())
            .unwrap()
            .iter()
            .any(|w| w.indicator == "ARB-03" && w.sentence.contains("12,5"))
    );
    let log = store
        .audit_log(&AuditFilter {
            action: Some("delivery.".into()),
            ..Default::default()
        })
        .unwrap();
    let mine: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e.object == format!("submission:{}", subs[0].id))
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        mine,
        [
            ("delivery.accept", "b.prueft"),
            ("delivery.submit", "jc.liefert"),
            ("delivery.upload", "jc.liefert")
        ]
    );
}
