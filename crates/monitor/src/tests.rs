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
        "In Durlach ist der Wert „Arbeitslosenquote (nichtdeutsch)“ drei Jahre in Folge gestiegen, von 7,6 % (2021) auf 9,4 % (2024)."
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
    assert!(texts.contains(&"In Stadtteil 1 ist der Wert „Arbeitslosenquote“ gegenüber 2023 um 2,5 Prozentpunkte auf 10,5 % (2024) gestiegen."), "{texts:?}");
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
    assert!(status[0].sentence.starts_with("Stadtteil 1 hat bei „Arbeitslosenquote“ im Vergleich der Stadtteile einen sehr niedrigen Status (14,0 %, 2024) und eine negative Dynamik (+5,0 Prozentpunkte seit 2022)."), "{}", status[0].sentence);
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
fn scopes() {
    assert!(Scope::City.includes("KA", true));
    assert!(!Scope::City.includes("01", false));
    assert!(Scope::Areas(vec!["01".into()]).includes("01", false));
}
