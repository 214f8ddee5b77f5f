//! The calendar feed (iCalendar, RFC 5545) of a user: the deliveries the user sees with their due
//! dates and the meetings, as events that Outlook and other calendars subscribe to. A calendar program sends
//! no session cookie, so the feed's address carries a secret of its own (`/kalender/SECRET.ics`,
//! stored as its hash; a new one replaces the old). Made with the `icalendar` crate.

use super::deliveries::{Reach, reach};
use crate::auth::{ClientAddr, Identity, actor, checked_browser};
use crate::extract::Form;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use kimo_model::User;
use kimo_model::delivery::{Delivery, DeliveryState};
use kimo_store::DeliveryFilter;
use serde::Deserialize;
use std::sync::Arc;

/// The calendar of the deliveries `user` sees; `base` is the server's address for the links.
pub fn deliveries_calendar(
    list: &[Delivery],
    names: &dyn Fn(&str) -> String,
    base: &str,
) -> Calendar {
    let mut cal = Calendar::new();
    cal.name("kimo: Datenlieferungen")
        .description("Fällige Datenlieferungen an das Integrationsmonitoring");
    for d in list {
        let Some(day) = d.due_date() else { continue };
        let status = match d.state {
            DeliveryState::Angenommen | DeliveryState::Vorhanden => EventStatus::Cancelled,
            _ => EventStatus::Confirmed,
        };
        let summary = format!(
            "Datenlieferung {} {} fällig ({})",
            d.indicator,
            d.period_label(),
            d.amt
        );
        let description = format!(
            "{} – {}\nZeitraum: {}\nStand: {}\n{base}/lieferungen/{}",
            d.indicator,
            names(&d.indicator),
            d.period_label(),
            d.state.label(),
            d.id
        );
        cal.push(
            Event::new()
                .uid(&format!("lieferung-{}@kimo", d.id))
                .summary(&summary)
                .description(&description)
                .starts(day)
                .ends(day.succ_opt().unwrap_or(day))
                .url(&format!("{base}/lieferungen/{}", d.id))
                .status(status)
                .done(),
        );
    }
    cal.done()
}

/// Adds the meetings as events (a day's event, or from its time for two hours).
pub fn add_meetings(cal: &mut Calendar, meetings: &[kimo_model::meeting::Meeting], base: &str) {
    for m in meetings {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&m.date, "%Y-%m-%d") else {
            continue;
        };
        let mut e = Event::new();
        e.uid(&format!("sitzung-{}@kimo", m.id))
            .summary(&format!("{} ({})", m.title, m.body.label()))
            .description(&format!(
                "{}\n{}",
                m.items
                    .iter()
                    .map(|i| format!("TOP {}: {}", i.number, i.title))
                    .collect::<Vec<_>>()
                    .join("\n"),
                format_args!("{base}/sitzungen/{}", m.id)
            ))
            .url(&format!("{base}/sitzungen/{}", m.id));
        if !m.place.is_empty() {
            e.location(&m.place);
        }
        match chrono::NaiveTime::parse_from_str(&m.time, "%H:%M") {
            Ok(t) => {
                let start = day.and_time(t);
                e.starts(start).ends(start + chrono::Duration::hours(2));
            }
            Err(_) => {
                e.starts(day).ends(day.succ_opt().unwrap_or(day));
            }
        }
        cal.push(e.done());
    }
}

/// The server's address as the browser used it (for links in the feed and the address to
/// subscribe to).
fn base(headers: &HeaderMap, https: bool) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// Whether the request came over HTTPS (behind a proxy that says so).
fn https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// The form that makes a feed address.
#[derive(Debug, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /lieferungen/kalender`: a new secret address for the user's calendar (the old one stops
/// working); shown once.
pub async fn make_feed(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> Result<Response, AppError> {
    let me = checked_browser(&identity, &form.csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let url = format!("{}/kalender/", base(&headers, https(&headers)));
    let body = blocking(&st, move |st| {
        let token = kimo_auth::new_token();
        st.store
            .set_calendar_feed(&me.0.name, &kimo_auth::token_hash(&token), &who)?;
        render(
            "kalender.html",
            minijinja::context! {
                title => "Kalender abonnieren", demo => st.demo, internal => true,
                url => format!("{url}{token}.ics"),
            },
        )
    })
    .await?;
    Ok(crate::respond::no_store(StatusCode::OK, body))
}

/// `GET /kalender/{SECRET}.ics`: the feed.
pub async fn feed(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let missing = || AppError::NotFound("Diesen Kalender gibt es nicht (mehr).".into());
    let Some(token) = file.strip_suffix(".ics").filter(|t| !t.is_empty()) else {
        return Err(missing());
    };
    let hash = kimo_auth::token_hash(token);
    let base = base(&headers, https(&headers));
    let text = blocking(&st, move |st| {
        let user: User = st.store.calendar_feed_user(&hash)?.ok_or_else(missing)?;
        let filter = match reach(&user) {
            Ok(Reach::All) => Some(DeliveryFilter::default()),
            Ok(Reach::Amt(a)) => Some(DeliveryFilter {
                amt: Some(a),
                ..Default::default()
            }),
            Err(_) => None,
        };
        let list = match filter {
            Some(f) => st.store.deliveries(&f)?,
            None => Vec::new(),
        };
        let inds = st.indicators()?;
        let names = |code: &str| {
            inds.iter()
                .find(|i| i.code == code)
                .map_or(code.to_string(), |i| i.name.clone())
        };
        let mut cal = deliveries_calendar(&list, &names, &base);
        add_meetings(&mut cal, &st.store.meetings()?, &base);
        Ok(cal.to_string())
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}
