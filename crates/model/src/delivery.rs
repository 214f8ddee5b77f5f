//! Data deliveries: which Amt owes which figures (an indicator's period) by when, and how far each
//! delivery has come (open → submitted → accepted, or returned; or the data arrived otherwise).

use crate::{Period, Periodicity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Days after the end of a period by which its figures are due, unless set for the indicator.
pub const DEFAULT_LAG_DAYS: i64 = 90;

/// How far a delivery has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeliveryState {
    /// Owed, nothing submitted yet.
    Offen,
    /// Submitted by the Amt, waiting for the Büro für Integration's review.
    Eingereicht,
    /// Returned by the Büro für Integration with a comment; owed again.
    Zurueckgegeben,
    /// Accepted: the figures are in kimo.
    Angenommen,
    /// The figures arrived another way (an import by the Büro für Integration).
    Vorhanden,
}

impl DeliveryState {
    /// Every state.
    pub const ALL: [DeliveryState; 5] = [
        DeliveryState::Offen,
        DeliveryState::Eingereicht,
        DeliveryState::Zurueckgegeben,
        DeliveryState::Angenommen,
        DeliveryState::Vorhanden,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Offen => "offen",
            DeliveryState::Eingereicht => "eingereicht",
            DeliveryState::Zurueckgegeben => "zurueckgegeben",
            DeliveryState::Angenommen => "angenommen",
            DeliveryState::Vorhanden => "vorhanden",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Offen => "offen",
            DeliveryState::Eingereicht => "eingereicht",
            DeliveryState::Zurueckgegeben => "zurückgegeben",
            DeliveryState::Angenommen => "angenommen",
            DeliveryState::Vorhanden => "Daten vorhanden",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<DeliveryState> {
        DeliveryState::ALL
            .into_iter()
            .find(|d| d.code() == s.trim())
    }

    /// Whether the Amt still owes it.
    pub fn owed(self) -> bool {
        matches!(self, DeliveryState::Offen | DeliveryState::Zurueckgegeben)
    }

    /// Whether nothing more is to be done.
    pub fn done(self) -> bool {
        matches!(self, DeliveryState::Angenommen | DeliveryState::Vorhanden)
    }
}

/// A delivery: an indicator's figures for a period, owed by an Amt by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Stored id.
    pub id: i64,
    /// Indicator code.
    pub indicator: String,
    /// The period's code (`2025`, `2025-H1`, …).
    pub period: String,
    /// The Amt that delivers (the catalogue's `amt`).
    pub amt: String,
    /// Due date (ISO).
    pub due: String,
    /// Whether the Büro für Integration set the due date by hand (the plan keeps it then).
    pub due_set: bool,
    /// Whom reminders go to (e-mail addresses, comma-separated; empty: the Amt's accounts).
    pub contact: String,
    /// How far it has come.
    pub state: DeliveryState,
    /// When the state last changed (UTC, RFC 3339).
    pub changed_at: String,
    /// Who changed it last.
    pub changed_by: String,
    /// The last comment (why it was returned, a note on the due date).
    pub note: String,
}

impl Delivery {
    /// Whether it is owed and its due date has passed on `today`.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.state.owed() && self.due_date().is_some_and(|d| d < today)
    }

    /// The due date.
    pub fn due_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.due, "%Y-%m-%d").ok()
    }

    /// The period's German label.
    pub fn period_label(&self) -> String {
        Period::parse(&self.period).map_or(self.period.clone(), |p| p.label())
    }
}

/// One delivery the plan asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    /// Indicator code.
    pub indicator: String,
    /// The period whose figures are owed.
    pub period: Period,
    /// The Amt that delivers.
    pub amt: String,
    /// The day they are due: the period's end plus the indicator's lag.
    pub due: NaiveDate,
}

/// What the plan knows of an indicator besides the catalogue: its lag and a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliverySetting {
    /// Indicator code.
    pub indicator: String,
    /// Days after the end of a period by which its figures are due.
    pub lag_days: i64,
    /// Whom reminders go to (empty: the Amt's accounts).
    pub contact: String,
}

/// How far an uploaded file for deliveries has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubmissionState {
    /// Checked, not yet submitted (the uploader confirms the flags or corrects the file).
    Geprueft,
    /// Submitted: the Büro für Integration reviews it.
    Eingereicht,
    /// Accepted: its figures are written.
    Angenommen,
    /// Returned with a comment.
    Zurueckgegeben,
}

impl SubmissionState {
    /// Every state.
    pub const ALL: [SubmissionState; 4] = [
        SubmissionState::Geprueft,
        SubmissionState::Eingereicht,
        SubmissionState::Angenommen,
        SubmissionState::Zurueckgegeben,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            SubmissionState::Geprueft => "geprueft",
            SubmissionState::Eingereicht => "eingereicht",
            SubmissionState::Angenommen => "angenommen",
            SubmissionState::Zurueckgegeben => "zurueckgegeben",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            SubmissionState::Geprueft => "geprüft, nicht eingereicht",
            SubmissionState::Eingereicht => "eingereicht",
            SubmissionState::Angenommen => "angenommen",
            SubmissionState::Zurueckgegeben => "zurückgegeben",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<SubmissionState> {
        SubmissionState::ALL
            .into_iter()
            .find(|x| x.code() == s.trim())
    }
}

/// A value that looks implausible against its own series, to be confirmed with a reason or
/// corrected before the file is submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Indicator code.
    pub indicator: String,
    /// Area code.
    pub area: String,
    /// The breakdown's key (empty: the total).
    pub breakdown: String,
    /// The period's code.
    pub period: String,
    /// Where in the file (`datei.csv, Zeile 4, Spalte 5`), when known.
    pub place: String,
    /// What is unusual, in German.
    pub message: String,
    /// The uploader's reason (empty until confirmed).
    #[serde(default)]
    pub reason: String,
}

/// What a check found, per indicator: values new, changed and unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedIndicator {
    /// Indicator code.
    pub code: String,
    /// Values not stored before.
    pub new: usize,
    /// Stored values the file changes.
    pub changed: usize,
    /// Values stored as they are.
    pub unchanged: usize,
}

/// An uploaded file for deliveries: kept with its content hash for provenance, checked, submitted
/// by an Amt, reviewed by the Büro für Integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// Stored id.
    pub id: i64,
    /// The Amt.
    pub amt: String,
    /// The file's name as uploaded.
    pub file_name: String,
    /// SHA-256 of its bytes (hex).
    pub file_hash: String,
    /// Its size in bytes.
    pub file_size: i64,
    /// The indicator of a table without an indicator column (the delivery's; empty: none).
    pub indicator: String,
    /// How far it has come.
    pub state: SubmissionState,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When (UTC, RFC 3339).
    pub uploaded_at: String,
    /// Who reviewed it (accepted or returned).
    pub reviewed_by: String,
    /// When.
    pub reviewed_at: String,
    /// The reviewer's comment (why it was returned).
    pub comment: String,
    /// What the check found per indicator.
    pub checked: Vec<CheckedIndicator>,
    /// The plausibility flags, with the uploader's reasons once submitted.
    pub flags: Vec<Flag>,
    /// The deliveries it fulfils (ids).
    pub deliveries: Vec<i64>,
    /// The import that wrote it, once accepted.
    pub import_id: Option<i64>,
}

/// The period of `periodicity` that `day` falls in (None for irregular reference dates).
pub fn period_containing(periodicity: Periodicity, day: NaiveDate) -> Option<Period> {
    use chrono::Datelike;
    let (y, m) = (day.year(), day.month() as u8);
    Some(match periodicity {
        Periodicity::Year => Period::Year(y),
        Periodicity::HalfYear => Period::Half(y, if m <= 6 { 1 } else { 2 }),
        Periodicity::Quarter => Period::Quarter(y, (m - 1) / 3 + 1),
        Periodicity::Month => Period::Month(y, m),
        Periodicity::SchoolYear => Period::SchoolYear(if m >= 8 { y } else { y - 1 }),
        Periodicity::Irregular => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_contain_their_days() {
        let day = NaiveDate::from_ymd_opt(2025, 8, 15).unwrap();
        let code = |p: Periodicity| period_containing(p, day).map(|p| p.code());
        assert_eq!(code(Periodicity::Year).as_deref(), Some("2025"));
        assert_eq!(code(Periodicity::HalfYear).as_deref(), Some("2025-H2"));
        assert_eq!(code(Periodicity::Quarter).as_deref(), Some("2025-Q3"));
        assert_eq!(code(Periodicity::Month).as_deref(), Some("2025-08"));
        assert_eq!(code(Periodicity::SchoolYear).as_deref(), Some("2025/26"));
        assert_eq!(code(Periodicity::Irregular), None);
        for s in DeliveryState::ALL {
            assert_eq!(DeliveryState::parse(s.code()), Some(s));
        }
    }
}
