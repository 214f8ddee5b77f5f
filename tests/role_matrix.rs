//! The role matrix of README ("Roles and what they may do"): every route (pages, their JSON and CSV
//! twins, downloads, the API, the forms) for every role — the public, a disabled account, the
//! Arbeitskreis/Gremium, an Amt not responsible for the indicator, the Amt responsible, the
//! Redaktion and an administrator — with the status each must get: allowed (200, 303 after a
//! form), forbidden (403), not found (404) or refused for its content (400). One cell per check;
//! every mismatch is listed. The test prints the matrix as a Markdown table. Both databases.

mod common;
use common::{Server, kimo_ok, log_in_with, send, send_raw};
use kimo_store::testing::TestDb;
use kimo_store::{Store, WarningFilter};

/// The roles, in the matrix's column order.
const ROLES: [&str; 7] = [
    "öffentlich",
    "gesperrt",
    "Gremium",
    "anderes Amt",
    "zuständiges Amt",
    "Redaktion",
    "Admin",
];

/// What a request sends besides the session cookie.
enum Body {
    /// Nothing (GET).
    None,
    /// A form; the role's CSRF token is added.
    Form(Vec<(&'static str, String)>),
    /// A body with a content type; the role's CSRF token goes in `X-CSRF-Token`.
    Raw(&'static str, Vec<u8>),
}

/// One row of the matrix: a request and the status each role must get.
struct Row {
    method: &'static str,
    path: String,
    body: Body,
    expect: [u16; 7],
}

fn get(path: impl Into<String>, expect: [u16; 7]) -> Row {
    Row {
        method: "GET",
        path: path.into(),
        body: Body::None,
        expect,
    }
}

fn post(path: impl Into<String>, body: Body, expect: [u16; 7]) -> Row {
    Row {
        method: "POST",
        path: path.into(),
        body,
        expect,
    }
}

/// Everyone.
const ALL: [u16; 7] = [200; 7];
/// Logged in (any role); the public and a disabled account: forbidden.
const INTERNAL: [u16; 7] = [403, 403, 200, 200, 200, 200, 200];
/// Unpublished: for the public as if it did not exist.
const UNPUBLISHED: [u16; 7] = [404, 404, 200, 200, 200, 200, 200];
/// Administrators only.
const ADMIN: [u16; 7] = [403, 403, 403, 403, 403, 403, 200];
/// Those who work on the indicator (its Amt, the Redaktion, administrators), after a form.
const WORK: [u16; 7] = [403, 403, 403, 403, 303, 303, 303];

/// Redaktion and administrators only, after a form.
const EDIT: [u16; 7] = [403, 403, 403, 403, 403, 303, 303];

/// The Integrationskonzept's rows: the decided version and the draft in Beratung.
fn konzept(decided: i64, draft: i64) -> Vec<Row> {
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
    };
    let mut rows: Vec<Row> = [
        "/konzept".to_string(),
        "/konzept.json".into(),
        "/konzept/versionen".into(),
        format!("/konzept/{decided}"),
        format!("/konzept/{decided}.json"),
        format!("/konzept/{decided}/konzept.md"),
        format!("/konzept/{decided}/konzept.pdf"),
    ]
    .into_iter()
    .map(|p| get(p, ALL))
    .collect();
    for p in [
        format!("/konzept/{draft}"),
        format!("/konzept/{draft}.json"),
        format!("/konzept/{draft}/konzept.yml"),
        format!("/konzept/{draft}/konzept.pdf"),
        format!("/konzept/vergleich?von={decided}&bis={draft}"),
    ] {
        rows.push(get(p, UNPUBLISHED));
    }
    // Open data is the public's view for everyone: an internal indicator has no files.
    rows.push(get("/daten/indikatoren/ARB-05.csv", [404; 7]));
    let edit = format!("/konzept/{draft}/abschnitt/verstaendnis");
    rows.push(get(edit.clone(), [403, 403, 403, 403, 403, 200, 200]));
    let goals = format!("/konzept/{draft}/ziele/recht");
    let projects = format!("/konzept/{draft}/leitprojekte/recht");
    let core = format!("/konzept/{draft}/kernindikatoren/recht");
    for p in [&goals, &projects, &core, &"/konzept/frueher".to_string()] {
        rows.push(get(p.clone(), [403, 403, 403, 403, 403, 200, 200]));
    }
    rows.extend([
        post(
            format!("/konzept/{draft}/kommentare"),
            form(&[("abschnitt", "verstaendnis"), ("text", "Matrix")]),
            [403, 403, 303, 303, 303, 303, 303],
        ),
        post(edit, form(&[("text", "Integration ist Teilhabe.")]), EDIT),
        post(
            goals,
            form(&[("g1_id", "recht-1"), ("g1_text", "Mehr Einbürgerungen.")]),
            EDIT,
        ),
        post(
            projects,
            form(&[
                ("p1_id", "recht-p1"),
                ("p1_titel", "Einbürgerungskampagne"),
                ("p1_verantwortlich", "Ordnungs- und Bürgeramt"),
                ("p1_stand", "laufend"),
            ]),
            EDIT,
        ),
        post(core, form(&[("k_REC-01", "ja")]), EDIT),
        post(
            "/konzept/frueher",
            form(&[("titel", "Matrix-Plan"), ("datum", "2001")]),
            EDIT,
        ),
        post(
            "/konzept/kommentare/1",
            form(&[("antwort", "Danke")]),
            [403, 403, 403, 403, 403, 303, 303],
        ),
        post(
            format!("/konzept/{draft}/projekte/kita-p1"),
            form(&[("status", "laufend")]),
            EDIT,
        ),
        // Already in Beratung: allowed roles get the conflict, the others 403.
        post(
            format!("/konzept/{draft}/stand"),
            form(&[("stand", "in-beratung")]),
            [403, 403, 403, 403, 403, 409, 409],
        ),
        post(
            format!("/konzept/{decided}/fortschreiben"),
            form(&[("titel", "Matrix")]),
            EDIT,
        ),
    ]);
    rows
}

/// A multipart body with one file (`datei`), as a browser sends it.
fn multipart(name: &str, text: &str) -> Vec<u8> {
    format!(
        "--{MP}\r\nContent-Disposition: form-data; name=\"datei\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n{text}\r\n--{MP}--\r\n"
    )
    .into_bytes()
}

/// The multipart boundary of [`multipart`].
const MP: &str = "matrix-boundary";

/// The delivery plan's rows: `mine` is a delivery of the Jobcenter (the responsible Amt's),
/// `owed` one it still owes (its file becomes submission `sid`).
fn deliveries(mine: i64, owed: i64, sid: i64) -> Vec<Row> {
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
    };
    let bfi = [403, 403, 403, 403, 403, 200, 200];
    vec![
        get("/lieferungen", [403, 403, 403, 200, 200, 200, 200]),
        get("/lieferungen.json", [403, 403, 403, 200, 200, 200, 200]),
        get(
            format!("/lieferungen/{mine}"),
            [403, 403, 403, 403, 200, 200, 200],
        ),
        get("/lieferungen/fristen", bfi),
        get("/lieferungen/erinnerungen", bfi),
        get("/lieferungen/erinnerungen.json", bfi),
        get("/kalender/unbekannt.ics", [404; 7]),
        get("/sitzungen", INTERNAL),
        get("/sitzungen.json", INTERNAL),
        post(
            "/sitzungen",
            form(&[
                ("gremium", "aki"),
                ("titel", "Matrix"),
                ("datum", "18.02.2099"),
            ]),
            EDIT,
        ),
        get("/sitzungen/1", INTERNAL),
        get("/sitzungen/1.json", INTERNAL),
        get("/sitzungen/1/protokoll.md", INTERNAL),
        get("/sitzungen/1/druck", INTERNAL),
        post(
            "/sitzungen/1/top",
            form(&[("titel", "Matrix"), ("verweise", "")]),
            EDIT,
        ),
        post("/sitzungen/top/1", form(&[("protokoll", "Matrix")]), EDIT),
        post(
            "/sitzungen/1/aufgaben",
            form(&[("titel", "Matrix"), ("zustaendig", "jc.amt")]),
            EDIT,
        ),
        post(
            "/sitzungen/aufgaben/1",
            form(&[("stand", "erledigt")]),
            EDIT,
        ),
        post("/warnungen/1/tagesordnung", form(&[("sitzung", "1")]), EDIT),
        get("/aktivitaeten", INTERNAL),
        get("/aktivitaeten.json", INTERNAL),
        post(
            "/aktivitaeten",
            form(&[
                ("datum", "01.10.2026"),
                ("art", "Projekt"),
                ("titel", "Matrix"),
            ]),
            EDIT,
        ),
        get("/berichte", INTERNAL),
        get("/berichte.json", INTERNAL),
        get("/berichte/1", INTERNAL),
        get("/berichte/2.json", INTERNAL),
        get("/berichte/1/bericht.html", INTERNAL),
        get("/berichte/1/bericht.pdf", INTERNAL),
        get("/berichte/1/bericht.docx", INTERNAL),
        post(
            "/berichte",
            form(&[("art", "monitoringbericht"), ("jahr", "2099")]),
            EDIT,
        ),
        post(
            "/berichte/2",
            form(&[("titel", "Matrix"), ("s1_feld", "arbeit")]),
            EDIT,
        ),
        // The Redaktion releases the draft; then it is released (409 for the administrator).
        post(
            "/berichte/2/freigeben",
            form(&[]),
            [403, 403, 403, 403, 403, 303, 409],
        ),
        get("/fahrplan", ALL),
        get("/fahrplan.json", ALL),
        get("/fahrplan/bearbeiten", bfi),
        post("/fahrplan/bearbeiten", form(&[("s_1", "erledigt")]), EDIT),
        post(
            format!("/lieferungen/{mine}"),
            form(&[("faellig", "30.06.2027"), ("kontakt", ""), ("notiz", "")]),
            EDIT,
        ),
        post(
            "/lieferungen/fristen",
            form(&[("f_ARB-03", "90"), ("k_ARB-03", "")]),
            EDIT,
        ),
        post(
            "/lieferungen/kalender",
            form(&[]),
            [403, 403, 200, 200, 200, 200, 200],
        ),
        post(
            format!("/lieferungen/{owed}/datei"),
            Body::Raw(
                "multipart/form-data; boundary=matrix-boundary",
                multipart(
                    "matrix.csv",
                    "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2026;KA;4,5\n",
                ),
            ),
            [403, 403, 403, 403, 303, 403, 403],
        ),
        get(
            format!("/lieferungen/einreichungen/{sid}"),
            [403, 403, 403, 403, 200, 200, 200],
        ),
        get(
            format!("/lieferungen/einreichungen/{sid}/datei"),
            [403, 403, 403, 403, 200, 200, 200],
        ),
        // Only the uploader submits; afterwards it is submitted (409 for the Redaktion).
        post(
            format!("/lieferungen/einreichungen/{sid}/einreichen"),
            form(&[]),
            [403, 403, 403, 403, 303, 409, 409],
        ),
        // The Redaktion accepts; then it is accepted (409 for the administrator after her).
        post(
            format!("/lieferungen/einreichungen/{sid}/annehmen"),
            form(&[]),
            [403, 403, 403, 403, 403, 303, 409],
        ),
        post(
            format!("/lieferungen/einreichungen/{sid}/zurueckgeben"),
            form(&[("kommentar", "Matrix")]),
            [403, 403, 403, 403, 403, 409, 409],
        ),
    ]
}

/// The GET rows: every page, twin, download and API route.
fn reads(warning: i64) -> Vec<Row> {
    let mut rows: Vec<Row> = [
        "/",
        "/index.json",
        "/index.csv",
        "/handlungsfelder/arbeit",
        "/handlungsfelder/arbeit.json",
        "/indikatoren",
        "/indikatoren.json",
        "/indikatoren.csv",
        "/indikatoren/ARB-03",
        "/indikatoren/ARB-03.json",
        "/indikatoren/ARB-03.csv",
        "/indikatoren/ARB-03/diagramm/verlauf.svg",
        "/indikatoren/ARB-03/diagramm/karte.png",
        "/indikatoren/ARB-03/diagramm/verlauf.html",
        "/en/indikatoren/ARB-03",
        "/en/daten",
        "/stadtteile",
        "/stadtteile.json",
        "/stadtteile.csv",
        "/stadtteile/19",
        "/stadtteile/19.json",
        "/api/v1/indicators",
        "/api/v1/indicators/ARB-03",
        "/api/v1/indicators/ARB-03/observations",
        "/api/v1/areas",
        "/daten",
        "/daten.json",
        "/daten/kimo-daten.json",
        "/daten/dcat.jsonld",
        "/daten/indikatoren/ARB-03.csv",
        "/daten/indikatoren/ARB-03.xlsx",
        "/api",
        "/api/v1/openapi.json",
        "/impressum",
        "/datenschutz",
        "/barrierefreiheit",
        "/leichte-sprache",
        "/impressum.json",
        "/api.json",
        "/anmelden",
        "/static/style.css",
        "/healthz",
    ]
    .into_iter()
    .map(|p| get(p, ALL))
    .collect();
    for p in [
        "/indikatoren/ARB-05",
        "/indikatoren/ARB-05.json",
        "/indikatoren/ARB-05/diagramm/verlauf.csv",
        "/api/v1/indicators/ARB-05",
        "/api/v1/indicators/ARB-05/observations",
    ] {
        rows.push(get(p, UNPUBLISHED));
    }
    // English pages are the public's view for everyone: an unpublished indicator is not there.
    rows.push(get("/en/indikatoren/ARB-05", [404; 7]));
    let w = warning;
    for p in [
        "/lagebild".to_string(),
        "/lagebild.json".into(),
        "/lagebild.csv".into(),
        "/api/v1/warnings".into(),
        format!("/warnungen/{w}"),
        format!("/warnungen/{w}.json"),
        "/aufgaben".into(),
        "/aufgaben.json".into(),
        "/indikatoren/ARB-03/regeln".into(),
        "/konto.json".into(),
    ] {
        rows.push(get(p, INTERNAL));
    }
    rows.push(get("/konto", [303, 303, 200, 200, 200, 200, 200]));
    for p in [
        "/verwaltung/protokoll",
        "/verwaltung/protokoll.json",
        "/verwaltung/protokoll.csv",
    ] {
        rows.push(get(p, ADMIN));
    }
    rows.push(get("/gibt-es-nicht", [404; 7]));
    rows.push(get("/indikatoren/GIBT-ES-NICHT", [404; 7]));
    rows.push(get(
        "/warnungen/999999",
        [403, 403, 404, 404, 404, 404, 404],
    ));
    rows.push(get(
        "/verwaltung/gibt-es-nicht",
        [403, 403, 403, 403, 403, 403, 404],
    ));
    rows
}

/// The rules form of ARB-03 as it stands in the demo city.
fn rules_form() -> Vec<(&'static str, String)> {
    [
        ("standard", "ja"),
        ("r1_typ", "schwelle"),
        ("r1_grenze", "8"),
        ("r1_richtung", "ueber"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// The POST rows: every form and every changing API route.
fn writes(warning: i64) -> Vec<Row> {
    let w = warning;
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, v.to_string())).collect())
    };
    let json = |s: &str| Body::Raw("application/json", s.as_bytes().to_vec());
    let file = "Indikator;Zeitraum;Gebiet;Wert\nARB-03;2025;KA;4,4\n";
    vec![
        post(
            format!("/warnungen/{w}"),
            form(&[("status", "in-bearbeitung")]),
            WORK,
        ),
        post(
            format!("/warnungen/{w}"),
            form(&[("kommentar", "gelesen")]),
            [403, 403, 303, 403, 303, 303, 303],
        ),
        // Back to "neu": a real change for the Gremium too (the row above set "in Bearbeitung").
        post(
            format!("/api/v1/warnings/{w}"),
            json(r#"{"status": "neu"}"#),
            [403, 403, 403, 403, 200, 200, 200],
        ),
        post("/indikatoren/ARB-03/regeln", Body::Form(rules_form()), WORK),
        post(
            "/api/v1/import?file=jc.csv&dry_run=true",
            Body::Raw("text/csv", file.as_bytes().to_vec()),
            [403, 403, 403, 400, 200, 200, 200],
        ),
        post(
            "/konto/schluessel",
            form(&[("name", "Matrix")]),
            [403, 403, 200, 200, 200, 200, 200],
        ),
        post(
            "/konto/passwort",
            form(&[
                ("alt", "falsch"),
                ("neu", "neu-neu-neu-1"),
                ("wiederholung", "neu-neu-neu-1"),
            ]),
            [403, 403, 400, 400, 400, 400, 400],
        ),
        post(
            "/konto/sitzungen/999999/beenden",
            form(&[]),
            [403, 403, 404, 404, 404, 404, 404],
        ),
        post(
            "/anmelden",
            form(&[("name", "x"), ("passwort", "y")]),
            [403; 7],
        ),
    ]
}

/// Sends a row's request as a role (its session cookie and CSRF token; empty for the public).
fn status(server: &Server, row: &Row, cookie: &str, csrf: &str) -> u16 {
    match &row.body {
        Body::None => send(server, "GET", &row.path, cookie, &[]).status,
        Body::Form(pairs) => {
            let mut f: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            f.push(("csrf", csrf));
            send(server, "POST", &row.path, cookie, &f).status
        }
        Body::Raw(kind, bytes) => {
            let mut h = vec![("content-type", *kind), ("x-csrf-token", csrf)];
            if !cookie.is_empty() {
                h.push(("cookie", cookie));
            }
            send_raw(server, "POST", &row.path, &h, bytes).status
        }
    }
}

/// The session cookie and CSRF token of every role, in [`ROLES`] order.
fn sessions(server: &Server, db: &str) -> Vec<(String, String)> {
    let jc = "Agentur für Arbeit / Jobcenter";
    let accounts = [
        ("gesperrt", "redaktion", None),
        ("g.ina", "gremium", None),
        ("ga.amt", "amt", Some("Gesundheitsamt")),
        ("jc.amt", "amt", Some(jc)),
        ("b.redaktion", "redaktion", None),
        ("a.admin", "admin", None),
    ];
    let mut out = vec![(String::new(), "x".to_string())];
    for (name, role, amt) in accounts {
        let cookie = log_in_with(server, db, name, role, amt);
        let csrf = send(server, "GET", "/konto", &cookie, &[]).csrf();
        out.push((cookie, csrf));
    }
    // Disabled after logging in: the session ends, the cookie is worth nothing.
    kimo_ok(db, &["user", "disable", "gesperrt"]);
    out
}

#[test]
fn every_route_for_every_role() {
    for t in TestDb::all("every_route_for_every_role") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        common::set_published(db, "ARB-05", false);
        let store = Store::open(db).unwrap();
        let warning = store
            .warnings(&WarningFilter::default())
            .unwrap()
            .into_iter()
            .find(|w| w.indicator == "ARB-03")
            .unwrap()
            .id;
        drop(store);
        let server = Server::start(&["--database", db], &[]);
        let roles = sessions(&server, db);
        let store = Store::open(db).unwrap();
        let versions = store.konzept_versions().unwrap();
        let id = |prefix: &str| {
            versions
                .iter()
                .find(|v| v.title.starts_with(prefix))
                .unwrap()
                .id
        };
        let (decided, draft) = (id("Integrationskonzept"), id("1. Fortschreibung 2029"));
        let mine = store
            .deliveries(&kimo_store::DeliveryFilter {
                amt: Some("Agentur für Arbeit / Jobcenter".into()),
                ..Default::default()
            })
            .unwrap()[0]
            .id;
        let owed = store
            .deliveries(&kimo_store::DeliveryFilter {
                indicator: Some("ARB-03".into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find(|d| d.state.owed())
            .unwrap()
            .id;
        // The matrix's upload comes after the demo's own submissions.
        let sid = store.submissions(None).unwrap().len() as i64 + 1;
        drop(store);
        let rows: Vec<Row> = reads(warning)
            .into_iter()
            .chain(writes(warning))
            .chain(konzept(decided, draft))
            .chain(deliveries(mine, owed, sid))
            .collect();
        let (mut wrong, mut cells) = (Vec::new(), 0);
        println!("| Anfrage | {} |", ROLES.join(" | "));
        println!("|---|{}", "---|".repeat(ROLES.len()));
        for row in &rows {
            let got: Vec<u16> = roles
                .iter()
                .map(|(cookie, csrf)| status(&server, row, cookie, csrf))
                .collect();
            for (i, (g, e)) in got.iter().zip(row.expect).enumerate() {
                cells += 1;
                if *g != e {
                    wrong.push(format!(
                        "{} {} as {}: {g}, expected {e}",
                        row.method, row.path, ROLES[i]
                    ));
                }
            }
            let shown: Vec<String> = got.iter().map(u16::to_string).collect();
            let path = row.path.replace(&warning.to_string(), "{id}");
            println!("| {} `{path}` | {} |", row.method, shown.join(" | "));
        }
        assert!(wrong.is_empty(), "{}:\n{}", t.label, wrong.join("\n"));
        println!(
            "{}: {cells} cells ({} routes × {} roles) as expected",
            t.label,
            rows.len(),
            ROLES.len()
        );
    }
}
