//! Council papers from OParl 1.0/1.1 (the council information systems' standard API): `Paper`
//! (Drucksache: title, number, date, type) and `Meeting` (Sitzung: name, start). A file or answer
//! may hold one object, a JSON array of them, or a list page (`{"data": [...], "links": {"next":
//! …}}`); other object types are counted and left out, deleted objects too. Problems name the file
//! and the place: serde's line and column for broken JSON, the object's position and field else.

use kimo_model::Problem;
use kimo_model::council::CouncilPaper;
use serde_json::Value;

/// What one file or answer held.
#[derive(Debug, Default)]
pub struct Page {
    /// The papers and meetings.
    pub papers: Vec<CouncilPaper>,
    /// Objects of other types or deleted ones, left out.
    pub skipped: usize,
    /// The next page of a list (`links.next`).
    pub next: Option<String>,
}

/// Reads OParl JSON: the papers and meetings, or every problem.
pub fn read(file: &str, bytes: &[u8]) -> Result<Page, Vec<Problem>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![Problem {
            origin: kimo_model::Origin {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                ..Default::default()
            },
            // serde's words without its „at line … column …“: the place is in the origin.
            message: format!(
                "kein gültiges JSON: {}",
                e.to_string().split(" at line ").next().unwrap_or_default()
            ),
        }]
    })?;
    let (objects, next) = match &value {
        Value::Array(a) => (a.iter().collect::<Vec<_>>(), None),
        Value::Object(o) if o.get("data").is_some_and(Value::is_array) => (
            o["data"].as_array().into_iter().flatten().collect(),
            o.get("links")
                .and_then(|l| l.get("next"))
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        Value::Object(_) => (vec![&value], None),
        _ => {
            return Err(vec![Problem::whole_file(
                file,
                "erwartet wird ein OParl-Objekt, eine Liste davon oder eine Listenseite ({\"data\": […]})",
            )]);
        }
    };
    let mut page = Page {
        next,
        ..Default::default()
    };
    let mut problems = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        match paper(o) {
            Ok(Some(p)) => page.papers.push(p),
            Ok(None) => page.skipped += 1,
            Err(m) => problems.push(Problem::whole_file(file, format!("Objekt {}: {m}", i + 1))),
        }
    }
    match problems.is_empty() {
        true => Ok(page),
        false => Err(problems),
    }
}

/// One object: a paper or meeting, None for another type or a deleted one, or what is wrong.
fn paper(o: &Value) -> Result<Option<CouncilPaper>, String> {
    let text = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let kind = text("type");
    let kind = match kind.rsplit('/').next() {
        Some("Paper") if kind.starts_with("https://schema.oparl.org/") => "Paper",
        Some("Meeting") if kind.starts_with("https://schema.oparl.org/") => "Meeting",
        _ if kind.is_empty() => return Err("ohne „type“".into()),
        _ => return Ok(None),
    };
    if o.get("deleted").and_then(Value::as_bool) == Some(true) {
        return Ok(None);
    }
    let id = text("id");
    if !(id.starts_with("https://") || id.starts_with("http://")) {
        return Err(format!("„id“ ist keine Adresse: „{id}“"));
    }
    let name = text("name");
    if name.is_empty() {
        return Err(format!("{id}: ohne „name“"));
    }
    let (date_field, day) = match kind {
        "Paper" => ("date", text("date")),
        _ => ("start", text("start").chars().take(10).collect()),
    };
    if !day.is_empty() && chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d").is_err() {
        return Err(format!("{id}: „{date_field}“ ist kein Datum: „{day}“"));
    }
    let web = text("web");
    if !(web.is_empty() || web.starts_with("https://") || web.starts_with("http://")) {
        return Err(format!("{id}: „web“ ist keine Adresse: „{web}“"));
    }
    Ok(Some(CouncilPaper {
        oparl_id: id,
        kind: kind.into(),
        reference: if kind == "Paper" {
            text("reference")
        } else {
            String::new()
        },
        name,
        date: day,
        paper_type: if kind == "Paper" {
            text("paperType")
        } else {
            String::new()
        },
        web,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_meetings_lists_and_problems() {
        let list = br#"{"data": [
            {"id": "https://ris.example.de/oparl/paper/1064", "type": "https://schema.oparl.org/1.1/Paper",
             "name": "Integrationsplanung", "reference": "2025/1064", "date": "2025-11-18",
             "paperType": "Beschlussvorlage", "web": "https://ris.example.de/vo/1064"},
            {"id": "https://ris.example.de/oparl/meeting/7", "type": "https://schema.oparl.org/1.1/Meeting",
             "name": "Integrationsausschuss", "start": "2026-02-18T16:00:00+01:00"},
            {"id": "https://ris.example.de/oparl/person/3", "type": "https://schema.oparl.org/1.1/Person", "name": "X"},
            {"id": "https://ris.example.de/oparl/paper/9", "type": "https://schema.oparl.org/1.1/Paper", "deleted": true}
        ], "links": {"next": "https://ris.example.de/oparl/papers?page=2"}}"#;
        let page = read("liste.json", list).unwrap();
        assert_eq!(page.papers.len(), 2);
        assert_eq!(page.skipped, 2);
        assert_eq!(
            page.next.as_deref(),
            Some("https://ris.example.de/oparl/papers?page=2")
        );
        assert_eq!(page.papers[0].reference, "2025/1064");
        assert_eq!(page.papers[1].date, "2026-02-18");
        assert_eq!(page.papers[1].kind, "Meeting");

        let broken = read("kaputt.json", b"{\n  \"id\": ,\n}").unwrap_err();
        assert_eq!((broken[0].origin.line, broken[0].origin.column), (2, 9));
        let bad = read(
            "schlecht.json",
            br#"[{"id": "1064", "type": "https://schema.oparl.org/1.1/Paper", "name": "A"},
                {"id": "https://x.de/p/2", "type": "https://schema.oparl.org/1.1/Paper", "name": "B", "date": "18.11.2025"}]"#,
        )
        .unwrap_err();
        assert_eq!(bad[0].message, "Objekt 1: „id“ ist keine Adresse: „1064“");
        assert_eq!(
            bad[1].message,
            "Objekt 2: https://x.de/p/2: „date“ ist kein Datum: „18.11.2025“"
        );
        assert!(read("zahl.json", b"42").is_err());
    }
}
