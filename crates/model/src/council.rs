//! Council papers and meetings (OParl `Paper`, `Meeting`) that kimo's documents refer to.

/// A council paper or meeting as kimo keeps it.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct CouncilPaper {
    /// The OParl object's id (its URL).
    pub oparl_id: String,
    /// `Paper` or `Meeting`.
    pub kind: String,
    /// The paper's number (Drucksachennummer, `reference`); empty for a meeting.
    pub reference: String,
    /// Title or the meeting's name.
    pub name: String,
    /// The paper's date or the meeting's day (ISO 8601), or empty.
    pub date: String,
    /// The paper's type (`paperType`, e.g. „Beschlussvorlage“); empty for a meeting.
    pub paper_type: String,
    /// The page for people (`web`), or empty.
    pub web: String,
}

impl CouncilPaper {
    /// How a page names it: „Drucksache 2025/1064: Integrationsplanung (18.11.2025)“.
    pub fn title(&self) -> String {
        let mut t = match (self.kind.as_str(), self.reference.as_str()) {
            ("Meeting", _) => format!("Sitzung: {}", self.name),
            (_, "") => self.name.clone(),
            (_, r) => format!("Drucksache {r}: {}", self.name),
        };
        if let Ok(d) = chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d") {
            t.push_str(&d.format(" (%d.%m.%Y)").to_string());
        }
        t
    }
}
