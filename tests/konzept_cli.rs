//! `kimo konzept`: a version exported as YAML imports back into another installation and exports
//! the same again (round trip); a version with a wrong reference or goal is refused with its place,
//! nothing written; Markdown export. Both databases.

mod common;
use common::{kimo, kimo_ok};
use kimo_store::Store;
use kimo_store::testing::TestDb;

#[test]
fn a_version_exports_and_imports_back() {
    for t in TestDb::all("a_version_exports_and_imports_back") {
        let db = t.url.as_str();
        kimo_ok(db, &["demo"]);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("konzept.yml");
        let file = file.to_str().unwrap();
        let store = Store::open(db).unwrap();
        let draft = store.konzept_versions().unwrap()[0].id;
        kimo_ok(
            db,
            &["konzept", "export", "--version", &draft.to_string(), file],
        );
        let exported = std::fs::read_to_string(file).unwrap();
        assert!(
            exported.contains("state: in-beratung") && exported.contains("[[ARB-03 nichtdeutsch]]")
        );

        // Into a second installation with the same catalogue: the same file comes out again.
        let other = TestDb::sqlite();
        kimo_ok(&other.url, &["demo"]);
        let out = kimo_ok(&other.url, &["konzept", "import", file]);
        assert!(out.contains("übernommen (in Beratung)"), "{out}");
        let id = Store::open(&other.url).unwrap().konzept_versions().unwrap()[0].id;
        let again = kimo_ok(
            &other.url,
            &["konzept", "export", "--version", &id.to_string()],
        );
        assert_eq!(again, exported);

        // Markdown: headings per Handlungsfeld, references as written.
        let md = kimo_ok(db, &["konzept", "export", "--format", "markdown"]);
        assert!(md.starts_with("# Integrationskonzept Karlsruhe 2027 (Demo)\n"));
        assert!(md.contains("\n## Arbeit und Beschäftigung\n\n### Ausgangslage\n"));

        // Wrong references and goals: every place named, nothing written.
        let bad = exported
            .replacen("[[ARB-03 nichtdeutsch]]", "[[ARB-03 nichtdeutsch Mond]]", 1)
            .replacen("indicator: ARB-01", "indicator: ARB-99", 1);
        std::fs::write(file, bad).unwrap();
        let before = store.konzept_versions().unwrap().len();
        let out = kimo(db, &["konzept", "import", file]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(
            err.contains("Konzept abgelehnt, nichts wurde geschrieben"),
            "{err}"
        );
        assert!(err.contains("arbeit: Ausgangslage, Zeile 1, Spalte 64: 'Mond' ist weder Gebiet noch Gruppe noch Zeitraum"), "{err}");
        assert!(
            err.contains("arbeit: Ziel arbeit-2: den Indikator 'ARB-99' gibt es nicht"),
            "{err}"
        );
        assert_eq!(store.konzept_versions().unwrap().len(), before);
        // A YAML error names its line and column.
        std::fs::write(file, "title: x\ncontent: [\n").unwrap();
        let err =
            String::from_utf8_lossy(&kimo(db, &["konzept", "import", file]).stderr).to_string();
        assert!(err.contains("konzept.yml: Zeile"), "{err}");
    }
}
