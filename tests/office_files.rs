//! The office-file fixture set (`tests/fixtures/office/`): files as German statistics offices and
//! GIS departments deliver them, each beside a `.expected` file that says what `kimo import` must do
//! with it — the values and flags that arrive, or the messages with line and column. Every accepted
//! fixture then goes through an Open SDG export into an empty database and must come back unchanged.
//!
//! `.expected` lines (`#` starts a comment):
//! - `args: …` extra arguments for `kimo import` (split at spaces);
//! - `accept` or `refuse`: whether the import succeeds (a refused import writes nothing); `partial`
//!   for `--keep-going`: it fails, yet writes the clean files;
//! - `export: LINE` a line of `kimo export --format csv -` afterwards;
//! - `absent: PREFIX` no exported line starts with it;
//! - `stdout: TEXT` / `stderr: TEXT` text the import prints (messages name file, line, column);
//! - `geo: AREA LON LAT` the first point of the area's stored boundary, to 4 decimals (WGS84).

mod common;
use common::Server;
use kimo_store::testing::TestDb;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one `.expected` file asks for.
#[derive(Default, Debug)]
struct Expected {
    args: Vec<String>,
    accept: Option<bool>,
    /// `--keep-going`: refused as a whole (exit code 1), yet the clean files are written.
    partial: bool,
    export: Vec<String>,
    absent: Vec<String>,
    stdout: Vec<String>,
    stderr: Vec<String>,
    geo: Vec<(String, f64, f64)>,
}

fn parse_expected(path: &Path) -> Expected {
    let text = std::fs::read_to_string(path).unwrap();
    let mut e = Expected::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, rest) = line.split_once(": ").unwrap_or((line, ""));
        match key {
            "accept" => e.accept = Some(true),
            "refuse" => e.accept = Some(false),
            "partial" => (e.accept, e.partial) = (Some(false), true),
            "args" => e.args = rest.split(' ').map(String::from).collect(),
            "export" => e.export.push(rest.into()),
            "absent" => e.absent.push(rest.into()),
            "stdout" => e.stdout.push(rest.into()),
            "stderr" => e.stderr.push(rest.into()),
            "geo" => {
                let p: Vec<&str> = rest.split(' ').collect();
                e.geo
                    .push((p[0].into(), p[1].parse().unwrap(), p[2].parse().unwrap()));
            }
            _ => panic!("{}:{}: unknown key '{key}'", path.display(), n + 1),
        }
    }
    assert!(e.accept.is_some(), "{}: accept or refuse", path.display());
    e
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/office")
}

/// `kimo --database DB ARGS…` run in the fixture directory, so messages name the bare file.
fn run(db: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kimo"))
        .current_dir(fixtures())
        .arg("--database")
        .arg(db)
        .args(args)
        .env_remove("KIMO_DATABASE_URL")
        .output()
        .expect("kimo runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn ok(db: &str, args: &[&str]) -> String {
    let (success, stdout, stderr) = run(db, args);
    assert!(success, "kimo {args:?}:\n{stdout}\n{stderr}");
    stdout
}

fn export(db: &str) -> String {
    ok(db, &["export", "--format", "csv", "-"])
}

fn with_catalogue(db: &str) {
    ok(
        db,
        &[
            "import",
            "katalog/handlungsfelder.csv",
            "katalog/merkmale.csv",
            "katalog/gebiete.csv",
            "katalog/indikatoren.csv",
        ],
    );
}

/// Every fixture with its `.expected`, sorted by name.
fn cases() -> Vec<(String, Expected)> {
    let mut out: Vec<(String, Expected)> = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            let name = p
                .file_name()?
                .to_str()?
                .strip_suffix(".expected")?
                .to_string();
            Some((name, parse_expected(&p)))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Checks one fixture on a fresh database with the fixture catalogue; returns the export after it
/// and adds what differs from the expectation to `failed`.
fn check_case(db: &str, name: &str, e: &Expected, failed: &mut Vec<String>) -> String {
    with_catalogue(db);
    let before = export(db);
    let mut args = vec!["import"];
    args.extend(e.args.iter().map(String::as_str));
    args.push(name);
    let (success, stdout, stderr) = run(db, &args);
    let said = format!("kimo {args:?}\nstdout:\n{stdout}\nstderr:\n{stderr}");
    let mut fail = |what: String| failed.push(format!("{name}: {what}\n{said}"));
    if Some(success) != e.accept {
        fail(format!("succeeded: {success}"));
    }
    for s in e.stdout.iter().filter(|s| !stdout.contains(s.as_str())) {
        fail(format!("stdout lacks {s:?}"));
    }
    for s in e.stderr.iter().filter(|s| !stderr.contains(s.as_str())) {
        fail(format!("stderr lacks {s:?}"));
    }
    let csv = export(db);
    if !success && !e.partial && csv != before {
        fail(format!("a refused import wrote something:\n{csv}"));
    }
    let lines: Vec<&str> = csv.lines().collect();
    for l in e.export.iter().filter(|l| !lines.contains(&l.as_str())) {
        fail(format!("export lacks {l:?}\n{csv}"));
    }
    for p in &e.absent {
        if lines.iter().any(|l| l.starts_with(p.as_str())) {
            fail(format!("export has {p:?}\n{csv}"));
        }
    }
    csv
}

/// The first point of each named area's boundary, from the areas API.
fn check_geo(db: &str, name: &str, geo: &[(String, f64, f64)], failed: &mut Vec<String>) {
    if geo.is_empty() {
        return;
    }
    let s = Server::start(&["--database", db], &[]);
    let (status, body) = s.get("/api/v1/areas?geometry=1");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    for (code, lon, lat) in geo {
        let area = v["areas"]
            .as_array()
            .and_then(|a| a.iter().find(|a| a["code"] == code.as_str()));
        let Some(area) = area else {
            failed.push(format!("{name}: no area {code} in {body}"));
            continue;
        };
        let mut c = &area["geometry"]["coordinates"];
        while c[0].is_array() {
            c = &c[0];
        }
        let (x, y) = (c[0].as_f64().unwrap_or(0.0), c[1].as_f64().unwrap_or(0.0));
        if (x - lon).abs() > 5e-5 || (y - lat).abs() > 5e-5 {
            failed.push(format!(
                "{name}: {code} starts at {x} {y}, expected {lon} {lat}"
            ));
        }
    }
}

/// An accepted fixture through Open SDG into an empty database: the same observations come back.
fn round_trip(db: &str, name: &str, csv: &str, dir: &Path, empty: &str) -> Option<String> {
    let out = dir.join(format!("open-sdg-{}", name.replace('.', "-")));
    ok(
        db,
        &["export", "--format", "open-sdg", out.to_str().unwrap()],
    );
    ok(empty, &["import", out.to_str().unwrap()]);
    let back = export(empty);
    (back != csv).then(|| format!("{name}: Open SDG round trip gives\n{back}instead of\n{csv}"))
}

#[test]
fn office_files_do_what_their_expected_files_say() {
    let cases = cases();
    assert!(cases.len() >= 20, "{} fixtures", cases.len());
    let t = tempfile::tempdir().unwrap();
    let mut all_failed = Vec::new();
    for tdb in TestDb::all("office_files") {
        for (i, (name, e)) in cases.iter().enumerate() {
            let fresh = || match tdb.label {
                "SQLite" => TestDb::sqlite(),
                _ => TestDb::postgres(&format!("office_files_{i}")).expect("configured"),
            };
            let (a, b) = (fresh(), fresh());
            let mut failed = Vec::new();
            let csv = check_case(&a.url, name, e, &mut failed);
            check_geo(&a.url, name, &e.geo, &mut failed);
            if e.accept == Some(true) || e.partial {
                failed.extend(round_trip(&a.url, name, &csv, t.path(), &b.url));
            }
            match failed.is_empty() {
                true => println!("{}: {name} as expected", tdb.label),
                false => {
                    all_failed.extend(failed.into_iter().map(|f| format!("{}: {f}", tdb.label)))
                }
            }
        }
    }
    assert!(all_failed.is_empty(), "{}", all_failed.join("\n\n"));
}
