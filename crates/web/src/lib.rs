//! kimo's web layer: server-rendered German pages (usable without JavaScript), each also as JSON and
//! (where tabular) CSV from the same typed view, and the JSON API.

mod api;
mod api_write;
mod auth;
mod error;
mod extract;
mod format;
mod lang;
mod openapi;
mod pages;
mod params;
pub mod publish;
mod respond;
mod server;
mod site;
mod state;
mod tokens;

pub use auth::ClientAddr;
pub use error::AppError;
pub use pages::reports::{
    docx_anew, file_in, pdf_anew, presentation_report, release_report, year_report,
};
pub use respond::{Format, Page};
pub use server::{ServeOptions, serve};
pub use site::{SiteSummary, write_site};
pub use state::{AppState, Audience, Scope};

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::sync::Arc;

/// A template's name and its text, embedded from `templates/`.
macro_rules! tpl {
    ($name:literal) => {
        ($name, include_str!(concat!("../templates/", $name)))
    };
}

/// The embedded templates, compiled once.
fn templates() -> &'static minijinja::Environment<'static> {
    static ENV: std::sync::OnceLock<minijinja::Environment<'static>> = std::sync::OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = minijinja::Environment::new();
        functions(&mut env);
        for (name, src) in [
            tpl!("base.html"),
            tpl!("macros.html"),
            tpl!("index.html"),
            tpl!("field.html"),
            tpl!("indicators.html"),
            tpl!("indicator.html"),
            tpl!("error.html"),
            tpl!("anmelden.html"),
            tpl!("konto.html"),
            tpl!("protokoll.html"),
            tpl!("warnung.html"),
            tpl!("regeln.html"),
            tpl!("aufgaben.html"),
            tpl!("lieferungen.html"),
            tpl!("lieferung.html"),
            tpl!("erinnerungen.html"),
            tpl!("berichte.html"),
            tpl!("bericht.html"),
            tpl!("bericht_inhalt.html"),
            tpl!("bericht_dokument.html"),
            tpl!("praesentation_inhalt.html"),
            tpl!("kalender.html"),
            tpl!("einreichung.html"),
            tpl!("fahrplan.html"),
            tpl!("sitzungen.html"),
            tpl!("sitzung.html"),
            tpl!("aktivitaeten.html"),
            tpl!("fahrplan_bearbeiten.html"),
            tpl!("lieferfristen.html"),
            tpl!("konzept.html"),
            tpl!("konzept_abschnitt.html"),
            tpl!("konzept_ziele.html"),
            tpl!("konzept_projekte.html"),
            tpl!("konzept_frueher.html"),
            tpl!("konzept_kern.html"),
            tpl!("konzept_versionen.html"),
            tpl!("konzept_vergleich.html"),
            tpl!("lagebild.html"),
            tpl!("stadtteile.html"),
            tpl!("daten.html"),
            tpl!("api.html"),
            tpl!("recht.html"),
            tpl!("stadtteil.html"),
            tpl!("einbetten.html"),
        ] {
            env.add_template(name, src)
                .expect("embedded template is valid");
        }
        env
    })
}

/// The templates' functions: texts in the page's language (`t`, `tf`), German content marked
/// (`german`, `de`), the page's language and its switch, and whether the page is for the static site.
fn functions(env: &mut minijinja::Environment<'static>) {
    env.add_function("t", |german: &str| kimo_model::lang::t(german).to_string());
    env.add_function(
        "tf",
        |german: &str, values: minijinja::value::Rest<minijinja::Value>| {
            let values: Vec<String> = values.iter().map(ToString::to_string).collect();
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            kimo_model::lang::tf(german, &values)
        },
    );
    // Marks German content (the Konzept's texts, the city's Impressum) on an English page.
    env.add_function("german", || {
        minijinja::Value::from_safe_string(match lang::chosen().lang {
            kimo_model::lang::Lang::De => String::new(),
            kimo_model::lang::Lang::En => " lang=\"de\"".into(),
        })
    });
    // German content inside an English sentence, marked as German there.
    env.add_function("de", |text: &str| {
        let escaped = minijinja::HtmlEscape(text).to_string();
        minijinja::Value::from_safe_string(match lang::chosen().lang {
            kimo_model::lang::Lang::De => escaped,
            kimo_model::lang::Lang::En => format!("<span lang=\"de\">{escaped}</span>"),
        })
    });
    env.add_function("static_site", || lang::chosen().site);
    env.add_function("page_lang", || lang::chosen().lang.code());
    env.add_function("language_switch", || {
        lang::switch().map(|(href, l)| {
            minijinja::context! { href => href, code => l.code(), name => l.name() }
        })
    });
}

/// Renders an embedded template in the request's language; its links keep the language's prefix.
fn render(name: &str, ctx: minijinja::Value) -> Result<String, AppError> {
    let chosen = lang::chosen();
    let prefix = chosen.prefix;
    lang::enter(chosen, || {
        templates().get_template(name).and_then(|t| t.render(ctx))
    })
    .map(|html| lang::prefix_links(&html, prefix))
    .map_err(|e| {
        // An error in an included template is the cause of the include's error.
        let mut text = format!("Vorlage {name}: {e:#}");
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            text.push_str(&format!("\nUrsache: {c}"));
            cause = c.source();
        }
        AppError::Internal(text)
    })
}

/// Runs blocking store work off the async threads, for the audience of the request (see
/// [`auth::AUDIENCE`]; the public when none was set).
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&Scope) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let s = state.clone();
    let audience = auth::audience();
    let chosen = lang::chosen();
    tokio::task::spawn_blocking(move || lang::enter(chosen, || f(&s.scope(audience))))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The style sheet, one `Page` for the process so that it is compressed once.
async fn style() -> Response {
    static CSS: std::sync::OnceLock<Page> = std::sync::OnceLock::new();
    let page = CSS
        .get_or_init(|| {
            Page::text(
                "text/css; charset=utf-8",
                include_str!("../static/style.css"),
            )
        })
        .clone();
    ([(header::CACHE_CONTROL, "max-age=3600")], page).into_response()
}

/// The indicator list's filter (progressive enhancement; no inline script, for the CSP).
async fn filter_script() -> Response {
    static JS: std::sync::OnceLock<Page> = std::sync::OnceLock::new();
    script(&JS, include_str!("../static/filter.js"))
}

/// `GET /static/zaehler.js`: the Konzept editor's live word count.
async fn counter_script() -> Response {
    static JS: std::sync::OnceLock<Page> = std::sync::OnceLock::new();
    script(&JS, include_str!("../static/zaehler.js"))
}

/// A script, made once, kept by browsers for an hour.
fn script(cell: &'static std::sync::OnceLock<Page>, source: &'static str) -> Response {
    let page = cell
        .get_or_init(|| Page::text("text/javascript; charset=utf-8", source))
        .clone();
    ([(header::CACHE_CONTROL, "max-age=3600")], page).into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound("Diese Seite gibt es nicht.".into())
}

/// The pages of the data: overview, Handlungsfelder, indicators (and their rules), the Lagebild
/// and the Stadtteile.
fn data_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(pages::overview::index))
        .route("/index.json", get(pages::overview::index_json))
        .route("/index.csv", get(pages::overview::index_csv))
        .route("/handlungsfelder/{code}", get(pages::overview::field))
        .route("/indikatoren", get(pages::overview::indicators))
        .route("/indikatoren.json", get(pages::overview::indicators_json))
        .route("/indikatoren.csv", get(pages::overview::indicators_csv))
        .route("/indikatoren/{code}", get(pages::indicator::page))
        .route(
            "/indikatoren/{code}/diagramm/{file}",
            get(pages::indicator::download),
        )
        .route(
            "/indikatoren/{code}/regeln",
            get(pages::rules::show).post(pages::rules::save),
        )
        .route("/lagebild", get(pages::lagebild::page))
        .route("/lagebild.json", get(pages::lagebild::page_json))
        .route("/lagebild.csv", get(pages::lagebild::page_csv))
        .route("/stadtteile", get(pages::area::list))
        .route("/stadtteile.json", get(pages::area::list_json))
        .route("/stadtteile.csv", get(pages::area::list_csv))
        .route("/stadtteile/{code}", get(pages::area::page))
        .route("/impressum", get(pages::legal::legal_page))
        .route("/impressum.json", get(pages::legal::legal_page))
        .route("/datenschutz", get(pages::legal::legal_page))
        .route("/datenschutz.json", get(pages::legal::legal_page))
        .route("/barrierefreiheit", get(pages::legal::legal_page))
        .route("/barrierefreiheit.json", get(pages::legal::legal_page))
        .route("/leichte-sprache", get(pages::legal::legal_page))
        .route("/leichte-sprache.json", get(pages::legal::legal_page))
        .route("/api.json", get(openapi::page_json))
        .route("/daten", get(pages::opendata::page))
        .route("/daten.json", get(pages::opendata::page_json))
        .route("/daten/{file}", get(pages::opendata::all_file))
        .route(
            "/daten/indikatoren/{file}",
            get(pages::opendata::indicator_file),
        )
}

/// The Integrationskonzept: its pages, downloads and forms.
fn konzept_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/fahrplan", get(pages::fahrplan::page))
        .route("/fahrplan.json", get(pages::fahrplan::page_json))
        .route(
            "/fahrplan/bearbeiten",
            get(pages::fahrplan::edit).post(pages::fahrplan::save),
        )
        .route("/konzept", get(pages::konzept::page))
        .route("/konzept.json", get(pages::konzept::page_json))
        .route("/konzept/versionen", get(pages::konzept::versions))
        .route(
            "/konzept/versionen.json",
            get(pages::konzept::versions_json),
        )
        .route(
            "/konzept/frueher",
            get(pages::konzept_earlier::edit).post(pages::konzept_earlier::save),
        )
        .route("/konzept/vergleich", get(pages::konzept::compare))
        .route("/konzept/vergleich.json", get(pages::konzept::compare_json))
        .route("/konzept/{id}", get(pages::konzept::one))
        .route(
            "/konzept/{id}/abschnitt/{key}",
            get(pages::konzept_edit::edit).post(pages::konzept_edit::save),
        )
        .route("/konzept/{id}/stand", post(pages::konzept_edit::set_state))
        .route(
            "/konzept/{id}/ziele/{field}",
            get(pages::konzept_goals::edit).post(pages::konzept_goals::save),
        )
        .route(
            "/konzept/{id}/leitprojekte/{field}",
            get(pages::konzept_projects::edit).post(pages::konzept_projects::save),
        )
        .route(
            "/konzept/{id}/kernindikatoren/{field}",
            get(pages::konzept_projects::edit_core).post(pages::konzept_projects::save_core),
        )
        .route(
            "/konzept/{id}/projekte/{pid}",
            post(pages::konzept_edit::project_status),
        )
        .route("/konzept/{id}/{file}", get(pages::konzept::download))
        .route(
            "/konzept/{id}/fortschreiben",
            post(pages::konzept_edit::copy),
        )
        .route(
            "/konzept/{id}/kommentare",
            post(pages::konzept_edit::comment),
        )
        .route(
            "/konzept/kommentare/{cid}",
            post(pages::konzept_edit::answer),
        )
}

/// The cooperation: data deliveries and the calendar feed.
fn cooperation_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/lieferungen", get(pages::deliveries::page))
        .route("/lieferungen.json", get(pages::deliveries::page_json))
        .route(
            "/lieferungen/fristen",
            get(pages::deliveries::lags).post(pages::deliveries::save_lags),
        )
        .route("/lieferungen/kalender", post(pages::calendar::make_feed))
        .route(
            "/lieferungen/{id}",
            get(pages::deliveries::one).post(pages::deliveries::set_due),
        )
        .route("/lieferungen/erinnerungen", get(pages::deliveries::mails))
        .route(
            "/lieferungen/erinnerungen.json",
            get(pages::deliveries::mails_json),
        )
        .route("/kalender/{file}", get(pages::calendar::feed))
        .route(
            "/sitzungen",
            get(pages::meetings::list).post(pages::meetings::add),
        )
        .route("/sitzungen.json", get(pages::meetings::list_json))
        .route(
            "/aktivitaeten",
            get(pages::meetings::activities).post(pages::meetings::add_activity),
        )
        .route("/aktivitaeten.json", get(pages::meetings::activities_json))
        .route("/sitzungen/{segment}", get(pages::meetings::one))
        .route("/sitzungen/{id}/top", post(pages::meetings::add_item))
        .route("/sitzungen/{id}/{file}", get(pages::meetings::export))
        .route("/sitzungen/top/{item}", post(pages::meetings::minutes))
        .route("/sitzungen/{id}/aufgaben", post(pages::meetings::add_task))
        .route(
            "/sitzungen/aufgaben/{task}",
            post(pages::meetings::task_status),
        )
        .route(
            "/warnungen/{id}/tagesordnung",
            post(pages::meetings::warning_to_agenda),
        )
        .route(
            "/lieferungen/{id}/datei",
            post(pages::submissions::upload).layer(axum::extract::DefaultBodyLimit::max(
                api_write::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/lieferungen/einreichungen/{sid}",
            get(pages::submissions::show),
        )
        .route(
            "/lieferungen/einreichungen/{sid}/datei",
            get(pages::submissions::file),
        )
        .route(
            "/lieferungen/einreichungen/{sid}/einreichen",
            post(pages::submissions::submit),
        )
        .route(
            "/lieferungen/einreichungen/{sid}/annehmen",
            post(pages::submissions::accept),
        )
        .route(
            "/lieferungen/einreichungen/{sid}/zurueckgeben",
            post(pages::submissions::give_back),
        )
}

/// The reports: Monitoringberichte and presentations, their documents and release.
fn report_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/berichte",
            get(pages::reports::list).post(pages::reports::add),
        )
        .route("/berichte.json", get(pages::reports::list_json))
        .route(
            "/berichte/{id}",
            get(pages::reports::one).post(pages::reports::save),
        )
        .route("/berichte/{id}/freigeben", post(pages::reports::release))
        .route("/berichte/{id}/bericht.html", get(pages::reports::file))
        .route("/berichte/{id}/bericht.pdf", get(pages::reports::pdf_file))
        .route(
            "/berichte/{id}/bericht.docx",
            get(pages::reports::docx_file),
        )
}

/// The pages of people: login, account, tasks, warnings as work items, the audit log.
fn people_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/aufgaben", get(pages::tasks::page))
        .route("/aufgaben.json", get(pages::tasks::page_json))
        .route("/anmelden", get(auth::login_form).post(auth::login))
        .route("/abmelden", post(auth::logout))
        .route("/konto", get(auth::account))
        .route("/konto.json", get(auth::account_json))
        .route("/verwaltung/{page}", get(pages::audit::page))
        .route(
            "/warnungen/{id}",
            get(pages::warning::show).post(pages::warning::work),
        )
        .route("/konto/passwort", post(auth::change_password))
        .route("/konto/schluessel", post(tokens::create))
        .route("/konto/schluessel/{id}/widerrufen", post(tokens::revoke))
        .route("/konto/sitzungen/{id}/beenden", post(auth::end_session))
}

/// The largest body of a form or a JSON request.
pub const FORM_LIMIT: usize = 256 * 1024;

/// All routes in one table. Pages answer as HTML, or as JSON / CSV with a `.json` / `.csv` suffix.
pub fn router(state: Arc<AppState>) -> Router {
    let app = data_routes()
        .merge(people_routes())
        .merge(konzept_routes())
        .merge(cooperation_routes())
        .merge(report_routes())
        .route("/healthz", get(server::healthz))
        .route("/static/style.css", get(style))
        .route("/static/filter.js", get(filter_script))
        .route("/static/zaehler.js", get(counter_script))
        .route("/api", get(openapi::page))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/indicators", get(api::indicators))
        .route("/api/v1/indicators/{code}", get(api::indicator))
        .route(
            "/api/v1/indicators/{code}/observations",
            get(api::observations),
        )
        .route("/api/v1/areas", get(api::areas))
        .route("/api/v1/warnings", get(api::warnings))
        .route("/api/v1/warnings/{id}", post(api_write::work_on_warning))
        .route(
            "/api/v1/import",
            post(api_write::import).layer(axum::extract::DefaultBodyLimit::max(
                api_write::UPLOAD_LIMIT,
            )),
        )
        .fallback(not_found)
        // Forms and JSON bodies are small; only the import takes files (see above).
        .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            server::conditional,
        ))
        .layer(axum::middleware::from_fn(server::precompressed))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        // Outside `identify`, so that its 401 is JSON on the API too.
        .layer(axum::middleware::map_response(error::json_errors))
        .layer(axum::middleware::from_fn(server::request_log))
        .with_state(state);
    // The language prefix comes off before routing, so the layer sits outside the router.
    Router::new()
        .fallback_service(app)
        .layer(axum::middleware::from_fn(lang::choose))
}
