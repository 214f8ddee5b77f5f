//! Meetings of the Integrationsausschuss, the Arbeitskreis Integration and the Austauschrunden of
//! the Büro für Integration with the Ämter: agenda items (TOP) that link to what they discuss
//! (indicators, warnings, Konzept sections, Leitprojekte), minutes and decisions per item, and tasks
//! with an owner, a due date and a state; and the activities of the Büro für Integration.

use serde::{Deserialize, Serialize};

/// The body that meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Body {
    /// The council's Integrationsausschuss.
    Ina,
    /// The Arbeitskreis Integration.
    Aki,
    /// An Austauschrunde of the Büro für Integration with the Ämter.
    Austauschrunde,
}

impl Body {
    /// Every body.
    pub const ALL: [Body; 3] = [Body::Ina, Body::Aki, Body::Austauschrunde];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Body::Ina => "ina",
            Body::Aki => "aki",
            Body::Austauschrunde => "austauschrunde",
        }
    }

    /// The German name.
    pub fn label(self) -> &'static str {
        match self {
            Body::Ina => "Integrationsausschuss",
            Body::Aki => "Arbeitskreis Integration",
            Body::Austauschrunde => "Austauschrunde BfI und Ämter",
        }
    }

    /// A body from its code.
    pub fn parse(s: &str) -> Option<Body> {
        Body::ALL.into_iter().find(|b| b.code() == s.trim())
    }
}

/// What an agenda item links to: `indikator:ARB-03`, `warnung:12`, `konzept:feld:arbeit:ziele`,
/// `projekt:arbeit-p1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// `indikator`, `warnung`, `konzept` or `projekt`.
    pub kind: String,
    /// The code, id or key.
    pub target: String,
}

impl Link {
    /// A link from its written form (`warnung:12`); None when the kind is unknown or the target
    /// empty.
    pub fn parse(s: &str) -> Option<Link> {
        let (kind, target) = s.trim().split_once(':')?;
        let ok = ["indikator", "warnung", "konzept", "projekt"].contains(&kind);
        (ok && !target.trim().is_empty()).then(|| Link {
            kind: kind.into(),
            target: target.trim().into(),
        })
    }

    /// Where it leads in kimo.
    pub fn href(&self) -> String {
        match self.kind.as_str() {
            "indikator" => format!("/indikatoren/{}", self.target),
            "warnung" => format!("/warnungen/{}", self.target),
            "projekt" => format!("/konzept#projekt-{}", self.target),
            _ => "/konzept".to_string(),
        }
    }
}

/// An agenda item (TOP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stored id.
    pub id: i64,
    /// Its number on the agenda (1, 2, …).
    pub number: i64,
    /// Title.
    pub title: String,
    /// What it discusses.
    #[serde(default)]
    pub links: Vec<Link>,
    /// The minutes (Markdown).
    #[serde(default)]
    pub minutes: String,
    /// What was decided.
    #[serde(default)]
    pub decision: String,
}

/// The state of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TaskStatus {
    /// To do.
    Offen,
    /// Being done.
    InArbeit,
    /// Done.
    Erledigt,
}

impl TaskStatus {
    /// Every state.
    pub const ALL: [TaskStatus; 3] = [
        TaskStatus::Offen,
        TaskStatus::InArbeit,
        TaskStatus::Erledigt,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Offen => "offen",
            TaskStatus::InArbeit => "in-arbeit",
            TaskStatus::Erledigt => "erledigt",
        }
    }

    /// The German label.
    pub fn label(self) -> &'static str {
        match self {
            TaskStatus::Offen => "offen",
            TaskStatus::InArbeit => "in Arbeit",
            TaskStatus::Erledigt => "erledigt",
        }
    }

    /// A state from its code.
    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.code() == s.trim())
    }
}

/// A task from a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Stored id.
    pub id: i64,
    /// The meeting.
    pub meeting: i64,
    /// The agenda item it came from, if any.
    pub item: Option<i64>,
    /// What is to be done.
    pub title: String,
    /// Who: a login name, an e-mail address or an Amt.
    pub owner: String,
    /// By when (ISO date), if set.
    pub due: Option<String>,
    /// The state.
    pub status: TaskStatus,
}

/// A meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Stored id.
    pub id: i64,
    /// The body.
    pub body: Body,
    /// Title, e.g. „Sitzung des Integrationsausschusses“.
    pub title: String,
    /// Date (ISO) and time (`HH:MM`, may be empty).
    pub date: String,
    /// Start time.
    #[serde(default)]
    pub time: String,
    /// Place.
    #[serde(default)]
    pub place: String,
    /// Participants, as written.
    #[serde(default)]
    pub participants: String,
    /// The agenda.
    #[serde(default)]
    pub items: Vec<Item>,
    /// The tasks.
    #[serde(default)]
    pub tasks: Vec<Task>,
}

/// What kind of activity the Büro für Integration records.
pub const ACTIVITY_KINDS: [&str; 5] = [
    "Veranstaltung",
    "Projekt",
    "Beratungsangebot",
    "Veröffentlichung",
    "Sonstiges",
];

/// An activity of the Büro für Integration (for its annual report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    /// Stored id.
    pub id: i64,
    /// Date (ISO).
    pub date: String,
    /// Kind (one of [`ACTIVITY_KINDS`]).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Partners, as written.
    #[serde(default)]
    pub partners: String,
    /// Reach: how many people took part or were reached (None: not counted).
    pub reach: Option<i64>,
    /// A short description.
    #[serde(default)]
    pub note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_codes() {
        let l = Link::parse(" warnung:12 ").unwrap();
        assert_eq!(
            (l.kind.as_str(), l.href()),
            ("warnung", "/warnungen/12".to_string())
        );
        assert_eq!(
            Link::parse("indikator:ARB-03").unwrap().href(),
            "/indikatoren/ARB-03"
        );
        assert_eq!(Link::parse("foto:1"), None);
        assert_eq!(Link::parse("warnung:"), None);
        for b in Body::ALL {
            assert_eq!(Body::parse(b.code()), Some(b));
        }
        for t in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(t.code()), Some(t));
        }
    }
}
