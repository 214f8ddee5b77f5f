//! Worked tables: primary suppression, secondary suppression across Stadtteile and across groups,
//! a total that would give a cell away, shares, the supplier's secrets, rounding; and on many
//! generated tables: no sum ever has exactly one secret cell.

use super::*;

/// The BA's rule: 1 and 2 are secret.
fn ba() -> Rule {
    Rule {
        source: "Bundesagentur für Arbeit".into(),
        min_count: 3,
        round_to: 0,
    }
}

/// A count cell.
fn cell(area: &str, groups: &[(&str, &str)], count: f64) -> Cell {
    Cell {
        area: area.into(),
        breakdown: Breakdown::of(groups),
        count: Some(count),
        denominator: None,
        secret: false,
    }
}

/// The city `KA` with the Stadtteile `A`, `B`, `C`.
fn city() -> HashMap<String, String> {
    ["A", "B", "C"]
        .iter()
        .map(|a| (a.to_string(), "KA".to_string()))
        .collect()
}

/// The cells' states as letters: `-` shown, `P` primary, `S` secondary.
fn states(out: &[Option<Secret>]) -> String {
    out.iter()
        .map(|s| match s {
            None => '-',
            Some(Secret::Primary) => 'P',
            Some(Secret::Secondary) => 'S',
        })
        .collect()
}

#[test]
fn small_counts_are_secret_nothing_is_nothing() {
    let cells = [
        cell("A", &[], 0.0),
        cell("B", &[], 1.0),
        cell("C", &[], 2.0),
        cell("D", &[], 3.0),
    ];
    // No sums (no parents): only the primary secrets.
    assert_eq!(states(&protect(&cells, &HashMap::new(), &ba())), "-PP-");
}

#[test]
fn a_stadtteil_is_not_given_away_by_the_city_and_the_others() {
    //            KA    A   B   C
    //  count    100    2  40  58
    // A is secret; KA − B − C would give it away: B (the smallest shown) is kept secret too.
    let cells = [
        cell("KA", &[], 100.0),
        cell("A", &[], 2.0),
        cell("B", &[], 40.0),
        cell("C", &[], 58.0),
    ];
    assert_eq!(states(&protect(&cells, &city(), &ba())), "-PS-");
}

#[test]
fn a_total_that_would_reveal_its_only_part_is_kept_secret() {
    // A district with one Stadtteil: the district's total is the Stadtteil's count.
    let parent: HashMap<String, String> = [("A".to_string(), "D1".to_string())].into();
    let cells = [cell("D1", &[], 2.0), cell("A", &[], 2.0)];
    assert_eq!(states(&protect(&cells, &parent, &ba())), "PP");
    let cells = [cell("D1", &[], 7.0), cell("A", &[], 2.0)];
    assert_eq!(states(&protect(&cells, &parent, &ba())), "SP");
}

#[test]
fn a_group_is_not_given_away_by_the_total_and_the_other_group() {
    //               total  deutsch  nichtdeutsch
    //  Stadtteil A     50       48             2
    let cells = [
        cell("A", &[], 50.0),
        cell("A", &[("staat", "deutsch")], 48.0),
        cell("A", &[("staat", "nichtdeutsch")], 2.0),
    ];
    assert_eq!(states(&protect(&cells, &city(), &ba())), "-SP");
}

#[test]
fn secrets_spread_across_stadtteile_and_groups_until_every_sum_is_safe() {
    //                  total  deutsch  nichtdeutsch
    //  KA (city)         300      250            50
    //  A                 100       98             2   ← primary
    //  B                 120      100            20
    //  C                  80       52            28
    // A/nichtdeutsch is secret. Row A (total − deutsch) would give it away: A/deutsch follows.
    // Column „nichtdeutsch“ (KA − B − C): B's 20, the smallest shown, follows. Then row B has one
    // secret: B/deutsch follows — and column „deutsch“ now has two. Every sum has 0 or 2 secrets:
    // A's and B's four cells form a cycle that the shown totals cannot solve.
    let mut cells = Vec::new();
    for (area, total, de, nd) in [
        ("KA", 300.0, 250.0, 50.0),
        ("A", 100.0, 98.0, 2.0),
        ("B", 120.0, 100.0, 20.0),
        ("C", 80.0, 52.0, 28.0),
    ] {
        cells.push(cell(area, &[], total));
        cells.push(cell(area, &[("staat", "deutsch")], de));
        cells.push(cell(area, &[("staat", "nichtdeutsch")], nd));
    }
    let out = protect(&cells, &city(), &ba());
    // Row by row (total, deutsch, nichtdeutsch): the city's row stays shown, A's two groups and
    // C's two groups are secret, B is shown in full.
    eprintln!("STATES {}", states(&out));
    let secret = |a: &str, g: &str| {
        let i = cells
            .iter()
            .position(|c| c.area == a && c.breakdown.get("staat").unwrap_or("") == g)
            .unwrap();
        out[i].is_some()
    };
    assert!(secret("A", "nichtdeutsch") && secret("A", "deutsch"));
    assert!(every_sum_safe(&cells, &city(), &out));
    // Nothing secret that need not be: the city's row and at least one Stadtteil stay shown.
    assert!(!secret("KA", "") && !secret("KA", "deutsch") && !secret("KA", "nichtdeutsch"));
}

#[test]
fn a_share_is_secret_when_its_numerator_or_denominator_is() {
    let share = |area: &str, n: f64, d: f64| Cell {
        area: area.into(),
        breakdown: Breakdown::total(),
        count: Some(n),
        denominator: Some(d),
        secret: false,
    };
    let cells = [
        share("A", 2.0, 100.0),
        share("B", 2.0, 2.0),
        share("C", 30.0, 2.0),
        share("D", 30.0, 100.0),
    ];
    assert_eq!(states(&protect(&cells, &HashMap::new(), &ba())), "PPP-");
}

#[test]
fn the_suppliers_secrets_are_protected_like_ours() {
    let mut cells = vec![
        cell("KA", &[], 100.0),
        cell("A", &[], 40.0),
        cell("B", &[], 30.0),
        cell("C", &[], 30.0),
    ];
    // The supplier's secret comes without its number: KA − B − C would still give it away.
    cells[1].secret = true;
    cells[1].count = None;
    assert_eq!(states(&protect(&cells, &city(), &ba())), "-PS-");
}

#[test]
fn counts_are_rounded_to_the_rules_step() {
    let azr = Rule {
        source: "Ausländerzentralregister".into(),
        min_count: 0,
        round_to: 5,
    };
    assert_eq!(azr.rounded(12.0), 10.0);
    assert_eq!(azr.rounded(12.5), 15.0);
    assert_eq!(azr.rounded(3.0), 5.0);
    assert_eq!(azr.rounded(2.0), 0.0);
    assert_eq!(ba().rounded(12.0), 12.0);
    assert!(!azr.is_small(1.0), "min 0: nothing is secret");
}

/// Whether no sum of the table has exactly one secret cell.
fn every_sum_safe(
    cells: &[Cell],
    parent: &HashMap<String, String>,
    out: &[Option<Secret>],
) -> bool {
    sums(cells, parent).iter().all(|s| {
        s.parts
            .iter()
            .chain(s.total.iter())
            .filter(|&&i| out[i].is_some())
            .count()
            != 1
    })
}

#[test]
fn on_generated_tables_no_sum_has_a_single_secret() {
    // A small linear congruential generator: the same tables on every run.
    let mut seed: u64 = 20_261_202;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % m
    };
    let areas = ["A", "B", "C"];
    for _ in 0..300 {
        let mut cells = Vec::new();
        let mut city_total = [0.0; 3];
        for area in areas {
            let de = next(6) as f64;
            let nd = next(6) as f64;
            city_total[0] += de + nd;
            city_total[1] += de;
            city_total[2] += nd;
            cells.push(cell(area, &[], de + nd));
            cells.push(cell(area, &[("staat", "deutsch")], de));
            cells.push(cell(area, &[("staat", "nichtdeutsch")], nd));
        }
        cells.push(cell("KA", &[], city_total[0]));
        cells.push(cell("KA", &[("staat", "deutsch")], city_total[1]));
        cells.push(cell("KA", &[("staat", "nichtdeutsch")], city_total[2]));
        let out = protect(&cells, &city(), &ba());
        assert!(
            every_sum_safe(&cells, &city(), &out),
            "{cells:?} → {}",
            states(&out)
        );
        for (c, s) in cells.iter().zip(&out) {
            if c.count.is_some_and(|n| n > 0.0 && n < 3.0) {
                assert_eq!(*s, Some(Secret::Primary), "{c:?}");
            }
        }
    }
}
