//! Open SDG files with free-text periods ("labelled periods"), withheld and uncertain values, and
//! Units/Series keys: imported with the real binary, shown in order, and exported to Open SDG and to
//! long CSV without loss — each export re-imported into a fresh database gives the same observations.

mod common;
use common::{Server, kimo_ok};
use kimo_store::testing::TestDb;

/// The fixture directory (data/ and meta/ as Open SDG publishes them).
fn fixture() -> String {
    format!(
        "{}/tests/fixtures/opensdg-labels",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Every observation of the fixture as kimo's long CSV writes it: labels verbatim and marked in
/// `period_kind`; withheld (`s`) and too uncertain (`u`) values without a value.
const EXPECTED: &str = "\
indicator,period,period_kind,area,series,units,value,numerator,denominator,flags
4-2-1,2023,,03,Studierende,Anzahl,,,,u
4-2-1,2024,,03,Studierende,Anzahl,120,,,
4-2-1,2024 / 2005,label,03,Studierende,Prozent,12.5,,,p
4-2-1,2005,,gesamt,Studierende,Anzahl,352,,,
4-2-1,WS 2005/06,label,gesamt,Studierende,Anzahl,341,,,
4-2-1,2006,,gesamt,Studierende,Anzahl,360,,,
4-2-1,WS 2006/07,label,gesamt,Studierende,Anzahl,345,,,
4-2-1,2022,,gesamt,Studierende,Anzahl,,,,u
4-2-1,2023,,gesamt,Studierende,Anzahl,,,,s
4-2-1,2024,,gesamt,Studierende,Anzahl,410,,,
4-2-1,Veränderung 2024 zu 2005,label,gesamt,Studierende,Anzahl,58,,,
4-2-1,2024,,gesamt,Studierende,Prozent,100,,,
4-2-1,2024 / 2005,label,gesamt,Studierende,Prozent,16.5,,,
4-2-2,2005,,03,,,25,,,
4-2-2,2024,,03,,,30,,,
4-2-2,2024 / 2005,label,03,,,5,,,
4-2-2,2005,,gesamt,,,100,,,
4-2-2,WS 2005/06,label,gesamt,,,98,,,
4-2-2,2006,,gesamt,,,104,,,
4-2-2,2024,,gesamt,,,120,,,
4-2-2,2024 / 2005,label,gesamt,,,20,,,
4-2-2,Veränderung 2024 zu 2005,label,gesamt,,,20,,,
";

#[test]
fn labelled_periods_round_trip_through_open_sdg_and_long_csv() {
    let t = tempfile::tempdir().unwrap();
    for ta in TestDb::all("opensdg_labels") {
        let again = || {
            if ta.label == "SQLite" {
                TestDb::sqlite()
            } else {
                TestDb::postgres("opensdg_labels").expect("configured")
            }
        };
        let (tb, tc) = (again(), again());
        let (a, b, c) = (ta.url.as_str(), tb.url.as_str(), tc.url.as_str());
        let out = kimo_ok(a, &["import", &fixture()]);
        assert!(out.contains("Summe                  22"), "{out}");
        let csv_a = kimo_ok(a, &["export", "--format", "csv", "-"]);
        assert_eq!(csv_a, EXPECTED, "{}", ta.label);

        shown_in_order(a);

        // Open SDG: labels verbatim in `Year`, no observation left behind.
        let dir = t.path().join(format!("open-sdg-{}", ta.label));
        kimo_ok(
            a,
            &["export", "--format", "open-sdg", dir.to_str().unwrap()],
        );
        let data = std::fs::read_to_string(dir.join("data/indicator_4-2-1.csv")).unwrap();
        for row in [
            "Year,series,units,Gebiet,GeoCode,OBS_STATUS,Value\n",
            "\nWS 2005/06,Studierende,Anzahl,,,,341\n",
            "\n2024 / 2005,Studierende,Prozent,Südstadt,03,P,12.5\n",
            "\nVeränderung 2024 zu 2005,Studierende,Anzahl,,,,58\n",
            "\n2023,Studierende,Anzahl,,,S,\n",
            "\n2022,Studierende,Anzahl,,,U,\n",
        ] {
            assert!(data.contains(row), "{row:?} in\n{data}");
        }
        assert_eq!(data.lines().count(), 1 + 13, "{data}");
        kimo_ok(b, &["import", dir.to_str().unwrap()]);
        let csv_b = kimo_ok(b, &["export", "--format", "csv", "-"]);
        assert_eq!(csv_b, csv_a, "Open SDG round trip ({})", ta.label);

        // Long CSV (with the catalogue workbook) into a fresh database.
        let long = t.path().join(format!("long-{}.csv", ta.label));
        let xlsx = t.path().join(format!("katalog-{}.xlsx", ta.label));
        std::fs::write(&long, &csv_a).unwrap();
        kimo_ok(
            a,
            &["export", "--format", "catalogue", xlsx.to_str().unwrap()],
        );
        kimo_ok(
            c,
            &["import", xlsx.to_str().unwrap(), long.to_str().unwrap()],
        );
        let csv_c = kimo_ok(c, &["export", "--format", "csv", "-"]);
        assert_eq!(csv_c, csv_a, "long CSV round trip ({})", ta.label);
    }
}

/// The indicator page, its JSON and CSV twins and the API show the labels verbatim in their order;
/// the line chart leaves them out of its time axis; the map's default period is a year.
fn shown_in_order(db: &str) {
    let server = Server::start(&["--database", db], &[]);
    let (status, json) = server.get("/indikatoren/4-2-2.json");
    assert_eq!(status, 200, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let periods: Vec<&str> = v["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        [
            "2005",
            "WS 2005/06",
            "2006",
            "2024",
            "2024 / 2005",
            "Veränderung 2024 zu 2005"
        ]
    );
    assert_eq!(v["period"]["code"], "2024", "the map shows the latest year");
    assert_eq!(v["headline"]["period_label"], "2024", "{}", v["headline"]);
    let values: Vec<&str> = v["lines"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value_text"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["100", "98", "104", "120", "20", "20"]);

    let (status, page) = server.get("/indikatoren/4-2-2");
    assert_eq!(status, 200);
    for label in ["WS 2005/06", "2024 / 2005", "Veränderung 2024 zu 2005"] {
        // In the period choice and in the table of values (HTML writes `/` as `&#x2f;`).
        let html = label.replace('/', "&#x2f;");
        assert!(page.matches(&html).count() >= 2, "{label} on the page");
    }
    let (status, csv) = server.get("/indikatoren/4-2-2.csv");
    assert_eq!(status, 200);
    assert!(csv.contains("Veränderung 2024 zu 2005"), "{csv}");

    // The line chart: years on the time axis, the labels only in the tables.
    let (status, svg) = server.get("/indikatoren/4-2-2/diagramm/verlauf.svg");
    assert_eq!(status, 200, "{svg}");
    assert!(svg.contains("2005–2024"), "subtitle spans the years: {svg}");
    for label in ["WS 2005", "2024 / 2005", "Veränderung"] {
        assert!(!svg.contains(label), "{label} is not on the time axis");
    }

    // A labelled period can be chosen for the map and asked of the API; free text it lacks cannot.
    let (status, json) = server.get("/indikatoren/4-2-2.json?zeitraum=2024%20%2F%202005");
    assert_eq!(status, 200, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["period"]["label"], "2024 / 2005");
    let (status, json) =
        server.get("/api/v1/indicators/4-2-2/observations?period=2024%20%2F%202005");
    assert_eq!(status, 200, "{json}");
    assert!(json.contains("\"count\":2,"), "{json}");
    assert_eq!(
        json.matches("\"period\":\"2024 / 2005\"").count(),
        2,
        "{json}"
    );
    let (status, json) = server.get("/api/v1/indicators/4-2-2/observations?period=WS%202099");
    assert_eq!(status, 400, "{json}");
    assert!(json.contains("ist kein Zeitraum"), "{json}");
}
