//! The Fahrplan on the demo city: section 4 of the council paper with its real dates, public as a
//! timeline (SVG with its text alternative and a line for today) and a table, with a JSON twin; the
//! Redaktion sets a state (audited, the public page follows at once), the Gremium may not. Both
//! databases.

mod common;
use common::{Server, kimo_ok, send};
use kimo_store::testing::TestDb;
use kimo_store::{AuditFilter, Store};

#[test]
fn the_fahrplan_of_the_council_paper_is_public_and_kept_by_the_redaktion() {
    for t in TestDb::all("the_fahrplan_of_the_council_paper_is_public_and_kept_by_the_redaktion") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let server = Server::start(&["--database", db], &[]);
        let page = send(&server, "GET", "/fahrplan", "", &[]);
        assert_eq!(page.status, 200);
        for (number, title, when) in [
            ("2.1", "Vorstellung im AKI", "16. Oktober 2025"),
            ("2.2", "Auftaktworkshop", "23. Oktober 25"),
            (
                "3",
                "Vorstellung des Integrationskonzeptes im InA",
                "19. November 2026",
            ),
            ("4", "Beschluss im Gemeinderat", "Ende 2026"),
            ("5", "Arbeit mit dem Integrationskonzept", "Ab 2027"),
        ] {
            let row = format!(
                "<tr id=\"meilenstein-{number}\"><td>{number}</td><th scope=\"row\">{title}"
            );
            let at = page
                .body
                .find(&row)
                .unwrap_or_else(|| panic!("no row {number}: {}", page.body));
            assert!(
                page.body[at..]
                    .split("</tr>")
                    .next()
                    .unwrap()
                    .contains(when),
                "{number}: {when}"
            );
        }
        assert!(
            page.body
                .contains("<td>16. Oktober 2025<br><span class=\"muted\">16.10.2025</span></td>")
        );
        assert!(
            page.body.contains("role=\"img\"")
                && page.body.contains("eine gestrichelte Linie markiert heute")
        );
        assert_eq!(
            page.body.matches(">heute</text>").count(),
            2,
            "the line for today, wide and narrow"
        );
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", "/fahrplan.json", "", &[]).body).unwrap();
        let list = json["milestones"].as_array().unwrap();
        assert_eq!(list.len(), 16);
        // The demo's released Monitoringbericht 2025 marked its milestone done.
        let report = list.iter().find(|m| m["number"] == "5.3.1").unwrap();
        assert_eq!(report["status"], "erledigt");
        let four = list.iter().find(|m| m["number"] == "4").unwrap();
        assert_eq!(
            (four["status"].as_str(), four["dates"].as_str()),
            (Some("geplant"), Some("01.10.2026 bis 31.12.2026"))
        );
        assert_eq!(four["depends_on"][0], "3");

        // The Redaktion sets a state; the Gremium may not.
        let aki = server.log_in_as(db, "gremium");
        assert_eq!(
            send(&server, "GET", "/fahrplan/bearbeiten", &aki, &[]).status,
            403
        );
        let bfi = server.log_in(db);
        let form = send(&server, "GET", "/fahrplan/bearbeiten", &bfi, &[]);
        assert_eq!(form.status, 200);
        let id = four["id"].as_i64().unwrap().to_string();
        let key = format!("s_{id}");
        let res = send(
            &server,
            "POST",
            "/fahrplan/bearbeiten",
            &bfi,
            &[("csrf", &form.csrf()), (key.as_str(), "erledigt")],
        );
        assert_eq!(res.status, 303);
        let json: serde_json::Value =
            serde_json::from_str(&send(&server, "GET", "/fahrplan.json", "", &[]).body).unwrap();
        let four = json["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["number"] == "4")
            .unwrap()
            .clone();
        assert_eq!(
            four["status"], "erledigt",
            "the public page follows at once"
        );
        let store = Store::open(db).unwrap();
        let log = store
            .audit_log(&AuditFilter {
                action: Some("fahrplan.status".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(
            (
                log.len(),
                log[0].object.as_str(),
                log[0].before.as_str(),
                log[0].after.as_str()
            ),
            (2, "milestone:4", "geplant", "erledigt")
        );
        assert_eq!(
            (log[1].object.as_str(), log[1].after.as_str()),
            (
                "milestone:5.3.1",
                "erledigt (mit dem Bericht Nr. 1 freigegeben)"
            ),
            "the demo's release"
        );
    }
}
