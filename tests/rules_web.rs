//! The early-warning rules of an indicator edited in the browser (`/indikatoren/{code}/regeln`):
//! who may see and change them, errors next to the field with nothing stored, and a saved change
//! evaluated at once and in the audit log. Both databases.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store, WarningFilter};

const PATH: &str = "/indikatoren/ARB-03/regeln";

/// Active threshold warnings of ARB-03.
fn thresholds(store: &Store) -> usize {
    let f = WarningFilter {
        indicator: Some("ARB-03".into()),
        ..Default::default()
    };
    store
        .warnings(&f)
        .unwrap()
        .iter()
        .filter(|w| w.kind == "schwelle")
        .count()
}

/// The demo's two ARB-03 rules as the form sends them, with the threshold's limit `limit` and a
/// new third rule of type `third` (empty: none).
fn form<'a>(csrf: &'a str, limit: &'a str, third: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("standard", "ja"),
        ("r1_typ", "trend"),
        ("r1_perioden", "3"),
        ("r1_merkmal", "staatsangehoerigkeit"),
        ("r1_gruppe", "nichtdeutsch"),
        ("r1_sprung", "1,5"),
        ("r1_sprung_einheit", "pp"),
        ("r2_typ", "schwelle"),
        ("r2_grenze", limit),
        ("r2_richtung", "ueber"),
        ("r2_schwere", "hoch"),
        ("r3_typ", third),
    ]
}

#[test]
fn rules_are_edited_in_a_form_and_evaluated_at_once() {
    for t in TestDb::all("rules_are_edited_in_a_form_and_evaluated_at_once") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        let store = Store::open(db).unwrap();
        let before = thresholds(&store);
        let stored = store.rules_text().unwrap();

        // The public: 403; a Gremium member reads the rules in force but gets no form.
        assert_eq!(send(&server, "GET", PATH, "", &[]).status, 403);
        let gremium = server.log_in_as(db, "gremium");
        let page = send(&server, "GET", PATH, &gremium, &[]);
        assert_eq!(page.status, 200);
        assert_eq!(page.header("cache-control"), Some("no-store"));
        assert_eq!(page.header("etag"), None, "made for one user: no ETag");
        assert!(
            page.body
                .contains("<h2 id=\"in-kraft\">Regeln in Kraft</h2>")
        );
        assert!(page.body.contains("Wert über 8"), "{}", page.body);
        assert!(!page.body.contains("Speichern und auswerten"));
        let g_csrf = send(&server, "GET", "/konto", &gremium, &[]).csrf();
        let refused = send(&server, "POST", PATH, &gremium, &form(&g_csrf, "1", ""));
        assert_eq!(refused.status, 403);

        // The Redaktion sees the stored values, German decimal comma included.
        let bfi = server.log_in(db);
        let page = send(&server, "GET", PATH, &bfi, &[]);
        assert!(page.body.contains(
            "id=\"r1-sprung\" name=\"r1_sprung\" type=\"text\" inputmode=\"decimal\" value=\"1,5\""
        ));
        assert!(
            page.body
                .contains("name=\"r2_grenze\" type=\"text\" inputmode=\"decimal\" value=\"8\"")
        );
        let csrf = page.csrf();

        // Without the form's token: 403, nothing stored.
        assert_eq!(
            send(&server, "POST", PATH, &bfi, &form("x", "1", "")).status,
            403
        );

        // Errors next to their fields, nothing stored.
        let bad = send(
            &server,
            "POST",
            PATH,
            &bfi,
            &form(&csrf, "acht", "schwelle"),
        );
        assert_eq!(bad.status, 400);
        assert!(
            bad.body.contains("Nicht gespeichert: 2 Fehler"),
            "{}",
            bad.body
        );
        assert!(bad.body.contains("<span class=\"field-error\" id=\"r2-grenze-fehler\">Fehler: keine Zahl (z. B. 8,5)</span>"));
        assert!(bad.body.contains("aria-describedby=\"r2-grenze-fehler\""));
        assert!(bad.body.contains("<span class=\"field-error\" id=\"r3-grenze-fehler\">Fehler: &#x27;grenze&#x27; fehlt</span>"), "{}", bad.body);
        assert!(
            bad.body.contains("value=\"acht\""),
            "the typed value comes back"
        );
        assert_eq!(store.rules_text().unwrap(), stored);

        // A lower limit: stored, evaluated at once (more Stadtteile above it), in the audit log.
        let ok = send(&server, "POST", PATH, &bfi, &form(&csrf, "4,5", ""));
        assert_eq!(ok.status, 303, "{}", ok.body);
        assert_eq!(
            ok.header("location"),
            Some("/indikatoren/ARB-03/regeln?gespeichert=1")
        );
        let text = store.rules_text().unwrap();
        assert!(text.contains("grenze: 4.5"), "{text}");
        assert!(
            text.contains("SOZ-02:"),
            "other indicators' rules stay: {text}"
        );
        let after = thresholds(&store);
        assert!(after > before, "{before} → {after}");
        let page = send(
            &server,
            "GET",
            "/indikatoren/ARB-03/regeln?gespeichert=1",
            &bfi,
            &[],
        );
        assert!(page.body.contains("Gespeichert und sofort ausgewertet"));
        assert!(page.body.contains("Wert über 4,5"));
        let log = store
            .audit_log(&AuditFilter {
                action: Some("rules.update".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log[0].object, "Regeln ARB-03");
        assert!(log[0].before.contains("grenze: 8") && log[0].after.contains("grenze: 4.5"));
        assert!(log[0].actor.starts_with("pruefer"));

        // An Amt: the form only for its own indicators.
        let other = common::log_in_with(&server, db, "o.amt", "amt", Some("Ordnungsamt"));
        let page = send(&server, "GET", PATH, &other, &[]);
        assert!(!page.body.contains("Speichern und auswerten"));
        let o_csrf = send(&server, "GET", "/konto", &other, &[]).csrf();
        assert_eq!(
            send(&server, "POST", PATH, &other, &form(&o_csrf, "9", "")).status,
            403
        );
        assert!(store.rules_text().unwrap().contains("grenze: 4.5"));
    }
}

#[test]
fn the_amt_responsible_edits_its_indicators_rules() {
    let t = TestDb::sqlite();
    let db = t.url.as_str();
    kimo_ok(db, &["demo"]);
    let server = Server::start(&["--database", db], &[]);
    let cookie = common::log_in_with(
        &server,
        db,
        "jc.mueller",
        "amt",
        Some("Agentur für Arbeit / Jobcenter"),
    );
    let page = send(&server, "GET", PATH, &cookie, &[]);
    assert!(page.body.contains("Speichern und auswerten"));
    let csrf = page.csrf();
    // Removing the threshold rule and switching the defaults off.
    let mut f = form(&csrf, "8", "");
    f.retain(|(k, _)| *k != "standard");
    f.push(("r2_loeschen", "ja"));
    assert_eq!(send(&server, "POST", PATH, &cookie, &f).status, 303);
    let store = Store::open(db).unwrap();
    assert_eq!(thresholds(&store), 0);
    let text = store.rules_text().unwrap();
    assert!(
        text.contains("standard: false") && !text.contains("grenze: 8"),
        "{text}"
    );
    let page = send(&server, "GET", PATH, &cookie, &[]);
    assert!(
        !page.body.contains("(Standard)"),
        "no default rule in force"
    );
}
