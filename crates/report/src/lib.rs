//! PDF documents made with Typst used as a library: a Typst template (embedded, see `typst/`)
//! reads its data from a JSON file and its charts from SVG files handed over in memory — no file
//! system, no network, no packages. The fonts (DejaVu Sans, the charts' font) are embedded, so a
//! document comes out the same on every machine. The output is a tagged PDF/UA-1 with the
//! document's language, title, headings and the charts' alternative texts; the same input with
//! the same identifier and time gives the same bytes. Word documents (DOCX) are made in [`docx`].

pub mod docx;

use std::collections::HashMap;
use std::sync::OnceLock;
use typst::diag::{FileError, FileResult, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

/// The Monitoringbericht: A4 portrait with title page, table of contents and page numbers.
pub const MONITORINGBERICHT: &str = include_str!("../typst/monitoringbericht.typ");

/// The half-yearly presentation: 16:9 slides, then the speaker notes as a handout (A4).
pub const PRAESENTATION: &str = include_str!("../typst/praesentation.typ");

/// The Integrationskonzept: a version as a short A4 document.
pub const KONZEPT: &str = include_str!("../typst/konzept.typ");

/// The shared parts of every template (colours, tables, the Markdown blocks).
const COMMON: &str = include_str!("../typst/common.typ");

/// The fonts and the standard library, made once per process.
struct Env {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// The process's fonts and library.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let fonts: Vec<Font> = [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ]
        .into_iter()
        .flat_map(|d| Font::iter(Bytes::new(d)))
        .collect();
        Env {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// A file of the document's world by its path (`/main.typ`, `/daten.json`, `/grafik/x.svg`).
fn file_id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("Pfad {path}: {e:?}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// A document's world: the template as main file, the shared parts, the data and the charts.
struct Doc {
    main: FileId,
    sources: HashMap<FileId, Source>,
    files: HashMap<FileId, Bytes>,
    today: Datetime,
}

impl World for Doc {
    fn library(&self) -> &LazyHash<Library> {
        &env().library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &env().book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(s) = self.sources.get(&id) {
            return Ok(Bytes::from_string(s.clone()));
        }
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().get_without_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        env().fonts.get(index).cloned()
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// What a PDF is made of.
pub struct Input<'a> {
    /// The Typst template (e.g. [`MONITORINGBERICHT`]).
    pub template: &'a str,
    /// The data the template reads as `/daten.json`.
    pub data: &'a [u8],
    /// Further files by path (`/grafik/ARB-03-verlauf.svg`).
    pub files: Vec<(String, Vec<u8>)>,
    /// The document's identifier (stable across versions of the same report).
    pub ident: &'a str,
    /// When it was made (its date in the PDF's metadata).
    pub made: chrono::NaiveDateTime,
}

/// Diagnostics as one German message.
fn messages(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let hints: Vec<&str> = d.hints.iter().map(|h| h.v.as_str()).collect();
            match hints.is_empty() {
                true => d.message.to_string(),
                false => format!("{} ({})", d.message, hints.join("; ")),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Typst's date of a time.
fn datetime(t: chrono::NaiveDateTime) -> Option<Datetime> {
    use chrono::{Datelike, Timelike};
    Datetime::from_ymd_hms(
        t.year(),
        t.month() as u8,
        t.day() as u8,
        t.hour() as u8,
        t.minute() as u8,
        t.second() as u8,
    )
}

/// Makes a PDF/UA-1 document; returns the PDF and its number of pages.
pub fn pdf(input: &Input) -> Result<(Vec<u8>, usize), String> {
    let main = file_id("/main.typ")?;
    let common = file_id("/common.typ")?;
    let mut files = HashMap::new();
    files.insert(file_id("/daten.json")?, Bytes::new(input.data.to_vec()));
    for (path, bytes) in &input.files {
        files.insert(file_id(path)?, Bytes::new(bytes.clone()));
    }
    let made = datetime(input.made).ok_or("ungültige Zeit")?;
    let doc = Doc {
        main,
        sources: HashMap::from([
            (main, Source::new(main, input.template.to_string())),
            (common, Source::new(common, COMMON.to_string())),
        ]),
        files,
        today: Datetime::from_ymd(
            made.year().unwrap_or(2000),
            made.month().unwrap_or(1),
            made.day().unwrap_or(1),
        )
        .ok_or("ungültiges Datum")?,
    };
    let Warned { output, .. } = typst::compile::<PagedDocument>(&doc);
    let document = output.map_err(|e| messages(&e))?;
    let pages = document.pages().len();
    let standards = PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| e.message().to_string())?;
    let options = PdfOptions {
        ident: Smart::Custom(input.ident.into()),
        timestamp: Some(Timestamp::new_utc(made)),
        standards,
        tagged: true,
        ..PdfOptions::default()
    };
    let bytes = typst_pdf::pdf(&document, &options).map_err(|e| messages(&e))?;
    // Typst's caches grow with every document; a long-running server keeps only recent entries.
    comemo::evict(10);
    Ok((bytes, pages))
}

#[cfg(test)]
mod tests;
