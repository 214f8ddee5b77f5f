//! The `kimo` binary on real SQLite files: imports of real office formats, rejection, round trips.

mod common;
use common::{Server, kimo, kimo_ok, shared};
use kimo_store::testing::TestDb;

fn catalogue(db: &str) {
    let root = env!("CARGO_MANIFEST_DIR");
    let files: Vec<String> = ["handlungsfelder", "merkmale", "gebiete", "indikatoren"]
        .iter()
        .map(|f| format!("{root}/examples/katalog/{f}.csv"))
        .collect();
    let args: Vec<&str> = std::iter::once("import")
        .chain(files.iter().map(String::as_str))
        .collect();
    let out = kimo_ok(db, &args);
    assert!(out.contains("Indikatoren: 39 neu"), "{out}");
}

#[test]
fn open_sdg_samples_import() {
    let Some(dir) = shared("open-sdg-sample/open-sdg") else {
        return;
    };
    for t in TestDb::all("open_sdg_samples_import") {
        let db = t.url.as_str();
        let out = kimo_ok(db, &["import", dir.to_str().unwrap()]);
        assert!(out.contains("1-1-1"), "{out}");
        assert!(out.contains("Summe"), "{out}");
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(
            csv.starts_with("indicator,period,area,sex,value,numerator,denominator,flags\n"),
            "{csv}"
        );
        assert!(csv.contains("1-1-1,2021,gesamt,M,60,,,"), "{csv}");
        assert!(csv.contains("1-2-1,2020,E12000001,,100,,,"), "{csv}");
        // The sample with GeoCodes and region names: areas named after the Region column.
        let Some(f) = shared("open-sdg-sample/data/csv-with-geocodes/indicator_1-1-1.csv") else {
            return;
        };
        kimo_ok(db, &["import", f.to_str().unwrap()]);
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(csv.contains("1-1-1,2011,E12000007,,30,,,"), "{csv}");
    }
}

#[test]
fn german_excel_csv_windows_1252() {
    let t = tempfile::tempdir().unwrap();
    for tdb in TestDb::all("german_excel_csv_windows_1252") {
        let db = tdb.url.as_str();
        catalogue(db);
        let text = "Indikator;Zeitraum;Gebiet;Staatsangehörigkeit;Geschlecht;Wert;Zähler;Nenner;Kennzeichen\r\n\
                ARB-03;2024;Grünwinkel;nichtdeutsch;;12,5;1.234;9.872;vorläufig\r\n\
                ARB-03;2. Halbjahr 2024;Mühlburg;;weiblich;4,25;;;\r\n\
                KIT-02;2023;KA;;;1.005,75;;;\r\n\
                ARB-03;2022;Rüppurr;;;.;;;\r\n";
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the file really is Windows-1252"
        );
        let f = t.path().join("arbeitslose.csv");
        std::fs::write(&f, &bytes).unwrap();
        let out = kimo_ok(db, &["import", f.to_str().unwrap()]);
        assert!(out.contains("ARB-03") && out.contains("4"), "{out}");
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(
            csv.contains("ARB-03,2024,11,,nichtdeutsch,12.5,1234,9872,p\n"),
            "{csv}"
        );
        assert!(csv.contains("ARB-03,2024-H2,08,w,,4.25,,,\n"), "{csv}");
        // KIT-02 may exceed 100 % (ueber_100_moeglich).
        assert!(csv.contains("KIT-02,2023,KA,,,1005.75,,,\n"), "{csv}");
        assert!(csv.contains("ARB-03,2022,15,,,,,,s\n"), "{csv}");
    }
}

#[test]
fn broken_file_is_rejected_with_line_numbers_and_nothing_is_written() {
    let t = tempfile::tempdir().unwrap();
    for tdb in TestDb::all("broken_file_is_rejected_with_line_numbers_and_nothing_is_written") {
        let db = tdb.url.as_str();
        catalogue(db);
        let good = t.path().join("gut.csv");
        std::fs::write(
            &good,
            "indikator;zeitraum;gebiet;wert\nARB-03;2024;01;5,5\n",
        )
        .unwrap();
        kimo_ok(db, &["import", good.to_str().unwrap()]);
        let before = kimo_ok(db, &["export", "--format", "csv", "-"]);

        // Line 1 has a wrong column, line 7 a non-number, line 9 an unknown area.
        let bad = t.path().join("kaputt.csv");
        let mut text = String::from("indikator;zeitraum;gebiet;farbe;wert\n");
        for (i, area) in ["01", "02", "03", "04", "05"].iter().enumerate() {
            text.push_str(&format!("ARB-03;2020;{area};;{},5\n", i + 1));
        }
        text.push_str("ARB-03;2020;06;;sieben\n");
        text.push_str("ARB-03;2020;07;;7,5\n");
        text.push_str("ARB-03;2020;99;;8,5\n");
        std::fs::write(&bad, text).unwrap();
        let out = kimo(
            db,
            &["import", good.to_str().unwrap(), bad.to_str().unwrap()],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("kaputt.csv: Zeile 1, Spalte 4: unbekannte Spalte 'farbe'"),
            "{err}"
        );
        assert!(
            err.contains("kaputt.csv: Zeile 7, Spalte 5: 'sieben' ist keine Zahl"),
            "{err}"
        );
        assert!(
            err.contains("kaputt.csv: Zeile 9, Spalte 3: unbekanntes Gebiet '99'"),
            "{err}"
        );
        assert!(err.contains("nichts wurde geschrieben"), "{err}");
        assert_eq!(kimo_ok(db, &["export", "--format", "csv", "-"]), before);

        // --keep-going imports the clean file and lists the rejected one.
        std::fs::write(
            &good,
            "indikator;zeitraum;gebiet;wert\nARB-03;2024;01;6,5\n",
        )
        .unwrap();
        let out = kimo(
            db,
            &[
                "import",
                "--keep-going",
                good.to_str().unwrap(),
                bad.to_str().unwrap(),
            ],
        );
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("kaputt.csv: abgelehnt"), "{err}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("Import gespeichert"), "{stdout}");
        let after = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(after.contains("ARB-03,2024,01,6.5,,,"), "{after}");
    }
}

#[test]
fn dry_run_summarises_and_correction_keeps_history() {
    let t = tempfile::tempdir().unwrap();
    for tdb in TestDb::all("dry_run_summarises_and_correction_keeps_history") {
        let db = tdb.url.as_str();
        catalogue(db);
        let f = t.path().join("a.csv");
        std::fs::write(
            &f,
            "indikator;zeitraum;gebiet;wert\nARB-03;2024;01;5,5\nARB-03;2023;01;5,0\n",
        )
        .unwrap();
        kimo_ok(db, &["import", f.to_str().unwrap()]);
        std::fs::write(&f, "indikator;zeitraum;gebiet;wert\nARB-03;2024;01;5,7\nARB-03;2023;01;5,0\nARB-03;2022;01;4,0\n").unwrap();
        let out = kimo_ok(db, &["import", "--dry-run", f.to_str().unwrap()]);
        assert!(
            out.contains("ARB-03                  1          1            1"),
            "{out}"
        );
        assert!(out.contains("nichts wurde geschrieben"), "{out}");
        assert!(kimo_ok(db, &["export", "--format", "csv", "-"]).contains("ARB-03,2024,01,5.5,"));
        kimo_ok(db, &["import", "--user", "statistik", f.to_str().unwrap()]);
        assert!(kimo_ok(db, &["export", "--format", "csv", "-"]).contains("ARB-03,2024,01,5.7,"));
    }
}

#[test]
fn import_export_import_gives_identical_observations() {
    let t = tempfile::tempdir().unwrap();
    for ta in TestDb::all("import_export_import") {
        let again = || {
            if ta.label == "SQLite" {
                TestDb::sqlite()
            } else {
                TestDb::postgres("import_export_import").expect("configured")
            }
        };
        let (tb, tc) = (again(), again());
        let (a, b, c) = (ta.url.as_str(), tb.url.as_str(), tc.url.as_str());
        kimo_ok(a, &["demo"]);
        let csv_a = t.path().join("a.csv");
        let xlsx = t.path().join("katalog.xlsx");
        kimo_ok(a, &["export", "--format", "csv", csv_a.to_str().unwrap()]);
        kimo_ok(
            a,
            &["export", "--format", "catalogue", xlsx.to_str().unwrap()],
        );

        // Long CSV with the catalogue workbook into an empty database.
        kimo_ok(
            b,
            &["import", xlsx.to_str().unwrap(), csv_a.to_str().unwrap()],
        );
        let csv_b = t.path().join("b.csv");
        kimo_ok(b, &["export", "--format", "csv", csv_b.to_str().unwrap()]);
        let (sa, sb) = (
            std::fs::read(&csv_a).unwrap(),
            std::fs::read(&csv_b).unwrap(),
        );
        assert!(sa.len() > 1_000_000);
        assert!(sa == sb, "long CSV round trip differs");

        // Open SDG directory into an empty database: same values, flags, areas and breakdowns
        // (Open SDG has no numerator and denominator columns).
        let dir = t.path().join("open-sdg");
        kimo_ok(
            a,
            &["export", "--format", "open-sdg", dir.to_str().unwrap()],
        );
        kimo_ok(c, &["import", dir.to_str().unwrap()]);
        let csv_c = kimo_ok(c, &["export", "--format", "csv", "-"]);
        let strip = |s: &str| -> Vec<String> {
            s.lines()
                .map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    let n = f.len();
                    [&f[..n - 3], &f[n - 1..]].concat().join(",")
                })
                .collect()
        };
        let (la, lc) = (strip(&String::from_utf8(sa).unwrap()), strip(&csv_c));
        assert_eq!(la.len(), lc.len());
        assert!(la == lc, "Open SDG round trip differs");
    }
}

#[test]
fn the_examples_in_the_repository_import() {
    for tdb in TestDb::all("the_examples_in_the_repository_import") {
        let db = tdb.url.as_str();
        catalogue(db);
        let ex = |f: &str| format!("{}/examples/{f}", env!("CARGO_MANIFEST_DIR"));
        let out = kimo_ok(db, &["import", &ex("stadtteile.geojson")]);
        assert!(out.contains("Gebiete: 0 neu, 27 aktualisiert"), "{out}");
        let out = kimo_ok(db, &["import", &ex("daten-lang.csv")]);
        assert!(out.contains("ARB-03                  7"), "{out}");
        let out = kimo_ok(
            db,
            &["import", "--indicator", "ARB-03", &ex("daten-breit.csv")],
        );
        assert!(out.contains("ARB-03                 25"), "{out}");
        let xlsx = ex("katalog.xlsx");
        let x = TestDb::sqlite();
        let out = kimo_ok(&x.url, &["import", &xlsx]);
        assert!(
            out.contains("Indikatoren: 39 neu") && out.contains("Gebiete: 28 neu"),
            "{out}"
        );
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(
            csv.contains("ARB-03,2024,19,,nichtdeutsch,9.4,,,\n"),
            "{csv}"
        );
        assert!(csv.contains("ARB-03,2024,15,,nichtdeutsch,,,,s\n"), "{csv}");
        assert!(csv.contains("ARB-03,2022,07,,,7.5,,,\n"), "{csv}");
    }
}

/// A workbook as offices send it: a merged area cell with a number, numbers as text, the notation.
fn notation_workbook(path: &std::path::Path) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    let plain = rust_xlsxwriter::Format::new();
    s.write_row(0, 0, ["Indikator", "Zeitraum", "Gebiet", "Wert"])
        .unwrap();
    s.merge_range(1, 2, 3, 2, "", &plain).unwrap();
    s.write_number(1, 2, 5.0).unwrap();
    // KIT-02 may exceed 100 % (ueber_100_moeglich).
    let rows = [
        ("ARB-03", 2016, "(2,5)"),
        ("ARB-03", 2017, "3,5 r"),
        ("KIT-02", 2018, "1.234"),
    ];
    for (i, (code, year, value)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        s.write_row(r, 0, [*code, &year.to_string()]).unwrap();
        s.write_string(r, 3, *value).unwrap();
    }
    s.write_row(4, 0, ["ARB-03", "2012", "Insgesamt", "/"])
        .unwrap();
    wb.save(path).unwrap();
}

#[test]
fn notation_fixtures_survive_export_and_import() {
    let t = tempfile::tempdir().unwrap();
    let fixture = |f: &str| format!("{}/tests/fixtures/notation/{f}", env!("CARGO_MANIFEST_DIR"));
    let xlsx = t.path().join("notation.xlsx");
    notation_workbook(&xlsx);
    for ta in TestDb::all("notation_round_trip") {
        let again = || {
            if ta.label == "SQLite" {
                TestDb::sqlite()
            } else {
                TestDb::postgres("notation_round_trip").expect("configured")
            }
        };
        let (tb, tc) = (again(), again());
        let (a, b, c) = (ta.url.as_str(), tb.url.as_str(), tc.url.as_str());
        catalogue(a);
        kimo_ok(a, &["import", &fixture("lang.csv"), xlsx.to_str().unwrap()]);
        kimo_ok(
            a,
            &["import", "--indicator", "ARB-03", &fixture("breit.csv")],
        );
        let csv_a = kimo_ok(a, &["export", "--format", "csv", "-"]);
        for line in [
            "ARB-03,2016,01,,,,s",
            "ARB-03,2018,01,0,,,",
            "ARB-03,2020,01,,,,u",
            "ARB-03,2016,02,12.5,,,u",
            "ARB-03,2017,02,12.3,,,p",
            "ARB-03,2019,02,12.3,,,r",
            "ARB-03,2021,02,7.5,,,pbu",
            "ARB-03,2017,KA,9.2,,,",
            "ARB-03,2021,03,3.5,,,u",
            "ARB-03,2021,KA,5,,,r",
            "ARB-03,2016,05,2.5,,,u",
            "ARB-03,2017,05,3.5,,,r",
            "KIT-02,2018,05,1234,,,",
            "ARB-03,2012,KA,,,,u",
        ] {
            assert!(csv_a.contains(&format!("{line}\n")), "{line} in\n{csv_a}");
        }
        assert!(!csv_a.contains("ARB-03,2021,01,"), "… is skipped: {csv_a}");

        // The pages show the flags in words.
        let server = Server::start(&["--database", a], &[]);
        let (status, page) = server.get("/indikatoren/ARB-03?gebiet=02");
        assert_eq!(status, 200, "{page}");
        for words in [
            "unsicher",
            "vorläufig",
            "berichtigt",
            "vorläufig, Zeitreihenbruch, unsicher",
        ] {
            assert!(page.contains(words), "{words} on the page");
        }
        drop(server);

        // Long CSV into a second database: the same export, byte for byte.
        let file_a = t.path().join(format!("notation-{}.csv", ta.label));
        std::fs::write(&file_a, &csv_a).unwrap();
        catalogue(b);
        kimo_ok(b, &["import", file_a.to_str().unwrap()]);
        assert_eq!(kimo_ok(b, &["export", "--format", "csv", "-"]), csv_a);

        // Open SDG (flags in OBS_STATUS) into an empty database: the same observations, those without
        // a value too (empty `Value`, `OBS_STATUS` `S` or `U`).
        let dir = t.path().join(format!("open-sdg-{}", ta.label));
        kimo_ok(
            a,
            &["export", "--format", "open-sdg", dir.to_str().unwrap()],
        );
        let status = std::fs::read_to_string(dir.join("data/indicator_ARB-03.csv")).unwrap();
        assert!(
            status.contains("OBS_STATUS") && status.contains(",PBU,"),
            "{status}"
        );
        assert!(
            status.contains(",S,\n") && status.contains(",U,\n"),
            "{status}"
        );
        kimo_ok(c, &["import", dir.to_str().unwrap()]);
        assert_eq!(kimo_ok(c, &["export", "--format", "csv", "-"]), csv_a);
    }
}

#[test]
fn open_sdg_duplicate_rows_once_or_refused() {
    let t = tempfile::tempdir().unwrap();
    let same = t.path().join("indicator_9-1.csv");
    std::fs::write(&same, "Year,GeoCode,Value\n2020,,10\n2021,,11\n2020,,10\n").unwrap();
    let other = t.path().join("indicator_9-2.csv");
    std::fs::write(&other, "Year,GeoCode,Value\n2020,,10\n2020,,12\n").unwrap();
    for tdb in TestDb::all("open_sdg_duplicate_rows_once_or_refused") {
        let db = tdb.url.as_str();
        let out = kimo_ok(db, &["import", same.to_str().unwrap()]);
        assert!(
            out.contains("Zeile 4") && out.contains("wiederholt Zeile 2; einmal übernommen"),
            "{out}"
        );
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert_eq!(csv.matches("9-1,2020,").count(), 1, "{csv}");
        let out = kimo(db, &["import", other.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Zeile 3 widerspricht Zeile 2") && err.contains("12 statt 10"),
            "{err}"
        );
    }
}

#[test]
fn open_sdg_directory_keep_going_writes_clean_files_and_names_broken_ones() {
    let t = tempfile::tempdir().unwrap();
    let data = t.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("indicator_7-1.csv"),
        "Year,Units,Value\n2020,Anzahl,+12\n2021,Anzahl,13\n",
    )
    .unwrap();
    let mut bad = String::from("Year,GeoCode,Value\n");
    // Free text in `Year` is a labelled period; an empty one is wrong.
    for _ in 0..5 {
        bad.push_str(",,1\n");
    }
    bad.push_str("2020,,zwölf\n");
    std::fs::write(data.join("indicator_7-2.csv"), bad).unwrap();
    let dir = t.path().to_str().unwrap();
    for tdb in TestDb::all("open_sdg_directory_keep_going") {
        let db = tdb.url.as_str();
        let out = kimo(db, &["import", "--keep-going", dir]);
        assert!(!out.status.success(), "a rejected file fails the command");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("indicator_7-2.csv: abgelehnt (6 Probleme, nichts geschrieben)"),
            "{err}"
        );
        assert!(
            err.contains("indicator_7-2.csv: Zeilen 2–6, Spalte 1: "),
            "{err}"
        );
        assert!(err.contains("leerer Zeitraum"), "{err}");
        assert!(err.contains("indicator_7-2.csv: Zeile 7"), "{err}");
        assert!(err.contains("1 von 2 Dateien abgelehnt"), "{err}");
        let csv = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert!(csv.contains("7-1,2020,gesamt,Anzahl,12,,,"), "{csv}");
        assert!(!csv.contains("7-2,"), "{csv}");
        // Without --keep-going the directory stays all or nothing.
        let out = kimo(tdb.url.as_str(), &["import", dir]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("nichts wurde geschrieben"));
    }
}

#[test]
fn a_file_larger_than_a_chunk_is_checked_across_chunks() {
    let t = tempfile::tempdir().unwrap();
    for tdb in TestDb::all("a_file_larger_than_a_chunk_is_checked_across_chunks") {
        let db = tdb.url.as_str();
        catalogue(db);
        // 9,600 rows: more than one chunk of the streaming reader (8,192 rows).
        let mut rows = Vec::new();
        for area in ["01", "02", "03", "04", "05", "06", "07", "08"] {
            for year in 2000..2100 {
                for month in 1..=12 {
                    rows.push(format!("ARB-03;{year}-{month:02};{area};{},5", month % 10));
                }
            }
        }
        let head = "indikator;zeitraum;gebiet;wert\n";
        let mut text = format!("{head}{}\n", rows.join("\n"));
        // Line 9,602 repeats line 2 exactly, line 9,603 contradicts line 3, line 9,000 is no number.
        text.push_str(&format!("{}\n", rows[0]));
        text.push_str("ARB-03;2000-02;01;9,5\n");
        let broken = text.replacen(
            &format!("\n{}\n", rows[8998]),
            "\nARB-03;2090-01;08;sieben\n",
            1,
        );
        let f = t.path().join("gross.csv");
        std::fs::write(&f, &broken).unwrap();
        let out = kimo(db, &["import", f.to_str().unwrap()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("Zeile 9000, Spalte 4: 'sieben' ist keine Zahl"),
            "{err}"
        );
        assert!(
            err.contains(
                "Zeile 9603, Spalte 3: doppelter Schlüssel: Zeile 9603 widerspricht Zeile 3 (9.5 statt 2.5"
            ),
            "{err}"
        );
        assert!(!kimo_ok(db, &["export", "--format", "csv", "-"]).contains("ARB-03,2000-01,01"));
        // Without the contradiction and the broken number: written once, the repetition noticed.
        let clean = text.replace("ARB-03;2000-02;01;9,5\n", "");
        std::fs::write(&f, clean).unwrap();
        let out = kimo_ok(db, &["import", f.to_str().unwrap()]);
        assert!(
            out.contains("Zeile 9602 wiederholt Zeile 2; einmal übernommen"),
            "{out}"
        );
        assert!(out.contains("ARB-03               9600"), "{out}");
    }
}
