//! Open SDG files as offices publish them.

use crate::{Context, read_path};
use kimo_model::{Dataset, Period, Problem};
use std::path::PathBuf;

/// Writes `text` as `data/indicator_<id>.csv` in a fresh directory and reads the file.
fn read(id: &str, text: &str) -> (Dataset, Vec<Problem>, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    let p = data_file(&d, id, text);
    let (ds, problems) = read_path(&p, &Context::default());
    (ds, problems, d)
}

fn data_file(d: &tempfile::TempDir, id: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(d.path().join("data")).unwrap();
    let p = d.path().join("data").join(format!("indicator_{id}.csv"));
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn units_left_of_geocode_are_part_of_the_key() {
    let text = "Year,Land,Units,GeoCode,Value\n2005,Polen,Anzahl,K03101,352\n2005,Polen,Prozent,K03101,0\n";
    let (ds, problems, _d) = read("1-1", text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 2);
    let units: Vec<_> = ds
        .observations
        .iter()
        .map(|o| o.breakdown.get("units").unwrap_or("").to_string())
        .collect();
    assert_eq!(units, ["Anzahl", "Prozent"]);
    assert_ne!(ds.observations[0].breakdown, ds.observations[1].breakdown);
    assert_eq!(ds.observations[0].area, "K03101");
    assert_eq!(ds.observations[0].breakdown.get("land"), Some("Polen"));
}

#[test]
fn values_with_a_plus_sign_are_numbers() {
    let text = "Year,GeoCode,Value\n2005,01,+12.5\n2006,01,+3\n2007,01,-1.5\n";
    let (ds, problems, _d) = read("1-2", text);
    assert!(problems.is_empty(), "{problems:?}");
    let values: Vec<_> = ds.observations.iter().map(|o| o.value).collect();
    assert_eq!(values, [Some(12.5), Some(3.0), Some(-1.5)]);
    // German offices write a decimal comma; a file without points reads it so.
    let text = "Year,GeoCode,Value\n2005,01,\"+12,5\"\n2006,01,7\n";
    let (ds, problems, _d) = read("1-2", text);
    assert!(problems.is_empty(), "{problems:?}");
    let values: Vec<_> = ds.observations.iter().map(|o| o.value).collect();
    assert_eq!(values, [Some(12.5), Some(7.0)]);
}

#[test]
fn trailing_empty_header_columns_are_ignored() {
    let text = "Year,GeoCode,Value,,\n2005,01,12,,\n2006,01,13\n";
    let (ds, problems, _d) = read("1-3", text);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 2);
    assert!(ds.dimensions.is_empty());
}

#[test]
fn a_file_without_geocode_is_whole_area_data() {
    let text = "Year,SEX,Value\n2005,,100\n2005,F,55\n";
    let (ds, problems, _d) = read("1-4", text);
    assert!(problems.is_empty(), "{problems:?}");
    assert!(ds.observations.iter().all(|o| o.area.is_empty()));
    assert!(ds.auto_areas.is_empty());
}

#[test]
fn an_area_name_column_away_from_geocode_names_the_areas() {
    let text = "Year,Stadtteil,SEX,GeoCode,Value\n2005,Südstadt,F,03,10\n2005,Südstadt,M,03,11\n2005,Oststadt,F,07,12\n";
    let (ds, problems, _d) = read("1-5", text);
    assert!(problems.is_empty(), "{problems:?}");
    let names: Vec<_> = ds
        .auto_areas
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    assert_eq!(names, [("03", "Südstadt"), ("07", "Oststadt")]);
    assert_eq!(ds.dimensions.len(), 1, "only SEX is a disaggregation");
    assert_eq!(ds.observations[1].breakdown.get("sex"), Some("M"));
}

#[test]
fn free_text_years_are_labelled_periods_kept_verbatim() {
    let text = "Year,Units,GeoCode,Value\n2005,Anzahl,01,352\n WS 2005/06 ,Anzahl,01,12\n2024 / 2005,Prozent,01,4.5\nVeränderung 2024 zu 2005,Prozent,01,-3\n20244,Anzahl,01,1\n";
    let (ds, problems, _d) = read("1-6", text);
    assert!(problems.is_empty(), "{problems:?}");
    let periods: Vec<Period> = ds.observations.iter().map(|o| o.period.clone()).collect();
    assert_eq!(
        periods,
        [
            Period::Year(2005),
            Period::Label("WS 2005/06".into()),
            Period::Label("2024 / 2005".into()),
            Period::Label("Veränderung 2024 zu 2005".into()),
            Period::Label("20244".into()),
        ]
    );
    // Only an empty Year is refused, naming line and column.
    let (_, problems, _d) = read("1-7", "Year,GeoCode,Value\n,01,3\n");
    kimo_model::testing::assert_problem(&problems, "Zeile 2, Spalte 1", "leerer Zeitraum");
}

#[test]
fn withheld_and_uncertain_rows_without_value_are_observations() {
    let text = "Year,GeoCode,OBS_STATUS,Value\n2020,01,S,\n2021,01,U,\n2022,01,P,7\n2023,01,,.\n2024,01,,/\n2025,01,,\n2026,01,A,\n";
    let (ds, problems, _d) = read("1-8", text);
    assert!(problems.is_empty(), "{problems:?}");
    let got: Vec<(String, Option<f64>, String)> = ds
        .observations
        .iter()
        .map(|o| (o.period.code(), o.value, o.flags.code()))
        .collect();
    let want = [
        ("2020", None, "s"),
        ("2021", None, "u"),
        ("2022", Some(7.0), "p"),
        ("2023", None, "s"),
        ("2024", None, "u"),
    ];
    let want: Vec<(String, Option<f64>, String)> = want
        .iter()
        .map(|(p, v, f)| (p.to_string(), *v, f.to_string()))
        .collect();
    assert_eq!(
        got, want,
        "an empty value without S/U (2025, 2026) is no observation"
    );
}
