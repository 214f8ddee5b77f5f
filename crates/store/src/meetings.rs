//! Meetings with their agenda items (links as JSON), minutes, decisions and tasks. Every change is
//! in the audit log, in its own transaction.

use crate::sql::{Conn, Row};
use crate::users::audit;
use crate::{Actor, Error, Result, Store};
use kimo_model::meeting::{Activity, Body, Item, Link, Meeting, Task, TaskStatus};

/// A new meeting.
#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    /// The body.
    pub body: Body,
    /// Title.
    pub title: &'a str,
    /// Date (ISO).
    pub date: &'a str,
    /// Time (`HH:MM` or empty).
    pub time: &'a str,
    /// Place.
    pub place: &'a str,
    /// Participants.
    pub participants: &'a str,
}

fn meeting_from(r: &Row) -> Result<Meeting> {
    Ok(Meeting {
        id: r.int(0),
        body: Body::parse(&r.text(1))
            .ok_or_else(|| Error::Invalid(format!("unbekanntes Gremium '{}'", r.text(1))))?,
        title: r.text(2),
        date: r.text(3),
        time: r.text(4),
        place: r.text(5),
        participants: r.text(6),
        items: Vec::new(),
        tasks: Vec::new(),
    })
}

fn item_from(r: &Row) -> Result<Item> {
    Ok(Item {
        id: r.int(0),
        number: r.int(1),
        title: r.text(2),
        links: serde_json::from_str(&r.text(3))
            .map_err(|e| Error::Invalid(format!("Verweise: {e}")))?,
        minutes: r.text(4),
        decision: r.text(5),
    })
}

fn task_from(r: &Row) -> Result<Task> {
    Ok(Task {
        id: r.int(0),
        meeting: r.int(1),
        item: r.opt_int(2),
        title: r.text(3),
        owner: r.text(4),
        due: r.opt_text(5),
        status: TaskStatus::parse(&r.text(6))
            .ok_or_else(|| Error::Invalid(format!("unbekannter Stand '{}'", r.text(6))))?,
    })
}

const MEETING: &str = "SELECT id, body, title, date, time, place, participants FROM meeting";
const TASK: &str = "SELECT id, meeting_id, item_id, title, owner, due, status FROM meeting_task";

/// One meeting with its items and tasks.
fn load(c: &mut Conn, id: i64) -> Result<Meeting> {
    let Some(r) = c.query_opt(&format!("{MEETING} WHERE id = ?"), &[id.into()])? else {
        return Err(Error::NotFound(format!(
            "eine Sitzung Nr. {id} gibt es nicht"
        )));
    };
    let mut m = meeting_from(&r)?;
    m.items = c
        .query(
            "SELECT id, number, title, links, minutes, decision FROM meeting_item \
             WHERE meeting_id = ? ORDER BY number",
            &[id.into()],
        )?
        .iter()
        .map(item_from)
        .collect::<Result<_>>()?;
    m.tasks = c
        .query(
            &format!("{TASK} WHERE meeting_id = ? ORDER BY id"),
            &[id.into()],
        )?
        .iter()
        .map(task_from)
        .collect::<Result<_>>()?;
    Ok(m)
}

impl Store {
    /// Adds a meeting; audit `meeting.add`.
    pub fn add_meeting(&self, n: &NewMeeting, actor: &Actor) -> Result<i64> {
        if n.title.trim().is_empty()
            || chrono::NaiveDate::parse_from_str(n.date, "%Y-%m-%d").is_err()
        {
            return Err(Error::Invalid(
                "eine Sitzung braucht Titel und Datum".into(),
            ));
        }
        self.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO meeting (body, title, date, time, place, participants) \
                 VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    n.body.code().into(),
                    n.title.trim().into(),
                    n.date.into(),
                    n.time.trim().into(),
                    n.place.trim().into(),
                    n.participants.trim().into(),
                ],
            )?;
            audit(
                c,
                actor,
                "meeting.add",
                &format!("meeting:{id}"),
                "",
                &format!("{} am {}", n.title.trim(), n.date),
            )?;
            Ok(id)
        })
    }

    /// Every meeting, the latest first, with items and tasks.
    pub fn meetings(&self) -> Result<Vec<Meeting>> {
        let mut c = self.conn()?;
        let ids: Vec<i64> = c
            .query("SELECT id FROM meeting ORDER BY date DESC, id DESC", &[])?
            .iter()
            .map(|r| r.int(0))
            .collect();
        ids.into_iter().map(|id| load(&mut c, id)).collect()
    }

    /// One meeting with its items and tasks.
    pub fn meeting(&self, id: i64) -> Result<Meeting> {
        let mut c = self.conn()?;
        load(&mut c, id)
    }

    /// Adds an agenda item at the end; audit `meeting.item`. Returns its id.
    pub fn add_item(
        &self,
        meeting: i64,
        title: &str,
        links: &[Link],
        actor: &Actor,
    ) -> Result<i64> {
        if title.trim().is_empty() {
            return Err(Error::Invalid(
                "der Tagesordnungspunkt braucht einen Titel".into(),
            ));
        }
        self.write(|c| {
            let m = load(c, meeting)?;
            let number = m.items.iter().map(|i| i.number).max().unwrap_or(0) + 1;
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO meeting_item (meeting_id, number, title, links) VALUES (?, ?, ?, ?)",
                &[
                    meeting.into(),
                    number.into(),
                    title.trim().into(),
                    serde_json::to_string(links)
                        .expect("links serialise")
                        .into(),
                ],
            )?;
            let to: Vec<String> = links
                .iter()
                .map(|l| format!("{}:{}", l.kind, l.target))
                .collect();
            audit(
                c,
                actor,
                "meeting.item",
                &format!("meeting:{meeting}"),
                "",
                &format!("TOP {number} {} [{}]", title.trim(), to.join(", ")),
            )?;
            Ok(id)
        })
    }

    /// Sets an item's minutes and decision; audit `meeting.minutes`.
    pub fn set_minutes(
        &self,
        item: i64,
        minutes: &str,
        decision: &str,
        actor: &Actor,
    ) -> Result<i64> {
        self.write(|c| {
            let Some(r) = c.query_opt(
                "SELECT meeting_id, minutes, decision FROM meeting_item WHERE id = ?",
                &[item.into()],
            )?
            else {
                return Err(Error::NotFound(format!(
                    "einen Tagesordnungspunkt Nr. {item} gibt es nicht"
                )));
            };
            c.exec(
                "UPDATE meeting_item SET minutes = ?, decision = ? WHERE id = ?",
                &[minutes.trim().into(), decision.trim().into(), item.into()],
            )?;
            audit(
                c,
                actor,
                "meeting.minutes",
                &format!("item:{item}"),
                &format!("{} | {}", r.text(1), r.text(2)),
                &format!("{} | {}", minutes.trim(), decision.trim()),
            )?;
            Ok(r.int(0))
        })
    }

    /// Adds a task; audit `meeting.task`.
    pub fn add_task(
        &self,
        meeting: i64,
        item: Option<i64>,
        title: &str,
        owner: &str,
        due: Option<&str>,
        actor: &Actor,
    ) -> Result<i64> {
        if title.trim().is_empty() || owner.trim().is_empty() {
            return Err(Error::Invalid(
                "eine Aufgabe braucht Titel und Zuständige".into(),
            ));
        }
        if let Some(d) = due.filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()) {
            return Err(Error::Invalid(format!("'{d}' ist kein Datum")));
        }
        self.write(|c| {
            load(c, meeting)?;
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO meeting_task (meeting_id, item_id, title, owner, due, status) VALUES (?, ?, ?, ?, ?, ?)",
                &[meeting.into(), item.into(), title.trim().into(), owner.trim().into(), due.map(str::to_string).into(), TaskStatus::Offen.code().into()],
            )?;
            audit(c, actor, "meeting.task", &format!("task:{id}"), "", &format!("{} → {} bis {}", title.trim(), owner.trim(), due.unwrap_or("–")))?;
            Ok(id)
        })
    }

    /// Sets a task's state; audit `meeting.task.status`. Returns the task as it was.
    pub fn set_task_status(&self, id: i64, status: TaskStatus, actor: &Actor) -> Result<Task> {
        self.write(|c| {
            let Some(r) = c.query_opt(&format!("{TASK} WHERE id = ?"), &[id.into()])? else {
                return Err(Error::NotFound(format!(
                    "eine Aufgabe Nr. {id} gibt es nicht"
                )));
            };
            let t = task_from(&r)?;
            c.exec(
                "UPDATE meeting_task SET status = ? WHERE id = ?",
                &[status.code().into(), id.into()],
            )?;
            audit(
                c,
                actor,
                "meeting.task.status",
                &format!("task:{id}"),
                t.status.code(),
                status.code(),
            )?;
            Ok(t)
        })
    }

    /// Every task, by due date.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        let mut c = self.conn()?;
        c.query(&format!("{TASK} ORDER BY COALESCE(due, '9999'), id"), &[])?
            .iter()
            .map(task_from)
            .collect()
    }

    /// The agenda items that link to `kind:target`, with their meeting (latest first).
    pub fn discussed(&self, kind: &str, target: &str) -> Result<Vec<(Meeting, Item)>> {
        let wanted = Link {
            kind: kind.into(),
            target: target.into(),
        };
        Ok(self
            .meetings()?
            .into_iter()
            .flat_map(|m| {
                let items: Vec<Item> = m
                    .items
                    .iter()
                    .filter(|i| i.links.contains(&wanted))
                    .cloned()
                    .collect();
                items.into_iter().map(move |i| (m.clone(), i))
            })
            .collect())
    }
}

impl Store {
    /// Records an activity; audit `activity.add`.
    pub fn add_activity(&self, a: &Activity, actor: &Actor) -> Result<i64> {
        if a.title.trim().is_empty()
            || chrono::NaiveDate::parse_from_str(&a.date, "%Y-%m-%d").is_err()
        {
            return Err(Error::Invalid(
                "eine Aktivität braucht Titel und Datum".into(),
            ));
        }
        if !kimo_model::meeting::ACTIVITY_KINDS.contains(&a.kind.as_str()) {
            return Err(Error::Invalid(format!("unbekannte Art '{}'", a.kind)));
        }
        self.write(|c| {
            let id = crate::apply::insert_id(
                c,
                "INSERT INTO activity (date, kind, title, partners, reach, note) VALUES (?, ?, ?, ?, ?, ?)",
                &[
                    a.date.as_str().into(),
                    a.kind.as_str().into(),
                    a.title.trim().into(),
                    a.partners.trim().into(),
                    a.reach.into(),
                    a.note.trim().into(),
                ],
            )?;
            audit(c, actor, "activity.add", &format!("activity:{id}"), "", &format!("{} {} ({})", a.date, a.title.trim(), a.kind))?;
            Ok(id)
        })
    }

    /// The activities, the latest first.
    pub fn activities(&self) -> Result<Vec<Activity>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT id, date, kind, title, partners, reach, note FROM activity ORDER BY date DESC, id DESC",
            &[],
        )?
        .iter()
        .map(|r| Activity {
            id: r.int(0),
            date: r.text(1),
            kind: r.text(2),
            title: r.text(3),
            partners: r.text(4),
            reach: r.opt_int(5),
            note: r.text(6),
        })
        .collect())
    }
}
