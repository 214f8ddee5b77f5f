//! Reporting periods and their German spellings.

use crate::ParseError;
use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// The German month names, January first.
pub const MONTHS: [&str; 12] = [
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

/// A reporting period: year, half-year, quarter, month, school year, reference date, or a label.
///
/// **Order** (Rust's `Ord`, and so every sorted list, table, chart and export): periods are grouped
/// by their year — the year a known period starts in, for a label the first four-digit number in
/// 1800–2200 that stands alone in its text (`WS 2005/06` → 2005, `2024 / 2005` → 2024). Within a year
/// come years, half-years, quarters, months, school years, reference dates, each in time order, and
/// then the labels of that year by their text (byte-wise). Labels without any year come last, by text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
    /// A labelled period: free text that is no known period, kept verbatim (trimmed), e.g.
    /// `WS 2005/06` or `Veränderung 2024 zu 2005` from Open SDG's `Year`. It has no place on a time
    /// axis: no start, end, neighbours or axis position. Made only by [`Period::parse_or_label`].
    Label(Arc<str>),
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

    /// Parses a known period like [`Period::parse`], else keeps the trimmed text as a
    /// [`Period::Label`]; only empty text is refused. Reads stored codes back, too: a label is stored
    /// verbatim and, being no known period, reads back as the same label.
    pub fn parse_or_label(input: &str) -> Result<Period, ParseError> {
        match Period::parse(input) {
            Err(ParseError::Period(_)) => Ok(Period::Label(Arc::from(input.trim()))),
            other => other,
        }
    }

    /// Whether this is a labelled period (no place on a time axis).
    pub fn is_label(&self) -> bool {
        matches!(self, Period::Label(_))
    }

    /// The year the period is sorted by: the year it starts in, for a label the first four-digit
    /// number (1800–2200) standing alone in its text; None for a label without one.
    pub fn year(&self) -> Option<i32> {
        match self {
            Period::Year(y)
            | Period::Half(y, _)
            | Period::Quarter(y, _)
            | Period::Month(y, _)
            | Period::SchoolYear(y) => Some(*y),
            Period::Date(d) => Some(d.year()),
            Period::Label(text) => first_year(text),
        }
    }

    /// The rank of the kind within a year (see the order on [`Period`]).
    fn rank(&self) -> u8 {
        match self {
            Period::Year(_) => 0,
            Period::Half(..) => 1,
            Period::Quarter(..) => 2,
            Period::Month(..) => 3,
            Period::SchoolYear(_) => 4,
            Period::Date(_) => 5,
            Period::Label(_) => 6,
        }
    }

    /// The canonical, sortable code stored in the database (`2024`, `2024-H2`, `2023/24`, ...).
    pub fn code(&self) -> String {
        match *self {
            Period::Label(ref text) => text.to_string(),
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{y}-H{h}"),
            Period::Quarter(y, q) => format!("{y}-Q{q}"),
            Period::Month(y, m) => format!("{y}-{m:02}"),
            Period::SchoolYear(y) => format!("{y}/{:02}", (y + 1) % 100),
            Period::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// The label shown to users in the current language (`2. Halbjahr 2024`, `2nd half 2024`).
    pub fn label(&self) -> String {
        if crate::lang::current() == crate::lang::Lang::En {
            return self.english_label();
        }
        match *self {
            Period::Label(ref text) => text.to_string(),
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{h}. Halbjahr {y}"),
            Period::Quarter(y, q) => format!("{q}. Quartal {y}"),
            Period::Month(y, m) => format!("{} {y}", MONTHS[m as usize - 1]),
            Period::SchoolYear(y) => format!("Schuljahr {y}/{:02}", (y + 1) % 100),
            Period::Date(d) => d.format("%d.%m.%Y").to_string(),
        }
    }

    /// The label in English: `2nd half 2024`, `June 2024`, `School year 2023/24`, `31 Dec 2024`.
    fn english_label(&self) -> String {
        const MONTHS_EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let nth = |n: u32| match n {
            1 => "1st",
            2 => "2nd",
            3 => "3rd",
            _ => "4th",
        };
        match *self {
            Period::Label(ref text) => text.to_string(),
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("{} half {y}", nth(h.into())),
            Period::Quarter(y, q) => format!("{} quarter {y}", nth(q.into())),
            Period::Month(y, m) => format!("{} {y}", MONTHS_EN[m as usize - 1]),
            Period::SchoolYear(y) => format!("School year {y}/{:02}", (y + 1) % 100),
            Period::Date(d) => crate::lang::format_date(d),
        }
    }

    /// A short label for chart axes (`2024`, `H2 2024`, `06/2024`, `23/24`).
    pub fn short_label(&self) -> String {
        match *self {
            Period::Label(ref text) => text.to_string(),
            Period::Year(y) => format!("{y}"),
            Period::Half(y, h) => format!("H{h} {y}"),
            Period::Quarter(y, q) => format!("Q{q} {y}"),
            Period::Month(y, m) => format!("{m:02}/{y}"),
            Period::SchoolYear(y) => format!("{:02}/{:02}", y % 100, (y + 1) % 100),
            Period::Date(d) => crate::lang::format_date(d),
        }
    }

    /// The first day of the period (None for a label).
    pub fn start(&self) -> Option<NaiveDate> {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        match *self {
            Period::Year(y) => d(y, 1, 1),
            Period::Half(y, h) => d(y, if h == 1 { 1 } else { 7 }, 1),
            Period::Quarter(y, q) => d(y, (q as u32 - 1) * 3 + 1, 1),
            Period::Month(y, m) => d(y, m as u32, 1),
            Period::SchoolYear(y) => d(y, 8, 1),
            Period::Date(date) => Some(date),
            Period::Label(_) => None,
        }
    }

    /// The last day of the period (None for a label).
    pub fn end(&self) -> Option<NaiveDate> {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let month_end = |y: i32, m: u32| {
            if m == 12 {
                d(y, 12, 31)
            } else {
                d(y, m + 1, 1)?.pred_opt()
            }
        };
        match *self {
            Period::Year(y) => d(y, 12, 31),
            Period::Half(y, h) => month_end(y, if h == 1 { 6 } else { 12 }),
            Period::Quarter(y, q) => month_end(y, q as u32 * 3),
            Period::Month(y, m) => month_end(y, m as u32),
            Period::SchoolYear(y) => d(y + 1, 7, 31),
            Period::Date(date) => Some(date),
            Period::Label(_) => None,
        }
    }

    /// The period that follows this one (None for reference dates, which have no fixed rhythm, and
    /// for labels).
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
            Period::Date(_) | Period::Label(_) => return None,
        })
    }

    /// The period before this one (None for reference dates and labels).
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
            Period::Date(_) | Period::Label(_) => return None,
        })
    }

    /// The period's position on a time axis in fractional years (its midpoint); None for a label.
    pub fn axis(&self) -> Option<f64> {
        let (s, e) = (self.start()?, self.end()?);
        let f = |d: NaiveDate| d.year() as f64 + (d.ordinal0() as f64) / 365.25;
        Some((f(s) + f(e)) / 2.0)
    }
}

impl Ord for Period {
    /// See the order described on [`Period`].
    fn cmp(&self, other: &Period) -> Ordering {
        let group = |p: &Period| match p.year() {
            Some(y) => (false, y),
            None => (true, 0),
        };
        group(self)
            .cmp(&group(other))
            .then_with(|| self.rank().cmp(&other.rank()))
            .then_with(|| match (self, other) {
                (Period::Half(_, a), Period::Half(_, b))
                | (Period::Quarter(_, a), Period::Quarter(_, b))
                | (Period::Month(_, a), Period::Month(_, b)) => a.cmp(b),
                (Period::Date(a), Period::Date(b)) => a.cmp(b),
                (Period::Label(a), Period::Label(b)) => a.cmp(b),
                _ => Ordering::Equal,
            })
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Period) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The first run of exactly four ASCII digits in `text` that is a year in 1800–2200.
fn first_year(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4)
        .find_map(parse_year)
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
        let axis = Period::Year(2024).axis().unwrap();
        assert!(axis > 2024.4 && axis < 2024.6);
    }

    /// Open SDG's free-text periods: no spelling guesses a year into them.
    #[test]
    fn free_text_is_no_known_period() {
        for text in [
            "2024 / 2005",
            "2024/2005",
            "Veränderung 2024 zu 2005",
            "2024 zu 2005",
            "WS 2005/06",
            "WS 2005",
            "SoSe 2006",
            "20244",
            "2O24",
            "2024 H2",
            "2024-2025",
            "2024-5",
            "2024/06",
            "2024.5",
            "Ende 2024",
            "Juli/August 2024",
            "2024-12-31 / 2005-12-31",
            "Q5 2024",
            "1. Quartal 2024 bis 2. Quartal 2024",
        ] {
            assert!(
                Period::parse(text).is_err(),
                "{text} must not be a known period"
            );
            let p = Period::parse_or_label(&format!("  {text} ")).unwrap();
            assert_eq!(p, Period::Label(text.into()), "{text}");
            assert_eq!(
                (p.code(), p.label(), p.short_label()),
                (text.into(), text.into(), text.into())
            );
            assert_eq!(
                Period::parse_or_label(&p.code()).unwrap(),
                p,
                "stored code reads back"
            );
            assert_eq!(
                (p.start(), p.end(), p.axis(), p.next(), p.prev()),
                (None, None, None, None, None)
            );
        }
        assert_eq!(Period::parse_or_label("2024").unwrap(), Period::Year(2024));
        assert_eq!(
            Period::parse_or_label("2023/24").unwrap(),
            Period::SchoolYear(2023)
        );
        assert!(Period::parse_or_label("  ").is_err());
    }

    /// Labels sort by their first year, after the known periods of that year, then by text; labels
    /// without a year come last.
    #[test]
    fn labels_sort_after_the_known_periods_of_their_year() {
        let p = |t: &str| Period::parse_or_label(t).unwrap();
        let mut v = [
            p("ohne Jahr"),
            p("Veränderung 2024 zu 2005"),
            p("2024 / 2005"),
            p("2024"),
            p("WS 2005/06"),
            p("2005-12-31"),
            p("2005"),
            p("2. Halbjahr 2024"),
            p("Alle Jahre"),
            p("2023/24"),
            p("2006"),
        ];
        v.sort();
        let codes: Vec<String> = v.iter().map(Period::code).collect();
        assert_eq!(
            codes,
            [
                "2005",
                "2005-12-31",
                "WS 2005/06",
                "2006",
                "2023/24",
                "2024",
                "2024-H2",
                "2024 / 2005",
                "Veränderung 2024 zu 2005",
                "Alle Jahre",
                "ohne Jahr",
            ]
        );
        assert_eq!(p("WS 2005/06").year(), Some(2005));
        assert_eq!(p("Stand 20245").year(), None);
        // Known periods of different kinds follow their years.
        assert!(Period::Half(2020, 1) < Period::Year(2021));
        assert!(Period::Year(2020) < Period::Half(2020, 1));
        assert!(Period::Month(2020, 12) < Period::Month(2021, 1));
    }
}
