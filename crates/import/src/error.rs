//! What can go wrong in reading cells and options or writing a workbook. Readers turn these into
//! [`kimo_model::Problem`]s with file, line and column (via `to_string()`); the messages are German.

/// An error of the import crate.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An unknown `--format` value (as given).
    #[error("unbekanntes Format '{0}' (auto, long, wide, open-sdg, catalogue, geojson)")]
    Format(String),
    /// A cell that is no number (the text trimmed).
    #[error("'{0}' ist keine Zahl")]
    Number(String),
    /// A number cell that is no finite number: `NaN`, `inf`, `Infinity` (the text trimmed).
    #[error("'{0}' ist keine endliche Zahl")]
    NotFinite(String),
    /// A cell that is neither yes nor no (the text trimmed and in lower case).
    #[error("'{0}' ist weder ja noch nein")]
    YesNo(String),
    /// An area level that is no whole number (the text as read).
    #[error("Ebene '{0}' ist keine ganze Zahl")]
    Level(String),
    /// A GeoJSON feature (numbered from 1) without a property holding the area code.
    #[error(
        "Feature {feature}: keine Eigenschaft mit dem Gebietscode ({keys}; mit --code-property wählbar)"
    )]
    FeatureCode {
        /// The feature's number.
        feature: usize,
        /// The properties looked for.
        keys: String,
    },
    /// A GeoJSON feature whose geometry is not an area.
    #[error("Feature {feature} ('{name}'): Geometrie ist weder Polygon noch MultiPolygon")]
    FeatureGeometry {
        /// The feature's number.
        feature: usize,
        /// The area's name.
        name: String,
    },
    /// A value of a domain type (period, polarity, periodicity, flags).
    #[error(transparent)]
    Value(#[from] kimo_model::ParseError),
    /// The catalogue workbook could not be written.
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

#[cfg(test)]
mod tests {
    use crate::Format;
    use crate::table::{Cell, parse_bool, parse_number};

    #[test]
    fn messages_name_the_offending_text_in_german() {
        let number = parse_number(&Cell::Text(" sieben ".into()), true).unwrap_err();
        assert_eq!(number.to_string(), "'sieben' ist keine Zahl");
        for text in [
            "NaN",
            "nan",
            "inf",
            "-inf",
            "+INF",
            "Infinity",
            "-infinity",
            "1e999",
        ] {
            let e = parse_number(&Cell::Text(format!(" {text} ")), false).unwrap_err();
            assert_eq!(e.to_string(), format!("'{text}' ist keine endliche Zahl"));
            assert!(
                parse_number(&Cell::Text(text.into()), true).is_err(),
                "{text}"
            );
        }
        let e = parse_number(&Cell::Number(f64::NAN), true).unwrap_err();
        assert_eq!(e.to_string(), "'NaN' ist keine endliche Zahl");
        let yes_no = parse_bool(&Cell::Text("Vielleicht".into()), false).unwrap_err();
        assert_eq!(yes_no.to_string(), "'vielleicht' ist weder ja noch nein");
        assert_eq!(
            Format::parse("pdf").unwrap_err().to_string(),
            "unbekanntes Format 'pdf' (auto, long, wide, open-sdg, catalogue, geojson)"
        );
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name":"Neu"},"geometry":null},
          {"type":"Feature","properties":{"code":"28"},"geometry":{"type":"Point"}}]}"#;
        let (_, problems) = crate::geojson::read("g.json", text, &crate::Context::default());
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Feature 1: keine Eigenschaft mit dem Gebietscode (code, Code, CODE, Stadtteilnummer, stadtteilnummer, nummer, Nummer, schluessel, Schluessel, AGS, ags, GeoCode, id; mit --code-property wählbar)",
                "Feature 2 ('28'): Geometrie ist weder Polygon noch MultiPolygon",
            ]
        );
    }
}
