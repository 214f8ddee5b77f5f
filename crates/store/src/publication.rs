//! Publication: the disclosure-control rules per source (minimum count, rounding) and the
//! embargoes (an indicator's period internal until its release day). Every change is audited and
//! moves the data version, so that no cached public answer outlives it; so does the day an embargo
//! ends.

use crate::sql::Conn;
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use kimo_model::disclosure::{Embargo, Rule};

/// The rule's text for the audit log.
fn rule_text(r: Option<&Rule>) -> String {
    r.map_or("keine".to_string(), |r| {
        format!("Mindestzahl {}, runden auf {}", r.min_count, r.round_to)
    })
}

/// One source's rule.
fn rule_of(c: &mut Conn, source: &str) -> Result<Option<Rule>> {
    Ok(c.query_opt(
        "SELECT source, min_count, round_to FROM disclosure_rule WHERE source = ?",
        &[source.into()],
    )?
    .map(|r| Rule {
        source: r.text(0),
        min_count: r.int(1).max(0) as u32,
        round_to: r.int(2).max(0) as u32,
    }))
}

impl Store {
    /// Every source's rule, by source.
    pub fn disclosure_rules(&self) -> Result<Vec<Rule>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT source, min_count, round_to FROM disclosure_rule ORDER BY source",
            &[],
        )?
        .iter()
        .map(|r| Rule {
            source: r.text(0),
            min_count: r.int(1).max(0) as u32,
            round_to: r.int(2).max(0) as u32,
        })
        .collect())
    }

    /// Sets a source's rule; a rule that keeps nothing secret and rounds nothing removes it.
    /// Audit `disclosure.rule`.
    pub fn set_disclosure_rule(&self, rule: &Rule, actor: &Actor) -> Result<()> {
        let source = rule.source.trim();
        if source.is_empty() {
            return Err(Error::Invalid("Regel ohne Quelle".into()));
        }
        self.write(|c| {
            let before = rule_of(c, source)?;
            c.exec(
                "DELETE FROM disclosure_rule WHERE source = ?",
                &[source.into()],
            )?;
            let keep = rule.min_count > 1 || rule.round_to > 1;
            if keep {
                c.exec(
                    "INSERT INTO disclosure_rule (source, min_count, round_to) VALUES (?, ?, ?)",
                    &[
                        source.into(),
                        i64::from(rule.min_count).into(),
                        i64::from(rule.round_to).into(),
                    ],
                )?;
            }
            audit(
                c,
                actor,
                "disclosure.rule",
                &format!("quelle:{source}"),
                &rule_text(before.as_ref()),
                &rule_text(keep.then_some(rule)),
            )
        })
    }

    /// Every embargo, by indicator and period.
    pub fn embargoes(&self) -> Result<Vec<Embargo>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT i.code, e.period, e.release_on FROM embargo e \
                 JOIN indicator i ON i.id = e.indicator_id ORDER BY i.code, e.period",
            &[],
        )?
        .iter()
        .map(|r| Embargo {
            indicator: r.text(0),
            period: r.text(1),
            release_on: r.text(2),
        })
        .collect())
    }

    /// Sets an indicator period's release day (ISO), or lifts its embargo (None). Audit
    /// `embargo.set`.
    pub fn set_embargo(
        &self,
        indicator: &str,
        period: &str,
        release_on: Option<&str>,
        actor: &Actor,
    ) -> Result<()> {
        if let Some(day) = release_on
            && chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_err()
        {
            return Err(Error::Invalid(format!(
                "Sperrfrist „{day}“: bitte als Datum wie 2026-03-31"
            )));
        }
        self.write(|c| {
            let id = c
                .query_opt(
                    "SELECT id FROM indicator WHERE code = ?",
                    &[indicator.into()],
                )?
                .map(|r| r.int(0))
                .ok_or_else(|| {
                    Error::NotFound(format!("Den Indikator '{indicator}' gibt es nicht."))
                })?;
            let before = c
                .query_opt(
                    "SELECT release_on FROM embargo WHERE indicator_id = ? AND period = ?",
                    &[id.into(), period.into()],
                )?
                .map_or("keine".to_string(), |r| r.text(0));
            c.exec(
                "DELETE FROM embargo WHERE indicator_id = ? AND period = ?",
                &[id.into(), period.into()],
            )?;
            if let Some(day) = release_on {
                c.exec(
                    "INSERT INTO embargo (indicator_id, period, release_on) VALUES (?, ?, ?)",
                    &[id.into(), period.into(), day.into()],
                )?;
            }
            audit(
                c,
                actor,
                "embargo.set",
                &format!("indicator:{indicator}:{period}"),
                &before,
                release_on.unwrap_or("keine"),
            )
        })
    }
}
