//! One view, three formats: every page's `.json` twin carries the numbers its HTML tables show,
//! the `.csv` twin downloads them; bad parameters are 400s with German messages; operations basics
//! (ETag/304, compression, /healthz, header timeout, graceful shutdown). Over HTTP against the real
//! binary, on SQLite and (when configured) PostgreSQL.

mod common;
use common::{Server, kimo_ok};
use kimo_model::Unit;
use kimo_store::testing::TestDb;
use serde_json::Value;

/// HTML-escapes text the way the templates do.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// The page and its JSON twin (parsed); checks that the page points to the twin.
fn both(s: &Server, path: &str, query: &str) -> (String, Value) {
    let page = if path == "/index" { "/" } else { path };
    let html = s.request(&format!("{page}{query}"), &[]);
    assert_eq!(html.status, 200, "{path}{query}: {}", html.body);
    let json_url = format!("{path}.json{query}");
    assert_eq!(
        html.headers.get("link").map(String::as_str),
        Some(format!("<{json_url}>; rel=\"alternate\"; type=\"application/json\"").as_str()),
        "Link header of {path}"
    );
    assert!(
        html.body.contains(&format!(
            "<link rel=\"alternate\" type=\"application/json\" href=\"{}\">",
            esc(&json_url)
        )),
        "<link rel=alternate> on {path}"
    );
    let json = s.request(&json_url, &[]);
    assert_eq!(json.status, 200, "{json_url}");
    assert_eq!(json.headers["content-type"], "application/json");
    (html.body, serde_json::from_str(&json.body).expect("JSON"))
}

/// An overview row's number, formatted with its unit, is the figure the HTML shows.
fn check_rows(html: &str, rows: &Value, page: &str) -> usize {
    let mut n = 0;
    for r in rows.as_array().expect("rows") {
        let unit = Unit::parse(r["unit"].as_str().unwrap());
        let text = unit.format(r["value"].as_f64());
        assert_eq!(r["value_text"], text.as_str(), "{page}: {r}");
        let cell = format!("<td class=\"num\">{text}");
        let kpi = format!("<span class=\"value\">{text}</span>");
        let name = format!(">{}</a>", esc(r["name"].as_str().unwrap()));
        // On a Handlungsfeld page the Konzept's part names core indicators first: the rows'
        // table comes after its heading.
        let table = html.find("<h2 id=\"indikatoren-h\">").unwrap_or(0);
        let at = table
            + html[table..]
                .find(&name)
                .unwrap_or_else(|| panic!("{page}: {name}"));
        let rest = &html[at..];
        let end = rest.find("</tr>").or_else(|| rest.find("</li>")).unwrap();
        assert!(
            rest[..end].contains(&cell) || rest[..end].contains(&kpi),
            "{page}: {} should show {text}",
            r["code"]
        );
        n += 1;
    }
    n
}

fn check_overviews(s: &Server) {
    let (html, json) = both(s, "/index", "");
    let rows: Vec<Value> = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["rows"].as_array().unwrap().clone())
        .collect();
    assert!(check_rows(&html, &Value::Array(rows), "/") >= 9);

    let (html, json) = both(s, "/handlungsfelder/arbeit", "");
    assert_eq!(json["field"]["name"], "Arbeit und Beschäftigung");
    assert!(check_rows(&html, &json["rows"], "Handlungsfeld") >= 3);

    let (html, json) = both(s, "/indikatoren", "");
    assert_eq!(check_rows(&html, &json["rows"], "/indikatoren"), 39);

    let csv = s.request("/indikatoren.csv", &[]);
    assert_eq!(csv.status, 200);
    assert!(csv.body.starts_with(
        "\u{feff}Handlungsfeld;Code;Indikator;Kernindikator;Zeitraum;Wert;Veränderung zum Vorzeitraum"
    ));
    assert_eq!(csv.body.lines().count(), 40, "header and 39 indicators");
    assert_eq!(
        csv.headers["content-disposition"],
        "attachment; filename=\"indikatoren.csv\""
    );
}

fn check_indicator(s: &Server) {
    let (html, json) = both(s, "/indikatoren/DEM-02", "?zeitraum=2016");
    let unit = Unit::parse(json["indicator"]["unit"].as_str().unwrap());
    // The table by Stadtteil: every row's value, numerator and denominator.
    let areas = json["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 28, "the city and 27 Stadtteile");
    for a in areas {
        // Stadtteile link to their profile; the whole city does not.
        let name = esc(a["name"].as_str().unwrap());
        let header = if a["city"] == true {
            name
        } else {
            format!(
                "<a href=\"/stadtteile/{}\">{name}</a>",
                esc(a["code"].as_str().unwrap())
            )
        };
        let row = format!(
            "<th scope=\"row\">{header}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
            unit.bare(a["value"].as_f64()),
            a["numerator"]
                .as_f64()
                .map_or(String::new(), |v| kimo_model::format_number(v, 0)),
            a["denominator"]
                .as_f64()
                .map_or(String::new(), |v| kimo_model::format_number(v, 0)),
        );
        assert!(html.contains(&row), "{row}");
    }
    let oststadt = areas.iter().find(|a| a["name"] == "Oststadt").unwrap();
    assert_eq!(
        oststadt["value"].as_f64().map(|v| (v * 10.0).round()),
        Some(346.0)
    );
    assert_eq!(oststadt["numerator"], 8114.0);
    // The series table: each period's row shows each line's point.
    let periods = json["periods"].as_array().unwrap();
    let lines = json["lines"].as_array().unwrap();
    assert!(periods.len() >= 10 && !lines.is_empty());
    for (i, p) in periods.iter().enumerate() {
        let label = p["label"].as_str().unwrap();
        let at = html
            .find(&format!(
                "<tr><th scope=\"row\">{label}</th><td class=\"num\">"
            ))
            .unwrap_or_else(|| panic!("series row {label}"));
        let row = &html[at..at + html[at..].find("</tr>").unwrap()];
        for l in lines {
            let v = l["points"][i]["value"].as_f64();
            assert!(
                row.contains(&format!("<td class=\"num\">{}", unit.bare(v))),
                "{label}: {row}"
            );
        }
    }
    // CSV of what is shown, by suffix and by the older `format=csv`.
    for url in [
        "/indikatoren/ARB-03.csv?vergleich=19&zeitraum=2020",
        "/indikatoren/ARB-03?vergleich=19&zeitraum=2020&format=csv",
    ] {
        let csv = s.request(url, &[]);
        assert_eq!(csv.status, 200, "{url}");
        assert!(csv.body.starts_with("\u{feff}indicator;period;area;value"));
        assert!(csv.body.contains("ARB-03;2020;19;"));
        assert_eq!(
            csv.headers["content-disposition"],
            "attachment; filename=\"ARB-03.csv\""
        );
    }
}

fn check_lagebild(s: &Server) {
    let (html, json) = both(s, "/lagebild", "");
    // The summary: open warnings, new ones since the last presentation.
    let sm = &json["summary"];
    assert!(
        html.contains(&format!(
            "<strong>{}</strong>, davon <strong>{}</strong> {}.",
            sm["open_text"].as_str().unwrap(),
            sm["new_text"].as_str().unwrap(),
            sm["since_words"].as_str().unwrap()
        )),
        "summary {sm}"
    );
    assert!(
        sm["since_words"]
            .as_str()
            .unwrap()
            .starts_with("seit der letzten Halbjahrespräsentation (01.0")
    );
    // The groups by Handlungsfeld carry every warning of the filter; each shows at most 10.
    let count = json["count"].as_u64().unwrap() as usize;
    assert!(count >= 30);
    assert!(html.contains(&format!(
        "{} in dieser Auswahl, davon {} neu",
        json["count_text"].as_str().unwrap(),
        json["new_count"]
    )));
    let groups = json["groups"].as_array().unwrap();
    let in_groups: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(in_groups as usize, count);
    for g in groups {
        let ws = g["warnings"].as_array().unwrap();
        let n = g["count"].as_u64().unwrap() as usize;
        assert_eq!(ws.len(), n.min(10), "page of {}", g["code"]);
        assert_eq!(g["more_link"].is_null(), n <= 10);
        let summary = format!(
            "<summary><span class=\"group-name\">{}</span>: {}</summary>",
            esc(g["name"].as_str().unwrap()),
            g["count_text"].as_str().unwrap()
        );
        assert!(html.contains(&summary), "{summary}");
        let open = g["open"].as_bool().unwrap();
        assert!(html.contains(&format!(
            "id=\"hf-{}\" class=\"group\"{}>",
            g["code"].as_str().unwrap(),
            if open { " open" } else { "" }
        )));
        assert_eq!(open, g["high"].as_u64().unwrap() > 0);
        let rank = |w: &Value| {
            ["hoch", "mittel", "niedrig"]
                .iter()
                .position(|x| w["severity"] == *x)
        };
        assert!(
            ws.windows(2).all(|p| rank(&p[0]) <= rank(&p[1])),
            "by severity"
        );
        for w in ws {
            assert!(
                html.contains(&format!(
                    "<td><a href=\"/warnungen/{0}\">{0}<span class=\"sr-only\">",
                    w["id"]
                )),
                "warning {}",
                w["id"]
            );
            assert!(html.contains(&esc(w["sentence"].as_str().unwrap())));
            assert!(html.contains(&format!("<td>{}</td>", w["rule"].as_str().unwrap())));
        }
    }
    assert!(
        !html.contains("status_dynamik"),
        "rule types in German words"
    );
    assert!(!html.contains("Warnhinweis(e)"));
    // Lights name the warnings that cause them.
    for l in json["lights"].as_array().unwrap() {
        assert!(html.contains(&format!(
            "{}: {}",
            l["colour"].as_str().unwrap(),
            l["text"].as_str().unwrap()
        )));
        let causes = l["causes"].as_array().unwrap();
        match l["class"].as_str().unwrap() {
            "rot" => assert!(causes.iter().all(|c| c["severity"] == "hoch") && !causes.is_empty()),
            "gelb" => assert_eq!(causes.len() as u64, l["warnings"].as_u64().unwrap()),
            _ => assert!(causes.is_empty()),
        }
        for c in causes {
            let text = format!(
                "\">Nr. {}: {}, {}</a>",
                c["id"],
                esc(c["indicator_name"].as_str().unwrap()),
                esc(c["area_name"].as_str().unwrap())
            );
            assert!(html.contains(&text), "{text}");
        }
    }
    let map = &json["map"];
    let rows = map["rows"].as_array().unwrap();
    assert!(rows.len() >= 20);
    for r in rows {
        let row = format!(
            "<th scope=\"row\"><a href=\"/stadtteile/{}\">{}</a></th><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>",
            esc(r["code"].as_str().unwrap()),
            esc(r["name"].as_str().unwrap()),
            r["value_text"].as_str().unwrap(),
            r["change_text"].as_str().unwrap(),
            r["status_label"].as_str().unwrap(),
            r["dynamics_label"].as_str().unwrap()
        );
        assert!(html.contains(&row), "{row}");
    }
    let csv = s.request("/lagebild.csv?schwere=hoch", &[]);
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("\u{feff}Nr.;Schwere;Indikator;Gebiet;Hinweis;")
    );
    assert!(csv.body.lines().skip(1).all(|l| l.contains(";hoch;")));
    let csv = s.request("/lagebild.csv", &[]);
    assert_eq!(
        csv.body.lines().count(),
        count + 1,
        "the CSV has every warning"
    );
}

fn check_areas(s: &Server) {
    // The list: every Stadtteil with its population, linked to its page.
    let (html, json) = both(s, "/stadtteile", "");
    let areas = json["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 27);
    for a in areas {
        let row = format!(
            "<th scope=\"row\"><a href=\"/stadtteile/{}\">{}</a></th><td class=\"num\">{}</td>",
            a["code"].as_str().unwrap(),
            esc(a["name"].as_str().unwrap()),
            a["population"]["value"]
                .as_f64()
                .map_or("–".into(), |v| kimo_model::format_number(v, 0)),
        );
        assert!(html.contains(&row), "{row}");
    }
    // One Stadtteil: each core indicator's value, the city's, the comparison and the rank.
    let (html, json) = both(s, "/stadtteile/19", "");
    assert_eq!(json["name"], "Durlach");
    assert_eq!(
        json["population"]["text"], "32.324",
        "real 2016 figures and synthetic ones since"
    );
    let inds = json["indicators"].as_array().unwrap();
    assert!(inds.len() >= 9);
    for i in inds {
        let unit = Unit::parse(i["unit"].as_str().unwrap());
        assert_eq!(i["value_text"], unit.format(i["value"].as_f64()).as_str());
        assert_eq!(
            i["city_value_text"],
            unit.format(i["city_value"].as_f64()).as_str()
        );
        let row = format!(
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td>",
            unit.format(i["value"].as_f64()),
            unit.format(i["city_value"].as_f64()),
            i["comparison"].as_str().unwrap(),
            i["rank_text"].as_str().unwrap(),
        );
        assert!(html.contains(&row), "{row}");
        if let (Some(d), Some(v), Some(c)) = (
            i["difference"].as_f64(),
            i["value"].as_f64(),
            i["city_value"].as_f64(),
        ) {
            assert!((d - (v - c)).abs() < 1e-9);
        }
        match i["rank"].as_u64() {
            Some(r) => assert!(r >= 1 && r <= i["ranked"].as_u64().unwrap()),
            None => assert!(i["status"].is_null(), "unranked means neutral: {i}"),
        }
    }
    let arb = inds.iter().find(|i| i["code"] == "ARB-03").unwrap();
    assert!(arb["rank_text"].as_str().unwrap().ends_with(" von 27"));
    assert!(arb["status"].is_string(), "rated indicators are classified");
    for w in json["warnings"].as_array().unwrap() {
        assert!(html.contains(&esc(w["sentence"].as_str().unwrap())));
    }
    let csv = s.request("/stadtteile/19.csv", &[]);
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("\u{feff}Code;Indikator;Zeitraum;Wert;Gesamtstadt;")
    );
    assert_eq!(csv.body.lines().count(), inds.len() + 1);
    let missing = s.request("/stadtteile/99", &[]);
    assert_eq!(missing.status, 404);
    assert!(
        missing
            .body
            .contains("Den Stadtteil &#x27;99&#x27; gibt es nicht.")
    );
}

#[test]
fn every_page_has_json_and_csv_twins_with_the_numbers_of_its_tables() {
    let check = |s: &Server| {
        check_overviews(s);
        check_indicator(s);
        check_lagebild(s);
        check_areas(s);
    };
    check(&Server::start(&[], &["--demo"]));
    for t in TestDb::all("views_json_twins") {
        check(&Server::start(&["--database", &t.url], &["--demo"]));
    }
}

/// The Lagebild JSON's group of a Handlungsfeld.
fn group(lagebild: &Value, code: &str) -> Value {
    lagebild["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == code)
        .unwrap()
        .clone()
}

#[test]
fn bad_parameters_are_400_with_a_german_message_never_500() {
    let s = Server::start(&[], &["--demo"]);
    let html_cases = [
        (
            "/indikatoren/ARB-03?gebiet=99",
            "Das Gebiet &#x27;99&#x27; gibt es nicht.",
        ),
        (
            "/indikatoren/ARB-03?vergleich=01&vergleich=nirgendwo",
            "Das Gebiet &#x27;nirgendwo&#x27; gibt es nicht.",
        ),
        (
            "/indikatoren/ARB-03?zeitraum=2099",
            "keine Werte für den Zeitraum 2099",
        ),
        ("/indikatoren/ARB-03?zeitraum=irgendwann", "irgendwann"),
        (
            "/indikatoren/ARB-03?merkmal=farbe",
            "Die Gliederung &#x27;farbe&#x27; gibt es",
        ),
        ("/indikatoren/ARB-03?warnung=abc", "keine ganze Zahl"),
        (
            "/indikatoren/ARB-03?warnung=999999",
            "Einen Warnhinweis Nr. 999999",
        ),
        (
            "/lagebild?schwere=extrem",
            "kein gültiger Wert (erlaubt: hoch, mittel, niedrig)",
        ),
        (
            "/lagebild?status=vergessen",
            "&#x27;vergessen&#x27; ist für &#x27;status&#x27;",
        ),
        (
            "/lagebild?gebiet=99",
            "Das Gebiet &#x27;99&#x27; gibt es nicht.",
        ),
        (
            "/lagebild?handlungsfeld=mond",
            "Das Handlungsfeld &#x27;mond&#x27; gibt es nicht.",
        ),
        (
            "/lagebild?karte=DEM-02",
            "keine Karte nach Status und Dynamik",
        ),
        ("/lagebild?alle=vielleicht", "kein gültiger Wert"),
        (
            "/lagebild?farbe=rot",
            "Den Parameter &#x27;farbe&#x27; gibt es hier nicht.",
        ),
        (
            "/indikatoren/ARB-03?x=1",
            "Den Parameter &#x27;x&#x27; gibt es hier nicht.",
        ),
        (
            "/lagebild?seit=gestern",
            "&#x27;gestern&#x27; ist für &#x27;seit&#x27; kein Datum (erlaubt: TT.MM.JJJJ oder JJJJ-MM-TT).",
        ),
        ("/lagebild?seit=31.02.2026", "kein Datum"),
        (
            "/lagebild?sortierung=zufall",
            "&#x27;zufall&#x27; ist für &#x27;sortierung&#x27; kein gültiger Wert",
        ),
        (
            "/lagebild?mehr=mond",
            "Das Handlungsfeld &#x27;mond&#x27; gibt es nicht",
        ),
    ];
    for (url, message) in html_cases {
        let a = s.request(url, &[]);
        assert_eq!(a.status, 400, "{url}");
        assert!(a.headers["content-type"].starts_with("text/html"), "{url}");
        assert!(a.body.contains("<h1>Ungültige Anfrage</h1>"), "{url}");
        assert!(a.body.contains(message), "{url}: {}", a.body);
    }
    let json_cases = [
        (
            "/indikatoren/ARB-03.json?gebiet=99",
            "Das Gebiet '99' gibt es nicht.",
        ),
        (
            "/lagebild.json?schwere=extrem",
            "'extrem' ist für 'schwere' kein gültiger Wert",
        ),
        (
            "/api/v1/indicators/ARB-03/observations?farbe=rot",
            "unbekannter Filter 'farbe'",
        ),
        (
            "/api/v1/indicators/ARB-03/observations?area=99",
            "unbekanntes Gebiet '99'",
        ),
        (
            "/api/v1/indicators/ARB-03/observations?period=gestern",
            "gestern",
        ),
        (
            "/api/v1/indicators/ARB-03/observations?staatsangehoerigkeit=mars",
            "unbekannte Ausprägung 'mars'",
        ),
        ("/api/v1/warnings?severity=extrem", "kein gültiger Wert"),
        ("/api/v1/warnings?area=99", "Das Gebiet '99' gibt es nicht."),
        (
            "/api/v1/warnings?indicator=NIX",
            "Den Indikator 'NIX' gibt es nicht.",
        ),
        ("/api/v1/areas?geometry=vielleicht", "kein gültiger Wert"),
        (
            "/api/v1/warnings?farbe=rot",
            "Den Parameter 'farbe' gibt es hier nicht.",
        ),
    ];
    for (url, message) in json_cases {
        let a = s.request(url, &[]);
        assert_eq!(a.status, 400, "{url}");
        assert_eq!(a.headers["content-type"], "application/json", "{url}");
        let v: Value = serde_json::from_str(&a.body).unwrap();
        assert!(
            v["error"].as_str().unwrap().contains(message),
            "{url}: {}",
            a.body
        );
    }
    // Unknown things are 404s, in the format asked for.
    assert_eq!(s.get("/indikatoren/NIX").0, 404);
    let a = s.request("/api/v1/indicators/NIX", &[]);
    assert_eq!(a.status, 404);
    assert!(a.body.starts_with("{\"error\":"), "{}", a.body);
    assert_eq!(s.get("/handlungsfelder/arbeit.csv").0, 200);
    // The English API names and the German ones of the first version answer alike.
    assert_eq!(
        s.get("/api/v1/warnings?indicator=ARB-03&area=19").1,
        s.get("/api/v1/warnings?indikator=ARB-03&gebiet=19").1
    );
}

#[test]
fn etag_compression_health_and_timeouts() {
    let s = Server::start(&[], &["--demo", "--header-timeout", "1"]);
    let a = s.request("/lagebild", &[]);
    let tag = a.headers["etag"].clone();
    assert!(tag.starts_with("W/\""), "{tag}");
    let again = s.request("/lagebild", &[("If-None-Match", &tag)]);
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    assert_eq!(
        s.request("/api/v1/indicators", &[("If-None-Match", &tag)])
            .status,
        304
    );
    assert_eq!(
        s.request("/lagebild", &[("If-None-Match", "W/\"alt\"")])
            .status,
        200
    );

    let gz = s.request("/lagebild", &[("Accept-Encoding", "gzip")]);
    assert_eq!(
        gz.headers.get("content-encoding").map(String::as_str),
        Some("gzip")
    );

    let (status, body) = s.get("/healthz");
    assert_eq!(status, 200);
    assert!(body.contains("\"status\":\"ok\""), "{body}");

    // 200 clients that send half a request are cut off after the header timeout (1 s here).
    use std::io::{Read, Write};
    let addr = s.url.trim_start_matches("http://");
    let mut slow: Vec<std::net::TcpStream> = (0..200)
        .map(|_| {
            let mut c = std::net::TcpStream::connect(addr).unwrap();
            c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            c
        })
        .collect();
    let t0 = std::time::Instant::now();
    for c in &mut slow {
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf);
    }
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(4),
        "all 200 connections closed after the header timeout, not left open ({:?})",
        t0.elapsed()
    );
    // The server still answers.
    assert_eq!(s.get("/healthz").0, 200);
    // The request log names method, path and status.
    let log = s.log.lock().unwrap().join("\n");
    assert!(
        log.contains("method=GET path=/lagebild status=304"),
        "{log}"
    );
}

#[test]
fn sigterm_finishes_and_removes_the_temporary_demo_database() {
    let s = Server::start(&[], &["--demo"]);
    let db = format!(
        "{}",
        std::env::temp_dir()
            .join(format!("kimo-demo-{}.db", s.pid()))
            .display()
    );
    assert!(std::path::Path::new(&db).exists(), "{db}");
    assert_eq!(s.get("/").0, 200);
    assert!(s.terminate(), "exits cleanly on SIGTERM");
    for ext in ["", "-wal", "-shm"] {
        assert!(
            !std::path::Path::new(&format!("{db}{ext}")).exists(),
            "{db}{ext} removed"
        );
    }
}

#[test]
fn the_lagebild_map_uses_the_rules_in_force() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("regeln.db").display().to_string();
    kimo_ok(&db, &["demo"]);
    let agree = |min: f64| {
        let s = Server::start(&["--database", &db], &[]);
        let cookie = s.log_in(&db);
        let (_, lb) = s.get_as(&cookie, "/lagebild.json");
        let lb: Value = serde_json::from_str(&lb).unwrap();
        let map = &lb["map"];
        assert_eq!(map["min_population"].as_f64(), Some(min));
        let indicator = map["indicator"].as_str().unwrap().to_string();
        // The Stadtteile the map shows as "low status, negative dynamics" …
        let mut on_map: Vec<String> = map["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| {
                (r["status"] == "niedrig" || r["status"] == "sehr-niedrig")
                    && r["dynamics"] == "negativ"
            })
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect();
        // … are exactly those with an active status × dynamics warning.
        let (_, ws) = s.get_as(&cookie, &format!("/api/v1/warnings?indicator={indicator}"));
        let ws: Value = serde_json::from_str(&ws).unwrap();
        let mut warned: Vec<String> = ws["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["kind"] == "status_dynamik")
            .map(|w| w["area"].as_str().unwrap().to_string())
            .collect();
        on_map.sort();
        warned.sort();
        assert_eq!(
            on_map, warned,
            "map and warnings agree (min. population {min})"
        );
        let excluded: Vec<String> = map["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_string())
            .collect();
        let (_, html) = s.get_as(&cookie, "/lagebild");
        (excluded, warned, html)
    };
    let (excluded, _, _) = agree(300.0);
    assert!(excluded.is_empty(), "every Stadtteil has 300 inhabitants");

    // A city that sets another minimum population: the map and the warnings follow the file.
    let rules = std::fs::read_to_string("examples/regeln.yml")
        .unwrap()
        .replace("mindestbevoelkerung: 300", "mindestbevoelkerung: 15000");
    let path = t.path().join("regeln.yml");
    std::fs::write(&path, rules).unwrap();
    kimo_ok(&db, &["import", path.to_str().unwrap()]);
    let (excluded, warned, html) = agree(15000.0);
    assert!(
        excluded.len() >= 3,
        "small Stadtteile left out: {excluded:?}"
    );
    assert!(warned.iter().all(|w| !excluded.contains(w)));
    assert!(html.contains("Ausgenommen wegen weniger als 15.000 Einwohnern"));
}

#[test]
fn the_lagebild_counts_new_warnings_pages_groups_and_sorts() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("lagebild.db").display().to_string();
    kimo_ok(&db, &["demo"]);
    // Child poverty above 5 % in (nearly) every Stadtteil: a group with more than 10 warnings.
    let rules = std::fs::read_to_string("examples/regeln.yml")
        .unwrap()
        .replace("grenze: 20", "grenze: 5");
    let path = t.path().join("regeln.yml");
    std::fs::write(&path, rules).unwrap();
    kimo_ok(&db, &["import", path.to_str().unwrap()]);
    let s = Server::start(&["--database", &db], &[]);
    let cookie = s.log_in(&db);
    let json = |q: &str| -> Value {
        serde_json::from_str(&s.get_as(&cookie, &format!("/lagebild.json{q}")).1).unwrap()
    };

    // New since the presentation: everything was first recorded today.
    let all = json("?seit=2000-01-01");
    let open = all["summary"]["open"].as_u64().unwrap();
    assert_eq!(all["summary"]["new"].as_u64(), Some(open));
    assert_eq!(all["summary"]["since_words"], "seit dem 01.01.2000");
    let none = json("?seit=31.12.2099");
    assert_eq!(none["summary"]["new"], 0);
    assert_eq!(none["new_count"], 0);
    assert_eq!(json("?seit=2099-12-31")["summary"]["since"], "2099-12-31");

    // Paging: 10 per group, „weitere anzeigen“ adds 10 via the query.
    let big = all["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["count"].as_u64().unwrap() > 10)
        .expect("a group with more than 10 warnings")
        .clone();
    let code = big["code"].as_str().unwrap();
    let n = big["count"].as_u64().unwrap() as usize;
    assert_eq!(big["warnings"].as_array().unwrap().len(), 10);
    let link = big["more_link"].as_str().unwrap();
    assert!(
        link.contains(&format!("mehr={code}")) && link.ends_with(&format!("#hf-{code}")),
        "{link}"
    );
    let (status, html) = s.get_as(&cookie, link.split('#').next().unwrap());
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("id=\"hf-{code}\" class=\"group\" open>")),
        "asked-for group is open"
    );
    let more = json(&format!("?seit=2000-01-01&mehr={code}"));
    let g = group(&more, code);
    assert_eq!(g["warnings"].as_array().unwrap().len(), n.min(20));
    let (_, page) = s.get_as(&cookie, "/lagebild?seit=2000-01-01");
    assert!(
        page.contains(&format!("weitere anzeigen (10 von {n} gezeigt)")),
        "link text"
    );

    // Sorting: by severity (default), or newest first (highest number first, all recorded at once).
    let newest = json(&format!("?sortierung=neueste&mehr={code}&mehr={code}"));
    let g = group(&newest, code);
    let ids: Vec<i64> = g["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|p| p[0] > p[1]), "{ids:?}");
    // Filters still apply to the groups.
    let high = json("?schwere=hoch");
    for g in high["groups"].as_array().unwrap() {
        assert!(
            g["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["severity"] == "hoch")
        );
    }
}

#[test]
fn goals_show_their_progress_on_the_start_page_and_the_indicator_page() {
    let s = Server::start(&[], &["--demo"]);
    let (html, json) = both(&s, "/indikatoren/KIT-04", "");
    let h = &json["headline"];
    // The latest value and its change, in the unit, as the page shows them.
    assert!(html.contains(&format!(
        "<span class=\"headline-value\">{}</span>",
        h["value_text"].as_str().unwrap()
    )));
    let goal = &h["goals"][0];
    assert_eq!(goal["target"], 12.0);
    assert_eq!(goal["year"], 2030);
    // The same measure as the early warning's "ziel" rule: the demo's warning says the same.
    assert_eq!(goal["progress"], "Verschlechterung");
    assert!(html.contains(&esc(goal["text"].as_str().unwrap())));
    let (_, ws) = s.get("/api/v1/warnings?indicator=KIT-04");
    assert!(ws.contains("\"kind\":\"ziel\""), "{ws}");
    // Stadtteile have no goal of their own: the city's goal is not repeated for them.
    let (_, area) = s.get("/indikatoren/KIT-04.json?gebiet=19");
    let area: Value = serde_json::from_str(&area).unwrap();
    assert_eq!(area["headline"]["goals"].as_array().unwrap().len(), 0);
    let (_, home) = s.get("/index.json");
    assert!(
        home.contains("Ziel: 12,0 % bis 2030"),
        "start page carries the goal"
    );
}
