//! kimo's readers and writers: kimo's long CSV (also as German Excel writes it), XLSX, wide tables,
//! Open SDG directories, catalogue tables and GeoJSON boundaries. No database: readers turn files into a
//! [`Dataset`] plus row-level [`Problem`]s; writers turn store contents into files.

pub mod catalogue;
pub mod crs;
mod error;
pub mod export;
pub mod geojson;
pub mod notation;
pub mod observations;
pub mod oparl;
pub mod opendata;
pub mod opensdg;
pub mod shape;
pub mod stream;
pub mod table;

pub use error::Error;

use kimo_model::{Area, Dataset, Dimension, Indicator, Problem};
use std::path::Path;

/// The input formats `kimo import --format` accepts; `Auto` detects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Detect from the path and the header.
    #[default]
    Auto,
    /// kimo's long format: one row per observation (CSV or XLSX).
    Long,
    /// Periods as columns (CSV or XLSX).
    Wide,
    /// An Open SDG data directory or data file.
    OpenSdg,
    /// Catalogue tables: Handlungsfelder, indicators, areas, dimensions (CSV or XLSX).
    Catalogue,
    /// Area boundaries.
    GeoJson,
}

impl Format {
    /// Parses a `--format` value.
    pub fn parse(s: &str) -> Result<Format, Error> {
        match s {
            "auto" => Ok(Format::Auto),
            "long" | "csv" | "xlsx" => Ok(Format::Long),
            "wide" => Ok(Format::Wide),
            "open-sdg" | "opensdg" => Ok(Format::OpenSdg),
            "catalogue" | "katalog" => Ok(Format::Catalogue),
            "geojson" => Ok(Format::GeoJson),
            _ => Err(Error::Format(s.to_string())),
        }
    }
}

/// What readers know beyond the file: the store's catalogue and the command's options.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Known dimensions with categories (for column and category matching).
    pub dimensions: Vec<Dimension>,
    /// Known areas (names are accepted for codes).
    pub areas: Vec<Area>,
    /// Known indicators (their metadata is kept when a data file brings none).
    pub indicators: Vec<Indicator>,
    /// `--format`.
    pub format: Format,
    /// `--sheet`: the XLSX sheet to read.
    pub sheet: Option<String>,
    /// `--indicator`: the indicator of a table without an indicator column.
    pub indicator: Option<String>,
    /// `--code-property` for GeoJSON.
    pub code_property: Option<String>,
    /// `--name-property` for GeoJSON.
    pub name_property: Option<String>,
    /// `--parent`: the parent of areas from GeoJSON.
    pub parent: Option<String>,
    /// Area code and lower-case name → code, built on first use.
    pub area_index: std::sync::OnceLock<std::collections::HashMap<String, String>>,
}

impl Context {
    /// The category code for a cell value (a code or a name, case-insensitive).
    pub fn category(&self, dimension: &str, value: &str) -> Option<String> {
        let d = self.dimensions.iter().find(|d| d.code == dimension)?;
        d.categories
            .iter()
            .find(|c| c.code == value)
            .or_else(|| {
                d.categories.iter().find(|c| {
                    c.code.eq_ignore_ascii_case(value)
                        || c.name.to_lowercase() == value.to_lowercase()
                })
            })
            .map(|c| c.code.clone())
    }

    /// The name of a known category.
    pub fn category_name(&self, dimension: &str, code: &str) -> String {
        self.dimensions
            .iter()
            .find(|d| d.code == dimension)
            .and_then(|d| d.categories.iter().find(|c| c.code == code))
            .map_or_else(|| code.to_string(), |c| c.name.clone())
    }

    /// The area code for a cell: a known code as it is, a known name as its code, a Stadtteil number
    /// without its leading zero as the code (`1` = `01`), `Insgesamt` as the whole city, else unchanged.
    pub fn area_code(&self, value: &str) -> String {
        let index = self.area_index.get_or_init(|| {
            let mut m = std::collections::HashMap::new();
            for a in &self.areas {
                m.insert(a.name.to_lowercase(), a.code.clone());
            }
            // Numbers after names, codes last: a code always wins.
            for a in self.areas.iter().filter(|a| a.level > 0) {
                if let Ok(n) = a.code.parse::<u64>() {
                    m.entry(format!("#{n}")).or_insert_with(|| a.code.clone());
                }
            }
            if let Some(city) = kimo_model::whole_city(&self.areas) {
                m.entry("insgesamt".into())
                    .or_insert_with(|| city.code.clone());
            }
            for a in &self.areas {
                m.insert(a.code.clone(), a.code.clone());
            }
            m
        });
        if let Some(code) = index.get(value) {
            return code.clone();
        }
        let number = value.parse::<u64>().ok().map(|n| format!("#{n}"));
        index
            .get(&value.to_lowercase())
            .or_else(|| number.and_then(|n| index.get(&n)))
            .cloned()
            .unwrap_or_else(|| value.to_string())
    }

    /// Matches a GeoJSON feature to a known area: by code, by number (`1` = `01`), or by name.
    pub fn match_area(&self, code: &str, name: &str) -> String {
        if self.areas.iter().any(|a| a.code == code) {
            return code.to_string();
        }
        if let Ok(n) = code.parse::<i64>()
            && let Some(a) = self
                .areas
                .iter()
                .find(|a| a.level > 0 && a.code.parse::<i64>().ok() == Some(n))
        {
            return a.code.clone();
        }
        let lower = name.to_lowercase();
        self.areas
            .iter()
            .find(|a| a.name.to_lowercase() == lower)
            .map_or_else(|| code.to_string(), |a| a.code.clone())
    }

    /// Adds what a dataset defines, so later files of the same command can use it.
    pub fn learn(&mut self, ds: &Dataset) {
        for d in &ds.dimensions {
            match self.dimensions.iter_mut().find(|x| x.code == d.code) {
                Some(x) => {
                    for c in &d.categories {
                        if !x.categories.iter().any(|k| k.code == c.code) {
                            x.categories.push(c.clone());
                        }
                    }
                }
                None => self.dimensions.push(d.clone()),
            }
        }
        for a in ds.areas.iter().chain(&ds.auto_areas) {
            if !self.areas.iter().any(|x| x.code == a.code) {
                self.areas.push(a.clone());
            }
        }
        self.area_index = std::sync::OnceLock::new();
        for i in &ds.indicators {
            self.indicators.retain(|x| x.code != i.code);
            self.indicators.push(i.clone());
        }
    }
}

fn whole_file(path: &Path, message: String) -> Problem {
    Problem::whole_file(path.display().to_string(), message)
}

fn read_table(t: &table::Table, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let kind = catalogue::detect(t);
    match ctx.format {
        Format::Catalogue => match kind {
            Some(k) => catalogue::read(t, k),
            None => (
                Dataset::default(),
                vec![t.file_problem("keine Katalogtabelle erkannt")],
            ),
        },
        Format::Long => observations::read_long(t, ctx),
        Format::Wide => observations::read_wide(t, ctx),
        _ => {
            if let Some(k) = kind {
                catalogue::read(t, k)
            } else if observations::is_long(t) {
                observations::read_long(t, ctx)
            } else if observations::is_wide(t) {
                observations::read_wide(t, ctx)
            } else {
                (
                    Dataset::default(),
                    vec![t.file_problem(format!(
                        "Format nicht erkannt (Spalten: {}); erwartet wird kimos Langformat (indikator, zeitraum, gebiet, wert), eine breite Tabelle (gebiet und Zeiträume als Spalten), eine Katalogtabelle oder Open SDG",
                        t.header.join(", ")
                    ))],
                )
            }
        }
    }
}

/// Reads one path (file or Open SDG directory) into a dataset and its problems.
pub fn read_path(path: &Path, ctx: &Context) -> (Dataset, Vec<Problem>) {
    if path.is_dir() {
        if opensdg::is_open_sdg_dir(path) {
            return opensdg::read_dir(path, ctx);
        }
        return (
            Dataset::default(),
            vec![whole_file(
                path,
                "Verzeichnis ist kein Open-SDG-Datenverzeichnis (data/indicator_*.csv fehlt)"
                    .into(),
            )],
        );
    }
    if !path.exists() {
        return (
            Dataset::default(),
            vec![whole_file(path, "Datei nicht gefunden".into())],
        );
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    if ctx.format == Format::GeoJson
        || ext == "geojson"
        || (ext == "json" && ctx.format == Format::Auto)
    {
        return match std::fs::read(path) {
            Ok(b) => geojson::read(&path.display().to_string(), &table::decode(&b), ctx),
            Err(e) => (
                Dataset::default(),
                vec![whole_file(path, format!("Datei nicht lesbar: {e}"))],
            ),
        };
    }
    if ext == "xlsx" || ext == "xlsm" {
        return read_workbook(path, ctx);
    }
    // A long table is read as it is streamed, so both ways agree.
    match stream::open_long(path, ctx) {
        Err(p) => return (Dataset::default(), p),
        Ok(Some(s)) => return s.read_all(ctx),
        Ok(None) => {}
    }
    let t = match table::read_csv(path) {
        Ok(t) => t,
        Err(p) => return (Dataset::default(), p),
    };
    if ctx.format == Format::OpenSdg || (ctx.format == Format::Auto && opensdg::is_open_sdg(&t)) {
        // A data file inside an Open SDG directory finds its metadata two levels up.
        let dir = path
            .parent()
            .filter(|p| p.file_name().is_some_and(|n| n == "data"))
            .and_then(Path::parent);
        return opensdg::read_file(path, dir, ctx);
    }
    read_table(&t, ctx)
}

/// Reads an XLSX workbook: a catalogue workbook sheet by sheet, otherwise the first visible (or the
/// chosen) sheet; hidden sheets skipped become notices.
fn read_workbook(path: &Path, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let (tables, notices) = match table::read_xlsx(path, ctx.sheet.as_deref()) {
        Ok(t) => t,
        Err(p) => return (Dataset::default(), p),
    };
    let Some(first) = tables.first() else {
        return (
            Dataset::default(),
            vec![whole_file(path, "die Arbeitsmappe ist leer".into())],
        );
    };
    let (mut ds, problems) = if ctx.sheet.is_none() && catalogue::detect(first).is_some() {
        let mut ds = Dataset::default();
        let mut problems = Vec::new();
        for t in tables.iter().filter(|t| catalogue::detect(t).is_some()) {
            let (d, p) = read_table(t, ctx);
            ds.extend(d);
            problems.extend(p);
        }
        (ds, problems)
    } else {
        read_table(first, ctx)
    };
    ds.notices.splice(0..0, notices);
    (ds, problems)
}

#[cfg(test)]
mod geo_tests;
#[cfg(test)]
mod tests;
