//! The real binary serving the demo city on a random port, talked to over HTTP.

mod common;
use common::Server;
use kimo_store::testing::TestDb;

#[test]
fn demo_city_pages_and_api() {
    // The temporary demo database of `serve --demo`, then the demo in each test database.
    check_demo(&Server::start(&[], &["--demo"]));
    for t in TestDb::all("demo_city_pages_and_api") {
        check_demo(&Server::start(&["--database", &t.url], &["--demo"]));
    }
}

fn check_demo(s: &Server) {
    let (status, home) = s.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("<html lang=\"de\">"));
    assert!(home.contains("Demodaten"));
    assert!(
        home.contains("Arbeit und Beschäftigung"),
        "Handlungsfelder with core indicators"
    );
    assert!(home.contains("/indikatoren/ARB-03"));
    assert!(
        home.contains("311.635") || home.contains("Einwohnerinnen"),
        "German numbers"
    );

    let (status, page) = s.get("/indikatoren/DEM-02?zeitraum=2016");
    assert_eq!(status, 200);
    // Line chart, bar chart and map are SVG with text alternatives.
    assert!(page.contains("id=\"verlauf-diagramm\""));
    assert!(page.contains("id=\"stadtteile-karte\""));
    assert!(page.contains("id=\"stadtteile-balken\""));
    // Each chart twice: wide and narrow (`-schmal`), CSS shows one of them.
    assert!(page.contains("id=\"verlauf-diagramm-schmal\""));
    assert!(page.contains("id=\"stadtteile-karte-schmal\""));
    assert!(page.contains("id=\"stadtteile-balken-schmal\""));
    assert_eq!(page.matches("role=\"img\"").count(), 6);
    let wide_map = &page[page.find("id=\"stadtteile-karte\"").unwrap()..];
    let wide_map = &wide_map[..wide_map.find("</svg>").unwrap()];
    assert_eq!(
        wide_map.matches("data-area=").count(),
        27,
        "the map shows the 27 Stadtteile"
    );
    assert_eq!(page.matches("data-area=").count(), 54, "two maps");
    // The data table with the real 2016 figures (Oststadt: 8.114 of 23.481 inhabitants, 34,6 %).
    assert!(page.contains("<caption>Ausländeranteil nach Stadtteil, 2016 (%)</caption>"));
    assert!(page.contains("<th scope=\"row\"><a href=\"/stadtteile/07\">Oststadt</a></th><td class=\"num\">34,6</td><td class=\"num\">8.114</td><td class=\"num\">23.481</td>"), "{}", &page[page.find("Oststadt</th>").unwrap_or(0)..][..200.min(page.len())]);
    assert!(page.contains("Demodaten"));
    assert!(page.contains("<dt>Polarität</dt><dd>neutral (Kontextindikator)</dd>"));

    // Breakdown and comparison choices.
    let (status, page) = s.get("/indikatoren/ARB-03?gebiet=19&merkmal=staatsangehoerigkeit");
    assert_eq!(status, 200);
    assert!(page.contains("Staatsangehörigkeit: nichtdeutsch"));
    let (_, page) = s.get("/indikatoren/ARB-03?vergleich=01&vergleich=19");
    assert!(page.contains(">Durlach</th>") && page.contains(">Innenstadt-Ost</th>"));

    // CSV of what is shown, for German Excel.
    let (status, csv) = s.get("/indikatoren/ARB-03?vergleich=19&zeitraum=2020&format=csv");
    assert_eq!(status, 200);
    assert!(
        csv.starts_with("\u{feff}indicator;period;area;value;numerator;denominator;flags"),
        "{}",
        &csv[..80]
    );
    assert!(csv.contains("ARB-03;2020;19;"));

    // Unknown things are 404, not 500.
    assert_eq!(s.get("/indikatoren/GIBTS-NICHT").0, 404);
    assert_eq!(s.get("/handlungsfelder/nichts").0, 404);

    // JSON API.
    let (status, body) = s.get("/api/v1/indicators");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["indicators"].as_array().unwrap().len(), 39);
    let (_, body) = s.get("/api/v1/indicators/ARB-03");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["indicator"]["polarity"], "lower-better");
    let (_, body) = s.get("/api/v1/indicators/ARB-03/observations?area=19&period=2024&staatsangehoerigkeit=nichtdeutsch");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["count"], 1, "{body}");
    assert_eq!(
        v["observations"][0]["breakdown"]["staatsangehoerigkeit"],
        "nichtdeutsch"
    );
    let (_, body) = s.get("/api/v1/indicators/DEM-01/observations?area=KA&period=2016&staatsangehoerigkeit=insgesamt&geschlecht=insgesamt");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["observations"][0]["value"], 311635.0, "{body}");
    assert_eq!(
        s.get("/api/v1/indicators/ARB-03/observations?farbe=rot").0,
        400
    );
    // Lagebild: traffic lights, warnings with filters, the status × dynamics map.
    let (status, lb) = s.get("/lagebild");
    assert_eq!(status, 200);
    assert!(lb.contains("Ampel nach Handlungsfeld und Kernindikator"));
    assert!(lb.contains("rot: ") && lb.contains("grün: keine offenen Warnhinweise"));
    assert!(lb.contains("Warnhinweise nach Handlungsfeld</h2>"));
    assert!(lb.contains("<details id=\"hf-"), "groups are collapsible");
    assert!(lb.contains("id=\"lagebild-karte\""));
    assert!(lb.contains("id=\"lagebild-karte-schmal\""));
    let wide = &lb[lb.find("id=\"lagebild-karte\"").unwrap()..];
    let wide = &wide[..wide.find("</svg>").unwrap()];
    assert_eq!(
        wide.matches("data-area=").count(),
        27,
        "status map of the 27 Stadtteile"
    );
    assert_eq!(lb.matches("data-area=").count(), 54, "wide and narrow map");
    let (_, lb) = s.get("/lagebild?gebiet=19&schwere=mittel");
    assert!(
        lb.contains(
            "Durlach ist der Wert „Arbeitslosenquote (nichtdeutsch)“ drei Jahre in Folge gestiegen"
        ),
        "filter by Stadtteil"
    );
    assert!(
        !lb.contains("In Oststadt liegt der Wert „Kinderarmut“"),
        "other Stadtteile filtered out"
    );
    let (_, body) = s.get("/api/v1/warnings?indikator=ARB-03&gebiet=19");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let w = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "trend")
        .unwrap()
        .clone();
    assert_eq!(w["status"], "neu");
    assert_eq!(w["severity"], "mittel");
    assert_eq!(w["breakdown"]["staatsangehoerigkeit"], "nichtdeutsch");
    // The warning links to the indicator page with the triggering series highlighted.
    let link = w["link"].as_str().unwrap();
    assert!(
        link.starts_with("/indikatoren/ARB-03?gebiet=19&merkmal=staatsangehoerigkeit"),
        "{link}"
    );
    let (status, page) = s.get(link);
    assert_eq!(status, 200);
    assert!(
        page.contains("Warnhinweis Nr."),
        "notice on the indicator page"
    );
    assert!(
        page.contains("stroke-width=\"3\" stroke-dasharray=\"2 3\""),
        "the nichtdeutsch line (third) is drawn thick"
    );
    let (_, body) = s.get("/api/v1/warnings?schwere=hoch");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["count"].as_u64().unwrap() > 0);
    assert!(
        v["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["severity"] == "hoch")
    );

    let (_, body) = s.get("/api/v1/areas");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["areas"].as_array().unwrap().len(), 28);
}

#[test]
fn serve_without_demo_uses_the_given_database() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("leer.db");
    let s = Server::start(&["--database", db.to_str().unwrap()], &[]);
    assert!(t.path().join("leer.db").exists());
    let (status, home) = s.get("/");
    assert_eq!(status, 200);
    assert!(!home.contains("Demodaten"));
    drop(s);
    assert!(db.exists(), "the SQLite file is created");
}

/// The observations API as the first version wrote it: one `serde_json::Value` per observation.
fn observations_as_values(store: &kimo_store::Store, f: &kimo_store::ObservationFilter) -> String {
    let obs = store.observations(f).unwrap();
    let list: Vec<serde_json::Value> = obs
        .iter()
        .map(|o| {
            serde_json::json!({
                "indicator": o.indicator,
                "period": o.period.code(),
                "period_label": o.period.label(),
                "area": o.area,
                "breakdown": o.breakdown,
                "value": o.value,
                "numerator": o.numerator,
                "denominator": o.denominator,
                "flags": o.flags.labels(),
            })
        })
        .collect();
    serde_json::json!({
        "indicator": f.indicator.as_deref().unwrap_or(""),
        "count": obs.len(),
        "observations": list,
    })
    .to_string()
}

#[test]
fn observations_api_keeps_its_bytes() {
    // The API writes each row straight from the database; its bytes must stay those of the first
    // version (value tree with sorted keys), on every database.
    for t in TestDb::all("observations_api_keeps_its_bytes") {
        let s = Server::start(&["--database", &t.url], &["--demo", "--no-cache"]);
        let store = kimo_store::Store::open(&t.url).unwrap();
        let filter = |code: &str| kimo_store::ObservationFilter {
            indicator: Some(code.into()),
            ..Default::default()
        };
        let category = |d: &str, c: &str| vec![(d.to_string(), c.to_string())];
        let cases = [
            ("ARB-03", "", filter("ARB-03")),
            (
                "DEM-01",
                "?area=KA",
                kimo_store::ObservationFilter {
                    area: Some("KA".into()),
                    ..filter("DEM-01")
                },
            ),
            (
                "ARB-03",
                "?staatsangehoerigkeit=nichtdeutsch",
                kimo_store::ObservationFilter {
                    categories: category("staatsangehoerigkeit", "nichtdeutsch"),
                    ..filter("ARB-03")
                },
            ),
            (
                "DEM-02",
                "?period=2016&geschlecht=insgesamt",
                kimo_store::ObservationFilter {
                    period: Some("2016".into()),
                    categories: category("geschlecht", "insgesamt"),
                    ..filter("DEM-02")
                },
            ),
        ];
        for (code, query, f) in cases {
            let (status, body) = s.get(&format!("/api/v1/indicators/{code}/observations{query}"));
            assert_eq!(status, 200, "{query}: {body}");
            let expected = observations_as_values(&store, &f);
            assert!(expected.len() > 200, "{code}{query}: {expected}");
            assert_eq!(body, expected, "{} {code}{query}", t.label);
        }
    }
}
