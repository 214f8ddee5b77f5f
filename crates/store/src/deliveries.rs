//! The delivery plan: per indicator its lag and contact, per indicator and period the delivery
//! owed by an Amt (due date, state), and the secret of each user's calendar feed. Every change is
//! in the audit log, in its own transaction.

use crate::apply::now;
use crate::sql::{Conn, Row, Value};
use crate::users::{audit, get_user};
use crate::{Actor, Error, Result, Store};
use kimo_model::User;
use kimo_model::delivery::{Delivery, DeliverySetting, DeliveryState, Due};
use std::collections::{HashMap, HashSet};

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only those of this Amt.
    pub amt: Option<String>,
    /// Only those of this indicator.
    pub indicator: Option<String>,
}

/// What bringing the plan up to date changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanSync {
    /// Deliveries added.
    pub added: usize,
    /// Owed deliveries whose due date or Amt followed the plan.
    pub moved: usize,
    /// Owed deliveries whose figures arrived another way.
    pub present: usize,
}

const COLUMNS: &str =
    "id, indicator, period, amt, due, due_set, contact, state, changed_at, changed_by, note";

fn delivery_from(r: &Row) -> Result<Delivery> {
    let state = DeliveryState::parse(&r.text(7))
        .ok_or_else(|| Error::Invalid(format!("unbekannter Lieferstand '{}'", r.text(7))))?;
    Ok(Delivery {
        id: r.int(0),
        indicator: r.text(1),
        period: r.text(2),
        amt: r.text(3),
        due: r.text(4),
        due_set: r.int(5) != 0,
        contact: r.text(6),
        state,
        changed_at: r.text(8),
        changed_by: r.text(9),
        note: r.text(10),
    })
}

fn get_delivery(c: &mut Conn, id: i64) -> Result<Delivery> {
    match c.query_opt(
        &format!("SELECT {COLUMNS} FROM delivery WHERE id = ?"),
        &[id.into()],
    )? {
        Some(r) => delivery_from(&r),
        None => Err(Error::NotFound(format!(
            "eine Lieferung Nr. {id} gibt es nicht"
        ))),
    }
}

/// Every (indicator code, period code) with at least one stored value.
fn present(c: &mut Conn) -> Result<HashSet<(String, String)>> {
    Ok(c.query(
        "SELECT DISTINCT i.code, o.period FROM observation o JOIN indicator i ON i.id = o.indicator_id",
        &[],
    )?
    .iter()
    .map(|r| (r.text(0), r.text(1)))
    .collect())
}

impl Store {
    /// The lag and contact set per indicator.
    pub fn delivery_settings(&self) -> Result<Vec<DeliverySetting>> {
        let mut c = self.conn()?;
        Ok(c.query(
            "SELECT indicator, lag_days, contact FROM delivery_setting ORDER BY indicator",
            &[],
        )?
        .iter()
        .map(|r| DeliverySetting {
            indicator: r.text(0),
            lag_days: r.int(1),
            contact: r.text(2),
        })
        .collect())
    }

    /// Sets an indicator's lag and contact; audit `delivery.setting`.
    pub fn set_delivery_setting(&self, s: &DeliverySetting, actor: &Actor) -> Result<()> {
        if !(0..=730).contains(&s.lag_days) {
            return Err(Error::Invalid(format!(
                "die Frist von {} Tagen liegt nicht zwischen 0 und 730",
                s.lag_days
            )));
        }
        self.write(|c| {
            let before = c
                .query_opt(
                    "SELECT lag_days, contact FROM delivery_setting WHERE indicator = ?",
                    &[s.indicator.as_str().into()],
                )?
                .map(|r| format!("{} Tage, {}", r.int(0), r.text(1)));
            c.exec(
                "DELETE FROM delivery_setting WHERE indicator = ?",
                &[s.indicator.as_str().into()],
            )?;
            c.exec(
                "INSERT INTO delivery_setting (indicator, lag_days, contact) VALUES (?, ?, ?)",
                &[
                    s.indicator.as_str().into(),
                    s.lag_days.into(),
                    s.contact.trim().into(),
                ],
            )?;
            audit(
                c,
                actor,
                "delivery.setting",
                &format!("indicator:{}", s.indicator),
                &before.unwrap_or_default(),
                &format!("{} Tage, {}", s.lag_days, s.contact.trim()),
            )
        })
    }

    /// Deliveries, by due date.
    pub fn deliveries(&self, f: &DeliveryFilter) -> Result<Vec<Delivery>> {
        let mut sql = format!("SELECT {COLUMNS} FROM delivery WHERE 1 = 1");
        let mut params: Vec<Value> = Vec::new();
        if let Some(a) = &f.amt {
            sql.push_str(" AND amt = ?");
            params.push(a.as_str().into());
        }
        if let Some(i) = &f.indicator {
            sql.push_str(" AND indicator = ?");
            params.push(i.as_str().into());
        }
        sql.push_str(" ORDER BY due, indicator, period");
        let mut c = self.conn()?;
        c.query(&sql, &params)?.iter().map(delivery_from).collect()
    }

    /// One delivery.
    pub fn delivery(&self, id: i64) -> Result<Delivery> {
        let mut c = self.conn()?;
        get_delivery(&mut c, id)
    }

    /// Brings the stored deliveries up to the plan: adds the missing ones, moves owed ones whose
    /// due date was not set by hand, and marks owed ones whose figures are stored as present. One
    /// audit entry `delivery.plan` when anything changed.
    pub fn sync_deliveries(&self, plan: &[Due], actor: &Actor) -> Result<PlanSync> {
        self.write(|c| {
            let have = present(c)?;
            let stored: HashMap<(String, String), Delivery> = c
                .query(&format!("SELECT {COLUMNS} FROM delivery"), &[])?
                .iter()
                .map(|r| delivery_from(r).map(|d| ((d.indicator.clone(), d.period.clone()), d)))
                .collect::<Result<_>>()?;
            let mut out = PlanSync::default();
            let at = now();
            for due in plan {
                let key = (due.indicator.clone(), due.period.code());
                let date = due.due.format("%Y-%m-%d").to_string();
                match stored.get(&key) {
                    None => {
                        let state = match have.contains(&key) {
                            true => DeliveryState::Vorhanden,
                            false => DeliveryState::Offen,
                        };
                        c.exec(
                            "INSERT INTO delivery (indicator, period, amt, due, state, changed_at, \
                             changed_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            &[
                                key.0.as_str().into(),
                                key.1.as_str().into(),
                                due.amt.as_str().into(),
                                date.into(),
                                state.code().into(),
                                at.as_str().into(),
                                actor.name.as_str().into(),
                            ],
                        )?;
                        out.added += 1;
                    }
                    Some(d) if d.state.owed()
                        && !d.due_set
                        && !have.contains(&key)
                        && (d.due != date || d.amt != due.amt) =>
                    {
                        c.exec(
                            "UPDATE delivery SET due = ?, amt = ? WHERE id = ?",
                            &[date.into(), due.amt.as_str().into(), d.id.into()],
                        )?;
                        out.moved += 1;
                    }
                    Some(_) => {}
                }
            }
            for d in stored.values().filter(|d| d.state.owed()) {
                if have.contains(&(d.indicator.clone(), d.period.clone())) {
                    c.exec(
                        "UPDATE delivery SET state = ?, changed_at = ?, changed_by = ? WHERE id = ?",
                        &[
                            DeliveryState::Vorhanden.code().into(),
                            at.as_str().into(),
                            actor.name.as_str().into(),
                            d.id.into(),
                        ],
                    )?;
                    out.present += 1;
                }
            }
            if out != PlanSync::default() {
                audit(
                    c,
                    actor,
                    "delivery.plan",
                    "",
                    "",
                    &format!(
                        "{} neu, {} verschoben, {} mit Daten",
                        out.added, out.moved, out.present
                    ),
                )?;
            }
            Ok(out)
        })
    }

    /// Sets a delivery's due date (it then stays, whatever the plan says), contact and note; audit
    /// `delivery.due`.
    pub fn set_delivery_due(
        &self,
        id: i64,
        due: &str,
        contact: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<()> {
        if chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").is_err() {
            return Err(Error::Invalid(format!("'{due}' ist kein Datum")));
        }
        self.write(|c| {
            let d = get_delivery(c, id)?;
            c.exec(
                "UPDATE delivery SET due = ?, due_set = 1, contact = ?, note = ? WHERE id = ?",
                &[
                    due.into(),
                    contact.trim().into(),
                    note.trim().into(),
                    id.into(),
                ],
            )?;
            audit(
                c,
                actor,
                "delivery.due",
                &format!("delivery:{id}"),
                &format!("fällig {}, Kontakt {}", d.due, d.contact),
                &format!("fällig {due}, Kontakt {}", contact.trim()),
            )
        })
    }

    /// Sets the secret (its hash) of a user's calendar feed, replacing an earlier one; audit
    /// `token.calendar`.
    pub fn set_calendar_feed(&self, user: &str, token_hash: &str, actor: &Actor) -> Result<()> {
        self.write(|c| {
            let Some(r) = c.query_opt("SELECT id FROM app_user WHERE name = ?", &[user.into()])?
            else {
                return Err(Error::NotFound(format!("ein Konto '{user}' gibt es nicht")));
            };
            let id = r.int(0);
            c.exec("DELETE FROM calendar_feed WHERE user_id = ?", &[id.into()])?;
            c.exec(
                "INSERT INTO calendar_feed (user_id, token_hash, created_at) VALUES (?, ?, ?)",
                &[id.into(), token_hash.into(), now().into()],
            )?;
            audit(
                c,
                actor,
                "token.calendar",
                &format!("user:{user}"),
                "",
                "neu",
            )
        })
    }

    /// The enabled account whose calendar feed has this secret (its hash).
    pub fn calendar_feed_user(&self, token_hash: &str) -> Result<Option<User>> {
        let mut c = self.conn()?;
        let Some(r) = c.query_opt(
            "SELECT u.name FROM calendar_feed f JOIN app_user u ON u.id = f.user_id \
             WHERE f.token_hash = ?",
            &[token_hash.into()],
        )?
        else {
            return Ok(None);
        };
        Ok(get_user(&mut c, &r.text(0))?
            .map(|(u, _)| u)
            .filter(|u| !u.disabled))
    }

    /// When the user's calendar feed was made, if it was.
    pub fn calendar_feed_made(&self, user: &str) -> Result<Option<String>> {
        let mut c = self.conn()?;
        Ok(c.query_opt(
            "SELECT f.created_at FROM calendar_feed f JOIN app_user u ON u.id = f.user_id \
             WHERE u.name = ?",
            &[user.into()],
        )?
        .map(|r| r.text(0)))
    }
}
