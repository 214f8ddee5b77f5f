//! Offene Daten (`/daten`): the published figures as files — per indicator and for everything, as
//! CSV (UTF-8, and for German Excel), XLSX and JSON, each with its licence, attribution and
//! metadata — and the DCAT-AP.de catalogue (JSON-LD) that GovData harvests. Always the public's
//! view, whoever asks: a file made for an internal user could be passed on.

use crate::respond::{Format, View, respond};
use crate::state::Audience;
use crate::{AppError, AppState, Page, Scope, blocking};
use axum::extract::{Path, State};
use kimo_import::export::CsvStyle;
use kimo_import::opendata::{FileKind, FileWriter, Meta, Row};
use kimo_model::licence::Licence;
use kimo_model::{Indicator, Periodicity};
use kimo_store::ObservationFilter;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// Rows an Excel sheet holds (with its header row).
const XLSX_ROWS: usize = 1_048_576;

/// The name of the files with everything.
const ALL: &str = "kimo-daten";

/// A kind of file.
struct Kind {
    /// The file name's end.
    suffix: &'static str,
    /// What it is.
    label: &'static str,
    /// What it is, short (in the table per indicator).
    short: &'static str,
    /// Its content type.
    content_type: &'static str,
    /// Its type in the EU file type list (DCAT `dct:format`).
    file_type: &'static str,
}

/// The kinds of file offered.
const KINDS: [Kind; 4] = [
    Kind {
        suffix: ".csv",
        label: "CSV (UTF-8)",
        short: "CSV",
        content_type: "text/csv; charset=utf-8",
        file_type: "CSV",
    },
    Kind {
        suffix: "-excel.csv",
        label: "CSV für Excel (Semikolon, Dezimalkomma)",
        short: "CSV für Excel",
        content_type: "text/csv; charset=utf-8",
        file_type: "CSV",
    },
    Kind {
        suffix: ".xlsx",
        label: "Excel-Arbeitsmappe (XLSX)",
        short: "XLSX",
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        file_type: "XLSX",
    },
    Kind {
        suffix: ".json",
        label: "JSON",
        short: "JSON",
        content_type: "application/json",
        file_type: "JSON",
    },
];

/// A file offered.
#[derive(Serialize)]
pub struct FileLink {
    /// What it is („CSV (UTF-8)“).
    pub label: &'static str,
    /// Its address.
    pub href: String,
}

/// An indicator's files.
#[derive(Serialize)]
pub struct IndicatorFiles {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The periods published („2016 bis 2025“).
    pub periods: String,
    /// How many values are published (German number).
    pub values: String,
    /// The files.
    pub files: Vec<FileLink>,
}

/// The page `/daten`.
#[derive(Serialize)]
pub struct OpenDataView {
    /// The licence.
    pub licence: Licence,
    /// Who is to be named.
    pub attribution: String,
    /// The portal's address, if set.
    pub portal_url: Option<String>,
    /// When the published data last changed (German date).
    pub modified: Option<String>,
    /// The legend of „.“.
    pub legend: String,
    /// The legend of the flags column.
    pub flags_legend: String,
    /// The files with everything.
    pub all: Vec<FileLink>,
    /// Per indicator.
    pub indicators: Vec<IndicatorFiles>,
}

impl View for OpenDataView {
    const TEMPLATE: &'static str = "daten.html";
    fn title(&self) -> String {
        kimo_model::lang::t("Offene Daten").into()
    }
    fn path(&self) -> String {
        "/daten".into()
    }
}

/// The files of a name (`ARB-03`, or [`ALL`]) below a folder, with long or short labels.
fn files(folder: &str, name: &str, short: bool) -> Vec<FileLink> {
    KINDS
        .iter()
        .map(|k| FileLink {
            label: kimo_model::lang::t(if short { k.short } else { k.label }),
            href: format!("{folder}/{name}{}", k.suffix),
        })
        .collect()
}

/// `GET /daten`.
pub async fn page(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    page_in(st, Format::Html).await
}

/// `GET /daten.json`.
pub async fn page_json(State(st): State<Arc<AppState>>) -> Result<Page, AppError> {
    page_in(st, Format::Json).await
}

/// The page in a format.
async fn page_in(st: Arc<AppState>, format: Format) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        st.page("/daten", format, || respond(st, &view(st)?, format, None))
    })
    .await
}

/// Builds the page's view from the public's figures.
fn view(st: &Scope) -> Result<OpenDataView, AppError> {
    let public = st.scope(Audience::Public);
    let mut settings = st.store.open_data()?;
    if settings.attribution.is_empty() {
        settings.attribution = city_name(st)?;
    }
    let mut indicators = Vec::new();
    let mut modified: Option<String> = None;
    for ind in public.indicators()?.iter() {
        let profile = public.profile(ind)?;
        modified = modified.max(profile.last_update.clone());
        let first = profile.cells.first().map(|c| c.0.label());
        let last = profile.cells.last().map(|c| c.0.label());
        indicators.push(IndicatorFiles {
            code: ind.code.clone(),
            name: ind.name.clone(),
            periods: match (first, last) {
                (Some(a), Some(b)) if a == b => a,
                (Some(a), Some(b)) => kimo_model::lang::tf("{} bis {}", &[&a, &b]),
                _ => kimo_model::lang::t("noch keine Werte").into(),
            },
            values: kimo_model::format_number(
                profile.cells.iter().map(|c| c.2).sum::<i64>() as f64,
                0,
            ),
            files: files("/daten/indikatoren", &ind.code, true),
        });
    }
    Ok(OpenDataView {
        licence: settings.licence,
        attribution: settings.attribution,
        portal_url: settings.portal_url,
        modified: modified.as_deref().map(crate::format::local_date),
        legend: format!(
            "„{}“ = {}",
            kimo_model::disclosure::SYMBOL,
            kimo_model::lang::t(kimo_model::disclosure::LEGEND)
        ),
        flags_legend: kimo_model::Flags::legend(),
        all: files("/daten", ALL, false),
        indicators,
    })
}

/// `GET /daten/{file}`: everything (`kimo-daten.csv`, `-excel.csv`, `.xlsx`, `.json`) or the
/// DCAT-AP.de catalogue (`dcat.jsonld`).
pub async fn all_file(
    State(st): State<Arc<AppState>>,
    Path(file): Path<String>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let public = st.scope(Audience::Public);
        public.page(&format!("/daten/{file}"), Format::Json, || {
            if file == "dcat.jsonld" {
                let body = serde_json::to_vec_pretty(&dcat(&public)?)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                return Ok(Page::download("application/ld+json", "dcat.jsonld", body));
            }
            let kind = kind_of(&file, ALL)?;
            let inds = public.indicators()?;
            make_file(&public, &inds, kind, &file, "Alle Indikatoren")
        })
    })
    .await
}

/// Writes every open data file into `dir` (the static site's `daten` folder) in one pass: each
/// indicator's rows are read once and go to the four files with everything and to its own four,
/// straight to disk, a thread per kind of file. Returns the paths written (`/daten/…`) and their
/// total size.
pub(crate) fn write_everything(
    st: &AppState,
    dir: &std::path::Path,
) -> Result<(Vec<String>, u64), AppError> {
    let public = st.scope(Audience::Public);
    let inds = public.indicators()?;
    let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", dir.display()));
    std::fs::create_dir_all(dir.join("indikatoren")).map_err(io)?;
    let base = base_meta(&public)?;
    let (whole, modified) = shape(&public, &inds)?;
    let everything = retitled(&base, "Alle Indikatoren", modified);
    let mut own = Vec::new();
    for ind in inds.iter() {
        let (shape, modified) = shape(&public, std::slice::from_ref(ind))?;
        let meta = retitled(&base, &format!("{} {}", ind.code, ind.name), modified);
        own.push((shape, meta));
    }
    let areas = public.areas()?;
    let names: std::collections::HashMap<&str, &str> = areas
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    let job = Files {
        dir,
        inds: &inds,
        whole: &whole,
        everything: &everything,
        own: &own,
    };
    let written = job.write_all(&public, &names)?;
    let mut bytes = 0;
    for p in &written {
        let rel = p.trim_start_matches("/daten/");
        bytes += std::fs::metadata(dir.join(rel)).map_err(io)?.len();
    }
    Ok((written, bytes))
}

/// What the one pass over the open data files writes: the files with everything and each
/// indicator's own.
struct Files<'a> {
    dir: &'a std::path::Path,
    inds: &'a [Indicator],
    whole: &'a Shape,
    everything: &'a Meta,
    /// Each indicator's shape and metadata.
    own: &'a [(Shape, Meta)],
}

impl Files<'_> {
    /// Reads each indicator's rows once and hands them to a thread per kind of file and part
    /// (everything, or each indicator's own); returns the paths written.
    fn write_all(
        &self,
        public: &Scope,
        names: &std::collections::HashMap<&str, &str>,
    ) -> Result<Vec<String>, AppError> {
        let chosen = crate::lang::Chosen::default();
        std::thread::scope(|scope| {
            let mut senders = Vec::new();
            let mut workers = Vec::new();
            // A thread per kind and part (everything, or each indicator's own): the XLSX, the
            // slowest, would hold up the rest on one.
            for kind in 0..KINDS.len() {
                for whole in [true, false] {
                    let (tx, rx) = std::sync::mpsc::sync_channel::<Arc<Vec<Row>>>(2);
                    senders.push(tx);
                    let (job, chosen) = (self, chosen.clone());
                    let name = format!("kimo-daten-{kind}{}", if whole { "a" } else { "e" });
                    let worker = std::thread::Builder::new()
                        .name(name)
                        .spawn_scoped(scope, move || {
                            crate::lang::enter(chosen, || job.write(kind, whole, rx))
                        })
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    workers.push(worker);
                }
            }
            let mut read = Ok(());
            'all: for ind in self.inds.iter() {
                let rows = match rows(public, ind, names) {
                    Ok(r) => Arc::new(r),
                    Err(e) => {
                        read = Err(e);
                        break;
                    }
                };
                for tx in &senders {
                    // A worker that stopped says why when joined.
                    if tx.send(rows.clone()).is_err() {
                        break 'all;
                    }
                }
            }
            drop(senders);
            let mut paths = Vec::new();
            for w in workers {
                let done = w.join().map_err(|_| {
                    AppError::Internal("Ein Schreib-Thread ist abgebrochen.".into())
                })?;
                paths.extend(done?);
            }
            read.map(|()| paths)
        })
    }

    /// Writes the files of one kind — the one with everything (`whole`) or each indicator's own —
    /// from the indicators' rows as they come, in the order of `inds`; returns their paths.
    fn write(
        &self,
        kind: usize,
        whole: bool,
        rx: std::sync::mpsc::Receiver<Arc<Vec<Row>>>,
    ) -> Result<Vec<String>, AppError> {
        let internal = |e: kimo_import::Error| AppError::Internal(e.to_string());
        let all_name = format!("{ALL}{}", KINDS[kind].suffix);
        let mut all = match !whole || (kind == 2 && self.whole.count >= XLSX_ROWS) {
            true => None,
            false => Some(
                FileWriter::new(
                    file_kind(kind),
                    self.create(&all_name)?,
                    self.whole.dims.clone(),
                    self.everything.clone(),
                )
                .map_err(internal)?,
            ),
        };
        let mut paths = Vec::new();
        for (n, rows) in rx.iter().enumerate() {
            let ind = &self.inds[n];
            if let Some(w) = &mut all {
                w.indicator(ind, &rows).map_err(internal)?;
            }
            let (shape, meta) = &self.own[n];
            if whole || (kind == 2 && shape.count >= XLSX_ROWS) {
                continue;
            }
            let name = format!("indikatoren/{}{}", ind.code, KINDS[kind].suffix);
            let out = self.create(&name)?;
            let mut w = FileWriter::new(file_kind(kind), out, shape.dims.clone(), meta.clone())
                .map_err(internal)?;
            w.indicator(ind, &rows).map_err(internal)?;
            self.close(
                &name,
                w.finish(std::slice::from_ref(ind)).map_err(internal)?,
            )?;
            paths.push(format!("/daten/{name}"));
        }
        if let Some(w) = all {
            self.close(&all_name, w.finish(self.inds).map_err(internal)?)?;
            paths.push(format!("/daten/{all_name}"));
        }
        Ok(paths)
    }

    /// A file of the folder, buffered.
    fn create(&self, name: &str) -> Result<std::io::BufWriter<std::fs::File>, AppError> {
        let file = std::fs::File::create(self.dir.join(name)).map_err(|e| self.failed(name, e))?;
        Ok(std::io::BufWriter::with_capacity(1 << 16, file))
    }

    /// Writes out what is buffered (an error here is the file's, not lost in a drop).
    fn close(
        &self,
        name: &str,
        mut out: std::io::BufWriter<std::fs::File>,
    ) -> Result<(), AppError> {
        use std::io::Write;
        out.flush().map_err(|e| self.failed(name, e))
    }

    /// An error writing a file, with its path.
    fn failed(&self, name: &str, e: std::io::Error) -> AppError {
        AppError::Internal(format!("{}: {e}", self.dir.join(name).display()))
    }
}

/// `GET /daten/indikatoren/{file}`: one indicator's file (`ARB-03.csv`, …).
pub async fn indicator_file(
    State(st): State<Arc<AppState>>,
    Path(file): Path<String>,
) -> Result<Page, AppError> {
    blocking(&st, move |st| {
        let public = st.scope(Audience::Public);
        public.page(&format!("/daten/indikatoren/{file}"), Format::Json, || {
            let (code, kind) = KINDS
                .iter()
                .enumerate()
                .rev()
                .find_map(|(n, k)| file.strip_suffix(k.suffix).map(|c| (c, n)))
                .ok_or_else(|| not_offered(&file))?;
            let ind = public.indicator(code)?;
            let title = format!("{} {}", ind.code, ind.name);
            make_file(&public, &[ind], kind, &file, &title)
        })
    })
    .await
}

/// The kind of a file of `name` ([`KINDS`]'s index).
fn kind_of(file: &str, name: &str) -> Result<usize, AppError> {
    KINDS
        .iter()
        .position(|k| file == format!("{name}{}", k.suffix))
        .ok_or_else(|| not_offered(file))
}

/// The 404 of a file that is not offered.
fn not_offered(file: &str) -> AppError {
    AppError::NotFound(format!(
        "Die Datei „{file}“ gibt es nicht; die offenen Daten stehen unter /daten."
    ))
}

/// A file of the given kind with the indicators' published figures.
fn make_file(
    public: &Scope,
    inds: &[Indicator],
    kind: usize,
    file: &str,
    title: &str,
) -> Result<Page, AppError> {
    let body = write_file(public, inds, kind, file, title, Vec::new())?;
    Ok(Page::download(KINDS[kind].content_type, file, body))
}

/// Writes a file of the given kind to `out`, indicator by indicator: only one indicator's rows
/// are in memory at a time (the static site writes the files with everything straight to disk).
pub(crate) fn write_file<W: std::io::Write + Send>(
    public: &Scope,
    inds: &[Indicator],
    kind: usize,
    file: &str,
    title: &str,
    out: W,
) -> Result<W, AppError> {
    let (shape, modified) = shape(public, inds)?;
    if kind == 2 && shape.count >= XLSX_ROWS {
        return Err(AppError::NotFound(format!(
            "„{file}“ hätte {} Zeilen, eine Excel-Tabelle höchstens {}: bitte die CSV-Datei \
             nehmen oder die Dateien je Indikator.",
            kimo_model::format_number(shape.count as f64, 0),
            kimo_model::format_number(XLSX_ROWS as f64 - 1.0, 0)
        )));
    }
    let file_kind = file_kind(kind);
    let meta = meta(public, title, modified)?;
    let internal = |e: kimo_import::Error| AppError::Internal(e.to_string());
    let mut w = FileWriter::new(file_kind, out, shape.dims, meta).map_err(internal)?;
    let areas = public.areas()?;
    let names: std::collections::HashMap<&str, &str> = areas
        .iter()
        .map(|a| (a.code.as_str(), a.name.as_str()))
        .collect();
    for ind in inds {
        w.indicator(ind, &rows(public, ind, &names)?)
            .map_err(internal)?;
    }
    w.finish(inds).map_err(internal)
}

/// The size of a file and the dimensions it has columns for, from the public profiles.
struct Shape {
    count: usize,
    dims: Vec<String>,
}

/// The shape of the indicators' published figures and when they were last changed.
fn shape(public: &Scope, inds: &[Indicator]) -> Result<(Shape, Option<String>), AppError> {
    let mut count = 0;
    let mut dims = std::collections::BTreeSet::new();
    let mut modified: Option<String> = None;
    for ind in inds {
        let profile = public.profile(ind)?;
        modified = modified.max(profile.last_update.clone());
        for (_, breakdown, n) in &profile.cells {
            count += *n as usize;
            dims.extend(breakdown.dimensions().map(str::to_string));
        }
    }
    let dims = dims.into_iter().collect();
    Ok((Shape { count, dims }, modified))
}

/// The writer's kind of a file kind ([`KINDS`]'s index).
fn file_kind(kind: usize) -> FileKind {
    match kind {
        0 => FileKind::Csv(CsvStyle::Machine),
        1 => FileKind::Csv(CsvStyle::GermanExcel),
        2 => FileKind::Xlsx,
        _ => FileKind::Json,
    }
}

/// The published rows of an indicator, sorted by period, area and breakdown.
fn rows(
    public: &Scope,
    ind: &Indicator,
    names: &std::collections::HashMap<&str, &str>,
) -> Result<Vec<Row>, AppError> {
    let mut obs = public.observations(&ObservationFilter {
        indicator: Some(ind.code.clone()),
        ..Default::default()
    })?;
    obs.sort_by(|a, b| (&a.period, &a.area, &a.breakdown).cmp(&(&b.period, &b.area, &b.breakdown)));
    Ok(obs
        .into_iter()
        .map(|o| Row {
            indicator: o.indicator,
            period: o.period.code(),
            period_label: o.period.label(),
            area_name: names.get(o.area.as_str()).unwrap_or(&"").to_string(),
            area: o.area,
            breakdown: o.breakdown,
            value: o.value,
            numerator: o.numerator,
            denominator: o.denominator,
            flags: o.flags,
        })
        .collect())
}

/// What every file says about itself.
fn meta(public: &Scope, title: &str, modified: Option<String>) -> Result<Meta, AppError> {
    Ok(retitled(&base_meta(public)?, title, modified))
}

/// What every file says about itself, titled with the city only and without a date.
fn base_meta(public: &Scope) -> Result<Meta, AppError> {
    let settings = public.store.open_data()?;
    let city = city_name(public)?;
    Ok(Meta {
        title: format!("Integrationsmonitoring {city}"),
        attribution: if settings.attribution.is_empty() {
            city
        } else {
            settings.attribution
        },
        licence: settings.licence,
        modified: String::new(),
        version: public.store.data_version()?,
        landing_page: settings.portal_url.map(|u| format!("{u}/daten")),
    })
}

/// A file's metadata: the title after the city's, and the day of the last change.
fn retitled(base: &Meta, title: &str, modified: Option<String>) -> Meta {
    Meta {
        title: format!("{}: {title}", base.title),
        modified: modified.map_or(String::new(), |m| m.chars().take(10).collect()),
        ..base.clone()
    }
}

/// The city's name as documents give it (the setting, else the whole city's area name).
fn city_name(st: &Scope) -> Result<String, AppError> {
    Ok(super::report::city(st)?.0)
}

/// The EU frequency of a periodicity (DCAT `dct:accrualPeriodicity`).
fn frequency(p: Periodicity) -> &'static str {
    match p {
        Periodicity::Year | Periodicity::SchoolYear => "ANNUAL",
        Periodicity::HalfYear => "ANNUAL_2",
        Periodicity::Quarter => "QUARTERLY",
        Periodicity::Month => "MONTHLY",
        _ => "IRREG",
    }
}

/// The DCAT-AP.de catalogue (JSON-LD): a dataset per published indicator and one for everything,
/// each with its four distributions. Addresses are absolute with the portal's address set,
/// relative to this file's otherwise.
fn dcat(public: &Scope) -> Result<Value, AppError> {
    let settings = public.store.open_data()?;
    let base = settings.portal_url.clone().unwrap_or_default();
    let city = city_name(public)?;
    let publisher = json!({
        "@id": format!("{base}/#herausgeber"),
        "@type": "foaf:Agent",
        "foaf:name": if settings.attribution.is_empty() { city.clone() } else { settings.attribution.clone() },
    });
    let mut datasets = Vec::new();
    let mut latest: Option<String> = None;
    let mut first: Option<String> = None;
    for ind in public.indicators()?.iter() {
        let profile = public.profile(ind)?;
        let modified = profile.last_update.clone();
        latest = latest.max(modified.clone());
        let mut d = dataset(&base, ind, &settings, &publisher, modified.as_deref());
        // First published: the earliest writing of a period the public sees.
        if let Some(issued) = profile.updated.values().min() {
            d["dct:issued"] = date(issued);
            if first.as_ref().is_none_or(|f| issued < f) {
                first = Some(issued.clone());
            }
        }
        let start = profile.cells.iter().find_map(|c| c.0.start());
        let end = profile.cells.iter().rev().find_map(|c| c.0.end());
        if let (Some(s), Some(e)) = (start, end) {
            d["dct:temporal"] = json!({
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": {"@value": s.to_string(), "@type": "xsd:date"},
                "dcat:endDate": {"@value": e.to_string(), "@type": "xsd:date"},
            });
        }
        datasets.push(d);
    }
    let everything = Indicator {
        code: ALL.into(),
        name: "Alle Indikatoren".into(),
        definition: format!(
            "Alle veröffentlichten Indikatoren des Integrationsmonitorings {city} in einer Datei."
        ),
        ..Default::default()
    };
    let mut d = dataset(&base, &everything, &settings, &publisher, latest.as_deref());
    if let Some(f) = &first {
        d["dct:issued"] = date(f);
    }
    datasets.push(d);
    let mut catalog = json!({
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "dcatde": "http://dcat-ap.de/def/dcatde/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": format!("{base}/daten"),
        "@type": "dcat:Catalog",
        "dct:title": {"@value": format!("Integrationsmonitoring {city}"), "@language": "de"},
        "dct:description": {"@value": format!("Kennzahlen zur Integration in {city} nach Stadtteilen und Bevölkerungsgruppen: die veröffentlichten Indikatoren des kommunalen Integrationsmonitorings."), "@language": "de"},
        "dct:publisher": publisher,
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/DEU"},
        "foaf:homepage": {"@id": format!("{base}/")},
        "dcat:dataset": datasets,
    });
    if let Some(m) = latest {
        catalog["dct:modified"] = date(&m);
    }
    Ok(catalog)
}

/// A date literal from an ISO timestamp.
fn date(iso: &str) -> Value {
    json!({"@value": iso.chars().take(10).collect::<String>(), "@type": "xsd:date"})
}

/// One DCAT dataset: an indicator's (or everything's) metadata and distributions.
fn dataset(
    base: &str,
    ind: &Indicator,
    settings: &kimo_store::OpenData,
    publisher: &Value,
    modified: Option<&str>,
) -> Value {
    let everything = ind.code == ALL;
    let (page, folder) = if everything {
        (format!("{base}/daten"), format!("{base}/daten"))
    } else {
        (
            format!("{base}/indikatoren/{}", ind.code),
            format!("{base}/daten/indikatoren"),
        )
    };
    let description = [ind.definition.trim(), ind.notes.trim()]
        .iter()
        .filter(|t| !t.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let attribution = match (settings.attribution.trim(), ind.source.trim()) {
        (a, "") => a.to_string(),
        ("", s) => format!("Quelle: {s}"),
        (a, s) => format!("{a}; Quelle: {s}"),
    };
    let distributions: Vec<Value> = KINDS
        .iter()
        .map(|k| {
            let url = format!("{folder}/{}{}", ind.code, k.suffix);
            let mime = k.content_type.split(';').next().unwrap_or(k.content_type);
            let mut d = json!({
                "@id": url,
                "@type": "dcat:Distribution",
                "dct:title": {"@value": k.label, "@language": "de"},
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": url},
                "dct:format": {"@id": format!("http://publications.europa.eu/resource/authority/file-type/{}", k.file_type)},
                "dcat:mediaType": {"@id": format!("https://www.iana.org/assignments/media-types/{mime}")},
                "dct:license": {"@id": settings.licence.uri()},
            });
            if settings.licence.attribution && !attribution.is_empty() {
                d["dcatde:licenseAttributionByText"] = json!({"@value": attribution, "@language": "de"});
            }
            if let Some(m) = modified {
                d["dct:modified"] = date(m);
            }
            d
        })
        .collect();
    let mut d = json!({
        "@id": format!("{page}#datensatz"),
        "@type": "dcat:Dataset",
        "dct:identifier": format!("{page}#datensatz"),
        "dct:title": {"@value": if everything { ind.name.clone() } else { format!("{} {}", ind.code, ind.name) }, "@language": "de"},
        "dct:description": {"@value": if description.is_empty() { ind.name.clone() } else { description }, "@language": "de"},
        "dcat:theme": {"@id": "http://publications.europa.eu/resource/authority/data-theme/SOCI"},
        "dcat:keyword": ["Integration", "Integrationsmonitoring", "Migration"],
        "dct:publisher": publisher,
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": publisher["foaf:name"].clone(), "vcard:hasURL": {"@id": format!("{base}/")}},
        "dcat:landingPage": {"@id": page},
        "dct:accessRights": {"@id": "http://publications.europa.eu/resource/authority/access-right/PUBLIC"},
        "dcatde:politicalGeocodingLevelURI": {"@id": "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"},
        "dcat:distribution": distributions,
    });
    if !everything {
        d["dct:accrualPeriodicity"] = json!({"@id": format!("http://publications.europa.eu/resource/authority/frequency/{}", frequency(ind.periodicity))});
    }
    if let Some(m) = modified {
        d["dct:modified"] = date(m);
    }
    if let Some(c) = &settings.contributor {
        d["dcatde:contributorID"] = json!({"@id": c});
    }
    d
}
