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
    /// Per indicator: the latest period with a value among the rows not kept as points (breakdown
    /// series of indicators read for their totals only).
    pub latest_unread: Vec<Option<Period>>,
    /// Observations read (points and rows not kept).
    pub rows: usize,
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

    /// Stores the rules file (checked by the caller) and marks the warnings as due for an
    /// evaluation; the change (whole text before and after) goes to the audit log as
    /// `rules.update` with `object` (a file name or an indicator code), in the same transaction.
    pub fn set_rules_text(&self, text: &str, actor: &crate::Actor, object: &str) -> Result<()> {
        self.write(|c| {
            let old = c
                .query_opt("SELECT value FROM setting WHERE name = 'regeln'", &[])?
                .map(|r| r.text(0))
                .unwrap_or_default();
            c.exec("DELETE FROM setting WHERE name = 'regeln'", &[])?;
            c.exec(
                "INSERT INTO setting (name, value) VALUES ('regeln', ?)",
                &[text.into()],
            )?;
            c.exec(
                "INSERT INTO import_run (started_at, username, source, observations) VALUES (?, ?, ?, 0)",
                &[now().into(), actor.name.as_str().into(), object.into()],
            )?;
            let id = c
                .query_opt("SELECT MAX(id) FROM import_run", &[])?
                .map_or(0, |r| r.int(0));
            crate::users::audit(c, actor, "rules.update", object, &old, text)?;
            mark_pending(c, id)
        })
    }

    /// Every observation of every indicator, for an evaluation: indicator codes, area codes, breakdown
    /// keys, and the points grouped by series, each series in period order. Of the indicators for
    /// which `totals_only` says so, only the totals become points; of their other rows only the
    /// latest period with a value is kept.
    ///
    /// The table is read in key (`id`) order, in as many parts as there are cores (each on its own
    /// connection), and sorted only when the rows were not written series by series. The parts are
    /// read again if an import or an evaluation committed in between, so they always fit together.
    pub fn all_series(&self, totals_only: &dyn Fn(&str) -> bool) -> Result<AllSeries> {
        // The version is taken before the catalogue, so an import that adds an indicator or area
        // while the parts are read makes the whole read start again.
        let (inds, areas, (keys, mut points, latest_unread, rows)) = loop {
            let version = self.data_version()?;
            let (inds, areas) = {
                let mut c = self.conn()?;
                (id_codes(&mut c, "indicator")?, id_codes(&mut c, "area")?)
            };
            let read = self.read_points(&Index::new(&inds, &areas, totals_only))?;
            if self.data_version()? == version {
                break (inds, areas, read);
            }
        };
        let key = |p: &SeriesPoint| (p.indicator, p.area, p.breakdown);
        if !points
            .windows(2)
            .all(|w| (key(&w[0]), &w[0].period) < (key(&w[1]), &w[1].period))
        {
            points.sort_by(|a, b| (key(a), &a.period).cmp(&(key(b), &b.period)));
        }
        Ok(AllSeries {
            indicators: inds.into_iter().map(|x| x.1).collect(),
            areas: areas.into_iter().map(|x| x.1).collect(),
            breakdowns: keys.breakdowns,
            points,
            latest_unread,
            rows,
        })
    }

    /// Reads every observation in parts of the id range, in parallel; the parts' breakdown numbers
    /// are made those of the first part.
    fn read_points(&self, index: &Index) -> Result<Points> {
        let (lo, hi) = {
            let mut c = self.conn()?;
            // Two subqueries: SQLite answers each from the key's ends, but scans for both at once.
            let r = c.query_opt(
                "SELECT (SELECT MIN(id) FROM observation), (SELECT MAX(id) FROM observation)",
                &[],
            )?;
            r.map_or((0, -1), |r| (r.int(0), r.int(1)))
        };
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4)) as i64;
        let step = ((hi - lo + 1) / parts).max(1);
        let bounds: Vec<(i64, i64)> = (0..parts)
            .map(|i| {
                (
                    lo + i * step,
                    if i == parts - 1 {
                        hi
                    } else {
                        lo + (i + 1) * step - 1
                    },
                )
            })
            .filter(|(a, b)| a <= b)
            .collect();
        let read: Vec<Result<Points>> = std::thread::scope(|s| {
            let handles: Vec<_> = bounds
                .iter()
                .map(|&(a, b)| s.spawn(move || self.read_part(index, a, b)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        let mut keys = SeriesKeys::default();
        let mut points = Vec::new();
        let mut latest = vec![None; index.count];
        let mut rows = 0;
        for part in read {
            let (part_keys, mut part_points, part_latest, part_rows) = part?;
            rows += part_rows;
            for (l, p) in latest.iter_mut().zip(part_latest) {
                *l = l.take().max(p);
            }
            let renumber: Vec<u32> = part_keys
                .breakdowns
                .iter()
                .map(|k| keys.breakdown(k))
                .collect();
            for p in &mut part_points {
                p.breakdown = renumber[p.breakdown as usize];
            }
            if points.is_empty() {
                points = part_points;
            } else {
                points.append(&mut part_points);
            }
        }
        Ok((keys, points, latest, rows))
    }

    /// The observations with ids from `from` to `to`, in id order.
    fn read_part(&self, index: &Index, from: i64, to: i64) -> Result<Points> {
        let mut c = self.conn()?;
        let mut keys = SeriesKeys::default();
        let mut points = Vec::new();
        let mut latest: Vec<Option<Period>> = vec![None; index.count];
        let mut rows = 0;
        c.scan(
            "SELECT indicator_id, area_id, breakdown, period, value, flags FROM observation \
             WHERE id >= ? AND id <= ? ORDER BY id",
            &[from.into(), to.into()],
            &mut |r| {
                rows += 1;
                let Some((indicator, totals_only)) = index.indicator(r.int(0)) else {
                    return;
                };
                let breakdown = r.bytes(2);
                if totals_only && !breakdown.is_empty() {
                    // Not a point: only its period counts, if it has a value.
                    if r.opt_real(4).is_some()
                        && let Some(period) = keys.period(r.bytes(3))
                        && latest[indicator].as_ref() < Some(&period)
                    {
                        latest[indicator] = Some(period);
                    }
                    return;
                }
                let (Some(period), Some(area)) = (keys.period(r.bytes(3)), index.area(r.int(1)))
                else {
                    return;
                };
                let flags = r.text(5);
                points.push(SeriesPoint {
                    indicator,
                    area,
                    breakdown: keys.breakdown(std::str::from_utf8(breakdown).unwrap_or("")),
                    period,
                    value: r.opt_real(4),
                    brk: !flags.is_empty() && Flags::parse(flags).is_ok_and(|f| f.break_in_series),
                });
            },
        )?;
        Ok((keys, points, latest, rows))
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
    /// comment; each change is recorded (at the command line: `actor` is a name).
    pub fn update_warning(
        &self,
        id: i64,
        status: Option<&str>,
        assignee: Option<&str>,
        comment: Option<&str>,
        actor: &str,
    ) -> Result<()> {
        let actor = crate::Actor {
            name: actor.to_string(),
            address: String::new(),
        };
        self.work_on_warning(id, status, assignee, comment, &actor)
    }

    /// The same for a person with an address (the web): each change goes to the warning's history
    /// and, in the same transaction, to the audit log.
    pub fn work_on_warning(
        &self,
        id: i64,
        status: Option<&str>,
        assignee: Option<&str>,
        comment: Option<&str>,
        who: &crate::Actor,
    ) -> Result<()> {
        let actor = who.name.as_str();
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
            let state = |status: WarningStatus, assignee: Option<&str>| {
                serde_json::json!({ "status": status.code(), "zustaendig": assignee }).to_string()
            };
            let after = state(status.unwrap_or(w.status), assignee.or(w.assignee.as_deref()));
            let mut after: serde_json::Value = serde_json::from_str(&after).expect("just made");
            if let Some(t) = comment.filter(|t| !t.trim().is_empty()) {
                after["kommentar"] = t.into();
            }
            crate::users::audit(
                c,
                who,
                "warning.update",
                &format!("warnhinweis:{id}"),
                &state(w.status, w.assignee.as_deref()),
                &after.to_string(),
            )
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

/// What one part of the read yields: breakdown keys, points, latest period of the rows not kept
/// (per indicator), rows read.
type Points = (SeriesKeys, Vec<SeriesPoint>, Vec<Option<Period>>, usize);

/// Indicator and area ids → their position in the code lists (ids are small and dense), and
/// whether only an indicator's totals are wanted.
struct Index {
    indicators: Vec<Option<(usize, bool)>>,
    areas: Vec<Option<usize>>,
    count: usize,
}

/// A table from ids to `value(position, code)`.
fn id_table<T: Clone>(rows: &[(i64, String)], value: impl Fn(usize, &str) -> T) -> Vec<Option<T>> {
    let len = rows
        .iter()
        .map(|r| r.0)
        .max()
        .unwrap_or(0)
        .clamp(0, 1 << 24) as usize
        + 1;
    let mut v = vec![None; len];
    for (i, (id, code)) in rows.iter().enumerate() {
        if let Some(slot) = usize::try_from(*id).ok().and_then(|id| v.get_mut(id)) {
            *slot = Some(value(i, code));
        }
    }
    v
}

impl Index {
    fn new(
        inds: &[(i64, String)],
        areas: &[(i64, String)],
        totals_only: &dyn Fn(&str) -> bool,
    ) -> Index {
        Index {
            indicators: id_table(inds, |i, code| (i, totals_only(code))),
            areas: id_table(areas, |i, _| i),
            count: inds.len(),
        }
    }
    fn indicator(&self, id: i64) -> Option<(usize, bool)> {
        *usize::try_from(id)
            .ok()
            .and_then(|i| self.indicators.get(i))?
    }
    fn area(&self, id: i64) -> Option<usize> {
        *usize::try_from(id).ok().and_then(|i| self.areas.get(i))?
    }
}

/// Periods and breakdown keys met while scanning all observations, each parsed or numbered once.
#[derive(Default)]
struct SeriesKeys {
    /// Period codes met, with what they parse to: few, so a list beats hashing every row's text.
    periods: Vec<(String, Option<Period>)>,
    /// Where in `periods` the last one was found.
    period_at: usize,
    breakdowns: Vec<String>,
    breakdown_ix: HashMap<String, u32>,
    last: Option<(String, u32)>,
}

impl SeriesKeys {
    /// The period of a stored code (None when it is not one).
    fn period(&mut self, text: &[u8]) -> Option<Period> {
        if self.periods.len() > 64 {
            // Many distinct codes (days): keep the list short, parsing is cheap enough then.
            self.periods.clear();
        }
        // A series runs through its periods in order: try the one after the last found first.
        let next = self.period_at + 1;
        let found = match self.periods.get(next) {
            Some((t, _)) if t.as_bytes() == text => Some(next),
            _ => self.periods.iter().position(|(t, _)| t.as_bytes() == text),
        };
        if let Some(i) = found {
            self.period_at = i;
            return self.periods[i].1.clone();
        }
        let text = String::from_utf8_lossy(text).into_owned();
        // Labelled periods have no place on the time axis: no rule sees them.
        let p = Period::parse(&text).ok();
        self.periods.push((text, p.clone()));
        self.period_at = self.periods.len() - 1;
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
