//! The Integrationskonzept's versions (content and the decision's figures as JSON) and the comments
//! of the Beratungsprozess. Every change is in the audit log, in its own transaction; the state
//! moves only as [`VersionState::next`] allows, and a new decision replaces the one in force.

use crate::apply::now;
use crate::sql::{Conn, Row};
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use kimo_model::konzept::{Figure, Konzept, Version, VersionState};
use std::collections::BTreeMap;

/// A new version: a draft, or an earlier plan recorded with its date and PDF link.
#[derive(Debug, Clone, Default)]
pub struct NewVersion {
    /// Title.
    pub title: String,
    /// `Entwurf` or `Frueher`.
    pub state: Option<VersionState>,
    /// The version copied (a Fortschreibung).
    pub based_on: Option<i64>,
    /// The date of an earlier plan.
    pub decided_on: Option<String>,
    /// A link to its PDF.
    pub pdf_url: Option<String>,
    /// The content.
    pub content: Konzept,
}

/// What a decision records.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    /// Date (ISO).
    pub decided_on: String,
    /// The body, e.g. Gemeinderat.
    pub body: String,
    /// The council paper's number.
    pub vorlage: String,
    /// A link to the council paper.
    pub paper_url: Option<String>,
    /// The figures the texts reference, as they are now.
    pub snapshot: BTreeMap<String, Figure>,
}

/// A comment on a section of a version in the Beratungsprozess.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comment {
    /// Stored id.
    pub id: i64,
    /// The version.
    pub version_id: i64,
    /// The section's key (see `kimo_konzept::sections`).
    pub section: String,
    /// Who wrote it.
    pub author: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The comment.
    pub text: String,
    /// `offen`, `beantwortet` or `erledigt`.
    pub state: String,
    /// The Büro für Integration's answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
}

const VERSION_COLUMNS: &str = "id, title, state, based_on, created_at, created_by, decided_on, body, \
     vorlage, paper_url, pdf_url, content, snapshot";

fn version_from(r: &Row) -> Result<Version> {
    let json = |i: usize, what: &str| -> Result<String> {
        let t = r.text(i);
        Ok(if t.is_empty() { what.to_string() } else { t })
    };
    let state = VersionState::parse(&r.text(2))
        .ok_or_else(|| Error::Invalid(format!("unbekannter Stand '{}'", r.text(2))))?;
    let bad = |e: serde_json::Error| Error::Invalid(format!("Konzept {}: {e}", r.int(0)));
    Ok(Version {
        id: r.int(0),
        title: r.text(1),
        state,
        based_on: r.opt_int(3),
        created_at: r.text(4),
        created_by: r.text(5),
        decided_on: r.opt_text(6),
        body: r.opt_text(7),
        vorlage: r.opt_text(8),
        paper_url: r.opt_text(9),
        pdf_url: r.opt_text(10),
        content: serde_json::from_str(&json(11, "{}")?).map_err(bad)?,
        snapshot: serde_json::from_str(&json(12, "{}")?).map_err(bad)?,
    })
}

fn get_version(c: &mut Conn, id: i64) -> Result<Version> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM konzept_version WHERE id = ?");
    match c.query_opt(&sql, &[id.into()])? {
        Some(r) => version_from(&r),
        None => Err(Error::NotFound(format!(
            "eine Konzeptfassung Nr. {id} gibt es nicht"
        ))),
    }
}

fn object(id: i64) -> String {
    format!("konzept:{id}")
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("the Konzept's types serialise")
}

impl Store {
    /// Every version, newest first (earlier plans by their date).
    pub fn konzept_versions(&self) -> Result<Vec<Version>> {
        let mut c = self.conn()?;
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM konzept_version ORDER BY COALESCE(decided_on, created_at) DESC, id DESC"
        );
        c.query(&sql, &[])?.iter().map(version_from).collect()
    }

    /// One version.
    pub fn konzept_version(&self, id: i64) -> Result<Version> {
        let mut c = self.conn()?;
        get_version(&mut c, id)
    }

    /// The version in force: the decided one (there is at most one).
    pub fn konzept_in_force(&self) -> Result<Option<Version>> {
        let mut c = self.conn()?;
        let sql =
            format!("SELECT {VERSION_COLUMNS} FROM konzept_version WHERE state = 'beschlossen'");
        c.query_opt(&sql, &[])?
            .map(|r| version_from(&r))
            .transpose()
    }

    /// Adds a draft (or a Fortschreibung, `based_on`) or an earlier plan; audit `konzept.add`.
    pub fn add_konzept_version(&self, v: &NewVersion, actor: &Actor) -> Result<i64> {
        let state = v.state.unwrap_or(VersionState::Entwurf);
        if !matches!(state, VersionState::Entwurf | VersionState::Frueher) {
            return Err(Error::Invalid(
                "eine neue Fassung ist ein Entwurf oder ein früherer Plan".into(),
            ));
        }
        if v.title.trim().is_empty() {
            return Err(Error::Invalid("der Titel fehlt".into()));
        }
        self.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO konzept_version (title, state, based_on, created_at, created_by, \
                 decided_on, pdf_url, content, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                &[
                    v.title.trim().into(),
                    state.code().into(),
                    v.based_on.into(),
                    now().into(),
                    actor.name.as_str().into(),
                    v.decided_on.clone().into(),
                    v.pdf_url.clone().into(),
                    to_json(&v.content).into(),
                ],
            )?;
            audit(
                c,
                actor,
                "konzept.add",
                &object(id),
                "",
                &format!("{} ({})", v.title.trim(), state.label()),
            )?;
            Ok(id)
        })
    }

    /// A Fortschreibung: a new draft as a copy of version `from` (usually the decided one).
    pub fn konzept_copy(&self, from: i64, title: &str, actor: &Actor) -> Result<i64> {
        let source = self.konzept_version(from)?;
        let new = NewVersion {
            title: title.to_string(),
            based_on: Some(from),
            content: source.content,
            ..Default::default()
        };
        self.add_konzept_version(&new, actor)
    }

    /// Replaces the content of a version that is still editable; audit `konzept.edit` with the
    /// content before and after.
    pub fn save_konzept(&self, id: i64, content: &Konzept, actor: &Actor) -> Result<()> {
        self.write(|c| {
            let v = get_version(c, id)?;
            if !v.state.editable() {
                return Err(Error::Conflict(format!(
                    "die Fassung ist {} und wird nicht mehr bearbeitet",
                    v.state.label()
                )));
            }
            let (before, after) = (to_json(&v.content), to_json(content));
            c.exec(
                "UPDATE konzept_version SET content = ? WHERE id = ?",
                &[after.as_str().into(), id.into()],
            )?;
            audit(c, actor, "konzept.edit", &object(id), &before, &after)
        })
    }

    /// Moves a version to `to` as [`VersionState::next`] allows. A decision records its date,
    /// body, Vorlage and figures, and the version in force until then becomes „abgelöst“; audit
    /// `konzept.state`.
    pub fn set_konzept_state(
        &self,
        id: i64,
        to: VersionState,
        decision: Option<&Decision>,
        actor: &Actor,
    ) -> Result<()> {
        self.write(|c| {
            let v = get_version(c, id)?;
            if !v.state.next().contains(&to) {
                return Err(Error::Conflict(format!(
                    "von „{}“ geht es nicht zu „{}“",
                    v.state.label(),
                    to.label()
                )));
            }
            if to == VersionState::Beschlossen {
                let d = decision.ok_or_else(|| {
                    Error::Invalid("ein Beschluss braucht Datum, Gremium und Vorlage".into())
                })?;
                decide(c, id, d, actor)?;
            }
            c.exec(
                "UPDATE konzept_version SET state = ? WHERE id = ?",
                &[to.code().into(), id.into()],
            )?;
            audit(
                c,
                actor,
                "konzept.state",
                &object(id),
                v.state.label(),
                to.label(),
            )
        })
    }
}

/// Records a decision and retires the version in force.
fn decide(c: &mut Conn, id: i64, d: &Decision, actor: &Actor) -> Result<()> {
    if d.decided_on.trim().is_empty() || d.body.trim().is_empty() || d.vorlage.trim().is_empty() {
        return Err(Error::Invalid(
            "ein Beschluss braucht Datum, Gremium und Vorlage".into(),
        ));
    }
    for r in c.query(
        "SELECT id FROM konzept_version WHERE state = 'beschlossen'",
        &[],
    )? {
        let old = r.int(0);
        c.exec(
            "UPDATE konzept_version SET state = 'abgeloest' WHERE id = ?",
            &[old.into()],
        )?;
        audit(
            c,
            actor,
            "konzept.state",
            &object(old),
            "beschlossen",
            "abgelöst",
        )?;
    }
    c.exec(
        "UPDATE konzept_version SET decided_on = ?, body = ?, vorlage = ?, paper_url = ?, \
         snapshot = ? WHERE id = ?",
        &[
            d.decided_on.trim().into(),
            d.body.trim().into(),
            d.vorlage.trim().into(),
            d.paper_url.clone().into(),
            to_json(&d.snapshot).into(),
            id.into(),
        ],
    )?;
    // Its goals are targets the early warning checks: a new data version, evaluated next.
    let run = crate::apply::insert_id(
        c,
        "INSERT INTO import_run (started_at, username, source, observations) VALUES (?, ?, ?, 0)",
        &[now().into(), actor.name.as_str().into(), object(id).into()],
    )?;
    crate::warnings::mark_pending(c, run)
}

const COMMENT_COLUMNS: &str =
    "id, version_id, section, author, at, text, state, answer, answered_by";

fn comment_from(r: &Row) -> Comment {
    Comment {
        id: r.int(0),
        version_id: r.int(1),
        section: r.text(2),
        author: r.text(3),
        at: r.text(4),
        text: r.text(5),
        state: r.text(6),
        answer: r.opt_text(7),
        answered_by: r.opt_text(8),
    }
}

impl Store {
    /// Adds a comment on a section of a version in Beratung; audit `konzept.comment`.
    pub fn add_konzept_comment(
        &self,
        version: i64,
        section: &str,
        text: &str,
        actor: &Actor,
    ) -> Result<i64> {
        if text.trim().is_empty() {
            return Err(Error::Invalid("der Kommentar ist leer".into()));
        }
        self.write(|c| {
            let v = get_version(c, version)?;
            if v.state != VersionState::InBeratung {
                return Err(Error::Conflict(format!(
                    "kommentiert wird eine Fassung in Beratung; diese ist {}",
                    v.state.label()
                )));
            }
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO konzept_comment (version_id, section, author, at, text, state) \
                 VALUES (?, ?, ?, ?, ?, 'offen')",
                &[
                    version.into(),
                    section.into(),
                    actor.name.as_str().into(),
                    now().into(),
                    text.trim().into(),
                ],
            )?;
            audit(
                c,
                actor,
                "konzept.comment",
                &format!("{}:{section}", object(version)),
                "",
                text.trim(),
            )?;
            Ok(id)
        })
    }

    /// Answers a comment (`answer`) and/or marks it done; audit `konzept.answer`. Returns the
    /// version the comment is on.
    pub fn answer_konzept_comment(
        &self,
        id: i64,
        answer: Option<&str>,
        done: bool,
        actor: &Actor,
    ) -> Result<i64> {
        self.write(|c| {
            let sql = format!("SELECT {COMMENT_COLUMNS} FROM konzept_comment WHERE id = ?");
            let Some(old) = c.query_opt(&sql, &[id.into()])?.map(|r| comment_from(&r)) else {
                return Err(Error::NotFound(format!(
                    "einen Kommentar Nr. {id} gibt es nicht"
                )));
            };
            let answer = answer.map(str::trim).filter(|a| !a.is_empty());
            let state = match (done, answer.is_some() || old.answer.is_some()) {
                (true, _) => "erledigt",
                (false, true) => "beantwortet",
                (false, false) => "offen",
            };
            let (new_answer, by) = match answer {
                Some(a) => (Some(a.to_string()), Some(actor.name.clone())),
                None => (old.answer.clone(), old.answered_by.clone()),
            };
            c.exec(
                "UPDATE konzept_comment SET state = ?, answer = ?, answered_by = ? WHERE id = ?",
                &[state.into(), new_answer.into(), by.into(), id.into()],
            )?;
            let what = format!(
                "{state}{}",
                answer.map(|a| format!(": {a}")).unwrap_or_default()
            );
            audit(
                c,
                actor,
                "konzept.answer",
                &format!("kommentar:{id}"),
                &old.state,
                &what,
            )?;
            Ok(old.version_id)
        })
    }

    /// The comments on a version, oldest first.
    pub fn konzept_comments(&self, version: i64) -> Result<Vec<Comment>> {
        let mut c = self.conn()?;
        let sql = format!(
            "SELECT {COMMENT_COLUMNS} FROM konzept_comment WHERE version_id = ? ORDER BY id"
        );
        Ok(c.query(&sql, &[version.into()])?
            .iter()
            .map(comment_from)
            .collect())
    }
}
