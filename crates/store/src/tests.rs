//! Store tests on real SQLite files.

use super::*;
use kimo_model::{
    ActionField, Area, Breakdown, Category, Dataset, Dimension, Flags, Indicator, Observation,
    Origin, Period,
};

/// Runs a test body on SQLite and, when configured, on PostgreSQL.
fn on_all(test: &str, body: impl Fn(&Store)) {
    for db in testing::TestDb::all(test) {
        let s = Store::open(&db.url).unwrap_or_else(|e| panic!("{}: {e}", db.label));
        body(&s);
    }
}

fn catalogue() -> Dataset {
    Dataset {
        action_fields: vec![ActionField {
            code: "arbeit".into(),
            name: "Arbeit".into(),
            ..Default::default()
        }],
        indicators: vec![Indicator {
            code: "ALQ".into(),
            name: "Arbeitslosenquote".into(),
            unit: kimo_model::Unit::Percent,
            action_field: Some("arbeit".into()),
            ..Default::default()
        }],
        areas: vec![
            Area {
                code: "KA".into(),
                name: "Karlsruhe".into(),
                ..Default::default()
            },
            Area {
                code: "01".into(),
                name: "Innenstadt-Ost".into(),
                parent: Some("KA".into()),
                ..Default::default()
            },
        ],
        dimensions: vec![Dimension {
            translations: None,
            code: "geschlecht".into(),
            name: "Geschlecht".into(),
            categories: vec![
                Category {
                    translations: None,
                    code: "m".into(),
                    name: "männlich".into(),
                },
                Category {
                    translations: None,
                    code: "w".into(),
                    name: "weiblich".into(),
                },
            ],
        }],
        ..Default::default()
    }
}

fn obs(area: &str, year: i32, value: f64, line: usize) -> Observation {
    Observation {
        indicator: "ALQ".into(),
        period: Period::Year(year),
        area: area.into(),
        breakdown: Breakdown::total(),
        value: Some(value),
        numerator: None,
        denominator: None,
        flags: Flags::default(),
        origin: Some(Origin {
            file: "x.csv".into(),
            line,
            column: 3,
            ..Default::default()
        }),
    }
}

fn opts() -> ApplyOptions {
    ApplyOptions {
        user: "test".into(),
        source: "x.csv".into(),
        ..Default::default()
    }
}

#[test]
fn migrations_are_applied_once() {
    for db in testing::TestDb::all("migrations_are_applied_once") {
        Store::open(&db.url).unwrap();
        let url = if db.label == "SQLite" {
            format!("sqlite://{}", db.url)
        } else {
            db.url.clone()
        };
        let s = Store::open(&url).unwrap();
        let mut c = s.conn().unwrap();
        let v = c
            .query_opt("SELECT COUNT(*) FROM schema_version", &[])
            .unwrap()
            .unwrap()
            .int(0);
        assert_eq!(v as usize, SCHEMA_VERSION, "{}", db.label);
    }
}

#[test]
fn placeholders_and_redaction() {
    assert_eq!(
        sql::numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?)"),
        "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3)"
    );
    assert_eq!(
        sql::redact("postgres://kimo:geheim@db:5432/kimo"),
        "postgres://kimo:***@db:5432/kimo"
    );
}

#[test]
fn import_summarises_and_keeps_history() {
    on_all("import_summarises_and_keeps_history", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let mut ds = Dataset {
            observations: vec![obs("KA", 2023, 5.0, 2), obs("01", 2023, 7.5, 3)],
            ..Default::default()
        };
        let out = s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        assert_eq!(out.totals(), (2, 0, 0));

        ds.observations = vec![
            obs("KA", 2023, 5.0, 2),
            obs("01", 2023, 7.9, 3),
            obs("01", 2024, 8.0, 4),
        ];
        let dry = s
            .apply(
                &ds,
                &ApplyOptions {
                    dry_run: true,
                    ..opts()
                },
                &mut |_, _| {},
            )
            .unwrap();
        assert_eq!(dry.totals(), (1, 1, 1));
        assert!(!dry.written);
        assert_eq!(s.stats().unwrap().observations, 2);

        let out = s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        assert_eq!(out.totals(), (1, 1, 1));
        let h = s.history("ALQ").unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!((h[0].3, h[0].4), (Some(7.5), Some(7.9)));
        assert_eq!(h[0].5, "test");
    });
}

#[test]
fn exact_duplicates_are_taken_once_with_a_notice() {
    on_all("exact_duplicates_are_taken_once_with_a_notice", |s| {
        let mut ds = catalogue();
        ds.observations = vec![
            obs("KA", 2023, 5.0, 3),
            obs("01", 2023, 4.0, 4),
            obs("KA", 2023, 5.0, 5),
        ];
        let out = s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        assert_eq!(out.totals(), (2, 0, 0));
        let text: Vec<String> = out.notices.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(
            text[0].contains("Zeile 5 wiederholt Zeile 3; einmal übernommen"),
            "{text:?}"
        );
    });
}

#[test]
fn repeats_are_found_beyond_the_keys_held_in_memory() {
    // In test builds the import keeps 500 keys in memory; the rest go to runs on disk.
    on_all("repeats_are_found_beyond_the_keys_held_in_memory", |s| {
        let mut ds = catalogue();
        let years = 1000..3000;
        ds.observations = years
            .clone()
            .map(|y| obs("01", y, 1.0, y as usize))
            .collect();
        // Line 5000 repeats the first row exactly, line 5001 contradicts one in the middle.
        ds.observations.push(obs("01", 1000, 1.0, 5000));
        let mut contradicting = ds.clone();
        contradicting.observations.push(obs("01", 1700, 2.0, 5001));
        let Err(Error::Rejected(problems)) = s.apply(&contradicting, &opts(), &mut |_, _| {})
        else {
            panic!("a contradicting repeat must be refused");
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0]
                .to_string()
                .contains("Zeile 5001 widerspricht Zeile 1700 (2 statt 1;"),
            "{problems:?}"
        );
        let out = s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        assert_eq!(out.totals(), (years.len(), 0, 0));
        let text: Vec<String> = out.notices.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 1, "{text:?}");
        assert!(text[0].contains("Zeile 5000 wiederholt Zeile 1000; einmal übernommen"));
    });
}

#[test]
fn repeats_are_found_when_the_indicator_has_stored_observations() {
    on_all(
        "repeats_are_found_when_the_indicator_has_stored_observations",
        |s| {
            let mut ds = catalogue();
            ds.observations = vec![obs("KA", 2020, 5.0, 2), obs("01", 2020, 4.0, 3)];
            s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
            // Again: one stored row unchanged and repeated, one changed, one new and repeated.
            ds.observations = vec![
                obs("KA", 2020, 5.0, 2),
                obs("01", 2020, 4.5, 3),
                obs("KA", 2021, 6.0, 4),
                obs("KA", 2020, 5.0, 5),
                obs("KA", 2021, 6.0, 6),
            ];
            let out = s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
            assert_eq!(out.totals(), (1, 1, 1));
            let text: Vec<String> = out.notices.iter().map(|p| p.to_string()).collect();
            assert_eq!(text.len(), 2, "{text:?}");
            assert!(text[0].contains("Zeile 5 wiederholt Zeile 2;"), "{text:?}");
            assert!(text[1].contains("Zeile 6 wiederholt Zeile 4;"), "{text:?}");
            // A contradicting repeat of a stored row is refused, naming both lines.
            ds.observations = vec![obs("KA", 2020, 5.0, 2), obs("KA", 2020, 7.0, 9)];
            let Err(Error::Rejected(problems)) = s.apply(&ds, &opts(), &mut |_, _| {}) else {
                panic!("a contradicting repeat must be refused");
            };
            assert!(
                problems[0]
                    .to_string()
                    .contains("Zeile 9 widerspricht Zeile 2 (7 statt 5;"),
                "{problems:?}"
            );
        },
    );
}

#[test]
fn problems_reject_everything_with_positions() {
    on_all("problems_reject_everything_with_positions", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let before = s.stats().unwrap();
        let mut ds = catalogue();
        ds.indicators[0].name = "geändert".into();
        let mut bad = obs("99", 2023, 1.0, 5);
        bad.breakdown = Breakdown::of(&[("geschlecht", "x")]);
        let mut unknown_cat = obs("01", 2023, 1.0, 6);
        unknown_cat.breakdown = Breakdown::of(&[("geschlecht", "x")]);
        ds.observations = vec![
            obs("KA", 2023, 5.0, 2),
            bad,
            obs("KA", 2023, 6.0, 4),
            unknown_cat,
        ];
        let Err(Error::Rejected(problems)) = s.apply(&ds, &opts(), &mut |_, _| {}) else {
            panic!("must be rejected")
        };
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("Zeile 5") && t.contains("unbekanntes Gebiet '99'")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("Zeile 4 widerspricht Zeile 2") && t.contains("6 statt 5")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("Zeile 6") && t.contains("Ausprägung 'x'")),
            "{text:?}"
        );
        let after = s.stats().unwrap();
        assert_eq!(before.observations, after.observations);
        assert_eq!(
            s.indicator("ALQ").unwrap().unwrap().name,
            "Arbeitslosenquote"
        );
    });
}

#[test]
fn filters_by_category() {
    on_all("filters_by_category", |s| {
        let mut ds = catalogue();
        let mut w = obs("KA", 2023, 4.0, 3);
        w.breakdown = Breakdown::of(&[("geschlecht", "w")]);
        ds.observations = vec![obs("KA", 2023, 5.0, 2), w];
        s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        let f = ObservationFilter {
            indicator: Some("ALQ".into()),
            categories: vec![("geschlecht".into(), "w".into())],
            ..Default::default()
        };
        let got = s.observations(&f).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].value, Some(4.0));
        let f = ObservationFilter {
            categories: vec![("geschlecht".into(), "insgesamt".into())],
            ..Default::default()
        };
        assert_eq!(s.observations(&f).unwrap()[0].value, Some(5.0));
    });
}

fn finding(ident: &str, sentence: &str) -> NewFinding {
    NewFinding {
        ident: ident.into(),
        kind: "trend".into(),
        rule: "trend-1".into(),
        indicator: "ALQ".into(),
        area: "01".into(),
        breakdown: Breakdown::of(&[("geschlecht", "w")]),
        severity: "mittel".into(),
        sentence: sentence.into(),
        figures: "{}".into(),
        period: Some(Period::Year(2024)),
    }
}

#[test]
fn warnings_are_kept_resolved_and_reopened_never_deleted() {
    on_all("warnings_are_kept_resolved_and_reopened", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let a = finding("a", "Satz A");
        let b = finding("b", "Satz B");
        let r = s
            .sync_warnings(&[a.clone(), b.clone()], "Auswertung", None)
            .unwrap();
        assert_eq!((r.new, r.unchanged), (2, 0));
        // Idempotent: the same findings change nothing, not even the history.
        let v = s.data_version().unwrap();
        let r = s
            .sync_warnings(&[a.clone(), b.clone()], "Auswertung", None)
            .unwrap();
        assert_eq!((r.new, r.unchanged, r.updated, r.resolved), (0, 2, 0, 0));
        assert_eq!(s.data_version().unwrap(), v);
        // B no longer holds: resolved, still there; A's figures changed: updated.
        let a2 = NewFinding {
            sentence: "Satz A neu".into(),
            ..a.clone()
        };
        let r = s
            .sync_warnings(std::slice::from_ref(&a2), "Auswertung", None)
            .unwrap();
        assert_eq!((r.updated, r.resolved), (1, 1));
        assert_eq!(s.warnings(&WarningFilter::default()).unwrap().len(), 1);
        let all = s
            .warnings(&WarningFilter {
                include_resolved: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(all.len(), 2);
        let resolved = all.iter().find(|w| !w.active).unwrap();
        assert!(resolved.resolved_at.is_some());
        // Work on A: status, assignee, comment, each in the history.
        let id = all.iter().find(|w| w.active).unwrap().id;
        s.update_warning(
            id,
            Some("in-bearbeitung"),
            Some("Jobcenter"),
            Some("besprochen"),
            "bfi",
        )
        .unwrap();
        assert!(
            s.update_warning(id, Some("vielleicht"), None, None, "bfi")
                .is_err()
        );
        let (w, events) = s.warning(id).unwrap().unwrap();
        assert_eq!(
            (w.status.code(), w.assignee.as_deref()),
            ("in-bearbeitung", Some("Jobcenter"))
        );
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "erkannt",
                "aktualisiert",
                "status",
                "zuständig",
                "kommentar"
            ]
        );
        assert_eq!(events[4].comment.as_deref(), Some("besprochen"));
        // B holds again: reopened with status "neu".
        let r = s.sync_warnings(&[a2, b], "Auswertung", None).unwrap();
        assert_eq!(r.reopened, 1);
        assert_eq!(
            s.warnings(&WarningFilter {
                status: Some("neu".into()),
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
    });
}

#[test]
fn rules_text_is_stored() {
    on_all("rules_text_is_stored", |s| {
        assert_eq!(s.rules_text().unwrap(), "");
        let bfi = crate::Actor {
            name: "bfi".into(),
            address: String::new(),
        };
        s.set_rules_text("indikatoren: {}\n", &bfi, "regeln.yml")
            .unwrap();
        assert_eq!(s.rules_text().unwrap(), "indikatoren: {}\n");
        let log = s.audit_log(&crate::AuditFilter::default()).unwrap();
        assert_eq!(log[0].action, "rules.update");
        assert_eq!(
            (log[0].actor.as_str(), log[0].object.as_str()),
            ("bfi", "regeln.yml")
        );
        assert_eq!(log[0].after, "indikatoren: {}\n");
    });
}

fn settings(s: &Store) -> i64 {
    s.conn()
        .unwrap()
        .query_opt("SELECT COUNT(*) FROM setting", &[])
        .unwrap()
        .unwrap()
        .int(0)
}

#[test]
fn transactions_commit_on_ok_and_roll_back_on_err_and_panic() {
    on_all("transactions_commit_on_ok_and_roll_back", |s| {
        let insert = |c: &mut sql::Conn, name: &str| {
            c.exec(
                "INSERT INTO setting (name, value) VALUES (?, 'x')",
                &[name.into()],
            )
        };
        s.write(|c| insert(c, "a")).unwrap();
        assert_eq!(settings(s), 1);
        // An error after a successful write: the write is undone.
        let res: Result<()> = s.write(|c| {
            insert(c, "b")?;
            Err(Error::Invalid("abgebrochen".into()))
        });
        assert!(matches!(res, Err(Error::Invalid(_))));
        assert_eq!(settings(s), 1);
        // A panic inside the transaction: undone as well, and the connection stays usable.
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = s.write(|c| -> Result<()> {
                insert(c, "c")?;
                panic!("mitten in der Transaktion")
            });
        }));
        assert!(caught.is_err());
        assert_eq!(settings(s), 1);
        // A dry run sees its own write, nobody keeps it.
        let seen = s
            .conn()
            .unwrap()
            .rehearse(|c| {
                insert(c, "d")?;
                Ok(c.query("SELECT name FROM setting", &[])?.len())
            })
            .unwrap();
        assert_eq!((seen, settings(s)), (2, 1));
        s.write(|c| insert(c, "e")).unwrap();
        assert_eq!(settings(s), 2);
    });
}

#[test]
fn errors_say_what_went_wrong() {
    on_all("errors_say_what_went_wrong", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let missing = s.update_warning(4711, Some("erledigt"), None, None, "bfi");
        assert!(matches!(missing, Err(Error::NotFound(_))), "{missing:?}");
        s.sync_warnings(&[finding("a", "Satz A")], "Auswertung", None)
            .unwrap();
        let id = s.warnings(&WarningFilter::default()).unwrap()[0].id;
        let bad = s.update_warning(id, Some("vielleicht"), None, None, "bfi");
        assert!(matches!(bad, Err(Error::Invalid(_))), "{bad:?}");
        // A unique key clash is a conflict, not a database failure.
        let clash = s.write(|c| {
            c.exec(
                "INSERT INTO area (code, name, level) VALUES ('KA', 'noch einmal', 0)",
                &[],
            )
        });
        assert!(matches!(clash, Err(Error::Conflict(_))), "{clash:?}");
        // Copying into a store that holds data needs `overwrite`.
        let other = testing::TestDb::sqlite();
        let target = Store::open(&other.url).unwrap();
        target.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let refused = s.copy_to(&target, false, &mut |_, _| {});
        assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
        // A driver failure keeps its cause and says what the store was doing.
        let broken = s.conn().unwrap().exec("SELECT * FROM gibt_es_nicht", &[]);
        let Err(e @ Error::Database { .. }) = broken else {
            panic!("{broken:?}")
        };
        assert!(e.to_string().contains("gibt_es_nicht"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    });
    assert!(matches!(Store::open("mysql://x/y"), Err(Error::Invalid(_))));
}

#[test]
fn non_finite_numbers_are_refused_and_read_as_missing() {
    on_all("non_finite_numbers_are_refused_and_read_as_missing", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let mut ds = catalogue();
        let mut share = obs("01", 2023, 1.0, 8);
        share.numerator = Some(f64::NAN);
        ds.observations = vec![obs("KA", 2023, f64::INFINITY, 7), share];
        let Err(Error::Rejected(problems)) = s.apply(&ds, &opts(), &mut |_, _| {}) else {
            panic!("must be rejected")
        };
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("Zeile 7") && t.contains("'inf' ist keine endliche Zahl")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("Zeile 8") && t.contains("'NaN' ist keine endliche Zahl")),
            "{text:?}"
        );
        // Values an older version stored read as missing.
        let mut ds = catalogue();
        ds.observations = vec![obs("KA", 2023, 5.0, 2), obs("01", 2023, 4.0, 3)];
        s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        let mut c = s.conn().unwrap();
        let sql = "UPDATE observation SET value = ?, numerator = ?";
        c.exec(sql, &[Some(f64::INFINITY).into(), Some(f64::NAN).into()])
            .unwrap();
        let all = s.observations(&Default::default()).unwrap();
        assert_eq!(all.len(), 2);
        assert!(
            all.iter()
                .all(|o| o.value.is_none() && o.numerator.is_none())
        );
    });
}

#[test]
fn shares_over_100_and_negative_numbers_are_refused() {
    on_all("shares_over_100_and_negative_numbers_are_refused", |s| {
        let mut ds = catalogue();
        let mut quota = ds.indicators[0].clone();
        quota.code = "KITA".into();
        quota.may_exceed_100 = true;
        let mut count = ds.indicators[0].clone();
        count.code = "EW".into();
        count.unit = kimo_model::Unit::Count;
        ds.indicators.extend([quota, count]);
        s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        let with = |indicator: &str, o: Observation| Observation {
            indicator: indicator.into(),
            ..o
        };
        let mut numerator = obs("01", 2022, 10.0, 6);
        numerator.numerator = Some(-3.0);
        let mut denominator = obs("KA", 2022, 10.0, 7);
        denominator.denominator = Some(-40.0);
        ds.observations = vec![
            obs("KA", 2023, 104.5, 2),
            obs("01", 2023, -0.5, 3),
            with("KITA", obs("KA", 2023, 104.5, 4)),
            with("EW", obs("KA", 2023, -5.0, 5)),
            numerator,
            denominator,
            obs("01", 2021, 100.0, 8),
            with("EW", obs("01", 2023, 311635.0, 9)),
        ];
        let dry = ApplyOptions {
            dry_run: true,
            ..opts()
        };
        for o in [dry, opts()] {
            let Err(Error::Rejected(problems)) = s.apply(&ds, &o, &mut |_, _| {}) else {
                panic!("must be rejected")
            };
            let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            assert_eq!(
                text,
                [
                    "x.csv: Zeile 2, Spalte 3: Anteil 104,5 % über 100 % – laut Katalog kann Indikator ALQ 100 % nicht überschreiten (sonst dort ueber_100_moeglich = ja)",
                    "x.csv: Zeile 3, Spalte 3: negativer Anteil -0,5 % – ein Anteil ist nie kleiner als 0 (sonst im Katalog ueber_100_moeglich = ja)",
                    "x.csv: Zeile 5, Spalte 3: negative Anzahl -5 – eine Anzahl ist nie kleiner als 0",
                    "x.csv: Zeile 6, Spalte 3: negativer Zähler -3 – eine Anzahl ist nie kleiner als 0",
                    "x.csv: Zeile 7, Spalte 3: negativer Nenner -40 – eine Anzahl ist nie kleiner als 0",
                ]
            );
        }
        assert_eq!(s.stats().unwrap().observations, 0);
    });
}

fn new_user(name: &str, role: kimo_model::Role, amt: Option<&str>) -> NewUser {
    NewUser {
        name: name.into(),
        role,
        amt: amt.map(str::to_string),
        email: None,
    }
}

#[test]
fn accounts_are_added_changed_and_every_change_is_audited() {
    use kimo_model::Role;
    on_all(
        "accounts_are_added_changed_and_every_change_is_audited",
        |s| {
            let cli = Actor {
                name: "Kommandozeile (test)".into(),
                address: String::new(),
            };
            assert!(!s.has_admin().unwrap());
            let admin = s
                .add_user(&new_user("chefin", Role::Admin, None), "h1", true, &cli)
                .unwrap();
            assert!(admin.must_change_password && !admin.disabled);
            assert!(s.has_admin().unwrap());
            let e = s.add_user(&new_user("chefin", Role::Gremium, None), "h2", true, &cli);
            assert!(matches!(e, Err(Error::Conflict(_))), "{e:?}");
            let e = s.add_user(&new_user("amt1", Role::Amt, None), "h2", true, &cli);
            assert!(matches!(e, Err(Error::Invalid(_))), "{e:?}");
            s.add_user(&new_user("amt1", Role::Amt, Some("50")), "h2", true, &cli)
                .unwrap();
            let names: Vec<String> = s.users().unwrap().into_iter().map(|u| u.name).collect();
            assert_eq!(names, ["amt1", "chefin"]);

            // A session, found by its token hash until the account is disabled.
            let (amt1, hash) = s.user_with_hash("amt1").unwrap().unwrap();
            assert_eq!((amt1.amt.as_deref(), hash.as_str()), (Some("50"), "h2"));
            let web = Actor {
                name: "amt1".into(),
                address: "192.0.2.7".into(),
            };
            s.start_session(&amt1, "t1", "c1", &web, "Firefox").unwrap();
            s.start_session(&amt1, "t2", "c2", &web, "Firefox").unwrap();
            let (u, session) = s.session("t1", 3600, 86_400).unwrap().unwrap();
            assert_eq!((u.name.as_str(), session.csrf.as_str()), ("amt1", "c1"));
            assert!(
                s.session("t1", -1, 86_400).unwrap().is_none(),
                "idle too long"
            );
            assert!(s.session("t1", 3600, 86_400).unwrap().is_none(), "removed");
            let (_, s2) = s.session("t2", 3600, 86_400).unwrap().unwrap();
            assert_eq!(s.sessions_of(amt1.id).unwrap().len(), 1);

            // A new password ends the other sessions; disabling ends all.
            s.start_session(&amt1, "t3", "c3", &web, "Edge").unwrap();
            s.set_password("amt1", "h3", false, Some(s2.id), &web)
                .unwrap();
            assert!(s.session("t3", 3600, 86_400).unwrap().is_none());
            assert!(s.session("t2", 3600, 86_400).unwrap().is_some());
            s.set_disabled("amt1", true, &cli).unwrap();
            assert!(s.session("t2", 3600, 86_400).unwrap().is_none());
            assert!(matches!(
                s.set_disabled("niemand", true, &cli),
                Err(Error::NotFound(_))
            ));

            // Failed logins count per account and per address.
            s.record(&web, "login.failed", "konto:chefin").unwrap();
            s.record(&web, "login.failed", "konto:chefin").unwrap();
            let counts = s
                .recent("login.failed", "konto:chefin", "192.0.2.7", "2000-01-01")
                .unwrap();
            assert_eq!(counts, (2, 2));

            let log = s.audit_log(&AuditFilter::default()).unwrap();
            let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
            assert_eq!(
                actions,
                [
                    "login.failed",
                    "login.failed",
                    "user.disable",
                    "user.password",
                    "login",
                    "login",
                    "login",
                    "user.add",
                    "user.add"
                ]
            );
            let disable = &log[2];
            assert_eq!(disable.actor, "Kommandozeile (test)");
            assert!(disable.before.contains("\"gesperrt\":false"), "{disable:?}");
            assert!(disable.after.contains("\"gesperrt\":true"), "{disable:?}");
            assert!(
                !log.iter()
                    .any(|e| e.after.contains("h2") || e.after.contains("h3"))
            );
            let logins = s
                .audit_log(&AuditFilter {
                    action: Some("login".into()),
                    limit: 2,
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(logins.len(), 2);
        },
    );
}

#[test]
fn api_tokens_are_stored_hashed_used_and_revoked() {
    use kimo_model::Role;
    on_all("api_tokens_are_stored_hashed_used_and_revoked", |s| {
        let cli = Actor::default();
        s.add_user(&new_user("skript", Role::Redaktion, None), "h", false, &cli)
            .unwrap();
        let (u, _) = s.user_with_hash("skript").unwrap().unwrap();
        let id = s.add_token(&u, "Statistik", "hash1", &cli).unwrap();
        assert_eq!(s.token_user("hash1").unwrap().unwrap().name, "skript");
        assert!(s.token_user("hash2").unwrap().is_none());
        let tokens = s.tokens_of(u.id).unwrap();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].name, "Statistik");
        assert!(tokens[0].last_used.is_some(), "the use is noted");
        // Only the owner revokes, once; then the token is dead.
        let other = kimo_model::User {
            id: u.id + 99,
            ..u.clone()
        };
        assert!(!s.revoke_token(&other, id, &cli).unwrap());
        assert!(s.revoke_token(&u, id, &cli).unwrap());
        assert!(!s.revoke_token(&u, id, &cli).unwrap());
        assert!(s.token_user("hash1").unwrap().is_none());
        assert!(s.tokens_of(u.id).unwrap()[0].revoked_at.is_some());
        // A disabled account's tokens do not work.
        s.add_token(&u, "zweiter", "hash3", &cli).unwrap();
        s.set_disabled("skript", true, &cli).unwrap();
        assert!(s.token_user("hash3").unwrap().is_none());
        let log = s.audit_log(&AuditFilter::default()).unwrap();
        let actions: Vec<&str> = log.iter().take(4).map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            ["user.disable", "token.add", "token.revoke", "token.add"]
        );
        assert!(
            !log.iter().any(|e| e.after.contains("hash")),
            "no hash in the log"
        );
    });
}

#[test]
fn konzept_versions_move_through_their_states() {
    use kimo_model::konzept::{Konzept, VersionState as S};
    on_all("konzept_versions_move_through_their_states", |s| {
        let bfi = Actor {
            name: "bfi".into(),
            address: String::new(),
        };
        let earlier = crate::NewVersion {
            title: "Karlsruher Integrationsplan".into(),
            state: Some(S::Frueher),
            decided_on: Some("2012-07-24".into()),
            pdf_url: Some("https://www.karlsruhe.de/integrationsplan-2012.pdf".into()),
            ..Default::default()
        };
        let plan = s.add_konzept_version(&earlier, &bfi).unwrap();
        let content = Konzept {
            understanding: "Integration ist Teilhabe.".into(),
            ..Default::default()
        };
        let new = crate::NewVersion {
            title: "Integrationskonzept 2027".into(),
            content: content.clone(),
            ..Default::default()
        };
        let v1 = s.add_konzept_version(&new, &bfi).unwrap();
        // An earlier plan does not move; a draft is not decided without Beratung.
        assert!(matches!(
            s.set_konzept_state(plan, S::Beschlossen, None, &bfi),
            Err(Error::Conflict(_))
        ));
        assert!(matches!(
            s.set_konzept_state(v1, S::Beschlossen, None, &bfi),
            Err(Error::Conflict(_))
        ));
        // Comments only in Beratung.
        assert!(matches!(
            s.add_konzept_comment(v1, "verstaendnis", "Zu kurz", &bfi),
            Err(Error::Conflict(_))
        ));
        s.set_konzept_state(v1, S::InBeratung, None, &bfi).unwrap();
        let aki = Actor {
            name: "aki".into(),
            address: String::new(),
        };
        let c = s
            .add_konzept_comment(v1, "verstaendnis", "Bitte Sprache ergänzen", &aki)
            .unwrap();
        s.answer_konzept_comment(c, Some("Ergänzt in Leitlinie 3"), false, &bfi)
            .unwrap();
        s.answer_konzept_comment(c, None, true, &bfi).unwrap();
        let comments = s.konzept_comments(v1).unwrap();
        assert_eq!(
            (comments[0].state.as_str(), comments[0].answer.as_deref()),
            ("erledigt", Some("Ergänzt in Leitlinie 3"))
        );
        assert_eq!(comments[0].answered_by.as_deref(), Some("bfi"));
        // A decision needs its date, body and Vorlage.
        assert!(matches!(
            s.set_konzept_state(v1, S::Beschlossen, None, &bfi),
            Err(Error::Invalid(_))
        ));
        let decision = crate::Decision {
            decided_on: "2026-12-15".into(),
            body: "Gemeinderat".into(),
            vorlage: "2026/0815".into(),
            ..Default::default()
        };
        s.set_konzept_state(v1, S::Beschlossen, Some(&decision), &bfi)
            .unwrap();
        assert!(matches!(
            s.save_konzept(v1, &content, &bfi),
            Err(Error::Conflict(_))
        ));
        assert_eq!(s.konzept_in_force().unwrap().unwrap().id, v1);
        // A Fortschreibung starts as a copy; its decision retires the one in force.
        let v2 = s.konzept_copy(v1, "1. Fortschreibung", &bfi).unwrap();
        let mut changed = content.clone();
        changed.understanding = "Integration ist Teilhabe aller.".into();
        s.save_konzept(v2, &changed, &bfi).unwrap();
        s.set_konzept_state(v2, S::InBeratung, None, &bfi).unwrap();
        let d2 = crate::Decision {
            decided_on: "2028-06-01".into(),
            ..decision.clone()
        };
        s.set_konzept_state(v2, S::Beschlossen, Some(&d2), &bfi)
            .unwrap();
        let v = s.konzept_version(v2).unwrap();
        assert_eq!(
            (v.based_on, v.content.understanding.as_str()),
            (Some(v1), "Integration ist Teilhabe aller.")
        );
        assert_eq!(s.konzept_version(v1).unwrap().state, S::Abgeloest);
        assert_eq!(s.konzept_in_force().unwrap().unwrap().id, v2);
        let titles: Vec<String> = s
            .konzept_versions()
            .unwrap()
            .into_iter()
            .map(|v| v.title)
            .collect();
        assert_eq!(
            titles,
            [
                "1. Fortschreibung",
                "Integrationskonzept 2027",
                "Karlsruher Integrationsplan"
            ]
        );
        let log = s
            .audit_log(&AuditFilter {
                action: Some("konzept".into()),
                ..Default::default()
            })
            .unwrap();
        // 3 added, 5 state moves (one of them the retirement), 1 comment, 2 answers, 1 edit.
        assert_eq!(log.len(), 12, "{log:#?}");
        assert!(log.iter().any(|e| e.action == "konzept.state"
            && e.before == "beschlossen"
            && e.after == "abgelöst"));
    });
}

#[test]
fn deliveries_follow_the_plan_keep_dates_set_by_hand_and_settle_when_figures_arrive() {
    use kimo_model::delivery::{DeliveryState, Due};
    on_all("deliveries_follow_the_plan", |s| {
        s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
        let plan = |d: &str| -> Vec<Due> {
            [2024, 2025]
                .iter()
                .map(|y| Due {
                    indicator: "ALQ".into(),
                    period: Period::Year(*y),
                    amt: "Jobcenter".into(),
                    due: chrono::NaiveDate::parse_from_str(&format!("{}-{d}", y + 1), "%Y-%m-%d")
                        .unwrap(),
                })
                .collect()
        };
        let planner = Actor {
            name: "Lieferplan".into(),
            address: String::new(),
        };
        let bfi = Actor {
            name: "b.redaktion".into(),
            address: "127.0.0.1".into(),
        };
        assert_eq!(
            s.sync_deliveries(&plan("03-31"), &planner).unwrap(),
            PlanSync {
                added: 2,
                moved: 0,
                present: 0
            }
        );
        assert_eq!(
            s.sync_deliveries(&plan("03-31"), &planner).unwrap(),
            PlanSync::default()
        );
        let all = s.deliveries(&DeliveryFilter::default()).unwrap();
        assert_eq!(
            all.iter()
                .map(|d| (d.period.as_str(), d.due.as_str(), d.state))
                .collect::<Vec<_>>(),
            [
                ("2024", "2025-03-31", DeliveryState::Offen),
                ("2025", "2026-03-31", DeliveryState::Offen)
            ]
        );
        // One due date set by hand: a longer lag moves only the other.
        s.set_delivery_due(all[1].id, "2026-06-30", "a@b.de", "später", &bfi)
            .unwrap();
        assert!(
            s.set_delivery_due(all[1].id, "30.06.2026", "", "", &bfi)
                .is_err()
        );
        assert_eq!(
            s.sync_deliveries(&plan("04-30"), &planner).unwrap(),
            PlanSync {
                added: 0,
                moved: 1,
                present: 0
            }
        );
        assert_eq!(s.delivery(all[0].id).unwrap().due, "2025-04-30");
        assert_eq!(s.delivery(all[1].id).unwrap().due, "2026-06-30");
        // The figures of 2024 arrive: that delivery is settled and no longer moves.
        let mut ds = catalogue();
        ds.observations = vec![obs("KA", 2024, 5.0, 2)];
        s.apply(&ds, &opts(), &mut |_, _| {}).unwrap();
        assert_eq!(
            s.sync_deliveries(&plan("05-31"), &planner).unwrap(),
            PlanSync {
                added: 0,
                moved: 0,
                present: 1
            }
        );
        let first = s.delivery(all[0].id).unwrap();
        assert_eq!(
            (first.state, first.due.as_str()),
            (DeliveryState::Vorhanden, "2025-04-30")
        );
        // Lags and contacts per indicator; every change audited.
        s.set_delivery_setting(
            &kimo_model::delivery::DeliverySetting {
                indicator: "ALQ".into(),
                lag_days: 120,
                contact: " statistik@jc.de ".into(),
            },
            &bfi,
        )
        .unwrap();
        assert_eq!(s.delivery_settings().unwrap()[0].contact, "statistik@jc.de");
        let log = s
            .audit_log(&AuditFilter {
                action: Some("delivery".into()),
                ..Default::default()
            })
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "delivery.setting",
                "delivery.plan",
                "delivery.plan",
                "delivery.due",
                "delivery.plan"
            ]
        );
        assert_eq!(log[1].after, "0 neu, 0 verschoben, 1 mit Daten");
        assert_eq!(
            s.audit_log(&AuditFilter {
                object: Some(format!("delivery:{}", all[1].id)),
                ..Default::default()
            })
            .unwrap()
            .len(),
            1
        );
    });
}

#[test]
fn a_copy_carries_every_table() {
    // Every table of the schema but the sessions and the schema's version is copied.
    let t = testing::TestDb::sqlite();
    let s = Store::open(&t.url).unwrap();
    let names: Vec<String> = s
        .conn()
        .unwrap()
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.text(0))
        .collect();
    let copied: Vec<&str> = s.row_counts().unwrap().iter().map(|(t, _)| *t).collect();
    for name in &names {
        if name != "user_session" && name != "schema_version" {
            assert!(copied.contains(&name.as_str()), "{name} is not copied");
        }
    }
    assert_eq!(copied.len() + 2, names.len());
}

#[test]
fn the_citys_name_and_logo_are_kept_and_checked() {
    on_all("the_citys_name_and_logo_are_kept_and_checked", |s| {
        let actor = Actor::command_line();
        assert_eq!(s.city().unwrap(), City::default());
        s.set_city_name(" Stadt Karlsruhe ", &actor).unwrap();
        let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
        let logo = Logo::from_bytes(png.clone()).unwrap();
        assert_eq!((logo.mime.as_str(), logo.extension()), ("image/png", "png"));
        s.set_city_logo(Some(&logo), &actor).unwrap();
        let city = s.city().unwrap();
        assert_eq!(city.name.as_deref(), Some("Stadt Karlsruhe"));
        assert_eq!(city.logo.unwrap().bytes, png);
        let svg = Logo::from_bytes(
            b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
        );
        assert_eq!(svg.unwrap().extension(), "svg");
        assert!(matches!(
            Logo::from_bytes(b"GIF89a".to_vec()),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            Logo::from_bytes(vec![0; LOGO_MAX + 1]),
            Err(Error::Invalid(_))
        ));
        s.set_city_logo(None, &actor).unwrap();
        s.set_city_name("", &actor).unwrap();
        assert_eq!(s.city().unwrap(), City::default());
        let log = s
            .audit_log(&AuditFilter {
                action: Some("setting.logo".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log.len(), 2);
        assert!(
            log.iter()
                .any(|e| e.after.starts_with("image/png, 12 Bytes, SHA-256 "))
        );
    });
}

#[test]
fn disclosure_rules_and_embargoes_are_kept_audited_and_move_the_data_version() {
    use kimo_model::disclosure::Rule;
    on_all(
        "disclosure_rules_and_embargoes_are_kept_audited_and_move_the_data_version",
        |s| {
            let actor = Actor::command_line();
            s.apply(&catalogue(), &opts(), &mut |_, _| {}).unwrap();
            let v0 = s.data_version().unwrap();
            let ba = Rule {
                source: "Bundesagentur für Arbeit".into(),
                min_count: 3,
                round_to: 0,
            };
            s.set_disclosure_rule(&ba, &actor).unwrap();
            assert_eq!(s.disclosure_rules().unwrap(), vec![ba.clone()]);
            let v1 = s.data_version().unwrap();
            assert_ne!(v0, v1, "a new rule moves the data version");
            // A rule that keeps nothing secret is no rule.
            s.set_disclosure_rule(
                &Rule {
                    min_count: 0,
                    ..ba.clone()
                },
                &actor,
            )
            .unwrap();
            assert!(s.disclosure_rules().unwrap().is_empty());
            assert!(matches!(
                s.set_disclosure_rule(
                    &Rule {
                        source: " ".into(),
                        ..ba.clone()
                    },
                    &actor
                ),
                Err(Error::Invalid(_))
            ));

            // Embargoes: a future one holds, a past one has ended (and moves the version).
            s.set_embargo("ALQ", "2025", Some("2999-01-01"), &actor)
                .unwrap();
            let v2 = s.data_version().unwrap();
            s.set_embargo("ALQ", "2024", Some("2000-01-01"), &actor)
                .unwrap();
            let e = s.embargoes().unwrap();
            assert_eq!(e.len(), 2);
            assert!(e[1].holds_on("2026-12-02") && !e[0].holds_on("2026-12-02"));
            assert!(s.data_version().unwrap() > v2);
            assert!(matches!(
                s.set_embargo("ALQ", "2025", Some("31.12.2025"), &actor),
                Err(Error::Invalid(_))
            ));
            assert!(matches!(
                s.set_embargo("XYZ", "2025", Some("2026-01-01"), &actor),
                Err(Error::NotFound(_))
            ));
            s.set_embargo("ALQ", "2025", None, &actor).unwrap();
            assert_eq!(s.embargoes().unwrap().len(), 1);
            let log = s
                .audit_log(&AuditFilter {
                    action: Some("embargo.set".into()),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(log.len(), 3);
            assert!(
                log.iter()
                    .any(|e| e.before == "2999-01-01" && e.after == "keine")
            );
            let log = s
                .audit_log(&AuditFilter {
                    action: Some("disclosure.rule".into()),
                    ..Default::default()
                })
                .unwrap();
            assert!(log.iter().any(|e| e.after == "Mindestzahl 3, runden auf 0"));
        },
    );
}
