//! The reports of the monitoring: the yearly Monitoringbericht (1–2 focus topics with Sachstand,
//! Auswertung and Empfehlungen, the overview, the BfI's annual report, the AKI's activity report,
//! methods, glossary) and the half-yearly presentation to the Integrationsausschuss. A report is
//! a draft until it is released; a released report is frozen with the data version it was made
//! from, and its files are kept exactly as released.

use serde::{Deserialize, Serialize};

/// What a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// The yearly Monitoringbericht.
    Monitoringbericht,
    /// The half-yearly presentation to the Integrationsausschuss.
    Praesentation,
}

impl ReportKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Monitoringbericht => "monitoringbericht",
            ReportKind::Praesentation => "praesentation",
        }
    }

    /// The German name.
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Monitoringbericht => "Monitoringbericht",
            ReportKind::Praesentation => "Halbjahrespräsentation",
        }
    }

    /// A kind from its code.
    pub fn parse(s: &str) -> Option<ReportKind> {
        [ReportKind::Monitoringbericht, ReportKind::Praesentation]
            .into_iter()
            .find(|k| k.code() == s.trim())
    }

    /// The Fahrplan's system milestone that the release of such a report marks done.
    pub fn milestone(self) -> &'static str {
        match self {
            ReportKind::Monitoringbericht => "monitoringbericht",
            ReportKind::Praesentation => "ina-praesentation",
        }
    }
}

/// How far a report has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportState {
    /// Being written: made afresh from the data whenever it is read.
    Entwurf,
    /// Released: frozen, downloaded exactly as released.
    Freigegeben,
}

impl ReportState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ReportState::Entwurf => "entwurf",
            ReportState::Freigegeben => "freigegeben",
        }
    }

    /// The German word.
    pub fn label(self) -> &'static str {
        match self {
            ReportState::Entwurf => "Entwurf",
            ReportState::Freigegeben => "freigegeben",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<ReportState> {
        [ReportState::Entwurf, ReportState::Freigegeben]
            .into_iter()
            .find(|k| k.code() == s.trim())
    }
}

/// A focus topic (Schwerpunktthema) of a Monitoringbericht: a Handlungsfeld, or a free topic with
/// chosen indicators; its Sachstand and Empfehlungen are written by people (Markdown with the
/// Konzept's live figure references), its Auswertung is made from the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Focus {
    /// The title („Kinderarmut“, or the Handlungsfeld's name).
    #[serde(default)]
    pub title: String,
    /// The Handlungsfeld's code, when the topic is one.
    #[serde(default)]
    pub field: Option<String>,
    /// The indicators analysed (for a Handlungsfeld: empty means its core indicators).
    #[serde(default)]
    pub indicators: Vec<String>,
    /// Sachstand (Markdown).
    #[serde(default)]
    pub sachstand: String,
    /// Empfehlungen (Markdown).
    #[serde(default)]
    pub empfehlungen: String,
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Stored id.
    pub id: i64,
    /// What it is.
    pub kind: ReportKind,
    /// The year reported on (Monitoringbericht) or of the key date (presentation).
    pub year: i32,
    /// The key date (ISO): data up to it; for a presentation also the date of the meeting.
    pub key_date: String,
    /// The title.
    pub title: String,
    /// Draft or released.
    pub state: ReportState,
    /// The focus topics (Monitoringbericht; 1–2).
    pub focus: Vec<Focus>,
    /// When it was released (UTC, RFC 3339), and by whom.
    pub released: Option<(String, String)>,
    /// The data version it was released with.
    pub data_version: Option<i64>,
}

/// The most focus topics a Monitoringbericht has.
pub const MAX_FOCUS: usize = 2;

impl Report {
    /// Problems that keep the report from being saved or released (German).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push("Der Bericht braucht einen Titel.".to_string());
        }
        if !(1990..=2100).contains(&self.year) {
            out.push(format!("Das Jahr {} ist kein Berichtsjahr.", self.year));
        }
        if chrono::NaiveDate::parse_from_str(&self.key_date, "%Y-%m-%d").is_err() {
            out.push(format!("Der Stichtag „{}“ ist kein Datum.", self.key_date));
        }
        if self.focus.len() > MAX_FOCUS {
            out.push(format!(
                "Höchstens {MAX_FOCUS} Schwerpunktthemen, nicht {}.",
                self.focus.len()
            ));
        }
        for (n, f) in self.focus.iter().enumerate() {
            if f.title.trim().is_empty() {
                out.push(format!("Schwerpunkt {}: ohne Titel.", n + 1));
            }
            if f.field.is_none() && f.indicators.is_empty() {
                out.push(format!(
                    "Schwerpunkt {} „{}“: bitte ein Handlungsfeld oder Indikatoren wählen.",
                    n + 1,
                    f.title
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_what_is_missing() {
        let mut r = Report {
            id: 0,
            kind: ReportKind::Monitoringbericht,
            year: 2025,
            key_date: "2025-12-31".into(),
            title: "Monitoringbericht 2025".into(),
            state: ReportState::Entwurf,
            focus: vec![Focus {
                title: "Arbeit".into(),
                field: Some("arbeit".into()),
                ..Focus::default()
            }],
            released: None,
            data_version: None,
        };
        assert!(r.problems().is_empty());
        r.focus.push(Focus {
            title: "Kinderarmut".into(),
            ..Focus::default()
        });
        r.focus.push(Focus::default());
        r.key_date = "31.12.2025".into();
        assert_eq!(
            r.problems(),
            [
                "Der Stichtag „31.12.2025“ ist kein Datum.",
                "Höchstens 2 Schwerpunktthemen, nicht 3.",
                "Schwerpunkt 2 „Kinderarmut“: bitte ein Handlungsfeld oder Indikatoren wählen.",
                "Schwerpunkt 3: ohne Titel.",
                "Schwerpunkt 3 „“: bitte ein Handlungsfeld oder Indikatoren wählen.",
            ]
        );
        assert_eq!(
            ReportKind::parse("praesentation"),
            Some(ReportKind::Praesentation)
        );
        assert_eq!(ReportKind::Praesentation.milestone(), "ina-praesentation");
    }
}
