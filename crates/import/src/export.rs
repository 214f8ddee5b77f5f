//! Writing kimo's long CSV: machine-readable (`,` and `.`) or as German Excel reads it (`;`, decimal comma, BOM).
//! Every CSV cell passes [`kimo_model::csv_safe`] (no formulas for spreadsheets; `kimo import` undoes it).

use kimo_model::{ActionField, Area, Dimension, Indicator, Observation, csv_safe};
use std::io::Write;

/// The flavour of CSV to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvStyle {
    /// `,` separator, `.` decimal point, UTF-8: for programs and round trips.
    Machine,
    /// `;` separator, decimal comma, UTF-8 with BOM: opens correctly in German Excel.
    GermanExcel,
}

/// A number cell in the given CSV style: the shortest exact representation (decimal comma for
/// German Excel, no thousands separator); empty when missing.
pub fn number(v: Option<f64>, style: CsvStyle) -> String {
    match (v, style) {
        (None, _) => String::new(),
        (Some(v), CsvStyle::Machine) => v.to_string(),
        (Some(v), CsvStyle::GermanExcel) => {
            // Shortest exact representation, with a decimal comma and no thousands dots.
            v.to_string().replace('.', ",")
        }
    }
}

/// A CSV writer in the given style: `,` for programs; `;` after a UTF-8 BOM for German Excel.
pub fn csv_writer<W: Write>(mut out: W, style: CsvStyle) -> std::io::Result<csv::Writer<W>> {
    if style == CsvStyle::GermanExcel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    Ok(csv::WriterBuilder::new()
        .delimiter(if style == CsvStyle::Machine {
            b','
        } else {
            b';'
        })
        .from_writer(out))
}

/// Writes observations in the long format; dimension columns are the given dimension codes. When
/// some period is a label, a `period_kind` column after `period` says `label` on its rows, so that
/// `kimo import` keeps it verbatim (and still refuses an unmarked period it does not know).
pub fn write_long<W: Write>(
    out: W,
    observations: &[Observation],
    dimensions: &[String],
    style: CsvStyle,
) -> std::io::Result<()> {
    let mut w = csv_writer(out, style)?;
    let labels = observations.iter().any(|o| o.period.is_label());
    let mut header: Vec<&str> = vec!["indicator", "period"];
    if labels {
        header.push(crate::observations::PERIOD_KIND[0]);
    }
    header.push("area");
    header.extend(dimensions.iter().map(String::as_str));
    header.extend(["value", "numerator", "denominator", "flags"]);
    w.write_record(header.iter().map(|c| csv_safe(c).into_owned()))?;
    for o in observations {
        let mut rec = vec![o.indicator.clone(), o.period.code()];
        if labels {
            let kind = if o.period.is_label() {
                crate::observations::LABEL_KIND
            } else {
                ""
            };
            rec.push(kind.to_string());
        }
        rec.push(o.area.clone());
        rec.extend(
            dimensions
                .iter()
                .map(|d| o.breakdown.get(d).unwrap_or("").to_string()),
        );
        rec.push(number(o.value, style));
        rec.push(number(o.numerator, style));
        rec.push(number(o.denominator, style));
        rec.push(o.flags.code());
        w.write_record(rec.iter().map(|c| csv_safe(c).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

/// The dimension codes used by some observations, sorted.
pub fn used_dimensions(observations: &[Observation]) -> Vec<String> {
    let mut d: Vec<String> = observations
        .iter()
        .flat_map(|o| o.breakdown.dimensions().map(str::to_string))
        .collect();
    d.sort();
    d.dedup();
    d
}

/// A worksheet: name, header, rows.
type Sheet<'a> = (&'a str, Vec<&'a str>, Vec<Vec<String>>);

/// Writes the catalogue as an XLSX workbook with the sheets Handlungsfelder, Indikatoren, Gebiete and
/// Merkmale, in the columns `kimo import` reads back.
pub fn write_catalogue_xlsx(
    path: &std::path::Path,
    fields: &[ActionField],
    indicators: &[Indicator],
    areas: &[Area],
    dimensions: &[Dimension],
) -> Result<(), crate::Error> {
    write_workbook(
        path,
        vec![
            action_field_sheet(fields),
            indicator_sheet(indicators),
            area_sheet(areas),
            dimension_sheet(dimensions),
        ],
    )
}

/// An entry's English text of `field` (empty without one), for the `…_en` columns.
fn en(t: &Option<kimo_model::lang::Translations>, field: &str) -> String {
    t.as_ref()
        .and_then(|t| t.get(kimo_model::lang::Lang::En, field))
        .unwrap_or_default()
        .to_string()
}

fn action_field_sheet(fields: &[ActionField]) -> Sheet<'static> {
    let rows = fields
        .iter()
        .map(|f| {
            vec![
                f.code.clone(),
                f.name.clone(),
                f.description.clone(),
                f.sort.to_string(),
                en(&f.translations, "name"),
                en(&f.translations, "description"),
            ]
        })
        .collect();
    let header = vec![
        "handlungsfeld",
        "name",
        "beschreibung",
        "reihenfolge",
        "name_en",
        "beschreibung_en",
    ];
    ("Handlungsfelder", header, rows)
}

fn indicator_sheet(indicators: &[Indicator]) -> Sheet<'static> {
    let yes = |b: bool| if b { "ja" } else { "nein" }.to_string();
    let rows = indicators
        .iter()
        .map(|i| {
            vec![
                i.code.clone(),
                i.name.clone(),
                i.action_field.clone().unwrap_or_default(),
                i.definition.clone(),
                i.numerator.clone(),
                i.denominator.clone(),
                i.unit.to_string(),
                i.polarity.code().into(),
                i.source.clone(),
                i.department.clone(),
                i.periodicity.code().into(),
                yes(i.core),
                yes(i.published),
                i.notes.clone(),
                yes(i.may_exceed_100),
                en(&i.translations, "name"),
                en(&i.translations, "definition"),
                en(&i.translations, "numerator"),
                en(&i.translations, "denominator"),
                en(&i.translations, "source"),
                en(&i.translations, "notes"),
            ]
        })
        .collect();
    let mut header = crate::catalogue::INDICATOR_COLUMNS.to_vec();
    header.extend([
        "name_en",
        "definition_en",
        "zaehler_en",
        "nenner_en",
        "quelle_en",
        "hinweise_en",
    ]);
    ("Indikatoren", header, rows)
}

fn area_sheet(areas: &[Area]) -> Sheet<'static> {
    let rows = areas
        .iter()
        .map(|a| {
            vec![
                a.code.clone(),
                a.name.clone(),
                a.parent.clone().unwrap_or_default(),
                a.level.to_string(),
            ]
        })
        .collect();
    (
        "Gebiete",
        vec!["code", "name", "uebergeordnet", "ebene"],
        rows,
    )
}

fn dimension_sheet(dimensions: &[Dimension]) -> Sheet<'static> {
    let rows = dimensions
        .iter()
        .flat_map(|d| {
            d.categories.iter().map(|c| {
                vec![
                    d.code.clone(),
                    d.name.clone(),
                    c.code.clone(),
                    c.name.clone(),
                    en(&d.translations, "name"),
                    en(&c.translations, "name"),
                ]
            })
        })
        .collect();
    let header = vec![
        "merkmal",
        "merkmal_name",
        "auspraegung",
        "auspraegung_name",
        "merkmal_name_en",
        "auspraegung_name_en",
    ];
    ("Merkmale", header, rows)
}

/// Writes sheets with a bold header row; every cell as text.
fn write_workbook(path: &std::path::Path, sheets: Vec<Sheet>) -> Result<(), crate::Error> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (name, header, rows) in sheets {
        let ws = wb.add_worksheet().set_name(name)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                // Text cells keep codes such as "01" as they are.
                ws.write_string(r as u32 + 1, c as u16, v)?;
            }
        }
        ws.autofit();
    }
    Ok(wb.save(path)?)
}
