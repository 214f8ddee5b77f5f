//! The reports (`/berichte`): Monitoringberichte and half-yearly presentations, internal (they
//! hold warnings). The Redaktion creates one for a year, chooses 1–2 focus topics and writes their
//! Sachstand and Empfehlungen; a draft is made afresh from the data whenever it is read. Releasing
//! freezes it: the HTML, PDF and DOCX files made at that moment are kept with their SHA-256 and the
//! data version, served exactly as released ever after, and the Fahrplan's milestone for such a report
//! is marked done.

use super::konzept_edit::{may_edit, viewer};
use super::meetings::{answer, change_as, field, iso_day};
use super::presentation::DeckView;
use super::report::{ReportView, build, default_title};
use crate::auth::{ClientAddr, Identity};
use crate::extract::Form;
use crate::format::local_date;
use crate::{AppError, AppState, blocking, render};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kimo_model::report::{Focus, MAX_FOCUS, Report, ReportKind, ReportState};
use std::collections::HashMap;
use std::sync::Arc;

/// Who makes reports, for a 403.
const KEEPER: &str = "Berichte erstellt das Büro für Integration.";

/// `GET /berichte`: every report, and for the Redaktion the form for a new one.
pub async fn list(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    list_in(st, identity, false).await
}

/// `GET /berichte.json`.
pub async fn list_json(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
) -> Result<Response, AppError> {
    list_in(st, identity, true).await
}

async fn list_in(st: Arc<AppState>, identity: Identity, json: bool) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let body = blocking(&st, move |st| {
        let all = st.store.reports()?;
        if json {
            return serde_json::to_string(&all).map_err(|e| AppError::Internal(e.to_string()));
        }
        let rows: Vec<_> = all
            .iter()
            .map(|r| {
                (
                    r.id,
                    r.kind.label(),
                    r.title.clone(),
                    r.year,
                    local_date(&r.key_date),
                    r.state.label(),
                )
            })
            .collect();
        let year = chrono::Local::now().format("%Y").to_string();
        render(
            "berichte.html",
            minijinja::context! {
                title => "Berichte", demo => st.demo, internal => true, rows => rows,
                manage => may_edit(&me.0), csrf => &me.1.csrf, year => year,
            },
        )
    })
    .await?;
    Ok(answer(json, body))
}

/// `POST /berichte`: a new draft (`art`, `jahr`, `stichtag`, optional `titel`).
pub async fn add(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, |st, who, form| {
        let kind = ReportKind::parse(field(form, "art"))
            .ok_or_else(|| AppError::BadRequest("Bitte eine Berichtsart wählen.".into()))?;
        let year: i32 = field(form, "jahr").parse().map_err(|_| {
            AppError::BadRequest(format!("Jahr „{}“: bitte wie 2025.", field(form, "jahr")))
        })?;
        let key_date = match field(form, "stichtag") {
            "" => format!("{year}-12-31"),
            d => key_date_of(d)?,
        };
        let title = match field(form, "titel") {
            "" => default_title(kind, year, &super::overview::city_name(st)?),
            t => t.to_string(),
        };
        let r = Report {
            id: 0,
            kind,
            year,
            key_date,
            title,
            state: ReportState::Entwurf,
            focus: Vec::new(),
            released: None,
            data_version: None,
        };
        let id = st.store.add_report(&r, who)?;
        Ok(format!("/berichte/{id}"))
    })
    .await
}

/// A key date as typed (`31.12.2025` or ISO) in ISO form, or a 400.
fn key_date_of(typed: &str) -> Result<String, AppError> {
    iso_day(typed)
        .ok_or_else(|| AppError::BadRequest(format!("Stichtag „{typed}“: bitte wie 31.12.2025.")))
}

/// The report of a path segment (`3`, `3.json`).
fn report_of(st: &crate::Scope, id: &str) -> Result<Report, AppError> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(AppError::NotFound(format!(
            "Einen Bericht {} gibt es nicht.",
            kimo_model::quote(id)
        )));
    };
    Ok(st.store.report(id)?)
}

/// A report made from the data: a Monitoringbericht's view or a presentation's.
pub enum Made {
    /// A Monitoringbericht.
    Report(ReportView),
    /// A half-yearly presentation.
    Deck(DeckView),
}

impl Made {
    /// The report made from the data as they are now.
    pub fn of(st: &crate::Scope, r: &Report) -> Result<Made, AppError> {
        Ok(match r.kind {
            ReportKind::Monitoringbericht => Made::Report(build(st, r)?),
            ReportKind::Praesentation => Made::Deck(super::presentation::build(st, r)?),
        })
    }

    /// The view for the templates.
    fn view(&self) -> minijinja::Value {
        match self {
            Made::Report(v) => minijinja::Value::from(minijinja::value::Serde(v)),
            Made::Deck(v) => minijinja::Value::from(minijinja::value::Serde(v)),
        }
    }

    /// The view as JSON (the `.json` twin and the PDF's data).
    fn json(&self) -> Result<Vec<u8>, AppError> {
        match self {
            Made::Report(v) => serde_json::to_vec(v),
            Made::Deck(v) => serde_json::to_vec(v),
        }
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// The report as stored.
    fn report(&self) -> &Report {
        match self {
            Made::Report(v) => &v.head.report,
            Made::Deck(v) => &v.head.report,
        }
    }

    /// The data version it is made from.
    fn data_version(&self) -> i64 {
        match self {
            Made::Report(v) => v.head.data_version,
            Made::Deck(v) => v.head.data_version,
        }
    }

    /// Its charts by file name (`ARB-03-verlauf.svg`, `ARB-03-karte.svg`; the narrow layout as
    /// `ARB-03-verlauf-schmal.svg`), the empty ones left out.
    fn svgs(&self) -> Vec<(String, &str)> {
        let charts: Vec<(&str, &str, &(String, String))> = match self {
            Made::Report(v) => v
                .focus
                .iter()
                .flat_map(|f| &f.indicators)
                .flat_map(|a| {
                    [
                        (a.code.as_str(), "verlauf", &a.chart_svg),
                        (a.code.as_str(), "karte", &a.map_svg),
                    ]
                })
                .collect(),
            Made::Deck(v) => v
                .fields
                .iter()
                .map(|f| (f.code.as_str(), "verlauf", &f.chart_svg))
                .collect(),
        };
        charts
            .into_iter()
            .flat_map(|(code, what, (wide, narrow))| {
                [
                    (format!("{code}-{what}.svg"), wide.as_str()),
                    (format!("{code}-{what}-schmal.svg"), narrow.as_str()),
                ]
            })
            .filter(|(_, svg)| !svg.is_empty())
            .collect()
    }

    /// The charts as safe markup for the templates, by file name.
    fn charts(&self) -> minijinja::Value {
        self.svgs()
            .into_iter()
            .map(|(name, svg)| (name, minijinja::Value::from_safe_string(svg.to_string())))
            .collect::<std::collections::BTreeMap<String, minijinja::Value>>()
            .into()
    }

    /// The city's logo, if there is one.
    fn logo(&self) -> Option<&kimo_store::Logo> {
        match self {
            Made::Report(v) => v.head.logo_file.as_ref(),
            Made::Deck(v) => v.head.logo_file.as_ref(),
        }
    }

    /// The logo as a `data:` address for the HTML (none without a logo).
    fn logo_uri(&self) -> Option<String> {
        use base64::Engine as _;
        self.logo().map(|l| {
            format!(
                "data:{};base64,{}",
                l.mime,
                base64::engine::general_purpose::STANDARD.encode(&l.bytes)
            )
        })
    }

    /// The template of its content.
    fn content(&self) -> &'static str {
        match self {
            Made::Report(_) => "bericht_inhalt.html",
            Made::Deck(_) => "praesentation_inhalt.html",
        }
    }
}

/// The report as a document of its own (inline style, no script): the file kept at release.
pub fn document(m: &Made) -> Result<String, AppError> {
    render(
        "bericht_dokument.html",
        minijinja::context! {
            v => m.view(), charts => m.charts(), inhalt => m.content(), logo => m.logo_uri(),
        },
    )
}

/// `GET /berichte/{id}` (also `.json`): a draft made from the data now, with the forms for the
/// Redaktion; a released report with its data and the files as released.
pub async fn one(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(segment): Path<String>,
) -> Result<Response, AppError> {
    let me = viewer(&identity)?;
    let (id, format) = crate::Format::split(&segment);
    let id = id.to_string();
    let json = format == crate::Format::Json;
    let body = blocking(&st, move |st| {
        let r = report_of(st, &id)?;
        let m = Made::of(st, &r)?;
        if json {
            return String::from_utf8(m.json()?).map_err(|e| AppError::Internal(e.to_string()));
        }
        let fields: Vec<_> = st
            .action_fields()?
            .iter()
            .map(|f| (f.code.clone(), f.name.clone()))
            .collect();
        let mut focus = r.focus.clone();
        focus.resize(MAX_FOCUS, Focus::default());
        // The day in local time, as the released files say it.
        let released_on = r.released.as_ref().map(|(at, _)| {
            chrono::DateTime::parse_from_rfc3339(at).map_or_else(
                |_| local_date(at.get(..10).unwrap_or(at)),
                |t| {
                    t.with_timezone(&chrono::Local)
                        .format("%d.%m.%Y")
                        .to_string()
                },
            )
        });
        render(
            "bericht.html",
            minijinja::context! {
                title => r.title.clone(), demo => st.demo, internal => true,
                v => m.view(), charts => m.charts(), inhalt => m.content(),
                logo => m.logo_uri(),
                manage => may_edit(&me.0) && r.state == ReportState::Entwurf,
                released => r.state == ReportState::Freigegeben, released_on => released_on,
                csrf => &me.1.csrf, fields => fields,
                focus => minijinja::value::Serde(&focus),
                council => minijinja::value::Serde(crate::format::council_papers(&st.store, &format!("bericht:{}", r.id))?),
            },
        )
    })
    .await?;
    Ok(answer(json, body))
}

/// `POST /berichte/{id}`: title, key date and the focus topics (`s1_titel`, `s1_feld`,
/// `s1_indikatoren`, `s1_sachstand`, `s1_empfehlungen`, the same with `s2_`) of a draft; live
/// figure references are checked.
pub async fn save(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, form| {
        let mut r = st.store.report(id)?;
        r.title = field(form, "titel").to_string();
        if let Some(d) = form.get("stichtag") {
            r.key_date = key_date_of(d)?;
        }
        r.focus = focus_from(st, form)?;
        st.store.update_report(&r, who)?;
        Ok(format!("/berichte/{id}"))
    })
    .await
}

/// The focus topics of the form, checked against the catalogue (empty topics left out).
fn focus_from(st: &crate::Scope, form: &HashMap<String, String>) -> Result<Vec<Focus>, AppError> {
    let indicators = st.indicators()?;
    let fields = st.action_fields()?;
    let cx = kimo_work::konzept::Context {
        indicators: indicators.as_ref().clone(),
        areas: st.areas()?.as_ref().clone(),
        dimensions: st.dimensions()?.as_ref().clone(),
    };
    let mut out = Vec::new();
    for n in 1..=MAX_FOCUS {
        let get = |k: &str| field(form, &format!("s{n}_{k}")).to_string();
        let field_code = Some(get("feld")).filter(|f| !f.is_empty());
        if let Some(f) = &field_code
            && !fields.iter().any(|x| &x.code == f)
        {
            return Err(AppError::BadRequest(format!(
                "Schwerpunkt {n}: das Handlungsfeld „{f}“ gibt es nicht."
            )));
        }
        let codes: Vec<String> = get("indikatoren")
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        if let Some(c) = codes
            .iter()
            .find(|c| !indicators.iter().any(|i| &i.code == *c))
        {
            return Err(AppError::BadRequest(format!(
                "Schwerpunkt {n}: den Indikator „{c}“ gibt es nicht."
            )));
        }
        let mut title = get("titel");
        if title.is_empty()
            && let Some(f) = fields.iter().find(|x| Some(&x.code) == field_code.as_ref())
        {
            title = f.name.clone();
        }
        let (sachstand, empfehlungen) = (get("sachstand"), get("empfehlungen"));
        for (what, text) in [("Sachstand", &sachstand), ("Empfehlungen", &empfehlungen)] {
            if let Err(errors) = kimo_konzept::refs::check(text, &cx.catalogue()) {
                let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
                return Err(AppError::BadRequest(format!(
                    "Schwerpunkt {n}, {what}: {first}"
                )));
            }
        }
        if title.is_empty() && codes.is_empty() && sachstand.is_empty() && empfehlungen.is_empty() {
            continue;
        }
        out.push(Focus {
            title,
            field: field_code,
            indicators: codes,
            sachstand,
            empfehlungen,
        });
    }
    Ok(out)
}

/// `POST /berichte/{id}/freigeben`: freezes a draft with its document made now, records the data
/// version and marks the Fahrplan's milestone done.
pub async fn release(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    addr: Option<Extension<ClientAddr>>,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    change_as(st, identity, addr, form, KEEPER, move |st, who, _| {
        let r = st.store.report(id)?;
        release_report(st, &r, who)?;
        Ok(format!("/berichte/{id}"))
    })
    .await
}

/// Releases a report: its files made now, kept as released (also for `kimo bericht`). Returns the
/// milestone marked done, if any.
pub fn release_report(
    st: &crate::Scope,
    r: &Report,
    who: &kimo_store::Actor,
) -> Result<kimo_store::Released, AppError> {
    // The files say what they are: released, today, by whom.
    let mut frozen = r.clone();
    frozen.state = ReportState::Freigegeben;
    frozen.released = Some((chrono::Utc::now().to_rfc3339(), who.name.clone()));
    let m = Made::of(st, &frozen)?;
    let html = document(&m)?;
    let on = match r.kind {
        ReportKind::Praesentation => chrono::NaiveDate::parse_from_str(&r.key_date, "%Y-%m-%d")
            .unwrap_or_else(|_| chrono::Local::now().date_naive()),
        ReportKind::Monitoringbericht => chrono::Local::now().date_naive(),
    };
    let now = chrono::Utc::now().naive_utc();
    let (pdf, _) = pdf(&m, now)?;
    let docx = super::report_docx::docx(&m, now)?;
    let files: [(&str, &[u8]); 3] = [("html", html.as_bytes()), ("pdf", &pdf), ("docx", &docx)];
    Ok(st
        .store
        .release_report(r.id, &files, m.data_version(), on, who)?)
}

/// The Monitoringbericht of a year, made as a draft (default title, no focus topics) when there is
/// none; the second value says whether it was made now.
pub fn year_report(
    st: &crate::Scope,
    year: i32,
    who: &kimo_store::Actor,
) -> Result<(Report, bool), AppError> {
    find_or_make(
        st,
        ReportKind::Monitoringbericht,
        &format!("{year}-12-31"),
        who,
    )
}

/// The presentation for a meeting's day (ISO), made as a draft when there is none; the second
/// value says whether it was made now.
pub fn presentation_report(
    st: &crate::Scope,
    day: &str,
    who: &kimo_store::Actor,
) -> Result<(Report, bool), AppError> {
    find_or_make(st, ReportKind::Praesentation, day, who)
}

/// A report of a kind for a key date: a Monitoringbericht by its year, a presentation by its day.
fn find_or_make(
    st: &crate::Scope,
    kind: ReportKind,
    key_date: &str,
    who: &kimo_store::Actor,
) -> Result<(Report, bool), AppError> {
    let year: i32 = key_date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
    if let Some(r) = st.store.reports()?.into_iter().find(|r| {
        r.kind == kind
            && match kind {
                ReportKind::Monitoringbericht => r.year == year,
                ReportKind::Praesentation => r.key_date == key_date,
            }
    }) {
        return Ok((r, false));
    }
    let r = Report {
        id: 0,
        kind,
        year,
        key_date: key_date.to_string(),
        title: default_title(kind, year, &super::report::city(st)?.0),
        state: ReportState::Entwurf,
        focus: Vec::new(),
        released: None,
        data_version: None,
    };
    let id = st.store.add_report(&r, who)?;
    Ok((st.store.report(id)?, true))
}

/// A report as PDF (Typst, PDF/UA-1) made now from its view: the view's JSON is the document's
/// data, the charts its images. Returns the PDF and its number of pages.
pub fn pdf(m: &Made, made: chrono::NaiveDateTime) -> Result<(Vec<u8>, usize), AppError> {
    let data = m.json()?;
    // The PDF's pages are wide: the wide charts.
    let mut files: Vec<(String, Vec<u8>)> = m
        .svgs()
        .into_iter()
        .filter(|(name, _)| !name.ends_with("-schmal.svg"))
        .map(|(name, svg)| (format!("/grafik/{name}"), svg.as_bytes().to_vec()))
        .collect();
    if let Some(l) = m.logo() {
        files.push((format!("/logo.{}", l.extension()), l.bytes.clone()));
    }
    let template = match m {
        Made::Report(_) => kimo_report::MONITORINGBERICHT,
        Made::Deck(_) => kimo_report::PRAESENTATION,
    };
    let input = kimo_report::Input {
        template,
        data: &data,
        files,
        ident: &format!("kimo-bericht-{}", m.report().id),
        made,
    };
    kimo_report::pdf(&input).map_err(|e| AppError::Internal(format!("PDF des Berichts: {e}")))
}

/// A report's PDF made anew from the data (also for a released one: the benchmark); the PDF and
/// its number of pages.
pub fn pdf_anew(st: &crate::Scope, r: &Report) -> Result<(Vec<u8>, usize), AppError> {
    pdf(&Made::of(st, r)?, chrono::Utc::now().naive_utc())
}

/// A report's DOCX made anew from the data (the benchmark).
pub fn docx_anew(st: &crate::Scope, r: &Report) -> Result<Vec<u8>, AppError> {
    super::report_docx::docx(&Made::of(st, r)?, chrono::Utc::now().naive_utc())
}

/// A report's file in a format (`html`, `pdf`, `docx`): as released, byte for byte, or (a draft)
/// made now. A report released before kimo kept that format has none: made now it would show
/// today's data under the release's name.
pub fn file_in(st: &crate::Scope, r: &Report, format: &str) -> Result<Vec<u8>, AppError> {
    if let Some(f) = st.store.report_file(r.id, format)? {
        return Ok(f.bytes);
    }
    if r.state == ReportState::Freigegeben {
        return Err(AppError::NotFound(format!(
            "Der Bericht Nr. {} wurde freigegeben, bevor kimo ihn als {} aufbewahrte; er ist als \
             HTML und PDF da.",
            r.id,
            format.to_uppercase()
        )));
    }
    let m = Made::of(st, r)?;
    let now = chrono::Utc::now().naive_utc();
    match format {
        "pdf" => Ok(pdf(&m, now)?.0),
        "docx" => super::report_docx::docx(&m, now),
        _ => Ok(document(&m)?.into_bytes()),
    }
}

/// The DOCX file's media type.
pub const DOCX_MIME: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `GET /berichte/{id}/bericht.pdf`: the PDF — as released, byte for byte, or (a draft) made now.
pub async fn pdf_file(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    download(st, identity, id, "pdf", "application/pdf").await
}

/// `GET /berichte/{id}/bericht.docx`: the Word document — as released, byte for byte, or (a
/// draft) made now.
pub async fn docx_file(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    download(st, identity, id, "docx", DOCX_MIME).await
}

/// A report's file as a download (`monitoringbericht-2025.pdf`), never cached.
async fn download(
    st: Arc<AppState>,
    identity: Identity,
    id: i64,
    format: &'static str,
    mime: &'static str,
) -> Result<Response, AppError> {
    viewer(&identity)?;
    let (bytes, name) = blocking(&st, move |st| {
        let r = st.store.report(id)?;
        let name = format!("{}-{}.{format}", r.kind.code(), r.year);
        Ok((file_in(st, &r, format)?, name))
    })
    .await?;
    let page = crate::Page::download(mime, &name, bytes);
    let mut res = page.into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `GET /berichte/{id}/bericht.html`: the document — as released, byte for byte, or (a draft)
/// made now.
pub async fn file(
    State(st): State<Arc<AppState>>,
    Extension(identity): Extension<Identity>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    viewer(&identity)?;
    let bytes = blocking(&st, move |st| file_in(st, &st.store.report(id)?, "html")).await?;
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The document carries its own style and no script.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:"),
    );
    Ok(res)
}
