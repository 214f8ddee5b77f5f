//! The Fahrplan's milestones, in their order; the time as written. Every change is in the audit
//! log.

use crate::sql::Row;
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use kimo_model::fahrplan::{Milestone, MilestoneStatus};

/// The milestone columns, in the order `milestone_from` reads them.
pub(crate) const COLUMNS: &str =
    "id, number, title, responsible, when_text, status, depends_on, system";

/// A milestone from its row.
pub(crate) fn milestone_from(r: &Row) -> Result<Milestone> {
    Ok(Milestone {
        id: r.int(0),
        number: r.text(1),
        title: r.text(2),
        responsible: r.text(3),
        when: r.text(4),
        status: MilestoneStatus::parse(&r.text(5))
            .ok_or_else(|| Error::Invalid(format!("unbekannter Stand '{}'", r.text(5))))?,
        depends_on: serde_json::from_str(&r.text(6))
            .map_err(|e| Error::Invalid(format!("Abhängigkeiten: {e}")))?,
        system: r.text(7),
    })
}

impl Store {
    /// The milestones, in the plan's order.
    pub fn milestones(&self) -> Result<Vec<Milestone>> {
        let mut c = self.conn()?;
        c.query(
            &format!("SELECT {COLUMNS} FROM milestone ORDER BY sort, id"),
            &[],
        )?
        .iter()
        .map(milestone_from)
        .collect()
    }

    /// Replaces the whole Fahrplan (an import); audit `fahrplan.import`.
    pub fn replace_milestones(&self, list: &[Milestone], actor: &Actor) -> Result<()> {
        for m in list {
            if m.number.trim().is_empty() || m.title.trim().is_empty() {
                return Err(Error::Invalid(
                    "ein Meilenstein braucht Nummer und Titel".into(),
                ));
            }
            if let Some(d) = m
                .depends_on
                .iter()
                .find(|d| !list.iter().any(|x| &x.number == *d))
            {
                return Err(Error::Invalid(format!(
                    "Meilenstein {}: hängt von '{d}' ab, den es nicht gibt",
                    m.number
                )));
            }
        }
        self.write(|c| {
            c.exec("DELETE FROM milestone", &[])?;
            for (i, m) in list.iter().enumerate() {
                c.exec(
                    "INSERT INTO milestone (sort, number, title, responsible, when_text, status, \
                     depends_on, system) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    &[
                        (i as i64).into(),
                        m.number.trim().into(),
                        m.title.trim().into(),
                        m.responsible.trim().into(),
                        m.when.trim().into(),
                        m.status.code().into(),
                        serde_json::to_string(&m.depends_on)
                            .expect("a list of strings serialises")
                            .into(),
                        m.system.trim().into(),
                    ],
                )?;
            }
            audit(
                c,
                actor,
                "fahrplan.import",
                "fahrplan",
                "",
                &format!("{} Meilensteine", list.len()),
            )
        })
    }

    /// Sets a milestone's state; audit `fahrplan.status`.
    pub fn set_milestone_status(
        &self,
        id: i64,
        status: MilestoneStatus,
        actor: &Actor,
    ) -> Result<()> {
        self.write(|c| {
            let Some(r) = c.query_opt(
                &format!("SELECT {COLUMNS} FROM milestone WHERE id = ?"),
                &[id.into()],
            )?
            else {
                return Err(Error::NotFound(format!(
                    "einen Meilenstein Nr. {id} gibt es nicht"
                )));
            };
            status_in(c, &milestone_from(&r)?, status, "", actor)
        })
    }
}

/// Sets a milestone's state in a transaction; audit `fahrplan.status` (with `why` after the new
/// state, when given).
pub(crate) fn status_in(
    c: &mut crate::sql::Conn,
    m: &Milestone,
    status: MilestoneStatus,
    why: &str,
    actor: &Actor,
) -> Result<()> {
    c.exec(
        "UPDATE milestone SET status = ? WHERE id = ?",
        &[status.code().into(), m.id.into()],
    )?;
    let after = match why {
        "" => status.code().to_string(),
        why => format!("{} ({why})", status.code()),
    };
    audit(
        c,
        actor,
        "fahrplan.status",
        &format!("milestone:{}", m.number),
        m.status.code(),
        &after,
    )
}
