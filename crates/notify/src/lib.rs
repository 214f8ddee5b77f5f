//! Reminders by e-mail: before a delivery's due date and, repeatedly, when it is overdue, the
//! responsible contact gets a German mail; the Büro für Integration gets a weekly digest of open
//! deliveries, new warnings and the warnings being worked on. Sent by SMTP (lettre; TLS and login
//! from the server's address, `smtp://`, `smtp://…?tls=required` or `smtps://`), from the scheduler
//! in `kimo serve` and by `kimo erinnern`. Each occasion is mailed once, even across restarts (the
//! store's `mail_sent`).

pub mod schedule;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use kimo_model::delivery::Delivery;
use kimo_model::{Role, User};
use kimo_store::{Actor, DeliveryFilter, Store, WarningFilter};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{Message, SmtpTransport, Transport};
use schedule::{Occasion, Settings};

/// Where and how mails are sent.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
    /// The server's address for links in mails (e.g. `https://kimo.karlsruhe.de`).
    pub base: String,
}

impl Mailer {
    /// A mailer for an SMTP address (`smtp://host:25`, `smtp://user:pw@host:587?tls=required`,
    /// `smtps://user:pw@host:465`) and a sender address.
    pub fn new(url: &str, from: &str, base: &str) -> Result<Mailer> {
        let transport = SmtpTransport::from_url(url)
            .with_context(|| format!("SMTP-Adresse '{}' unbrauchbar", kimo_store::redact(url)))?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("Absender '{from}' ist keine E-Mail-Adresse"))?;
        Ok(Mailer {
            transport,
            from,
            base: base.trim_end_matches('/').to_string(),
        })
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
        self.transport.send(&message).context("E-Mail senden")?;
        Ok(())
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

/// The addresses for a delivery: its contact, else the Amt's enabled accounts with an address.
pub fn recipients(d: &Delivery, users: &[User]) -> Vec<String> {
    let contact: Vec<String> = d
        .contact
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    if !contact.is_empty() {
        return contact;
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
                (recipients(d, &users), subject, body)
            }
            Occasion::Digest(_) => {
                let to: Vec<String> = users
                    .iter()
                    .filter(|u| !u.disabled && u.role == Role::Redaktion)
                    .filter_map(|u| u.email.clone())
                    .collect();
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
