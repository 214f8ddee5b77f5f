//! The generated seeds (`cargo run --bin seeds` writes them to `fuzz/seeds/`): XLSX workbooks made
//! with `rust_xlsxwriter` as the import tests make them, Open SDG directories written by kimo's own
//! exporter, and small GeoJSON files cut from the demo's Stadtteile (also projected to UTM and
//! Gauß-Krüger). The CSV and rules seeds are the repository's own files (see `scripts/fuzz.sh`).

use kimo_import::crs::{Crs, Reprojection};
use kimo_import::opensdg::{ExportInput, write_dir};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use std::io::Read;
use std::path::Path;

/// One seed: target, file name, content.
pub type Seed = (&'static str, String, Vec<u8>);

/// All generated seeds.
pub fn all() -> Vec<Seed> {
    let mut out = Vec::new();
    for (name, wb) in workbooks() {
        out.push(("xlsx", format!("{name}.parts"), unzip_parts(&wb)));
    }
    let katalog =
        std::fs::read(repo().join("examples/katalog.xlsx")).expect("examples/katalog.xlsx");
    out.push(("xlsx", "katalog.parts".into(), unzip_parts(&katalog)));
    for (name, parts) in opensdg_dirs() {
        out.push(("opensdg", name, parts));
    }
    for (name, text) in geojson_files() {
        out.push(("geojson", name, text.into_bytes()));
    }
    out
}

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A workbook's parts as a multi-file input (see [`crate::parts`]), without the parts no reader
/// looks at (document properties, theme).
pub fn unzip_parts(xlsx: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a ZIP archive");
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("a ZIP entry");
        let name = f.name().expect("a ZIP entry name").to_string();
        if name.starts_with("docProps/") || name.starts_with("xl/theme/") || name.ends_with('/') {
            continue;
        }
        let mut body = Vec::new();
        f.read_to_end(&mut body).expect("a readable ZIP entry");
        if !out.is_empty() {
            out.push(b'\n');
        }
        out.extend_from_slice(format!("@@ {name}\n").as_bytes());
        out.extend_from_slice(&body);
    }
    out
}

fn workbooks() -> Vec<(&'static str, Vec<u8>)> {
    let long = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let s = wb.add_worksheet();
        s.write_row(0, 0, ["indikator", "zeitraum", "gebiet", "wert"])?;
        s.write_string(1, 0, "ALQ")?;
        s.write_number(1, 1, 2024.0)?;
        s.write_string(1, 2, "11")?;
        s.write_number(1, 3, 7.25)?;
        s.write_row(2, 0, ["ALQ", "2023/24", "Südstadt", "(3,5)"])?;
        s.write_boolean(3, 0, true)?;
        let date = ExcelDateTime::from_ymd(2024, 12, 31)?;
        s.write_datetime_with_format(3, 1, &date, &Format::new().set_num_format("dd.mm.yyyy"))?;
        s.write_formula(3, 3, "=1/0")?;
        wb.save_to_buffer()
    };
    let catalogue = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let s = wb.add_worksheet().set_name("Handlungsfelder")?;
        s.write_row(0, 0, ["handlungsfeld", "name"])?;
        s.write_row(1, 0, ["arbeit", "Arbeit"])?;
        let s = wb.add_worksheet().set_name("Indikatoren")?;
        s.write_row(
            0,
            0,
            ["code", "name", "handlungsfeld", "einheit", "polaritaet"],
        )?;
        s.write_row(
            1,
            0,
            [
                "ALQ",
                "Arbeitslosenquote",
                "arbeit",
                "%",
                "niedriger besser",
            ],
        )?;
        wb.save_to_buffer()
    };
    let merged = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let s = wb.add_worksheet();
        let blank = Format::new().set_bold();
        s.write_row(0, 0, ["Gebiet", "Zeitraum", "Wert"])?;
        s.write_blank(0, 3, &blank)?;
        s.merge_range(1, 0, 3, 0, "", &Format::new())?;
        s.write_number(1, 0, 1.0)?;
        for (i, v) in ["12,5", "1.234", "4,5 p"].iter().enumerate() {
            s.write_number(i as u32 + 1, 1, 2016.0 + i as f64)?;
            s.write_string(i as u32 + 1, 2, *v)?;
        }
        s.merge_range(4, 0, 5, 0, "Insgesamt", &Format::new())?;
        s.write_row(4, 1, ["2016", "x"])?;
        s.write_row(5, 1, ["2017", "–"])?;
        wb.save_to_buffer()
    };
    let hidden = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut wb = Workbook::new();
        let old = wb.add_worksheet().set_name("Alt")?;
        old.write_row(0, 0, ["Indikator", "Zeitraum", "Gebiet", "Wert"])?;
        old.write_row(1, 0, ["ALQ", "2024", "11", "99"])?;
        old.set_hidden(true);
        let new = wb.add_worksheet().set_name("Sheet1")?;
        new.write_row(0, 0, ["gebiet", "2022", "2023", "2024-H1"])?;
        new.write_row(1, 0, ["11", "4,5", ".", "-"])?;
        new.set_active(true);
        wb.save_to_buffer()
    };
    let made = [
        ("lang", long()),
        ("katalog-klein", catalogue()),
        ("verbundene-zellen", merged()),
        ("ausgeblendet-breit", hidden()),
    ];
    made.into_iter()
        .map(|(n, wb)| (n, wb.expect("workbook written")))
        .collect()
}

/// A directory's files as a multi-file input, names relative to `dir`.
fn dir_parts(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for sub in ["data", "meta"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files {
            let name = f.file_name().expect("a file name").to_string_lossy();
            if !out.is_empty() {
                out.push(b'\n');
            }
            out.extend_from_slice(format!("@@ {sub}/{name}\n").as_bytes());
            out.extend_from_slice(&std::fs::read(&f).expect("readable"));
        }
    }
    out
}

fn opensdg_dirs() -> Vec<(String, Vec<u8>)> {
    let ds = kimo_demo::dataset();
    let mut out = Vec::new();
    // Three indicators with few observations each: a total, one with breakdowns, one with flags.
    for ind in ds.indicators.iter().step_by(9).take(3) {
        let obs: Vec<_> = ds
            .observations
            .iter()
            .filter(|o| o.indicator == ind.code)
            .step_by(37)
            .take(12)
            .cloned()
            .collect();
        let d = tempfile::tempdir().expect("temp dir");
        let input = ExportInput {
            indicators: std::slice::from_ref(ind),
            action_fields: &ds.action_fields,
            areas: &ds.areas,
            observations: &obs,
        };
        write_dir(d.path(), &input).expect("Open SDG written");
        out.push((format!("export-{}.parts", ind.code), dir_parts(d.path())));
    }
    let hand = [
        (
            "einheiten.parts",
            "@@ data/indicator_1-1.csv\nYear,Land,Units,GeoCode,Value\n2005,Polen,Anzahl,K03101,352\n2005,Polen,Prozent,K03101,0\n\
             @@ meta/1-1.md\n---\nindicator_name: Ausländer\ncomputation_units: Anzahl\nkimo_polarity: niedriger besser\n---\nText\n",
        ),
        (
            "vorzeichen.csv",
            "Year,GeoCode,Value\n2005,01,\"+12,5\"\n2006,01,7\n2007,01,-1.5\n",
        ),
        (
            "stadtteile.parts",
            "@@ data/indicator_2-1.csv\nYear,Stadtteil,SEX,OBS_STATUS,GeoCode,Value\n2005,Südstadt,F,,03,10\n2005,Südstadt,M,E,03,11\n2005,,,,,12\n\
             @@ meta/2-1.yml\nkimo_root_area: stadt\nkimo_root_area_name: Karlsruhe\nkimo_unit: '%'\nkimo_may_exceed_100: true\n",
        ),
    ];
    out.extend(hand.map(|(n, t)| (n.to_string(), t.as_bytes().to_vec())));
    out
}

/// A feature with its rings thinned to every `step`-th position (closed again).
fn thinned(f: &Value, step: usize) -> Value {
    fn ring(r: &Value, step: usize) -> Value {
        let pts = r.as_array().cloned().unwrap_or_default();
        let mut out: Vec<Value> = pts.iter().step_by(step).cloned().collect();
        if let Some(first) = out.first().cloned() {
            out.push(first);
        }
        Value::Array(out)
    }
    let mut f = f.clone();
    let geom = &mut f["geometry"];
    let coords = geom["coordinates"].clone();
    geom["coordinates"] = if geom["type"] == "Polygon" {
        Value::Array(
            coords
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| ring(r, step))
                .collect(),
        )
    } else {
        Value::Array(
            coords
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    Value::Array(
                        p.as_array()
                            .into_iter()
                            .flatten()
                            .map(|r| ring(r, step))
                            .collect(),
                    )
                })
                .collect(),
        )
    };
    f
}

/// Every position of a feature through `f`.
fn project(f: &mut Value, r: &Reprojection) {
    match f {
        Value::Array(a) if a.len() == 2 && a.iter().all(Value::is_f64) => {
            let (x, y) = (a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0));
            if let Some((e, n)) = r.from_wgs84(x, y) {
                *f = json!([(e * 100.0).round() / 100.0, (n * 100.0).round() / 100.0]);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| project(v, r)),
        Value::Object(o) => o.values_mut().for_each(|v| project(v, r)),
        _ => {}
    }
}

fn geojson_files() -> Vec<(String, String)> {
    let root: Value = serde_json::from_str(kimo_demo::STADTTEILE_GEOJSON).expect("demo GeoJSON");
    let features = root["features"].as_array().cloned().unwrap_or_default();
    let two: Vec<Value> = features.iter().take(2).map(|f| thinned(f, 25)).collect();
    let wgs = json!({"type": "FeatureCollection", "features": two});
    let mut out = vec![("stadtteile-2.geojson".to_string(), wgs.to_string())];
    for (crs, name) in [
        (Crs::Utm32, "urn:ogc:def:crs:EPSG::25832"),
        (Crs::Gk3, "EPSG:31467"),
    ] {
        let mut g = json!({"type": "FeatureCollection", "features": [two[0].clone()]});
        project(&mut g["features"], &Reprojection::new(crs));
        g["crs"] = json!({"type": "name", "properties": {"name": name}});
        out.push((
            format!("stadtteil-{}.geojson", crs.code().replace(':', "")),
            g.to_string(),
        ));
    }
    let small = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"01","name":"Innenstadt","GEN":"Mitte"},"geometry":{"type":"Polygon","coordinates":[[[8.4,49.0],[8.41,49.0],[8.41,49.01],[8.4,49.0]],[[8.402,49.002],[8.405,49.002],[8.405,49.004],[8.402,49.002]]]}},
{"type":"Feature","id":7,"properties":{"Stadtteilnummer":2,"Stadtteilname":"Süd"},"geometry":{"type":"MultiPolygon","coordinates":[[[[8.3,48.9],[8.31,48.9],[8.31,48.91],[8.3,48.9]]]]}},
{"type":"Feature","properties":{"id":"stadt"},"geometry":null}]}"#;
    out.push(("klein.geojson".to_string(), small.to_string()));
    out
}
