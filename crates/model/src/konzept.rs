//! The Integrationskonzept: versions (Entwurf → in Beratung → beschlossen → abgelöst, and earlier
//! plans recorded with title, date and a PDF link), and their content: the Integrationsverständnis,
//! the Leitlinien and per Handlungsfeld the Ausgangslage, Ziele (measurable ones tied to an
//! indicator), Kernindikatoren and Leitprojekte. Texts are Markdown with live figure references
//! (`[[ARB-03 nichtdeutsch]]`, see `kimo-konzept`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The state of a version of the Konzept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionState {
    /// Being written by the Büro für Integration.
    Entwurf,
    /// In the Beratungsprozess: the Arbeitskreis and the Ämter comment.
    InBeratung,
    /// Decided by a body (date, body, Vorlage number): the version in force.
    Beschlossen,
    /// Decided once, replaced by a later decision.
    Abgeloest,
    /// An earlier plan recorded for the record (title, date, PDF link; no structured content).
    Frueher,
}

impl VersionState {
    /// Every state, in the order of the process.
    pub const ALL: [VersionState; 5] = [
        VersionState::Entwurf,
        VersionState::InBeratung,
        VersionState::Beschlossen,
        VersionState::Abgeloest,
        VersionState::Frueher,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            VersionState::Entwurf => "entwurf",
            VersionState::InBeratung => "in-beratung",
            VersionState::Beschlossen => "beschlossen",
            VersionState::Abgeloest => "abgeloest",
            VersionState::Frueher => "frueher",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            VersionState::Entwurf => "Entwurf",
            VersionState::InBeratung => "in Beratung",
            VersionState::Beschlossen => "beschlossen",
            VersionState::Abgeloest => "abgelöst",
            VersionState::Frueher => "früherer Plan",
        }
    }

    /// A state from its code or label (case and spaces aside).
    pub fn parse(s: &str) -> Option<VersionState> {
        let norm = s.trim().to_lowercase().replace(' ', "-");
        VersionState::ALL
            .into_iter()
            .find(|v| v.code() == norm || v.label().to_lowercase().replace(' ', "-") == norm)
    }

    /// Whether the content may still be edited (by the Büro für Integration).
    pub fn editable(self) -> bool {
        matches!(self, VersionState::Entwurf | VersionState::InBeratung)
    }

    /// The states a version may move to from this one (decided → replaced only by a newer
    /// decision; an earlier plan stays as it is).
    pub fn next(self) -> &'static [VersionState] {
        match self {
            VersionState::Entwurf => &[VersionState::InBeratung],
            VersionState::InBeratung => &[VersionState::Entwurf, VersionState::Beschlossen],
            VersionState::Beschlossen => &[VersionState::Abgeloest],
            VersionState::Abgeloest | VersionState::Frueher => &[],
        }
    }
}

/// Whether a measurable goal wants the value to rise or to fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// The value is to rise (to at least the target).
    Steigen,
    /// The value is to fall (to at most the target).
    Sinken,
}

impl Direction {
    /// The German words.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Steigen => "steigen",
            Direction::Sinken => "sinken",
        }
    }
}

/// The state of a Leitprojekt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectStatus {
    /// Planned.
    Geplant,
    /// Running.
    Laufend,
    /// Completed.
    Abgeschlossen,
    /// Stopped.
    Eingestellt,
}

impl ProjectStatus {
    /// Every state.
    pub const ALL: [ProjectStatus; 4] = [
        ProjectStatus::Geplant,
        ProjectStatus::Laufend,
        ProjectStatus::Abgeschlossen,
        ProjectStatus::Eingestellt,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ProjectStatus::Geplant => "geplant",
            ProjectStatus::Laufend => "laufend",
            ProjectStatus::Abgeschlossen => "abgeschlossen",
            ProjectStatus::Eingestellt => "eingestellt",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<ProjectStatus> {
        let s = s.trim().to_lowercase();
        ProjectStatus::ALL.into_iter().find(|p| p.code() == s)
    }
}

/// How a goal is measured: an indicator's series (an area, a group) towards a target value in a
/// target year since a base year, with Open SDG's progress measure (the early-warning `ziel` rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    /// Indicator code.
    pub indicator: String,
    /// Area code (None: the whole city).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    /// A group: dimension and category codes (None: the total).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<(String, String)>,
    /// Whether the value is to rise or fall.
    pub direction: Direction,
    /// The target value, in the indicator's unit.
    pub target: f64,
    /// The year by which it is to be reached.
    pub target_year: i32,
    /// The year progress is measured from.
    pub base_year: i32,
}

/// A Ziel of a Handlungsfeld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// Stable id within the Konzept (e.g. `arbeit-1`), kept across versions.
    pub id: String,
    /// The goal in words (Markdown).
    pub text: String,
    /// How it is measured, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measure: Option<Measure>,
}

/// A dated change of a Leitprojekt's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The date (ISO).
    pub on: String,
    /// The new state.
    pub status: ProjectStatus,
    /// Who recorded it.
    pub by: String,
}

/// A Leitprojekt of a Handlungsfeld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Stable id within the Konzept (e.g. `arbeit-p1`).
    pub id: String,
    /// Title.
    pub title: String,
    /// Short description (Markdown).
    pub description: String,
    /// The Amt or Träger responsible.
    pub responsible: String,
    /// Partners.
    #[serde(default)]
    pub partners: Vec<String>,
    /// Stadtteile (area codes; empty: the whole city).
    #[serde(default)]
    pub areas: Vec<String>,
    /// The current state.
    pub status: ProjectStatus,
    /// Start (ISO date or year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End (ISO date or year).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// The goals it serves (their ids).
    #[serde(default)]
    pub goals: Vec<String>,
    /// Every change of its state, oldest first.
    #[serde(default)]
    pub history: Vec<StatusChange>,
}

/// The part of the Konzept for one Handlungsfeld.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The Handlungsfeld's code.
    pub code: String,
    /// Ausgangslage (Markdown).
    pub situation: String,
    /// Ziele.
    #[serde(default)]
    pub goals: Vec<Goal>,
    /// Kernindikatoren (indicator codes).
    #[serde(default)]
    pub core_indicators: Vec<String>,
    /// Leitprojekte.
    #[serde(default)]
    pub projects: Vec<Project>,
}

/// The content of a version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Konzept {
    /// The Integrationsverständnis (Markdown).
    pub understanding: String,
    /// The Leitlinien (Markdown each), numbered in this order.
    #[serde(default)]
    pub guidelines: Vec<String>,
    /// The Handlungsfelder, in the catalogue's order.
    #[serde(default)]
    pub fields: Vec<Field>,
}

impl Konzept {
    /// Every goal with the code of its Handlungsfeld.
    pub fn goals(&self) -> impl Iterator<Item = (&str, &Goal)> {
        self.fields
            .iter()
            .flat_map(|f| f.goals.iter().map(move |g| (f.code.as_str(), g)))
    }

    /// The part for one Handlungsfeld.
    pub fn field(&self, code: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.code == code)
    }
}

/// A figure as it stood when a version was decided (for „beim Beschluss: …“).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// The value as shown (German format, with unit).
    pub text: String,
    /// The period's label.
    pub period: String,
}

/// A version of the Konzept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    /// Stored id.
    pub id: i64,
    /// Title, e.g. „Integrationskonzept Karlsruhe 2027“.
    pub title: String,
    /// State.
    pub state: VersionState,
    /// The version it was copied from (a Fortschreibung starts as a copy of the decided one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub based_on: Option<i64>,
    /// When it was made (UTC, RFC 3339).
    pub created_at: String,
    /// Who made it.
    pub created_by: String,
    /// The date of the decision or of an earlier plan (ISO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<String>,
    /// The body that decided (e.g. Gemeinderat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The council paper's number (e.g. 2026/0815).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vorlage: Option<String>,
    /// A link to the council paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_url: Option<String>,
    /// A link to a PDF of the document (earlier plans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_url: Option<String>,
    /// The content (empty for an earlier plan).
    pub content: Konzept,
    /// The figures referenced in the texts as they were at the decision, by reference text.
    #[serde(default)]
    pub snapshot: BTreeMap<String, Figure>,
}

/// An earlier plan in an exchange file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    /// Title.
    pub title: String,
    /// Its date or year.
    pub decided_on: String,
    /// A link to its PDF.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_url: Option<String>,
}

/// The exchange file of a version (`kimo konzept export` / `import`, YAML): what a version is,
/// without the store's ids, and earlier plans to record with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Earlier plans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<Earlier>,
    /// Title.
    pub title: String,
    /// State (default: Entwurf).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<VersionState>,
    /// Date of the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<String>,
    /// The body that decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The council paper's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vorlage: Option<String>,
    /// A link to the council paper.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper_url: Option<String>,
    /// The content.
    pub content: Konzept,
}

/// A project's start or end as typed (`2027`, `3.2027`, `03/2027`, `1.3.2027`, or ISO `2027-03`,
/// `2027-03-01`) in ISO form (`2027`, `2027-03`, `2027-03-01`); None when it is no such date.
pub fn iso_when(s: &str) -> Option<String> {
    let s = s.trim();
    fn year(y: &str) -> Option<&str> {
        (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit())).then_some(y)
    }
    let month = |m: &str| m.parse::<u32>().ok().filter(|m| (1..=12).contains(m));
    if let Some(y) = year(s) {
        return Some(y.to_string());
    }
    let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
    let (y, m, d) = match (s.contains('-'), parts.as_slice()) {
        (true, [y, m]) => (*y, *m, None),
        (true, [y, m, d]) => (*y, *m, Some(*d)),
        (false, [m, y]) => (*y, *m, None),
        (false, [d, m, y]) => (*y, *m, Some(*d)),
        _ => return None,
    };
    let (y, m) = (year(y)?, month(m)?);
    match d {
        None => Some(format!("{y}-{m:02}")),
        Some(d) => {
            let date = chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m, d.parse().ok()?)?;
            Some(date.format("%Y-%m-%d").to_string())
        }
    }
}

/// An ISO start or end in German (`2027-03-01` → `01.03.2027`, `2027-03` → `03/2027`); anything
/// else as it is.
pub fn german_when(s: &str) -> String {
    let parts: Vec<&str> = s.split('-').collect();
    match parts.as_slice() {
        [y, m] => format!("{m}/{y}"),
        [y, m, d] => format!("{d}.{m}.{y}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_their_moves() {
        for s in VersionState::ALL {
            assert_eq!(VersionState::parse(s.code()), Some(s));
            assert_eq!(VersionState::parse(s.label()), Some(s));
        }
        assert!(VersionState::Entwurf.editable() && !VersionState::Beschlossen.editable());
        assert_eq!(VersionState::Beschlossen.next(), [VersionState::Abgeloest]);
        assert!(VersionState::Frueher.next().is_empty());
        assert_eq!(
            ProjectStatus::parse(" Laufend "),
            Some(ProjectStatus::Laufend)
        );
    }

    #[test]
    fn project_dates_are_read_in_german_and_iso() {
        for (typed, iso) in [
            ("2027", "2027"),
            ("3.2027", "2027-03"),
            ("03/2027", "2027-03"),
            ("2027-3", "2027-03"),
            ("1.3.2027", "2027-03-01"),
            (" 2027-03-01 ", "2027-03-01"),
        ] {
            assert_eq!(iso_when(typed).as_deref(), Some(iso), "{typed}");
        }
        for bad in [
            "",
            "27",
            "13.2027",
            "30.2.2027",
            "März 2027",
            "2027-03-01-02",
        ] {
            assert_eq!(iso_when(bad), None, "{bad}");
        }
        assert_eq!(german_when("2027-03-01"), "01.03.2027");
        assert_eq!(german_when("2027-03"), "03/2027");
        assert_eq!(german_when("2027"), "2027");
    }

    #[test]
    fn a_konzept_reads_back_from_json() {
        let k = Konzept {
            understanding: "Integration ist **Teilhabe**.".into(),
            guidelines: vec!["Chancengleichheit".into()],
            fields: vec![Field {
                code: "arbeit".into(),
                situation: "Die Quote ist [[ARB-03 nichtdeutsch]].".into(),
                goals: vec![Goal {
                    id: "arbeit-1".into(),
                    text: "Arbeitslosigkeit senken".into(),
                    measure: Some(Measure {
                        indicator: "ARB-03".into(),
                        area: None,
                        group: Some(("staatsangehoerigkeit".into(), "nichtdeutsch".into())),
                        direction: Direction::Sinken,
                        target: 8.0,
                        target_year: 2030,
                        base_year: 2020,
                    }),
                }],
                core_indicators: vec!["ARB-03".into()],
                projects: vec![],
            }],
        };
        let json = serde_json::to_string(&k).unwrap();
        assert!(json.contains("\"direction\":\"sinken\""), "{json}");
        assert_eq!(serde_json::from_str::<Konzept>(&json).unwrap(), k);
        assert_eq!(k.goals().count(), 1);
    }
}
