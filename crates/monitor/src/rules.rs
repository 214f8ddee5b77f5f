//! Early-warning rules: the rules file (YAML, German keys) and the defaults that follow from an
//! indicator's polarity and unit.

use kimo_model::{Breakdown, Indicator, Periodicity, Polarity, Unit, format_number};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Consecutive worsening periods of a trend rule, unless the rules file says otherwise.
pub const DEFAULT_TREND_PERIODS: usize = 3;
/// Least total change of the default trend rule, in % of its start value.
pub const DEFAULT_TREND_MIN_PERCENT: f64 = 5.0;
/// Areas with fewer inhabitants are left out of status and dynamics (as in Berlin and Hamburg).
pub const DEFAULT_MIN_POPULATION: f64 = 300.0;
/// The indicator whose total is the population, for the status rule's minimum population.
pub const DEFAULT_POPULATION_INDICATOR: &str = "DEM-01";
/// Periods over which the status rule measures the dynamics.
pub const DEFAULT_DYNAMICS_PERIODS: usize = 2;
/// Grace period of the overdue rule, in days after the expected next value.
pub const DEFAULT_GRACE_DAYS: i64 = 90;
/// Base year of a target rule (Open SDG's usual base year).
pub const DEFAULT_BASE_YEAR: i32 = 2015;
/// Least substantive change of an indicator in %, in percentage points (trend and dynamics).
pub const DEFAULT_MIN_CHANGE_POINTS: f64 = 0.5;
/// Least substantive change of an indicator in ‰, in ‰.
pub const DEFAULT_MIN_CHANGE_PER_MILLE: f64 = 1.0;
/// Least substantive change of an indicator in any other unit, in % of the earlier value.
pub const DEFAULT_MIN_CHANGE_RELATIVE: f64 = 2.0;
/// The file name errors give for the rules kept in the store.
pub const STORED_RULES: &str = "gespeicherte Regeln";

/// The least change of a value that counts as substantive: smaller changes raise no trend and
/// give no negative (or positive) dynamics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MinChange {
    /// In the indicator's unit (percentage points for %).
    Absolute(f64),
    /// In % of the earlier value.
    Relative(f64),
}

impl MinChange {
    /// No minimum: every change counts (until [`RuleSet::for_indicator`] sets the indicator's).
    pub const NONE: MinChange = MinChange::Absolute(0.0);

    /// The default of a unit: 0,5 percentage points for %, 1 ‰ for ‰, else 2 % of the value.
    pub fn default_for(unit: &Unit) -> MinChange {
        MinChangeDefaults::default().for_unit(unit)
    }

    /// Whether the change from `from` to `to` is at least the minimum (exactly at it counts).
    pub fn reached(&self, from: f64, to: f64) -> bool {
        let limit = match *self {
            MinChange::Absolute(x) => x,
            MinChange::Relative(p) => from.abs() * p / 100.0,
        };
        // Values are written with few decimals; 4,7 − 4,2 must count as 0,5.
        (to - from).abs() >= limit - 1e-9 * limit.abs().max(1.0)
    }

    /// The minimum in words: „0,5 Prozentpunkte“, „1,0 ‰“, „2 % des früheren Werts“.
    pub fn words(&self, unit: &Unit) -> String {
        match *self {
            MinChange::Absolute(x) => unit.difference_words(x),
            MinChange::Relative(p) => format!("{} % des früheren Werts", format_number(p, 1)),
        }
    }
}

/// A non-negative number of the rules file (a negative one is a YAML error with its place).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount(pub f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Amount, D::Error> {
        let x = f64::deserialize(d)?;
        if x.is_finite() && x >= 0.0 {
            Ok(Amount(x))
        } else {
            Err(serde::de::Error::custom(format!(
                "mindestaenderung {x}: erlaubt ist eine Zahl ab 0"
            )))
        }
    }
}

/// A number of the rules file that must be finite: `.nan` and `.inf` are a YAML error with its place.
fn finite<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let x = f64::deserialize(d)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(serde::de::Error::custom(format!(
            "'{x}' ist keine endliche Zahl"
        )))
    }
}

/// The most periods a trend, group gap or status rule may span.
pub const MAX_PERIODS: usize = 100;
/// The longest grace period of the overdue rule, in days (100 years).
pub const MAX_GRACE_DAYS: i64 = 36_500;

/// A number of periods of the rules file: at most [`MAX_PERIODS`] (more is a YAML error with its place).
fn periods<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = u64::deserialize(d)?;
    match usize::try_from(n) {
        Ok(n) if n <= MAX_PERIODS => Ok(n),
        _ => Err(serde::de::Error::custom(format!(
            "{} Perioden: erlaubt sind höchstens {MAX_PERIODS}",
            format_number(n as f64, 0)
        ))),
    }
}

/// [`periods`] for an optional number.
fn periods_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    #[derive(Deserialize)]
    struct P(#[serde(deserialize_with = "periods")] usize);
    Ok(Option::<P>::deserialize(d)?.map(|p| p.0))
}

/// A grace period in days of the rules file: 0 to [`MAX_GRACE_DAYS`] (else a YAML error with its place).
fn grace_days<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = i64::deserialize(d)?;
    if (0..=MAX_GRACE_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(serde::de::Error::custom(format!(
            "karenz_tage {}: erlaubt sind 0 bis {} Tage",
            format_number(n as f64, 0),
            format_number(MAX_GRACE_DAYS as f64, 0)
        )))
    }
}

/// [`grace_days`] for an optional number.
fn grace_days_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    struct G(#[serde(deserialize_with = "grace_days")] i64);
    Ok(Option::<G>::deserialize(d)?.map(|g| g.0))
}

/// [`finite`] for an optional number.
fn finite_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    struct F(#[serde(deserialize_with = "finite")] f64);
    Ok(Option::<F>::deserialize(d)?.map(|f| f.0))
}

/// The file's `standard: mindestaenderung:` section: the least substantive change by unit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MinChangeDefaults {
    /// For indicators in %, in percentage points.
    pub prozent: Amount,
    /// For indicators in ‰, in ‰.
    pub promille: Amount,
    /// For every other unit, in % of the earlier value.
    pub relativ: Amount,
}

impl Default for MinChangeDefaults {
    fn default() -> Self {
        MinChangeDefaults {
            prozent: Amount(DEFAULT_MIN_CHANGE_POINTS),
            promille: Amount(DEFAULT_MIN_CHANGE_PER_MILLE),
            relativ: Amount(DEFAULT_MIN_CHANGE_RELATIVE),
        }
    }
}

impl MinChangeDefaults {
    /// The minimum for an indicator of a unit.
    pub fn for_unit(&self, unit: &Unit) -> MinChange {
        match unit {
            Unit::Percent => MinChange::Absolute(self.prozent.0),
            Unit::PerMille => MinChange::Absolute(self.promille.0),
            _ => MinChange::Relative(self.relativ.0),
        }
    }
}

/// The parameters of a status × dynamics rule.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusParams {
    /// Areas with fewer inhabitants are left out.
    pub min_population: f64,
    /// Indicator holding the population (its total).
    pub population_indicator: String,
    /// Periods over which the dynamics are measured.
    pub periods: usize,
    /// Smaller changes are no dynamics (set per indicator by [`RuleSet::for_indicator`]).
    pub min_change: MinChange,
}

impl Default for StatusParams {
    fn default() -> Self {
        Defaults::default().status()
    }
}

/// An error in a rules file: where (file; line and column, or indicator and rule) and what, in German.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{place}: {message}")]
pub struct RulesError {
    /// The file name given to [`RuleSet::parse`].
    pub file: String,
    /// Where in the file, as far as known.
    pub place: Place,
    /// What is wrong, in German.
    pub message: String,
}

/// Where in a rules file an error is.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    /// Somewhere in the file (the YAML reader knew no position).
    File,
    /// A YAML error at a line and column (1-based).
    Yaml {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
    },
    /// An error in an indicator's settings outside its rules.
    Indicator {
        /// Indicator code.
        indicator: String,
    },
    /// An error in one rule of one indicator.
    Rule {
        /// Indicator code.
        indicator: String,
        /// Number of the rule within the indicator (1-based).
        rule: usize,
        /// Rule type, where the message names it.
        rule_type: Option<String>,
    },
}

impl std::fmt::Display for Place {
    /// `: Zeile 3, Spalte 5` or `: Indikator A, Regel 1 (schwelle)`, to follow the file name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::File => Ok(()),
            Place::Yaml { line, column } => write!(f, ": Zeile {line}, Spalte {column}"),
            Place::Indicator { indicator } => write!(f, ": Indikator {indicator}"),
            Place::Rule {
                indicator,
                rule,
                rule_type,
            } => {
                write!(f, ": Indikator {indicator}, Regel {rule}")?;
                match rule_type {
                    Some(t) => write!(f, " ({t})"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// How urgent a warning is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Hoch.
    Hoch,
    /// Mittel.
    Mittel,
    /// Niedrig.
    Niedrig,
}

impl Severity {
    /// The code and German label.
    pub fn code(&self) -> &'static str {
        match self {
            Severity::Hoch => "hoch",
            Severity::Mittel => "mittel",
            Severity::Niedrig => "niedrig",
        }
    }
    /// Parses `hoch`, `mittel`, `niedrig`.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "hoch" => Some(Severity::Hoch),
            "mittel" => Some(Severity::Mittel),
            "niedrig" => Some(Severity::Niedrig),
            _ => None,
        }
    }
}

/// Which areas a rule looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// The whole city and every area.
    All,
    /// Only the whole city.
    City,
    /// The listed area codes.
    Areas(Vec<String>),
}

impl Scope {
    /// Whether the scope includes an area.
    pub fn includes(&self, area: &str, is_city: bool) -> bool {
        match self {
            Scope::All => true,
            Scope::City => is_city,
            Scope::Areas(v) => v.iter().any(|a| a == area),
        }
    }
}

/// What a rule checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// The latest value is beyond a limit (strictly).
    Threshold {
        /// The limit.
        limit: f64,
        /// Fires above (true) or below (false) the limit.
        above: bool,
    },
    /// The value worsens `periods` times in a row, or by more than `jump` against the previous period.
    Trend {
        /// Consecutive worsening steps (0: off).
        periods: usize,
        /// Least total change over the streak, in % of its start value.
        min_total_percent: f64,
        /// Largest tolerated worsening from one period to the next (None: off).
        jump: Option<f64>,
        /// Whether `jump` is in percentage points (true) or percent of the previous value.
        jump_points: bool,
        /// Smaller changes raise nothing (set per indicator by [`RuleSet::for_indicator`]).
        min_change: MinChange,
    },
    /// The gap between a group and a reference group exceeds `limit`, or widened `widening` times in a row.
    GroupGap {
        /// Dimension code.
        dimension: String,
        /// The group watched, e.g. `nichtdeutsch`.
        group: String,
        /// The reference group, e.g. `deutsch`.
        reference: String,
        /// Largest tolerated gap (in the indicator's unit; percentage points for %).
        limit: Option<f64>,
        /// Consecutive widening steps that fire (None: off).
        widening: Option<usize>,
    },
    /// Status and dynamics of the areas below the city.
    StatusDynamics(StatusParams),
    /// Progress towards a target, as Open SDG measures it.
    Target {
        /// Target value.
        value: f64,
        /// Target year.
        year: i32,
        /// Base year.
        base_year: i32,
        /// Whether the value is to rise (None: as the indicator's polarity says).
        rising: Option<bool>,
    },
    /// No new value for longer than the periodicity plus `grace_days`.
    Overdue {
        /// Grace period in days.
        grace_days: i64,
    },
}

impl Check {
    /// The rule type's code.
    pub fn code(&self) -> &'static str {
        match self {
            Check::Threshold { .. } => "schwelle",
            Check::Trend { .. } => "trend",
            Check::GroupGap { .. } => "gruppenabstand",
            Check::StatusDynamics { .. } => "status_dynamik",
            Check::Target { .. } => "ziel",
            Check::Overdue { .. } => "ueberfaellig",
        }
    }
    /// The rule type's German name.
    pub fn label(&self) -> &'static str {
        kind_label(self.code())
    }

    /// The check with the indicator's least substantive change (trend and status rules).
    fn with_min_change(self, m: MinChange) -> Check {
        match self {
            Check::Trend {
                periods,
                min_total_percent,
                jump,
                jump_points,
                ..
            } => Check::Trend {
                periods,
                min_total_percent,
                jump,
                jump_points,
                min_change: m,
            },
            Check::StatusDynamics(p) => Check::StatusDynamics(StatusParams { min_change: m, ..p }),
            other => other,
        }
    }
}

/// The codes of the rule types, as the rules file and the API write them.
pub const KINDS: [&str; 6] = [
    "schwelle",
    "trend",
    "gruppenabstand",
    "status_dynamik",
    "ziel",
    "ueberfaellig",
];

/// A rule type's German name for readers, from its code (`status_dynamik` → „Stadtteilvergleich“);
/// an unknown code gives „Regel“.
pub fn kind_label(code: &str) -> &'static str {
    match code {
        "schwelle" => "Schwellenwert",
        "trend" => "Trend",
        "gruppenabstand" => "Gruppenabstand",
        "status_dynamik" => "Stadtteilvergleich",
        "ziel" => "Zielerreichung",
        "ueberfaellig" => "Daten überfällig",
        _ => "Regel",
    }
}

/// One rule for one indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Stable id within the indicator: `trend`, `schwelle-2`, `standard-trend`, ...
    pub id: String,
    /// Indicator code.
    pub indicator: String,
    /// What is checked.
    pub check: Check,
    /// Areas looked at.
    pub scope: Scope,
    /// Series looked at: the total, one group, or every series (`None` with `all_groups`).
    pub breakdown: Breakdown,
    /// Also every breakdown series (trend and threshold).
    pub all_groups: bool,
    /// Severity (None: derived from the finding).
    pub severity: Option<Severity>,
}

/// The rules file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    standard: Defaults,
    #[serde(default)]
    indikatoren: BTreeMap<String, IndicatorRules>,
}

/// Settings of the default rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Defaults {
    /// Consecutive worsening periods of the default trend rule.
    #[serde(deserialize_with = "periods")]
    pub trend_perioden: usize,
    /// Least total change (% of the start value) of the default trend rule.
    #[serde(deserialize_with = "finite")]
    pub trend_mindestens_prozent: f64,
    /// Minimum population of the status rule.
    #[serde(deserialize_with = "finite")]
    pub mindestbevoelkerung: f64,
    /// Population indicator of the status rule.
    pub bevoelkerung: String,
    /// Dynamics window in periods.
    #[serde(deserialize_with = "periods")]
    pub dynamik_perioden: usize,
    /// Grace period of the overdue rule in days.
    #[serde(deserialize_with = "grace_days")]
    pub karenz_tage: i64,
    /// Least substantive change by unit (trend and status rules).
    pub mindestaenderung: MinChangeDefaults,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            trend_perioden: DEFAULT_TREND_PERIODS,
            trend_mindestens_prozent: DEFAULT_TREND_MIN_PERCENT,
            mindestbevoelkerung: DEFAULT_MIN_POPULATION,
            bevoelkerung: DEFAULT_POPULATION_INDICATOR.into(),
            dynamik_perioden: DEFAULT_DYNAMICS_PERIODS,
            karenz_tage: DEFAULT_GRACE_DAYS,
            mindestaenderung: MinChangeDefaults::default(),
        }
    }
}

impl Defaults {
    /// The parameters of the default status rule (the least change follows per indicator).
    pub fn status(&self) -> StatusParams {
        StatusParams {
            min_population: self.mindestbevoelkerung,
            population_indicator: self.bevoelkerung.clone(),
            periods: self.dynamik_perioden,
            min_change: MinChange::NONE,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorRules {
    /// Whether the default rules apply (default: yes).
    standard: Option<bool>,
    /// Least substantive change in the indicator's unit (percentage points for %).
    mindestaenderung: Option<Amount>,
    /// Least substantive change in % of the earlier value.
    mindestaenderung_relativ: Option<Amount>,
    #[serde(default)]
    regeln: Vec<RuleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    typ: String,
    #[serde(default, deserialize_with = "finite_opt")]
    grenze: Option<f64>,
    richtung: Option<String>,
    #[serde(default, deserialize_with = "periods_opt")]
    perioden: Option<usize>,
    #[serde(default, deserialize_with = "finite_opt")]
    mindestens_prozent: Option<f64>,
    #[serde(default, deserialize_with = "finite_opt")]
    sprung: Option<f64>,
    sprung_einheit: Option<String>,
    merkmal: Option<String>,
    gruppe: Option<String>,
    vergleich: Option<String>,
    gebiete: Option<Vec<String>>,
    alle_gruppen: Option<bool>,
    #[serde(default, deserialize_with = "finite_opt")]
    mindestbevoelkerung: Option<f64>,
    bevoelkerung: Option<String>,
    #[serde(default, deserialize_with = "finite_opt")]
    zielwert: Option<f64>,
    zieljahr: Option<i32>,
    basisjahr: Option<i32>,
    #[serde(default, deserialize_with = "grace_days_opt")]
    karenz_tage: Option<i64>,
    schwere: Option<String>,
}

/// Parsed rules: explicit rules per indicator, and the settings of the defaults.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Settings of the default rules.
    pub defaults: Defaults,
    /// Explicit rules by indicator.
    pub explicit: BTreeMap<String, Vec<Rule>>,
    /// Indicators whose default rules are switched off.
    pub no_defaults: Vec<String>,
    /// Least substantive change set per indicator.
    pub min_changes: BTreeMap<String, MinChange>,
}

fn scope_of(gebiete: &Option<Vec<String>>) -> Scope {
    match gebiete {
        None => Scope::All,
        Some(v) if v.iter().any(|a| a == "gesamtstadt") && v.len() == 1 => Scope::City,
        Some(v) => Scope::Areas(v.clone()),
    }
}

/// Where in a rules file a rule stands, for its errors.
struct At<'a> {
    file: &'a str,
    indicator: &'a str,
    rule: usize,
}

impl At<'_> {
    fn error_of(&self, rule_type: Option<&str>, message: String) -> RulesError {
        RulesError {
            file: self.file.to_string(),
            place: Place::Rule {
                indicator: self.indicator.to_string(),
                rule: self.rule,
                rule_type: rule_type.map(str::to_string),
            },
            message,
        }
    }

    fn error(&self, message: String) -> RulesError {
        self.error_of(None, message)
    }

    /// A required number is missing; the message names the rule type.
    fn missing<T>(&self, v: Option<T>, typ: &str, name: &str) -> Result<T, RulesError> {
        v.ok_or_else(|| self.error_of(Some(typ), format!("'{name}' fehlt")))
    }

    /// A required text is missing.
    fn required(&self, v: &Option<String>, name: &str) -> Result<String, RulesError> {
        v.clone()
            .ok_or_else(|| self.error(format!("'{name}' fehlt")))
    }
}

/// Reads the YAML; an empty file is an empty rules file.
fn read_file(file: &str, text: &str) -> Result<File, RulesError> {
    if text.trim().is_empty() {
        return Ok(File::default());
    }
    serde_norway::from_str(text).map_err(|e| RulesError {
        file: file.to_string(),
        place: e.location().map_or(Place::File, |l| Place::Yaml {
            line: l.line(),
            column: l.column(),
        }),
        message: e.to_string(),
    })
}

impl RuleSpec {
    /// The rule as written, checked; `d` gives what the rule leaves out.
    fn into_rule(self, at: &At, d: &Defaults) -> Result<Rule, RulesError> {
        let check = self.check(at, d)?;
        let breakdown = match (&self.merkmal, &self.gruppe, self.typ.as_str()) {
            (Some(m), Some(g), t) if t != "gruppenabstand" => {
                Breakdown::of(&[(m.as_str(), g.as_str())])
            }
            _ => Breakdown::total(),
        };
        let severity = match self.schwere.as_deref() {
            None => None,
            Some(s) => Some(
                Severity::parse(s)
                    .ok_or_else(|| at.error(format!("schwere '{s}' (hoch, mittel, niedrig)")))?,
            ),
        };
        Ok(Rule {
            id: format!("{}-{}", check.code(), at.rule),
            indicator: at.indicator.to_string(),
            scope: scope_of(&self.gebiete),
            all_groups: self.alle_gruppen.unwrap_or(false),
            check,
            breakdown,
            severity,
        })
    }

    fn check(&self, at: &At, d: &Defaults) -> Result<Check, RulesError> {
        match self.typ.as_str() {
            "schwelle" => self.threshold(at),
            "trend" => self.trend(at),
            "gruppenabstand" => self.group_gap(at),
            "status_dynamik" => Ok(Check::StatusDynamics(StatusParams {
                min_population: self.mindestbevoelkerung.unwrap_or(d.mindestbevoelkerung),
                population_indicator: self.bevoelkerung.clone().unwrap_or(d.bevoelkerung.clone()),
                    periods: self.perioden.unwrap_or(d.dynamik_perioden),
                min_change: MinChange::NONE,
            })),
            "ziel" => Ok(Check::Target {
                value: at.missing(self.zielwert, &self.typ, "zielwert")?,
                year: self
                    .zieljahr
                    .ok_or_else(|| at.error("'zieljahr' fehlt".into()))?,
                base_year: self.basisjahr.unwrap_or(DEFAULT_BASE_YEAR),
                rising: match self.richtung.as_deref() {
                    None => None,
                    Some("steigen") => Some(true),
                    Some("sinken") => Some(false),
                    Some(x) => {
                        return Err(at.error(format!("richtung '{x}' (erlaubt: steigen, sinken)")));
                    }
                },
            }),
            "ueberfaellig" => Ok(Check::Overdue {
                grace_days: self.karenz_tage.unwrap_or(d.karenz_tage),
            }),
            other => Err(at.error(format!(
                "unbekannter typ '{other}' (schwelle, trend, gruppenabstand, status_dynamik, ziel, ueberfaellig)"
            ))),
        }
    }

    fn threshold(&self, at: &At) -> Result<Check, RulesError> {
        Ok(Check::Threshold {
            limit: at.missing(self.grenze, &self.typ, "grenze")?,
            above: match self.richtung.as_deref() {
                None | Some("ueber") | Some("über") => true,
                Some("unter") => false,
                Some(x) => {
                    return Err(at.error(format!("richtung '{x}' (erlaubt: ueber, unter)")));
                }
            },
        })
    }

    fn trend(&self, at: &At) -> Result<Check, RulesError> {
        Ok(Check::Trend {
            periods: self.perioden.unwrap_or(DEFAULT_TREND_PERIODS),
            min_total_percent: self.mindestens_prozent.unwrap_or(0.0),
            jump: self.sprung,
            jump_points: match self.sprung_einheit.as_deref() {
                None | Some("pp") | Some("prozentpunkte") => true,
                Some("prozent") => false,
                Some(x) => {
                    return Err(at.error(format!("sprung_einheit '{x}' (erlaubt: pp, prozent)")));
                }
            },
            min_change: MinChange::NONE,
        })
    }

    fn group_gap(&self, at: &At) -> Result<Check, RulesError> {
        let check = Check::GroupGap {
            dimension: at.required(&self.merkmal, "merkmal")?,
            group: at.required(&self.gruppe, "gruppe")?,
            reference: at.required(&self.vergleich, "vergleich")?,
            limit: self.grenze,
            widening: self.perioden,
        };
        if self.grenze.is_none() && self.perioden.is_none() {
            return Err(at.error("gruppenabstand braucht 'grenze' oder 'perioden'".into()));
        }
        Ok(check)
    }
}

/// An indicator's own least change: `mindestaenderung` or `mindestaenderung_relativ`, not both.
fn indicator_min_change(
    file: &str,
    code: &str,
    ir: &IndicatorRules,
) -> Result<Option<MinChange>, RulesError> {
    match (ir.mindestaenderung, ir.mindestaenderung_relativ) {
        (Some(_), Some(_)) => Err(RulesError {
            file: file.to_string(),
            place: Place::Indicator {
                indicator: code.to_string(),
            },
            message: "'mindestaenderung' und 'mindestaenderung_relativ' schließen sich aus".into(),
        }),
        (Some(a), None) => Ok(Some(MinChange::Absolute(a.0))),
        (None, Some(r)) => Ok(Some(MinChange::Relative(r.0))),
        (None, None) => Ok(None),
    }
}

impl RuleSet {
    /// Parses a rules file; errors name the line and column (YAML) or the indicator and rule.
    pub fn parse(file: &str, text: &str) -> Result<RuleSet, RulesError> {
        let f = read_file(file, text)?;
        let mut set = RuleSet {
            defaults: f.standard,
            ..Default::default()
        };
        for (code, ir) in f.indikatoren {
            if ir.standard == Some(false) {
                set.no_defaults.push(code.clone());
            }
            if let Some(m) = indicator_min_change(file, &code, &ir)? {
                set.min_changes.insert(code.clone(), m);
            }
            let rules = ir
                .regeln
                .into_iter()
                .enumerate()
                .map(|(i, spec)| {
                    let at = At {
                        file,
                        indicator: &code,
                        rule: i + 1,
                    };
                    spec.into_rule(&at, &set.defaults)
                })
                .collect::<Result<Vec<_>, _>>()?;
            set.explicit.insert(code, rules);
        }
        Ok(set)
    }

    /// Adds the measurable goals of the Integrationskonzept in force as target rules (`ziel-ID`):
    /// the goals are the targets the early warning checks, measured as on the Konzept's pages.
    pub fn add_goals<'a>(
        &mut self,
        goals: impl IntoIterator<Item = &'a kimo_model::konzept::Goal>,
    ) {
        for g in goals {
            let Some(m) = &g.measure else {
                continue;
            };
            let rule = Rule {
                id: format!("ziel-{}", g.id),
                indicator: m.indicator.clone(),
                scope: match &m.area {
                    Some(a) => Scope::Areas(vec![a.clone()]),
                    None => Scope::City,
                },
                all_groups: false,
                check: Check::Target {
                    value: m.target,
                    year: m.target_year,
                    base_year: m.base_year,
                    rising: Some(m.direction == kimo_model::konzept::Direction::Steigen),
                },
                breakdown: match &m.group {
                    Some((d, c)) => Breakdown::of(&[(d.as_str(), c.as_str())]),
                    None => Breakdown::total(),
                },
                severity: None,
            };
            self.explicit
                .entry(m.indicator.clone())
                .or_default()
                .push(rule);
        }
    }

    /// The least substantive change of an indicator: its own from the file, else the file's
    /// default for its unit, else the constants above.
    pub fn min_change(&self, ind: &Indicator) -> MinChange {
        self.min_changes
            .get(&ind.code)
            .copied()
            .unwrap_or_else(|| self.defaults.mindestaenderung.for_unit(&ind.unit))
    }

    /// The status × dynamics parameters in force for an indicator (None: no status rule, or neutral).
    ///
    /// They are those of its first status rule in [`RuleSet::for_indicator`]: an explicit rule before
    /// the default, whose settings come from the file's `standard` section or the constants above.
    pub fn status_rule(&self, ind: &Indicator) -> Option<StatusParams> {
        if ind.polarity == Polarity::Neutral {
            return None;
        }
        self.for_indicator(ind)
            .into_iter()
            .find_map(|r| match r.check {
                Check::StatusDynamics(p) => Some(p),
                _ => None,
            })
    }

    /// All rules of an indicator: its explicit ones, and the defaults that follow from its polarity,
    /// unit and periodicity (unless switched off, or replaced by an explicit rule of the same type),
    /// each with the indicator's least substantive change.
    pub fn for_indicator(&self, ind: &Indicator) -> Vec<Rule> {
        let m = self.min_change(ind);
        self.rules_of(ind)
            .into_iter()
            .map(|r| Rule {
                check: r.check.with_min_change(m),
                ..r
            })
            .collect()
    }

    /// The explicit and default rules of an indicator, before the least change is set.
    fn rules_of(&self, ind: &Indicator) -> Vec<Rule> {
        let mut rules = self.explicit.get(&ind.code).cloned().unwrap_or_default();
        if self.no_defaults.contains(&ind.code) {
            return rules;
        }
        let has = |code: &str, rules: &[Rule]| {
            rules
                .iter()
                .any(|r| r.check.code() == code && r.breakdown.is_total() && r.scope == Scope::All)
        };
        let d = &self.defaults;
        let add = |check: Check, rules: &mut Vec<Rule>| {
            rules.push(Rule {
                id: format!("standard-{}", check.code()),
                indicator: ind.code.clone(),
                check,
                scope: Scope::All,
                breakdown: Breakdown::total(),
                all_groups: false,
                severity: None,
            })
        };
        if ind.polarity != Polarity::Neutral {
            if !has("trend", &rules) && d.trend_perioden > 0 {
                add(
                    Check::Trend {
                        periods: d.trend_perioden,
                        min_total_percent: d.trend_mindestens_prozent,
                        jump: None,
                        jump_points: true,
                        min_change: MinChange::NONE,
                    },
                    &mut rules,
                );
            }
            if !has("status_dynamik", &rules) {
                add(Check::StatusDynamics(d.status()), &mut rules);
            }
        }
        if ind.periodicity != Periodicity::Irregular && !has("ueberfaellig", &rules) {
            add(
                Check::Overdue {
                    grace_days: d.karenz_tage,
                },
                &mut rules,
            );
        }
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_file_and_defaults() {
        let text = "standard:\n  karenz_tage: 30\nindikatoren:\n  ARB-03:\n    regeln:\n      - typ: schwelle\n        grenze: 8\n        gebiete: [\"19\"]\n      - typ: trend\n        perioden: 3\n        merkmal: staatsangehoerigkeit\n        gruppe: nichtdeutsch\n  DEM-02:\n    standard: false\n";
        let set = RuleSet::parse("regeln.yml", text).unwrap();
        let ind = Indicator {
            code: "ARB-03".into(),
            polarity: Polarity::LowerBetter,
            ..Default::default()
        };
        let rules = set.for_indicator(&ind);
        let codes: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            codes,
            [
                "schwelle-1",
                "trend-2",
                "standard-trend",
                "standard-status_dynamik",
                "standard-ueberfaellig"
            ]
        );
        assert_eq!(
            rules[1].breakdown.get("staatsangehoerigkeit"),
            Some("nichtdeutsch")
        );
        assert_eq!(rules[4].check, Check::Overdue { grace_days: 30 });
        let neutral = Indicator {
            code: "DEM-02".into(),
            ..Default::default()
        };
        assert!(
            set.for_indicator(&neutral).is_empty(),
            "defaults switched off"
        );
        let other = Indicator {
            code: "X".into(),
            periodicity: Periodicity::Irregular,
            ..Default::default()
        };
        assert!(
            set.for_indicator(&other).is_empty(),
            "neutral and irregular: no defaults"
        );
    }

    #[test]
    fn status_rule_is_the_one_in_force() {
        let ind = Indicator {
            code: "ARB-03".into(),
            polarity: Polarity::LowerBetter,
            ..Default::default()
        };
        let defaults = RuleSet::parse("r.yml", "").unwrap();
        assert_eq!(
            defaults.status_rule(&ind),
            Some(StatusParams {
                min_population: 300.0,
                population_indicator: "DEM-01".into(),
                periods: 2,
                min_change: MinChange::Relative(DEFAULT_MIN_CHANGE_RELATIVE),
            })
        );
        let text = "indikatoren:\n  ARB-03:\n    regeln:\n      - typ: status_dynamik\n        mindestbevoelkerung: 1000\n";
        let set = RuleSet::parse("r.yml", text).unwrap();
        assert_eq!(
            set.status_rule(&ind),
            Some(StatusParams {
                min_population: 1000.0,
                min_change: MinChange::Relative(2.0),
                ..StatusParams::default()
            })
        );
        // The file's defaults count too.
        let set = RuleSet::parse("r.yml", "standard:\n  mindestbevoelkerung: 500\n").unwrap();
        assert_eq!(set.status_rule(&ind).unwrap().min_population, 500.0);
        // Neutral indicators, and indicators without defaults or status rule, have none.
        let neutral = Indicator {
            code: "ARB-03".into(),
            ..Default::default()
        };
        assert_eq!(set.status_rule(&neutral), None);
        let set =
            RuleSet::parse("r.yml", "indikatoren:\n  ARB-03:\n    standard: false\n").unwrap();
        assert_eq!(set.status_rule(&ind), None);
    }

    #[test]
    fn errors_name_the_place() {
        let err = RuleSet::parse(
            "r.yml",
            "indikatoren:\n  A:\n    regeln:\n      - typ: schwelle\n",
        )
        .unwrap_err();
        assert_eq!(
            err.place,
            Place::Rule {
                indicator: "A".into(),
                rule: 1,
                rule_type: Some("schwelle".into())
            }
        );
        let e = err.to_string();
        assert!(
            e.contains("Indikator A, Regel 1") && e.contains("grenze"),
            "{e}"
        );
        let e = RuleSet::parse(
            "r.yml",
            "indikatoren:\n  A:\n    regeln:\n      - typ: wunder\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("unbekannter typ 'wunder'"), "{e}");
        let err = RuleSet::parse("r.yml", "indikatoren:\n  A: [\n").unwrap_err();
        assert!(matches!(err.place, Place::Yaml { .. }), "{err:?}");
        let e = err.to_string();
        assert!(e.contains("r.yml: Zeile"), "{e}");
        let e = RuleSet::parse("r.yml", "standard:\n  falsch: 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("falsch"), "{e}");
    }

    fn ind(code: &str, unit: Unit) -> Indicator {
        Indicator {
            code: code.into(),
            unit,
            polarity: Polarity::LowerBetter,
            ..Default::default()
        }
    }

    #[test]
    fn least_change_by_unit_file_and_indicator() {
        // (rules file, indicator unit, expected minimum)
        let cases: Vec<(&str, Unit, MinChange)> = vec![
            ("", Unit::Percent, MinChange::Absolute(0.5)),
            ("", Unit::PerMille, MinChange::Absolute(1.0)),
            ("", Unit::Count, MinChange::Relative(2.0)),
            ("", Unit::Index, MinChange::Relative(2.0)),
            ("", Unit::parse("je 1.000"), MinChange::Relative(2.0)),
            (
                "standard:\n  mindestaenderung:\n    prozent: 1\n",
                Unit::Percent,
                MinChange::Absolute(1.0),
            ),
            (
                "standard:\n  mindestaenderung:\n    relativ: 5\n",
                Unit::Count,
                MinChange::Relative(5.0),
            ),
            (
                "indikatoren:\n  A:\n    mindestaenderung: 0.2\n",
                Unit::Percent,
                MinChange::Absolute(0.2),
            ),
            (
                "indikatoren:\n  A:\n    mindestaenderung_relativ: 10\n",
                Unit::Percent,
                MinChange::Relative(10.0),
            ),
            (
                "indikatoren:\n  A:\n    mindestaenderung: 0\n",
                Unit::Percent,
                MinChange::Absolute(0.0),
            ),
        ];
        for (text, unit, want) in cases {
            let set = RuleSet::parse("r.yml", text).unwrap();
            let i = ind("A", unit);
            assert_eq!(set.min_change(&i), want, "{text:?}");
            // Every trend and status rule of the indicator carries it.
            for r in set.for_indicator(&i) {
                match r.check {
                    Check::Trend { min_change, .. } => assert_eq!(min_change, want),
                    Check::StatusDynamics(p) => assert_eq!(p.min_change, want),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn least_change_limits() {
        let pp = MinChange::Absolute(0.5);
        assert!(pp.reached(4.2, 4.7), "exactly at the limit counts");
        assert!(pp.reached(4.7, 4.2), "in either direction");
        assert!(!pp.reached(4.6, 4.7), "below");
        assert!(pp.reached(4.0, 5.0), "above");
        let rel = MinChange::Relative(2.0);
        assert!(rel.reached(150.0, 153.0), "exactly 2 %");
        assert!(!rel.reached(150.0, 152.9));
        assert!(rel.reached(150.0, 140.0));
        assert_eq!(pp.words(&Unit::Percent), "0,5 Prozentpunkte");
        assert_eq!(rel.words(&Unit::Count), "2,0 % des früheren Werts");
    }

    #[test]
    fn periods_and_grace_days_are_bounded() {
        // Found with the rules fuzz target: such numbers hung (periods) or panicked (days) in the evaluation.
        for (text, line, words) in [
            (
                "standard:\n  karenz_tage: 999999999999999\n",
                2,
                "karenz_tage 999.999.999.999.999: erlaubt sind 0 bis 36.500 Tage",
            ),
            (
                "standard:\n  karenz_tage: -1\n",
                2,
                "karenz_tage −1: erlaubt sind 0 bis 36.500 Tage",
            ),
            (
                "standard:\n  dynamik_perioden: 99999999999\n",
                2,
                "99.999.999.999 Perioden: erlaubt sind höchstens 100",
            ),
            (
                "standard:\n  trend_perioden: 101\n",
                2,
                "101 Perioden: erlaubt sind höchstens 100",
            ),
            (
                "indikatoren:\n  A:\n    regeln:\n      - typ: status_dynamik\n        perioden: 18446744073709551615\n",
                4,
                "Perioden: erlaubt sind höchstens 100",
            ),
            (
                "indikatoren:\n  A:\n    regeln:\n      - typ: ueberfaellig\n        karenz_tage: 36501\n",
                4,
                "karenz_tage 36.501",
            ),
        ] {
            let err = RuleSet::parse("r.yml", text).unwrap_err();
            assert!(
                matches!(err.place, Place::Yaml { line: l, .. } if l == line),
                "{err:?}"
            );
            assert!(err.to_string().contains(words), "{err}");
        }
        let set = RuleSet::parse(
            "r.yml",
            "standard:\n  karenz_tage: 36500\n  dynamik_perioden: 100\n  trend_perioden: 0\n",
        )
        .unwrap();
        assert_eq!(set.defaults.karenz_tage, MAX_GRACE_DAYS);
        assert_eq!(set.defaults.dynamik_perioden, MAX_PERIODS);
    }

    #[test]
    fn least_change_errors_name_the_place() {
        let err = RuleSet::parse("r.yml", "standard:\n  mindestaenderung:\n    prozent: -1\n")
            .unwrap_err();
        assert!(matches!(err.place, Place::Yaml { line: 3, .. }), "{err:?}");
        assert!(err.to_string().contains("Zeile 3"), "{err}");
        let err = RuleSet::parse("r.yml", "indikatoren:\n  A:\n    mindestaenderung: viel\n")
            .unwrap_err();
        assert!(matches!(err.place, Place::Yaml { line: 3, .. }), "{err:?}");
        // Within a rule the place is the rule's first line.
        for (text, line) in [
            (
                "indikatoren:\n  A:\n    regeln:\n      - typ: schwelle\n        grenze: .nan\n",
                4,
            ),
            (
                "indikatoren:\n  A:\n    regeln:\n      - typ: ziel\n        zielwert: -.inf\n",
                4,
            ),
            ("standard:\n  trend_mindestens_prozent: .inf\n", 2),
        ] {
            let err = RuleSet::parse("r.yml", text).unwrap_err();
            assert!(
                matches!(err.place, Place::Yaml { line: l, .. } if l == line),
                "{err:?}"
            );
            assert!(err.to_string().contains("keine endliche Zahl"), "{err}");
        }
        let err = RuleSet::parse("r.yml", "standard:\n  mindestaenderung:\n    prozente: 1\n")
            .unwrap_err();
        assert!(err.to_string().contains("prozente"), "{err}");
        let err = RuleSet::parse(
            "r.yml",
            "indikatoren:\n  A:\n    mindestaenderung: 1\n    mindestaenderung_relativ: 2\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "r.yml: Indikator A: 'mindestaenderung' und 'mindestaenderung_relativ' schließen sich aus"
        );
    }
}
