//! Disclosure control (Geheimhaltung) for published figures. A source's rule says from which count
//! a cell may be shown (the Bundesagentur für Arbeit: values 1 and 2 are secret, so 3) and whether
//! counts are published rounded (the Ausländerzentralregister: to multiples of 5). A cell is secret
//! when its count — the value of a count, the numerator of a share — or a share's denominator lies
//! between 1 and the minimum (primary suppression; 0 is shown: nothing is nothing), or when its
//! supplier already marked it secret. Then every sum that could give it away is protected
//! (secondary suppression): a Stadtteil's value with the city's and the other Stadtteile's, a
//! group's value with the total and the other groups'. In each such sum either no cell or at least
//! two cells are secret; the second is the smallest cell still shown (or the total when no other
//! cell is left). The public sees „.“ for every secret cell; internal users see the true values,
//! marked as not for publication.

use crate::Breakdown;
use std::collections::{BTreeMap, HashMap};

/// The statistical symbol of a secret cell (Destatis: „Zahlenwert unbekannt oder geheim zu
/// halten“).
pub const SYMBOL: &str = ".";

/// The legend's line for [`SYMBOL`].
pub const LEGEND: &str = "Zahlenwert unbekannt oder geheim zu halten";

/// A source's rule for published figures.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rule {
    /// The source, as the catalogue names it.
    pub source: String,
    /// Counts from 1 up to below this are secret (0 or 1: nothing is secret).
    pub min_count: u32,
    /// Counts are published rounded to a multiple of this (0 or 1: as they are).
    pub round_to: u32,
}

impl Rule {
    /// Whether a count (or a share's denominator) is secret by itself.
    pub fn is_small(&self, count: f64) -> bool {
        count > 0.0 && count < f64::from(self.min_count)
    }

    /// A count as published: rounded to the nearest multiple of `round_to` (halves up).
    pub fn rounded(&self, count: f64) -> f64 {
        if self.round_to <= 1 {
            return count;
        }
        let step = f64::from(self.round_to);
        (count / step + 0.5).floor() * step
    }
}

/// An embargo: an indicator's period stays internal until its release day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Embargo {
    /// The indicator's code.
    pub indicator: String,
    /// The period's code (`2025`, `2025-H1`, …).
    pub period: String,
    /// The release day (ISO): from this day on the public sees the values.
    pub release_on: String,
}

impl Embargo {
    /// Whether the values are still internal on a day (ISO).
    pub fn holds_on(&self, day: &str) -> bool {
        day < self.release_on.as_str()
    }
}

/// Why a cell is not published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Secret {
    /// Its own count is too small, or the supplier kept it secret.
    Primary,
    /// It would give a primary secret away through a sum.
    Secondary,
}

/// One cell of an indicator's table for a period: where it is and what it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The area's code.
    pub area: String,
    /// The groups it is for.
    pub breakdown: Breakdown,
    /// What adds up: a count's value or a share's numerator (None when not known).
    pub count: Option<f64>,
    /// A share's denominator, where known.
    pub denominator: Option<f64>,
    /// Kept secret by its supplier already.
    pub secret: bool,
}

/// A sum the cells obey: the total and its parts (indices into the cells).
#[derive(Debug, Clone, PartialEq)]
struct Sum {
    /// The total, if the table has it.
    total: Option<usize>,
    /// The parts.
    parts: Vec<usize>,
}

/// Which cells of one indicator's table for one period are secret (same order as `cells`);
/// `parent` gives an area's parent area.
pub fn protect(
    cells: &[Cell],
    parent: &HashMap<String, String>,
    rule: &Rule,
) -> Vec<Option<Secret>> {
    let mut out: Vec<Option<Secret>> = cells
        .iter()
        .map(|c| {
            let small = c.count.is_some_and(|n| rule.is_small(n))
                || c.denominator.is_some_and(|n| rule.is_small(n));
            (c.secret || small).then_some(Secret::Primary)
        })
        .collect();
    if out.iter().all(Option::is_none) {
        return out;
    }
    let sums = sums(cells, parent);
    loop {
        let mut changed = false;
        for s in &sums {
            let members = s.parts.iter().copied().chain(s.total);
            if members.filter(|&i| out[i].is_some()).count() != 1 {
                continue;
            }
            if let Some(i) = second(cells, s, &out) {
                out[i] = Some(Secret::Secondary);
                changed = true;
            }
        }
        if !changed {
            return out;
        }
    }
}

/// The cell to keep secret as well in a sum with one secret: the smallest part still shown (a
/// part that counts something before one that is 0), else the total.
fn second(cells: &[Cell], s: &Sum, out: &[Option<Secret>]) -> Option<usize> {
    s.parts
        .iter()
        .copied()
        .filter(|&i| out[i].is_none())
        .min_by(|&a, &b| {
            let key = |i: usize| {
                let n = cells[i].count.unwrap_or(0.0);
                (n == 0.0, n)
            };
            let (za, na) = key(a);
            let (zb, nb) = key(b);
            za.cmp(&zb).then(na.total_cmp(&nb)).then(a.cmp(&b))
        })
        .or(s.total.filter(|&t| out[t].is_none()))
}

/// The sums of a table: per breakdown, each parent area with its child areas; per area, each
/// dimension's groups with the total over that dimension. Cells without a count take no part,
/// unless they are secret (a supplier's secret usually comes without its number).
fn sums(cells: &[Cell], parent: &HashMap<String, String>) -> Vec<Sum> {
    let index: HashMap<(&str, String), usize> = cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.count.is_some() || c.secret)
        .map(|(i, c)| ((c.area.as_str(), c.breakdown.key()), i))
        .collect();
    let mut parts: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    let mut totals: HashMap<(String, String, String), Option<usize>> = HashMap::new();
    for (i, c) in cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.count.is_some() || c.secret)
    {
        let key = c.breakdown.key();
        if let Some(p) = parent.get(&c.area) {
            let k = ("area".to_string(), p.clone(), key.clone());
            totals
                .entry(k.clone())
                .or_insert_with(|| index.get(&(p.as_str(), key.clone())).copied());
            parts.entry(k).or_default().push(i);
        }
        for d in c.breakdown.dimensions() {
            let rest = Breakdown::of(
                &c.breakdown
                    .iter()
                    .filter(|(x, _)| *x != d)
                    .collect::<Vec<_>>(),
            )
            .key();
            let k = (format!("dim:{d}"), c.area.clone(), rest.clone());
            totals
                .entry(k.clone())
                .or_insert_with(|| index.get(&(c.area.as_str(), rest.clone())).copied());
            parts.entry(k).or_default().push(i);
        }
    }
    parts
        .into_iter()
        .map(|(k, parts)| Sum {
            total: totals.get(&k).copied().flatten(),
            parts,
        })
        .collect()
}

#[cfg(test)]
mod tests;
