//! Disclosure control and embargoes through the real server, on the demo city: a Stadtteil's
//! count of 2 (REC-05, from the Ausländerzentralregister; rule: 1 and 2 secret, counts rounded to
//! multiples of 5) is kept from the public in the API and on the indicator's page („geheim“), so is
//! a second Stadtteil (secondary suppression: the city's count minus the others would give it
//! away), and the other counts are published rounded; logged in, the true values are there, the
//! secret ones marked „nicht zur Veröffentlichung“. A period under embargo is not
//! in the public's API or page at all, and is marked for internal users. SQLite and PostgreSQL.

mod common;
use common::{Server, kimo_ok};
use kimo_store::Store;
use kimo_store::testing::TestDb;

/// The API's observations of REC-05 in 2025 for the whole city and its Stadtteile (no groups).
fn totals_2025(server: &Server, cookie: &str) -> Vec<serde_json::Value> {
    let headers: Vec<(&str, &str)> = if cookie.is_empty() {
        Vec::new()
    } else {
        vec![("cookie", cookie)]
    };
    let a = server.request(
        "/api/v1/indicators/REC-05/observations?period=2025",
        &headers,
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let json: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    json["observations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["breakdown"].as_object().unwrap().is_empty())
        .cloned()
        .collect()
}

#[test]
fn the_public_sees_no_secret_cell_and_nothing_under_embargo() {
    for t in TestDb::all("the_public_sees_no_secret_cell_and_nothing_under_embargo") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("klein.csv");
        std::fs::write(&file, "indikator;zeitraum;gebiet;wert\nREC-05;2025;01;2\n").unwrap();
        kimo_ok(
            db,
            &["import", "--user", "statistik", file.to_str().unwrap()],
        );
        let store = Store::open(db).unwrap();
        let source = store
            .indicators()
            .unwrap()
            .into_iter()
            .find(|i| i.code == "REC-05")
            .unwrap()
            .source;
        let out = kimo_ok(
            db,
            &[
                "einstellung",
                "geheimhaltung",
                "--quelle",
                &source,
                "--mindestens",
                "3",
                "--runden",
                "5",
            ],
        );
        assert!(
            out.contains(&format!("{source}: geheim unter 3, gerundet auf 5")),
            "{out}"
        );
        let server = Server::start(&["--database", db], &[]);
        let cookie = server.log_in(db);

        // The public: Stadtteil 01 and one more without numbers, flagged „geheim“.
        let public = totals_2025(&server, "");
        let secret: Vec<&serde_json::Value> =
            public.iter().filter(|o| o["value"].is_null()).collect();
        assert!(secret.len() >= 2, "primary and secondary: {secret:?}");
        for o in &secret {
            let flags = o["flags"].as_array().unwrap();
            assert!(flags.iter().any(|f| f == "geheim"), "{o}");
            assert!(
                !flags.iter().any(|f| f == "nicht zur Veröffentlichung"),
                "{o}"
            );
        }
        assert!(secret.iter().any(|o| o["area"] == "01"));
        assert_eq!(secret.len(), 2, "{secret:?}");
        for o in public.iter().filter(|o| !o["value"].is_null()) {
            let v = o["value"].as_f64().unwrap();
            assert_eq!(v % 5.0, 0.0, "rounded to 5: {o}");
        }
        let o2 = public.iter().find(|o| o["area"] == "02").unwrap();
        assert_eq!(o2["value"], 270.0, "272 rounded");
        let page = server.request("/indikatoren/REC-05", &[]);
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("nicht zur Veröffentlichung"));
        assert!(page.body.contains("geheim"), "the flag on the page");
        assert!(
            page.body.contains("<td class=\"num\">.</td>"),
            "„.“ in the table"
        );
        assert!(
            page.body.contains(
                "Zeichenerklärung:</strong> „.“ = Zahlenwert unbekannt oder geheim zu halten"
            ),
            "the legend"
        );
        // The map and the bar chart mark the secret Stadtteile with „.“ (dotted, in the legend).
        assert!(
            page.body.contains("01 Innenstadt-Ost: „.“ geheim gehalten"),
            "the map's Stadtteil 01"
        );
        assert!(page.body.contains("-secret)"), "the dotted pattern");
        let inside = server.request("/indikatoren/REC-05", &[("cookie", &cookie)]);
        assert!(
            !inside.body.contains("geheim gehalten"),
            "inside: the true values"
        );
        assert!(inside.body.contains("nicht zur Veröffentlichung"));
        assert!(!inside.body.contains("Zeichenerklärung:</strong>"));

        // Logged in: the true values, marked.
        let internal = totals_2025(&server, &cookie);
        let o1 = internal.iter().find(|o| o["area"] == "01").unwrap();
        assert_eq!(o1["value"], 2.0);
        let o2 = internal.iter().find(|o| o["area"] == "02").unwrap();
        assert_eq!(o2["value"], 272.0, "internal users see the exact count");
        assert_eq!(
            o1["flags"],
            serde_json::json!(["nicht zur Veröffentlichung"]),
            "{o1}"
        );
        let marked = internal
            .iter()
            .filter(|o| {
                o["flags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f == "nicht zur Veröffentlichung")
            })
            .count();
        assert_eq!(marked, secret.len(), "the same cells, marked");

        // An embargo on 2025: gone for the public, marked for internal users.
        let out = kimo_ok(
            db,
            &[
                "einstellung",
                "sperrfrist",
                "REC-05",
                "2025",
                "--bis",
                "01.01.2999",
            ],
        );
        assert!(out.contains("REC-05 2025: bis 01.01.2999 (gilt)"), "{out}");
        // The server reads the data version at most every 250 ms.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(totals_2025(&server, "").is_empty(), "nothing of 2025");
        let page = server.request("/indikatoren/REC-05.json", &[]);
        assert!(
            !page.body.contains("\"2025\""),
            "no 2025 in the page's periods"
        );
        let internal = totals_2025(&server, &cookie);
        assert!(!internal.is_empty());
        assert!(internal.iter().all(|o| {
            o["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "nicht zur Veröffentlichung")
        }));
        // The Integrationskonzept's live figures read through the same door: ARB-03's 2025 under
        // embargo is not on the public Konzept page, only inside.
        let konzept = store.konzept_in_force().unwrap().unwrap().id;
        let path = format!("/konzept/{konzept}");
        let figure = "href=\"/indikatoren/ARB-03\">4,6 % (2025)";
        assert!(server.request(&path, &[]).body.contains(figure), "before");
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
        std::thread::sleep(std::time::Duration::from_millis(300));
        let public = server.request(&path, &[]).body;
        assert!(
            !public.contains(figure),
            "the public Konzept page shows 2025"
        );
        assert!(
            public.contains("href=\"/indikatoren/ARB-03\">"),
            "an earlier figure instead"
        );
        let inside = server.request(&path, &[("cookie", &cookie)]).body;
        assert!(inside.contains(figure), "inside it is there");
        kimo_ok(
            db,
            &["einstellung", "sperrfrist", "ARB-03", "2025", "--aufheben"],
        );

        // Lifted: back for the public.
        let out = kimo_ok(
            db,
            &["einstellung", "sperrfrist", "REC-05", "2025", "--aufheben"],
        );
        assert!(out.contains("Keine Sperrfristen."), "{out}");
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(!totals_2025(&server, "").is_empty());
        println!(
            "{}: {} secret cells of REC-05 2025 kept from the public",
            t.label,
            secret.len()
        );
    }
}
