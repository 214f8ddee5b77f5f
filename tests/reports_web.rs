//! Reports on the demo city: the released Monitoringbericht 2025 as PDF and HTML — the PDF's text
//! (pdftotext) holds the key numbers of its HTML twin in German format, its pages render
//! (pdftoppm), it declares language, tags and PDF/UA-1 (pdfinfo, qpdf), and it is downloaded byte
//! for byte as released even after new data arrived (while the draft follows the data). The
//! Redaktion makes a report, chooses focus topics (wrong codes and references refused with their
//! place), releases it: the Fahrplan's milestone is marked done, all audited; a released report
//! stays as it is. The half-yearly presentation: 16:9 slides with an A4 handout, its release marks
//! the InA milestone done. The Konzept in force as a PDF for everyone. Every report also as DOCX,
//! read back with python-docx (an independent reader): the same key numbers, Word's heading styles,
//! language and title, the charts' alternative texts, header rows; kept as released. Every
//! logged-in role reads the reports, the public sees none. Both databases.
//!
//! Needs poppler-utils, qpdf and python3-docx; without them the test says it was skipped, unless
//! KIMO_TEST_PDF=1 (set by .ci/run), which makes it mandatory.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};
use std::process::Command;

/// The reader of DOCX files (python-docx).
const READ_DOCX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/read_docx.py");

/// Whether the document tools are there (a panic when they are required but missing).
fn pdf_tools() -> bool {
    let have = ["pdftotext", "pdftoppm", "pdfinfo", "qpdf"]
        .iter()
        .all(|t| Command::new(t).arg("-v").output().is_ok())
        && Command::new("/usr/bin/python3")
            .args(["-c", "import docx"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("KIMO_TEST_PDF").is_err(),
            "KIMO_TEST_PDF is set, but poppler-utils, qpdf or python3-docx is missing"
        );
        println!("skipped: poppler-utils, qpdf or python3-docx not installed");
    }
    have
}

/// A DOCX as python-docx reads it (see tests/tools/read_docx.py).
fn read_docx(docx: &[u8]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bericht.docx");
    std::fs::write(&file, docx).unwrap();
    let out = tool("/usr/bin/python3", &[READ_DOCX, file.to_str().unwrap()]);
    serde_json::from_str(&out).unwrap()
}

/// The released DOCX read back: title and language, Word's heading styles, the key numbers of the
/// HTML twin, header rows, the charts' alternative texts, A4 portrait.
fn check_docx(docx: &[u8], html_json: &serde_json::Value) {
    let d = read_docx(docx);
    assert_eq!(d["title"], html_json["report"]["title"]);
    assert_eq!(d["language"], "de-DE");
    assert_eq!(d["default_lang"][0], "de-DE");
    assert_eq!(d["page_cm"], serde_json::json!([21.0, 29.7]));
    let paragraphs = d["paragraphs"].as_array().unwrap();
    let styled = |style: &str, text: &str| {
        paragraphs
            .iter()
            .any(|p| p[0] == style && p[1].as_str().unwrap() == text)
    };
    assert!(styled(
        "Title",
        html_json["report"]["title"].as_str().unwrap()
    ));
    for chapter in [
        "Überblick über alle Handlungsfelder",
        "Jahresbericht des Büros für Integration",
        "Tätigkeitsbericht des Arbeitskreises Integration",
        "Methoden und Quellen",
        "Glossar",
    ] {
        assert!(styled("Heading 1", chapter), "{chapter} as Heading 1");
    }
    let text: String = paragraphs
        .iter()
        .map(|p| p[1].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    let cells: Vec<&str> = d["tables"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["rows"].as_array().unwrap())
        .flat_map(|r| r.as_array().unwrap())
        .map(|c| c.as_str().unwrap())
        .collect();
    let mut checked = 0;
    for field in html_json["overview"].as_array().unwrap() {
        for row in field["rows"].as_array().unwrap() {
            let value = row["value"].as_str().unwrap();
            assert!(
                cells.contains(&value),
                "{value} of {} in the DOCX",
                row["name"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} core indicators");
    let mut pictures = 0;
    for focus in html_json["focus"].as_array().unwrap() {
        assert!(styled(
            "Heading 1",
            &format!("Schwerpunkt: {}", focus["title"].as_str().unwrap())
        ));
        for a in focus["indicators"].as_array().unwrap() {
            assert!(styled("Heading 3", a["name"].as_str().unwrap()));
            let first = a["sentences"][0].as_str().unwrap();
            assert!(text.contains(first), "„{first}“ in the DOCX");
            let alt = a["chart_alt"].as_str().unwrap();
            assert!(
                d["pictures"].as_array().unwrap().iter().any(|p| p == alt),
                "chart „{alt}“ with its alternative text"
            );
            pictures += 1;
        }
    }
    assert!(pictures >= 2, "{pictures} charts");
    for t in d["tables"].as_array().unwrap() {
        assert_eq!(
            t["header"][0], true,
            "header row repeated: {}",
            t["rows"][0]
        );
    }
}

/// Runs a tool on a file; its standard output.
fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().expect("tool runs");
    assert!(
        out.status.success(),
        "{name} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The id of what a POST made, from its redirect (`/berichte/7` → 7).
fn made(res: &common::Reply) -> i64 {
    res.header("location")
        .and_then(|l| l.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .expect("a redirect to what was made")
}

/// GET with a session: status and raw bytes.
fn bytes(server: &Server, cookie: &str, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = server.raw(path, &[("cookie", cookie)]);
    (status, body)
}

/// The released PDF read with poppler and qpdf: text, pages rendered, language and tags.
fn check_pdf(pdf: &[u8], html_json: &serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bericht.pdf");
    std::fs::write(&file, pdf).unwrap();
    let f = file.to_str().unwrap();
    let info = tool("pdfinfo", &[f]);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(
        info.contains("Page size:       595.276 x 841.89 pts (A4)"),
        "{info}"
    );
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(pages >= 8, "{pages} pages");
    let qdf = dir.path().join("q.pdf");
    tool(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            f,
            qdf.to_str().unwrap(),
        ],
    );
    let raw = String::from_utf8_lossy(&std::fs::read(&qdf).unwrap()).into_owned();
    assert!(raw.contains("/Lang (de-DE)"), "document language");
    assert!(raw.contains("/StructTreeRoot"), "structure tree");
    assert!(raw.contains("/MarkInfo"), "marked content");
    assert!(raw.contains("<pdfuaid:part>1</pdfuaid:part>"), "PDF/UA-1");
    assert!(
        raw.contains("/Alt (Liniendiagramm"),
        "charts with their text alternative"
    );
    // The key numbers of the HTML twin, in German format, are in the PDF's text.
    let text = tool("pdftotext", &["-layout", f, "-"]).replace('\u{2060}', "");
    let mut checked = 0;
    for field in html_json["overview"].as_array().unwrap() {
        for row in field["rows"].as_array().unwrap() {
            let value = row["value"].as_str().unwrap();
            assert!(
                text.contains(value),
                "{value} of {} in the PDF",
                row["name"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} core indicators");
    for focus in html_json["focus"].as_array().unwrap() {
        for a in focus["indicators"].as_array().unwrap() {
            let first = a["sentences"][0].as_str().unwrap();
            // pdftotext breaks lines: compare word by word.
            let words: Vec<&str> = first.split_whitespace().collect();
            let flat: Vec<&str> = text.split_whitespace().collect();
            assert!(
                flat.windows(words.len()).any(|w| w == words.as_slice()),
                "„{first}“ in the PDF"
            );
        }
    }
    // Every page renders.
    let png = dir.path().join("p");
    tool("pdftoppm", &["-r", "30", "-png", f, png.to_str().unwrap()]);
    let rendered = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "png")
        })
        .count();
    assert_eq!(rendered, pages);
}

#[test]
fn reports_are_made_from_the_data_and_kept_as_released() {
    if !pdf_tools() {
        return;
    }
    for t in TestDb::all("reports_are_made_from_the_data_and_kept_as_released") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let store = Store::open(db).unwrap();
        let reports = store.reports().unwrap();
        let released = reports.iter().find(|r| r.year == 2025).unwrap().id;
        let draft = reports.iter().find(|r| r.year == 2026).unwrap().id;
        let server = Server::start(&["--database", db], &[]);
        let bfi = server.log_in(db);
        let csrf = send(&server, "GET", "/konto", &bfi, &[]).csrf();
        assert_eq!(send(&server, "GET", "/berichte", "", &[]).status, 403);
        let list = send(&server, "GET", "/berichte", &bfi, &[]).body;
        assert!(list.contains("Monitoringbericht Integration Karlsruhe 2025</a></th><td>Monitoringbericht</td><td class=\"num\">2025</td><td>31.12.2025</td><td>freigegeben</td>"), "{list}");

        // The released report: PDF as released, twice the same, its text = its HTML twin's numbers.
        let pdf_path = format!("/berichte/{released}/bericht.pdf");
        let (status, first) = bytes(&server, &bfi, &pdf_path);
        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(
            &send(
                &server,
                "GET",
                &format!("/berichte/{released}.json"),
                &bfi,
                &[],
            )
            .body,
        )
        .unwrap();
        check_pdf(&first, &json);
        let docx_path = format!("/berichte/{released}/bericht.docx");
        let (status, docx_first) = bytes(&server, &bfi, &docx_path);
        assert_eq!(status, 200);
        check_docx(&docx_first, &json);
        let html_path = format!("/berichte/{released}/bericht.html");
        let (_, html_first) = bytes(&server, &bfi, &html_path);
        assert!(String::from_utf8_lossy(&html_first).contains("<html lang=\"de\">"));
        // Released files say so, and from which data.
        let released_html = String::from_utf8_lossy(&html_first).into_owned();
        assert!(
            released_html.contains("· Freigegeben am ") && !released_html.contains("Entwurf vom"),
            "{:.2000}",
            released_html
        );
        assert!(released_html.contains("· Daten vom "), "data's date");
        let (_, draft_first) = bytes(&server, &bfi, &format!("/berichte/{draft}/bericht.html"));

        // New data: ARB-03 of 2025 corrected. The released files stay, the draft follows.
        let dir = tempfile::tempdir().unwrap();
        let fix = dir.path().join("fix.csv");
        std::fs::write(&fix, "indikator;zeitraum;gebiet;wert\nARB-03;2025;KA;9,9\n").unwrap();
        kimo_ok(
            db,
            &["import", "--user", "statistik", fix.to_str().unwrap()],
        );
        // And the city's name and logo set: on the drafts' title pages, not in released files.
        let logo = dir.path().join("logo.svg");
        std::fs::write(&logo, r##"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" fill="#b3261e"/></svg>"##).unwrap();
        let out = kimo_ok(
            db,
            &[
                "einstellung",
                "stadt",
                "--name",
                "Stadt Karlsruhe",
                "--logo",
                logo.to_str().unwrap(),
            ],
        );
        assert!(
            out.contains("Name: Stadt Karlsruhe\nLogo: image/svg+xml, 114 Bytes"),
            "{out}"
        );
        assert_eq!(bytes(&server, &bfi, &pdf_path).1, first, "PDF as released");
        assert_eq!(
            bytes(&server, &bfi, &docx_path).1,
            docx_first,
            "DOCX as released"
        );
        assert_eq!(
            bytes(&server, &bfi, &html_path).1,
            html_first,
            "HTML as released"
        );
        let draft_now = bytes(&server, &bfi, &format!("/berichte/{draft}/bericht.html")).1;
        assert_ne!(draft_now, draft_first, "the draft follows the data");
        assert!(String::from_utf8_lossy(&draft_now).contains("9,9 %"));
        assert!(String::from_utf8_lossy(&draft_now).contains("alt=\"Logo: Stadt Karlsruhe\""));
        let (_, draft_pdf) = bytes(&server, &bfi, &format!("/berichte/{draft}/bericht.pdf"));
        let file = dir.path().join("entwurf.pdf");
        std::fs::write(&file, &draft_pdf).unwrap();
        let title_page = tool("pdftotext", &["-l", "1", file.to_str().unwrap(), "-"]);
        assert!(title_page.contains("STADT KARLSRUHE"), "{title_page}");
        let (status, draft_docx) = bytes(&server, &bfi, &format!("/berichte/{draft}/bericht.docx"));
        assert_eq!(status, 200);
        let d = read_docx(&draft_docx);
        assert_eq!(d["pictures"][0], "Logo: Stadt Karlsruhe", "the logo first");
        assert!(
            d["paragraphs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p[1] == "MONITORINGBERICHT · STADT KARLSRUHE"),
            "{}",
            d["paragraphs"]
        );

        // A new report for 2027 by the Redaktion; the Amt reads but may not make one.
        let amt = common::log_in_with(
            &server,
            db,
            "jc.bericht",
            "amt",
            Some("Agentur für Arbeit / Jobcenter"),
        );
        let amt_csrf = send(&server, "GET", "/konto", &amt, &[]).csrf();
        assert_eq!(send(&server, "GET", "/berichte", &amt, &[]).status, 200);
        fn new_report(csrf: &str) -> Vec<(&str, &str)> {
            vec![
                ("csrf", csrf),
                ("art", "monitoringbericht"),
                ("jahr", "2027"),
                ("stichtag", ""),
            ]
        }
        assert_eq!(
            send(&server, "POST", "/berichte", &amt, &new_report(&amt_csrf)).status,
            403
        );
        let res = send(&server, "POST", "/berichte", &bfi, &new_report(&csrf));
        assert_eq!(res.status, 303);
        let id: i64 = made(&res);

        // Focus topics: a wrong code and a wrong reference are refused with their place.
        let save = |fields: &[(&str, &str)]| {
            let mut f = vec![("csrf", csrf.as_str()), ("titel", "Monitoringbericht 2027")];
            f.extend_from_slice(fields);
            send(&server, "POST", &format!("/berichte/{id}"), &bfi, &f)
        };
        let res = save(&[
            ("s1_feld", "arbeit"),
            ("s2_titel", "Kinderarmut"),
            ("s2_indikatoren", "SOZ-02, XYZ-01"),
        ]);
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Schwerpunkt 2: den Indikator „XYZ-01“ gibt es nicht."),
            "{}",
            res.body
        );
        let res = save(&[
            ("s1_feld", "arbeit"),
            ("s1_sachstand", "Die Quote: [[XYZ-01]]"),
        ]);
        assert_eq!(res.status, 400);
        assert!(
            res.body
                .contains("Schwerpunkt 1, Sachstand: Zeile 1, Spalte 12"),
            "{}",
            res.body
        );
        let res = save(&[
            ("s1_feld", "arbeit"),
            ("s1_sachstand", "Die Quote liegt bei [[ARB-03]]."),
            ("s2_titel", "Kinderarmut"),
            ("s2_indikatoren", "SOZ-02"),
            ("s2_empfehlungen", "- Frühe Hilfen stärken."),
        ]);
        assert_eq!(res.status, 303);
        let page = send(&server, "GET", &format!("/berichte/{id}"), &bfi, &[]).body;
        assert!(page.contains("Schwerpunkt: Arbeit und Beschäftigung"));
        assert!(
            page.contains("Die Quote liegt bei <a class=\"figure\""),
            "live figure"
        );
        assert!(page.contains("<li>Frühe Hilfen stärken.</li>"));

        // Release: the Fahrplan's „Monitoringbericht 2027“ is done; the report stays as it is.
        let res = send(
            &server,
            "POST",
            &format!("/berichte/{id}/freigeben"),
            &bfi,
            &[("csrf", &csrf)],
        );
        assert_eq!(res.status, 303);
        let done = store.milestones().unwrap();
        let m = done
            .iter()
            .find(|m| m.title == "Monitoringbericht 2027")
            .unwrap();
        assert_eq!(m.status, kimo_model::fahrplan::MilestoneStatus::Erledigt);
        let again = send(
            &server,
            "POST",
            &format!("/berichte/{id}/freigeben"),
            &bfi,
            &[("csrf", &csrf)],
        );
        assert_eq!(again.status, 409);
        assert_eq!(save(&[("s1_feld", "kita")]).status, 409);
        let log = store
            .audit_log(&AuditFilter {
                object: Some(format!("report:{id}")),
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.contains(&"report.add")
                && actions.contains(&"report.change")
                && actions.contains(&"report.release"),
            "{actions:?}"
        );
        let milestone_log = store
            .audit_log(&AuditFilter {
                object: Some(format!("milestone:{}", m.number)),
                ..Default::default()
            })
            .unwrap();
        assert!(milestone_log.iter().any(|e| {
            e.after
                .contains(&format!("mit dem Bericht Nr. {id} freigegeben"))
        }));
        // The presentation for the InA in June 2027: 16:9 slides and an A4 handout of speaker
        // notes; its release marks the Fahrplan's „Vorstellung … im InA (1. Halbjahr 2027)“ done.
        let res = send(
            &server,
            "POST",
            "/berichte",
            &bfi,
            &[
                ("csrf", &csrf),
                ("art", "praesentation"),
                ("jahr", "2027"),
                ("stichtag", "17.06.2027"),
            ],
        );
        assert_eq!(res.status, 303);
        let deck: i64 = made(&res);
        let page = send(&server, "GET", &format!("/berichte/{deck}"), &bfi, &[]).body;
        assert!(
            page.contains("<h2 id=\"folie-lage\">Lagebild</h2>"),
            "{page}"
        );
        let (_, pdf) = bytes(&server, &bfi, &format!("/berichte/{deck}/bericht.pdf"));
        let file = dir.path().join("deck.pdf");
        std::fs::write(&file, &pdf).unwrap();
        let f = file.to_str().unwrap();
        let info = tool("pdfinfo", &["-l", "100", f]);
        let sizes: Vec<&str> = info
            .lines()
            .filter(|l| l.starts_with("Page ") && l.contains(" size:"))
            .collect();
        assert!(
            sizes.first().unwrap().contains("841.89 x 473.563 pts"),
            "16:9: {sizes:?}"
        );
        assert!(
            sizes.last().unwrap().contains("595.276 x 841.89 pts"),
            "A4 handout: {sizes:?}"
        );
        let text = tool("pdftotext", &[f, "-"]);
        assert!(
            text.contains("Sprechnotizen") && text.contains("Nächste Schritte"),
            "{text}"
        );
        // As DOCX: landscape pages, one chapter per slide, the notes at the end.
        let d = read_docx(&bytes(&server, &bfi, &format!("/berichte/{deck}/bericht.docx")).1);
        assert_eq!(d["page_cm"], serde_json::json!([29.7, 21.0]));
        let chapters: Vec<&str> = d["paragraphs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p[0] == "Heading 1")
            .map(|p| p[1].as_str().unwrap())
            .collect();
        assert_eq!(
            chapters.first(),
            Some(&"Was sich seit der letzten Präsentation geändert hat")
        );
        assert_eq!(chapters.last(), Some(&"Sprechnotizen"));
        assert!(
            chapters.contains(&"Lagebild") && chapters.contains(&"Fahrplan"),
            "{chapters:?}"
        );
        let res = send(
            &server,
            "POST",
            &format!("/berichte/{deck}/freigeben"),
            &bfi,
            &[("csrf", &csrf)],
        );
        assert_eq!(res.status, 303);
        let ina = store.milestones().unwrap();
        let m5 = ina
            .iter()
            .find(|m| m.system == "ina-praesentation" && m.when == "Mitte 2027")
            .unwrap();
        assert_eq!(m5.status, kimo_model::fahrplan::MilestoneStatus::Erledigt);

        // A report released before kimo kept DOCX files has none: made now it would show today's
        // data under the release's name.
        let res = send(
            &server,
            "POST",
            "/berichte",
            &bfi,
            &[
                ("csrf", &csrf),
                ("art", "monitoringbericht"),
                ("jahr", "2019"),
                ("stichtag", ""),
            ],
        );
        let old: i64 = made(&res);
        store
            .release_report(
                old,
                &[
                    ("html", b"<p>2019</p>".as_slice()),
                    ("pdf", b"%PDF-1.7".as_slice()),
                ],
                1,
                chrono::NaiveDate::from_ymd_opt(2020, 3, 1).unwrap(),
                &kimo_store::Actor::command_line(),
            )
            .unwrap();
        let res = send(
            &server,
            "GET",
            &format!("/berichte/{old}/bericht.docx"),
            &bfi,
            &[],
        );
        assert_eq!(res.status, 404);
        assert!(
            res.body.contains("bevor kimo ihn als DOCX aufbewahrte"),
            "{}",
            res.body
        );
        assert_eq!(
            bytes(&server, &bfi, &format!("/berichte/{old}/bericht.pdf")).1,
            b"%PDF-1.7"
        );

        // The Konzept in force as a short PDF, for everyone.
        let decided = store.konzept_in_force().unwrap().unwrap();
        let (status, _, k) = server.raw(&format!("/konzept/{}/konzept.pdf", decided.id), &[]);
        assert_eq!(status, 200);
        let file = dir.path().join("konzept.pdf");
        std::fs::write(&file, &k).unwrap();
        let f = file.to_str().unwrap();
        assert!(tool("pdfinfo", &[f]).contains("Tagged:          yes"));
        let text = tool("pdftotext", &[f, "-"]);
        assert!(
            text.contains(&decided.title) && text.contains("Arbeit und Beschäftigung"),
            "{text}"
        );
        assert!(
            text.contains("Leitlinien") && text.contains("Kernindikatoren"),
            "{text}"
        );

        // The CLI writes the same released files.
        for format in ["pdf", "docx"] {
            let out = dir.path().join(format!("b.{format}"));
            kimo_ok(
                db,
                &["bericht", "jahr", "2027", "--out", out.to_str().unwrap()],
            );
            assert_eq!(
                std::fs::read(&out).unwrap(),
                bytes(&server, &bfi, &format!("/berichte/{id}/bericht.{format}")).1,
                "{format}"
            );
        }
    }
}
