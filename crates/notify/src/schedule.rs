//! Which mails are due on a day, and their German text. Pure: the deliveries and warnings in, the
//! occasions and mails out. An occasion's key names what it is about, so that it is sent once: a
//! reminder before the due date (`lieferung-vorher:ID:DUE`), an overdue reminder per repeat period
//! (`lieferung-ueberfaellig:ID:DUE:N`), the digest per ISO week (`wochenbericht:2026-W49`). A moved
//! due date is a new occasion.

use chrono::{Datelike, Days, NaiveDate};
use kimo_model::WarningStatus;
use kimo_model::delivery::{Delivery, DeliveryState};
use kimo_store::Warning;

/// When reminders go out.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Days before the due date that the reminder goes out.
    pub lead_days: u64,
    /// Days between reminders of an overdue delivery.
    pub repeat_days: u64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            lead_days: 14,
            repeat_days: 7,
        }
    }
}

/// A reason to send a mail.
#[derive(Debug, Clone, PartialEq)]
pub enum Occasion<'a> {
    /// A delivery is due within the lead time.
    Before(&'a Delivery),
    /// A delivery is overdue; the number of the repeat period since the due date (0: the first).
    Overdue(&'a Delivery, u64),
    /// The weekly digest for the Büro für Integration: (ISO year, week).
    Digest((i32, u32)),
}

impl Occasion<'_> {
    /// The key it is recorded by.
    pub fn key(&self) -> String {
        match self {
            Occasion::Before(d) => format!("lieferung-vorher:{}:{}", d.id, d.due),
            Occasion::Overdue(d, n) => format!("lieferung-ueberfaellig:{}:{}:{n}", d.id, d.due),
            Occasion::Digest((y, w)) => format!("wochenbericht:{y}-W{w:02}"),
        }
    }
}

/// The occasions of `today`: reminders of owed deliveries, and the week's digest.
pub fn occasions<'a>(
    deliveries: &'a [Delivery],
    today: NaiveDate,
    s: &Settings,
) -> Vec<Occasion<'a>> {
    let mut out = Vec::new();
    for d in deliveries.iter().filter(|d| d.state.owed()) {
        let Some(due) = d.due_date() else { continue };
        if today > due {
            let days = (today - due).num_days() as u64 - 1;
            out.push(Occasion::Overdue(d, days / s.repeat_days.max(1)));
        } else if due
            .checked_sub_days(Days::new(s.lead_days))
            .is_some_and(|from| today >= from)
        {
            out.push(Occasion::Before(d));
        }
    }
    let week = today.iso_week();
    out.push(Occasion::Digest((week.year(), week.week())));
    out
}

/// A date in German.
fn de(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// The subject and text of a delivery's reminder.
pub fn delivery_mail(
    o: &Occasion,
    d: &Delivery,
    indicator_name: &str,
    today: NaiveDate,
    base: &str,
) -> (String, String) {
    let due = d.due_date().map_or(d.due.clone(), de);
    let what = format!("{} – {indicator_name}, {}", d.indicator, d.period_label());
    let (subject, first) = match o {
        Occasion::Overdue(..) => {
            let days = d.due_date().map_or(0, |x| (today - x).num_days());
            (
                format!(
                    "Überfällig: Datenlieferung {} {}",
                    d.indicator,
                    d.period_label()
                ),
                format!(
                    "die Datenlieferung {what} war am {due} fällig und ist seit {days} {} überfällig.",
                    if days == 1 { "Tag" } else { "Tagen" }
                ),
            )
        }
        _ => (
            format!(
                "Erinnerung: Datenlieferung {} {} fällig am {due}",
                d.indicator,
                d.period_label()
            ),
            format!("die Datenlieferung {what} ist am {due} fällig."),
        ),
    };
    let returned = match d.state {
        DeliveryState::Zurueckgegeben if !d.note.is_empty() => {
            format!(
                "\nDas Büro für Integration hat die letzte Lieferung zurückgegeben: {}\n",
                d.note
            )
        }
        _ => String::new(),
    };
    let body = format!(
        "Guten Tag,\n\n{first}\n{returned}\nBitte laden Sie die Datei in kimo hoch; sie wird vor dem Speichern geprüft:\n{base}/lieferungen/{}\n\nMit freundlichen Grüßen\nkimo – Integrationsmonitoring, im Auftrag des Büros für Integration\n\n(Diese E-Mail wurde automatisch versandt; Sie erhalten sie als Ansprechperson für {}.)\n",
        d.id, d.amt
    );
    (subject, body)
}

/// The weekly digest for the Büro für Integration.
pub fn digest(
    deliveries: &[Delivery],
    warnings: &[Warning],
    today: NaiveDate,
    base: &str,
) -> (String, String) {
    let week = today.iso_week();
    let overdue: Vec<&Delivery> = deliveries.iter().filter(|d| d.overdue(today)).collect();
    let soon: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| d.state.owed() && !d.overdue(today))
        .filter(|d| d.due_date().is_some_and(|x| (x - today).num_days() <= 14))
        .collect();
    let submitted = deliveries
        .iter()
        .filter(|d| d.state == DeliveryState::Eingereicht)
        .count();
    let since = (today - Days::new(7)).format("%Y-%m-%d").to_string();
    let until = today.format("%Y-%m-%d").to_string();
    let new: Vec<&Warning> = warnings
        .iter()
        .filter(|w| w.active)
        .filter(|w| {
            (since.as_str()..=until.as_str()).contains(&&w.first_seen[..10.min(w.first_seen.len())])
        })
        .collect();
    let working = warnings
        .iter()
        .filter(|w| w.active && w.status == WarningStatus::InBearbeitung)
        .count();
    let line = |d: &&Delivery| {
        format!(
            "- {} {} ({}), fällig {}",
            d.indicator,
            d.period_label(),
            d.amt,
            d.due_date().map_or(d.due.clone(), de)
        )
    };
    let mut body = format!(
        "Guten Tag,\n\nder Wochenbericht von kimo für die {}. Kalenderwoche {}.\n\n",
        week.week(),
        week.year()
    );
    body.push_str(&format!("Überfällige Lieferungen: {}\n", overdue.len()));
    body.extend(overdue.iter().take(30).map(|d| line(d) + "\n"));
    body.push_str(&format!(
        "\nIn den nächsten 14 Tagen fällig: {}\n",
        soon.len()
    ));
    body.extend(soon.iter().take(30).map(|d| line(d) + "\n"));
    body.push_str(&format!("\nEingereicht, zu prüfen: {submitted}\n"));
    body.push_str(&format!(
        "\nNeue Warnhinweise seit dem {}: {}\n",
        de(today - Days::new(7)),
        new.len()
    ));
    body.extend(
        new.iter()
            .take(30)
            .map(|w| format!("- {} ({}): {}\n", w.indicator, w.area_name, w.sentence)),
    );
    body.push_str(&format!("\nWarnhinweise in Bearbeitung: {working}\n\nLieferungen: {base}/lieferungen\nLagebild: {base}/lagebild\n\nkimo – Integrationsmonitoring\n"));
    let subject = format!(
        "kimo-Wochenbericht KW {}/{}: {} überfällig, {} neue Warnhinweise",
        week.week(),
        week.year(),
        overdue.len(),
        new.len()
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(id: i64, due: &str, state: DeliveryState) -> Delivery {
        Delivery {
            id,
            indicator: "ARB-03".into(),
            period: "2026".into(),
            amt: "Jobcenter".into(),
            due: due.into(),
            due_set: false,
            contact: String::new(),
            state,
            changed_at: String::new(),
            changed_by: String::new(),
            note: String::new(),
        }
    }

    #[test]
    fn reminders_before_the_due_date_and_every_week_when_overdue() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ds = [
            delivery(1, "2027-03-28", DeliveryState::Offen),
            delivery(2, "2027-03-10", DeliveryState::Zurueckgegeben),
            delivery(3, "2027-03-20", DeliveryState::Eingereicht),
            delivery(4, "2027-05-01", DeliveryState::Offen),
        ];
        let s = Settings::default();
        let keys = |today: &str| -> Vec<String> {
            occasions(&ds, day(today), &s)
                .iter()
                .map(Occasion::key)
                .collect()
        };
        assert_eq!(
            keys("2027-03-16"),
            [
                "lieferung-vorher:1:2027-03-28",
                "lieferung-ueberfaellig:2:2027-03-10:0",
                "wochenbericht:2027-W11"
            ]
        );
        assert_eq!(
            keys("2027-03-17")[1],
            "lieferung-ueberfaellig:2:2027-03-10:0",
            "the same week: the same occasion"
        );
        assert_eq!(
            keys("2027-03-18")[1],
            "lieferung-ueberfaellig:2:2027-03-10:1",
            "a week after the first: the next"
        );
        assert_eq!(
            keys("2027-03-01"),
            ["lieferung-vorher:2:2027-03-10", "wochenbericht:2027-W09"]
        );
        let (subject, body) = delivery_mail(
            &occasions(&ds, day("2027-03-16"), &s)[1],
            &ds[1],
            "Arbeitslosenquote",
            day("2027-03-16"),
            "https://kimo.example",
        );
        assert_eq!(subject, "Überfällig: Datenlieferung ARB-03 2026");
        assert!(
            body.contains("war am 10.03.2027 fällig und ist seit 6 Tagen überfällig"),
            "{body}"
        );
        assert!(
            body.contains("https://kimo.example/lieferungen/2"),
            "{body}"
        );
    }
}
