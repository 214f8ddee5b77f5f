//! Reader tests on real files written to a temporary directory and on the shared Open SDG samples.

use super::*;
use kimo_model::Period;
use kimo_model::testing::{area, assert_problem, dimension, shared_data as shared};
use std::path::PathBuf;

fn ctx() -> Context {
    Context {
        dimensions: vec![dimension(
            "staatsangehoerigkeit",
            "Staatsangehörigkeit",
            &[("deutsch", "Deutsch"), ("nichtdeutsch", "Nichtdeutsch")],
        )],
        areas: vec![
            area("KA", "Karlsruhe", None),
            area("11", "Grünwinkel", Some("KA")),
        ],
        ..Default::default()
    }
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn german_excel_csv_in_windows_1252() {
    let d = tempfile::tempdir().unwrap();
    let text = "Indikator;Zeitraum;Gebiet;Staatsangehörigkeit;Wert;Zähler;Nenner;Kennzeichen\r\n\
                ALQ;2024;Grünwinkel;Nichtdeutsch;12,5;1.234;9.872;p\r\n\
                ALQ;2. Halbjahr 2024;11;;4,25;;;\r\n\
                ALQ;2023;KA;;.;;;\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let p = write(&d, "alq.csv", &bytes);
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 3);
    let o = &ds.observations[0];
    assert_eq!(o.area, "11");
    assert_eq!(o.value, Some(12.5));
    assert_eq!(o.numerator, Some(1234.0));
    assert_eq!(o.denominator, Some(9872.0));
    assert!(o.flags.provisional);
    assert_eq!(
        o.breakdown.get("staatsangehoerigkeit"),
        Some("nichtdeutsch")
    );
    assert_eq!(ds.observations[1].period, Period::Half(2024, 2));
    assert_eq!(ds.observations[2].value, None);
    assert!(ds.observations[2].flags.suppressed);
}

#[test]
fn problems_name_file_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    let text = "indikator;zeitraum;gebiet;farbe;wert\nALQ;2024;11;rot;1\nALQ;2024x;11;rot;zwei\n";
    let p = write(&d, "bad.csv", text.as_bytes());
    let (_, problems) = read_path(&p, &ctx());
    assert_problem(&problems, "Zeile 1, Spalte 4", "unbekannte Spalte 'farbe'");
    assert_problem(&problems, "Zeile 3, Spalte 2", "2024x");
    assert_problem(&problems, "Zeile 3, Spalte 5", "'zwei' ist keine Zahl");
}

#[test]
fn wide_table_with_periods_as_columns() {
    let d = tempfile::tempdir().unwrap();
    let text =
        "Gebiet;Staatsangehörigkeit;2022;2023;Schuljahr 2023/24\nGrünwinkel;nichtdeutsch;1,5;.;2\n";
    let p = write(&d, "wide.csv", text.as_bytes());
    let c = Context {
        indicator: Some("X".into()),
        ..ctx()
    };
    let (ds, problems) = read_path(&p, &c);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 3);
    assert_eq!(ds.observations[0].value, Some(1.5));
    assert!(ds.observations[1].flags.suppressed);
    assert_eq!(ds.observations[2].period, Period::SchoolYear(2023));
    assert_eq!(ds.observations[2].origin.as_ref().unwrap().column, 5);
}

#[test]
fn xlsx_long_format_and_catalogue_workbook() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("daten.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for (c, h) in ["indikator", "zeitraum", "gebiet", "wert"]
        .iter()
        .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    s.write_string(1, 0, "ALQ").unwrap();
    s.write_number(1, 1, 2024.0).unwrap();
    s.write_string(1, 2, "11").unwrap();
    s.write_number(1, 3, 7.25).unwrap();
    wb.save(&p).unwrap();
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations[0].period, Period::Year(2024));
    assert_eq!(ds.observations[0].value, Some(7.25));

    let p = d.path().join("katalog.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet().set_name("Handlungsfelder").unwrap();
    s.write_row(0, 0, ["handlungsfeld", "name"]).unwrap();
    s.write_row(1, 0, ["arbeit", "Arbeit"]).unwrap();
    let s = wb.add_worksheet().set_name("Indikatoren").unwrap();
    s.write_row(
        0,
        0,
        [
            "code",
            "name",
            "handlungsfeld",
            "einheit",
            "polaritaet",
            "kernindikator",
        ],
    )
    .unwrap();
    s.write_row(
        1,
        0,
        [
            "ALQ",
            "Arbeitslosenquote",
            "arbeit",
            "%",
            "lower-better",
            "ja",
        ],
    )
    .unwrap();
    let s = wb.add_worksheet().set_name("Merkmale").unwrap();
    s.write_row(
        0,
        0,
        ["merkmal", "merkmal_name", "auspraegung", "auspraegung_name"],
    )
    .unwrap();
    s.write_row(1, 0, ["geschlecht", "Geschlecht", "w", "weiblich"])
        .unwrap();
    wb.save(&p).unwrap();
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.action_fields.len(), 1);
    assert_eq!(ds.indicators[0].polarity, kimo_model::Polarity::LowerBetter);
    assert!(ds.indicators[0].core);
    assert_eq!(ds.dimensions[0].categories[0].name, "weiblich");
}

#[test]
fn open_sdg_samples() {
    let Some(dir) = shared("open-sdg-sample/open-sdg") else {
        return;
    };
    let (ds, problems) = read_path(&dir, &Context::default());
    assert!(problems.is_empty(), "{problems:?}");
    // indicator_1-1-1: 6 rows with SEX; indicator_1-2-1: one row with a GeoCode.
    let a: Vec<_> = ds
        .observations
        .iter()
        .filter(|o| o.indicator == "1-1-1")
        .collect();
    assert_eq!(a.len(), 6);
    assert_eq!(a[2].breakdown.get("sex"), Some("M"));
    assert_eq!(a[0].area, "");
    let b: Vec<_> = ds
        .observations
        .iter()
        .filter(|o| o.indicator == "1-2-1")
        .collect();
    assert_eq!(b[0].area, "E12000001");
    assert_eq!(ds.auto_areas[0].code, "E12000001");
    assert_eq!(ds.indicators.len(), 2);

    let Some(f) = shared("open-sdg-sample/data/csv-with-geocodes/indicator_1-1-1.csv") else {
        return;
    };
    let (ds, problems) = read_path(&f, &Context::default());
    assert!(problems.is_empty(), "{problems:?}");
    let london = ds
        .auto_areas
        .iter()
        .find(|a| a.code == "E12000007")
        .unwrap();
    assert_eq!(london.name, "London");
    assert!(
        ds.dimensions.is_empty(),
        "Region names the area, it is no disaggregation"
    );
}

#[test]
fn geojson_boundaries_match_areas_by_number() {
    let d = tempfile::tempdir().unwrap();
    let text = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"Stadtteilnummer":11,"Stadtteilname":"Grünwinkel"},
       "geometry":{"type":"Polygon","coordinates":[[[8.3,49.0],[8.4,49.0],[8.4,49.1],[8.3,49.0]]]}},
      {"type":"Feature","properties":{"Stadtteilnummer":28,"Stadtteilname":"Neu"},
       "geometry":{"type":"Point","coordinates":[8.3,49.0]}}]}"#;
    let p = write(&d, "st.geojson", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert_eq!(ds.areas[0].code, "11");
    assert!(ds.areas[0].geometry.as_ref().unwrap().contains("Polygon"));
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("Feature 2"));
}

#[test]
fn non_finite_numbers_are_refused_with_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    let text = "indikator,zeitraum,gebiet,wert,zaehler\n\
                ALQ,2021,11,NaN,\nALQ,2022,11,inf,\nALQ,2023,11,-Infinity,\nALQ,2024,11,1,INF\n";
    let p = write(&d, "unendlich.csv", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert!(
        ds.observations
            .iter()
            .all(|o| o.value.is_none_or(f64::is_finite))
    );
    assert_problem(
        &problems,
        "Zeile 2, Spalte 4",
        "'NaN' ist keine endliche Zahl",
    );
    assert_problem(
        &problems,
        "Zeile 3, Spalte 4",
        "'inf' ist keine endliche Zahl",
    );
    assert_problem(
        &problems,
        "Zeile 4, Spalte 4",
        "'-Infinity' ist keine endliche Zahl",
    );
    assert_problem(
        &problems,
        "Zeile 5, Spalte 5",
        "'INF' ist keine endliche Zahl",
    );
}
