//! Open SDG files as offices publish them.

use crate::{Context, read_path};
use kimo_model::{Dataset, Problem};
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
