//! The demo city's pages in a real browser at a phone (390×844) and a laptop (1366×768) size, the
//! laptop at 200 % zoom and at the reflow width of 320 px: axe-core's WCAG 2.1 A/AA rules, keyboard
//! use, and the layout (no sideways scrolling of the page, SVG text at least 12 screen pixels and
//! inside its SVG, no content cut by hidden overflow). And the public's main task in English with
//! the keyboard only.
//!
//! Needs Node.js, Chromium and `npm ci` in tests/browser; without them the test says it was skipped,
//! unless KIMO_TEST_BROWSER=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::Server;
use std::process::Command;

#[test]
fn pages_meet_wcag_aa_in_chromium() {
    let Some(dir) = common::browser() else {
        return;
    };
    // The demo city in a database of the test's, so that an account can log in: the pages are
    // checked as a logged-in user sees them (the account page too).
    let db = kimo_store::testing::TestDb::sqlite();
    let s = Server::start(&["--database", &db.url], &["--demo"]);
    let cookie = s.log_in_as(&db.url, "admin");
    // A meeting with an agenda item, minutes and a task, for its page.
    let csrf = common::send(&s, "GET", "/konto", &cookie, &[]).csrf();
    let made = [
        ("csrf", csrf.as_str()),
        ("gremium", "aki"),
        ("titel", "AKI, 1. Sitzung"),
        ("datum", "18.02.2099"),
    ];
    assert_eq!(
        common::send(&s, "POST", "/sitzungen", &cookie, &made).status,
        303
    );
    let top = [
        ("csrf", csrf.as_str()),
        ("titel", "Arbeitsmarkt"),
        ("verweise", "indikator:ARB-03, warnung:1"),
    ];
    assert_eq!(
        common::send(&s, "POST", "/sitzungen/1/top", &cookie, &top).status,
        303
    );
    let task = [
        ("csrf", csrf.as_str()),
        ("titel", "Bericht"),
        ("zustaendig", "Jobcenter"),
        ("faellig", "01.03.2099"),
        ("top", "1"),
    ];
    assert_eq!(
        common::send(&s, "POST", "/sitzungen/1/aufgaben", &cookie, &task).status,
        303
    );
    let out = Command::new("node")
        .current_dir(&dir)
        .env("KIMO_COOKIE", &cookie)
        .arg("check.js")
        .arg(&s.url)
        .args([
            "/",
            "/handlungsfelder/arbeit",
            "/indikatoren",
            "/indikatoren/ARB-03",
            "/indikatoren/ARB-03?gebiet=19&merkmal=staatsangehoerigkeit&zeitraum=2020",
            "/indikatoren/DEM-02?vergleich=01&vergleich=07&zeitraum=2016",
            "/indikatoren/WOH-01",
            "/lagebild",
            "/lagebild?gebiet=19&karte=SOZ-01",
            "/indikatoren/ARB-03?gebiet=19&merkmal=staatsangehoerigkeit&warnung=2",
            "/stadtteile",
            "/stadtteile/19",
            "/gibt-es-nicht",
            "/indikatoren/ARB-03?gebiet=99",
            "/anmelden",
            "/konto",
            "/verwaltung/protokoll",
            "/warnungen/1",
            "/indikatoren/ARB-03/regeln",
            "/aufgaben",
            "/konzept",
            "/konzept/versionen",
            "/konzept/vergleich",
            "/konzept/6",
            "/konzept/6/abschnitt/feld:arbeit:ausgangslage",
            "/konzept/6/ziele/arbeit",
            "/konzept/6/leitprojekte/arbeit",
            "/konzept/6/kernindikatoren/arbeit",
            "/konzept/frueher",
            "/lieferungen",
            "/lieferungen/1",
            "/lieferungen/fristen",
            "/lieferungen/erinnerungen",
            "/berichte",
            "/berichte/1",
            "/berichte/2",
            "/berichte/1/bericht.html",
            "/berichte/3",
            "/berichte/3/bericht.html",
            "/fahrplan",
            "/fahrplan/bearbeiten",
            "/sitzungen",
            "/sitzungen/1",
            "/sitzungen/1/druck",
            "/aktivitaeten",
            "/daten",
            "/api",
            "/barrierefreiheit",
            "/leichte-sprache",
            "/impressum",
            "/datenschutz",
            // The English public pages (an English page is the public's, also when logged in).
            "/en/",
            "/en/indikatoren",
            "/en/indikatoren/ARB-03?gebiet=19&merkmal=staatsangehoerigkeit&zeitraum=2020",
            "/en/handlungsfelder/arbeit",
            "/en/stadtteile/19",
            "/en/konzept",
            "/en/daten",
            "/en/api",
            "/en/barrierefreiheit",
            "/en/indikatoren/GIBT-ES-NICHT",
            // The English form with an error (an area that does not exist).
            "/en/indikatoren/ARB-03?gebiet=99",
            // The embeddable chart, as another site's iframe shows it.
            "/indikatoren/ARB-03/diagramm/karte.html",
        ])
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "accessibility or layout problems:\n{text}"
    );
    // 63 pages at four sizes (phone, laptop, laptop at 200 %, reflow at 320 px).
    assert_eq!(text.matches(": 0 violations").count(), 252, "{text}");
    assert_eq!(text.matches("layout ok").count(), 252, "{text}");
    for size in ["320×640", "683×384"] {
        assert_eq!(text.matches(&format!("{size} /")).count(), 63, "{text}");
    }
}

#[test]
fn english_keyboard_walk_in_chromium() {
    let Some(dir) = common::browser() else {
        return;
    };
    let db = kimo_store::testing::TestDb::sqlite();
    let s = Server::start(&["--database", &db.url], &["--demo"]);
    let out = Command::new("node")
        .current_dir(&dir)
        .args(["keyboard.js", &s.url, "ARB-03", "19", "Durlach"])
        .output()
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the keyboard walk failed:\n{text}");
    assert!(text.contains("keyboard ok"), "{text}");
    assert_eq!(text.matches("ok: ").count(), 5, "{text}");
}
