//! Writing kimo's long CSV: machine-readable (`,` and `.`) or as German Excel reads it (`;`, decimal comma, BOM).

use kimo_model::{Observation, format_number};
use std::io::Write;

/// The flavour of CSV to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvStyle {
    /// `,` separator, `.` decimal point, UTF-8: for programs and round trips.
    Machine,
    /// `;` separator, decimal comma, UTF-8 with BOM: opens correctly in German Excel.
    GermanExcel,
}

fn number(v: Option<f64>, style: CsvStyle) -> String {
    match (v, style) {
        (None, _) => String::new(),
        (Some(v), CsvStyle::Machine) => v.to_string(),
        (Some(v), CsvStyle::GermanExcel) => {
            // Shortest exact representation, with a decimal comma and no thousands dots.
            v.to_string().replace('.', ",")
        }
    }
}

/// Writes observations in the long format; dimension columns are the given dimension codes.
pub fn write_long<W: Write>(
    out: W,
    observations: &[Observation],
    dimensions: &[String],
    style: CsvStyle,
) -> std::io::Result<()> {
    let mut out = out;
    if style == CsvStyle::GermanExcel {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(if style == CsvStyle::Machine { b',' } else { b';' })
        .from_writer(out);
    let mut header: Vec<&str> = vec!["indicator", "period", "area"];
    header.extend(dimensions.iter().map(String::as_str));
    header.extend(["value", "numerator", "denominator", "flags"]);
    w.write_record(&header)?;
    for o in observations {
        let mut rec = vec![o.indicator.clone(), o.period.code(), o.area.clone()];
        rec.extend(
            dimensions
                .iter()
                .map(|d| o.breakdown.get(d).unwrap_or("").to_string()),
        );
        rec.push(number(o.value, style));
        rec.push(number(o.numerator, style));
        rec.push(number(o.denominator, style));
        rec.push(o.flags.code());
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The dimension codes used by some observations, sorted.
pub fn used_dimensions(observations: &[Observation]) -> Vec<String> {
    let mut d: Vec<String> = observations
        .iter()
        .flat_map(|o| o.breakdown.0.keys().cloned())
        .collect();
    d.sort();
    d.dedup();
    d
}

/// Formats a value for display with the unit's usual decimals.
pub fn display_value(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "–".into(),
        Some(v) => {
            let decimals = if unit == "Anzahl" || unit.is_empty() && v.fract() == 0.0 {
                0
            } else {
                1
            };
            format_number(v, decimals)
        }
    }
}
