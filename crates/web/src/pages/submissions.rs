//! A delivery in the browser: the Amt uploads a file for an owed delivery
//! (`POST /lieferungen/{id}/datei`, multipart with the CSRF token as a field or in `X-CSRF-Token`); kimo checks it like `kimo import` without writing a value and
//! shows the check (`/lieferungen/einreichungen/{sid}`): values new, changed and unchanged per
//! indicator, every problem with file, line and column, and the plausibility flags, each confirmed
//! with a reason before „einreichen“. The Büro für Integration reviews it and accepts (not the
//! uploader: four eyes; the figures are written all or nothing and the warnings evaluated) or
//! returns it with a comment. The original file stays downloadable.

use super::deliveries::{Reach, reach};
use crate::auth::{ClientAddr, Identity, actor, checked};
use crate::extract::Form;
use crate::format::local_date;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kimo_model::delivery::{Submission, SubmissionState};
use kimo_model::{Problem, User};
use std::collections::HashMap;
use std::sync::Arc;

/// The viewer, or 403.
fn viewer(identity: &Identity) -> Result<Arc<(User, kimo_store::Session)>, AppError> {
    identity.0.clone().ok_or_else(|| {
        AppError::Forbidden("Lieferungen gibt es nach der Anmeldung (/anmelden).".into())
    })
}

/// A submission the viewer may see: an Amt only its own.
fn visible(st: &crate::Scope, user: &User, sid: i64) -> Result<Submission, AppError> {
    let s = st.store.submission(sid).map_err(|e| match e {
        kimo_store::Error::NotFound(m) => AppError::NotFound(m),
        e => e.into(),
    })?;
    match reach(user)? {
        Reach::Amt(a) if a != s.amt => Err(AppError::Forbidden(format!(
            "Diese Einreichung gehört zu {}.",
            s.amt
        ))),
        _ => Ok(s),
    }
}

/// The check page of a file refused by its problems (nothing kept).
fn refused_page(
    st: &crate::Scope,
    delivery: i64,
    name: &str,
    problems: &[Problem],
) -> Result<(StatusCode, String), AppError> {
    let body = render(
        "einreichung.html",
        minijinja::context! {
            title => "Datei abgelehnt", demo => st.demo, internal => true,
            refused => true, delivery => delivery, file_name => name,
            problems => problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
        },
    )?;
    Ok((StatusCode::BAD_REQUEST, body))
}

/// The page of a submission for `me`: the check, the flags (with the reasons' fields while it is
/// the uploader's to submit), the review (the Büro für Integration's, not the uploader's).
fn page(
    st: &crate::Scope,
    me: &(User, kimo_store::Session),
    s: &Submission,
    errors: &[String],
    reasons: &HashMap<String, String>,
) -> Result<(StatusCode, String), AppError> {
    let deliveries: Vec<_> = s
        .deliveries
        .iter()
        .filter_map(|d| st.store.delivery(*d).ok())
        .map(|d| {
            (
                d.id,
                d.indicator.clone(),
                d.period_label(),
                local_date(&d.due),
                d.state.label(),
            )
        })
        .collect();
    let manage = reach(&me.0)? == Reach::All;
    let body = render(
        "einreichung.html",
        minijinja::context! {
            title => format!("Einreichung Nr. {}", s.id), demo => st.demo, internal => true,
            s => minijinja::value::Serde(s), state_label => s.state.label(),
            uploaded => local_date(&s.uploaded_at), reviewed => local_date(&s.reviewed_at),
            deliveries => deliveries, csrf => &me.1.csrf, errors => errors.to_vec(),
            reasons => reasons,
            may_submit => s.state == SubmissionState::Geprueft && s.uploaded_by == me.0.name,
            may_review => s.state == SubmissionState::Eingereicht && manage && s.uploaded_by != me.0.name,
            own_review => s.state == SubmissionState::Eingereicht && manage && s.uploaded_by == me.0.name,
        },
    )?;
    Ok((super::konzept_goals::status(errors), body))
}

/// The uploaded form: its CSRF token and the file.
struct Upload {
    csrf: String,
    name: String,
    bytes: Vec<u8>,
}

/// Reads the multipart form of an upload (fields `csrf` and `datei`).
async fn read_upload(mut mp: Multipart) -> Result<Upload, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::Refused(
            e.status(),
            format!(
                "Das Formular ist unvollständig oder zu groß: {}",
                e.body_text()
            ),
        )
    };
    let mut up = Upload {
        csrf: String::new(),
        name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => up.csrf = field.text().await.map_err(bad)?,
            Some("datei") => {
                up.name = field.file_name().unwrap_or("").to_string();
                up.bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    if up.name.trim().is_empty() || up.bytes.is_empty() {
        return Err(AppError::BadRequest(
            "Bitte eine Datei wählen (CSV, Excel, Open-SDG-CSV, GeoJSON).".into(),
        ));
    }
    Ok(up)
}

/// `POST /lieferungen/{id}/datei`: an Amt's file for one of its owed deliveries, checked.
pub async fn upload(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> Result<Response, AppError> {
    let form = read_upload(mp).await?;
    // The form's token, or (a program, a script) the `X-CSRF-Token` header.
    let csrf = match form.csrf.is_empty() {
        true => headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
        false => form.csrf.as_str(),
    };
    let me = checked(&identity, csrf)?;
    let who = actor(&me.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        let Reach::Amt(amt) = reach(&me.0)? else {
            return Err(AppError::Forbidden(
                "Dateien für eine Lieferung lädt das liefernde Amt hoch.".into(),
            ));
        };
        let d = st.store.delivery(id).map_err(|e| match e {
            kimo_store::Error::NotFound(m) => AppError::NotFound(m),
            e => e.into(),
        })?;
        if d.amt != amt {
            return Err(AppError::Forbidden(format!(
                "Diese Lieferung gehört zu {}.",
                d.amt
            )));
        }
        if !d.state.owed() {
            return Err(AppError::Conflict(format!(
                "Diese Lieferung ist {}.",
                d.state.label()
            )));
        }
        let up = kimo_work::upload::Upload {
            name: &form.name,
            bytes: &form.bytes,
            format: "auto",
            indicator: Some(&d.indicator),
            dry_run: true,
            actor: &who,
            only_amt: Some(&amt),
        };
        match kimo_work::deliveries::check(&st.store, &up, &amt)
            .map_err(|e| AppError::Internal(format!("{e:#}")))?
        {
            Ok(sid) => {
                st.changed();
                Ok(Ok(sid))
            }
            Err(problems) => refused_page(st, id, &form.name, &problems).map(Err),
        }
    })
    .await?;
    match outcome {
        Ok(sid) => Ok(Redirect::to(&format!("/lieferungen/einreichungen/{sid}")).into_response()),
        Err((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

/// `GET /lieferungen/einreichungen/{sid}`.
pub async fn show(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (code, body) = blocking(&st, move |st| {
        let s = visible(st, &me.0, sid)?;
        page(st, &me, &s, &[], &HashMap::new())
    })
    .await?;
    Ok(crate::respond::no_store(code, body))
}

/// `GET /lieferungen/einreichungen/{sid}/datei`: the original file.
pub async fn file(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (name, bytes) = blocking(&st, move |st| {
        visible(st, &me.0, sid)?;
        Ok(st.store.submission_file(sid)?)
    })
    .await?;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// What a step on a submission answers: None (done: back to its page) or a page with errors.
type Step = Result<Option<(StatusCode, String)>, AppError>;

/// A step on a submission the viewer may see, from a form with the session's CSRF token: `f` gets
/// the scope, the viewer, the submission, the actor and the form.
async fn step(
    st: Arc<AppState>,
    identity: Identity,
    addr: Option<Extension<ClientAddr>>,
    sid: i64,
    form: HashMap<String, String>,
    f: impl FnOnce(
        &crate::Scope,
        &(User, kimo_store::Session),
        Submission,
        &kimo_store::Actor,
        &HashMap<String, String>,
    ) -> Step
    + Send
    + 'static,
) -> Result<Response, AppError> {
    let me = checked(&identity, form.get("csrf").map_or("", String::as_str))?;
    let who = actor(&me.0.name, addr.as_ref());
    let outcome = blocking(&st, move |st| {
        let s = visible(st, &me.0, sid)?;
        let out = f(st, &me, s, &who, &form)?;
        if out.is_none() {
            st.changed();
        }
        Ok(out)
    })
    .await?;
    match outcome {
        None => Ok(Redirect::to(&format!("/lieferungen/einreichungen/{sid}")).into_response()),
        Some((code, body)) => Ok(crate::respond::no_store(code, body)),
    }
}

/// 403 unless the viewer is of the Büro für Integration.
fn reviewer(user: &User, message: &str) -> Result<(), AppError> {
    match reach(user)? {
        Reach::All => Ok(()),
        Reach::Amt(_) => Err(AppError::Forbidden(message.into())),
    }
}

/// `POST /lieferungen/einreichungen/{sid}/einreichen`: the uploader submits, with a reason per
/// flag (`grund_1`, …).
pub async fn submit(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(sid): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    step(st, identity, addr, sid, form, move |st, me, s, who, form| {
        let reasons: Vec<String> = (1..=s.flags.len())
            .map(|i| form.get(&format!("grund_{i}")).cloned().unwrap_or_default())
            .collect();
        let missing: Vec<String> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.trim().is_empty())
            .map(|(i, _)| format!("Hinweis {}: bitte begründen, warum der Wert stimmt – oder die Datei korrigieren und neu hochladen.", i + 1))
            .collect();
        if !missing.is_empty() && s.state == SubmissionState::Geprueft {
            return page(st, me, &s, &missing, form).map(Some);
        }
        st.store.submit_submission(sid, &reasons, who)?;
        Ok(None)
    })
    .await
}

/// `POST /lieferungen/einreichungen/{sid}/annehmen`: the Büro für Integration accepts (not the
/// uploader); the figures are written all or nothing, or the problems shown.
pub async fn accept(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(sid): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    step(st, identity, addr, sid, form, move |st, me, s, who, _| {
        reviewer(&me.0, "Lieferungen nimmt das Büro für Integration an.")?;
        match kimo_work::deliveries::accept(&st.store, sid, who) {
            Ok(Ok(_)) => Ok(None),
            Ok(Err(problems)) => {
                let errors: Vec<String> = problems.iter().map(ToString::to_string).collect();
                page(st, me, &s, &errors, &HashMap::new()).map(Some)
            }
            Err(e) => Err(AppError::Conflict(format!("{e:#}"))),
        }
    })
    .await
}

/// `POST /lieferungen/einreichungen/{sid}/zurueckgeben`: returned with a comment (`kommentar`).
pub async fn give_back(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(sid): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    step(
        st,
        identity,
        addr,
        sid,
        form,
        move |st, me, s, who, form| {
            reviewer(&me.0, "Lieferungen gibt das Büro für Integration zurück.")?;
            let comment = form.get("kommentar").map_or("", |c| c.trim());
            if comment.is_empty() {
                let errors =
                    ["Bitte sagen, was an der Lieferung fehlt oder falsch ist.".to_string()];
                return page(st, me, &s, &errors, &HashMap::new()).map(Some);
            }
            st.store.return_submission(sid, comment, who)?;
            Ok(None)
        },
    )
    .await
}
