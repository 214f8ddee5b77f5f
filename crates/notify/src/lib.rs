//! Reminders by e-mail: before a delivery's due date and, repeatedly, when it is overdue, the
//! responsible contact gets a German mail; the Büro für Integration gets a weekly digest of open
//! deliveries, new warnings and the warnings being worked on. Sent by SMTP (lettre; TLS and login
//! from the server's address, `smtp://`, `smtp://…?tls=required` or `smtps://`) or written as
//! `.eml` files into an outbox directory, from the scheduler in `kimo serve` and by `kimo
//! erinnern`. Each occasion is mailed once, even across restarts (the store's `mail_sent`).

pub mod schedule;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use kimo_model::delivery::{Delivery, DeliverySetting};
use kimo_model::{Role, User};
use kimo_store::{Actor, DeliveryFilter, Store, WarningFilter};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{FileTransport, Message, SmtpTransport, Transport};
use schedule::{Occasion, Settings};
use std::path::Path;

/// How mails leave: by SMTP, or as `.eml` files into a directory (an outbox a mail gateway picks
/// up, or to read the texts before SMTP is set up).
enum Way {
    /// An SMTP server.
    Smtp(SmtpTransport),
    /// A directory.
    Outbox(FileTransport),
}

/// Where and how mails are sent.
pub struct Mailer {
    way: Way,
    from: Mailbox,
    /// The server's address for links in mails (e.g. `https://kimo.karlsruhe.de`).
    pub base: String,
    /// Who gets the weekly digest besides the Redaktion's accounts (a shared mailbox of the Büro).
    digest_to: Vec<String>,
}

impl Mailer {
    /// A mailer for an SMTP address (`smtp://host:25`, `smtp://user:pw@host:587?tls=required`,
    /// `smtps://user:pw@host:465`) and a sender address.
    pub fn new(url: &str, from: &str, base: &str) -> Result<Mailer> {
        let transport = SmtpTransport::from_url(url)
            .with_context(|| format!("SMTP-Adresse '{}' unbrauchbar", kimo_store::redact(url)))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        Mailer::with(Way::Smtp(transport), from, base)
    }

    /// A mailer that writes each mail as an `.eml` file into an existing directory.
    pub fn outbox(dir: &Path, from: &str, base: &str) -> Result<Mailer> {
        if !dir.is_dir() {
            anyhow::bail!("Ausgang '{}' ist kein Verzeichnis", dir.display());
        }
        Mailer::with(Way::Outbox(FileTransport::new(dir)), from, base)
    }

    /// A mailer with its way out, the sender checked.
    fn with(way: Way, from: &str, base: &str) -> Result<Mailer> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("Absender '{from}' ist keine E-Mail-Adresse"))?;
        Ok(Mailer {
            way,
            from,
            base: base.trim_end_matches('/').to_string(),
            digest_to: Vec::new(),
        })
    }

    /// Adds recipients of the weekly digest (a shared mailbox of the Büro), each checked.
    pub fn digest_also_to(&mut self, addresses: &[String]) -> Result<()> {
        for a in addresses.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
            a.parse::<Mailbox>().with_context(|| {
                format!("Empfänger des Wochenberichts '{a}' ist keine E-Mail-Adresse")
            })?;
            self.digest_to.push(a.to_string());
        }
        Ok(())
    }

    /// Sends one plain-text mail.
    pub fn send(&self, to: &[String], subject: &str, body: &str) -> Result<()> {
        let mut m = Message::builder().from(self.from.clone()).subject(subject);
        for t in to {
            m = m.to(t.parse().with_context(|| format!("Empfänger '{t}'"))?);
        }
        let message = m
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .context("E-Mail zusammenstellen")?;
        match &self.way {
            Way::Smtp(t) => t.send(&message).map(drop).context("E-Mail senden"),
            Way::Outbox(t) => t.send(&message).map(drop).context("E-Mail ablegen"),
        }
    }
}

/// What a run sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Reminders before a due date.
    pub before: usize,
    /// Reminders of overdue deliveries.
    pub overdue: usize,
    /// Weekly digests.
    pub digests: usize,
    /// Occasions without anyone to write to (no contact, no account with an e-mail address).
    pub nobody: usize,
}

/// Who sends, in the audit log.
fn sender() -> Actor {
    Actor {
        name: "Erinnerungen".into(),
        address: String::new(),
    }
}

/// The addresses for a delivery: its own contact, else its indicator's (`/lieferungen/fristen`),
/// else the Amt's enabled accounts with an address.
pub fn recipients(d: &Delivery, settings: &[DeliverySetting], users: &[User]) -> Vec<String> {
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect()
    };
    let own = split(&d.contact);
    if !own.is_empty() {
        return own;
    }
    let indicator = settings
        .iter()
        .find(|s| s.indicator == d.indicator)
        .map(|s| split(&s.contact))
        .unwrap_or_default();
    if !indicator.is_empty() {
        return indicator;
    }
    users
        .iter()
        .filter(|u| !u.disabled && u.role == Role::Amt && u.amt.as_deref() == Some(d.amt.as_str()))
        .filter_map(|u| u.email.clone())
        .collect()
}

/// Sends every reminder and digest due on `today` that was not sent before.
pub fn run(store: &Store, mailer: &Mailer, today: NaiveDate, s: &Settings) -> Result<Sent> {
    let deliveries = store.deliveries(&DeliveryFilter::default())?;
    let users = store.users()?;
    let contacts = store.delivery_settings()?;
    let indicators = store.indicators()?;
    let name = |code: &str| {
        indicators
            .iter()
            .find(|i| i.code == code)
            .map_or(code.to_string(), |i| i.name.clone())
    };
    let mut sent = Sent::default();
    for o in schedule::occasions(&deliveries, today, s) {
        let (to, subject, body) = match &o {
            Occasion::Before(d) | Occasion::Overdue(d, _) => {
                let (subject, body) =
                    schedule::delivery_mail(&o, d, &name(&d.indicator), today, &mailer.base);
                (recipients(d, &contacts, &users), subject, body)
            }
            Occasion::Digest(_) => {
                let mut to: Vec<String> = users
                    .iter()
                    .filter(|u| !u.disabled && u.role == Role::Redaktion)
                    .filter_map(|u| u.email.clone())
                    .collect();
                to.extend(mailer.digest_to.iter().cloned());
                let warnings = store.warnings(&WarningFilter::default())?;
                let (subject, body) = schedule::digest(&deliveries, &warnings, today, &mailer.base);
                (to, subject, body)
            }
        };
        if to.is_empty() {
            sent.nobody += 1;
            continue;
        }
        let key = o.key();
        if !store.claim_mail(&key)? {
            continue;
        }
        if let Err(e) = mailer.send(&to, &subject, &body) {
            store.release_mail(&key)?;
            return Err(e.context(key));
        }
        store.mail_sent(&key, &to, &subject, &sender())?;
        match o {
            Occasion::Before(_) => sent.before += 1,
            Occasion::Overdue(..) => sent.overdue += 1,
            Occasion::Digest(_) => sent.digests += 1,
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::delivery::DeliveryState;

    #[test]
    fn a_deliverys_contact_then_its_indicators_then_the_amts_accounts() {
        let mut d = Delivery {
            id: 1,
            indicator: "ARB-03".into(),
            period: "2026".into(),
            amt: "Jobcenter".into(),
            due: "2027-03-31".into(),
            due_set: false,
            contact: String::new(),
            state: DeliveryState::Offen,
            changed_at: String::new(),
            changed_by: String::new(),
            note: String::new(),
        };
        let user = |name: &str, amt: &str, email: Option<&str>, disabled: bool| User {
            id: 0,
            name: name.into(),
            role: Role::Amt,
            amt: Some(amt.into()),
            email: email.map(str::to_string),
            disabled,
            must_change_password: false,
            created_at: String::new(),
        };
        let users = [
            user("a", "Jobcenter", Some("a@jc.example"), false),
            user("b", "Jobcenter", Some("b@jc.example"), true),
            user("c", "Jobcenter", None, false),
            user("d", "Schulamt", Some("d@schule.example"), false),
        ];
        assert_eq!(recipients(&d, &[], &users), ["a@jc.example"]);
        let settings = [DeliverySetting {
            indicator: "ARB-03".into(),
            lag_days: 90,
            contact: " statistik@jc.example, leitung@jc.example ".into(),
        }];
        assert_eq!(
            recipients(&d, &settings, &users),
            ["statistik@jc.example", "leitung@jc.example"]
        );
        d.contact = "x@jc.example".into();
        assert_eq!(recipients(&d, &settings, &users), ["x@jc.example"]);
    }
}
