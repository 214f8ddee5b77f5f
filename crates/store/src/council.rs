//! Council papers and meetings (from OParl) and what refers to them: a Konzept version, a
//! report, a warning (`konzept:ID`, `bericht:ID`, `warnung:ID`). Imports update a paper by its
//! OParl id; every import and every link is audited and moves the data version.

use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use kimo_model::council::CouncilPaper;

/// The columns read, in [`paper`]'s order.
const COLUMNS: &str = "p.oparl_id, p.kind, p.reference, p.name, p.date, p.paper_type, p.web";

/// A paper from a row of [`COLUMNS`].
fn paper(r: &crate::sql::Row) -> CouncilPaper {
    CouncilPaper {
        oparl_id: r.text(0),
        kind: r.text(1),
        reference: r.text(2),
        name: r.text(3),
        date: r.text(4),
        paper_type: r.text(5),
        web: r.text(6),
    }
}

/// What an import of papers did: (new, changed, unchanged).
pub type CouncilImport = (usize, usize, usize);

impl Store {
    /// Writes papers and meetings (by their OParl id: new ones added, changed ones updated), in
    /// one transaction; audit `oparl.import` with the counts and the source.
    pub fn import_council_papers(
        &self,
        papers: &[CouncilPaper],
        source: &str,
        actor: &Actor,
    ) -> Result<CouncilImport> {
        self.write(|c| {
            let (mut new, mut changed, mut same) = (0, 0, 0);
            for p in papers {
                let old = c
                    .query_opt(
                        &format!("SELECT {COLUMNS} FROM council_paper p WHERE p.oparl_id = ?"),
                        &[p.oparl_id.as_str().into()],
                    )?
                    .map(|r| paper(&r));
                let values = [
                    p.kind.as_str().into(),
                    p.reference.as_str().into(),
                    p.name.as_str().into(),
                    p.date.as_str().into(),
                    p.paper_type.as_str().into(),
                    p.web.as_str().into(),
                    p.oparl_id.as_str().into(),
                ];
                match old {
                    Some(o) if &o == p => same += 1,
                    Some(_) => {
                        c.exec(
                            "UPDATE council_paper SET kind = ?, reference = ?, name = ?, date = ?, \
                             paper_type = ?, web = ? WHERE oparl_id = ?",
                            &values,
                        )?;
                        changed += 1;
                    }
                    None => {
                        c.exec(
                            "INSERT INTO council_paper (kind, reference, name, date, paper_type, web, oparl_id) \
                             VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &values,
                        )?;
                        new += 1;
                    }
                }
            }
            let summary = format!("{new} neu, {changed} geändert, {same} unverändert");
            audit(c, actor, "oparl.import", source, "", &summary)?;
            Ok((new, changed, same))
        })
    }

    /// Every paper and meeting, newest first.
    pub fn council_papers(&self) -> Result<Vec<CouncilPaper>> {
        let mut c = self.conn()?;
        Ok(c.query(
            &format!(
                "SELECT {COLUMNS} FROM council_paper p ORDER BY p.date DESC, p.reference, p.id"
            ),
            &[],
        )?
        .iter()
        .map(paper)
        .collect())
    }

    /// The papers an object refers to (`konzept:6`), oldest first.
    pub fn council_links(&self, object: &str) -> Result<Vec<CouncilPaper>> {
        let mut c = self.conn()?;
        Ok(c.query(
            &format!(
                "SELECT {COLUMNS} FROM council_paper p JOIN council_link l ON l.paper_id = p.id \
                 WHERE l.object = ? ORDER BY p.date, p.reference, p.id"
            ),
            &[object.into()],
        )?
        .iter()
        .map(paper)
        .collect())
    }

    /// Links (or with `remove` unlinks) a paper — by its number (Drucksachennummer) or OParl id —
    /// and an object; audit `oparl.link`. A paper number that fits none or several is refused.
    pub fn link_council_paper(
        &self,
        paper: &str,
        object: &str,
        remove: bool,
        actor: &Actor,
    ) -> Result<CouncilPaper> {
        self.write(|c| {
            let (id, p) = find(c, paper)?;
            let exists = c
                .query_opt(
                    "SELECT 1 FROM council_link WHERE paper_id = ? AND object = ?",
                    &[id.into(), object.into()],
                )?
                .is_some();
            match (remove, exists) {
                (false, false) => c.exec(
                    "INSERT INTO council_link (paper_id, object) VALUES (?, ?)",
                    &[id.into(), object.into()],
                )?,
                (true, true) => c.exec(
                    "DELETE FROM council_link WHERE paper_id = ? AND object = ?",
                    &[id.into(), object.into()],
                )?,
                // Nothing to do: nothing written, nothing audited.
                (false, true) => {
                    return Err(Error::Conflict(format!(
                        "{} ist mit {object} schon verknüpft",
                        p.title()
                    )));
                }
                (true, false) => {
                    return Err(Error::NotFound(format!(
                        "{} ist mit {object} nicht verknüpft",
                        p.title()
                    )));
                }
            };
            let (before, after) = if remove {
                (p.oparl_id.as_str(), "")
            } else {
                ("", p.oparl_id.as_str())
            };
            audit(c, actor, "oparl.link", object, before, after)?;
            Ok(p)
        })
    }
}

/// A paper by its OParl address or number: its row id and itself; none or several are refused.
fn find(c: &mut crate::sql::Conn, paper: &str) -> Result<(i64, CouncilPaper)> {
    let found: Vec<(i64, CouncilPaper)> = c
        .query(
            &format!(
                "SELECT {COLUMNS}, p.id FROM council_paper p WHERE p.oparl_id = ? OR p.reference = ?"
            ),
            &[paper.into(), paper.into()],
        )?
        .iter()
        .map(|r| (r.int(7), self::paper(r)))
        .collect();
    // An exact OParl address wins over a paper number that happens to equal it.
    let exact: Vec<(i64, CouncilPaper)> = found
        .iter()
        .filter(|(_, p)| p.oparl_id == paper)
        .cloned()
        .collect();
    let found = if exact.len() == 1 { exact } else { found };
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::NotFound(format!(
            "eine Drucksache oder Sitzung „{paper}“ gibt es nicht (erst `kimo oparl import`)"
        ))),
        _ => Err(Error::Invalid(format!(
            "„{paper}“ passt auf {} Einträge; bitte die OParl-Adresse angeben",
            found.len()
        ))),
    }
}
