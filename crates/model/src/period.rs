//! Reporting periods and their German spellings.

use crate::ParseError;
use chrono::{Datelike, NaiveDate};
use std::fmt;

const MONTHS: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];

/// A reporting period: year, half-year, quarter, month, school year or reference date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A calendar year, e.g. `2024`.
    Year(i32),
    /// A half-year (1 or 2), e.g. `2024-H2`.
    Half(i32, u8),
    /// A quarter (1–4), e.g. `2024-Q3`.
    Quarter(i32, u8),
    /// A month (1–12), e.g. `2024-06`.
    Month(i32, u8),
    /// A school year named by the year it starts in, e.g. `2023/24`.
    SchoolYear(i32),
    /// A reference date (Stichtag), e.g. `2024-12-31`.
    Date(NaiveDate),
}

/// One spelling of periods: `Some` when the text is written that way. Gets the trimmed text and the
/// same in lower case.
type Spelling = fn(&str, &str) -> Option<Period>;

/// The spellings [`Period::parse`] tries, in this order (the first that fits wins).
const SPELLINGS: [Spelling; 7] = [
    plain_year,
    date,
    month_number_and_year,
    school_year,
    canonical_code,
    word_and_year,
    ordinal_word_and_year,
];

/// A plain year; also "2024.0" as spreadsheets write it.
fn plain_year(s: &str, _: &str) -> Option<Period> {
    parse_year(s)
        .or_else(|| s.strip_suffix(".0").and_then(parse_year))
        .map(Period::Year)
}

/// An ISO date or a German date.
fn date(s: &str, _: &str) -> Option<Period> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
        .map(Period::Date)
}

/// "06/2024", "6.2024".
fn month_number_and_year(s: &str, _: &str) -> Option<Period> {
    ['/', '.'].into_iter().find_map(|sep| {
        let (m, y) = s.split_once(sep)?;
        let (m, y) = (m.trim().parse::<u8>().ok()?, parse_year(y.trim())?);
        (1..=12).contains(&m).then_some(Period::Month(y, m))
    })
}

/// "Schuljahr 2023/24", "SJ 2023/24", "2023/24", "2023/2024".
fn school_year(_: &str, lower: &str) -> Option<Period> {
    let sy = lower
        .strip_prefix("schuljahr")
        .or_else(|| lower.strip_prefix("sj"))
        .unwrap_or(lower)
        .trim();
    let (a, b) = sy.split_once('/')?;
    let (y, b) = (parse_year(a.trim())?, b.trim());
    let ok = match b.len() {
        2 => b.parse::<i32>().ok() == Some((y + 1) % 100),
        4 => b.parse::<i32>().ok() == Some(y + 1),
        _ => false,
    };
    ok.then_some(Period::SchoolYear(y))
}

/// Canonical codes: 2024-H2, 2024-Q3, 2024-06.
fn canonical_code(s: &str, _: &str) -> Option<Period> {
    let (y, rest) = s.split_once('-')?;
    let y = parse_year(y)?;
    let r = rest.to_uppercase();
    if let Some(p) = half_or_quarter(&r, y) {
        return Some(p);
    }
    let m = r.parse::<u8>().ok()?;
    ((1..=12).contains(&m) && r.len() == 2).then_some(Period::Month(y, m))
}

/// "Juni 2024", "Jun. 2024", "H2 2024", "Q3 2024".
fn word_and_year(_: &str, lower: &str) -> Option<Period> {
    let [word, y] = words(lower)[..] else {
        return None;
    };
    let y = parse_year(y)?;
    let w = word.trim_end_matches('.');
    if w == "maerz" {
        return Some(Period::Month(y, 3));
    }
    let month = MONTHS.iter().position(|name| {
        let n = name.to_lowercase();
        w == n || (w.len() >= 3 && n.starts_with(w))
    });
    match month {
        Some(i) => Some(Period::Month(y, i as u8 + 1)),
        None => half_or_quarter(&word.to_uppercase(), y),
    }
}

/// "2. Halbjahr 2024", "2. Hj. 2024", "1. Quartal 2024", "1. Qu. 2024".
fn ordinal_word_and_year(_: &str, lower: &str) -> Option<Period> {
    let [n, w, y] = words(lower)[..] else {
        return None;
    };
    let n = n.trim_end_matches('.').parse::<u8>().ok()?;
    let y = parse_year(y)?;
    match w.trim_end_matches('.') {
        "halbjahr" | "hj" if (1..=2).contains(&n) => Some(Period::Half(y, n)),
        "quartal" | "qu" | "q" if (1..=4).contains(&n) => Some(Period::Quarter(y, n)),
        _ => None,
    }
}

/// `H1`/`H2` or `Q1`–`Q4` (upper case) of the year `y`.
fn half_or_quarter(code: &str, y: i32) -> Option<Period> {
    if let Some(h) = code.strip_prefix('H').and_then(|h| h.parse::<u8>().ok())
        && (1..=2).contains(&h)
    {
        return Some(Period::Half(y, h));
    }
    let q = code.strip_prefix('Q')?.parse::<u8>().ok()?;
    (1..=4).contains(&q).then_some(Period::Quarter(y, q))
}

fn words(lower: &str) -> Vec<&str> {
    lower.split_whitespace().collect()
}

impl Period {
    /// Parses a canonical code or one of the usual German spellings.
    pub fn parse(input: &str) -> Result<Period, ParseError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ParseError::EmptyPeriod);
        }
        let lower = s.to_lowercase();
        SPELLINGS
            .iter()
            .find_map(|spelling| spelling(s, &lower))
            .ok_or_else(|| ParseError::Period(input.to_string()))
    }

    /// The canonical, sortable code stored in the database (`2024`, `2024-H2`, `2023/24`, ...).
    pub fn code(&self) -> String {
        match *self {
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{y}-H{h}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::SchoolYear(y) => format!("{y}/{:02}", (y + 1) % 100),
            Period::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// The German label shown to users (`2. Halbjahr 2024`, `Schuljahr 2023/24`, `31.12.2024`).
    pub fn label(&self) -> String {
        match *self {
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{h}. Halbjahr {y}"),
            Period::Quarter(y, q) => format!("{q}. Quartal {y}"),
            Period::Month(y, m) => format!("{} {y}", MONTHS[m as usize - 1]),
            Period::SchoolYear(y) => format!("Schuljahr {y}/{:02}", (y + 1) % 100),
            Period::Date(d) => d.format("%d.%m.%Y").to_string(),
        }
    }

    /// A short label for chart axes (`2024`, `H2 2024`, `06/2024`, `23/24`).
    pub fn short_label(&self) -> String {
        match *self {
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("H{h} {y}"),
            Period::Quarter(y, q) => format!("Q{q} {y}"),
            Period::Month(y, m) => format!("{m:02}/{y}"),
            Period::SchoolYear(y) => format!("{:02}/{:02}", y % 100, (y + 1) % 100),
            Period::Date(d) => d.format("%d.%m.%Y").to_string(),
        }
    }

    /// The first day of the period.
    pub fn start(&self) -> NaiveDate {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
        match *self {
            Period::Year(y) => d(y, 1, 1),
            Period::Half(y, h) => d(y, if h == 1 { 1 } else { 7 }, 1),
            Period::Quarter(y, q) => d(y, (q as u32 - 1) * 3 + 1, 1),
            Period::Month(y, m) => d(y, m as u32, 1),
            Period::SchoolYear(y) => d(y, 8, 1),
            Period::Date(date) => date,
        }
    }

    /// The last day of the period.
    pub fn end(&self) -> NaiveDate {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("valid date");
        let month_end = |y: i32, m: u32| {
            if m == 12 {
                d(y, 12, 31)
            } else {
                d(y, m + 1, 1).pred_opt().expect("valid date")
            }
        };
        match *self {
            Period::Year(y) => d(y, 12, 31),
            Period::Half(y, h) => month_end(y, if h == 1 { 6 } else { 12 }),
            Period::Quarter(y, q) => month_end(y, q as u32 * 3),
            Period::Month(y, m) => month_end(y, m as u32),
            Period::SchoolYear(y) => d(y + 1, 7, 31),
            Period::Date(date) => date,
        }
    }

    /// The period that follows this one (None for reference dates, which have no fixed rhythm).
    pub fn next(&self) -> Option<Period> {
        Some(match *self {
            Period::Year(y) => Period::Year(y + 1),
            Period::Half(y, 2) => Period::Half(y + 1, 1),
            Period::Half(y, h) => Period::Half(y, h + 1),
            Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
            Period::Quarter(y, q) => Period::Quarter(y, q + 1),
            Period::Month(y, 12) => Period::Month(y + 1, 1),
            Period::Month(y, m) => Period::Month(y, m + 1),
            Period::SchoolYear(y) => Period::SchoolYear(y + 1),
            Period::Date(_) => return None,
        })
    }

    /// The period before this one (None for reference dates).
    pub fn prev(&self) -> Option<Period> {
        Some(match *self {
            Period::Year(y) => Period::Year(y - 1),
            Period::Half(y, 1) => Period::Half(y - 1, 2),
            Period::Half(y, h) => Period::Half(y, h - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
            Period::SchoolYear(y) => Period::SchoolYear(y - 1),
            Period::Date(_) => return None,
        })
    }

    /// The period's position on a time axis in fractional years (its midpoint).
    pub fn axis(&self) -> f64 {
        let s = self.start();
        let e = self.end();
        let f = |d: NaiveDate| d.year() as f64 + (d.ordinal0() as f64) / 365.25;
        (f(s) + f(e)) / 2.0
    }
}

impl serde::Serialize for Period {
    /// As its canonical code.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

fn parse_year(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
        let y: i32 = s.parse().ok()?;
        (1800..=2200).contains(&y).then_some(y)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_spellings_parse_to_canonical_codes() {
        let cases = [
            ("2024", "2024"),
            ("2024.0", "2024"),
            ("2. Halbjahr 2024", "2024-H2"),
            ("1. Hj. 2024", "2024-H1"),
            ("H2 2024", "2024-H2"),
            ("2024-H1", "2024-H1"),
            ("1. Quartal 2024", "2024-Q1"),
            ("Q3 2024", "2024-Q3"),
            ("Juni 2024", "2024-06"),
            ("März 2023", "2023-03"),
            ("Dez. 2023", "2023-12"),
            ("06/2024", "2024-06"),
            ("2024-06", "2024-06"),
            ("Schuljahr 2023/24", "2023/24"),
            ("SJ 2023/2024", "2023/24"),
            ("2023/24", "2023/24"),
            ("31.12.2024", "2024-12-31"),
            ("2024-12-31", "2024-12-31"),
        ];
        for (input, code) in cases {
            let p = Period::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(p.code(), code, "{input}");
            assert_eq!(Period::parse(&p.code()).unwrap(), p, "round trip {code}");
        }
    }

    #[test]
    fn nonsense_is_rejected() {
        for bad in [
            "",
            "abc",
            "2024-13",
            "Schuljahr 2023/25",
            "3. Halbjahr 2024",
            "13/2024",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_german() {
        assert_eq!(
            Period::parse("2024-H2").unwrap().label(),
            "2. Halbjahr 2024"
        );
        assert_eq!(Period::parse("2024-06").unwrap().label(), "Juni 2024");
        assert_eq!(
            Period::parse("2023/24").unwrap().label(),
            "Schuljahr 2023/24"
        );
        assert_eq!(Period::parse("2024-12-31").unwrap().label(), "31.12.2024");
        assert!(Period::Year(2024).axis() > 2024.4 && Period::Year(2024).axis() < 2024.6);
    }
}
