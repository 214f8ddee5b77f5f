//! kimo's domain types and their invariants. No I/O.

pub mod council;
mod csv_cell;
pub mod delivery;
pub mod disclosure;
mod error;
pub mod fahrplan;
mod format;
pub mod konzept;
pub mod lang;
pub mod licence;
pub mod meeting;
mod period;
pub mod plausible;
pub mod report;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod unit;
mod user;
mod warning_status;

pub use csv_cell::{csv_safe, csv_unescape, is_written_number};
pub use error::ParseError;
pub use format::{QUOTE_MAX, format_number, quote, slug};
pub use period::{MONTHS, Period};
pub use unit::Unit;
pub use user::{AuditEntry, Role, User, login_name};
pub use warning_status::WarningStatus;

use serde::Serialize;
use std::fmt;

/// Whether a higher value of an indicator is better, worse, or not rated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Polarity {
    /// Higher values are better (e.g. Einbürgerungsquote).
    HigherBetter,
    /// Higher values are worse (e.g. Arbeitslosenquote).
    LowerBetter,
    /// Context figure without a rating (e.g. Ausländeranteil).
    #[default]
    Neutral,
}

impl Polarity {
    /// Parses `higher-better`, `lower-better`, `neutral` and German or arrow spellings.
    pub fn parse(s: &str) -> Result<Polarity, ParseError> {
        match s.trim().to_lowercase().as_str() {
            "higher-better" | "höher besser" | "hoeher besser" | "↑" | "+" | "positiv" => {
                Ok(Polarity::HigherBetter)
            }
            "lower-better" | "niedriger besser" | "↓" | "-" | "negativ" => {
                Ok(Polarity::LowerBetter)
            }
            "neutral" | "○" | "" | "0" | "kontext" => Ok(Polarity::Neutral),
            other => Err(ParseError::Polarity(other.to_string())),
        }
    }
    /// The canonical code.
    pub fn code(&self) -> &'static str {
        match self {
            Polarity::HigherBetter => "higher-better",
            Polarity::LowerBetter => "lower-better",
            Polarity::Neutral => "neutral",
        }
    }
    /// The label in the current language.
    pub fn label(&self) -> &'static str {
        match self {
            Polarity::HigherBetter => lang::t("höher ist besser"),
            Polarity::LowerBetter => lang::t("niedriger ist besser"),
            Polarity::Neutral => lang::t("neutral (Kontextindikator)"),
        }
    }
}

/// How often new values of an indicator are expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Periodicity {
    /// Once a year.
    #[default]
    Year,
    /// Twice a year.
    HalfYear,
    /// Four times a year.
    Quarter,
    /// Every month.
    Month,
    /// Once per school year.
    SchoolYear,
    /// At irregular reference dates.
    Irregular,
}

impl Periodicity {
    /// Parses the canonical code or a German word.
    pub fn parse(s: &str) -> Result<Periodicity, ParseError> {
        match s.trim().to_lowercase().as_str() {
            "year" | "jährlich" | "jaehrlich" | "jahr" | "" => Ok(Periodicity::Year),
            "half-year" | "halbjährlich" | "halbjaehrlich" | "halbjahr" => {
                Ok(Periodicity::HalfYear)
            }
            "quarter" | "quartalsweise" | "vierteljährlich" | "quartal" => {
                Ok(Periodicity::Quarter)
            }
            "month" | "monatlich" | "monat" => Ok(Periodicity::Month),
            "school-year" | "schuljahr" | "schuljährlich" => Ok(Periodicity::SchoolYear),
            "irregular" | "unregelmäßig" | "stichtag" => Ok(Periodicity::Irregular),
            other => Err(ParseError::Periodicity(other.to_string())),
        }
    }
    /// The canonical code.
    pub fn code(&self) -> &'static str {
        match self {
            Periodicity::Year => "year",
            Periodicity::HalfYear => "half-year",
            Periodicity::Quarter => "quarter",
            Periodicity::Month => "month",
            Periodicity::SchoolYear => "school-year",
            Periodicity::Irregular => "irregular",
        }
    }
    /// The label in the current language.
    pub fn label(&self) -> &'static str {
        lang::t(self.german_label())
    }
    /// The German label.
    fn german_label(&self) -> &'static str {
        match self {
            Periodicity::Year => "jährlich",
            Periodicity::HalfYear => "halbjährlich",
            Periodicity::Quarter => "vierteljährlich",
            Periodicity::Month => "monatlich",
            Periodicity::SchoolYear => "je Schuljahr",
            Periodicity::Irregular => "unregelmäßig",
        }
    }
}

/// A Handlungsfeld of the Integrationskonzept.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ActionField {
    /// Short code, e.g. `arbeit`.
    pub code: String,
    /// German name, e.g. `Arbeit und Beschäftigung`.
    pub name: String,
    /// A short description.
    pub description: String,
    /// Position in lists.
    pub sort: i64,
    /// The name and description in other languages (`name`, `description`).
    pub translations: Option<lang::Translations>,
}

/// An indicator with its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Indicator {
    /// Unique code, e.g. `AR-01`.
    pub code: String,
    /// German name.
    pub name: String,
    /// Short definition.
    pub definition: String,
    /// What is counted above the fraction line (empty for a count).
    pub numerator: String,
    /// What is counted below the fraction line (empty or `count` for a count).
    pub denominator: String,
    /// Unit: `%`, `‰`, `je 1.000`, `Anzahl`, `Index`, ...
    pub unit: Unit,
    /// Whether higher is better.
    pub polarity: Polarity,
    /// Source statistic.
    pub source: String,
    /// Responsible department (Amt).
    pub department: String,
    /// Expected update rhythm.
    pub periodicity: Periodicity,
    /// Whether this is a Kernindikator.
    pub core: bool,
    /// Code of the Handlungsfeld.
    pub action_field: Option<String>,
    /// Whether the indicator may be shown to the public.
    pub published: bool,
    /// Notes on interpretation and limits.
    pub notes: String,
    /// Whether values may exceed 100 % (e.g. Kita quotas counted by facility).
    pub may_exceed_100: bool,
    /// The texts in other languages (`name`, `definition`, `numerator`, `denominator`, `source`,
    /// `notes`); None when an import did not say (the stored ones stay).
    pub translations: Option<lang::Translations>,
}

impl Indicator {
    /// Whether the indicator is a plain count rather than a rate.
    pub fn is_count(&self) -> bool {
        self.denominator.is_empty() || self.denominator.eq_ignore_ascii_case("count")
    }
}

/// An area: the city or a Stadtteil (or any level in between).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Area {
    /// Unique code, e.g. `01`.
    pub code: String,
    /// Name, e.g. `Innenstadt-Ost`.
    pub name: String,
    /// Code of the parent area; `None` for the whole city.
    pub parent: Option<String>,
    /// 0 for the city, 1 for Stadtteile, ...
    pub level: i64,
    /// GeoJSON geometry (WGS84) as JSON text.
    pub geometry: Option<String>,
}

/// The whole-city area: the area at level 0 without a parent (the root of the hierarchy).
pub fn whole_city(areas: &[Area]) -> Option<&Area> {
    areas.iter().find(|a| a.parent.is_none() && a.level == 0)
}

/// The areas directly below `parent` (for the whole city: the Stadtteile), in the given order.
pub fn children_of<'a>(areas: &'a [Area], parent: &str) -> Vec<&'a Area> {
    areas
        .iter()
        .filter(|a| a.parent.as_deref() == Some(parent))
        .collect()
}

/// A dimension (Merkmal) with its categories, e.g. Staatsangehörigkeit.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Dimension {
    /// Unique code, e.g. `staatsangehoerigkeit`.
    pub code: String,
    /// German name.
    pub name: String,
    /// The categories in display order.
    pub categories: Vec<Category>,
    /// The name in other languages (`name`).
    pub translations: Option<lang::Translations>,
}

/// One category of a dimension, e.g. `nichtdeutsch`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Category {
    /// Code unique within the dimension.
    pub code: String,
    /// German name.
    pub name: String,
    /// The name in other languages (`name`).
    pub translations: Option<lang::Translations>,
}

/// A combination of categories (dimension code → category code), sorted by dimension; empty means
/// "insgesamt". A sorted vector, not a map: millions of them are held during an import.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Breakdown(Vec<(String, String)>);

impl Breakdown {
    /// The total (no breakdown).
    pub fn total() -> Breakdown {
        Breakdown::default()
    }
    /// Whether this is the total.
    pub fn is_total(&self) -> bool {
        self.0.is_empty()
    }
    /// Builds a breakdown from pairs.
    pub fn of(pairs: &[(&str, &str)]) -> Breakdown {
        let mut b = Breakdown::default();
        for (d, c) in pairs {
            b.insert(d.to_string(), c.to_string());
        }
        b
    }
    /// Sets the category of a dimension.
    pub fn insert(&mut self, dimension: String, category: String) {
        match self.0.binary_search_by(|(d, _)| d.as_str().cmp(&dimension)) {
            Ok(i) => self.0[i].1 = category,
            Err(i) => self.0.insert(i, (dimension, category)),
        }
    }
    /// (dimension, category) pairs in dimension order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(d, c)| (d.as_str(), c.as_str()))
    }
    /// The dimensions in this breakdown.
    pub fn dimensions(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(d, _)| d.as_str())
    }
    /// The canonical key stored in the database: `dim=cat;dim=cat`, sorted; empty for the total.
    pub fn key(&self) -> String {
        let mut s = String::new();
        for (i, (d, c)) in self.0.iter().enumerate() {
            if i > 0 {
                s.push(';');
            }
            s.push_str(d);
            s.push('=');
            s.push_str(c);
        }
        s
    }
    /// Parses a key written by [`Breakdown::key`].
    pub fn from_key(key: &str) -> Breakdown {
        let mut b = Breakdown::default();
        for (d, c) in key.split(';').filter_map(|p| p.split_once('=')) {
            b.insert(d.to_string(), c.to_string());
        }
        b
    }
    /// The category of a dimension, if the breakdown has it.
    pub fn get(&self, dimension: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(d, _)| d == dimension)
            .map(|(_, c)| c.as_str())
    }
}

impl Serialize for Breakdown {
    /// As a JSON object `{"dimension": "category"}`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

/// Flags on an observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Flags {
    /// Vorläufig.
    pub provisional: bool,
    /// Geschätzt.
    pub estimated: bool,
    /// Geheimgehalten (value withheld).
    pub suppressed: bool,
    /// Zeitreihenbruch.
    pub break_in_series: bool,
    /// Synthetic demo figure ("Demodaten").
    pub synthetic: bool,
    /// Statistisch unsicher: `(12,5)` limited reliability, or `/` too uncertain to publish.
    pub uncertain: bool,
    /// Berichtigt (revised).
    pub revised: bool,
    /// Not for publication (disclosure control or an embargo): shown to internal users only.
    /// Worked out when read, never stored or imported.
    pub confidential: bool,
}

/// The label of [`Flags::confidential`].
pub const CONFIDENTIAL: &str = "nicht zur Veröffentlichung";

/// Where a flag lives in [`Flags`].
type FlagField = fn(&mut Flags) -> &mut bool;

/// Every flag: letter, German label, further accepted words, and its field. The letters are stored,
/// exported (long CSV `flags`, Open SDG `OBS_STATUS` in capitals) and must stay stable.
const FLAGS: &[(char, &str, &[&str], FlagField)] = &[
    ('p', "vorläufig", &["vorlaeufig", "provisional"], |f| {
        &mut f.provisional
    }),
    ('e', "geschätzt", &["geschaetzt", "estimated"], |f| {
        &mut f.estimated
    }),
    ('s', "geheim", &["gesperrt", "suppressed"], |f| {
        &mut f.suppressed
    }),
    ('b', "Zeitreihenbruch", &["bruch", "break"], |f| {
        &mut f.break_in_series
    }),
    ('d', "Demodaten", &["synthetisch", "synthetic"], |f| {
        &mut f.synthetic
    }),
    (
        'u',
        "unsicher",
        &["eingeschränkt", "eingeschraenkt", "uncertain", "unreliable"],
        |f| &mut f.uncertain,
    ),
    ('r', "berichtigt", &["revidiert", "revised"], |f| {
        &mut f.revised
    }),
];

impl Flags {
    /// The letters and their German labels, as a legend: `p = vorläufig, e = geschätzt, …`.
    pub fn legend() -> String {
        FLAGS
            .iter()
            .map(|(c, l, ..)| format!("{c} = {}", lang::t(l)))
            .collect::<Vec<_>>()
            .join(", ")
    }
    /// Parses a flag string: letters `p` (vorläufig), `e` (geschätzt), `s` (geheim), `b` (Bruch),
    /// `d` (Demodaten), `u` (unsicher), `r` (berichtigt), or the German words separated by spaces,
    /// commas or `|`.
    pub fn parse(s: &str) -> Result<Flags, ParseError> {
        let mut f = Flags::default();
        for word in s
            .split([' ', ',', '|', '+'])
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            let w = word.to_lowercase();
            let by_word = FLAGS.iter().find(|(c, label, words, _)| {
                w.chars().eq(std::iter::once(*c))
                    || w == label.to_lowercase()
                    || words.contains(&w.as_str())
            });
            if let Some((_, _, _, field)) = by_word {
                *field(&mut f) = true;
            } else if w.chars().all(|c| FLAGS.iter().any(|(l, ..)| *l == c)) {
                for c in w.chars() {
                    f.set(c);
                }
            } else {
                return Err(ParseError::Flag(word.to_string()));
            }
        }
        Ok(f)
    }
    /// Sets the flag with this letter (unknown letters are ignored).
    pub fn set(&mut self, letter: char) {
        if let Some((_, _, _, field)) = FLAGS.iter().find(|(c, ..)| *c == letter) {
            *field(self) = true;
        }
    }
    /// These flags together with the other's.
    pub fn union(mut self, mut other: Flags) -> Flags {
        for (c, ..) in FLAGS {
            if *other.field(*c) {
                self.set(*c);
            }
        }
        self
    }
    fn field(&mut self, letter: char) -> &mut bool {
        let (_, _, _, field) = FLAGS
            .iter()
            .find(|(c, ..)| *c == letter)
            .expect("known flag");
        field(self)
    }
    /// The canonical letter code, e.g. `pb`.
    pub fn code(&self) -> String {
        let mut f = *self;
        FLAGS
            .iter()
            .filter(|(c, ..)| *f.field(*c))
            .map(|(c, ..)| *c)
            .collect()
    }
    /// The flags as an SDMX-style `OBS_STATUS` cell (Open SDG export): the letters of [`FLAGS`] in
    /// capitals, e.g. `PB`; empty without flags.
    pub fn obs_status(&self) -> String {
        self.code().to_uppercase()
    }
    /// Reads an `OBS_STATUS` cell: the letters of [`FLAGS`] in either case, or their words (as
    /// [`Flags::parse`]); a code kimo does not know (SDMX `A` "normal value", `M` "missing") sets
    /// nothing.
    pub fn from_obs_status(cell: &str) -> Flags {
        Flags::parse(cell).unwrap_or_else(|_| {
            let mut f = Flags::default();
            cell.chars().for_each(|c| f.set(c.to_ascii_lowercase()));
            f
        })
    }
    /// Whether the flags explain a missing value: withheld (`s`) or too uncertain (`u`).
    pub fn explains_no_value(&self) -> bool {
        self.suppressed || self.uncertain
    }
    /// Labels of the set flags in the current language („nicht zur Veröffentlichung“ last).
    pub fn labels(&self) -> Vec<&'static str> {
        let mut f = *self;
        let mut out: Vec<&'static str> = FLAGS
            .iter()
            .filter(|(c, ..)| *f.field(*c))
            .map(|(_, l, ..)| lang::t(l))
            .collect();
        if self.confidential {
            out.push(lang::t(CONFIDENTIAL));
        }
        out
    }
}

/// Where a value came from in an input file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Origin {
    /// The file (path as given).
    pub file: String,
    /// 1-based line (row) number.
    pub line: usize,
    /// 1-based column number.
    pub column: usize,
    /// For an observation: the 1-based columns of its value, numerator and denominator (0 = not in
    /// the file), so that a problem with one of its numbers names that cell.
    pub numbers: [usize; 3],
}

impl Origin {
    /// The same place, at the cell of the given number (value 0, numerator 1, denominator 2) when
    /// the file has it.
    pub fn at_number(&self, number: usize) -> Origin {
        let column = match self.numbers.get(number) {
            Some(&c) if c > 0 => c,
            _ => self.column,
        };
        Origin {
            column,
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: Zeile {}, Spalte {}",
            self.file, self.line, self.column
        )
    }
}

/// One value: indicator × period × area × breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observation {
    /// Indicator code.
    pub indicator: String,
    /// Period.
    pub period: Period,
    /// Area code.
    pub area: String,
    /// Category combination.
    pub breakdown: Breakdown,
    /// The value (None when suppressed).
    pub value: Option<f64>,
    /// Numerator, where known.
    pub numerator: Option<f64>,
    /// Denominator, where known.
    pub denominator: Option<f64>,
    /// Flags.
    pub flags: Flags,
    /// Position in the input (line of the row, column of the area cell), for messages.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Everything one import (or the demo) brings: catalogue items and observations, by code.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Handlungsfelder.
    pub action_fields: Vec<ActionField>,
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Areas, parents before children.
    pub areas: Vec<Area>,
    /// Dimensions with categories.
    pub dimensions: Vec<Dimension>,
    /// Observations.
    pub observations: Vec<Observation>,
    /// Areas that may be created when an observation names them (Open SDG GeoCodes): code → name.
    pub auto_areas: Vec<Area>,
    /// Notices for the user that do not stop the import (a hidden sheet skipped).
    pub notices: Vec<Problem>,
}

impl Dataset {
    /// Appends another dataset.
    pub fn extend(&mut self, other: Dataset) {
        self.action_fields.extend(other.action_fields);
        self.indicators.extend(other.indicators);
        self.areas.extend(other.areas);
        self.dimensions.extend(other.dimensions);
        self.observations.extend(other.observations);
        self.auto_areas.extend(other.auto_areas);
        self.notices.extend(other.notices);
    }
    /// Whether it brings nothing.
    pub fn is_empty(&self) -> bool {
        self.action_fields.is_empty()
            && self.indicators.is_empty()
            && self.areas.is_empty()
            && self.dimensions.is_empty()
            && self.observations.is_empty()
    }
}

/// A problem in an input, with its position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Where (file, line, column); line/column 0 when the whole file is meant.
    pub origin: Origin,
    /// Why, in German.
    pub message: String,
}

impl Problem {
    /// A problem with a whole file (no line or column).
    pub fn whole_file(file: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            origin: Origin {
                file: file.into(),
                line: 0,
                column: 0,
                ..Default::default()
            },
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.origin.line, self.origin.column) {
            (0, _) => write!(f, "{}: {}", self.origin.file, self.message),
            (l, 0) => write!(f, "{}: Zeile {}: {}", self.origin.file, l, self.message),
            _ => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

#[cfg(test)]
mod flag_tests {
    use super::Flags;

    #[test]
    fn flags_round_trip_through_letters_and_words() {
        let f = Flags::parse("p u r").unwrap();
        assert!(f.provisional && f.uncertain && f.revised && !f.suppressed);
        assert_eq!(f.code(), "pur");
        assert_eq!(f.labels(), ["vorläufig", "unsicher", "berichtigt"]);
        assert_eq!(Flags::parse(&f.code()), Ok(f));
        assert_eq!(Flags::parse("pesbdur").unwrap().code(), "pesbdur");
        assert_eq!(
            Flags::parse("Berichtigt, eingeschränkt").unwrap().code(),
            "ur"
        );
        assert_eq!(Flags::parse("vorläufig|geheim").unwrap().code(), "ps");
        let mut s = Flags::default();
        s.set('s');
        assert_eq!(s.union(Flags::parse("r").unwrap()).code(), "sr");
    }

    /// Open SDG's `OBS_STATUS`: every flag survives the round trip; SDMX codes kimo does not know
    /// set nothing.
    #[test]
    fn obs_status_round_trips_every_flag() {
        for code in ["p", "e", "s", "b", "d", "u", "r", "pesbdur", ""] {
            let f = Flags::parse(code).unwrap();
            assert_eq!(f.obs_status(), code.to_uppercase());
            assert_eq!(Flags::from_obs_status(&f.obs_status()), f, "{code}");
        }
        assert_eq!(Flags::from_obs_status("A"), Flags::default());
        assert_eq!(Flags::from_obs_status("AP").code(), "p");
        assert!(Flags::from_obs_status("S").explains_no_value());
        assert!(Flags::from_obs_status("u").explains_no_value());
        assert!(!Flags::from_obs_status("P").explains_no_value());
    }
}
