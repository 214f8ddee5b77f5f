//! The delivery plan: from the catalogue (indicator, responsible Amt, periodicity) and each
//! indicator's lag, which Amt owes which period's figures by when. Pure, like the rules.

use chrono::{Days, NaiveDate};
use kimo_model::Indicator;
use kimo_model::delivery::{DEFAULT_LAG_DAYS, Due, period_containing};

/// Every delivery due within `from..=to`: per indicator with a responsible Amt and a regular
/// periodicity, the periods whose end plus the lag (`lag(code)`, or [`DEFAULT_LAG_DAYS`]) falls in
/// the window. Ordered by due date, then indicator.
pub fn plan(
    indicators: &[Indicator],
    lag: &dyn Fn(&str) -> Option<i64>,
    (from, to): (NaiveDate, NaiveDate),
) -> Vec<Due> {
    let mut out = Vec::new();
    for ind in indicators
        .iter()
        .filter(|i| !i.department.trim().is_empty())
    {
        let days = lag(&ind.code).unwrap_or(DEFAULT_LAG_DAYS).max(0) as u64;
        let Some(first) = from
            .checked_sub_days(Days::new(days))
            .and_then(|d| period_containing(ind.periodicity, d))
        else {
            continue;
        };
        let mut period = Some(first);
        while let Some(p) = period {
            let Some(due) = p.end().and_then(|e| e.checked_add_days(Days::new(days))) else {
                break;
            };
            if due > to {
                break;
            }
            if due >= from {
                out.push(Due {
                    indicator: ind.code.clone(),
                    period: p.clone(),
                    amt: ind.department.trim().to_string(),
                    due,
                });
            }
            period = p.next();
        }
    }
    out.sort_by(|a, b| (a.due, &a.indicator).cmp(&(b.due, &b.indicator)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::Periodicity;

    fn indicator(code: &str, amt: &str, p: Periodicity) -> Indicator {
        Indicator {
            code: code.into(),
            department: amt.into(),
            periodicity: p,
            ..Default::default()
        }
    }

    #[test]
    fn the_plan_asks_each_amt_for_its_periods_by_end_plus_lag() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let inds = [
            indicator("ARB-03", "Jobcenter", Periodicity::Year),
            indicator("KIT-01", "Sozial- und Jugendbehörde", Periodicity::HalfYear),
            indicator("SCH-01", "Schul- und Sportamt", Periodicity::SchoolYear),
            indicator("DEM-99", "", Periodicity::Year),
            indicator("WAH-01", "Wahlamt", Periodicity::Irregular),
        ];
        let lag = |code: &str| (code == "KIT-01").then_some(30);
        let due = plan(&inds, &lag, (d(2025, 1, 1), d(2025, 12, 31)));
        let got: Vec<(String, String, NaiveDate)> = due
            .iter()
            .map(|x| (x.indicator.clone(), x.period.code(), x.due))
            .collect();
        assert_eq!(
            got,
            [
                ("KIT-01".into(), "2024-H2".into(), d(2025, 1, 30)),
                ("ARB-03".into(), "2024".into(), d(2025, 3, 31)),
                ("KIT-01".into(), "2025-H1".into(), d(2025, 7, 30)),
                ("SCH-01".into(), "2024/25".into(), d(2025, 10, 29)),
            ]
        );
        assert_eq!(due[1].amt, "Jobcenter");
    }
}
