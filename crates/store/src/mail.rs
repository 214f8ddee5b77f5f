//! E-mails sent, one row per occasion (a reminder for a delivery and its due date, a weekly
//! digest): an occasion is claimed before its mail goes out and marked sent after, or released when
//! sending failed. A claim that was never released (the process ended while sending) keeps the
//! occasion from being mailed again: never twice rather than maybe twice.

use crate::apply::now;
use crate::users::audit;
use crate::{Actor, Result, Store};

/// A mail recorded as sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SentMail {
    /// The occasion, e.g. `lieferung-vorher:41:2027-03-31`.
    pub occasion: String,
    /// `gesendet`, or `in-arbeit` while (or if ever stopped while) sending.
    pub state: String,
    /// The recipients, comma-separated.
    pub recipients: String,
    /// The subject.
    pub subject: String,
    /// When (UTC, RFC 3339).
    pub at: String,
}

impl Store {
    /// Claims an occasion for sending: true when nobody has before.
    pub fn claim_mail(&self, occasion: &str) -> Result<bool> {
        self.write(|c| {
            let n = c.exec(
                "INSERT INTO mail_sent (occasion, state, at) VALUES (?, 'in-arbeit', ?) \
                 ON CONFLICT (occasion) DO NOTHING",
                &[occasion.into(), now().into()],
            )?;
            Ok(n == 1)
        })
    }

    /// Records a claimed occasion's mail as sent; audit `mail.sent`.
    pub fn mail_sent(
        &self,
        occasion: &str,
        recipients: &[String],
        subject: &str,
        actor: &Actor,
    ) -> Result<()> {
        let to = recipients.join(", ");
        self.write(|c| {
            c.exec(
                "UPDATE mail_sent SET state = 'gesendet', recipients = ?, subject = ?, at = ? \
                 WHERE occasion = ?",
                &[
                    to.as_str().into(),
                    subject.into(),
                    now().into(),
                    occasion.into(),
                ],
            )?;
            audit(
                c,
                actor,
                "mail.sent",
                occasion,
                "",
                &format!("{subject} → {to}"),
            )
        })
    }

    /// Gives a claimed occasion back after sending failed, so that it is tried again.
    pub fn release_mail(&self, occasion: &str) -> Result<()> {
        self.write(|c| {
            c.exec(
                "DELETE FROM mail_sent WHERE occasion = ? AND state = 'in-arbeit'",
                &[occasion.into()],
            )?;
            Ok(())
        })
    }

    /// The mails sent, newest first (at most `limit`; 0: all).
    pub fn mails(&self, limit: usize) -> Result<Vec<SentMail>> {
        let mut c = self.conn()?;
        let mut sql = String::from(
            "SELECT occasion, state, recipients, subject, at FROM mail_sent ORDER BY at DESC, occasion",
        );
        if limit > 0 {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        Ok(c.query(&sql, &[])?
            .iter()
            .map(|r| SentMail {
                occasion: r.text(0),
                state: r.text(1),
                recipients: r.text(2),
                subject: r.text(3),
                at: r.text(4),
            })
            .collect())
    }
}
