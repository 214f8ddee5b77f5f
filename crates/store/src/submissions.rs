//! Files uploaded for deliveries: kept whole (base64) with their SHA-256 for provenance, checked,
//! submitted by the Amt with a reason for every plausibility flag, accepted by someone else of the
//! Büro für Integration (four eyes) or returned with a comment. The deliveries a file fulfils move
//! with it. Every step is in the audit log, in its own transaction.

use crate::apply::now;
use crate::sql::{Conn, Row, Value};
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kimo_model::delivery::{CheckedIndicator, DeliveryState, Flag, Submission, SubmissionState};
use sha2::{Digest, Sha256};

/// A file to keep, with what its check found.
#[derive(Debug, Clone)]
pub struct NewSubmission<'a> {
    /// The Amt it is for.
    pub amt: &'a str,
    /// The file's name as uploaded.
    pub file_name: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// The indicator of a table without an indicator column.
    pub indicator: Option<&'a str>,
    /// New, changed and unchanged values per indicator.
    pub checked: Vec<CheckedIndicator>,
    /// The plausibility flags.
    pub flags: Vec<Flag>,
    /// The deliveries it fulfils.
    pub deliveries: Vec<i64>,
}

const COLUMNS: &str = "id, amt, file_name, file_hash, file_size, state, uploaded_by, uploaded_at, \
     reviewed_by, reviewed_at, comment, checked, flags, deliveries, import_id, indicator";

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("submission parts serialise")
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

fn submission_from(r: &Row) -> Result<Submission> {
    let state = SubmissionState::parse(&r.text(5))
        .ok_or_else(|| Error::Invalid(format!("unbekannter Stand '{}'", r.text(5))))?;
    Ok(Submission {
        id: r.int(0),
        amt: r.text(1),
        file_name: r.text(2),
        file_hash: r.text(3),
        file_size: r.int(4),
        state,
        uploaded_by: r.text(6),
        uploaded_at: r.text(7),
        reviewed_by: r.text(8),
        reviewed_at: r.text(9),
        comment: r.text(10),
        checked: from_json(&r.text(11), "Prüfergebnis")?,
        flags: from_json(&r.text(12), "Hinweise")?,
        deliveries: from_json(&r.text(13), "Lieferungen")?,
        import_id: r.opt_int(14),
        indicator: r.text(15),
    })
}

fn get(c: &mut Conn, id: i64) -> Result<Submission> {
    match c.query_opt(
        &format!("SELECT {COLUMNS} FROM delivery_submission WHERE id = ?"),
        &[id.into()],
    )? {
        Some(r) => submission_from(&r),
        None => Err(Error::NotFound(format!(
            "eine Einreichung Nr. {id} gibt es nicht"
        ))),
    }
}

/// Moves the deliveries of a submission to `state` (with a note when returned).
fn move_deliveries(
    c: &mut Conn,
    s: &Submission,
    state: DeliveryState,
    note: Option<&str>,
    actor: &Actor,
) -> Result<()> {
    for d in &s.deliveries {
        let mut sql = String::from("UPDATE delivery SET state = ?, changed_at = ?, changed_by = ?");
        let mut params: Vec<Value> = vec![
            state.code().into(),
            now().into(),
            actor.name.as_str().into(),
        ];
        if let Some(n) = note {
            sql.push_str(", note = ?");
            params.push(n.into());
        }
        sql.push_str(" WHERE id = ?");
        params.push((*d).into());
        c.exec(&sql, &params)?;
    }
    Ok(())
}

/// A submission in the state `want`, or why it cannot move.
fn in_state(c: &mut Conn, id: i64, want: SubmissionState) -> Result<Submission> {
    let s = get(c, id)?;
    if s.state != want {
        return Err(Error::Conflict(format!(
            "die Einreichung Nr. {id} ist {}",
            s.state.label()
        )));
    }
    Ok(s)
}

impl Store {
    /// Keeps an uploaded file with its check (state „geprüft“); audit `delivery.upload` with its
    /// SHA-256.
    pub fn add_submission(&self, n: &NewSubmission, actor: &Actor) -> Result<i64> {
        let hash = format!("{:x}", Sha256::digest(n.bytes));
        self.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO delivery_submission (amt, file_name, file_hash, file_size, file_data, \
                 state, uploaded_by, uploaded_at, checked, flags, deliveries, indicator) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    n.amt.into(),
                    n.file_name.into(),
                    hash.as_str().into(),
                    (n.bytes.len() as i64).into(),
                    STANDARD.encode(n.bytes).into(),
                    SubmissionState::Geprueft.code().into(),
                    actor.name.as_str().into(),
                    now().into(),
                    json(&n.checked).into(),
                    json(&n.flags).into(),
                    json(&n.deliveries).into(),
                    n.indicator.unwrap_or("").into(),
                ],
            )?;
            audit(
                c,
                actor,
                "delivery.upload",
                &format!("submission:{id}"),
                "",
                &format!("{} ({} Bytes, SHA-256 {hash})", n.file_name, n.bytes.len()),
            )?;
            Ok(id)
        })
    }

    /// One submission (without its file).
    pub fn submission(&self, id: i64) -> Result<Submission> {
        let mut c = self.conn()?;
        get(&mut c, id)
    }

    /// A submission's file: its name and bytes.
    pub fn submission_file(&self, id: i64) -> Result<(String, Vec<u8>)> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT file_name, file_data FROM delivery_submission WHERE id = ?",
            &[id.into()],
        )?
        else {
            return Err(Error::NotFound(format!(
                "eine Einreichung Nr. {id} gibt es nicht"
            )));
        };
        let bytes = STANDARD
            .decode(r.text(1))
            .map_err(|e| Error::Invalid(format!("gespeicherte Datei: {e}")))?;
        Ok((r.text(0), bytes))
    }

    /// Submissions, newest first: of one Amt, or all.
    pub fn submissions(&self, amt: Option<&str>) -> Result<Vec<Submission>> {
        let mut c = self.conn()?;
        let (sql, params): (String, Vec<Value>) = match amt {
            Some(a) => (
                format!("SELECT {COLUMNS} FROM delivery_submission WHERE amt = ? ORDER BY id DESC"),
                vec![a.into()],
            ),
            None => (
                format!("SELECT {COLUMNS} FROM delivery_submission ORDER BY id DESC"),
                vec![],
            ),
        };
        c.query(&sql, &params)?
            .iter()
            .map(submission_from)
            .collect()
    }

    /// Submits a checked file: every flag needs its reason (in the flags' order); its deliveries
    /// become „eingereicht“; audit `delivery.submit`.
    pub fn submit_submission(&self, id: i64, reasons: &[String], actor: &Actor) -> Result<()> {
        self.write(|c| {
            let mut s = in_state(c, id, SubmissionState::Geprueft)?;
            if s.uploaded_by != actor.name {
                return Err(Error::Conflict(
                    "einreichen kann nur, wer die Datei hochgeladen hat".into(),
                ));
            }
            for (i, f) in s.flags.iter_mut().enumerate() {
                let reason = reasons.get(i).map_or("", |r| r.trim());
                if reason.is_empty() {
                    return Err(Error::Invalid(format!(
                        "Hinweis {} ({} {} {}) braucht eine Begründung",
                        i + 1,
                        f.indicator,
                        f.area,
                        f.period
                    )));
                }
                f.reason = reason.to_string();
            }
            c.exec(
                "UPDATE delivery_submission SET state = ?, flags = ? WHERE id = ?",
                &[
                    SubmissionState::Eingereicht.code().into(),
                    json(&s.flags).into(),
                    id.into(),
                ],
            )?;
            move_deliveries(c, &s, DeliveryState::Eingereicht, None, actor)?;
            let reasons: Vec<&str> = s.flags.iter().map(|f| f.reason.as_str()).collect();
            audit(
                c,
                actor,
                "delivery.submit",
                &format!("submission:{id}"),
                SubmissionState::Geprueft.code(),
                &format!("eingereicht; Begründungen: {}", reasons.join(" | ")),
            )
        })
    }

    /// Records the acceptance of a submitted file whose figures were written by import `import_id`:
    /// someone other than the uploader (four eyes); its deliveries become „angenommen“; audit
    /// `delivery.accept`.
    pub fn accept_submission(&self, id: i64, import_id: Option<i64>, actor: &Actor) -> Result<()> {
        self.write(|c| {
            let s = in_state(c, id, SubmissionState::Eingereicht)?;
            four_eyes(&s, actor)?;
            c.exec(
                "UPDATE delivery_submission SET state = ?, reviewed_by = ?, reviewed_at = ?, \
                 import_id = ? WHERE id = ?",
                &[
                    SubmissionState::Angenommen.code().into(),
                    actor.name.as_str().into(),
                    now().into(),
                    import_id.into(),
                    id.into(),
                ],
            )?;
            move_deliveries(c, &s, DeliveryState::Angenommen, None, actor)?;
            audit(
                c,
                actor,
                "delivery.accept",
                &format!("submission:{id}"),
                SubmissionState::Eingereicht.code(),
                &format!(
                    "angenommen, Import {}",
                    import_id.map_or("–".into(), |i| i.to_string())
                ),
            )
        })
    }

    /// Returns a submitted file with a comment (someone other than the uploader); its deliveries
    /// are owed again („zurückgegeben“, the comment as their note); audit `delivery.return`.
    pub fn return_submission(&self, id: i64, comment: &str, actor: &Actor) -> Result<()> {
        if comment.trim().is_empty() {
            return Err(Error::Invalid(
                "bitte sagen, warum die Lieferung zurückgeht".into(),
            ));
        }
        self.write(|c| {
            let s = in_state(c, id, SubmissionState::Eingereicht)?;
            four_eyes(&s, actor)?;
            c.exec(
                "UPDATE delivery_submission SET state = ?, reviewed_by = ?, reviewed_at = ?, \
                 comment = ? WHERE id = ?",
                &[
                    SubmissionState::Zurueckgegeben.code().into(),
                    actor.name.as_str().into(),
                    now().into(),
                    comment.trim().into(),
                    id.into(),
                ],
            )?;
            move_deliveries(
                c,
                &s,
                DeliveryState::Zurueckgegeben,
                Some(comment.trim()),
                actor,
            )?;
            audit(
                c,
                actor,
                "delivery.return",
                &format!("submission:{id}"),
                SubmissionState::Eingereicht.code(),
                comment.trim(),
            )
        })
    }
}

/// Four eyes: who uploaded a file does not review it.
fn four_eyes(s: &Submission, actor: &Actor) -> Result<()> {
    match s.uploaded_by == actor.name {
        true => Err(Error::Conflict(
            "Vier-Augen-Prinzip: wer die Datei hochgeladen hat, prüft sie nicht selbst".into(),
        )),
        false => Ok(()),
    }
}
