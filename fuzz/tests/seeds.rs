//! The harnesses without AFL: every seed and corpus file runs through its target, and a workbook
//! given as its parts reads like the workbook itself.

use kimo_fuzz::seeds::repo;
use std::path::PathBuf;

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn run(target: &str, harness: fn(&[u8]), extra: &[&str]) -> usize {
    let mut all = files(&format!("fuzz/seeds/{target}"));
    all.extend(files(&format!("fuzz/corpus/{target}")));
    for e in extra {
        all.extend(files(e));
    }
    for f in &all {
        if f.is_file() {
            eprintln!("{target}: {}", f.display());
            harness(&std::fs::read(f).unwrap());
        }
    }
    all.len()
}

#[test]
fn seeds_run_through_every_target() {
    let table = run(
        "table",
        kimo_fuzz::table,
        &["examples", "tests/fixtures/notation", "crates/demo/data"],
    );
    assert!(table >= 5, "{table} table seeds");
    assert!(run("catalogue", kimo_fuzz::catalogue, &["examples/katalog"]) >= 4);
    assert!(run("xlsx", kimo_fuzz::xlsx, &[]) >= 5);
    assert!(run("opensdg", kimo_fuzz::opensdg, &[]) >= 4);
    assert!(run("geojson", kimo_fuzz::geojson, &[]) >= 4);
    kimo_fuzz::rules(kimo_demo::RULES.as_bytes());
}

#[test]
fn a_workbook_as_parts_reads_like_the_workbook() {
    let original = repo().join("examples/katalog.xlsx");
    let parts = kimo_fuzz::seeds::unzip_parts(&std::fs::read(&original).unwrap());
    let zipped = kimo_fuzz::zip_parts(&kimo_fuzz::parts(&parts)).unwrap();
    let d = tempfile::tempdir().unwrap();
    let copy = d.path().join("katalog.xlsx");
    std::fs::write(&copy, zipped).unwrap();
    let ctx = kimo_import::Context::default();
    let (a, pa) = kimo_import::read_path(&original, &ctx);
    let (b, pb) = kimo_import::read_path(&copy, &ctx);
    assert!(pa.is_empty() && pb.is_empty(), "{pa:?} {pb:?}");
    assert!(!a.indicators.is_empty());
    assert_eq!(a.indicators, b.indicators);
    assert_eq!(a.areas, b.areas);
}

#[test]
fn parts_have_safe_names() {
    let input = b"@@ data/indicator_1.csv\nYear,Value\n@@ ../../etc/x\nno\n@@ /abs\nno\n@@ meta/1.yml\na: 1";
    let names: Vec<String> = kimo_fuzz::parts(input)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, ["data/indicator_1.csv", "meta/1.yml"]);
}

#[test]
fn cell_names_calamine_overflows_on_are_recognised() {
    use kimo_fuzz::overflows_calamine as bad;
    assert!(bad(br#"<c r="AAAAAAAA1" t="s">"#));
    assert!(bad(br#"<row r="99999999999">"#));
    assert!(bad(br#"<dimension ref="D2:A1"/>"#));
    assert!(bad(b"<mergeCell ref='B1:A1'/>"));
    assert!(!bad(
        br#"<dimension ref="A1:XFD1048576"/><c r="B2" s="1"><v>12</v></c>"#
    ));
    assert!(!bad(br#"<sheet name="Daten" sheetId="1" r:id="rId1"/>"#));
}
