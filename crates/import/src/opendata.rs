//! The open data files: published figures with their metadata, licence and attribution in every
//! file — CSV (UTF-8 for programs, or as German Excel reads it) and XLSX (a sheet „Daten“ and a
//! sheet „Metadaten“). A secret cell has no number: its flags say `s`, its `symbol` column „.“
//! (in the files for people, XLSX and German Excel CSV, the value cell shows „.“ too).

use crate::export::{CsvStyle, number};
use kimo_model::disclosure::{LEGEND, SYMBOL};
use kimo_model::licence::Licence;
use kimo_model::{Flags, Indicator, csv_safe};
use std::io::Write;

/// What every file says about itself.
#[derive(Debug, Clone)]
pub struct Meta {
    /// The title („Integrationsmonitoring Karlsruhe: ARB-03 Beschäftigtenquote“).
    pub title: String,
    /// Who is to be named (Namensnennung).
    pub attribution: String,
    /// The licence.
    pub licence: Licence,
    /// The day the data was last changed (ISO 8601).
    pub modified: String,
    /// The data version the file was made from.
    pub version: i64,
    /// Where the file is published (the portal's page), if known.
    pub landing_page: Option<String>,
}

impl Meta {
    /// The licence cell of every row: its identifier and address (the name is in the metadata).
    pub fn licence_cell(&self) -> String {
        format!("{} ({})", self.licence.id, self.licence.url)
    }

    /// The attribution line for an indicator's source.
    pub fn attribution_for(&self, source: &str) -> String {
        match (self.attribution.trim(), source.trim()) {
            ("", s) => format!("Quelle: {s}"),
            (a, "") => a.to_string(),
            (a, s) => format!("{a}; Quelle: {s}"),
        }
    }
}

/// One published figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The indicator's code.
    pub indicator: String,
    /// The period's code (`2024`, `2024-H2`, …).
    pub period: String,
    /// The period in words.
    pub period_label: String,
    /// The area's code.
    pub area: String,
    /// The area's name.
    pub area_name: String,
    /// The breakdown's categories by dimension code.
    pub breakdown: kimo_model::Breakdown,
    /// The value (None: missing or secret).
    pub value: Option<f64>,
    /// The numerator.
    pub numerator: Option<f64>,
    /// The denominator.
    pub denominator: Option<f64>,
    /// The flags (`s`: secret).
    pub flags: Flags,
}

/// The columns before the dimension columns.
pub const LEAD_COLUMNS: [&str; 7] = [
    "indicator",
    "indicator_name",
    "unit",
    "period",
    "period_label",
    "area",
    "area_name",
];

/// The columns after the dimension columns.
pub const TAIL_COLUMNS: [&str; 7] = [
    "value",
    "numerator",
    "denominator",
    "flags",
    "symbol",
    "attribution",
    "licence",
];

/// The dimension codes used by some rows, sorted.
pub fn dimensions(rows: &[Row]) -> Vec<String> {
    let mut d: Vec<String> = rows
        .iter()
        .flat_map(|r| r.breakdown.dimensions().map(str::to_string))
        .collect();
    d.sort();
    d.dedup();
    d
}

/// A cell of a row: text, or a figure (which the CSV files write in their style).
enum Cell<'a> {
    /// Text (codes such as "01" stay text).
    Text(&'a str),
    /// A figure, or none.
    Figure(Option<f64>),
}

/// What the rows of one indicator share: its name, unit and attribution.
struct Common<'a> {
    name: &'a str,
    unit: String,
    attribution: String,
}

impl<'a> Common<'a> {
    /// An indicator's shared cells in a file with `meta`.
    fn of(ind: &'a Indicator, meta: &Meta) -> Self {
        Common {
            name: &ind.name,
            unit: ind.unit.to_string(),
            attribution: meta.attribution_for(&ind.source),
        }
    }
}

/// Gives a row's cells in column order to `cell` (the value „.“ for a secret cell in the files
/// for people, `people`), without copying them.
fn each_cell<'a>(
    r: &'a Row,
    common: &'a Common<'_>,
    flags: &'a str,
    dims: &[String],
    licence: &'a str,
    people: bool,
    mut cell: impl FnMut(Cell<'_>),
) {
    let secret = r.flags.suppressed && r.value.is_none();
    for text in [
        r.indicator.as_str(),
        common.name,
        &common.unit,
        &r.period,
        &r.period_label,
        &r.area,
        &r.area_name,
    ] {
        cell(Cell::Text(text));
    }
    for d in dims {
        cell(Cell::Text(r.breakdown.get(d).unwrap_or("")));
    }
    if secret && people {
        cell(Cell::Text(SYMBOL));
    } else {
        cell(Cell::Figure(r.value));
    }
    cell(Cell::Figure(r.numerator));
    cell(Cell::Figure(r.denominator));
    cell(Cell::Text(flags));
    cell(Cell::Text(if secret { SYMBOL } else { "" }));
    cell(Cell::Text(&common.attribution));
    cell(Cell::Text(licence));
}

/// The formats of the open data files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// CSV for programs or as German Excel reads it.
    Csv(CsvStyle),
    /// An Excel workbook with the sheets „Daten“ and „Metadaten“.
    Xlsx,
    /// JSON: the metadata, then per indicator its definition and values.
    Json,
}

/// Where a file's rows go.
enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>, CsvStyle),
    Json(W, bool),
    /// The workbook (its „Daten“ sheet kept on disk, not in memory), the next row, the output.
    Xlsx(Box<rust_xlsxwriter::Workbook>, u32, W),
}

/// An open data file written indicator by indicator, so that only one indicator's rows need to
/// be in memory, whatever the size of the whole.
pub struct FileWriter<W: Write> {
    sink: Sink<W>,
    dims: Vec<String>,
    /// The licence cell of every row.
    licence: String,
    meta: Meta,
}

/// An I/O or workbook error as the crate's.
fn io(e: std::io::Error) -> crate::Error {
    crate::Error::Io(e.to_string())
}

impl<W: Write + Send> FileWriter<W> {
    /// Starts a file: its header (or head), with a column for each of `dims` (dimension codes).
    pub fn new(
        kind: FileKind,
        mut out: W,
        dims: Vec<String>,
        meta: Meta,
    ) -> Result<Self, crate::Error> {
        let header: Vec<&str> = LEAD_COLUMNS
            .iter()
            .copied()
            .chain(dims.iter().map(String::as_str))
            .chain(TAIL_COLUMNS.iter().copied())
            .collect();
        let sink = match kind {
            FileKind::Csv(style) => {
                let mut w = crate::export::csv_writer(out, style).map_err(io)?;
                w.write_record(header.iter().map(|c| csv_safe(c).into_owned()))
                    .map_err(|e| crate::Error::Io(e.to_string()))?;
                Sink::Csv(Box::new(w), style)
            }
            FileKind::Json => {
                let head = json_head(&meta);
                let text =
                    serde_json::to_string(&head).map_err(|e| crate::Error::Io(e.to_string()))?;
                // The head without its closing brace, then the indicators' array.
                let open = text.strip_suffix('}').unwrap_or(&text);
                let sep = if open.ends_with('{') { "" } else { "," };
                write!(out, "{open}{sep}\"indicators\":[").map_err(io)?;
                Sink::Json(out, true)
            }
            FileKind::Xlsx => {
                let mut wb = Box::new(rust_xlsxwriter::Workbook::new());
                // Excel's own level: twice as fast as the default for a slightly bigger file.
                wb.set_zip_compression_level(3);
                xlsx_properties(&mut wb, &meta)?;
                let bold = rust_xlsxwriter::Format::new().set_bold();
                let ws = wb.add_worksheet_with_constant_memory()?.set_name("Daten")?;
                for (c, h) in header.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, *h, &bold)?;
                }
                ws.set_freeze_panes(1, 0)?;
                Sink::Xlsx(wb, 1, out)
            }
        };
        Ok(FileWriter {
            sink,
            dims,
            licence: meta.licence_cell(),
            meta,
        })
    }

    /// Adds one indicator's rows.
    pub fn indicator(&mut self, ind: &Indicator, rows: &[Row]) -> Result<(), crate::Error> {
        let (dims, meta, licence) = (&self.dims, &self.meta, &self.licence);
        let common = Common::of(ind, meta);
        let failed = |e: csv::Error| crate::Error::Io(e.to_string());
        match &mut self.sink {
            Sink::Csv(w, style) => {
                let people = *style == CsvStyle::GermanExcel;
                for r in rows {
                    let flags = r.flags.code();
                    let mut result = Ok(());
                    each_cell(r, &common, &flags, dims, licence, people, |c| {
                        if result.is_ok() {
                            result = match c {
                                Cell::Text(t) => w.write_field(csv_safe(t).as_bytes()),
                                Cell::Figure(x) => w.write_field(number(x, *style)),
                            };
                        }
                    });
                    result.map_err(failed)?;
                    w.write_record(None::<&[u8]>).map_err(failed)?;
                }
            }
            Sink::Json(out, first) => {
                if !*first {
                    out.write_all(b",").map_err(io)?;
                }
                *first = false;
                serde_json::to_writer(&mut *out, &json_indicator(ind, rows, &common))
                    .map_err(|e| crate::Error::Io(e.to_string()))?;
            }
            Sink::Xlsx(wb, next, _) => {
                let ws = wb.worksheet_from_index(0)?;
                for r in rows {
                    let flags = r.flags.code();
                    let mut column = 0u16;
                    let mut result = Ok(());
                    each_cell(r, &common, &flags, dims, licence, true, |c| {
                        if result.is_ok() {
                            result = match c {
                                Cell::Figure(Some(x)) => {
                                    ws.write_number(*next, column, x).map(drop)
                                }
                                Cell::Figure(None) | Cell::Text("") => Ok(()),
                                Cell::Text(t) => ws.write_string(*next, column, t).map(drop),
                            };
                        }
                        column += 1;
                    });
                    result?;
                    *next += 1;
                }
            }
        }
        Ok(())
    }

    /// Ends the file (the workbook gets its „Metadaten“ sheet about `indicators`) and gives the
    /// output back.
    pub fn finish(self, indicators: &[Indicator]) -> Result<W, crate::Error> {
        match self.sink {
            Sink::Csv(w, _) => (*w)
                .into_inner()
                .map_err(|e| crate::Error::Io(e.to_string())),
            Sink::Json(mut out, _) => {
                out.write_all(b"]}").map_err(io)?;
                Ok(out)
            }
            Sink::Xlsx(mut wb, next, mut out) => {
                let columns = (LEAD_COLUMNS.len() + self.dims.len() + TAIL_COLUMNS.len()) as u16;
                wb.worksheet_from_index(0)?.autofilter(
                    0,
                    0,
                    next.saturating_sub(1).max(1),
                    columns - 1,
                )?;
                let bold = rust_xlsxwriter::Format::new().set_bold();
                metadata_sheet(
                    wb.add_worksheet().set_name("Metadaten")?,
                    indicators,
                    &self.meta,
                    &bold,
                )?;
                wb.save_to_writer(&mut out)?;
                Ok(out)
            }
        }
    }
}

/// The JSON file's head: metadata, licence and legend.
fn json_head(meta: &Meta) -> serde_json::Value {
    serde_json::json!({
        "title": meta.title,
        "attribution": meta.attribution,
        "licence": {
            "id": meta.licence.id,
            "name": meta.licence.name,
            "url": meta.licence.url,
            "uri": meta.licence.uri(),
        },
        "modified": meta.modified,
        "data_version": meta.version,
        "landing_page": meta.landing_page,
        "legend": {
            SYMBOL: LEGEND,
            "flags": Flags::legend(),
        },
    })
}

/// One indicator in the JSON file: its definition and its values (keys in alphabetical order).
#[derive(serde::Serialize)]
struct JsonIndicator<'a> {
    action_field: &'a Option<String>,
    attribution: &'a str,
    code: &'a str,
    definition: &'a str,
    denominator: &'a str,
    name: &'a str,
    notes: &'a str,
    numerator: &'a str,
    observations: JsonRows<'a>,
    periodicity: &'a str,
    source: &'a str,
    unit: &'a str,
}

/// An indicator's rows in the JSON file, serialized one by one.
struct JsonRows<'a>(&'a [Row]);

impl serde::Serialize for JsonRows<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|r| JsonRow {
            area: &r.area,
            area_name: &r.area_name,
            breakdown: &r.breakdown,
            denominator: r.denominator,
            flags: r.flags.code(),
            numerator: r.numerator,
            period: &r.period,
            period_label: &r.period_label,
            symbol: (r.flags.suppressed && r.value.is_none()).then_some(SYMBOL),
            value: r.value,
        }))
    }
}

/// One figure in the JSON file (keys in alphabetical order).
#[derive(serde::Serialize)]
struct JsonRow<'a> {
    area: &'a str,
    area_name: &'a str,
    breakdown: &'a kimo_model::Breakdown,
    denominator: Option<f64>,
    flags: String,
    numerator: Option<f64>,
    period: &'a str,
    period_label: &'a str,
    symbol: Option<&'static str>,
    value: Option<f64>,
}

/// One indicator in the JSON file.
fn json_indicator<'a>(
    i: &'a Indicator,
    rows: &'a [Row],
    common: &'a Common<'_>,
) -> JsonIndicator<'a> {
    JsonIndicator {
        action_field: &i.action_field,
        attribution: &common.attribution,
        code: &i.code,
        definition: &i.definition,
        denominator: &i.denominator,
        name: &i.name,
        notes: &i.notes,
        numerator: &i.numerator,
        observations: JsonRows(rows),
        periodicity: i.periodicity.label(),
        source: &i.source,
        unit: &common.unit,
    }
}

/// The workbook's document properties: title, author (the attribution), licence, date.
fn xlsx_properties(wb: &mut rust_xlsxwriter::Workbook, meta: &Meta) -> Result<(), crate::Error> {
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime};
    let made = chrono::NaiveDate::parse_from_str(&meta.modified, "%Y-%m-%d")
        .unwrap_or_else(|_| chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day"));
    let day = ExcelDateTime::from_ymd(made.year() as u16, made.month() as u8, made.day() as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&meta.title)
            .set_author(&meta.attribution)
            .set_comment(format!("{} ({})", meta.licence.name, meta.licence.url))
            .set_creation_datetime(&day),
    );
    Ok(())
}

/// Writes rows (grouped by indicator, in the order of `indicators`) as one file.
fn write_rows<W: Write + Send>(
    kind: FileKind,
    out: W,
    rows: &[Row],
    indicators: &[Indicator],
    meta: &Meta,
) -> Result<W, crate::Error> {
    let mut w = FileWriter::new(kind, out, dimensions(rows), meta.clone())?;
    for ind in indicators {
        let mine: Vec<Row> = rows
            .iter()
            .filter(|r| r.indicator == ind.code)
            .cloned()
            .collect();
        w.indicator(ind, &mine)?;
    }
    w.finish(indicators)
}

/// Writes rows as CSV with a header; `indicators` gives names, units and sources.
pub fn write_csv<W: Write + Send>(
    out: W,
    rows: &[Row],
    indicators: &[Indicator],
    meta: &Meta,
    style: CsvStyle,
) -> std::io::Result<()> {
    write_rows(FileKind::Csv(style), out, rows, indicators, meta)
        .map(drop)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// Writes rows as an XLSX workbook: „Daten“ (numbers as numbers, „.“ for a secret cell) and
/// „Metadaten“ (title, attribution, licence, date, the legend, and the indicators' definitions).
pub fn write_xlsx(
    rows: &[Row],
    indicators: &[Indicator],
    meta: &Meta,
) -> Result<Vec<u8>, crate::Error> {
    write_rows(FileKind::Xlsx, Vec::new(), rows, indicators, meta)
}

/// The sheet „Metadaten“.
fn metadata_sheet(
    ws: &mut rust_xlsxwriter::Worksheet,
    indicators: &[Indicator],
    meta: &Meta,
    bold: &rust_xlsxwriter::Format,
) -> Result<(), crate::Error> {
    let about = [
        ("Titel", meta.title.clone()),
        ("Namensnennung", meta.attribution.clone()),
        ("Lizenz", meta.licence.name.to_string()),
        ("Lizenztext", meta.licence.url.to_string()),
        ("Stand der Daten", meta.modified.clone()),
        ("Datenversion", meta.version.to_string()),
        ("Fundstelle", meta.landing_page.clone().unwrap_or_default()),
        ("Zeichenerklärung", format!("„{SYMBOL}“ = {LEGEND}")),
        ("Kennzeichen (Spalte flags)", Flags::legend()),
    ];
    for (r, (k, v)) in about.iter().enumerate() {
        ws.write_string_with_format(r as u32, 0, *k, bold)?;
        ws.write_string(r as u32, 1, v)?;
    }
    let start = about.len() as u32 + 1;
    let head = [
        "Indikator",
        "Name",
        "Definition",
        "Zähler",
        "Nenner",
        "Einheit",
        "Quelle",
        "Periodizität",
        "Hinweise",
    ];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(start, c as u16, *h, bold)?;
    }
    for (n, i) in indicators.iter().enumerate() {
        let row = start + 1 + n as u32;
        let cells = [
            i.code.clone(),
            i.name.clone(),
            i.definition.clone(),
            i.numerator.clone(),
            i.denominator.clone(),
            i.unit.to_string(),
            i.source.clone(),
            i.periodicity.label().to_string(),
            i.notes.clone(),
        ];
        for (c, v) in cells.iter().enumerate() {
            ws.write_string(row, c as u16, v)?;
        }
    }
    ws.set_column_width(0, 28)?;
    ws.set_column_width(1, 60)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::Reader as _;

    fn sample() -> (Vec<Row>, Vec<Indicator>, Meta) {
        let ind = Indicator {
            code: "REC-05".into(),
            name: "Einbürgerungen".into(),
            definition: "Zahl der Einbürgerungen im Jahr".into(),
            unit: kimo_model::Unit::parse("Anzahl"),
            source: "Bürgerservice".into(),
            ..Default::default()
        };
        let row = |area: &str, value: Option<f64>, secret: bool| Row {
            indicator: "REC-05".into(),
            period: "2025".into(),
            period_label: "2025".into(),
            area: area.into(),
            area_name: format!("Gebiet {area}"),
            breakdown: kimo_model::Breakdown::from_key("geschlecht=w"),
            value,
            numerator: None,
            denominator: None,
            flags: Flags {
                suppressed: secret,
                ..Default::default()
            },
        };
        let meta = Meta {
            title: "Einbürgerungen".into(),
            attribution: "Stadt Karlsruhe".into(),
            licence: kimo_model::licence::Licence::by_id("dl-by-de/2.0").unwrap(),
            modified: "2026-11-30".into(),
            version: 7,
            landing_page: Some("https://example.de/indikatoren/REC-05".into()),
        };
        (
            vec![row("01", None, true), row("02", Some(1234.5), false)],
            vec![ind],
            meta,
        )
    }

    #[test]
    fn csv_files_carry_symbol_attribution_and_licence() {
        let (rows, inds, meta) = sample();
        let mut out = Vec::new();
        write_csv(&mut out, &rows, &inds, &meta, CsvStyle::Machine).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "indicator,indicator_name,unit,period,period_label,area,area_name,geschlecht,\
             value,numerator,denominator,flags,symbol,attribution,licence"
        );
        let licence = "dl-by-de/2.0 (https://www.govdata.de/dl-de/by-2-0)";
        assert_eq!(
            lines[1],
            format!(
                "REC-05,Einbürgerungen,Anzahl,2025,2025,01,Gebiet 01,w,,,,s,.,\
                 Stadt Karlsruhe; Quelle: Bürgerservice,{licence}"
            )
        );
        assert!(lines[2].contains(",w,1234.5,,,,,"), "{}", lines[2]);
        let mut out = Vec::new();
        write_csv(&mut out, &rows, &inds, &meta, CsvStyle::GermanExcel).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains(";w;.;;;s;.;"), "{text}");
        assert!(text.contains(";w;1234,5;;;;;"), "{text}");
    }

    #[test]
    fn xlsx_files_have_numbers_the_symbol_and_metadata() {
        let (rows, inds, meta) = sample();
        let bytes = write_xlsx(&rows, &inds, &meta).unwrap();
        let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["Daten", "Metadaten"]);
        let data = wb.worksheet_range("Daten").unwrap();
        let value = 8; // 7 lead columns, one dimension
        assert_eq!(data.get((0, value)).unwrap().to_string(), "value");
        assert_eq!(data.get((1, value)).unwrap().to_string(), ".");
        assert_eq!(data.get((2, value)), Some(&calamine::Data::Float(1234.5)));
        let about = wb.worksheet_range("Metadaten").unwrap();
        let text: Vec<String> = about
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        for want in [
            "Datenlizenz Deutschland – Namensnennung – Version 2.0",
            "https://www.govdata.de/dl-de/by-2-0",
            "Stadt Karlsruhe",
            "„.“ = Zahlenwert unbekannt oder geheim zu halten",
            "Zahl der Einbürgerungen im Jahr",
        ] {
            assert!(text.iter().any(|t| t == want), "{want} missing: {text:?}");
        }
    }
}
