//! What can go wrong in reading cells and options or writing a workbook. Readers turn these into
//! [`kimo_model::Problem`]s with file, line and column (via `to_string()`); the messages are German.

use crate::table::quote;

/// An error of the import crate; messages quote at most [`crate::table::QUOTE_MAX`] characters of a
/// cell.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An unknown `--format` value (as given).
    #[error("unbekanntes Format '{0}' (auto, long, wide, open-sdg, catalogue, geojson)")]
    Format(String),
    /// A cell that is no number (the text trimmed).
    #[error("'{}' ist keine Zahl", quote(.0))]
    Number(String),
    /// A number cell that is no finite number: `NaN`, `inf`, `Infinity` (the text trimmed).
    #[error("'{}' ist keine endliche Zahl", quote(.0))]
    NotFinite(String),
    /// A cell that is neither yes nor no (the text trimmed and in lower case).
    #[error("'{}' ist weder ja noch nein", quote(.0))]
    YesNo(String),
    /// An area level that is no whole number (the text as read).
    #[error("Ebene '{}' ist keine ganze Zahl", quote(.0))]
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
    /// A GeoJSON feature whose geometry is no valid area (not a Polygon/MultiPolygon, a ring not
    /// closed, too short or crossing itself, a position that cannot be reprojected).
    #[error("{feature}: {reason}")]
    FeatureGeometry {
        /// The feature: number, name and code (`Feature 3 ('Südstadt', Code 03)`).
        feature: String,
        /// What is wrong, in German.
        reason: String,
    },
    /// A GeoJSON file without a `crs` (or with WGS84) whose coordinates are no longitude/latitude.
    #[error(
        "{feature}: Koordinate {position} liegt außerhalb von Länge/Breite (WGS84) – die Datei scheint in einem projizierten Koordinatensystem zu sein, gibt aber keines an. Unterstützt werden {supported}; die Datei braucht dann die Angabe \"crs\": {{\"type\": \"name\", \"properties\": {{\"name\": \"urn:ogc:def:crs:EPSG::25832\"}}}} (mit dem passenden Code), oder sie wird in WGS84 (EPSG:4326) exportiert"
    )]
    Projected {
        /// The first feature with such a position.
        feature: String,
        /// The position, as `(x, y)`.
        position: String,
        /// The supported systems.
        supported: &'static str,
    },
    /// A GeoJSON file declaring a projected system whose coordinates all look like degrees.
    #[error(
        "{feature}: Koordinate {position} sieht nach Länge/Breite aus, die Datei gibt aber {crs} (Meter) an – bitte die Angabe \"crs\" prüfen"
    )]
    LonLatDeclaredProjected {
        /// The first feature.
        feature: String,
        /// Its first position, as `(x, y)`.
        position: String,
        /// The declared system's EPSG code.
        crs: &'static str,
    },
    /// A GeoJSON `crs` kimo cannot reproject from (its name as written).
    #[error("unbekanntes Koordinatensystem '{name}' (unterstützt: WGS84/CRS84, {supported})")]
    UnknownCrs {
        /// The system's name as written in the file.
        name: String,
        /// The supported systems.
        supported: &'static str,
    },
    /// A value of a domain type (period, polarity, periodicity, flags).
    #[error(transparent)]
    Value(#[from] kimo_model::ParseError),
    /// The catalogue workbook could not be written.
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A file that could not be written (the reason).
    #[error("Schreiben fehlgeschlagen: {0}")]
    Io(String),
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
        let long = format!("{}x", "1234567890".repeat(8));
        let e = parse_number(&Cell::Text(long), true).unwrap_err();
        let cut = format!("'{}…' ist keine Zahl", "1234567890".repeat(8));
        assert_eq!(e.to_string(), cut);
        let e = parse_bool(&Cell::Text("ä".repeat(81)), false).unwrap_err();
        let cut = format!("'{}…' ist weder ja noch nein", "ä".repeat(80));
        assert_eq!(e.to_string(), cut);
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
                "Feature 2 ('28'): Geometrie ist Point, erwartet wird Polygon oder MultiPolygon",
            ]
        );
    }
}
