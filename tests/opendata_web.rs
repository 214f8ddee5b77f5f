//! Open data through the real server, on the demo city with a disclosure rule (REC-05: 1 and 2
//! secret, counts rounded to 5; Stadtteil 01 has 2), an embargo (ARB-03 2025) and an internal
//! indicator (ARB-02): every download — per indicator and everything, as CSV, CSV for Excel, XLSX
//! and JSON — carries the licence and attribution set, shows „.“ for the secret cells and no value
//! of theirs, nothing of the embargoed period and nothing of the internal indicator; logged in,
//! the same bytes (open data is always the public's view). The DCAT-AP.de catalogue is read as RDF
//! by rdflib (tests/tools/check_dcat.py; without python3-rdflib the part says it was skipped,
//! unless KIMO_TEST_RDF is set). SQLite and PostgreSQL.

mod common;
use common::{Server, kimo_ok, set_published};
use kimo_store::Store;
use kimo_store::testing::TestDb;
use std::collections::HashMap;

/// The checker of the DCAT catalogue.
const CHECK_DCAT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tools/check_dcat.py");

/// The portal's address set in the test.
const PORTAL: &str = "https://integration.example.de";

/// Whether rdflib is there (a panic when it is required but missing).
fn rdflib() -> bool {
    let have = std::process::Command::new("/usr/bin/python3")
        .args(["-c", "import rdflib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("KIMO_TEST_RDF").is_err(),
            "KIMO_TEST_RDF is set, but python3-rdflib is missing"
        );
        println!("skipped: the DCAT catalogue's RDF check (python3-rdflib not installed)");
    }
    have
}

/// A CSV download's rows as maps by column name.
fn csv_rows(body: &[u8], separator: u8) -> Vec<HashMap<String, String>> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut r = csv::ReaderBuilder::new()
        .delimiter(separator)
        .from_reader(body);
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Checks a CSV download: the licence and attribution in every row, the secret cells of REC-05
/// 2025 with „.“ and without numbers, nothing of ARB-03 2025 or of ARB-02. Returns the rows.
fn check_csv(body: &[u8], excel: bool) -> Vec<HashMap<String, String>> {
    let rows = csv_rows(body, if excel { b';' } else { b',' });
    assert!(!rows.is_empty());
    for r in &rows {
        assert_eq!(
            r["licence"], "cc-by/4.0 (https://creativecommons.org/licenses/by/4.0/)",
            "{r:?}"
        );
        assert!(
            r["attribution"].starts_with("Stadt Beispielstadt, Integrationsbüro"),
            "{r:?}"
        );
        assert_ne!(r["indicator"], "ARB-02", "an internal indicator");
        assert!(
            !(r["indicator"] == "ARB-03" && r["period"] == "2025"),
            "an embargoed period"
        );
    }
    let rec05: Vec<&HashMap<String, String>> = rows
        .iter()
        .filter(|r| {
            r["indicator"] == "REC-05"
                && r["period"] == "2025"
                && ["", "-"].contains(&r.get("geschlecht").map_or("", String::as_str))
                && r.get("staatsangehoerigkeit").is_none_or(|s| s.is_empty())
        })
        .collect();
    let secret: Vec<&&HashMap<String, String>> =
        rec05.iter().filter(|r| r["symbol"] == ".").collect();
    assert_eq!(secret.len(), 2, "primary and secondary: {secret:?}");
    for r in &secret {
        assert!(r["flags"].contains('s'), "{r:?}");
        assert_eq!(r["value"], if excel { "." } else { "" }, "{r:?}");
        assert_eq!(r["numerator"], "");
    }
    assert!(secret.iter().any(|r| r["area"] == "01"));
    let o2 = rec05.iter().find(|r| r["area"] == "02").unwrap();
    assert_eq!(o2["value"], "270", "272 rounded to 5");
    rows
}

#[test]
fn open_data_carries_licence_and_hides_what_is_not_public() {
    for t in TestDb::all("open_data_carries_licence_and_hides_what_is_not_public") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("klein.csv");
        std::fs::write(&file, "indikator;zeitraum;gebiet;wert\nREC-05;2025;01;2\n").unwrap();
        kimo_ok(db, &["import", file.to_str().unwrap()]);
        let store = Store::open(db).unwrap();
        let source = store
            .indicators()
            .unwrap()
            .into_iter()
            .find(|i| i.code == "REC-05")
            .unwrap()
            .source;
        let rule = [
            "einstellung",
            "geheimhaltung",
            "--quelle",
            &source,
            "--mindestens",
            "3",
            "--runden",
            "5",
        ];
        kimo_ok(db, &rule);
        kimo_ok(
            db,
            &[
                "einstellung",
                "sperrfrist",
                "ARB-03",
                "2025",
                "--bis",
                "01.01.2999",
            ],
        );
        set_published(db, "ARB-02", false);
        let out = kimo_ok(
            db,
            &[
                "einstellung",
                "offene-daten",
                "--lizenz",
                "cc-by/4.0",
                "--namensnennung",
                "Stadt Beispielstadt, Integrationsbüro",
                "--adresse",
                &format!("{PORTAL}/"),
                "--govdata-kennung",
                "stadtBeispielstadt",
            ],
        );
        assert!(
            out.contains("Lizenz: Creative Commons Namensnennung – 4.0"),
            "{out}"
        );
        assert!(
            out.contains(&format!("Adresse des Portals: {PORTAL}\n")),
            "{out}"
        );
        let published = store
            .indicators()
            .unwrap()
            .iter()
            .filter(|i| i.published)
            .count();
        let server = Server::start(&["--database", db], &[]);
        let cookie = server.log_in(db);

        let page = server.request("/daten", &[]);
        assert_eq!(page.status, 200);
        assert!(
            page.body
                .contains("Creative Commons Namensnennung – 4.0 International")
        );
        assert!(page.body.contains("Stadt Beispielstadt, Integrationsbüro"));
        assert!(
            page.body
                .contains(&format!("{published} veröffentlichte Indikatoren"))
        );
        assert!(
            !page.body.contains("ARB-02"),
            "the internal indicator is not listed"
        );

        let mut sizes = Vec::new();
        for name in ["/daten/kimo-daten", "/daten/indikatoren/REC-05"] {
            let mut get = |suffix: &str, cookie: &str| {
                let path = format!("{name}{suffix}");
                let headers: Vec<(&str, &str)> = if cookie.is_empty() {
                    Vec::new()
                } else {
                    vec![("cookie", cookie)]
                };
                let (status, h, body) = server.raw(&path, &headers);
                assert_eq!(status, 200, "{path}");
                assert!(h["content-disposition"].starts_with("attachment"), "{path}");
                sizes.push(format!("{path} {} bytes", body.len()));
                body
            };
            let csv = get(".csv", "");
            assert_eq!(csv, get(".csv", &cookie), "the same for internal users");
            let rows = check_csv(&csv, false);
            let excel = get("-excel.csv", "");
            assert!(excel.starts_with(b"\xEF\xBB\xBF"));
            assert_eq!(check_csv(&excel, true).len(), rows.len());
            let json: serde_json::Value = serde_json::from_slice(&get(".json", "")).unwrap();
            check_json(&json);
            check_xlsx(get(".xlsx", ""));
        }
        for missing in [
            "/daten/indikatoren/ARB-02.csv",
            "/daten/indikatoren/XYZ-01.csv",
            "/daten/indikatoren/REC-05.pdf",
            "/daten/alles.csv",
        ] {
            assert_eq!(server.request(missing, &[]).status, 404, "{missing}");
        }

        let dcat = server.request("/daten/dcat.jsonld", &[]);
        assert_eq!(dcat.status, 200);
        assert!(
            !dcat.body.contains("ARB-02"),
            "no internal indicator in the catalogue"
        );
        assert!(
            dcat.body
                .contains("http://dcat-ap.de/def/licenses/cc-by/4.0")
        );
        if rdflib() {
            let path = dir.path().join("dcat.jsonld");
            std::fs::write(&path, &dcat.body).unwrap();
            let out = std::process::Command::new("/usr/bin/python3")
                .args([
                    CHECK_DCAT,
                    path.to_str().unwrap(),
                    &format!("{PORTAL}/daten/dcat.jsonld"),
                ])
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "{text}{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(summary["datasets"], published + 1, "{summary}");
            assert_eq!(summary["distributions"], 4 * (published + 1));
            let pages = summary["landing_pages"].as_array().unwrap();
            assert!(pages.contains(&serde_json::json!(format!("{PORTAL}/indikatoren/REC-05"))));
            println!(
                "{}: DCAT catalogue read by rdflib: {} triples, {} datasets, {} distributions, no problem",
                t.label, summary["triples"], summary["datasets"], summary["distributions"]
            );
        }
        println!("{}: open data files: {}", t.label, sizes.join(", "));
    }
}

/// The JSON download: licence, legend, REC-05's secret cells as null with „.“, no ARB-03 2025.
fn check_json(json: &serde_json::Value) {
    assert_eq!(json["licence"]["id"], "cc-by/4.0");
    assert_eq!(
        json["licence"]["uri"],
        "http://dcat-ap.de/def/licenses/cc-by/4.0"
    );
    assert_eq!(json["attribution"], "Stadt Beispielstadt, Integrationsbüro");
    assert_eq!(
        json["legend"]["."],
        "Zahlenwert unbekannt oder geheim zu halten"
    );
    for ind in json["indicators"].as_array().unwrap() {
        assert_ne!(ind["code"], "ARB-02");
        for o in ind["observations"].as_array().unwrap() {
            if ind["code"] == "ARB-03" {
                assert_ne!(o["period"], "2025");
            }
            if o["symbol"] == "." {
                assert!(o["value"].is_null() && o["numerator"].is_null(), "{o}");
            }
        }
        if ind["code"] == "REC-05" {
            let o1 = ind["observations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| {
                    o["period"] == "2025"
                        && o["area"] == "01"
                        && o["breakdown"] == serde_json::json!({})
                })
                .unwrap();
            assert_eq!(o1["symbol"], ".", "{o1}");
            assert!(ind["attribution"].as_str().unwrap().contains("Quelle: "));
        }
    }
}

/// The XLSX download: „.“ for Stadtteil 01's REC-05 2025, the licence in „Metadaten“.
fn check_xlsx(bytes: Vec<u8>) {
    use calamine::Reader as _;
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let data = wb.worksheet_range("Daten").unwrap();
    let header: Vec<String> = data
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert!(data.rows().all(|r| r[col("indicator")] != "ARB-02"));
    let row = data
        .rows()
        .find(|r| {
            r[col("indicator")] == "REC-05"
                && r[col("period")] == "2025"
                && r[col("area")] == "01"
                && r[col("symbol")] == "."
        })
        .expect("REC-05 2025 01 secret");
    assert_eq!(row[col("value")].to_string(), ".");
    let about = wb.worksheet_range("Metadaten").unwrap();
    let text: Vec<String> = about
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.iter()
            .any(|t| t == "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)")
    );
}
