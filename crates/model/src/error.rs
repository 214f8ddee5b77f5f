//! Why a value could not be read: one variant per kind of value, each keeping the offending text.
//! The messages are German, as readers show them to users next to file, line and column.

/// A value that is not what its column says it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not a polarity (the text trimmed and in lower case).
    #[error("'{0}' ist keine Polarität (higher-better, lower-better, neutral)")]
    Polarity(String),
    /// Not a periodicity (the text trimmed and in lower case).
    #[error(
        "'{0}' ist keine Periodizität (year, half-year, quarter, month, school-year, irregular)"
    )]
    Periodicity(String),
    /// An unknown flag (the word as written).
    #[error(
        "unbekanntes Kennzeichen '{0}' (erlaubt: p vorläufig, e geschätzt, s geheim, b Zeitreihenbruch, d Demodaten, u unsicher, r berichtigt)"
    )]
    Flag(String),
    /// A blank period cell.
    #[error("leerer Zeitraum")]
    EmptyPeriod,
    /// Not a period (the text as given).
    #[error(
        "'{0}' ist kein Zeitraum (erwartet z. B. 2024, 2. Halbjahr 2024, 1. Quartal 2024, Juni 2024, Schuljahr 2023/24, 31.12.2024)"
    )]
    Period(String),
    /// Not a warning status (the text as given).
    #[error("unbekannter Status '{0}' (neu, in-bearbeitung, erledigt, fehlalarm)")]
    WarningStatus(String),
}

#[cfg(test)]
mod tests {
    use crate::{Flags, Period, Periodicity, Polarity};

    #[test]
    fn messages_name_the_offending_text_in_german() {
        assert_eq!(
            Polarity::parse(" Besser ").unwrap_err().to_string(),
            "'besser' ist keine Polarität (higher-better, lower-better, neutral)"
        );
        assert_eq!(
            Periodicity::parse("Wöchentlich").unwrap_err().to_string(),
            "'wöchentlich' ist keine Periodizität (year, half-year, quarter, month, school-year, irregular)"
        );
        assert_eq!(
            Flags::parse("p, Xy").unwrap_err().to_string(),
            "unbekanntes Kennzeichen 'Xy' (erlaubt: p vorläufig, e geschätzt, s geheim, b Zeitreihenbruch, d Demodaten, u unsicher, r berichtigt)"
        );
        assert_eq!(
            Period::parse("  ").unwrap_err().to_string(),
            "leerer Zeitraum"
        );
        assert_eq!(
            Period::parse("2024x").unwrap_err().to_string(),
            "'2024x' ist kein Zeitraum (erwartet z. B. 2024, 2. Halbjahr 2024, 1. Quartal 2024, Juni 2024, Schuljahr 2023/24, 31.12.2024)"
        );
    }
}
