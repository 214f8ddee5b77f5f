//! Early-warning rules: the rules file (YAML, German keys) and the defaults that follow from an
//! indicator's polarity and unit.

use kimo_model::{Breakdown, Indicator, Periodicity, Polarity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    StatusDynamics {
        /// Areas with fewer inhabitants are left out.
        min_population: f64,
        /// Indicator holding the population (its total).
        population_indicator: String,
        /// Periods over which the dynamics are measured.
        window: usize,
    },
    /// Progress towards a target, as Open SDG measures it.
    Target {
        /// Target value.
        value: f64,
        /// Target year.
        year: i32,
        /// Base year.
        base_year: i32,
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
        match self {
            Check::Threshold { .. } => "Schwellenwert",
            Check::Trend { .. } => "Trend",
            Check::GroupGap { .. } => "Gruppenabstand",
            Check::StatusDynamics { .. } => "Status und Dynamik",
            Check::Target { .. } => "Zielerreichung",
            Check::Overdue { .. } => "Daten überfällig",
        }
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
    pub trend_perioden: usize,
    /// Least total change (% of the start value) of the default trend rule.
    pub trend_mindestens_prozent: f64,
    /// Minimum population of the status rule.
    pub mindestbevoelkerung: f64,
    /// Population indicator of the status rule.
    pub bevoelkerung: String,
    /// Dynamics window in periods.
    pub dynamik_perioden: usize,
    /// Grace period of the overdue rule in days.
    pub karenz_tage: i64,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            trend_perioden: 3,
            trend_mindestens_prozent: 5.0,
            mindestbevoelkerung: 300.0,
            bevoelkerung: "DEM-01".into(),
            dynamik_perioden: 2,
            karenz_tage: 90,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorRules {
    /// Whether the default rules apply (default: yes).
    standard: Option<bool>,
    #[serde(default)]
    regeln: Vec<RuleSpec>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    typ: String,
    grenze: Option<f64>,
    richtung: Option<String>,
    perioden: Option<usize>,
    mindestens_prozent: Option<f64>,
    sprung: Option<f64>,
    sprung_einheit: Option<String>,
    merkmal: Option<String>,
    gruppe: Option<String>,
    vergleich: Option<String>,
    gebiete: Option<Vec<String>>,
    alle_gruppen: Option<bool>,
    mindestbevoelkerung: Option<f64>,
    bevoelkerung: Option<String>,
    zielwert: Option<f64>,
    zieljahr: Option<i32>,
    basisjahr: Option<i32>,
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
}

fn scope_of(gebiete: &Option<Vec<String>>) -> Scope {
    match gebiete {
        None => Scope::All,
        Some(v) if v.iter().any(|a| a == "gesamtstadt") && v.len() == 1 => Scope::City,
        Some(v) => Scope::Areas(v.clone()),
    }
}

impl RuleSet {
    /// Parses a rules file; errors name the line and column (YAML) or the indicator and rule.
    pub fn parse(file: &str, text: &str) -> Result<RuleSet, String> {
        let f: File = if text.trim().is_empty() {
            File::default()
        } else {
            serde_norway::from_str(text).map_err(|e| match e.location() {
                Some(l) => format!("{file}: Zeile {}, Spalte {}: {e}", l.line(), l.column()),
                None => format!("{file}: {e}"),
            })?
        };
        let mut set = RuleSet {
            defaults: f.standard,
            ..Default::default()
        };
        for (code, ir) in f.indikatoren {
            if ir.standard == Some(false) {
                set.no_defaults.push(code.clone());
            }
            let mut rules = Vec::new();
            for (i, r) in ir.regeln.into_iter().enumerate() {
                let at = format!("{file}: Indikator {code}, Regel {}", i + 1);
                let need = |v: Option<f64>, name: &str| {
                    v.ok_or_else(|| format!("{at} ({}): '{name}' fehlt", r.typ))
                };
                let check = match r.typ.as_str() {
                    "schwelle" => Check::Threshold {
                        limit: need(r.grenze, "grenze")?,
                        above: match r.richtung.as_deref() {
                            None | Some("ueber") | Some("über") => true,
                            Some("unter") => false,
                            Some(x) => {
                                return Err(format!(
                                    "{at}: richtung '{x}' (erlaubt: ueber, unter)"
                                ));
                            }
                        },
                    },
                    "trend" => Check::Trend {
                        periods: r.perioden.unwrap_or(3),
                        min_total_percent: r.mindestens_prozent.unwrap_or(0.0),
                        jump: r.sprung,
                        jump_points: match r.sprung_einheit.as_deref() {
                            None | Some("pp") | Some("prozentpunkte") => true,
                            Some("prozent") => false,
                            Some(x) => {
                                return Err(format!(
                                    "{at}: sprung_einheit '{x}' (erlaubt: pp, prozent)"
                                ));
                            }
                        },
                    },
                    "gruppenabstand" => Check::GroupGap {
                        dimension: r
                            .merkmal
                            .clone()
                            .ok_or_else(|| format!("{at}: 'merkmal' fehlt"))?,
                        group: r
                            .gruppe
                            .clone()
                            .ok_or_else(|| format!("{at}: 'gruppe' fehlt"))?,
                        reference: r
                            .vergleich
                            .clone()
                            .ok_or_else(|| format!("{at}: 'vergleich' fehlt"))?,
                        limit: r.grenze,
                        widening: r.perioden,
                    },
                    "status_dynamik" => Check::StatusDynamics {
                        min_population: r
                            .mindestbevoelkerung
                            .unwrap_or(set.defaults.mindestbevoelkerung),
                        population_indicator: r
                            .bevoelkerung
                            .clone()
                            .unwrap_or(set.defaults.bevoelkerung.clone()),
                        window: r.perioden.unwrap_or(set.defaults.dynamik_perioden),
                    },
                    "ziel" => Check::Target {
                        value: need(r.zielwert, "zielwert")?,
                        year: r
                            .zieljahr
                            .ok_or_else(|| format!("{at}: 'zieljahr' fehlt"))?,
                        base_year: r.basisjahr.unwrap_or(2015),
                    },
                    "ueberfaellig" => Check::Overdue {
                        grace_days: r.karenz_tage.unwrap_or(set.defaults.karenz_tage),
                    },
                    other => {
                        return Err(format!(
                            "{at}: unbekannter typ '{other}' (schwelle, trend, gruppenabstand, status_dynamik, ziel, ueberfaellig)"
                        ));
                    }
                };
                if let Check::GroupGap {
                    limit: None,
                    widening: None,
                    ..
                } = check
                {
                    return Err(format!(
                        "{at}: gruppenabstand braucht 'grenze' oder 'perioden'"
                    ));
                }
                let breakdown = match (&r.merkmal, &r.gruppe, r.typ.as_str()) {
                    (Some(m), Some(g), t) if t != "gruppenabstand" => {
                        Breakdown::of(&[(m.as_str(), g.as_str())])
                    }
                    _ => Breakdown::total(),
                };
                let severity =
                    match r.schwere.as_deref() {
                        None => None,
                        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                            format!("{at}: schwere '{s}' (hoch, mittel, niedrig)")
                        })?),
                    };
                rules.push(Rule {
                    id: format!("{}-{}", check.code(), i + 1),
                    indicator: code.clone(),
                    scope: scope_of(&r.gebiete),
                    all_groups: r.alle_gruppen.unwrap_or(false),
                    check,
                    breakdown,
                    severity,
                });
            }
            set.explicit.insert(code, rules);
        }
        Ok(set)
    }

    /// All rules of an indicator: its explicit ones, and the defaults that follow from its polarity,
    /// unit and periodicity (unless switched off, or replaced by an explicit rule of the same type).
    pub fn for_indicator(&self, ind: &Indicator) -> Vec<Rule> {
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
                    },
                    &mut rules,
                );
            }
            if !has("status_dynamik", &rules) {
                add(
                    Check::StatusDynamics {
                        min_population: d.mindestbevoelkerung,
                        population_indicator: d.bevoelkerung.clone(),
                        window: d.dynamik_perioden,
                    },
                    &mut rules,
                );
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
    fn errors_name_the_place() {
        let e = RuleSet::parse(
            "r.yml",
            "indikatoren:\n  A:\n    regeln:\n      - typ: schwelle\n",
        )
        .unwrap_err();
        assert!(
            e.contains("Indikator A, Regel 1") && e.contains("grenze"),
            "{e}"
        );
        let e = RuleSet::parse(
            "r.yml",
            "indikatoren:\n  A:\n    regeln:\n      - typ: wunder\n",
        )
        .unwrap_err();
        assert!(e.contains("unbekannter typ 'wunder'"), "{e}");
        let e = RuleSet::parse("r.yml", "indikatoren:\n  A: [\n").unwrap_err();
        assert!(e.contains("r.yml: Zeile"), "{e}");
        let e = RuleSet::parse("r.yml", "standard:\n  falsch: 1\n").unwrap_err();
        assert!(e.contains("falsch"), "{e}");
    }
}
