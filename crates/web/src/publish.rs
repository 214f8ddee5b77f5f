//! What each audience sees of the figures. Every read of observations for a page, chart, map,
//! download or the API goes through [`Scope::observations`] (or [`Scope::publish_row`] for the
//! API's streamed answer): the public gets no embargoed period, no value of a secret cell — the
//! flag „geheim“ instead, shown as „.“ — and counts rounded as the source's rule says; internal
//! users get the true values with the secret and embargoed ones marked „nicht zur
//! Veröffentlichung“. Which cells are secret is worked out per indicator over its whole table
//! ([`kimo_model::disclosure::protect`]: secondary suppression needs every cell), once per data
//! version.

use crate::{AppError, Scope};
use kimo_model::disclosure::{Cell, Rule, Secret, protect};
use kimo_model::{Indicator, Observation};
use kimo_store::{ObservationFilter, ObservationRow, Profile};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// An observation's figures as an audience sees them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// The value.
    pub value: Option<f64>,
    /// The numerator.
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The flags.
    pub flags: kimo_model::Flags,
}

/// An indicator's figures kept from the public.
#[derive(Debug, Default)]
pub struct Secrets {
    /// Secret cells by (area, breakdown key, period code).
    cells: HashMap<(String, String, String), Secret>,
    /// Periods under embargo today.
    embargoed: HashSet<String>,
    /// The source's rule (for rounding).
    rule: Option<Rule>,
    /// Whether the indicator is a count (its value is rounded too).
    count: bool,
}

impl Secrets {
    /// Whether a cell is secret.
    pub fn secret(&self, area: &str, breakdown: &str, period: &str) -> Option<Secret> {
        self.cells
            .get(&(area.to_string(), breakdown.to_string(), period.to_string()))
            .copied()
    }

    /// Whether a period is under embargo.
    pub fn embargoed(&self, period: &str) -> bool {
        self.embargoed.contains(period)
    }

    /// The rounding step (0: none).
    fn rounds(&self) -> f64 {
        self.rule
            .as_ref()
            .filter(|r| r.round_to > 1)
            .map_or(0.0, |r| f64::from(r.round_to))
    }

    /// An observation's figures as the public sees them: None for an embargoed period; a secret
    /// cell without its numbers, flagged „geheim“; counts rounded.
    fn public(
        &self,
        value: &mut Option<f64>,
        numerator: &mut Option<f64>,
        denominator: &mut Option<f64>,
        flags: &mut kimo_model::Flags,
    ) {
        if flags.confidential {
            *value = None;
            *numerator = None;
            *denominator = None;
            flags.suppressed = true;
            flags.confidential = false;
            return;
        }
        if let Some(rule) = self.rule.as_ref().filter(|_| self.rounds() > 0.0) {
            let round = |x: &mut Option<f64>| *x = x.map(|n| rule.rounded(n));
            round(numerator);
            round(denominator);
            if self.count {
                round(value);
            }
        }
    }
}

impl Scope<'_> {
    /// An indicator's secrets (worked out once per data version).
    pub fn secrets(&self, ind: &Indicator) -> Result<Arc<Secrets>, AppError> {
        self.cached(&format!("secrets:{}", ind.code), || secrets_of(self, ind))
    }

    /// What exists of an indicator for this audience: the public's without embargoed periods.
    pub fn profile(&self, ind: &Indicator) -> Result<Arc<Profile>, AppError> {
        let all = self.cached(&format!("profile:{}", ind.code), || {
            Ok(self.store.profile(&ind.code)?)
        })?;
        let s = self.secrets(ind)?;
        if self.internal() || s.embargoed.is_empty() {
            return Ok(all);
        }
        self.cached(&format!("profile:public:{}", ind.code), || {
            let mut p = (*all).clone();
            p.cells.retain(|c| !s.embargoed(&c.0.code()));
            // When an embargoed period was written is not the public's business either.
            p.updated.retain(|period, _| !s.embargoed(period));
            p.last_update = p.updated.values().max().cloned();
            Ok(p)
        })
    }

    /// Observations for this audience (see the module's text).
    pub fn observations(&self, f: &ObservationFilter) -> Result<Vec<Observation>, AppError> {
        let mut obs = self.store.observations(f)?;
        let all = self.st_indicators()?;
        let mut by_code: HashMap<String, Arc<Secrets>> = HashMap::new();
        let mut keep = Vec::with_capacity(obs.len());
        for mut o in obs.drain(..) {
            if !by_code.contains_key(&o.indicator) {
                let Some(ind) = all.iter().find(|i| i.code == o.indicator) else {
                    continue;
                };
                by_code.insert(o.indicator.clone(), self.secrets(ind)?);
            }
            let s = &by_code[&o.indicator];
            let period = o.period.code();
            let hidden =
                s.embargoed(&period) || s.secret(&o.area, &o.breakdown.key(), &period).is_some();
            if hidden {
                o.flags.confidential = true;
            }
            if !self.internal() {
                if s.embargoed(&period) {
                    continue;
                }
                s.public(
                    &mut o.value,
                    &mut o.numerator,
                    &mut o.denominator,
                    &mut o.flags,
                );
            }
            keep.push(o);
        }
        Ok(keep)
    }

    /// A streamed row's figures for this audience, with its indicator's secrets; None: leave
    /// it out (an embargoed period, for the public).
    pub fn publish_row(&self, o: &ObservationRow<'_>, s: &Secrets) -> Option<Figures> {
        let period = o.period.code();
        let mut f = Figures {
            value: o.value,
            numerator: o.numerator,
            denominator: o.denominator,
            flags: o.flags,
        };
        if s.embargoed(&period) || s.secret(o.area, o.breakdown, &period).is_some() {
            f.flags.confidential = true;
        }
        if self.internal() {
            return Some(f);
        }
        if s.embargoed(&period) {
            return None;
        }
        s.public(
            &mut f.value,
            &mut f.numerator,
            &mut f.denominator,
            &mut f.flags,
        );
        Some(f)
    }

    /// Every indicator, published or not (the secrets of any indicator an answer shows).
    fn st_indicators(&self) -> Result<Arc<Vec<Indicator>>, AppError> {
        std::ops::Deref::deref(self).indicators()
    }
}

/// Works out an indicator's secrets: its source's rule, its embargoes in force today, and the
/// secret cells of each period's table.
fn secrets_of(st: &Scope, ind: &Indicator) -> Result<Secrets, AppError> {
    // The rules and embargoes are read once per data version, not once per indicator.
    let (rules, embargoes) = &*st.cached("publication-rules", || {
        Ok((st.store.disclosure_rules()?, st.store.embargoes()?))
    })?;
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let rule = rules.iter().find(|r| r.source == ind.source).cloned();
    let embargoed: HashSet<String> = embargoes
        .iter()
        .filter(|e| e.indicator == ind.code && e.holds_on(&today))
        .map(|e| e.period.clone())
        .collect();
    let obs = st.store.observations(&ObservationFilter {
        indicator: Some(ind.code.clone()),
        ..Default::default()
    })?;
    let count = ind.is_count();
    let parent: HashMap<String, String> = st
        .areas()?
        .iter()
        .filter_map(|a| a.parent.clone().map(|p| (a.code.clone(), p)))
        .collect();
    let check = rule.clone().unwrap_or(Rule {
        source: ind.source.clone(),
        min_count: 0,
        round_to: 0,
    });
    let mut periods: HashMap<String, Vec<&Observation>> = HashMap::new();
    for o in &obs {
        periods.entry(o.period.code()).or_default().push(o);
    }
    let mut cells = HashMap::new();
    for (period, table) in periods {
        let suppliers = table.iter().any(|o| o.flags.suppressed);
        if check.min_count <= 1 && !suppliers {
            continue;
        }
        let input: Vec<Cell> = table
            .iter()
            .map(|o| Cell {
                area: o.area.clone(),
                breakdown: o.breakdown.clone(),
                count: if count { o.value } else { o.numerator },
                denominator: if count { None } else { o.denominator },
                secret: o.flags.suppressed,
            })
            .collect();
        for (c, s) in input.iter().zip(protect(&input, &parent, &check)) {
            if let Some(s) = s {
                cells.insert((c.area.clone(), c.breakdown.key(), period.clone()), s);
            }
        }
    }
    Ok(Secrets {
        cells,
        embargoed,
        rule,
        count,
    })
}
