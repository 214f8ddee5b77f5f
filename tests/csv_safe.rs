//! CSV injection: formula-like names and codes come out of every CSV with a leading `'`, numbers
//! stay numbers, and `kimo import` reads an export back unchanged.

mod common;
use common::{Server, kimo_ok};
use kimo_store::testing::TestDb;

/// A catalogue and data whose texts a spreadsheet would run as formulas.
fn write_files(dir: &std::path::Path) -> Vec<String> {
    let files = [
        (
            "handlungsfelder.csv",
            "handlungsfeld;name;beschreibung;reihenfolge\narbeit;@SUM(A1);-2+3;1\n",
        ),
        (
            "gebiete.csv",
            "code;name;uebergeordnet;ebene\nKA;Stadt;;0\n01;=HYPERLINK(\"http://x\");KA;1\n02;Nord;KA;1\n",
        ),
        (
            "merkmale.csv",
            "merkmal;merkmal_name;auspraegung;auspraegung_name\ngruppe;Gruppe;-2+3;@SUM(A1)\n",
        ),
        (
            "indikatoren.csv",
            "code;name;handlungsfeld;definition;zaehler;nenner;einheit;polaritaet;quelle;amt;periodizitaet;kernindikator;veroeffentlicht;hinweise;ueber_100_moeglich\n\
             ARB-01;+1+1;arbeit;d;;;je 1.000;lower-better;=1+1;amt;year;ja;ja;;nein\n",
        ),
        (
            "daten.csv",
            "indikator;zeitraum;gebiet;gruppe;wert\n\
             ARB-01;2023;01;;-1,5\nARB-01;2024;01;;2,5\nARB-01;2024;02;;3\nARB-01;2024;KA;;2\n\
             ARB-01;2024;01;-2+3;4\n",
        ),
    ];
    files
        .iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p.to_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn formulas_are_neutralised_in_every_csv() {
    let t = tempfile::tempdir().unwrap();
    let files = write_files(t.path());
    for (n, tdb) in TestDb::all("formulas_are_neutralised_in_every_csv")
        .into_iter()
        .enumerate()
    {
        let db = tdb.url.as_str();
        let mut args = vec!["import"];
        args.extend(files[..4].iter().map(String::as_str));
        kimo_ok(db, &args);
        kimo_ok(db, &["import", &files[4]]);

        let csv = kimo_ok(db, &["export", "--format", "csv-de", "-"]);
        assert!(csv.contains("ARB-01;2024;01;'-2+3;4;;;"), "{csv}");
        assert!(csv.contains("ARB-01;2023;01;;-1,5;;;"), "{csv}");

        // The machine CSV reads back unchanged.
        let a = t.path().join(format!("{n}-a.csv"));
        kimo_ok(db, &["export", "--format", "csv", a.to_str().unwrap()]);
        kimo_ok(db, &["import", a.to_str().unwrap()]);
        let b = kimo_ok(db, &["export", "--format", "csv", "-"]);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), b);

        let s = Server::start(&["--database", db], &[]);
        let (status, list) = s.get("/indikatoren.csv");
        assert_eq!(status, 200, "{list}");
        assert!(list.contains(";'+1+1;"), "{list}");
        assert!(!list.contains(";+1+1;"), "{list}");
        let (status, map) = s.get("/indikatoren/ARB-01/diagramm/karte.csv?zeitraum=2024");
        assert_eq!(status, 200, "{map}");
        assert!(map.contains("'=HYPERLINK(\"\"http://x\"\")"), "{map}");
        let (status, line) = s.get("/indikatoren/ARB-01/diagramm/verlauf.csv?gebiet=01");
        assert_eq!(status, 200, "{line}");
        assert!(line.contains("−1,5") || line.contains("-1,5"), "{line}");
        assert!(!line.contains("'−1,5") && !line.contains("'-1,5"), "{line}");
    }
}
