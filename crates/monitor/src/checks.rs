//! The series checks behind the rules: pure functions over points sorted by period.

use kimo_model::{Period, Polarity};

/// One value of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Period.
    pub period: Period,
    /// Value (None: withheld).
    pub value: Option<f64>,
    /// The series breaks before this value (not comparable with the one before).
    pub brk: bool,
}

/// A value with its period.
pub type Dated = (Period, f64);

/// Whether `a` → `b` is a worsening under the polarity (None for neutral indicators).
fn worse(p: Polarity, a: f64, b: f64) -> Option<bool> {
    match p {
        Polarity::LowerBetter => Some(b > a),
        Polarity::HigherBetter => Some(b < a),
        Polarity::Neutral => None,
    }
}

/// Whether `b` directly follows `a` and may be compared with it.
fn comparable(a: &Point, b: &Point) -> bool {
    !b.brk && a.period.next().is_none_or(|n| n == b.period)
}

/// The last `k` steps, if the series ends with `k` consecutive worsening steps between adjacent
/// periods without a break, and changes by at least `min_total_percent` % of its start value overall.
/// Returns the (k + 1) points of the streak.
pub fn worsening_streak(
    points: &[Point],
    k: usize,
    polarity: Polarity,
    min_total_percent: f64,
) -> Option<Vec<(Period, f64)>> {
    if k == 0 || points.len() < k + 1 {
        return None;
    }
    let tail = &points[points.len() - k - 1..];
    let mut out = Vec::with_capacity(k + 1);
    for (i, p) in tail.iter().enumerate() {
        let v = p.value?;
        if i > 0 {
            let prev = &tail[i - 1];
            if !comparable(prev, p) || !worse(polarity, prev.value?, v)? {
                return None;
            }
        }
        out.push((p.period.clone(), v));
    }
    let (first, last) = (out[0].1, out[k].1);
    let total = if first != 0.0 {
        (last - first).abs() / first.abs() * 100.0
    } else {
        f64::INFINITY
    };
    (total >= min_total_percent).then_some(out)
}

/// The last step if it is a worsening larger than `limit` (percentage points, or percent of the
/// previous value): ((period, value) before, (period, value) after, size of the change).
pub fn worsening_jump(
    points: &[Point],
    limit: f64,
    in_points: bool,
    polarity: Polarity,
) -> Option<(Dated, Dated, f64)> {
    let [.., a, b] = points else { return None };
    let (va, vb) = (a.value?, b.value?);
    if !comparable(a, b) || !worse(polarity, va, vb)? {
        return None;
    }
    let size = if in_points || va == 0.0 {
        (vb - va).abs()
    } else {
        (vb - va).abs() / va.abs() * 100.0
    };
    (size > limit).then_some(((a.period.clone(), va), (b.period.clone(), vb), size))
}

/// Whether the latest value is strictly beyond the limit: Some((period, value)).
pub fn beyond(points: &[Point], limit: f64, above: bool) -> Option<(Period, f64)> {
    let p = points.iter().rev().find(|p| p.value.is_some())?;
    let v = p.value?;
    let fires = if above { v > limit } else { v < limit };
    fires.then_some((p.period.clone(), v))
}

/// Where the run of values strictly beyond the limit that ends with the latest value began:
/// the first period of the run (adjacent periods, no break, no withheld value in between).
pub fn beyond_since(points: &[Point], limit: f64, above: bool) -> Option<Period> {
    let fires = |v: f64| if above { v > limit } else { v < limit };
    let end = points.iter().rposition(|p| p.value.is_some())?;
    let mut start = None;
    for i in (0..=end).rev() {
        match points[i].value {
            Some(v) if fires(v) => start = Some(points[i].period.clone()),
            _ => break,
        }
        if i > 0 && !comparable(&points[i - 1], &points[i]) {
            break;
        }
    }
    start
}

/// The gap group − reference per common period, oriented so that positive means "the group is worse"
/// (for neutral indicators: the absolute difference).
pub fn gaps(group: &[Point], reference: &[Point], polarity: Polarity) -> Vec<Point> {
    let orient = match polarity {
        Polarity::LowerBetter => Some(1.0),
        Polarity::HigherBetter => Some(-1.0),
        Polarity::Neutral => None,
    };
    group
        .iter()
        .filter_map(|g| {
            let r = reference.iter().find(|r| r.period == g.period)?;
            let d = g.value? - r.value?;
            Some(Point {
                period: g.period.clone(),
                value: Some(orient.map_or(d.abs(), |o| o * d)),
                brk: g.brk || r.brk,
            })
        })
        .collect()
}

/// Whether a gap series widened `k` times in a row at its end (adjacent periods, no break).
pub fn widening(gaps: &[Point], k: usize) -> Option<Vec<(Period, f64)>> {
    // A widening gap is a "worsening" of a lower-is-better series.
    worsening_streak(gaps, k, Polarity::LowerBetter, 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(values: &[(i32, Option<f64>)]) -> Vec<Point> {
        values
            .iter()
            .map(|&(y, v)| Point {
                period: Period::Year(y),
                value: v,
                brk: false,
            })
            .collect()
    }

    #[test]
    fn trend_table() {
        use Polarity::*;
        // (series, k, polarity, fires)
        type Case = (Vec<(i32, Option<f64>)>, usize, Polarity, bool);
        let cases: Vec<Case> = vec![
            (
                vec![
                    (2021, Some(7.6)),
                    (2022, Some(8.1)),
                    (2023, Some(8.7)),
                    (2024, Some(9.4)),
                ],
                3,
                LowerBetter,
                true,
            ),
            (
                vec![
                    (2021, Some(7.6)),
                    (2022, Some(8.1)),
                    (2023, Some(8.7)),
                    (2024, Some(9.4)),
                ],
                3,
                HigherBetter,
                false,
            ),
            (
                vec![
                    (2021, Some(7.6)),
                    (2022, Some(8.1)),
                    (2023, Some(8.7)),
                    (2024, Some(9.4)),
                ],
                3,
                Neutral,
                false,
            ),
            // A flat step is no worsening.
            (
                vec![
                    (2021, Some(7.6)),
                    (2022, Some(8.1)),
                    (2023, Some(8.1)),
                    (2024, Some(9.4)),
                ],
                3,
                LowerBetter,
                false,
            ),
            // A missing year breaks the streak.
            (
                vec![
                    (2020, Some(7.6)),
                    (2022, Some(8.1)),
                    (2023, Some(8.7)),
                    (2024, Some(9.4)),
                ],
                3,
                LowerBetter,
                false,
            ),
            // A withheld value breaks it too.
            (
                vec![
                    (2021, Some(7.6)),
                    (2022, None),
                    (2023, Some(8.7)),
                    (2024, Some(9.4)),
                ],
                3,
                LowerBetter,
                false,
            ),
            // Too short.
            (
                vec![(2023, Some(8.7)), (2024, Some(9.4))],
                3,
                LowerBetter,
                false,
            ),
            // Falling, higher is better.
            (
                vec![
                    (2021, Some(60.0)),
                    (2022, Some(58.0)),
                    (2023, Some(55.0)),
                    (2024, Some(50.0)),
                ],
                3,
                HigherBetter,
                true,
            ),
            // Negative and zero values.
            (
                vec![
                    (2021, Some(-3.0)),
                    (2022, Some(-1.0)),
                    (2023, Some(0.0)),
                    (2024, Some(2.0)),
                ],
                3,
                LowerBetter,
                true,
            ),
        ];
        for (i, (v, k, pol, fires)) in cases.into_iter().enumerate() {
            assert_eq!(
                worsening_streak(&s(&v), k, pol, 0.0).is_some(),
                fires,
                "case {i}"
            );
        }
        // A break in series inside the window stops the streak.
        let mut v = s(&[
            (2021, Some(7.6)),
            (2022, Some(8.1)),
            (2023, Some(8.7)),
            (2024, Some(9.4)),
        ]);
        v[2].brk = true;
        assert!(worsening_streak(&v, 3, LowerBetter, 0.0).is_none());
        // The least total change: 7.6 → 7.9 is +3.9 %, below 5 %.
        let v = s(&[
            (2021, Some(7.6)),
            (2022, Some(7.7)),
            (2023, Some(7.8)),
            (2024, Some(7.9)),
        ]);
        assert!(worsening_streak(&v, 3, LowerBetter, 5.0).is_none());
        assert!(worsening_streak(&v, 3, LowerBetter, 3.9).is_some());
    }

    #[test]
    fn jumps_and_thresholds() {
        use Polarity::*;
        let v = s(&[(2023, Some(8.0)), (2024, Some(10.5))]);
        assert!(worsening_jump(&v, 2.0, true, LowerBetter).is_some());
        assert!(
            worsening_jump(&v, 2.5, true, LowerBetter).is_none(),
            "exactly at the limit does not fire"
        );
        assert!(
            worsening_jump(&v, 30.0, false, LowerBetter).is_some(),
            "+31.25 %"
        );
        assert!(
            worsening_jump(&v, 2.0, true, HigherBetter).is_none(),
            "an improvement"
        );
        assert!(worsening_jump(&v, 2.0, true, Neutral).is_none());
        // Threshold: strictly beyond; the latest value counts, withheld values are skipped.
        let v = s(&[(2023, Some(9.0)), (2024, Some(8.0)), (2025, None)]);
        assert!(beyond(&v, 8.0, true).is_none());
        assert_eq!(beyond(&v, 7.9, true), Some((Period::Year(2024), 8.0)));
        assert!(beyond(&v, 8.0, false).is_none());
        assert!(beyond(&v, 8.1, false).is_some());
        assert!(beyond(&s(&[(2024, Some(-1.0))]), 0.0, false).is_some());
        assert!(beyond(&s(&[(2024, Some(0.0))]), 0.0, false).is_none());
        // Since when: the run beyond the limit that ends with the latest value.
        let v = s(&[
            (2021, Some(9.0)),
            (2022, Some(7.0)),
            (2023, Some(8.5)),
            (2024, Some(9.0)),
            (2025, None),
        ]);
        assert_eq!(beyond_since(&v, 8.0, true), Some(Period::Year(2023)));
        assert_eq!(beyond_since(&v, 6.0, true), Some(Period::Year(2021)));
        assert_eq!(beyond_since(&v, 9.5, true), None);
    }

    #[test]
    fn group_gaps() {
        use Polarity::*;
        let nd = s(&[
            (2022, Some(9.0)),
            (2023, Some(10.0)),
            (2024, Some(11.5)),
            (2025, Some(13.0)),
        ]);
        let d = s(&[
            (2022, Some(4.0)),
            (2023, Some(4.2)),
            (2024, Some(4.3)),
            (2025, Some(4.4)),
        ]);
        let g = gaps(&nd, &d, LowerBetter);
        assert_eq!(g.last().unwrap().value, Some(13.0 - 4.4));
        assert!(beyond(&g, 8.5, true).is_some());
        assert!(
            beyond(&g, 8.6, true).is_none(),
            "8.6 is exactly at the limit"
        );
        assert!(widening(&g, 3).is_some());
        // Higher is better: the group below the reference is the bad gap.
        let g = gaps(&d, &nd, HigherBetter);
        assert!(g.iter().all(|p| p.value.unwrap() > 0.0));
        // Neutral: the absolute difference.
        let g = gaps(&d, &nd, Neutral);
        assert!(g.iter().all(|p| p.value.unwrap() > 0.0));
        // A narrowing gap does not fire.
        let d2 = s(&[
            (2022, Some(4.0)),
            (2023, Some(6.0)),
            (2024, Some(8.0)),
            (2025, Some(10.0)),
        ]);
        assert!(widening(&gaps(&nd, &d2, LowerBetter), 3).is_none());
    }
}
