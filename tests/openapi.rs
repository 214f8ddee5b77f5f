//! The OpenAPI 3.1 description of `/api/v1` and schemathesis against it: the description names
//! every API route, the codes the caller may use (the public's without an internal indicator),
//! and the API page lists the operations. Then schemathesis (`st run --checks all`) fuzzes every
//! operation twice — as the public and with an administrator's API token — on a fixed seed:
//! every answer must match the description (status, content type, headers, schema) and none may be
//! a server error. Needs schemathesis: the binary in `KIMO_SCHEMATHESIS` (then required; `.ci/run`
//! installs it from PyPI into a virtual environment) or `st` on the PATH; otherwise that part says
//! it was skipped. SQLite and PostgreSQL.

mod common;
use common::{Server, kimo_ok, log_in_with, send, set_published};
use kimo_store::testing::TestDb;
use std::process::Command;

/// The schemathesis binary, or None (after saying `skipped`); a panic when `KIMO_SCHEMATHESIS`
/// names one that does not run.
fn schemathesis() -> Option<String> {
    if let Ok(bin) = std::env::var("KIMO_SCHEMATHESIS") {
        let ok = Command::new(&bin)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        assert!(ok, "KIMO_SCHEMATHESIS={bin} does not run");
        return Some(bin);
    }
    if Command::new("st")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Some("st".into());
    }
    println!("skipped: schemathesis (set KIMO_SCHEMATHESIS or put `st` on the PATH)");
    None
}

/// Runs schemathesis against the server; returns its summary lines. Panics with its whole output
/// when it finds a failure.
fn fuzz(st: &str, server: &Server, headers: &[String]) -> String {
    let mut cmd = Command::new(st);
    cmd.args([
        "--config-file",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/schemathesis.toml"),
        "run",
        &format!("{}/api/v1/openapi.json", server.url),
        "--checks",
        "all",
        "--max-examples",
        "25",
        "--seed",
        "20261202",
        "--no-color",
    ]);
    for h in headers {
        cmd.args(["-H", h]);
    }
    let out = cmd.output().expect("schemathesis runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .filter(|l| l.contains(" generated,") || l.contains("Tested:"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn the_api_is_described_and_keeps_to_its_description() {
    for t in TestDb::all("the_api_is_described_and_keeps_to_its_description") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        set_published(db, "ARB-02", false);
        let server = Server::start(&["--database", db], &[]);

        let doc = server.request("/api/v1/openapi.json", &[]);
        assert_eq!(doc.status, 200);
        let json: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        let paths = json["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 7, "{:?}", paths.keys());
        let codes =
            &json["paths"]["/api/v1/indicators/{code}"]["get"]["parameters"][0]["schema"]["enum"];
        let codes: Vec<&str> = codes
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert!(
            codes.contains(&"ARB-01") && !codes.contains(&"ARB-02"),
            "{codes:?}"
        );
        let cookie = log_in_with(&server, db, "admin", "admin", None);
        let inside = server.request("/api/v1/openapi.json", &[("cookie", &cookie)]);
        assert!(
            inside.body.contains("\"ARB-02\""),
            "internal users may name it"
        );

        let page = server.request("/api", &[]);
        assert_eq!(page.status, 200);
        let body = page.body.replace("&#x2f;", "/");
        for want in [
            "GET /api/v1/indicators/{code}/observations",
            "POST /api/v1/import",
            "href=\"/api/v1/openapi.json\"",
        ] {
            assert!(body.contains(want), "{want}");
        }

        let Some(st) = schemathesis() else { continue };
        let public = fuzz(&st, &server, &[]);
        println!("{}: schemathesis as the public: {public}", t.label);
        let csrf = send(&server, "GET", "/konto", &cookie, &[]).csrf();
        let made = send(
            &server,
            "POST",
            "/konto/schluessel",
            &cookie,
            &[("csrf", &csrf), ("name", "schemathesis")],
        );
        let at = made.body.find("value=\"kimo_").expect("a token") + 7;
        let token = &made.body[at..at + 5 + 64];
        let admin = fuzz(&st, &server, &[format!("Authorization: Bearer {token}")]);
        println!("{}: schemathesis with an API token: {admin}", t.label);
    }
}
