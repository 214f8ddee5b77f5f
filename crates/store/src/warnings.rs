//! Early-warning results as work items: kept, updated and resolved by evaluations, never deleted;
//! status, assignee and comments with the history of every change.

use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};
use kimo_model::{Breakdown, Flags, Period, WarningStatus};
use serde::Serialize;
use std::collections::HashMap;

/// What an evaluation found, ready to be stored (codes, not ids).
#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    /// Identity across evaluations.
    pub ident: String,
    /// Rule type code.
    pub kind: String,
    /// Rule id.
    pub rule: String,
    /// Indicator code.
    pub indicator: String,
    /// Area code.
    pub area: String,
    /// Series.
    pub breakdown: Breakdown,
    /// `hoch`, `mittel`, `niedrig`.
    pub severity: String,
    /// The German sentence.
    pub sentence: String,
    /// Triggering figures as JSON.
    pub figures: String,
    /// Latest period involved.
    pub period: Option<Period>,
}

/// What an evaluation changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncSummary {
    /// New warnings.
    pub new: usize,
    /// Warnings whose figures changed.
    pub updated: usize,
    /// Warnings that hold as before.
    pub unchanged: usize,
    /// Warnings whose condition no longer holds (marked resolved).
    pub resolved: usize,
    /// Resolved warnings whose condition holds again.
    pub reopened: usize,
}

/// A stored warning.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// Id.
    pub id: i64,
    /// Rule type code.
    pub kind: String,
    /// Rule id.
    pub rule: String,
    /// Indicator code.
    pub indicator: String,
    /// Indicator name.
    pub indicator_name: String,
    /// Handlungsfeld code of the indicator.
    pub action_field: Option<String>,
    /// Area code.
    pub area: String,
    /// Area name.
    pub area_name: String,
    /// Series.
    pub breakdown: Breakdown,
    /// Severity code.
    pub severity: String,
    /// The sentence.
    pub sentence: String,
    /// Figures (JSON).
    pub figures: serde_json::Value,
    /// Latest period involved.
    pub period: Option<String>,
    /// Whether the condition holds (false: resolved by evaluation).
    pub active: bool,
    /// Work status (serialised as its code).
    pub status: WarningStatus,
    /// Who works on it.
    pub assignee: Option<String>,
    /// First found.
    pub first_seen: String,
    /// Last confirmed.
    pub last_seen: String,
    /// When its condition stopped holding.
    pub resolved_at: Option<String>,
}

/// One entry in a warning's history.
#[derive(Debug, Clone, Serialize)]
pub struct WarningEvent {
    /// When.
    pub at: String,
    /// Who (a person, or `Auswertung`).
    pub actor: String,
    /// `erkannt`, `aktualisiert`, `behoben`, `wieder aufgetreten`, `status`, `zuständig`, `kommentar`.
    pub kind: String,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
    /// Comment text.
    pub comment: Option<String>,
}

/// Filters for listing warnings; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct WarningFilter {
    /// Handlungsfeld code.
    pub action_field: Option<String>,
    /// Area code.
    pub area: Option<String>,
    /// Severity code.
    pub severity: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Indicator code.
    pub indicator: Option<String>,
    /// Include resolved warnings.
    pub include_resolved: bool,
}

/// Everything an evaluation reads: every observation as a compact point.
#[derive(Debug, Clone)]
pub struct SeriesPoint {
    /// Indicator code.
    pub indicator: usize,
    /// Area code index.
    pub area: usize,
    /// Breakdown key, as an index into the breakdown keys returned alongside.
    pub breakdown: u32,
    /// Period.
    pub period: Period,
    /// Value.
    pub value: Option<f64>,
    /// Break in series before this value.
    pub brk: bool,
}

/// Everything an evaluation reads, compactly.
#[derive(Debug, Clone, Default)]
pub struct AllSeries {
    /// Indicator codes (indexed by `SeriesPoint::indicator`).
    pub indicators: Vec<String>,
    /// Area codes (indexed by `SeriesPoint::area`).
    pub areas: Vec<String>,
    /// Breakdown keys (indexed by `SeriesPoint::breakdown`).
    pub breakdowns: Vec<String>,
    /// The points, grouped by series, each series in period order.
    pub points: Vec<SeriesPoint>,
}

const SELECT: &str = "SELECT w.id, w.kind, w.rule, i.code, i.name, f.code, a.code, a.name, w.breakdown, \
    w.severity, w.sentence, w.figures, w.period, w.active, w.status, w.assignee, w.first_seen, \
    w.last_seen, w.resolved_at FROM warning w JOIN indicator i ON i.id = w.indicator_id \
    JOIN area a ON a.id = w.area_id LEFT JOIN action_field f ON f.id = i.action_field_id";

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The setting that names the last data change not yet evaluated (an import's id): written in the
/// transaction of every import and rules change, removed by the transaction of the evaluation
/// that read that change, so a process killed in between leaves it behind for the next start.
const PENDING: &str = "evaluation_pending";

/// Marks the warnings as due for an evaluation after the change recorded as import `id`.
pub(crate) fn mark_pending(c: &mut Conn, id: i64) -> Result<()> {
    c.exec("DELETE FROM setting WHERE name = ?", &[PENDING.into()])?;
    c.exec(
        "INSERT INTO setting (name, value) VALUES (?, ?)",
        &[PENDING.into(), id.to_string().into()],
    )?;
    Ok(())
}

impl Store {
    /// The change not yet evaluated, if any: pass it to [`Store::sync_warnings`] of the evaluation
    /// that reads the data after this call, which then clears it (unless a newer change came in).
    pub fn evaluation_pending(&self) -> Result<Option<String>> {
        let mut c = self.conn()?;
        let sql = "SELECT value FROM setting WHERE name = ?";
        Ok(c.query_opt(sql, &[PENDING.into()])?.map(|r| r.text(0)))
    }

    /// The stored rules file (empty when none was imported).
    pub fn rules_text(&self) -> Result<String> {
        let mut c = self.conn()?;
        Ok(
            c.query_opt("SELECT value FROM setting WHERE name = 'regeln'", &[])?
                .map(|r| r.text(0))
                .unwrap_or_default(),
        )
    }

    /// Stores the rules file (checked by the caller).
    pub fn set_rules_text(&self, text: &str, user: &str, source: &str) -> Result<()> {
        self.write(|c| {
            c.exec("DELETE FROM setting WHERE name = 'regeln'", &[])?;
            c.exec(
                "INSERT INTO setting (name, value) VALUES ('regeln', ?)",
                &[text.into()],
            )?;
            c.exec(
                "INSERT INTO import_run (started_at, username, source, observations) VALUES (?, ?, ?, 0)",
                &[now().into(), user.into(), source.into()],
            )?;
            let id = c
                .query_opt("SELECT MAX(id) FROM import_run", &[])?
                .map_or(0, |r| r.int(0));
            mark_pending(c, id)
        })
    }

    /// Every observation of every indicator, for an evaluation: indicator codes, area codes, breakdown
    /// keys, and the points sorted by indicator, area, breakdown and period.
    pub fn all_series(&self) -> Result<AllSeries> {
        let mut c = self.conn()?;
        let inds = id_codes(&mut c, "indicator")?;
        let areas = id_codes(&mut c, "area")?;
        let ind_ix: HashMap<i64, usize> = inds.iter().enumerate().map(|(i, x)| (x.0, i)).collect();
        let area_ix: HashMap<i64, usize> =
            areas.iter().enumerate().map(|(i, x)| (x.0, i)).collect();
        let mut keys = SeriesKeys::default();
        let mut points = Vec::new();
        c.scan(
            "SELECT indicator_id, area_id, breakdown, period, value, flags FROM observation \
             ORDER BY indicator_id, area_id, breakdown, period",
            &[],
            &mut |r| {
                let (Some(period), Some(&indicator), Some(&area)) = (
                    keys.period(r.text(3)),
                    ind_ix.get(&r.int(0)),
                    area_ix.get(&r.int(1)),
                ) else {
                    return;
                };
                let flags = r.text(5);
                points.push(SeriesPoint {
                    indicator,
                    area,
                    breakdown: keys.breakdown(r.text(2)),
                    period,
                    value: r.opt_real(4),
                    brk: !flags.is_empty() && Flags::parse(flags).is_ok_and(|f| f.break_in_series),
                });
            },
        )?;
        // Periods sort chronologically, which their text codes do not always do (months, dates,
        // labels).
        let same_series = |a: &SeriesPoint, b: &SeriesPoint| {
            (a.indicator, a.area, a.breakdown) == (b.indicator, b.area, b.breakdown)
        };
        if !points
            .windows(2)
            .all(|w| !same_series(&w[0], &w[1]) || w[0].period <= w[1].period)
        {
            points.sort_by(|a, b| {
                (a.indicator, a.area, a.breakdown, &a.period).cmp(&(
                    b.indicator,
                    b.area,
                    b.breakdown,
                    &b.period,
                ))
            });
        }
        Ok(AllSeries {
            indicators: inds.into_iter().map(|x| x.1).collect(),
            areas: areas.into_iter().map(|x| x.1).collect(),
            breakdowns: keys.breakdowns,
            points,
        })
    }

    /// Brings the stored warnings in line with an evaluation: new ones are added, changed ones
    /// updated, those whose condition no longer holds marked resolved (never deleted), resolved ones
    /// that hold again reopened. Running it twice with the same findings changes nothing. `pending`
    /// is what [`Store::evaluation_pending`] said before the evaluation read the data; it is cleared
    /// in the same transaction unless a newer change has come in since.
    pub fn sync_warnings(
        &self,
        findings: &[NewFinding],
        actor: &str,
        pending: Option<&str>,
    ) -> Result<SyncSummary> {
        self.write(|c| {
            let inds = code_ids(c, "indicator")?;
            let areas = code_ids(c, "area")?;
            let mut existing: HashMap<String, Stored> = c
                .query(
                    "SELECT ident, id, active, sentence, severity, figures FROM warning",
                    &[],
                )?
                .iter()
                .map(|r| {
                    let stored = Stored {
                        id: r.int(1),
                        active: r.bool(2),
                        sentence: r.text(3),
                        severity: r.text(4),
                        figures: r.text(5),
                    };
                    (r.text(0), stored)
                })
                .collect();
            let mut sync = Sync {
                c,
                stamp: now(),
                actor,
                summary: SyncSummary::default(),
            };
            for f in findings {
                let (Some(&ind), Some(&area)) = (inds.get(&f.indicator), areas.get(&f.area)) else {
                    continue;
                };
                match existing.remove(&f.ident) {
                    None => sync.add(f, ind, area)?,
                    Some(old) => sync.refresh(f, old)?,
                }
            }
            for old in existing.into_values().filter(|w| w.active) {
                sync.resolve(old.id)?;
            }
            if let Some(p) = pending {
                let sql = "DELETE FROM setting WHERE name = ? AND value = ?";
                sync.c.exec(sql, &[PENDING.into(), p.into()])?;
            }
            Ok(sync.summary)
        })
    }

    /// Warnings matching the filter: active first, by severity, then indicator and area.
    pub fn warnings(&self, f: &WarningFilter) -> Result<Vec<Warning>> {
        let mut c = self.conn()?;
        let mut sql = format!("{SELECT} WHERE 1 = 1");
        let mut p: Vec<Value> = Vec::new();
        for (col, v) in [
            ("f.code", &f.action_field),
            ("a.code", &f.area),
            ("w.severity", &f.severity),
            ("w.status", &f.status),
            ("i.code", &f.indicator),
        ] {
            if let Some(v) = v {
                sql.push_str(&format!(" AND {col} = ?"));
                p.push(v.into());
            }
        }
        if !f.include_resolved {
            sql.push_str(" AND w.active = 1");
        }
        sql.push_str(
            " ORDER BY w.active DESC, CASE w.severity WHEN 'hoch' THEN 0 WHEN 'mittel' THEN 1 ELSE 2 END, i.code, a.code, w.id",
        );
        Ok(c.query(&sql, &p)?.iter().map(warning_from).collect())
    }

    /// One warning with its history.
    pub fn warning(&self, id: i64) -> Result<Option<(Warning, Vec<WarningEvent>)>> {
        let mut c = self.conn()?;
        let Some(w) = c.query_opt(&format!("{SELECT} WHERE w.id = ?"), &[id.into()])? else {
            return Ok(None);
        };
        let events = c
            .query(
                "SELECT at, actor, kind, old_value, new_value, comment FROM warning_event WHERE warning_id = ? ORDER BY id",
                &[id.into()],
            )?
            .iter()
            .map(|r| WarningEvent {
                at: r.text(0),
                actor: r.text(1),
                kind: r.text(2),
                old_value: r.opt_text(3),
                new_value: r.opt_text(4),
                comment: r.opt_text(5),
            })
            .collect();
        Ok(Some((warning_from(&w), events)))
    }

    /// Changes a warning's status (a code or label of [`WarningStatus`]) and/or assignee and/or adds a
    /// comment; each change is recorded.
    pub fn update_warning(
        &self,
        id: i64,
        status: Option<&str>,
        assignee: Option<&str>,
        comment: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let status = status
            .map(WarningStatus::parse)
            .transpose()
            .map_err(|e| Error::Invalid(e.to_string()))?;
        let Some((w, _)) = self.warning(id)? else {
            return Err(Error::NotFound(format!("Warnhinweis {id} gibt es nicht")));
        };
        let stamp = now();
        self.write(|c| {
            let mut event = |kind: &str,
                             old: Option<String>,
                             new: Option<String>,
                             comment: Option<&str>| {
                c.exec(
                    "INSERT INTO warning_event (warning_id, at, actor, kind, old_value, new_value, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &[
                        id.into(),
                        stamp.as_str().into(),
                        actor.into(),
                        kind.into(),
                        old.into(),
                        new.into(),
                        comment.map(str::to_string).into(),
                    ],
                )
            };
            if let Some(s) = status.filter(|s| *s != w.status) {
                event(
                    "status",
                    Some(w.status.code().into()),
                    Some(s.code().into()),
                    None,
                )?;
            }
            if let Some(a) = assignee.filter(|a| Some(a.to_string()) != w.assignee) {
                event("zuständig", w.assignee.clone(), Some(a.to_string()), None)?;
            }
            if let Some(t) = comment.filter(|t| !t.trim().is_empty()) {
                event("kommentar", None, None, Some(t))?;
            }
            c.exec(
                "UPDATE warning SET status = COALESCE(?, status), assignee = COALESCE(?, assignee) WHERE id = ?",
                &[
                    status.map(WarningStatus::code).into(),
                    assignee.map(str::to_string).into(),
                    id.into(),
                ],
            )?;
            Ok(())
        })
    }
}

fn code_ids(c: &mut Conn, table: &str) -> Result<HashMap<String, i64>> {
    Ok(c.query(&format!("SELECT code, id FROM {table}"), &[])?
        .iter()
        .map(|r| (r.text(0), r.int(1)))
        .collect())
}

/// What an evaluation compares of a stored warning.
struct Stored {
    id: i64,
    active: bool,
    sentence: String,
    severity: String,
    figures: String,
}

/// One evaluation's changes to the stored warnings, inside its transaction.
struct Sync<'c, 'a> {
    c: &'c mut Conn,
    stamp: String,
    actor: &'a str,
    summary: SyncSummary,
}

impl Sync<'_, '_> {
    fn event(
        &mut self,
        id: i64,
        kind: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Result<()> {
        self.c.exec(
            "INSERT INTO warning_event (warning_id, at, actor, kind, old_value, new_value) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                id.into(),
                self.stamp.as_str().into(),
                self.actor.into(),
                kind.into(),
                old.into(),
                new.into(),
            ],
        )?;
        Ok(())
    }

    /// A finding seen for the first time.
    fn add(&mut self, f: &NewFinding, ind: i64, area: i64) -> Result<()> {
        let id = self
            .c
            .query_opt(
                "INSERT INTO warning (ident, kind, rule, indicator_id, area_id, breakdown, severity, \
                 sentence, figures, period, active, status, first_seen, last_seen) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                &[
                    f.ident.as_str().into(),
                    f.kind.as_str().into(),
                    f.rule.as_str().into(),
                    ind.into(),
                    area.into(),
                    f.breakdown.key().into(),
                    f.severity.as_str().into(),
                    f.sentence.as_str().into(),
                    f.figures.as_str().into(),
                    f.period.as_ref().map(|p| p.code()).into(),
                    WarningStatus::Neu.code().into(),
                    self.stamp.as_str().into(),
                    self.stamp.as_str().into(),
                ],
            )?
            .map(|r| r.int(0))
            .ok_or_else(|| Error::database("Warnhinweis anlegen", "keine id zurückgegeben"))?;
        self.event(id, "erkannt", None, Some(f.sentence.clone()))?;
        self.summary.new += 1;
        Ok(())
    }

    /// A finding seen before: unchanged, updated, or (when it had been resolved) reopened as new.
    fn refresh(&mut self, f: &NewFinding, old: Stored) -> Result<()> {
        let same =
            old.sentence == f.sentence && old.severity == f.severity && old.figures == f.figures;
        if old.active && same {
            self.summary.unchanged += 1;
            return Ok(());
        }
        self.c.exec(
            "UPDATE warning SET sentence = ?, severity = ?, figures = ?, period = ?, active = 1, \
             resolved_at = NULL, last_seen = ?, status = CASE WHEN active = 0 THEN ? ELSE status END \
             WHERE id = ?",
            &[
                f.sentence.as_str().into(),
                f.severity.as_str().into(),
                f.figures.as_str().into(),
                f.period.as_ref().map(|p| p.code()).into(),
                self.stamp.as_str().into(),
                WarningStatus::Neu.code().into(),
                old.id.into(),
            ],
        )?;
        if old.active {
            self.event(
                old.id,
                "aktualisiert",
                Some(old.sentence),
                Some(f.sentence.clone()),
            )?;
            self.summary.updated += 1;
        } else {
            self.event(old.id, "wieder aufgetreten", None, Some(f.sentence.clone()))?;
            self.summary.reopened += 1;
        }
        Ok(())
    }

    /// An active warning the evaluation no longer finds.
    fn resolve(&mut self, id: i64) -> Result<()> {
        self.c.exec(
            "UPDATE warning SET active = 0, resolved_at = ? WHERE id = ?",
            &[self.stamp.as_str().into(), id.into()],
        )?;
        self.event(
            id,
            "behoben",
            None,
            Some("Bedingung trifft nicht mehr zu".into()),
        )?;
        self.summary.resolved += 1;
        Ok(())
    }
}

fn warning_from(r: &crate::sql::Row) -> Warning {
    Warning {
        id: r.int(0),
        kind: r.text(1),
        rule: r.text(2),
        indicator: r.text(3),
        indicator_name: r.text(4),
        action_field: r.opt_text(5),
        area: r.text(6),
        area_name: r.text(7),
        breakdown: Breakdown::from_key(&r.text(8)),
        severity: r.text(9),
        sentence: r.text(10),
        figures: serde_json::from_str(&r.text(11)).unwrap_or_default(),
        period: r.opt_text(12),
        active: r.bool(13),
        // Only the store writes statuses, always as codes of `WarningStatus`.
        status: WarningStatus::parse(&r.text(14)).unwrap_or_default(),
        assignee: r.opt_text(15),
        first_seen: r.text(16),
        last_seen: r.text(17),
        resolved_at: r.opt_text(18),
    }
}

/// Ids and codes of a table's rows, in id order.
fn id_codes(c: &mut Conn, table: &str) -> Result<Vec<(i64, String)>> {
    Ok(
        c.query(&format!("SELECT id, code FROM {table} ORDER BY id"), &[])?
            .iter()
            .map(|r| (r.int(0), r.text(1)))
            .collect(),
    )
}

/// Periods and breakdown keys met while scanning all observations, each parsed or numbered once.
#[derive(Default)]
struct SeriesKeys {
    periods: HashMap<String, Option<Period>>,
    breakdowns: Vec<String>,
    breakdown_ix: HashMap<String, u32>,
    last: Option<(String, u32)>,
}

impl SeriesKeys {
    /// The period of a stored code (None when it is not one).
    fn period(&mut self, text: &str) -> Option<Period> {
        if let Some(p) = self.periods.get(text) {
            return p.clone();
        }
        let p = Period::parse_or_label(text).ok();
        self.periods.insert(text.to_string(), p.clone());
        p
    }

    /// The number of a breakdown key. Consecutive rows mostly share their breakdown: it is looked
    /// up only when it changes.
    fn breakdown(&mut self, key: &str) -> u32 {
        if let Some((k, ix)) = &self.last
            && k == key
        {
            return *ix;
        }
        let ix = match self.breakdown_ix.get(key) {
            Some(&ix) => ix,
            None => {
                let ix = self.breakdowns.len() as u32;
                self.breakdowns.push(key.to_string());
                self.breakdown_ix.insert(key.to_string(), ix);
                ix
            }
        };
        self.last = Some((key.to_string(), ix));
        ix
    }
}
