//! The work status of a warning: stored as a code, shown with a German label.

use serde::Serialize;

/// Where the work on a warning stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningStatus {
    /// Found, nobody has looked at it yet.
    #[default]
    Neu,
    /// Someone works on it.
    InBearbeitung,
    /// Dealt with.
    Erledigt,
    /// Not a real problem.
    Fehlalarm,
}

impl WarningStatus {
    /// Every status, in the order of the work.
    pub const ALL: [WarningStatus; 4] = [
        WarningStatus::Neu,
        WarningStatus::InBearbeitung,
        WarningStatus::Erledigt,
        WarningStatus::Fehlalarm,
    ];

    /// The stored code (also the CLI and API spelling).
    pub fn code(self) -> &'static str {
        match self {
            WarningStatus::Neu => "neu",
            WarningStatus::InBearbeitung => "in-bearbeitung",
            WarningStatus::Erledigt => "erledigt",
            WarningStatus::Fehlalarm => "fehlalarm",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            WarningStatus::Neu => "neu",
            WarningStatus::InBearbeitung => "in Bearbeitung",
            WarningStatus::Erledigt => "erledigt",
            WarningStatus::Fehlalarm => "Fehlalarm",
        }
    }

    /// Parses a code or a label, case-insensitively; `-`, `_` and spaces are the same.
    pub fn parse(s: &str) -> Result<WarningStatus, crate::ParseError> {
        let norm = s.trim().to_lowercase().replace(['_', ' '], "-");
        WarningStatus::ALL
            .into_iter()
            .find(|st| st.code() == norm)
            .ok_or_else(|| crate::ParseError::WarningStatus(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::WarningStatus;

    #[test]
    fn codes_labels_and_spellings() {
        for s in WarningStatus::ALL {
            assert_eq!(WarningStatus::parse(s.code()), Ok(s));
            assert_eq!(WarningStatus::parse(s.label()), Ok(s));
        }
        assert_eq!(
            WarningStatus::parse("In_Bearbeitung"),
            Ok(WarningStatus::InBearbeitung)
        );
        assert!(WarningStatus::parse("vielleicht").is_err());
        assert_eq!(
            serde_json::to_string(&WarningStatus::InBearbeitung).unwrap(),
            "\"in-bearbeitung\""
        );
    }
}
