//! The fuzz harnesses of kimo's readers, one function per target: each takes the raw input AFL made
//! and drives the reader the way `kimo import` (or `kimo evaluate`, for the rules file) does. A panic
//! is a crash; an input that runs longer than the fuzzer's timeout is a hang.
//!
//! The binaries in `src/bin/` wrap these in `afl::fuzz!`; `tests/seeds.rs` runs every seed through them
//! without AFL, so the harnesses are checked by a plain `cargo test` too.

use chrono::NaiveDate;
use kimo_import::table::{self, Table};
use kimo_import::{Context, catalogue, geojson, observations};
use kimo_model::{Dataset, Indicator, Problem};
use kimo_monitor::checks::Point;
use kimo_monitor::rules::RuleSet;
use kimo_monitor::{Names, SeriesMap};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub mod seeds;

/// The name the in-memory inputs carry in messages.
const FILE: &str = "fuzz.csv";

/// The demo city, read once: catalogue, areas, synthetic series.
fn demo() -> &'static Dataset {
    static DEMO: OnceLock<Dataset> = OnceLock::new();
    DEMO.get_or_init(kimo_demo::dataset)
}

/// The contexts every table is read with: none (an empty database) and the demo catalogue with
/// the command's options set (`--indicator`, `--parent`, GeoJSON property names).
fn contexts() -> &'static [Context] {
    static CONTEXTS: OnceLock<Vec<Context>> = OnceLock::new();
    CONTEXTS.get_or_init(|| {
        let mut known = Context::default();
        known.learn(demo());
        known.indicator = demo().indicators.first().map(|i| i.code.clone());
        known.code_property = Some("id".into());
        known.name_property = Some("GEN".into());
        known.parent = Some("stadt".into());
        vec![Context::default(), known]
    })
}

/// The highest line number a problem about `text` may name: its last line (bare-CR files count CRs).
fn last_line(text: &str) -> usize {
    let lf = text.bytes().filter(|&b| b == b'\n').count();
    let cr = text.bytes().filter(|&b| b == b'\r').count();
    lf.max(cr) + 1
}

/// Every problem names the input and a line inside it (0: the whole file).
fn check_problems(problems: &[Problem], text: &str) {
    let last = last_line(text);
    for p in problems {
        assert!(!p.origin.file.is_empty(), "problem without file: {p:?}");
        assert!(
            p.origin.line <= last,
            "line beyond the input's {last}: {p:?}"
        );
        assert!(
            !p.message.trim().is_empty(),
            "problem without message: {p:?}"
        );
    }
}

/// Decodes and reads CSV bytes as `kimo import` does; None where the reader refuses the file.
fn csv_table(data: &[u8]) -> Option<(String, Table)> {
    let text = match table::decode_checked(FILE, data) {
        Ok(t) => t,
        Err(p) => {
            check_problems(&[p], &table::decode(data));
            return None;
        }
    };
    match table::read_csv_text(FILE, &text) {
        Ok(t) => Some((text, t)),
        Err(problems) => {
            check_problems(&problems, &text);
            None
        }
    }
}

/// Target `table`: CSV bytes as a long and as a wide observation table (and as whatever the header
/// says it is), with and without a catalogue.
pub fn table(data: &[u8]) {
    let Some((text, t)) = csv_table(data) else {
        return;
    };
    check_problems(&t.cells_without_header(), &text);
    let _ = kimo_import::opensdg::is_open_sdg(&t);
    for ctx in contexts() {
        let (_, p) = observations::read_long(&t, ctx);
        check_problems(&p, &text);
        let (_, p) = observations::read_wide(&t, ctx);
        check_problems(&p, &text);
    }
}

/// Target `catalogue`: CSV bytes as each kind of catalogue table; what is read is learnt by a
/// context, as an import of several tables does.
pub fn catalogue(data: &[u8]) {
    let Some((text, t)) = csv_table(data) else {
        return;
    };
    let _ = catalogue::detect(&t);
    let mut ctx = Context::default();
    for kind in [
        catalogue::Kind::ActionFields,
        catalogue::Kind::Indicators,
        catalogue::Kind::Areas,
        catalogue::Kind::Dimensions,
    ] {
        let (ds, p) = catalogue::read(&t, kind);
        check_problems(&p, &text);
        ctx.learn(&ds);
        if let Some(city) = kimo_model::whole_city(&ds.areas) {
            let _ = kimo_model::children_of(&ds.areas, &city.code);
        }
    }
    for a in &ctx.areas {
        let _ = ctx.area_code(&a.name);
    }
}

/// Target `geojson`: bytes as a boundary file, with and without a catalogue (which brings the
/// whole city as parent and the `--code-property`/`--name-property` options).
pub fn geojson(data: &[u8]) {
    let text = table::decode(data);
    for ctx in contexts() {
        let (_, p) = geojson::read("fuzz.geojson", &text, ctx);
        check_problems(&p, &text);
    }
}

/// Target `rules`: bytes as a rules file; a file that parses is evaluated over the demo series,
/// and its status rule classifies the Stadtteile, as `kimo evaluate` and the Lagebild do.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(set) = RuleSet::parse("regeln.yml", text) else {
        return;
    };
    let (series, names) = demo_series();
    let population = |code: &str| series.get(code);
    let cx = kimo_monitor::Context {
        names,
        as_of: NaiveDate::from_ymd_opt(2026, 6, 30).expect("valid date"),
        population: &population,
        latest_unread: None,
    };
    let empty = SeriesMap::new();
    for ind in demo_indicators() {
        let s = series.get(&ind.code).unwrap_or(&empty);
        let rules = set.for_indicator(ind);
        let _ = kimo_monitor::evaluate(ind, &rules, s, &cx);
        if let Some(params) = set.status_rule(ind) {
            let pop = series.get(&params.population_indicator);
            let _ = kimo_monitor::classify_areas(ind, s, names, pop, &params);
        }
    }
}

/// The demo indicators the rules target evaluates: a few of each polarity and unit, for speed.
fn demo_indicators() -> &'static [Indicator] {
    static IND: OnceLock<Vec<Indicator>> = OnceLock::new();
    IND.get_or_init(|| {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for i in &demo().indicators {
            let kind = (i.polarity, i.unit.clone(), i.periodicity);
            if !seen.contains(&kind) {
                seen.push(kind);
                out.push(i.clone());
            }
        }
        out
    })
}

/// The demo's series by indicator code, and its names and area hierarchy.
fn demo_series() -> &'static (HashMap<String, SeriesMap>, Names) {
    static SERIES: OnceLock<(HashMap<String, SeriesMap>, Names)> = OnceLock::new();
    SERIES.get_or_init(|| {
        let ds = demo();
        let mut series: HashMap<String, SeriesMap> = HashMap::new();
        for o in &ds.observations {
            let key = (o.area.clone(), o.breakdown.clone());
            series
                .entry(o.indicator.clone())
                .or_default()
                .entry(key)
                .or_default()
                .push(Point {
                    period: o.period.clone(),
                    value: o.value,
                    brk: o.flags.break_in_series,
                });
        }
        for map in series.values_mut() {
            for points in map.values_mut() {
                points.sort_by(|a, b| a.period.cmp(&b.period));
            }
        }
        let city = kimo_model::whole_city(&ds.areas).map_or(String::new(), |a| a.code.clone());
        let mut names = Names {
            areas: ds
                .areas
                .iter()
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect(),
            children: kimo_model::children_of(&ds.areas, &city)
                .iter()
                .map(|a| a.code.clone())
                .collect(),
            city,
            ..Default::default()
        };
        for d in &ds.dimensions {
            for c in &d.categories {
                names
                    .categories
                    .insert((d.code.clone(), c.code.clone()), c.name.clone());
            }
        }
        (series, names)
    })
}

/// Splits a multi-file input into (name, content) parts: each part starts with a line
/// `@@ <name>`; the names are made safe relative paths (at most three levels, no `..`).
pub fn parts(data: &[u8]) -> Vec<(String, &[u8])> {
    let mut out = Vec::new();
    let Some(rest) = data.strip_prefix(b"@@ ") else {
        return out;
    };
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 4 <= rest.len() {
        if &rest[i..i + 4] == b"\n@@ " {
            chunks.push(&rest[start..i]);
            start = i + 4;
            i = start;
        } else {
            i += 1;
        }
    }
    chunks.push(&rest[start..]);
    for chunk in chunks {
        let (name, body) = match chunk.iter().position(|&b| b == b'\n') {
            Some(n) => (&chunk[..n], &chunk[n + 1..]),
            None => (chunk, &chunk[chunk.len()..]),
        };
        if let Some(name) = safe_name(name) {
            out.push((name, body));
        }
    }
    out
}

fn safe_name(raw: &[u8]) -> Option<String> {
    let name: String = String::from_utf8_lossy(raw)
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-./[]".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let components: Vec<&str> = name.split('/').collect();
    let bad = components.len() > 3
        || components
            .iter()
            .any(|c| c.is_empty() || *c == "." || *c == "..");
    (!bad && name.len() <= 100).then_some(name)
}

/// A scratch directory for inputs the readers take as files, emptied for each input.
fn scratch() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let base = DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            tempfile::tempdir_in(shm).expect("scratch directory")
        } else {
            tempfile::tempdir().expect("scratch directory")
        }
    });
    let dir = base.path().join("in");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Target `xlsx`: a workbook, either as a ZIP file (`PK…`) or as its parts (`@@ xl/workbook.xml` …,
/// see [`parts`]), which are zipped uncompressed so the fuzzer mutates the XML itself. The workbook
/// is read as `kimo import` reads it (all visible sheets, or the sheet `--sheet` names).
pub fn xlsx(data: &[u8]) {
    let bytes = if data.starts_with(b"PK") {
        if zip_entries(data).iter().any(|e| overflows_calamine(e)) {
            return;
        }
        data.to_vec()
    } else {
        let parts = parts(data);
        if parts.iter().any(|(_, body)| overflows_calamine(body)) {
            return;
        }
        let Some(zipped) = zip_parts(&parts) else {
            return;
        };
        zipped
    };
    let path = scratch().join("fuzz.xlsx");
    std::fs::write(&path, bytes).expect("scratch file");
    let mut sheet = contexts()[0].clone();
    sheet.sheet = Some("Sheet1".into());
    for ctx in contexts().iter().chain([&sheet]) {
        let _ = kimo_import::read_path(&path, ctx);
    }
}

/// The entries of a ZIP archive, as far as they can be read (at most 16 MiB each).
fn zip_entries(data: &[u8]) -> Vec<Vec<u8>> {
    use std::io::Read;
    let Ok(mut zip) = zip::ZipArchive::new(std::io::Cursor::new(data)) else {
        return Vec::new();
    };
    (0..zip.len())
        .filter_map(|i| {
            let mut body = Vec::new();
            let entry = zip.by_index(i).ok()?;
            entry.take(16 << 20).read_to_end(&mut body).ok()?;
            Some(body)
        })
        .collect()
}

/// Whether an XML part has an attribute value that calamine 0.38.0 overflows on: a cell name past
/// u32 (`AAAAAAAA1`, `A99999999999`) or a range whose end comes before its start (`D2:A1`). With
/// overflow checks (debug builds, and every `cargo afl` build) that panics inside calamine; release
/// builds wrap. An upstream bug the readers cannot catch, so the target skips such inputs.
pub fn overflows_calamine(xml: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < xml.len() {
        if xml[i] == b'=' && matches!(xml[i + 1], b'"' | b'\'') {
            let start = i + 2;
            let end = xml[start..]
                .iter()
                .position(|&b| b == xml[i + 1])
                .map_or(xml.len(), |p| start + p);
            if xml[start..end].split(|&b| b == b' ').any(bad_range) {
                return true;
            }
            i = end;
        }
        i += 1;
    }
    false
}

fn bad_range(range: &[u8]) -> bool {
    let cells: Vec<&[u8]> = range.split(|&b| b == b':').collect();
    let letters = |c: &[u8]| c.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let too_long = |c: &&[u8]| {
        let l = letters(c);
        c[l..].iter().all(u8::is_ascii_digit) && (l >= 7 || c.len() - l >= 10)
    };
    if cells.iter().any(too_long) {
        return true;
    }
    let position = |c: &[u8]| -> Option<(u64, u64)> {
        let l = letters(c);
        let digits = &c[l..];
        if l == 0 || digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let col = c[..l].iter().fold(0u64, |n, b| {
            n * 26 + u64::from(b.to_ascii_uppercase() - b'A') + 1
        });
        let row = std::str::from_utf8(digits).ok()?.parse().ok()?;
        Some((row, col))
    };
    match cells.as_slice() {
        [a, b] => match (position(a), position(b)) {
            (Some(a), Some(b)) => b.0 < a.0 || b.1 < a.1,
            _ => false,
        },
        _ => false,
    }
}

/// The parts as an uncompressed ZIP archive (None if two parts share a name).
pub fn zip_parts(parts: &[(String, &[u8])]) -> Option<Vec<u8>> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in parts {
        w.start_file(name.as_str(), options).ok()?;
        w.write_all(body).ok()?;
    }
    Some(w.finish().ok()?.into_inner())
}

/// Target `opensdg`: an Open SDG directory given as its files (`@@ data/indicator_1-1-1.csv`,
/// `@@ meta/1-1-1.yml`, see [`parts`]; an input without parts is one data file), read as a directory
/// and file by file, as `kimo import` reads either.
pub fn opensdg(data: &[u8]) {
    let dir = scratch();
    let mut files = parts(data);
    if files.is_empty() {
        files.push(("data/indicator_1-1-1.csv".into(), data));
    }
    for (name, body) in &files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(&p, body);
    }
    for ctx in contexts() {
        let _ = kimo_import::read_path(&dir, ctx);
        for (name, _) in &files {
            if name.ends_with(".csv") {
                let _ = kimo_import::read_path(&dir.join(name), ctx);
            }
        }
    }
}

/// Runs a harness over the files named on the command line, each named on stderr first.
pub fn replay(target: fn(&[u8])) {
    for path in std::env::args_os().skip(1) {
        eprintln!("{}", Path::new(&path).display());
        let data = std::fs::read(&path).expect("readable input file");
        target(&data);
    }
}
