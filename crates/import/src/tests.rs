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

/// The fixtures of the German statistics notation (`tests/fixtures/notation/`).
fn notation_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/notation/{name}"))
}

/// A context with the city and three Stadtteile numbered like Karlsruhe's (`01`, `02`, `03`).
fn karlsruhe() -> Context {
    Context {
        areas: vec![
            area("KA", "Karlsruhe (Gesamtstadt)", None),
            area("01", "Innenstadt-Ost", Some("KA")),
            area("02", "Innenstadt-West", Some("KA")),
            area("03", "Südstadt", Some("KA")),
        ],
        indicator: Some("ARB-03".into()),
        ..Default::default()
    }
}

/// Observations as (period, area, value, flag code), in file order.
fn summary(ds: &Dataset) -> Vec<(String, String, Option<f64>, String)> {
    ds.observations
        .iter()
        .map(|o| (o.period.code(), o.area.clone(), o.value, o.flags.code()))
        .collect()
}

fn row(p: &str, a: &str, v: Option<f64>, f: &str) -> (String, String, Option<f64>, String) {
    (p.into(), a.into(), v, f.into())
}

#[test]
fn notation_in_a_long_csv_with_excel_columns_area_numbers_and_insgesamt() {
    let (ds, problems) = read_path(&notation_fixture("lang.csv"), &karlsruhe());
    assert!(problems.is_empty(), "{problems:?}");
    // `…` and `...` (2021 and 2022 in 01) are skipped: the figures come later.
    let expected = [
        row("2016", "01", None, "s"),
        row("2017", "01", None, "s"),
        row("2018", "01", Some(0.0), ""),
        row("2019", "01", Some(0.0), ""),
        row("2020", "01", None, "u"),
        row("2016", "02", Some(12.5), "u"),
        row("2017", "02", Some(12.3), "p"),
        row("2018", "02", Some(12.3), "p"),
        row("2019", "02", Some(12.3), "r"),
        row("2020", "02", Some(12.3), "r"),
        row("2021", "02", Some(7.5), "pbu"),
        row("2016", "KA", Some(9.1), ""),
        row("2017", "KA", Some(9.2), ""),
    ];
    assert_eq!(summary(&ds), expected);
}

#[test]
fn notation_in_a_wide_csv_in_windows_1252() {
    let (ds, problems) = read_path(&notation_fixture("breit.csv"), &karlsruhe());
    assert!(problems.is_empty(), "{problems:?}");
    let expected = [
        row("2019", "03", None, "s"),
        row("2020", "03", None, "u"),
        row("2021", "03", Some(3.5), "u"),
        row("2022", "03", Some(4.5), "p"),
        row("2019", "KA", Some(0.0), ""),
        row("2021", "KA", Some(5.0), "r"),
        row("2022", "KA", None, "s"),
    ];
    assert_eq!(summary(&ds), expected);
}

#[test]
fn notation_mistakes_are_german_messages_with_line_and_column() {
    let (_, problems) = read_path(&notation_fixture("fehler.csv"), &karlsruhe());
    let cases = [
        ("Zeile 2, Spalte 4", "'(12,5' ist keine Zahl"),
        ("Zeile 3, Spalte 4", "'12,3 q' ist keine Zahl"),
        (
            "Zeile 4, Spalte 6",
            "'7' steht in einer Spalte ohne Spaltenkopf",
        ),
        ("Zeile 5, Spalte 4", "Wert fehlt"),
    ];
    for (at, message) in cases {
        assert_problem(&problems, at, message);
    }
    assert_eq!(problems.len(), cases.len(), "{problems:?}");
}

#[test]
fn area_numbers_without_zero_and_insgesamt_resolve_to_codes() {
    let c = karlsruhe();
    let cases = [
        ("1", "01"),
        ("01", "01"),
        ("3", "03"),
        ("Insgesamt", "KA"),
        ("insgesamt", "KA"),
        ("INSGESAMT", "KA"),
        ("Südstadt", "03"),
        ("KA", "KA"),
        ("4", "4"),
        ("99", "99"),
    ];
    for (cell, code) in cases {
        assert_eq!(c.area_code(cell), code, "{cell}");
    }
}

/// An XLSX as offices send it: merged area cells, numbers as text, area numbers as numbers, the
/// notation, and formatted empty columns right of the table.
fn write_notation_xlsx(p: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    let blank = rust_xlsxwriter::Format::new().set_bold();
    s.write_row(0, 0, ["Gebiet", "Zeitraum", "Wert"]).unwrap();
    s.write_blank(0, 3, &blank).unwrap();
    s.write_blank(0, 4, &blank).unwrap();
    s.merge_range(1, 0, 4, 0, "", &rust_xlsxwriter::Format::new())
        .unwrap();
    s.write_number(1, 0, 1.0).unwrap();
    let values = ["12,5", "1.234", "(3,5)", "4,5 p"];
    for (i, v) in values.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_number(r, 1, 2016.0 + i as f64).unwrap();
        s.write_string(r, 2, *v).unwrap();
    }
    s.merge_range(5, 0, 6, 0, "Insgesamt", &rust_xlsxwriter::Format::new())
        .unwrap();
    for (i, v) in ["x", "–"].iter().enumerate() {
        let r = i as u32 + 5;
        s.write_string(r, 1, format!("{}", 2016 + i)).unwrap();
        s.write_string(r, 2, *v).unwrap();
        s.write_blank(r, 4, &blank).unwrap();
    }
    wb.save(p).unwrap();
}

#[test]
fn notation_in_xlsx_with_merged_cells_and_numbers_as_text() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("notation.xlsx");
    write_notation_xlsx(&p);
    let (ds, problems) = read_path(&p, &karlsruhe());
    assert!(problems.is_empty(), "{problems:?}");
    let expected = [
        row("2016", "01", Some(12.5), ""),
        row("2017", "01", Some(1234.0), ""),
        row("2018", "01", Some(3.5), "u"),
        row("2019", "01", Some(4.5), "p"),
        row("2016", "KA", None, "s"),
        row("2017", "KA", Some(0.0), ""),
    ];
    assert_eq!(summary(&ds), expected);
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

fn checks_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../tests/fixtures/checks/{name}"))
}

#[test]
fn decimal_comma_splitting_a_field_is_refused_trailing_empty_cells_are_not() {
    let p = checks_fixture("dezimalkomma.csv");
    let (ds, problems) = read_path(&p, &ctx());
    let hint = "steckt ein Dezimalkomma in einer Zahl? In einer mit Komma getrennten Datei wird 4,5 \
                zu zwei Feldern: dort 4.5 schreiben oder \"4,5\" in Anführungszeichen setzen";
    let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let file = p.display();
    assert_eq!(
        messages,
        [
            format!(
                "{file}: Zeile 3, Spalte 6: 'p' steht in einer Spalte ohne Spaltenkopf (die Zeile hat 6 Felder, der Kopf nur 5) – {hint}"
            ),
            format!(
                "{file}: Zeile 5, Spalte 7: 'x' steht in einer Spalte ohne Spaltenkopf (die Zeile hat 7 Felder, der Kopf nur 5) – {hint}"
            ),
            // The split number's second half lands in the flags column.
            format!(
                "{file}: Zeile 3, Spalte 5: unbekanntes Kennzeichen '5' (erlaubt: p vorläufig, e geschätzt, s geheim, b Zeitreihenbruch, d Demodaten, u unsicher, r berichtigt)"
            ),
        ]
    );
    // Line 4 has only empty cells beyond the header: read as it is.
    assert!(ds.observations.iter().any(|o| o.value == Some(3.0)));
    // Catalogue tables are checked too.
    let d = tempfile::tempdir().unwrap();
    let text = "code,name,uebergeordnet,ebene\nKA,Karlsruhe,,0\n01,Innenstadt,KA,1,5\n";
    let p = write(&d, "gebiete.csv", text.as_bytes());
    let (_, problems) = read_path(&p, &ctx());
    assert_problem(
        &problems,
        "Zeile 3, Spalte 5",
        "'5' steht in einer Spalte ohne Spaltenkopf (die Zeile hat 5 Felder, der Kopf nur 4)",
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
}

/// A workbook whose first sheet is hidden (an old version of the data) and whose second is shown.
fn write_hidden_sheet_xlsx(p: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let old = wb.add_worksheet().set_name("Alt").unwrap();
    old.write_row(0, 0, ["Indikator", "Zeitraum", "Gebiet", "Wert"])
        .unwrap();
    old.write_row(1, 0, ["ALQ", "2024", "11", "99"]).unwrap();
    old.set_hidden(true);
    let new = wb.add_worksheet().set_name("Daten").unwrap();
    new.write_row(0, 0, ["Indikator", "Zeitraum", "Gebiet", "Wert"])
        .unwrap();
    new.write_row(1, 0, ["ALQ", "2024", "11", "4,5"]).unwrap();
    // Excel cannot hide the active sheet: the second one is active.
    new.set_active(true);
    wb.save(p).unwrap();
}

#[test]
fn hidden_sheets_are_skipped_with_a_notice() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("daten.xlsx");
    write_hidden_sheet_xlsx(&p);
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 1);
    assert_eq!(ds.observations[0].value, Some(4.5));
    let notices: Vec<String> = ds.notices.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        notices,
        [format!(
            "{}: Tabellenblatt 'Alt' ist ausgeblendet und wird übersprungen (mit --sheet 'Alt' wird es gelesen)",
            p.display()
        )]
    );
    // Chosen by name, a hidden sheet is read.
    let chosen = Context {
        sheet: Some("Alt".into()),
        ..ctx()
    };
    let (ds, problems) = read_path(&p, &chosen);
    assert!(problems.is_empty() && ds.notices.is_empty(), "{problems:?}");
    assert_eq!(ds.observations[0].value, Some(99.0));
}

#[test]
fn old_mac_line_ends_are_read_as_lines() {
    let d = tempfile::tempdir().unwrap();
    let text = "indikator;zeitraum;gebiet;wert\rALQ;2023;11;4,5\r\rALQ;2024;11;zwei\r";
    let p = write(&d, "mac.csv", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert_eq!(ds.observations.len(), 1);
    assert_eq!(ds.observations[0].value, Some(4.5));
    assert_eq!(ds.observations[0].origin.as_ref().unwrap().line, 2);
    let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        messages,
        [format!(
            "{}: Zeile 4, Spalte 4: 'zwei' ist keine Zahl",
            p.display()
        )]
    );
}

#[test]
fn mixed_encodings_are_refused_at_the_first_invalid_byte() {
    let d = tempfile::tempdir().unwrap();
    let message = |byte: &str| {
        format!(
            "gemischte Zeichenkodierung: die Datei ist UTF-8, enthält hier aber das Byte 0x{byte}, das kein UTF-8 ist (wohl Windows-1252) – bitte die Datei einheitlich als UTF-8 speichern"
        )
    };
    // UTF-8 first (ü in Grünwinkel), a Windows-1252 ü in line 4.
    let mut bytes = "indikator;zeitraum;gebiet;wert\nALQ;2023;Grünwinkel;1\nALQ;2022;11;2\n"
        .as_bytes()
        .to_vec();
    bytes.extend(b"ALQ;2021;Gr\xfcnwinkel;3\n");
    let p = write(&d, "gemischt.csv", &bytes);
    let (ds, problems) = read_path(&p, &ctx());
    assert!(ds.observations.is_empty());
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [format!("{}: Zeile 4: {}", p.display(), message("FC"))]
    );
    // Windows-1252 first, UTF-8 later: the same.
    let mut bytes = b"indikator;zeitraum;gebiet;wert\nALQ;2023;Gr\xfcnwinkel;1\n".to_vec();
    bytes.extend("ALQ;2021;Grünwinkel;3\n".as_bytes());
    let p = write(&d, "gemischt2.csv", &bytes);
    let (_, problems) = read_path(&p, &ctx());
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [format!("{}: Zeile 2: {}", p.display(), message("FC"))]
    );
    // A BOM declares UTF-8: a stray byte is refused, not replaced.
    let p = write(
        &d,
        "bom.csv",
        b"\xef\xbb\xbfindikator;zeitraum;gebiet;wert\nALQ;2023;11;1\x96\n",
    );
    let (_, problems) = read_path(&p, &ctx());
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        text,
        [format!("{}: Zeile 2: {}", p.display(), message("96"))]
    );
}

#[test]
fn messages_quote_at_most_80_characters_of_a_cell() {
    let d = tempfile::tempdir().unwrap();
    let long = "Wert laut Amt ".repeat(10);
    let text =
        format!("indikator,zeitraum,gebiet,wert\nALQ,2023,11,{long}\nALQ,2024,11,1,{long}\n");
    let p = write(&d, "lang.csv", text.as_bytes());
    let (_, problems) = read_path(&p, &ctx());
    let cut: String = long.trim().chars().take(80).collect();
    assert_problem(
        &problems,
        "Zeile 2, Spalte 4",
        &format!("'{cut}…' ist keine Zahl"),
    );
    assert_problem(
        &problems,
        "Zeile 3, Spalte 5",
        &format!("'{cut}…' steht in einer Spalte ohne Spaltenkopf"),
    );
    assert!(
        problems.iter().all(|p| p.message.chars().count() < 400),
        "{problems:?}"
    );
}

/// A long CSV keeps a free-text period only where `period_kind` says `label`; elsewhere an unknown
/// period is a typo, refused with line and column.
#[test]
fn long_csv_labels_only_where_the_row_says_so() {
    let d = tempfile::tempdir().unwrap();
    let text = "indicator,period,period_kind,area,value\n\
                ALQ,WS 2005/06,label,KA,1\n\
                ALQ,2024,,KA,2\n\
                ALQ,2024 / 2005,Bezeichnung,KA,3\n\
                ALQ,2025,label,KA,4\n";
    let p = write(&d, "labels.csv", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    let periods: Vec<Period> = ds.observations.iter().map(|o| o.period.clone()).collect();
    assert_eq!(
        periods,
        [
            Period::Label("WS 2005/06".into()),
            Period::Year(2024),
            Period::Label("2024 / 2005".into()),
            Period::Year(2025),
        ]
    );
    let text = "indicator,period,period_kind,area,value\n\
                ALQ,20244,,KA,1\n\
                ALQ,2O24,,KA,2\n\
                ALQ,2024,jahr,KA,3\n";
    let p = write(&d, "typos.csv", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert_problem(&problems, "Zeile 2, Spalte 2", "'20244' ist kein Zeitraum");
    assert_problem(&problems, "Zeile 3, Spalte 2", "'2O24' ist kein Zeitraum");
    assert_problem(
        &problems,
        "Zeile 4, Spalte 3",
        "'jahr' ist keine Zeitraumart",
    );
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(ds.observations.is_empty());
    // Without the column, too; and wide tables take no free text as a period column.
    let text = "indicator,period,area,value\nALQ,WS 2005/06,KA,1\n";
    let p = write(&d, "plain.csv", text.as_bytes());
    let (_, problems) = read_path(&p, &ctx());
    assert_problem(
        &problems,
        "Zeile 2, Spalte 2",
        "braucht 'label' in der Spalte 'period_kind'",
    );
    let text = "indikator;gebiet;2024;2O25\nALQ;KA;1;2\n";
    let p = write(&d, "wide.csv", text.as_bytes());
    let (_, problems) = read_path(&p, &ctx());
    assert_problem(&problems, "Zeile 1, Spalte 4", "'2O25' ist kein Zeitraum");
}

/// kimo's long CSV writes `period_kind` only when a period is a label, and reads it back.
#[test]
fn long_csv_export_marks_labels_and_reads_them_back() {
    let obs = |p: Period, v: f64| kimo_model::Observation {
        indicator: "ALQ".into(),
        period: p,
        area: "KA".into(),
        breakdown: kimo_model::Breakdown::total(),
        value: Some(v),
        numerator: None,
        denominator: None,
        flags: kimo_model::Flags::default(),
        origin: None,
    };
    let written = vec![
        obs(Period::Year(2024), 1.0),
        obs(Period::Label("=2024 / 2005".into()), 2.0),
    ];
    let mut out = Vec::new();
    export::write_long(&mut out, &written, &[], export::CsvStyle::Machine).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("indicator,period,period_kind,area,"),
        "{text}"
    );
    assert!(text.contains("ALQ,'=2024 / 2005,label,KA,2,"), "{text}");
    let d = tempfile::tempdir().unwrap();
    let p = write(&d, "back.csv", text.as_bytes());
    let (ds, problems) = read_path(&p, &ctx());
    assert!(problems.is_empty(), "{problems:?}");
    let periods: Vec<Period> = ds.observations.iter().map(|o| o.period.clone()).collect();
    assert_eq!(
        periods,
        [written[0].period.clone(), written[1].period.clone()]
    );
    let mut out = Vec::new();
    export::write_long(&mut out, &written[..1], &[], export::CsvStyle::Machine).unwrap();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .starts_with("indicator,period,area,")
    );
}

#[test]
fn a_stray_cell_far_from_the_table_is_refused_at_once() {
    // Found by the xlsx fuzz target: a cell far below the table (A2222222) made the sheet one block
    // of millions of rows, read for seconds; one in XFD1048576 would need billions of cells.
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("verirrt.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.write_row(0, 0, ["indikator", "zeitraum", "gebiet", "wert"])
        .unwrap();
    s.write_row(1, 0, ["ALQ", "2024", "11", "4,5"]).unwrap();
    s.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&p).unwrap();
    let started = std::time::Instant::now();
    let (ds, problems) = read_path(&p, &ctx());
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(ds.observations.is_empty());
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].message.contains(
            "die gefüllten Zellen reichen von A1 bis XFD1048576 (17.179.869.184 Zellen, höchstens 5.000.000 lesbar)"
        ),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_merged_region_beyond_the_table_adds_no_rows() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("verbunden.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.write_row(0, 0, ["Gebiet", "Zeitraum", "Wert"]).unwrap();
    s.merge_range(1, 0, 20_000, 0, "11", &rust_xlsxwriter::Format::new())
        .unwrap();
    s.write_row(1, 1, ["2023", "4,5"]).unwrap();
    s.write_row(2, 1, ["2024", "4,7"]).unwrap();
    wb.save(&p).unwrap();
    let mut c = ctx();
    c.indicator = Some("ALQ".into());
    let (ds, problems) = read_path(&p, &c);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(ds.observations.len(), 2);
    assert!(ds.observations.iter().all(|o| o.area == "11"));
}
