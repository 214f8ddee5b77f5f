//! The Integrationskonzept's pages: `/konzept` (the version in force, public), `/konzept/{id}` (a
//! version: decided, replaced and earlier ones for everyone, drafts for those logged in, with the
//! comments of the Beratungsprozess), `/konzept/versionen` and `/konzept/vergleich?von=…&bis=…`
//! (word-level differences section by section); each also as JSON. Texts are rendered with live
//! figures; a decided version shows the figure at its decision beside the current one.

use crate::respond::{Format, Page, View, respond};
use crate::{AppError, AppState, Scope, blocking};
use axum::extract::{Path, Query, State};
use kimo_konzept::markdown::{self, Shown};
use kimo_model::konzept::{Figure, Measure, Project, Version, VersionState, german_when};
use kimo_store::Comment;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A text as written and as shown.
#[derive(Debug, Serialize)]
pub struct Text {
    /// The Markdown.
    pub markdown: String,
    /// The sanitised HTML with live figures.
    pub html: String,
    /// Its words.
    pub words: usize,
    /// Its blocks with the figures as values (for the PDF, which sets the text itself).
    pub blocks: Vec<markdown::Block>,
}

/// A goal with its progress.
#[derive(Debug, Serialize)]
pub struct GoalView {
    /// Id.
    pub id: String,
    /// The goal.
    pub text: Text,
    /// How it is measured.
    pub measure: Option<Measure>,
    /// The measure in words („Arbeitslosenquote, nichtdeutsch: sinken auf 7,0 % bis 2030“).
    pub measure_text: Option<String>,
    /// Progress class code (Open SDG) and German label; None when not measurable (yet).
    pub progress: Option<(String, String)>,
    /// The latest value in words.
    pub latest: Option<String>,
}

/// A Leitprojekt as shown.
#[derive(Debug, Serialize)]
pub struct ProjectView {
    /// The project.
    pub project: Project,
    /// Its description.
    pub description: Text,
    /// The names of its Stadtteile.
    pub areas: Vec<String>,
    /// Start and end in German („03/2027 bis 2029“, „–“ without a start).
    pub period: String,
    /// The goals it serves: (id, number of the goal in its Handlungsfeld).
    pub goals: Vec<(String, usize)>,
    /// Its changes of state: (state, German date).
    pub history: Vec<(String, String)>,
}

/// A core indicator with its current value.
#[derive(Debug, Serialize)]
pub struct CoreView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The value with period, or „–“.
    pub value: String,
}

/// One Handlungsfeld's part.
#[derive(Debug, Serialize)]
pub struct FieldPart {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Ausgangslage.
    pub situation: Text,
    /// Ziele.
    pub goals: Vec<GoalView>,
    /// Kernindikatoren.
    pub core: Vec<CoreView>,
    /// Leitprojekte.
    pub projects: Vec<ProjectView>,
}

/// The head of a version.
#[derive(Debug, Serialize)]
pub struct Head {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// State code.
    pub state: VersionState,
    /// State label.
    pub state_label: String,
    /// Decision date (ISO, or a year).
    pub decided_on: Option<String>,
    /// The same in German (`24.11.2026`).
    pub decided_text: Option<String>,
    /// Body.
    pub body: Option<String>,
    /// Vorlage.
    pub vorlage: Option<String>,
    /// Council paper link.
    pub paper_url: Option<String>,
    /// PDF link.
    pub pdf_url: Option<String>,
    /// The version it was copied from.
    pub based_on: Option<i64>,
}

/// A version as a page.
#[derive(Debug, Serialize)]
pub struct KonzeptView {
    /// The head.
    pub version: Head,
    /// Whether it is the version in force.
    pub in_force: bool,
    /// Integrationsverständnis.
    pub understanding: Text,
    /// Leitlinien.
    pub guidelines: Vec<Text>,
    /// Handlungsfelder.
    pub fields: Vec<FieldPart>,
    /// Words in all texts, and minutes to read them.
    pub words: (usize, usize),
    /// Comments of the Beratungsprozess (internal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<Vec<CommentView>>,
    /// The council papers it refers to (Beschlussvorlage, Sitzung).
    pub council: Vec<crate::format::PaperLink>,
    /// The forms for the logged-in viewer (HTML only; the page is then made for that viewer).
    #[serde(skip)]
    pub forms: Option<Forms>,
}

/// A comment with the title of its section.
#[derive(Debug, Serialize)]
pub struct CommentView {
    /// The comment.
    #[serde(flatten)]
    pub comment: Comment,
    /// The section's title, e.g. „Arbeit und Beschäftigung: Ziele“.
    pub section_title: String,
}

/// What the logged-in viewer may do on a version's page.
#[derive(Debug, Serialize)]
pub struct Forms {
    /// The session's CSRF token.
    pub csrf: String,
    /// Edit texts (the Redaktion and administrators, on an editable version).
    pub edit: bool,
    /// Move the state, begin a Fortschreibung, answer comments.
    pub manage: bool,
    /// Comment (a version in Beratung).
    pub comment: bool,
    /// The states it may move to: (code, label).
    pub next: Vec<(String, String)>,
    /// The sections to comment on: (key, title).
    pub sections: Vec<(String, String)>,
}

impl View for KonzeptView {
    const TEMPLATE: &'static str = "konzept.html";
    const CSV: bool = false;
    fn title(&self) -> String {
        self.version.title.clone()
    }
    fn path(&self) -> String {
        match self.in_force {
            true => "/konzept".into(),
            false => format!("/konzept/{}", self.version.id),
        }
    }
    fn html_extra(&self, _st: &Scope) -> Result<minijinja::Value, AppError> {
        Ok(match &self.forms {
            Some(f) => minijinja::Value::from(minijinja::value::Serde(f)),
            None => minijinja::Value::UNDEFINED,
        })
    }
}

/// The forms of a version's page for `user`.
pub fn forms(
    st: &Scope,
    v: &Version,
    user: &kimo_model::User,
    csrf: &str,
) -> Result<Forms, AppError> {
    let manage = super::konzept_edit::may_edit(user);
    let names = st.action_fields()?;
    let name = |code: &str| {
        names
            .iter()
            .find(|a| a.code == code)
            .map_or(code.to_string(), |a| a.name.clone())
    };
    Ok(Forms {
        csrf: csrf.to_string(),
        edit: manage && v.state.editable(),
        manage,
        comment: v.state == VersionState::InBeratung,
        next: v
            .state
            .next()
            .iter()
            .map(|s| (s.code().to_string(), s.label().to_string()))
            .collect(),
        sections: kimo_konzept::sections::sections(&v.content, &name)
            .into_iter()
            .map(|s| (s.key, s.title))
            .collect(),
    })
}

/// What texts are rendered with: the catalogue the audience sees and the decision's figures.
pub struct Renderer<'a> {
    st: &'a Scope<'a>,
    cx: kimo_work::konzept::Context,
    snapshot: &'a BTreeMap<String, Figure>,
}

impl<'a> Renderer<'a> {
    /// For a version's texts, as `st`'s audience may see them.
    pub fn new(
        st: &'a Scope<'a>,
        snapshot: &'a BTreeMap<String, Figure>,
    ) -> Result<Self, AppError> {
        let cx = kimo_work::konzept::Context {
            indicators: st.indicators()?.as_ref().clone(),
            areas: st.areas()?.as_ref().clone(),
            dimensions: st.dimensions()?.as_ref().clone(),
        };
        Ok(Renderer { st, cx, snapshot })
    }

    /// A reference's figure, with the decision's when it differs. For the public, one it may not
    /// see (an unpublished indicator) is a dash, so that not even its code shows.
    fn figure(&self, inner: &str) -> Option<Shown> {
        let Ok(r) = kimo_konzept::refs::parse(inner, &self.cx.catalogue()) else {
            return (!self.st.internal()).then(|| Shown {
                text: "–".into(),
                link: "/indikatoren".into(),
            });
        };
        let read =
            |f: &kimo_store::ObservationFilter| self.st.observations(f).map_err(|e| e.to_string());
        let (now, link) = kimo_work::konzept::figure_from(&read, &self.cx, &r).ok()??;
        let text = match self.snapshot.get(&r.text) {
            Some(then) if then != &now => format!(
                "{} ({}; beim Beschluss: {} {})",
                now.text, now.period, then.text, then.period
            ),
            _ => format!("{} ({})", now.text, now.period),
        };
        Some(Shown { text, link })
    }

    /// A text as written and shown. For the public, a reference to an indicator it may not see
    /// is a dash in the Markdown too, so that not even its code shows.
    pub fn text(&self, md: &str) -> Text {
        let mut markdown = md.to_string();
        if !self.st.internal() {
            for (_, inner) in kimo_konzept::refs::find(md).into_iter().rev() {
                if kimo_konzept::refs::parse(inner, &self.cx.catalogue()).is_err() {
                    markdown = markdown.replace(&format!("[[{inner}]]"), "–");
                }
            }
        }
        Text {
            html: markdown::render(md, &|inner| self.figure(inner)),
            words: markdown::words(md),
            blocks: markdown::blocks(md, &|inner| self.figure(inner)),
            markdown,
        }
    }

    /// A goal with its progress.
    fn goal(&self, g: &kimo_model::konzept::Goal) -> Result<GoalView, AppError> {
        let (mut progress, mut latest, mut measure_text) = (None, None, None);
        if let Some(m) = &g.measure
            && let Some(ind) = self.cx.indicators.iter().find(|i| i.code == m.indicator)
        {
            let read = |f: &kimo_store::ObservationFilter| {
                self.st.observations(f).map_err(|e| e.to_string())
            };
            let p = kimo_work::konzept::progress_from(&read, &self.cx, m)
                .map_err(|e| AppError::Internal(format!("{e:#}")))?;
            let group = m
                .group
                .as_ref()
                .map(|(_, c)| format!(", {c}"))
                .unwrap_or_default();
            let area = m
                .area
                .as_ref()
                .and_then(|a| self.cx.areas.iter().find(|x| &x.code == a))
                .map(|a| format!(", {}", a.name))
                .unwrap_or_default();
            measure_text = Some(format!(
                "{}{area}{group}: {} auf {} bis {} (gemessen seit {})",
                ind.name,
                m.direction.label(),
                ind.unit.format(Some(m.target)),
                m.target_year,
                m.base_year
            ));
            if let Some(p) = p {
                let code = serde_json::to_value(p.class)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                progress = Some((code.unwrap_or_default(), p.class.label().to_string()));
                latest = Some(format!(
                    "zuletzt {} ({})",
                    ind.unit.format(Some(p.current_value)),
                    p.current_year
                ));
            }
        }
        Ok(GoalView {
            id: g.id.clone(),
            text: self.text(&g.text),
            // A measure on an indicator the audience may not see is left out.
            measure: g.measure.clone().filter(|_| measure_text.is_some()),
            measure_text,
            progress,
            latest,
        })
    }

    /// One Handlungsfeld's part.
    pub fn field(&self, f: &kimo_model::konzept::Field) -> Result<FieldPart, AppError> {
        let name = self
            .st
            .action_fields()?
            .iter()
            .find(|a| a.code == f.code)
            .map_or(f.code.clone(), |a| a.name.clone());
        let core = f
            .core_indicators
            .iter()
            .filter_map(|c| self.cx.indicators.iter().find(|i| &i.code == c))
            .map(|i| CoreView {
                code: i.code.clone(),
                name: i.name.clone(),
                value: self.figure(&i.code).map_or("–".into(), |s| s.text),
            })
            .collect();
        let projects = f
            .projects
            .iter()
            .map(|p| ProjectView {
                description: self.text(&p.description),
                areas: p
                    .areas
                    .iter()
                    .map(|a| {
                        self.cx
                            .areas
                            .iter()
                            .find(|x| &x.code == a)
                            .map_or(a.clone(), |x| x.name.clone())
                    })
                    .collect(),
                period: match (p.start.as_deref(), p.end.as_deref()) {
                    (None, None) => "–".into(),
                    (Some(s), None) => format!("ab {}", german_when(s)),
                    (None, Some(e)) => format!("bis {}", german_when(e)),
                    (Some(s), Some(e)) => format!("{} bis {}", german_when(s), german_when(e)),
                },
                goals: p
                    .goals
                    .iter()
                    .filter_map(|g| {
                        let n = f.goals.iter().position(|x| &x.id == g)?;
                        Some((g.clone(), n + 1))
                    })
                    .collect(),
                history: p
                    .history
                    .iter()
                    .map(|c| (c.status.code().to_string(), german_when(&c.on)))
                    .collect(),
                project: p.clone(),
            })
            .collect();
        Ok(FieldPart {
            code: f.code.clone(),
            name,
            situation: self.text(&f.situation),
            goals: f
                .goals
                .iter()
                .map(|g| self.goal(g))
                .collect::<Result<_, _>>()?,
            core,
            projects,
        })
    }
}

/// An ISO date in German (`2026-11-24` → `24.11.2026`); anything else (a year) as it is.
fn local_date(s: &str) -> String {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| s.to_string())
}

/// Whether the public may read a version: decided ones, replaced ones and earlier plans.
pub fn public(v: &Version) -> bool {
    matches!(
        v.state,
        VersionState::Beschlossen | VersionState::Abgeloest | VersionState::Frueher
    )
}

/// A version, or the same 404 as for one that does not exist when the audience may not see it.
fn version(st: &Scope, id: i64) -> Result<Version, AppError> {
    let missing = || AppError::NotFound(format!("Eine Konzeptfassung Nr. {id} gibt es nicht."));
    let v = st.store.konzept_version(id).map_err(|e| match e {
        kimo_store::Error::NotFound(_) => missing(),
        e => e.into(),
    })?;
    match st.internal() || public(&v) {
        true => Ok(v),
        false => Err(missing()),
    }
}

/// The comments on a version, each with its section's title.
fn comments(st: &Scope, v: &Version) -> Result<Vec<CommentView>, AppError> {
    let names = st.action_fields()?;
    let name = |code: &str| {
        names
            .iter()
            .find(|a| a.code == code)
            .map_or(code.to_string(), |a| a.name.clone())
    };
    let sections = kimo_konzept::sections::sections(&v.content, &name);
    Ok(st
        .store
        .konzept_comments(v.id)?
        .into_iter()
        .map(|c| CommentView {
            section_title: sections
                .iter()
                .find(|s| s.key == c.section)
                .map_or(c.section.clone(), |s| s.title.clone()),
            comment: c,
        })
        .collect())
}

/// Builds the page of a version.
pub fn konzept_view(st: &Scope, v: &Version) -> Result<KonzeptView, AppError> {
    let r = Renderer::new(st, &v.snapshot)?;
    let fields = v
        .content
        .fields
        .iter()
        .map(|f| r.field(f))
        .collect::<Result<Vec<_>, _>>()?;
    let understanding = r.text(&v.content.understanding);
    let guidelines: Vec<Text> = v.content.guidelines.iter().map(|g| r.text(g)).collect();
    let words = understanding.words
        + guidelines.iter().map(|t| t.words).sum::<usize>()
        + fields
            .iter()
            .map(|f| f.situation.words + f.goals.iter().map(|g| g.text.words).sum::<usize>())
            .sum::<usize>();
    Ok(KonzeptView {
        version: head(v),
        in_force: v.state == VersionState::Beschlossen,
        understanding,
        guidelines,
        fields,
        words: (words, markdown::reading_minutes(words)),
        comments: match st.internal() {
            true => Some(comments(st, v)?),
            false => None,
        },
        council: crate::format::council_papers(&st.store, &format!("konzept:{}", v.id))?,
        forms: None,
    })
}

/// The version in force in a format.
async fn answer_in_force(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/konzept", format, || {
            let Some(v) = st.store.konzept_in_force()? else {
                return Err(AppError::NotFound(
                    "Ein Integrationskonzept ist noch nicht beschlossen.".into(),
                ));
            };
            respond(st, &konzept_view(st, &v)?, format, None)
        })
    })
    .await
}

/// `GET /konzept`.
pub async fn page(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    answer_in_force(st, Format::Html).await
}

/// `GET /konzept.json`.
pub async fn page_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    answer_in_force(st, Format::Json).await
}

/// `GET /konzept/{id}` (also `.json`); for a logged-in viewer with the forms of the process
/// (made for that viewer, never cached).
pub async fn one(
    State(st): State<Arc<AppState>>,
    axum::extract::Extension(identity): axum::extract::Extension<crate::auth::Identity>,
    Path(segment): Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    // English pages are the public's: no staff forms there.
    let german = crate::lang::chosen().lang == kimo_model::lang::Lang::De;
    let viewer = identity.0.clone().filter(|_| german);
    let (page, personal) = blocking(&st, move |st| {
        let (id, format) = Format::split(&segment);
        let Ok(id) = id.parse::<i64>() else {
            return Err(AppError::NotFound(
                "Diese Konzeptfassung gibt es nicht.".into(),
            ));
        };
        match (&viewer, format) {
            (Some(me), Format::Html) => {
                let v = version(st, id)?;
                let mut view = konzept_view(st, &v)?;
                view.forms = Some(forms(st, &v, &me.0, &me.1.csrf)?);
                Ok((respond(st, &view, format, None)?, true))
            }
            _ => {
                let page = st.page(&format!("/konzept/{id}"), format, || {
                    let v = version(st, id)?;
                    respond(st, &konzept_view(st, &v)?, format, None)
                })?;
                Ok((page, false))
            }
        }
    })
    .await?;
    let mut res = page.into_response();
    if personal {
        res.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    Ok(res)
}

/// `GET /konzept/{id}/konzept.md`, `/konzept/{id}/konzept.yml` and `/konzept/{id}/konzept.pdf`: a
/// version as one Markdown document, as its exchange file (which `kimo konzept import` reads back)
/// or as a short PDF (Typst, PDF/UA-1).
pub async fn download(
    State(st): State<Arc<AppState>>,
    Path((id, file)): Path<(i64, String)>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let v = version(st, id)?;
        let internal = |e: kimo_work::konzept::Error| AppError::Internal(format!("{e:#}"));
        let slug = kimo_model::slug(&v.title);
        match file.as_str() {
            "konzept.md" => Ok(Page::download(
                "text/markdown; charset=utf-8",
                &format!("{slug}.md"),
                kimo_work::konzept::markdown(&st.store, id)
                    .map_err(internal)?
                    .into_bytes(),
            )),
            "konzept.yml" => Ok(Page::download(
                "application/yaml; charset=utf-8",
                &format!("{slug}.yml"),
                kimo_work::konzept::export(&st.store, id)
                    .map_err(internal)?
                    .into_bytes(),
            )),
            "konzept.pdf" => {
                let view = konzept_view(st, &v)?;
                let data =
                    serde_json::to_vec(&view).map_err(|e| AppError::Internal(e.to_string()))?;
                let input = kimo_report::Input {
                    template: kimo_report::KONZEPT,
                    data: &data,
                    files: Vec::new(),
                    ident: &format!("kimo-konzept-{id}"),
                    made: chrono::Utc::now().naive_utc(),
                };
                let (pdf, _) = kimo_report::pdf(&input)
                    .map_err(|e| AppError::Internal(format!("PDF des Konzepts: {e}")))?;
                Ok(Page::download(
                    "application/pdf",
                    &format!("{slug}.pdf"),
                    pdf,
                ))
            }
            _ => Err(AppError::NotFound("Diese Datei gibt es nicht.".into())),
        }
    })
    .await
}

/// One line of the list of versions.
#[derive(Debug, Serialize)]
pub struct VersionLine {
    /// The head.
    pub version: Head,
    /// Open comments.
    pub open_comments: usize,
}

/// All versions.
#[derive(Debug, Serialize)]
pub struct VersionsView {
    /// Newest first.
    pub versions: Vec<VersionLine>,
}

impl View for VersionsView {
    const TEMPLATE: &'static str = "konzept_versionen.html";
    const CSV: bool = false;
    fn title(&self) -> String {
        kimo_model::lang::t("Fassungen des Integrationskonzepts").into()
    }
    fn path(&self) -> String {
        "/konzept/versionen".into()
    }
}

fn head(v: &Version) -> Head {
    Head {
        id: v.id,
        title: v.title.clone(),
        state: v.state,
        state_label: v.state.label().to_string(),
        decided_on: v.decided_on.clone(),
        decided_text: v.decided_on.as_deref().map(local_date),
        body: v.body.clone(),
        vorlage: v.vorlage.clone(),
        paper_url: v.paper_url.clone(),
        pdf_url: v.pdf_url.clone(),
        based_on: v.based_on,
    }
}

async fn versions_in(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/konzept/versionen", format, || {
            let mut lines = Vec::new();
            for v in st
                .store
                .konzept_versions()?
                .iter()
                .filter(|v| st.internal() || public(v))
            {
                let open = match st.internal() {
                    true => st
                        .store
                        .konzept_comments(v.id)?
                        .iter()
                        .filter(|c| c.state == "offen")
                        .count(),
                    false => 0,
                };
                lines.push(VersionLine {
                    version: head(v),
                    open_comments: open,
                });
            }
            respond(st, &VersionsView { versions: lines }, format, None)
        })
    })
    .await
}

/// `GET /konzept/versionen`.
pub async fn versions(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    versions_in(st, Format::Html).await
}

/// `GET /konzept/versionen.json`.
pub async fn versions_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    versions_in(st, Format::Json).await
}

/// The query of the comparison.
#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    von: Option<String>,
    bis: Option<String>,
}

/// One compared section.
#[derive(Debug, Serialize)]
pub struct CompareSection {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// The difference as HTML (`<del>`/`<ins>` with words for screen readers).
    pub html: String,
    /// Words added.
    pub added: usize,
    /// Words removed.
    pub removed: usize,
}

/// Two versions compared.
#[derive(Debug, Serialize)]
pub struct CompareView {
    /// The older version.
    pub from: Head,
    /// The newer version.
    pub to: Head,
    /// The changed sections.
    pub changed: Vec<CompareSection>,
    /// The titles of the unchanged sections.
    pub unchanged: Vec<String>,
    /// Every version (for the form).
    pub choices: Vec<Head>,
}

impl View for CompareView {
    const TEMPLATE: &'static str = "konzept_vergleich.html";
    const CSV: bool = false;
    fn title(&self) -> String {
        format!("Vergleich: {} und {}", self.from.title, self.to.title)
    }
    fn path(&self) -> String {
        "/konzept/vergleich".into()
    }
}

/// The comparison of two versions (by default the version in force and the newest draft).
fn compare_view(st: &Scope, q: &CompareQuery) -> Result<CompareView, AppError> {
    let all: Vec<Version> = st
        .store
        .konzept_versions()?
        .into_iter()
        .filter(|v| v.state != VersionState::Frueher && (st.internal() || public(v)))
        .collect();
    let pick = |given: &Option<String>, default: Option<&Version>| -> Result<Version, AppError> {
        match given.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => {
                let id = s.parse::<i64>().map_err(|_| {
                    AppError::BadRequest(format!(
                        "'{}' ist keine Fassungsnummer.",
                        kimo_model::quote(s)
                    ))
                })?;
                version(st, id)
            }
            None => default.cloned().ok_or_else(|| {
                AppError::NotFound("Zum Vergleichen braucht es zwei Fassungen.".into())
            }),
        }
    };
    let in_force = all.iter().find(|v| v.state == VersionState::Beschlossen);
    let to = pick(&q.bis, all.first())?;
    let from = pick(&q.von, in_force.filter(|v| v.id != to.id).or(all.get(1)))?;
    let names = st.action_fields()?;
    let name = |code: &str| {
        names
            .iter()
            .find(|a| a.code == code)
            .map_or(code.to_string(), |a| a.name.clone())
    };
    let old = kimo_konzept::sections::sections(&from.content, &name);
    let new = kimo_konzept::sections::sections(&to.content, &name);
    let (mut changed, mut unchanged) = (Vec::new(), Vec::new());
    for (key, title, a, b) in kimo_konzept::sections::paired(&old, &new) {
        if a == b {
            unchanged.push(title);
            continue;
        }
        let (html, counts) = kimo_konzept::diff::words_html(&a, &b);
        changed.push(CompareSection {
            key,
            title,
            html,
            added: counts.added,
            removed: counts.removed,
        });
    }
    Ok(CompareView {
        from: head(&from),
        to: head(&to),
        changed,
        unchanged,
        choices: all.iter().map(head).collect(),
    })
}

/// `GET /konzept/vergleich?von=ID&bis=ID` (also `vergleich.json`).
pub async fn compare(
    State(st): State<Arc<AppState>>,
    Query(q): Query<CompareQuery>,
) -> Result<Page, AppError> {
    compare_in(st, q, Format::Html).await
}

/// `GET /konzept/vergleich.json`.
pub async fn compare_json(
    State(st): State<Arc<AppState>>,
    Query(q): Query<CompareQuery>,
) -> Result<Page, AppError> {
    compare_in(st, q, Format::Json).await
}

async fn compare_in(st: Arc<AppState>, q: CompareQuery, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let key = format!("/konzept/vergleich?{:?}-{:?}", q.von, q.bis);
        st.page(&key, format, || {
            let view = compare_view(st, &q)?;
            let query = format!("von={}&bis={}", view.from.id, view.to.id);
            respond(st, &view, format, Some(&query))
        })
    })
    .await
}
