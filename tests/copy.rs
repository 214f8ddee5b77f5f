//! `kimo copy` between SQLite and PostgreSQL: the exported long CSV of all three is byte-identical,
//! and every table has as many rows in each.

mod common;
use common::{kimo, kimo_ok};
use kimo_store::testing::TestDb;

#[test]
fn demo_sqlite_to_postgres_and_back_is_lossless() {
    let t = tempfile::tempdir().unwrap();
    let a = TestDb::sqlite();
    kimo_ok(&a.url, &["demo"]);
    // A correction, so that the history has something to carry.
    let fix = t.path().join("fix.csv");
    std::fs::write(&fix, "indikator;zeitraum;gebiet;wert\nARB-03;2024;19;9,9\n").unwrap();
    kimo_ok(
        &a.url,
        &["import", "--user", "statistik", fix.to_str().unwrap()],
    );

    // Through PostgreSQL when configured, else through a second SQLite file.
    let middle = TestDb::postgres("kimo copy").unwrap_or_else(TestDb::sqlite);
    let c = TestDb::sqlite();
    let out = kimo_ok(
        "unused.db",
        &["copy", "--from", &a.url, "--to", &middle.url],
    );
    assert!(out.contains("Zeilen von"), "{out}");
    // A target with data is refused without --force, and accepted with it.
    let refused = kimo(
        "unused.db",
        &["copy", "--from", &a.url, "--to", &middle.url],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    kimo_ok(
        "unused.db",
        &["copy", "--force", "--from", &a.url, "--to", &middle.url],
    );
    kimo_ok(
        "unused.db",
        &["copy", "--from", &middle.url, "--to", &c.url],
    );
    let _ = std::fs::remove_file("unused.db");

    let export = |db: &str| kimo_ok(db, &["export", "--format", "csv", "-"]);
    let (ea, em, ec) = (export(&a.url), export(&middle.url), export(&c.url));
    assert!(ea.lines().count() > 49_000);
    assert!(ea == em, "{} differs from SQLite", middle.label);
    assert!(ea == ec, "SQLite → {} → SQLite differs", middle.label);
    assert!(
        ea.contains("ARB-03,2024,19,,,,9.9,,,\n"),
        "the correction is there"
    );

    // Metadata, areas with geometry and the history came along.
    let api = |db: &str| {
        let s = common::Server::start(&["--database", db], &[]);
        (
            s.get("/api/v1/areas?geometry=1").1,
            s.get("/api/v1/indicators").1,
        )
    };
    assert!(api(&a.url) == api(&c.url));
    // Every table came along: the cooperation's too (deliveries, mails, meetings, Fahrplan, …).
    let counts = |db: &str| kimo_store::Store::open(db).unwrap().row_counts().unwrap();
    let (ca, cm, cc) = (counts(&a.url), counts(&middle.url), counts(&c.url));
    assert_eq!(ca, cm);
    assert_eq!(ca, cc);
    for table in [
        "delivery",
        "mail_sent",
        "meeting",
        "meeting_task",
        "milestone",
        "activity",
    ] {
        let n = ca.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n);
        assert!(n > 0, "the demo has rows in {table}");
    }
    let store = kimo_store::Store::open(&c.url).unwrap();
    let h = store.history("ARB-03").unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].5, "statistik");
    assert_eq!(h[0].4, Some(9.9));
}
