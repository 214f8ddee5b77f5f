//! The demo's year of cooperation (`examples/kooperation.yml`): meetings of the InA and the AKI with
//! minutes, decisions and tasks, the activities of the Büro für Integration, and deliveries handled
//! in kimo (one accepted, one returned; an overdue one stays overdue), and the reminders of the
//! last weeks.

use anyhow::{Context, Result};
use kimo_model::meeting::{Activity, Body, Link, TaskStatus};
use kimo_store::{Actor, DeliveryFilter, NewMeeting, NewSubmission, Store};
use serde::Deserialize;

/// The demo file.
#[derive(Deserialize)]
struct Cooperation {
    meetings: Vec<MeetingIn>,
    activities: Vec<Activity0>,
    reminders: RemindersIn,
}

/// The demo's reminders: contacts per indicator, the Büro's mailbox for the digest, and how many
/// weeks back the scheduler is run.
#[derive(Deserialize)]
struct RemindersIn {
    contacts: Vec<ContactIn>,
    digest_to: Vec<String>,
    weeks: u64,
}

/// An indicator's contact for reminders.
#[derive(Deserialize)]
struct ContactIn {
    indicator: String,
    contact: String,
}

/// A meeting as written in the demo file.
#[derive(Deserialize)]
struct MeetingIn {
    body: String,
    title: String,
    date: String,
    time: String,
    place: String,
    participants: String,
    items: Vec<ItemIn>,
    #[serde(default)]
    tasks: Vec<TaskIn>,
}

/// An agenda item as written.
#[derive(Deserialize)]
struct ItemIn {
    title: String,
    links: Vec<String>,
    minutes: String,
    decision: String,
}

/// A task as written (`item`: the number of its agenda item).
#[derive(Deserialize)]
struct TaskIn {
    title: String,
    owner: String,
    due: Option<String>,
    status: String,
    item: Option<usize>,
}

/// An activity as written.
#[derive(Deserialize)]
struct Activity0 {
    date: String,
    kind: String,
    title: String,
    partners: String,
    reach: Option<i64>,
}

fn actor(name: &str) -> Actor {
    Actor {
        name: name.into(),
        address: String::new(),
    }
}

/// Loads the meetings, activities and handled deliveries of the demo.
pub fn load(store: &Store, text: &str) -> Result<()> {
    let coop: Cooperation = serde_norway::from_str(text).context("examples/kooperation.yml")?;
    let bfi = actor("kimo demo");
    for m in &coop.meetings {
        let body = Body::parse(&m.body).with_context(|| format!("Gremium '{}'", m.body))?;
        let new = NewMeeting {
            body,
            title: &m.title,
            date: &m.date,
            time: &m.time,
            place: &m.place,
            participants: &m.participants,
        };
        let id = store.add_meeting(&new, &bfi)?;
        let mut items = Vec::new();
        for i in &m.items {
            let links: Vec<Link> = i.links.iter().filter_map(|l| Link::parse(l)).collect();
            let item = store.add_item(id, &i.title, &links, &bfi)?;
            store.set_minutes(item, &i.minutes, &i.decision, &bfi)?;
            items.push(item);
        }
        for t in &m.tasks {
            let item = t.item.and_then(|n| items.get(n - 1).copied());
            let task = store.add_task(id, item, &t.title, &t.owner, t.due.as_deref(), &bfi)?;
            let status = TaskStatus::parse(&t.status).unwrap_or(TaskStatus::Offen);
            if status != TaskStatus::Offen {
                store.set_task_status(task, status, &bfi)?;
            }
        }
    }
    for a in &coop.activities {
        let activity = Activity {
            id: 0,
            date: a.date.clone(),
            kind: a.kind.clone(),
            title: a.title.clone(),
            partners: a.partners.clone(),
            reach: a.reach,
            note: String::new(),
        };
        store.add_activity(&activity, &bfi)?;
    }
    deliveries(store, &bfi)
}

/// The contacts of the demo's Ämter, then the reminder scheduler run for each day of the last
/// weeks as `kimo serve` would have: the mails (to addresses of the reserved `example` domain) are
/// written by the real mailer into a temporary outbox, not sent, and recorded as sent.
/// After the evaluation, so that the digests count the demo's warnings.
pub fn reminders(store: &Store, text: &str) -> Result<()> {
    let coop: Cooperation = serde_norway::from_str(text).context("examples/kooperation.yml")?;
    let (r, bfi) = (&coop.reminders, &actor("kimo demo"));
    let lags = store.delivery_settings()?;
    for c in &r.contacts {
        let lag_days = lags
            .iter()
            .find(|s| s.indicator == c.indicator)
            .map_or(kimo_model::delivery::DEFAULT_LAG_DAYS, |s| s.lag_days);
        let setting = kimo_model::delivery::DeliverySetting {
            indicator: c.indicator.clone(),
            lag_days,
            contact: c.contact.clone(),
        };
        store.set_delivery_setting(&setting, bfi)?;
    }
    let outbox = std::env::temp_dir().join(format!("kimo-demo-ausgang-{}", std::process::id()));
    std::fs::create_dir_all(&outbox)?;
    let from = "Büro für Integration <integration@demo.kimo.example>";
    let sent = (|| -> Result<()> {
        let mut mailer = kimo_notify::Mailer::outbox(&outbox, from, "http://localhost:8080")?;
        mailer.digest_also_to(&r.digest_to)?;
        let today = chrono::Local::now().date_naive();
        let settings = kimo_notify::schedule::Settings::default();
        for back in (0..=r.weeks * 7).rev() {
            let day = today - chrono::Days::new(back);
            kimo_notify::run(store, &mailer, day, &settings)?;
        }
        Ok(())
    })();
    std::fs::remove_dir_all(&outbox)?;
    sent
}

/// One delivery accepted (ARB-01 2025, with the figure the demo holds) and one returned (SOZ-01
/// 2026, owed again), both through the submission steps.
fn deliveries(store: &Store, bfi: &Actor) -> Result<()> {
    // The plan first: the demo's data settle what they hold, the rest is owed.
    kimo_work::deliveries::sync(store, chrono::Local::now().date_naive())?;
    let find = |code: &str, period: &str| -> Result<Option<i64>> {
        Ok(store
            .deliveries(&DeliveryFilter {
                indicator: Some(code.into()),
                ..Default::default()
            })?
            .into_iter()
            .find(|d| d.period == period)
            .map(|d| d.id))
    };
    let submit = |delivery: i64, amt: &str, who: &str, file: &str| -> Result<i64> {
        let uploader = actor(who);
        let sid = store.add_submission(
            &NewSubmission {
                amt,
                file_name: "lieferung-demo.csv",
                bytes: file.as_bytes(),
                indicator: None,
                checked: Vec::new(),
                flags: Vec::new(),
                deliveries: vec![delivery],
            },
            &uploader,
        )?;
        store.submit_submission(sid, &[], &uploader)?;
        Ok(sid)
    };
    if let Some(d) = find("ARB-01", "2025")? {
        let sid = submit(
            d,
            "Agentur für Arbeit / Jobcenter",
            "jobcenter.demo",
            "Indikator;Zeitraum;Gebiet;Wert\nARB-01;2025;KA;63,1\n",
        )?;
        store.accept_submission(sid, None, bfi)?;
    }
    if let Some(d) = find("SOZ-01", "2026")? {
        let amt = store.delivery(d)?.amt;
        let sid = submit(
            d,
            &amt,
            "sozialamt.demo",
            "Indikator;Zeitraum;Gebiet;Wert\nSOZ-01;2026;KA;7,9\n",
        )?;
        store.return_submission(
            sid,
            "Bitte auch die Werte der Stadtteile liefern (Demo).",
            bfi,
        )?;
    }
    Ok(())
}
