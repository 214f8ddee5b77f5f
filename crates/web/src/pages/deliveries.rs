//! „Meine Lieferungen“ (`/lieferungen`, also `.json`): what an Amt owes (overdue, due, submitted,
//! done), for the Büro für Integration every Amt's, as a table and as a calendar by month; one
//! delivery (`/lieferungen/{id}`) with the form where the Büro für Integration sets its due date,
//! contact and a note; the lags and contacts per indicator (`/lieferungen/fristen`). Logged-in Ämter,
//! the Redaktion and administrators; made per viewer, never cached.

use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::format::local_date;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::delivery::{DEFAULT_LAG_DAYS, Delivery, DeliverySetting, DeliveryState};
use kimo_model::{Role, User};
use kimo_store::DeliveryFilter;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// Whom the deliveries of a viewer are: one Amt, or all for the Büro für Integration.
#[derive(Debug, Clone, PartialEq)]
pub enum Reach {
    /// The Redaktion and administrators: every Amt.
    All,
    /// An Amt user: the Amt's own.
    Amt(String),
}

/// The deliveries `user` sees, or why none.
pub fn reach(user: &User) -> Result<Reach, AppError> {
    match user.role {
        Role::Admin | Role::Redaktion => Ok(Reach::All),
        Role::Amt => match user.amt.as_deref().map(str::trim) {
            Some(a) if !a.is_empty() => Ok(Reach::Amt(a.to_string())),
            _ => Err(AppError::Forbidden(
                "Ihrem Konto ist kein Amt zugeordnet; das Büro für Integration trägt es ein."
                    .into(),
            )),
        },
        Role::Gremium => Err(AppError::Forbidden(
            "Lieferungen sehen die liefernden Ämter und das Büro für Integration.".into(),
        )),
    }
}

/// A delivery as a line of the page.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The delivery.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// The indicator's name.
    pub indicator_name: String,
    /// The period in words.
    pub period_label: String,
    /// The due date in German.
    pub due_text: String,
    /// Owed and past its due date.
    pub overdue: bool,
    /// The state in words („überfällig“ when overdue).
    pub state_label: String,
}

/// The deliveries of a viewer, grouped.
#[derive(Debug, Serialize)]
pub struct Deliveries {
    /// The Amt (None: every Amt).
    pub amt: Option<String>,
    /// Owed and past due.
    pub overdue: Vec<Line>,
    /// Owed, not yet due.
    pub due: Vec<Line>,
    /// Submitted, waiting for the review.
    pub submitted: Vec<Line>,
    /// Accepted, or the data arrived otherwise.
    pub done: Vec<Line>,
}

/// The lines of `list` for the page.
fn lines(
    st: &crate::Scope,
    list: Vec<Delivery>,
    today: chrono::NaiveDate,
) -> Result<Vec<Line>, AppError> {
    let inds = st.indicators()?;
    Ok(list
        .into_iter()
        .map(|d| {
            let overdue = d.overdue(today);
            Line {
                indicator_name: inds
                    .iter()
                    .find(|i| i.code == d.indicator)
                    .map_or(d.indicator.clone(), |i| i.name.clone()),
                period_label: d.period_label(),
                due_text: local_date(&d.due),
                state_label: match overdue {
                    true => "überfällig".into(),
                    false => d.state.label().into(),
                },
                overdue,
                delivery: d,
            }
        })
        .collect())
}

/// Today (local time).
fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// The deliveries `user` sees, grouped as of `today`; `amt` narrows the Büro für Integration's view.
pub fn deliveries(
    st: &crate::Scope,
    user: &User,
    amt: Option<&str>,
    today: chrono::NaiveDate,
) -> Result<Deliveries, AppError> {
    let amt = match reach(user)? {
        Reach::Amt(a) => Some(a),
        Reach::All => amt
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
    };
    let list = st.store.deliveries(&DeliveryFilter {
        amt: amt.clone(),
        ..Default::default()
    })?;
    let mut out = Deliveries {
        amt,
        overdue: Vec::new(),
        due: Vec::new(),
        submitted: Vec::new(),
        done: Vec::new(),
    };
    for l in lines(st, list, today)? {
        let group = match l.delivery.state {
            _ if l.overdue => &mut out.overdue,
            s if s.owed() => &mut out.due,
            DeliveryState::Eingereicht => &mut out.submitted,
            _ => &mut out.done,
        };
        group.push(l);
    }
    // The latest done first.
    out.done.reverse();
    Ok(out)
}

/// The calendar: the owed and submitted deliveries by month of their due date.
fn calendar(d: &Deliveries) -> Vec<(String, Vec<&Line>)> {
    let mut months: Vec<(String, Vec<&Line>)> = Vec::new();
    let mut open: Vec<&Line> = d.overdue.iter().chain(&d.due).chain(&d.submitted).collect();
    open.sort_by(|a, b| {
        (&a.delivery.due, &a.delivery.indicator).cmp(&(&b.delivery.due, &b.delivery.indicator))
    });
    for l in open {
        let month = l.delivery.due_date().map_or(String::new(), |d| {
            use chrono::Datelike;
            format!("{} {}", kimo_model::MONTHS[d.month0() as usize], d.year())
        });
        match months.last_mut() {
            Some((m, list)) if *m == month => list.push(l),
            _ => months.push((month, vec![l])),
        }
    }
    months
}

/// The query of `/lieferungen`.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    /// Only this Amt (the Büro für Integration's view).
    #[serde(default)]
    pub amt: String,
}

/// The viewer, or 403.
fn viewer(identity: &Identity) -> Result<Arc<(User, kimo_store::Session)>, AppError> {
    identity.0.clone().ok_or_else(|| {
        AppError::Forbidden("Lieferungen gibt es nach der Anmeldung (/anmelden).".into())
    })
}

/// `GET /lieferungen`.
pub async fn page(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    answer(st, identity, q, false).await
}

/// `GET /lieferungen.json`.
pub async fn page_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    answer(st, identity, q, true).await
}

async fn answer(
    st: Arc<AppState>,
    identity: Identity,
    q: ListQuery,
    json: bool,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let out = blocking(&st, move |st| {
        let d = deliveries(st, &me.0, Some(&q.amt), today())?;
        if json {
            return serde_json::to_string(&d).map_err(|e| AppError::Internal(e.to_string()));
        }
        let all = reach(&me.0)? == Reach::All;
        let mut amts: Vec<String> = match all {
            true => st
                .indicators()?
                .iter()
                .map(|i| i.department.trim().to_string())
                .filter(|a| !a.is_empty())
                .collect(),
            false => Vec::new(),
        };
        amts.sort();
        amts.dedup();
        let feed = st
            .store
            .calendar_feed_made(&me.0.name)?
            .map(|t| local_date(&t));
        let submissions: Vec<_> = st
            .store
            .submissions(d.amt.as_deref())?
            .into_iter()
            .filter(|s| s.state != kimo_model::delivery::SubmissionState::Angenommen)
            .map(|s| {
                (
                    s.id,
                    s.file_name.clone(),
                    s.state.label(),
                    local_date(&s.uploaded_at),
                    s.uploaded_by,
                    s.amt,
                )
            })
            .collect();
        render(
            "lieferungen.html",
            minijinja::context! {
                title => "Meine Lieferungen", demo => st.demo, internal => true,
                d => minijinja::value::Serde(&d), all => all, amts => amts,
                chosen => q.amt.trim(), months => minijinja::value::Serde(calendar(&d)),
                csrf => &me.1.csrf, feed => feed, submissions => submissions,
            },
        )
    })
    .await?;
    Ok(super::meetings::answer(json, out))
}

/// A delivery the viewer may see: an Amt only its own (another Amt's: 403).
fn visible(st: &crate::Scope, user: &User, id: i64) -> Result<Delivery, AppError> {
    let d = st.store.delivery(id).map_err(|e| match e {
        kimo_store::Error::NotFound(m) => AppError::NotFound(m),
        e => e.into(),
    })?;
    match reach(user)? {
        Reach::Amt(a) if a != d.amt => Err(AppError::Forbidden(format!(
            "Diese Lieferung gehört zu {}.",
            d.amt
        ))),
        _ => Ok(d),
    }
}

/// The page of one delivery.
fn one_page(
    st: &crate::Scope,
    me: &(User, kimo_store::Session),
    d: Delivery,
    errors: &[String],
    typed: Option<&DueForm>,
) -> Result<(StatusCode, String), AppError> {
    let manage = reach(&me.0)? == Reach::All;
    let line = lines(st, vec![d], today())?.remove(0);
    let log = st.store.audit_log(&kimo_store::AuditFilter {
        object: Some(format!("delivery:{}", line.delivery.id)),
        limit: 50,
        ..Default::default()
    })?;
    let may_upload = matches!(reach(&me.0)?, Reach::Amt(ref a) if *a == line.delivery.amt)
        && line.delivery.state.owed();
    let submissions: Vec<_> = st
        .store
        .submissions(Some(&line.delivery.amt))?
        .into_iter()
        .filter(|s| s.deliveries.contains(&line.delivery.id))
        .map(|s| {
            (
                s.id,
                s.file_name.clone(),
                s.state.label(),
                local_date(&s.uploaded_at),
                s.uploaded_by,
            )
        })
        .collect();
    let mails = reminders_of(st, line.delivery.id)?;
    let indicator_contact = st
        .store
        .delivery_settings()?
        .into_iter()
        .find(|s| s.indicator == line.delivery.indicator)
        .map(|s| s.contact)
        .unwrap_or_default();
    let form = match typed {
        Some(f) => (f.faellig.clone(), f.kontakt.clone(), f.notiz.clone()),
        None => (
            line.due_text.clone(),
            line.delivery.contact.clone(),
            line.delivery.note.clone(),
        ),
    };
    let body = render(
        "lieferung.html",
        minijinja::context! {
            title => format!("Lieferung {} {}", line.delivery.indicator, line.period_label),
            demo => st.demo, internal => true, l => minijinja::value::Serde(&line),
            manage => manage, csrf => &me.1.csrf, errors => errors.to_vec(), form => form,
            may_upload => may_upload, submissions => submissions, mails => mails,
            indicator_contact => indicator_contact,
            log => log.iter().map(|e| (local_date(&e.at), e.actor.clone(), e.action.clone(), e.after.clone())).collect::<Vec<_>>(),
        },
    )?;
    Ok((super::konzept_goals::status(errors), body))
}

/// `GET /lieferungen/{id}`.
pub async fn one(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let d = visible(st, &me.0, id)?;
        one_page(st, &me, d, &[], None)
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// The form that sets a delivery's due date, contact and note.
#[derive(Debug, Deserialize)]
pub struct DueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    faellig: String,
    #[serde(default)]
    kontakt: String,
    #[serde(default)]
    notiz: String,
}

/// Whether every comma-separated part of a contact is an e-mail address (empty: the Amt's accounts).
fn contact_ok(s: &str) -> bool {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .all(|p| {
            let (user, host) = p.split_once('@').unwrap_or(("", ""));
            !user.is_empty() && host.contains('.') && !p.contains(char::is_whitespace)
        })
}

/// `POST /lieferungen/{id}`: the Büro für Integration sets the due date, contact and note.
pub async fn set_due(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<DueForm>,
) -> Result<Response, AppError> {
    let me = checked(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        let d = visible(st, &me.0, id)?;
        if reach(&me.0)? != Reach::All {
            return Err(AppError::Forbidden(
                "Fristen setzt das Büro für Integration.".into(),
            ));
        }
        let mut errors = Vec::new();
        let due = super::meetings::iso_day(&form.faellig);
        if due.is_none() {
            errors.push(format!(
                "Fällig am „{}“: bitte ein Datum wie 31.03.2027.",
                form.faellig.trim()
            ));
        }
        if !contact_ok(&form.kontakt) {
            errors.push(format!(
                "Kontakt „{}“: bitte E-Mail-Adressen, durch Kommas getrennt.",
                form.kontakt.trim()
            ));
        }
        match (due, errors.is_empty()) {
            (Some(due), true) => {
                st.store
                    .set_delivery_due(id, &due, &form.kontakt, &form.notiz, &who)?;
                st.changed();
                Ok(None)
            }
            _ => one_page(st, &me, d, &errors, Some(&form)).map(Some),
        }
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&format!("/lieferungen/{id}")).into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

/// The lags page: every indicator with a responsible Amt, its periodicity, lag and contact.
fn lags_page(
    st: &crate::Scope,
    csrf: &str,
    values: &HashMap<String, String>,
    errors: &[String],
) -> Result<(StatusCode, String), AppError> {
    let rows: Vec<_> = st
        .indicators()?
        .iter()
        .filter(|i| !i.department.trim().is_empty())
        .map(|i| {
            minijinja::context! {
                code => &i.code, name => &i.name, amt => &i.department,
                periodicity => i.periodicity.label(),
                lag => values.get(&format!("f_{}", i.code)).cloned().unwrap_or_default(),
                contact => values.get(&format!("k_{}", i.code)).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let body = render(
        "lieferfristen.html",
        minijinja::context! {
            title => "Lieferfristen", demo => st.demo, internal => true, rows => rows,
            csrf => csrf, errors => errors.to_vec(), default => DEFAULT_LAG_DAYS,
        },
    )?;
    Ok((super::konzept_goals::status(errors), body))
}

/// The stored lags and contacts as the form's values.
fn lag_values(st: &crate::Scope) -> Result<HashMap<String, String>, AppError> {
    let set: HashMap<String, DeliverySetting> = st
        .store
        .delivery_settings()?
        .into_iter()
        .map(|s| (s.indicator.clone(), s))
        .collect();
    let mut v = HashMap::new();
    for i in st.indicators()?.iter() {
        let s = set.get(&i.code);
        v.insert(
            format!("f_{}", i.code),
            s.map_or(DEFAULT_LAG_DAYS, |s| s.lag_days).to_string(),
        );
        v.insert(
            format!("k_{}", i.code),
            s.map_or(String::new(), |s| s.contact.clone()),
        );
    }
    Ok(v)
}

/// The Büro für Integration, or 403.
fn manager(identity: &Identity) -> Result<Arc<(User, kimo_store::Session)>, AppError> {
    let me = viewer(identity)?;
    match reach(&me.0) {
        Ok(Reach::All) => Ok(me),
        _ => Err(AppError::Forbidden(
            "Lieferfristen setzt das Büro für Integration.".into(),
        )),
    }
}

/// A mail in the log: (when, German; what for; subject; recipients).
type MailLine = (String, String, String, String);

/// The reminders sent for one delivery, oldest first.
fn reminders_of(st: &crate::Scope, id: i64) -> Result<Vec<MailLine>, AppError> {
    let before = format!("lieferung-vorher:{id}:");
    let overdue = format!("lieferung-ueberfaellig:{id}:");
    let mut mails: Vec<MailLine> = st
        .store
        .mails(0)?
        .iter()
        .filter(|m| m.occasion.starts_with(&before) || m.occasion.starts_with(&overdue))
        .map(mail_line)
        .collect();
    mails.reverse();
    Ok(mails)
}

/// A sent mail as a line of the log.
fn mail_line(m: &kimo_store::SentMail) -> MailLine {
    let when = match m.state.as_str() {
        "gesendet" => local_date(&m.at),
        _ => format!("{} (Versand unterbrochen)", local_date(&m.at)),
    };
    (
        when,
        occasion_label(&m.occasion),
        m.subject.clone(),
        m.recipients.clone(),
    )
}

/// What a mail's occasion key means, in German: `lieferung-vorher:41:2027-03-31` → „Erinnerung
/// vor der Frist 31.03.2027 (Lieferung Nr. 41)“.
pub fn occasion_label(key: &str) -> String {
    let parts: Vec<&str> = key.split(':').collect();
    match parts.as_slice() {
        ["lieferung-vorher", id, due] => {
            format!(
                "Erinnerung vor der Frist {} (Lieferung Nr. {id})",
                local_date(due)
            )
        }
        ["lieferung-ueberfaellig", id, due, _] => format!(
            "Erinnerung: überfällig seit {} (Lieferung Nr. {id})",
            local_date(due)
        ),
        ["wochenbericht", week] => match week.split_once("-W") {
            Some((y, w)) => format!("Wochenbericht KW {w}/{y}"),
            None => format!("Wochenbericht {week}"),
        },
        _ => key.to_string(),
    }
}

/// `GET /lieferungen/erinnerungen`: every mail sent, newest first — for the Büro für Integration
/// (the addresses are personal data).
pub async fn mails(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    mail_log(st, identity, false).await
}

/// `GET /lieferungen/erinnerungen.json`.
pub async fn mails_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    mail_log(st, identity, true).await
}

/// The mail log in a format.
async fn mail_log(st: Arc<AppState>, identity: Identity, json: bool) -> Result<Response, AppError> {
    if reach(&viewer(&identity)?.0)? != Reach::All {
        return Err(AppError::Forbidden(
            "Die versandten Erinnerungen sieht das Büro für Integration.".into(),
        ));
    }
    let out = blocking(&st, move |st| {
        let sent = st.store.mails(0)?;
        if json {
            return serde_json::to_string(&sent).map_err(|e| AppError::Internal(e.to_string()));
        }
        let lines: Vec<MailLine> = sent.iter().map(mail_line).collect();
        render(
            "erinnerungen.html",
            minijinja::context! {
                title => "Versandte Erinnerungen", demo => st.demo, internal => true,
                mails => lines,
            },
        )
    })
    .await?;
    Ok(super::meetings::answer(json, out))
}

/// `GET /lieferungen/fristen`.
pub async fn lags(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    let me = manager(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let v = lag_values(st)?;
        lags_page(st, &me.1.csrf, &v, &[])
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `POST /lieferungen/fristen`: every changed lag and contact (`f_CODE`, `k_CODE`), checked first,
/// then the plan follows.
pub async fn save_lags(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    manager(&identity)?;
    let who = actor(&me.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        let stored = lag_values(st)?;
        let (mut changed, mut errors) = (Vec::new(), Vec::new());
        for i in st
            .indicators()?
            .iter()
            .filter(|i| !i.department.trim().is_empty())
        {
            let get = |k: &str| {
                form.get(&format!("{k}_{}", i.code))
                    .map(|s| s.trim().to_string())
            };
            let (Some(lag), Some(contact)) = (get("f"), get("k")) else {
                continue;
            };
            if stored.get(&format!("f_{}", i.code)) == Some(&lag)
                && stored.get(&format!("k_{}", i.code)) == Some(&contact)
            {
                continue;
            }
            match lag.parse::<i64>().ok().filter(|d| (0..=730).contains(d)) {
                None => errors.push(format!(
                    "{}: Frist „{lag}“ ist keine Zahl von 0 bis 730 Tagen.",
                    i.code
                )),
                Some(_) if !contact_ok(&contact) => errors.push(format!(
                    "{}: Kontakt „{contact}“: bitte E-Mail-Adressen, durch Kommas getrennt.",
                    i.code
                )),
                Some(d) => changed.push(DeliverySetting {
                    indicator: i.code.clone(),
                    lag_days: d,
                    contact,
                }),
            }
        }
        if !errors.is_empty() {
            return lags_page(st, &me.1.csrf, &form, &errors).map(Some);
        }
        for s in &changed {
            st.store.set_delivery_setting(s, &who)?;
        }
        kimo_work::deliveries::sync(&st.store, today())
            .map_err(|e| AppError::Internal(format!("{e:#}")))?;
        st.changed();
        Ok(None)
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to("/lieferungen").into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_contacts_as_typed() {
        let iso_day = super::super::meetings::iso_day;
        assert_eq!(iso_day(" 31.03.2027 ").as_deref(), Some("2027-03-31"));
        assert_eq!(iso_day("2027-03-31").as_deref(), Some("2027-03-31"));
        assert_eq!(iso_day("31.02.2027"), None);
        assert!(contact_ok(""));
        assert!(contact_ok("a.b@karlsruhe.de, statistik@karlsruhe.de"));
        assert!(!contact_ok("Frau Müller"));
        assert!(!contact_ok("a@b"));
    }
}
