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

/// A row's cells in the given style (the value „.“ for a secret cell in the files for people).
fn cells(
    r: &Row,
    ind: Option<&Indicator>,
    dims: &[String],
    meta: &Meta,
    style: CsvStyle,
) -> Vec<String> {
    let secret = r.flags.suppressed && r.value.is_none();
    let mut v = vec![
        r.indicator.clone(),
        ind.map_or(String::new(), |i| i.name.clone()),
        ind.map_or(String::new(), |i| i.unit.to_string()),
        r.period.clone(),
        r.period_label.clone(),
        r.area.clone(),
        r.area_name.clone(),
    ];
    v.extend(
        dims.iter()
            .map(|d| r.breakdown.get(d).unwrap_or("").to_string()),
    );
    let value = if secret && style == CsvStyle::GermanExcel {
        SYMBOL.to_string()
    } else {
        number(r.value, style)
    };
    v.extend([
        value,
        number(r.numerator, style),
        number(r.denominator, style),
        r.flags.code(),
        if secret { SYMBOL } else { "" }.to_string(),
        meta.attribution_for(ind.map_or("", |i| i.source.as_str())),
        meta.licence_cell(),
    ]);
    v
}

/// Writes rows as CSV with a header; `indicators` gives names, units and sources.
pub fn write_csv<W: Write>(
    out: W,
    rows: &[Row],
    indicators: &[Indicator],
    meta: &Meta,
    style: CsvStyle,
) -> std::io::Result<()> {
    let mut w = crate::export::csv_writer(out, style)?;
    let dims = dimensions(rows);
    let header = LEAD_COLUMNS
        .iter()
        .copied()
        .chain(dims.iter().map(String::as_str))
        .chain(TAIL_COLUMNS.iter().copied());
    w.write_record(header.map(|c| csv_safe(c).into_owned()))?;
    let by_code: std::collections::HashMap<&str, &Indicator> =
        indicators.iter().map(|i| (i.code.as_str(), i)).collect();
    for r in rows {
        let ind = by_code.get(r.indicator.as_str()).copied();
        let rec = cells(r, ind, &dims, meta, style);
        w.write_record(rec.iter().map(|c| csv_safe(c).into_owned()))?;
    }
    w.flush()
}

/// Writes rows as an XLSX workbook: „Daten“ (numbers as numbers, „.“ for a secret cell) and
/// „Metadaten“ (title, attribution, licence, date, the legend, and the indicators' definitions).
pub fn write_xlsx(
    rows: &[Row],
    indicators: &[Indicator],
    meta: &Meta,
) -> Result<Vec<u8>, crate::Error> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let made = chrono::NaiveDate::parse_from_str(&meta.modified, "%Y-%m-%d")
        .unwrap_or_else(|_| chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a day"));
    use chrono::Datelike;
    let day = ExcelDateTime::from_ymd(made.year() as u16, made.month() as u8, made.day() as u8)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(&meta.title)
            .set_author(&meta.attribution)
            .set_comment(format!("{} ({})", meta.licence.name, meta.licence.url))
            .set_creation_datetime(&day),
    );
    let bold = Format::new().set_bold();
    let dims = dimensions(rows);
    let header: Vec<&str> = LEAD_COLUMNS
        .iter()
        .copied()
        .chain(dims.iter().map(String::as_str))
        .chain(TAIL_COLUMNS.iter().copied())
        .collect();
    let numeric = LEAD_COLUMNS.len() + dims.len();
    let by_code: std::collections::HashMap<&str, &Indicator> =
        indicators.iter().map(|i| (i.code.as_str(), i)).collect();
    let ws = wb.add_worksheet().set_name("Daten")?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (n, r) in rows.iter().enumerate() {
        let row = n as u32 + 1;
        let ind = by_code.get(r.indicator.as_str()).copied();
        let text = cells(r, ind, &dims, meta, CsvStyle::GermanExcel);
        let figures = [r.value, r.numerator, r.denominator];
        for (c, v) in text.iter().enumerate() {
            let figure = figures.get(c.wrapping_sub(numeric));
            match figure {
                Some(Some(x)) => ws.write_number(row, c as u16, *x)?,
                Some(None) if v.is_empty() => ws,
                // Codes such as "01" stay text, as the legend's „.“.
                _ => ws.write_string(row, c as u16, v)?,
            };
        }
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.len() as u32, header.len() as u16 - 1)?;
    metadata_sheet(
        wb.add_worksheet().set_name("Metadaten")?,
        indicators,
        meta,
        &bold,
    )?;
    Ok(wb.save_to_buffer()?)
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
