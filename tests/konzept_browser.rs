//! The Redaktion works on the Konzept in a real browser (Chromium, tests/browser/konzept.js): edits
//! the Ausgangslage „Arbeit und Beschäftigung“ of the draft Fortschreibung, watches the live word
//! count while typing (and over the soft limit), is refused a text with an unknown reference (400,
//! the place named next to the field), saves the text with a live figure, adds a Leitprojekt in its
//! form (an end that is no date refused first; a Stadtteil ticked from the keyboard), compares the draft
//! with the decided version (added and removed words marked without relying on colour); axe-core
//! finds no WCAG 2.1 A/AA violation on the editor (with and without the error), the Leitprojekte
//! form with its error, the draft, the
//! comparison and the public /konzept, each at 1366×768 and 390×844. Then the database holds the
//! text as typed and the project with ISO dates, and the audit log the two edits by that user.
//!
//! Needs Node.js, Chromium and `npm ci` in tests/browser; without them the test says it was skipped,
//! unless KIMO_TEST_BROWSER=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::{Server, kimo_ok};
use kimo_model::konzept::VersionState;
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};
use std::process::Command;

const USER: &str = "b.schulz";
/// What konzept.js types into the Ausgangslage (and saves).
const TEXT: &str = "Die Arbeitslosenquote der Nichtdeutschen liegt bei [[ARB-03 nichtdeutsch]] \
                    und sinkt seit Jahren spürbar.";

#[test]
fn an_ausgangslage_is_edited_and_compared_in_chromium() {
    let Some(dir) = common::browser() else {
        return;
    };

    // The demo city (a decided Konzept and a Fortschreibung in Beratung) in a throw-away database,
    // a Redaktion account with its one-time password; the server without --demo.
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    kimo_ok(db, &["demo"]);
    let password =
        common::one_time_password(&kimo_ok(db, &["user", "add", USER, "--role", "redaktion"]));
    let store = Store::open(db).unwrap();
    let versions = store.konzept_versions().unwrap();
    let draft = versions
        .iter()
        .find(|v| v.title == "1. Fortschreibung 2029 (Demo, Entwurf)")
        .expect("the demo's draft Fortschreibung");
    assert_eq!(draft.state, VersionState::InBeratung, "{draft:?}");
    let decided = versions
        .iter()
        .find(|v| v.state == VersionState::Beschlossen)
        .expect("the demo's decided version");
    let (draft, decided) = (draft.id, decided.id);
    let before = store
        .konzept_version(draft)
        .unwrap()
        .content
        .field("arbeit")
        .expect("the Handlungsfeld arbeit")
        .situation
        .clone();
    assert_ne!(before, TEXT);
    drop(store);
    let server = Server::start(&["--database", db], &[]);

    let t0 = std::time::Instant::now();
    let out = Command::new("node")
        .current_dir(&dir)
        .env("KIMO_USER", USER)
        .env("KIMO_PASSWORD", &password)
        .env("KIMO_DRAFT", draft.to_string())
        .env("KIMO_DECIDED", decided.to_string())
        .arg("konzept.js")
        .arg(&server.url)
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "{text}{}(konzept.js: {:.1} s)",
        String::from_utf8_lossy(&out.stderr),
        t0.elapsed().as_secs_f64()
    );
    assert!(out.status.success(), "the browser flow failed:\n{text}");
    for line in [
        format!("ok: logged in as {USER}"),
        "ok: word count shows 13 Wörter while typing".into(),
        "ok: word count says over the limit of 150 words".into(),
        "ok: unknown reference refused (400): Zeile 1, Spalte 113: den Indikator 'XYZ-01' gibt es nicht"
            .into(),
        "axe editor: 0 violations".into(),
        "axe editor with error: 0 violations".into(),
        "axe Leitprojekte form with error: 0 violations".into(),
        "ok: Leitprojekt with end „Sommer“ refused (400)".into(),
        "axe draft: 0 violations".into(),
        "ok: comparison marks added and removed words".into(),
        "axe comparison: 0 violations".into(),
        "axe public konzept: 0 violations".into(),
        "konzept flow ok".into(),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line „{line}“ in:\n{text}"
        );
    }
    let saved = text
        .lines()
        .find_map(|l| l.strip_prefix("ok: saved, live figure "))
        .unwrap_or_else(|| panic!("no line „ok: saved, live figure …“ in:\n{text}"));
    assert!(
        saved.contains(" %"),
        "the live figure is a percentage: {saved}"
    );

    // The database: the draft's Ausgangslage is the text typed (the refused one saved nothing);
    // the decided version is unchanged; one `konzept.edit` by the user, on the draft.
    let store = Store::open(db).unwrap();
    let after = store.konzept_version(draft).unwrap();
    assert_eq!(after.content.field("arbeit").unwrap().situation, TEXT);
    assert_eq!(after.state, VersionState::InBeratung);
    let old = store.konzept_version(decided).unwrap();
    assert_eq!(old.state, VersionState::Beschlossen);
    assert!(
        !old.content
            .field("arbeit")
            .unwrap()
            .situation
            .contains("spürbar")
    );
    let log = store
        .audit_log(&AuditFilter {
            action: Some("konzept.edit".into()),
            actor: Some(USER.into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        log.len(),
        2,
        "the text and the Leitprojekt, nothing for the refused forms: {log:?}"
    );
    for entry in &log {
        assert_eq!(
            (entry.action.as_str(), entry.object.clone()),
            ("konzept.edit", format!("konzept:{draft}"))
        );
    }
    let project = after
        .content
        .field("arbeit")
        .unwrap()
        .projects
        .iter()
        .find(|p| p.title == "Mentoring für Geflüchtete")
        .expect("the Leitprojekt typed in the browser is saved")
        .clone();
    assert_eq!(
        (
            project.start.as_deref(),
            project.end.as_deref(),
            project.areas
        ),
        (Some("2027-03-01"), Some("2029"), vec!["19".to_string()])
    );
    // Newest first: the Leitprojekt, then the text.
    assert!(log[0].after.contains("Mentoring") && !log[0].after.contains("Sommer"));
    let entry = &log[1];
    assert_eq!(entry.address, "127.0.0.1");
    assert!(
        entry.after.contains("sinkt seit Jahren spürbar") && !entry.after.contains("XYZ-01"),
        "{entry:?}"
    );
}
