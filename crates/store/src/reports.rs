//! The reports: Monitoringberichte and half-yearly presentations. A draft's content (title, key
//! date, focus topics with their texts) is kept; its figures are read afresh. Releasing freezes it:
//! the files made at that moment (HTML, PDF, DOCX, …) are kept whole (base64) with their SHA-256,
//! the data version is recorded, and the Fahrplan's milestone for such a report is marked done —
//! all in one transaction. Every change is in the audit log.

use crate::apply::now;
use crate::sql::{Conn, Row};
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kimo_model::fahrplan::MilestoneStatus;
use kimo_model::report::{Focus, Report, ReportKind, ReportState};
use sha2::{Digest, Sha256};

const COLUMNS: &str =
    "id, kind, year, key_date, title, state, focus, released_at, released_by, data_version";

fn report_from(r: &Row) -> Result<Report> {
    let kind = ReportKind::parse(&r.text(1))
        .ok_or_else(|| Error::Invalid(format!("unbekannte Berichtsart '{}'", r.text(1))))?;
    let state = ReportState::parse(&r.text(5))
        .ok_or_else(|| Error::Invalid(format!("unbekannter Stand '{}'", r.text(5))))?;
    let focus: Vec<Focus> = serde_json::from_str(&r.text(6))
        .map_err(|e| Error::Invalid(format!("Schwerpunkte: {e}")))?;
    let released = r.opt_text(7).map(|at| (at, r.text(8)));
    Ok(Report {
        id: r.int(0),
        kind,
        year: r.int(2) as i32,
        key_date: r.text(3),
        title: r.text(4),
        state,
        focus,
        released,
        data_version: r.opt_int(9),
    })
}

/// A report's file as released.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFile {
    /// `html`, `pdf`, `docx`, …
    pub format: String,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Their SHA-256 (hex).
    pub sha256: String,
}

/// What a release did: the milestone marked done, if any (its number and title).
pub type Released = Option<(String, String)>;

fn get(c: &mut Conn, id: i64) -> Result<Report> {
    match c.query_opt(
        &format!("SELECT {COLUMNS} FROM report WHERE id = ?"),
        &[id.into()],
    )? {
        Some(r) => report_from(&r),
        None => Err(Error::NotFound(format!(
            "einen Bericht Nr. {id} gibt es nicht"
        ))),
    }
}

/// The report's problems as one error, if any.
fn checked(r: &Report) -> Result<()> {
    match r.problems() {
        p if p.is_empty() => Ok(()),
        p => Err(Error::Invalid(p.join(" "))),
    }
}

impl Store {
    /// Every report, newest year first.
    pub fn reports(&self) -> Result<Vec<Report>> {
        let mut c = self.conn()?;
        c.query(
            &format!("SELECT {COLUMNS} FROM report ORDER BY year DESC, key_date DESC, id DESC"),
            &[],
        )?
        .iter()
        .map(report_from)
        .collect()
    }

    /// One report.
    pub fn report(&self, id: i64) -> Result<Report> {
        let mut c = self.conn()?;
        get(&mut c, id)
    }

    /// Adds a draft; audit `report.add`. Returns its id.
    pub fn add_report(&self, r: &Report, actor: &Actor) -> Result<i64> {
        checked(r)?;
        let focus = serde_json::to_string(&r.focus).expect("focus topics serialise");
        self.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO report (kind, year, key_date, title, state, focus) \
                 VALUES (?, ?, ?, ?, 'entwurf', ?)",
                &[
                    r.kind.code().into(),
                    i64::from(r.year).into(),
                    r.key_date.as_str().into(),
                    r.title.trim().into(),
                    focus.as_str().into(),
                ],
            )?;
            audit(
                c,
                actor,
                "report.add",
                &format!("report:{id}"),
                "",
                &format!("{} {}: {}", r.kind.label(), r.year, r.title.trim()),
            )?;
            Ok(id)
        })
    }

    /// Changes a draft's title, key date and focus topics; a released report is refused; audit
    /// `report.change`.
    pub fn update_report(&self, r: &Report, actor: &Actor) -> Result<()> {
        checked(r)?;
        let focus = serde_json::to_string(&r.focus).expect("focus topics serialise");
        self.write(|c| {
            let before = get(c, r.id)?;
            if before.state != ReportState::Entwurf {
                return Err(Error::Conflict(format!(
                    "Bericht Nr. {} ist freigegeben und bleibt, wie er ist",
                    r.id
                )));
            }
            c.exec(
                "UPDATE report SET year = ?, key_date = ?, title = ?, focus = ? WHERE id = ?",
                &[
                    i64::from(r.year).into(),
                    r.key_date.as_str().into(),
                    r.title.trim().into(),
                    focus.as_str().into(),
                    r.id.into(),
                ],
            )?;
            let changed: Vec<&str> = [
                ("Titel", before.title != r.title.trim()),
                ("Jahr", before.year != r.year),
                ("Stichtag", before.key_date != r.key_date),
                ("Schwerpunkte", before.focus != r.focus),
            ]
            .into_iter()
            .filter_map(|(what, yes)| yes.then_some(what))
            .collect();
            audit(
                c,
                actor,
                "report.change",
                &format!("report:{}", r.id),
                "",
                &changed.join(", "),
            )
        })
    }

    /// Releases a draft with its files made now and the data version they were made from, and
    /// marks the Fahrplan's milestone for such a report done (`on`: the presentation's day or the
    /// release date); audit `report.release` (and `fahrplan.status`). Returns the milestone marked.
    pub fn release_report(
        &self,
        id: i64,
        files: &[(&str, &[u8])],
        data_version: i64,
        on: chrono::NaiveDate,
        actor: &Actor,
    ) -> Result<Released> {
        self.write(|c| {
            let r = get(c, id)?;
            if r.state != ReportState::Entwurf {
                return Err(Error::Conflict(format!(
                    "Bericht Nr. {id} ist schon freigegeben"
                )));
            }
            checked(&r)?;
            let at = now();
            c.exec(
                "UPDATE report SET state = 'freigegeben', released_at = ?, released_by = ?, \
                 data_version = ? WHERE id = ?",
                &[
                    at.as_str().into(),
                    actor.name.as_str().into(),
                    data_version.into(),
                    id.into(),
                ],
            )?;
            let mut hashes = Vec::new();
            for (format, bytes) in files {
                let hash = format!("{:x}", Sha256::digest(bytes));
                c.exec(
                    "INSERT INTO report_file (report_id, format, content, sha256, size) \
                     VALUES (?, ?, ?, ?, ?)",
                    &[
                        id.into(),
                        (*format).into(),
                        STANDARD.encode(bytes).into(),
                        hash.as_str().into(),
                        (bytes.len() as i64).into(),
                    ],
                )?;
                hashes.push(format!("{format} {}", &hash[..12]));
            }
            audit(
                c,
                actor,
                "report.release",
                &format!("report:{id}"),
                ReportState::Entwurf.code(),
                &format!(
                    "freigegeben (Datenstand {data_version}; {})",
                    hashes.join(", ")
                ),
            )?;
            mark_milestone(c, &r, on, actor)
        })
    }

    /// A released report's file as released (None: no such file).
    pub fn report_file(&self, id: i64, format: &str) -> Result<Option<ReportFile>> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT content, sha256 FROM report_file WHERE report_id = ? AND format = ?",
            &[id.into(), format.into()],
        )?
        else {
            return Ok(None);
        };
        let bytes = STANDARD
            .decode(r.text(0))
            .map_err(|e| Error::Invalid(format!("Datei des Berichts Nr. {id}: {e}")))?;
        Ok(Some(ReportFile {
            format: format.to_string(),
            bytes,
            sha256: r.text(1),
        }))
    }
}

/// Marks the milestone a released report stands for done, if the plan has one open.
fn mark_milestone(
    c: &mut Conn,
    r: &Report,
    on: chrono::NaiveDate,
    actor: &Actor,
) -> Result<Released> {
    let plan = c
        .query(
            &format!(
                "SELECT {} FROM milestone ORDER BY sort, id",
                crate::fahrplan::COLUMNS
            ),
            &[],
        )?
        .iter()
        .map(crate::fahrplan::milestone_from)
        .collect::<Result<Vec<_>>>()?;
    let Some(m) = kimo_model::fahrplan::system_target(&plan, r.kind.milestone(), r.year, on) else {
        return Ok(None);
    };
    let why = format!("mit dem Bericht Nr. {} freigegeben", r.id);
    crate::fahrplan::status_in(c, m, MilestoneStatus::Erledigt, &why, actor)?;
    Ok(Some((m.number.clone(), m.title.clone())))
}
