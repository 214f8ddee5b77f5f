//! The Fahrplan: milestones with responsible parties, a time as people write it („16. Oktober
//! 2025“, „ab Dez. 2025“, „Ende 2025 - Mitte 2026“, „Ab 2027“), a status and the milestones they
//! depend on. The time is read into a span of days for the timeline; the words stay as written.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The state of a milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MilestoneStatus {
    /// Not begun.
    Geplant,
    /// Under way.
    Laufend,
    /// Done.
    Erledigt,
    /// Moved to a later time.
    Verschoben,
}

impl MilestoneStatus {
    /// Every state.
    pub const ALL: [MilestoneStatus; 4] = [
        MilestoneStatus::Geplant,
        MilestoneStatus::Laufend,
        MilestoneStatus::Erledigt,
        MilestoneStatus::Verschoben,
    ];

    /// The stored code (also the German word).
    pub fn code(self) -> &'static str {
        match self {
            MilestoneStatus::Geplant => "geplant",
            MilestoneStatus::Laufend => "laufend",
            MilestoneStatus::Erledigt => "erledigt",
            MilestoneStatus::Verschoben => "verschoben",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<MilestoneStatus> {
        MilestoneStatus::ALL
            .into_iter()
            .find(|x| x.code() == s.trim().to_lowercase())
    }
}

/// A milestone of the Fahrplan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Milestone {
    /// Stored id.
    #[serde(default)]
    pub id: i64,
    /// Its number in the plan, e.g. `2.1`.
    pub number: String,
    /// What happens.
    pub title: String,
    /// Who is responsible (as written, e.g. „BfI, AKI, Ämter“).
    #[serde(default)]
    pub responsible: String,
    /// When, as written („16. Oktober 2025“, „ab Dez. 2025“, „2025 - 2026“; empty: open).
    #[serde(default)]
    pub when: String,
    /// The state.
    pub status: MilestoneStatus,
    /// The numbers of the milestones it depends on.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// A milestone kimo marks done itself: `ina-praesentation` or `monitoringbericht` (with the
    /// report released), else empty.
    #[serde(default)]
    pub system: String,
}

/// A time read from words: the first and last day, and whether it runs on („ab …“).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first day.
    pub start: NaiveDate,
    /// The last day (for an open span: the end of its first unit).
    pub end: NaiveDate,
    /// „ab …“: from the start on, without an end.
    pub open: bool,
    /// A single day.
    pub day: bool,
}

/// German month names and abbreviations, January first.
const MONTHS: [&[&str]; 12] = [
    &["januar", "jan", "jänner"],
    &["februar", "feb"],
    &["märz", "mär", "maerz", "mrz"],
    &["april", "apr"],
    &["mai"],
    &["juni", "jun"],
    &["juli", "jul"],
    &["august", "aug"],
    &["september", "sep", "sept"],
    &["oktober", "okt"],
    &["november", "nov"],
    &["dezember", "dez"],
];

/// A year as written: four digits, or two (`25` → 2025).
fn year(s: &str) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    match s.len() {
        4 => Some(y),
        2 => Some(2000 + y),
        _ => None,
    }
}

/// The last day of a month.
fn month_end(y: i32, m: u32) -> Option<NaiveDate> {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next?.pred_opt()
}

/// One point in time as written: a day, a month, a part of a year or a year → (first, last day, is a
/// day).
fn point(s: &str) -> Option<(NaiveDate, NaiveDate, bool)> {
    let s = s.trim().to_lowercase();
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == '.')
        .filter(|w| !w.is_empty())
        .collect();
    let month = |w: &str| {
        MONTHS
            .iter()
            .position(|names| names.contains(&w))
            .map(|i| i as u32 + 1)
    };
    match words.as_slice() {
        [y] => {
            let y = year(y)?;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
                false,
            ))
        }
        [part @ ("anfang" | "mitte" | "ende"), y] => {
            let y = year(y)?;
            let (a, b) = match *part {
                "anfang" => (1, 3),
                "mitte" => (5, 8),
                _ => (10, 12),
            };
            Some((NaiveDate::from_ymd_opt(y, a, 1)?, month_end(y, b)?, false))
        }
        [m, y] => {
            let (y, m) = (
                year(y)?,
                month(m).or_else(|| m.parse().ok().filter(|m| (1..=12).contains(m)))?,
            );
            Some((NaiveDate::from_ymd_opt(y, m, 1)?, month_end(y, m)?, false))
        }
        [d, m, y] => {
            let (y, m) = (year(y)?, month(m).or_else(|| m.parse().ok())?);
            let day = NaiveDate::from_ymd_opt(y, m, d.parse().ok()?)?;
            Some((day, day, true))
        }
        _ => None,
    }
}

/// Reads a time as people write it in a Fahrplan: a day (`16. Oktober 2025`, `16.10.2025`,
/// `23. Oktober 25`), a month (`Juli 2025`, `Dez. 2025`), a part of a year (`Ende 2026`, `Mitte
/// 2026`), a year, a range of these (`2025 - 2026`, `Ende 2025- Mitte 2026`), or `ab …` for an open
/// end. None for empty or unreadable words.
pub fn span(when: &str) -> Option<Span> {
    let w = when.trim();
    let lower = w.to_lowercase();
    if let Some(rest) = lower.strip_prefix("ab ") {
        let (start, end, day) = point(rest)?;
        return Some(Span {
            start,
            end,
            open: true,
            day,
        });
    }
    if let Some((a, b)) = w
        .split_once(['-', '–'])
        .filter(|(a, b)| !a.trim().is_empty() && !b.trim().is_empty())
    {
        let ((start, _, _), (_, end, _)) = (point(a)?, point(b)?);
        return (start <= end).then_some(Span {
            start,
            end,
            open: false,
            day: false,
        });
    }
    let (start, end, day) = point(w)?;
    Some(Span {
        start,
        end,
        open: false,
        day,
    })
}

/// The half-year a day falls in, as „1. Halbjahr 2026“ (for the recurring InA presentation).
pub fn half_year(d: NaiveDate) -> String {
    format!(
        "{}. Halbjahr {}",
        if d.month() <= 6 { 1 } else { 2 },
        d.year()
    )
}

/// The milestone a released report marks done: of the not yet done milestones of its `system`
/// (`monitoringbericht`, `ina-praesentation`), the first whose title names the report's `year`
/// (e.g. „Monitoringbericht 2027“), else the one whose time holds `on` (the presentation's day or
/// the release date), give or take three months — the nearest if several. None: the plan has no
/// such milestone open.
pub fn system_target<'a>(
    plan: &'a [Milestone],
    system: &str,
    year: i32,
    on: NaiveDate,
) -> Option<&'a Milestone> {
    let open: Vec<&Milestone> = plan
        .iter()
        .filter(|m| m.system == system && m.status != MilestoneStatus::Erledigt)
        .collect();
    let year_text = year.to_string();
    let names_year = |m: &&Milestone| {
        m.title
            .split(|c: char| !c.is_ascii_digit())
            .any(|w| w == year_text)
    };
    if let Some(m) = open.iter().copied().find(names_year) {
        return Some(m);
    }
    let slack = chrono::Days::new(92);
    open.into_iter()
        .filter(|m| !names_year_other(m, year))
        .filter_map(|m| {
            let s = span(&m.when)?;
            let (from, to) = (s.start - slack, s.end + slack);
            let inside = on >= from && (s.open || on <= to);
            let distance = match on < s.start {
                true => (s.start - on).num_days(),
                false => (on - s.end).num_days().max(0),
            };
            inside.then_some((distance, m))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, m)| m)
}

/// Whether a milestone's title names a year other than `year` (it is about another report).
fn names_year_other(m: &Milestone, year: i32) -> bool {
    m.title
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse::<i32>().ok())
        .any(|y| (1990..=2100).contains(&y) && y != year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_report_finds_its_milestone() {
        let m = |number: &str, title: &str, when: &str, system: &str, status| Milestone {
            id: 0,
            number: number.into(),
            title: title.into(),
            responsible: String::new(),
            when: when.into(),
            status,
            depends_on: Vec::new(),
            system: system.into(),
        };
        use MilestoneStatus::*;
        let plan = [
            m(
                "5.4",
                "Vorstellung im InA",
                "Mitte 2027",
                "ina-praesentation",
                Geplant,
            ),
            m(
                "5.5",
                "Monitoringbericht 2027",
                "Ende 2027",
                "monitoringbericht",
                Geplant,
            ),
            m(
                "5.6",
                "Vorstellung im InA",
                "Ende 2027",
                "ina-praesentation",
                Geplant,
            ),
            m(
                "5.7",
                "Monitoringbericht 2025",
                "",
                "monitoringbericht",
                Erledigt,
            ),
            m(
                "5.8",
                "Monitoringbericht",
                "2026",
                "monitoringbericht",
                Geplant,
            ),
        ];
        let d = |y, mo, d| NaiveDate::from_ymd_opt(y, mo, d).unwrap();
        let number = |sys, year, on| system_target(&plan, sys, year, on).map(|m| m.number.as_str());
        // By the year in the title, whenever released; a done one is not marked again.
        assert_eq!(
            number("monitoringbericht", 2027, d(2028, 2, 1)),
            Some("5.5")
        );
        assert_eq!(
            number("monitoringbericht", 2025, d(2026, 12, 1)),
            Some("5.8")
        );
        // A milestone named for another year is not taken by its time.
        assert_eq!(number("monitoringbericht", 2024, d(2027, 12, 1)), None);
        // By the time, the nearest.
        assert_eq!(
            number("ina-praesentation", 2027, d(2027, 6, 20)),
            Some("5.4")
        );
        assert_eq!(
            number("ina-praesentation", 2027, d(2027, 11, 25)),
            Some("5.6")
        );
        assert_eq!(number("ina-praesentation", 2029, d(2029, 6, 1)), None);
    }

    #[test]
    fn times_as_the_council_paper_writes_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let s = |w: &str| span(w).map(|s| (s.start, s.end, s.open, s.day));
        assert_eq!(
            s("Ab Juli 2025"),
            Some((d(2025, 7, 1), d(2025, 7, 31), true, false))
        );
        assert_eq!(
            s("2025 - 2026"),
            Some((d(2025, 1, 1), d(2026, 12, 31), false, false))
        );
        assert_eq!(
            s("16. Oktober 2025"),
            Some((d(2025, 10, 16), d(2025, 10, 16), false, true))
        );
        assert_eq!(
            s("23. Oktober 25"),
            Some((d(2025, 10, 23), d(2025, 10, 23), false, true))
        );
        assert_eq!(
            s("ab Dez. 2025"),
            Some((d(2025, 12, 1), d(2025, 12, 31), true, false))
        );
        assert_eq!(
            s("Ende 2025- Mitte 2026"),
            Some((d(2025, 10, 1), d(2026, 8, 31), false, false))
        );
        assert_eq!(
            s("19. November 2026"),
            Some((d(2026, 11, 19), d(2026, 11, 19), false, true))
        );
        assert_eq!(
            s("Ende 2026"),
            Some((d(2026, 10, 1), d(2026, 12, 31), false, false))
        );
        assert_eq!(
            s("Ab 2027"),
            Some((d(2027, 1, 1), d(2027, 12, 31), true, false))
        );
        assert_eq!(
            s("19.11.2026"),
            Some((d(2026, 11, 19), d(2026, 11, 19), false, true))
        );
        assert_eq!(s("03/2027"), None);
        assert_eq!(s(""), None);
        assert_eq!(s("irgendwann"), None);
        assert_eq!(s("2026 - 2025"), None);
        assert_eq!(half_year(d(2026, 11, 19)), "2. Halbjahr 2026");
    }
}
