//! The indicator page's chart downloads (SVG, PNG, CSV) and the group (`gruppe`) that the map, the
//! bars and the Stadtteil table show, against the demo city over HTTP.

mod common;
use common::Server;

/// GET a path's status, headers (lower-case names) and raw bytes.
fn bytes(s: &Server, path: &str) -> (u16, std::collections::HashMap<String, String>, Vec<u8>) {
    s.raw(path, &[])
}

const QUERY: &str = "gebiet=19&merkmal=staatsangehoerigkeit&gruppe=nichtdeutsch";

#[test]
fn chart_downloads_and_groups() {
    let s = Server::start(&[], &["--demo"]);
    let (status, view) = s.get(&format!("/indikatoren/ARB-03.json?{QUERY}"));
    assert_eq!(status, 200, "{view}");
    let view: serde_json::Value = serde_json::from_str(&view).unwrap();
    assert_eq!(view["group"], "nichtdeutsch");
    let period = view["period"]["code"].as_str().unwrap().to_string();
    check_group_values(&s, &view, &period);
    check_downloads(&s, &period);
    // The form offers the groups once a breakdown is chosen; a wrong group is a German 400.
    let (_, page) = s.get(&format!("/indikatoren/ARB-03?{QUERY}"));
    assert!(page.contains("<select id=\"gruppe\" name=\"gruppe\">"));
    assert!(page.contains("<option value=\"nichtdeutsch\" selected>"));
    assert!(page.contains("SVG herunterladen") && page.contains("PNG herunterladen"));
    assert!(page.contains("/indikatoren/ARB-03/diagramm/karte.csv?gebiet=19&amp;merkmal=staatsangehoerigkeit&amp;gruppe=nichtdeutsch"));
    let (status, err) = s.get("/indikatoren/ARB-03?merkmal=staatsangehoerigkeit&gruppe=blau");
    assert_eq!(status, 400);
    assert!(
        err.contains("Die Gruppe &#x27;blau&#x27; gibt es in der Gliederung"),
        "{err}"
    );
    let (status, _) = s.get("/indikatoren/ARB-03?gruppe=nichtdeutsch");
    assert_eq!(status, 400);
    assert_eq!(
        s.get(&format!("/indikatoren/ARB-03/diagramm/torte.svg?{QUERY}"))
            .0,
        404
    );
    assert_eq!(
        s.get(&format!("/indikatoren/ARB-03/diagramm/karte.gif?{QUERY}"))
            .0,
        404
    );
}

/// The map, the bars and the Stadtteil table show the group's values, as the API has them.
fn check_group_values(s: &Server, view: &serde_json::Value, period: &str) {
    let (status, api) = s.get(&format!(
        "/api/v1/indicators/ARB-03/observations?period={period}&staatsangehoerigkeit=nichtdeutsch"
    ));
    assert_eq!(status, 200);
    let api: serde_json::Value = serde_json::from_str(&api).unwrap();
    let value_of = |area: &str| {
        api["observations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["area"] == area && o["breakdown"].to_string().contains("nichtdeutsch"))
            .map(|o| o["value"].as_f64().unwrap())
    };
    let rows = view["areas"].as_array().unwrap();
    assert_eq!(rows.len(), 28);
    for r in rows {
        let code = r["code"].as_str().unwrap();
        assert_eq!(r["value"].as_f64(), value_of(code), "area {code}");
    }
    let durlach = value_of("19").unwrap();
    let shown = format!("{durlach:.1}").replace('.', ",");
    let (_, page) = s.get(&format!("/indikatoren/ARB-03?{QUERY}"));
    let map = &page[page.find("id=\"stadtteile-karte\"").unwrap()..];
    assert!(
        map.contains(&format!("<title>19 Durlach: {shown}</title>")),
        "map"
    );
    let bars = &page[page.find("id=\"stadtteile-balken\"").unwrap()..];
    assert!(
        bars.contains(&format!("<title>Durlach: {shown}</title>")),
        "bars"
    );
    assert!(
        page.contains(&format!(
            "<th scope=\"row\"><a href=\"/stadtteile/19\">Durlach</a></th><td class=\"num\">{shown}</td>"
        )),
        "table"
    );
}

/// SVG, PNG and CSV of each chart, named after what they show.
fn check_downloads(s: &Server, period: &str) {
    let base = "/indikatoren/ARB-03/diagramm";
    let (status, h, svg) = bytes(s, &format!("{base}/karte.svg?{QUERY}"));
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "image/svg+xml");
    let stem = format!("arbeitslosenquote_durlach_nichtdeutsch_{period}_karte");
    assert_eq!(
        h["content-disposition"],
        format!("attachment; filename=\"{stem}.svg\"")
    );
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("class=\"chart-title\">Karte: Arbeitslosenquote nach Stadtteil<"));
    assert!(svg.contains("Gruppe: nichtdeutsch") && svg.contains("Quelle: "));
    assert_eq!(svg.matches("data-area=").count(), 27);

    let (status, h, png) = bytes(s, &format!("{base}/verlauf.png?{QUERY}"));
    assert_eq!(status, 200);
    assert_eq!(h["content-type"], "image/png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(png.len() > 20_000 && png.len() < 5_000_000, "{}", png.len());
    assert!(h["content-disposition"].contains("arbeitslosenquote_durlach_staatsangehoerigkeit_"));

    let (status, h, csv) = bytes(s, &format!("{base}/balken.csv?{QUERY}"));
    assert_eq!(status, 200);
    assert_eq!(
        h["content-disposition"],
        format!(
            "attachment; filename=\"arbeitslosenquote_durlach_nichtdeutsch_{period}_balken.csv\""
        )
    );
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}Zeitraum;Nr.;Gebiet;Gruppe;Wert;Zähler;Nenner;Kennzeichen"
    );
    assert_eq!(lines.clone().count(), 28, "the city and 27 Stadtteile");
    assert!(csv.contains(";19;Durlach;nichtdeutsch;"), "{csv}");
    assert!(csv.contains("Demodaten"), "flags spelled out");

    let (status, _, csv) = bytes(s, &format!("{base}/verlauf.csv?{QUERY}"));
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains(";19;Durlach;nichtdeutsch;") && csv.contains(";19;Durlach;insgesamt;"));
}
