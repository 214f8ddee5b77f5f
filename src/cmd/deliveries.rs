//! `kimo lieferungen`: the data deliveries owed, on the command line.

use crate::cli::{DeliveriesArgs, MailArgs, RemindArgs};
use anyhow::Result;
use kimo_store::{DeliveryFilter, Store};

/// Lists the deliveries (owed and submitted, or all), after bringing the plan up to date if asked.
pub fn list(store: &Store, args: DeliveriesArgs) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    if args.planen {
        let s = kimo_work::deliveries::sync(store, today)?;
        println!(
            "Lieferplan: {} neu, {} verschoben, {} mit Daten.",
            s.added, s.moved, s.present
        );
    }
    let list = store.deliveries(&DeliveryFilter {
        amt: args.amt,
        ..Default::default()
    })?;
    let shown: Vec<_> = list
        .iter()
        .filter(|d| args.alle || !d.state.done())
        .collect();
    for d in &shown {
        let state = match d.overdue(today) {
            true => "überfällig",
            false => d.state.label(),
        };
        let due = d
            .due_date()
            .map_or(d.due.clone(), |x| x.format("%d.%m.%Y").to_string());
        println!(
            "#{:<5} {due}  {:<16} {:<8} {:<10} {}",
            d.id, state, d.indicator, d.period, d.amt
        );
    }
    let overdue = shown.iter().filter(|d| d.overdue(today)).count();
    println!("{} Lieferungen, davon {overdue} überfällig.", shown.len());
    Ok(())
}

/// The mailer and schedule of the mail options (None: neither SMTP server nor outbox given).
pub fn mailer(
    args: &MailArgs,
) -> Result<Option<(kimo_notify::Mailer, kimo_notify::schedule::Settings)>> {
    let (from, base) = (&args.mail_absender, &args.adresse);
    let mut mailer = match (&args.smtp, &args.mail_ausgang) {
        (Some(url), _) => kimo_notify::Mailer::new(url, from, base)?,
        (None, Some(dir)) => kimo_notify::Mailer::outbox(dir, from, base)?,
        (None, None) => return Ok(None),
    };
    mailer.digest_also_to(&args.wochenbericht_an)?;
    let settings = kimo_notify::schedule::Settings {
        lead_days: args.erinnerung_vorlauf,
        repeat_days: args.erinnerung_wiederholung.max(1),
    };
    Ok(Some((mailer, settings)))
}

/// A summary of what a run sent.
pub fn summary(s: &kimo_notify::Sent) -> String {
    format!(
        "E-Mails: {} Erinnerungen vor der Frist, {} zu überfälligen Lieferungen, {} Wochenberichte; {} Anlässe ohne Empfänger.",
        s.before, s.overdue, s.digests, s.nobody
    )
}

/// `kimo erinnern`: sends what is due, once.
pub fn remind(store: &Store, args: RemindArgs) -> Result<()> {
    let Some((mailer, settings)) = mailer(&args.mail)? else {
        anyhow::bail!(
            "Kein SMTP-Server: --smtp oder KIMO_SMTP_URL angeben (oder --mail-ausgang VERZEICHNIS)."
        );
    };
    let today = match args.heute.as_deref() {
        None => chrono::Local::now().date_naive(),
        Some(t) => ["%d.%m.%Y", "%Y-%m-%d"]
            .iter()
            .find_map(|f| chrono::NaiveDate::parse_from_str(t.trim(), f).ok())
            .ok_or_else(|| anyhow::anyhow!("--heute '{t}' ist kein Datum (TT.MM.JJJJ)"))?,
    };
    kimo_work::deliveries::sync(store, today)?;
    let sent = kimo_notify::run(store, &mailer, today, &settings)?;
    println!("{}", summary(&sent));
    Ok(())
}
