//! Whole-rule tests: a small city, series that must fire and series that must not.

use super::*;
use rules::{RuleSet, Scope};

fn names() -> Names {
    let mut n = Names {
        city: "KA".into(),
        children: (1..=6).map(|i| format!("{i:02}")).collect(),
        ..Default::default()
    };
    n.areas.insert("KA".into(), "Karlsruhe".into());
    n.areas.insert("19".into(), "Durlach".into());
    for i in 1..=6 {
        n.areas
            .entry(format!("{i:02}"))
            .or_insert(format!("Stadtteil {i}"));
    }
    n.categories
        .insert(("sta".into(), "nd".into()), "nichtdeutsch".into());
    n.categories
        .insert(("sta".into(), "d".into()), "deutsch".into());
    n
}

fn pts(start: i32, values: &[f64]) -> Vec<Point> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Point {
            period: Period::Year(start + i as i32),
            value: Some(*v),
            brk: false,
        })
        .collect()
}

fn alq() -> Indicator {
    Indicator {
        code: "ALQ".into(),
        name: "Arbeitslosenquote".into(),
        unit: kimo_model::Unit::Percent,
        polarity: Polarity::LowerBetter,
        department: "Jobcenter".into(),
        ..Default::default()
    }
}

fn run(
    ind: &Indicator,
    rules_yaml: &str,
    series: &SeriesMap,
    pop: Option<&SeriesMap>,
    as_of: &str,
) -> Vec<Finding> {
    let set = RuleSet::parse("t.yml", rules_yaml).unwrap();
    let n = names();
    let f = move |_: &str| pop;
    let cx = Context {
        names: &n,
        as_of: NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
        population: &f,
        latest_unread: None,
    };
    evaluate(ind, &set.for_indicator(ind), series, &cx)
}

fn nd() -> Breakdown {
    Breakdown::of(&[("sta", "nd")])
}

#[test]
fn trend_sentence_has_the_numbers() {
    let mut s = SeriesMap::new();
    s.insert(("19".into(), nd()), pts(2021, &[7.6, 8.1, 8.7, 9.4]));
    s.insert(
        ("19".into(), Breakdown::total()),
        pts(2021, &[5.0, 5.1, 5.0, 4.9]),
    );
    let yaml = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: trend\n        perioden: 3\n        merkmal: sta\n        gruppe: nd\n";
    let f = run(&alq(), yaml, &s, None, "2025-06-30");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].sentence,
        "In Durlach ist der Wert „Arbeitslosenquote (nichtdeutsch)“ drei Jahre in Folge gestiegen, von 7,6 % (2021) auf 9,4 % (2024) – eine Verschlechterung um 1,8 Prozentpunkte."
    );
    assert_eq!(f[0].severity, Severity::Mittel);
    // Evaluating twice gives the same findings (deterministic).
    assert_eq!(run(&alq(), yaml, &s, None, "2025-06-30"), f);
}

#[test]
fn thresholds_and_jumps() {
    let mut s = SeriesMap::new();
    s.insert(
        ("01".into(), Breakdown::total()),
        pts(2022, &[7.0, 8.0, 10.5]),
    );
    s.insert(
        ("02".into(), Breakdown::total()),
        pts(2022, &[7.0, 7.5, 8.0]),
    );
    let yaml = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: schwelle\n        grenze: 8\n      - typ: trend\n        perioden: 0\n        sprung: 2\n";
    let f = run(&alq(), yaml, &s, None, "2025-01-01");
    let texts: Vec<&str> = f.iter().map(|f| f.sentence.as_str()).collect();
    assert_eq!(
        f.iter().filter(|f| f.kind == "schwelle").count(),
        1,
        "8,0 is exactly at the limit: {texts:?}"
    );
    assert!(texts.contains(&"In Stadtteil 1 liegt der Wert „Arbeitslosenquote“ mit 10,5 % (2024) über dem Schwellenwert von 8,0 %."), "{texts:?}");
    assert!(texts.contains(&"In Stadtteil 1 ist der Wert „Arbeitslosenquote“ gegenüber 2023 um 2,5 Prozentpunkte auf 10,5 % (2024) gestiegen – eine Verschlechterung."), "{texts:?}");
    assert_eq!(f.len(), 2);
}

#[test]
fn group_gap_fires_over_limit_and_when_widening() {
    let mut s = SeriesMap::new();
    s.insert(("KA".into(), nd()), pts(2021, &[9.0, 10.0, 11.5, 13.0]));
    s.insert(
        ("KA".into(), Breakdown::of(&[("sta", "d")])),
        pts(2021, &[4.0, 4.2, 4.3, 4.4]),
    );
    s.insert(("01".into(), nd()), pts(2021, &[9.0, 9.0, 9.0, 9.0]));
    s.insert(
        ("01".into(), Breakdown::of(&[("sta", "d")])),
        pts(2021, &[4.0, 4.0, 4.0, 4.0]),
    );
    let yaml = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: gruppenabstand\n        merkmal: sta\n        gruppe: nd\n        vergleich: d\n        grenze: 6\n        perioden: 3\n";
    let f = run(&alq(), yaml, &s, None, "2025-01-01");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].area, "KA");
    assert_eq!(
        f[0].sentence,
        "In Karlsruhe liegt der Wert „Arbeitslosenquote“ für nichtdeutsch 2024 um 8,6 Prozentpunkte ungünstiger als für deutsch (Schwelle 6,0 Prozentpunkte)."
    );
    // Only widening configured: fires for KA (5,0 → 5,8 → 7,2 → 8,6), not for 01 (constant 5).
    let yaml = yaml.replace("        grenze: 6\n", "");
    let f = run(&alq(), &yaml, &s, None, "2025-01-01");
    assert_eq!(f.len(), 1);
    assert!(f[0].sentence.contains("drei Jahre in Folge vergrößert, von 5,0 Prozentpunkte (2021) auf 8,6 Prozentpunkte (2024)"), "{}", f[0].sentence);
}

#[test]
fn status_and_dynamics_leave_small_areas_out() {
    let mut s = SeriesMap::new();
    let mut pop = SeriesMap::new();
    for i in 1..=6 {
        let code = format!("{i:02}");
        let series = match i {
            1 => pts(2022, &[9.0, 11.0, 14.0]),  // far above and rising
            2 => pts(2022, &[20.0, 20.0, 30.0]), // even worse, but only 200 inhabitants
            _ => pts(2022, &[5.0, 5.0, 5.0 + i as f64 * 0.1]),
        };
        s.insert((code.clone(), Breakdown::total()), series);
        pop.insert(
            (code, Breakdown::total()),
            pts(2022, &[if i == 2 { 200.0 } else { 5000.0 }; 3]),
        );
    }
    let f = run(&alq(), "", &s, Some(&pop), "2025-01-01");
    let status: Vec<&Finding> = f.iter().filter(|f| f.kind == "status_dynamik").collect();
    assert_eq!(status.len(), 1, "{f:?}");
    assert_eq!(status[0].area, "01");
    assert_eq!(status[0].severity, Severity::Hoch);
    assert_eq!(
        status[0].sentence,
        "In Stadtteil 1 liegt der Wert „Arbeitslosenquote“ mit 14,0 % (2024) deutlich ungünstiger als im Durchschnitt der Stadtteile und verschlechtert sich (+5,0 Prozentpunkte seit 2022)."
    );
    assert_eq!(status[0].figures["beginn"], "2022");
    assert_eq!(status[0].figures["ausgenommen"][0][0], "02");
    // Neutral indicators get no status warnings.
    let neutral = Indicator {
        polarity: Polarity::Neutral,
        ..alq()
    };
    assert!(
        run(&neutral, "", &s, Some(&pop), "2025-01-01")
            .iter()
            .all(|f| f.kind != "status_dynamik")
    );
}

#[test]
fn target_and_overdue() {
    let mut s = SeriesMap::new();
    s.insert(
        ("KA".into(), Breakdown::total()),
        pts(2015, &[10.0, 10.2, 10.4, 10.6, 10.8, 11.0]),
    );
    let yaml = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: ziel\n        zielwert: 5\n        zieljahr: 2030\n      - typ: ueberfaellig\n        karenz_tage: 90\n";
    // 2020 ends 31.12.2020; due 365 + 90 days later = 31.03.2022.
    let f = run(&alq(), yaml, &s, None, "2022-03-31");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, "ziel");
    assert_eq!(f[0].severity, Severity::Hoch);
    assert!(f[0].sentence.starts_with("Das Ziel 5,0 % für „Arbeitslosenquote“ bis 2030 ist nicht auf Kurs: Verschlechterung (von 10,0 % 2015 auf 11,0 % 2020;"), "{}", f[0].sentence);
    let f = run(&alq(), yaml, &s, None, "2022-04-01");
    let od = f.iter().find(|f| f.kind == "ueberfaellig").unwrap();
    assert_eq!(
        od.sentence,
        "Für „Arbeitslosenquote“ liegt seit 2020 kein neuer Wert vor; der nächste war bis 31.03.2022 fällig (zuständig: Jobcenter)."
    );
    // On track: no warning.
    let mut s = SeriesMap::new();
    s.insert(
        ("KA".into(), Breakdown::total()),
        pts(2015, &[10.0, 9.0, 8.0, 7.0, 6.0, 5.5]),
    );
    assert!(run(&alq(), yaml, &s, None, "2021-01-01").is_empty());
}

#[test]
fn a_dynamics_window_longer_than_the_calendar_ends_at_once() {
    // Found by the rules fuzz target: `dynamik_perioden: 9223372036854775807` stepped back period by period for hours.
    let mut s = SeriesMap::new();
    for i in 1..=6 {
        s.insert(
            (format!("{i:02}"), Breakdown::total()),
            pts(2020, &[10.0 + f64::from(i), 11.0]),
        );
    }
    let params = rules::StatusParams {
        periods: usize::MAX,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let (latest, _, earlier) = classify_areas(&alq(), &s, &names(), None, &params).unwrap();
    assert_eq!(latest, Period::Year(2021));
    assert_eq!(
        earlier,
        Some(Period::Year(2021 - rules::MAX_PERIODS as i32))
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn the_longest_grace_period_is_evaluated() {
    // Found while writing the rules fuzz target: `karenz_tage: 999999999999999` panicked (TimeDelta::days out of bounds);
    // the rules file now refuses it, and the longest grace period it allows still evaluates.
    let mut s = SeriesMap::new();
    s.insert(("KA".into(), Breakdown::total()), pts(2015, &[10.0, 10.2]));
    let yaml = format!(
        "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: ueberfaellig\n        karenz_tage: {}\n",
        rules::MAX_GRACE_DAYS
    );
    assert!(run(&alq(), &yaml, &s, None, "2100-01-01").is_empty());
    assert_eq!(run(&alq(), &yaml, &s, None, "2119-01-01").len(), 1);
}

#[test]
fn overdue_counts_series_not_loaded() {
    // The totals end in 2020; a breakdown series left out of the load has a value for 2021.
    let mut s = SeriesMap::new();
    s.insert(
        ("KA".into(), Breakdown::total()),
        pts(2015, &[10.0, 10.2, 10.4, 10.6, 10.8, 11.0]),
    );
    let ind = alq();
    let set = RuleSet::parse("t.yml", "").unwrap();
    let rules = set.for_indicator(&ind);
    assert!(only_totals(&rules), "the default rules look at totals only");
    let n = names();
    let f = |_: &str| None;
    let overdue = |latest_unread| {
        let cx = Context {
            names: &n,
            as_of: NaiveDate::from_ymd_opt(2022, 4, 1).unwrap(),
            population: &f,
            latest_unread,
        };
        evaluate(&ind, &rules, &s, &cx)
            .iter()
            .any(|f| f.kind == "ueberfaellig")
    };
    assert!(overdue(None));
    assert!(overdue(Some(Period::Year(2019))));
    assert!(!overdue(Some(Period::Year(2021))));
    // A group gap rule needs the breakdown series.
    let yaml = "indikatoren:\n  ALQ:\n    regeln:\n      - typ: gruppenabstand\n        merkmal: sta\n        gruppe: nd\n        vergleich: d\n        grenze: 1\n";
    let set = RuleSet::parse("t.yml", yaml).unwrap();
    assert!(!only_totals(&set.for_indicator(&ind)));
}

#[test]
fn scopes() {
    assert!(Scope::City.includes("KA", true));
    assert!(!Scope::City.includes("01", false));
    assert!(Scope::Areas(vec!["01".into()]).includes("01", false));
}

/// Six Stadtteile and the city; Stadtteil 1 is far off and moves by `change` over two years.
fn status_city(base: f64, change: f64, higher_better: bool) -> SeriesMap {
    let mut s = SeriesMap::new();
    let dir = if higher_better { -1.0 } else { 1.0 };
    for i in 1..=6 {
        let v = if i == 1 {
            let far = base + dir * 10.0;
            pts(2022, &[far, far, far + dir * change])
        } else {
            let v = base + i as f64 * 0.1;
            pts(2022, &[v, v, v])
        };
        s.insert((format!("{i:02}"), Breakdown::total()), v);
    }
    s.insert(("KA".into(), Breakdown::total()), pts(2022, &[base; 3]));
    s
}

fn with(ind: Indicator, unit: kimo_model::Unit, polarity: Polarity) -> Indicator {
    Indicator {
        unit,
        polarity,
        ..ind
    }
}

#[test]
fn sentences_per_rule_type_and_polarity() {
    use kimo_model::Unit;
    let lower = alq();
    let higher = Indicator {
        code: "BQ".into(),
        name: "Beschäftigtenquote".into(),
        polarity: Polarity::HigherBetter,
        ..alq()
    };
    let no_defaults = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n";
    let trend = |code: &str| {
        format!(
            "indikatoren:\n  {code}:\n    standard: false\n    regeln:\n      - typ: trend\n        perioden: 2\n"
        )
    };
    // (indicator, rules, series of Stadtteil 1, expected sentence)
    let cases: Vec<(Indicator, String, Vec<f64>, &str)> = vec![
        (
            lower.clone(),
            trend("ALQ"),
            vec![7.0, 8.0, 9.0],
            "In Stadtteil 1 ist der Wert „Arbeitslosenquote“ zwei Jahre in Folge gestiegen, von 7,0 % (2022) auf 9,0 % (2024) – eine Verschlechterung um 2,0 Prozentpunkte.",
        ),
        (
            higher.clone(),
            trend("BQ"),
            vec![60.0, 58.0, 55.0],
            "In Stadtteil 1 ist der Wert „Beschäftigtenquote“ zwei Jahre in Folge gesunken, von 60,0 % (2022) auf 55,0 % (2024) – eine Verschlechterung um 5,0 Prozentpunkte.",
        ),
        (
            lower.clone(),
            format!("{no_defaults}      - typ: trend\n        perioden: 1\n"),
            vec![7.0, 7.0, 9.0],
            "In Stadtteil 1 ist der Wert „Arbeitslosenquote“ gestiegen, von 7,0 % (2023) auf 9,0 % (2024) – eine Verschlechterung um 2,0 Prozentpunkte.",
        ),
        (
            lower.clone(),
            format!("{no_defaults}      - typ: schwelle\n        grenze: 8\n"),
            vec![7.0, 8.0, 9.0],
            "In Stadtteil 1 liegt der Wert „Arbeitslosenquote“ mit 9,0 % (2024) über dem Schwellenwert von 8,0 %.",
        ),
        (
            with(higher.clone(), Unit::Count, Polarity::HigherBetter),
            "indikatoren:\n  BQ:\n    standard: false\n    regeln:\n      - typ: trend\n        perioden: 0\n        sprung: 10\n        sprung_einheit: prozent\n".into(),
            vec![100.0, 100.0, 80.0],
            "In Stadtteil 1 ist der Wert „Beschäftigtenquote“ gegenüber 2023 um 20,0 % auf 80 (2024) gesunken – eine Verschlechterung.",
        ),
    ];
    for (ind, yaml, values, want) in cases {
        let mut s = SeriesMap::new();
        s.insert(("01".into(), Breakdown::total()), pts(2022, &values));
        let f = run(&ind, &yaml, &s, None, "2025-01-01");
        let texts: Vec<&str> = f.iter().map(|f| f.sentence.as_str()).collect();
        assert!(texts.contains(&want), "{want}\n{texts:?}");
    }
    // Status and dynamics in plain words: for a rate where lower is better, a high value is
    // „ungünstiger“ and a rise „verschlechtert sich“; where higher is better, the opposite.
    let cases: Vec<(Indicator, bool, &str)> = vec![
        (
            lower,
            false,
            "In Stadtteil 1 liegt der Wert „Arbeitslosenquote“ mit 16,0 % (2024) deutlich ungünstiger als im Durchschnitt der Stadtteile (Gesamtstadt: 5,0 %) und verschlechtert sich (+1,0 Prozentpunkte seit 2022).",
        ),
        (
            higher,
            true,
            "In Stadtteil 1 liegt der Wert „Beschäftigtenquote“ mit 44,0 % (2024) deutlich ungünstiger als im Durchschnitt der Stadtteile (Gesamtstadt: 55,0 %) und verschlechtert sich (−1,0 Prozentpunkte seit 2022).",
        ),
    ];
    for (ind, hb, want) in cases {
        let base = if hb { 55.0 } else { 5.0 };
        let f = run(&ind, "", &status_city(base, 1.0, hb), None, "2025-01-01");
        let st: Vec<&str> = f
            .iter()
            .filter(|f| f.kind == "status_dynamik")
            .map(|f| f.sentence.as_str())
            .collect();
        assert_eq!(st, [want]);
    }
}

#[test]
fn least_substantive_change_decides_whether_a_finding_is_raised() {
    use kimo_model::Unit;
    // (unit, rules file, change of Stadtteil 1 over the window, raised)
    let cases: Vec<(Unit, &str, f64, bool)> = vec![
        // Default for %: 0,5 percentage points.
        (Unit::Percent, "", 0.5, true),
        (Unit::Percent, "", 0.4, false),
        (Unit::Percent, "", 0.1, false),
        (Unit::Percent, "", 0.8, true),
        // Default for ‰: 1 ‰.
        (Unit::PerMille, "", 1.0, true),
        (Unit::PerMille, "", 0.9, false),
        // Default for counts: 2 % of the earlier value (15 → at least 0,3).
        (Unit::Count, "", 0.3, true),
        (Unit::Count, "", 0.2, false),
        // The file's default by unit, and the indicator's own.
        (
            Unit::Percent,
            "standard:\n  mindestaenderung:\n    prozent: 0.1\n",
            0.1,
            true,
        ),
        (
            Unit::Percent,
            "indikatoren:\n  ALQ:\n    mindestaenderung: 1\n",
            0.8,
            false,
        ),
        (
            Unit::Percent,
            "indikatoren:\n  ALQ:\n    mindestaenderung: 1\n",
            1.0,
            true,
        ),
    ];
    for (unit, yaml, change, raised) in cases {
        let ind = with(alq(), unit.clone(), Polarity::LowerBetter);
        let f = run(
            &ind,
            yaml,
            &status_city(5.0, change, false),
            None,
            "2025-01-01",
        );
        let status = f.iter().filter(|f| f.kind == "status_dynamik").count();
        assert_eq!(status, raised as usize, "status {unit:?} {yaml:?} {change}");
        // A trend of two steps with the same total change.
        let mut s = SeriesMap::new();
        s.insert(
            ("01".into(), Breakdown::total()),
            pts(2022, &[15.0, 15.0 + change / 2.0, 15.0 + change]),
        );
        let rules = format!(
            "{yaml}{}",
            if yaml.contains("indikatoren") {
                "    regeln:\n"
            } else {
                "indikatoren:\n  ALQ:\n    regeln:\n"
            }
        );
        let rules = format!("{rules}      - typ: trend\n        perioden: 2\n");
        let f = run(&ind, &rules, &s, None, "2025-01-01");
        let trend = f.iter().filter(|f| f.rule == "trend-1").count();
        assert_eq!(trend, raised as usize, "trend {unit:?} {yaml:?} {change}");
    }
}

#[test]
fn german_words_for_readers() {
    use crate::rules::{KINDS, kind_label};
    use crate::sentences::warnings;
    let labels: Vec<&str> = KINDS.iter().map(|k| kind_label(k)).collect();
    assert_eq!(
        labels,
        [
            "Schwellenwert",
            "Trend",
            "Gruppenabstand",
            "Stadtteilvergleich",
            "Zielerreichung",
            "Daten überfällig"
        ]
    );
    assert_eq!(
        (warnings(0), warnings(1), warnings(2), warnings(1250)),
        (
            "0 Warnhinweise".to_string(),
            "1 Warnhinweis".to_string(),
            "2 Warnhinweise".to_string(),
            "1.250 Warnhinweise".to_string()
        )
    );
    assert_eq!(status::Status::SehrNiedrig.label(), "deutlich ungünstiger");
    assert_eq!(status::Dynamics::Negativ.label(), "verschlechtert sich");
}

/// Every series with labelled periods added: a comparison period after the years (worse than any
/// limit, and would break every trend) and a Wintersemester label among them.
fn with_labels(s: &SeriesMap) -> SeriesMap {
    let label = |text: &str, v: f64| Point {
        period: Period::Label(text.into()),
        value: Some(v),
        brk: false,
    };
    s.iter()
        .map(|(k, pts)| {
            let mut pts = pts.clone();
            pts.push(label("WS 2021/22", -50.0));
            pts.push(label("2024 / 2005", 1000.0));
            pts.push(label("Veränderung 2024 zu 2005", -1000.0));
            pts.sort_by(|a, b| a.period.cmp(&b.period));
            (k.clone(), pts)
        })
        .collect()
}

/// Labelled periods have no place on the time axis: no rule type sees them, so each finds exactly
/// what it finds without them — trend, threshold, group gap, target, overdue, status × dynamics.
#[test]
fn labelled_periods_change_no_finding() {
    let mut s = SeriesMap::new();
    s.insert(
        ("01".into(), Breakdown::total()),
        pts(2021, &[7.0, 8.0, 9.0, 10.5]),
    );
    s.insert(
        ("02".into(), Breakdown::total()),
        pts(2021, &[7.0, 7.0, 7.0, 7.0]),
    );
    s.insert(("KA".into(), nd()), pts(2021, &[9.0, 10.0, 11.5, 13.0]));
    s.insert(
        ("KA".into(), Breakdown::of(&[("sta", "d")])),
        pts(2021, &[4.0, 4.2, 4.3, 4.4]),
    );
    s.insert(
        ("KA".into(), Breakdown::total()),
        pts(2015, &[10.0, 10.2, 10.4, 10.6, 10.8, 11.0]),
    );
    let yaml = "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: schwelle\n        grenze: 8\n      - typ: trend\n        perioden: 2\n        sprung: 1\n      - typ: gruppenabstand\n        merkmal: sta\n        gruppe: nd\n        vergleich: d\n        grenze: 6\n        perioden: 3\n      - typ: ziel\n        zielwert: 5\n        zieljahr: 2030\n      - typ: ueberfaellig\n        karenz_tage: 90\n";
    let plain = run(&alq(), yaml, &s, None, "2026-06-01");
    let kinds: Vec<&str> = plain.iter().map(|f| f.kind).collect();
    for kind in [
        "schwelle",
        "trend",
        "gruppenabstand",
        "ziel",
        "ueberfaellig",
    ] {
        assert!(
            kinds.contains(&kind),
            "{kind} fires without labels: {kinds:?}"
        );
    }
    let labelled = run(&alq(), yaml, &with_labels(&s), None, "2026-06-01");
    assert_eq!(labelled, plain);
    assert!(
        labelled
            .iter()
            .all(|f| f.period.as_ref().is_some_and(|p| !p.is_label()))
    );
    // A series of labels only: nothing to say, not even "overdue".
    let mut only = SeriesMap::new();
    let label_only = |t: &str| Point {
        period: Period::Label(t.into()),
        value: Some(99.0),
        brk: false,
    };
    only.insert(
        ("01".into(), Breakdown::total()),
        vec![label_only("WS 2005/06"), label_only("WS 2006/07")],
    );
    assert!(run(&alq(), yaml, &only, None, "2030-01-01").is_empty());
    // Status × dynamics classifies the same latest year.
    let st = status_city(10.0, 3.0, false);
    let status =
        "indikatoren:\n  ALQ:\n    standard: false\n    regeln:\n      - typ: status_dynamik\n";
    let plain = run(&alq(), status, &st, None, "2025-01-01");
    assert!(!plain.is_empty());
    assert_eq!(
        run(&alq(), status, &with_labels(&st), None, "2025-01-01"),
        plain
    );
}

/// A goal of the Konzept is the target its rule checks: on the same series the page's progress
/// (`progress::towards` with the goal's measure) and the early warning's finding agree — a warning
/// exactly for „begrenzt“ (mittel) and „Verschlechterung“ (hoch), none otherwise; for the city,
/// a Stadtteil and a group, rising and falling goals.
#[test]
fn goal_progress_equals_the_target_rule() {
    use kimo_model::konzept::{Direction, Goal, Measure};
    let series: [&[f64]; 5] = [
        &[10.0, 9.0, 8.0, 7.0, 6.0, 5.5],      // falling fast
        &[10.0, 9.9, 9.8, 9.7, 9.6, 9.5],      // falling slowly
        &[10.0, 10.2, 10.4, 10.6, 10.8, 11.0], // rising
        &[10.0, 10.0, 10.0, 10.0, 10.0, 10.0], // flat
        &[4.0, 4.0, 4.0, 4.0, 4.0, 4.0],       // beyond the target
    ];
    let places = [
        ("KA", None, Breakdown::total()),
        ("19", Some("19"), Breakdown::total()),
        ("KA", None, nd()),
    ];
    let mut checked = 0;
    for values in series {
        for (area, goal_area, b) in &places {
            for direction in [Direction::Sinken, Direction::Steigen] {
                let measure = Measure {
                    indicator: "ALQ".into(),
                    area: goal_area.map(str::to_string),
                    group: (!b.is_total()).then(|| ("sta".into(), "nd".into())),
                    direction,
                    target: if direction == Direction::Sinken {
                        5.0
                    } else {
                        15.0
                    },
                    target_year: 2030,
                    base_year: 2015,
                };
                let goal = Goal {
                    id: "arbeit-1".into(),
                    text: "Ziel".into(),
                    measure: Some(measure.clone()),
                };
                let mut set =
                    RuleSet::parse("t.yml", "indikatoren:\n  ALQ:\n    standard: false\n").unwrap();
                set.add_goals([&goal]);
                let mut s = SeriesMap::new();
                s.insert((area.to_string(), b.clone()), pts(2015, values));
                let n = names();
                let none = |_: &str| None;
                let cx = Context {
                    names: &n,
                    as_of: NaiveDate::from_ymd_opt(2021, 1, 1).unwrap(),
                    population: &none,
                    latest_unread: None,
                };
                let found = evaluate(&alq(), &set.for_indicator(&alq()), &s, &cx);
                let points: Vec<(Period, f64)> = pts(2015, values)
                    .iter()
                    .map(|p| (p.period.clone(), p.value.unwrap()))
                    .collect();
                let rising = Some(direction == Direction::Steigen);
                let page = progress::towards(&alq(), &points, (measure.target, 2030), 2015, rising)
                    .unwrap();
                let expected = match page.class {
                    progress::ProgressClass::Deterioration => Some(Severity::Hoch),
                    progress::ProgressClass::Limited => Some(Severity::Mittel),
                    _ => None,
                };
                assert_eq!(
                    found.first().map(|f| f.severity),
                    expected,
                    "{values:?} {area} {b:?} {direction:?}: {found:?}"
                );
                if let Some(f) = found.first() {
                    assert_eq!((f.rule.as_str(), f.area.as_str()), ("ziel-arbeit-1", *area));
                    assert!(f.sentence.contains(page.class.label()), "{}", f.sentence);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 30);
}
