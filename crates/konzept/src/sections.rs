//! A version cut into sections, each with a stable key, a German title and its text: what two
//! versions are compared by and what comments are attached to.

use kimo_model::konzept::Konzept;

/// One section of a version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Section {
    /// Stable key: `verstaendnis`, `leitlinien`, `feld:CODE:ausgangslage`, `feld:CODE:ziele`,
    /// `feld:CODE:kernindikatoren`, `feld:CODE:leitprojekte`.
    pub key: String,
    /// German title, e.g. „Arbeit und Beschäftigung: Ziele“.
    pub title: String,
    /// The section as text (lists one item a line).
    pub text: String,
}

/// The sections of a version; `field_name` gives a Handlungsfeld's name by its code.
pub fn sections(k: &Konzept, field_name: &dyn Fn(&str) -> String) -> Vec<Section> {
    let mut out = vec![
        Section {
            key: "verstaendnis".into(),
            title: "Integrationsverständnis".into(),
            text: k.understanding.trim().to_string(),
        },
        Section {
            key: "leitlinien".into(),
            title: "Leitlinien".into(),
            text: k
                .guidelines
                .iter()
                .enumerate()
                .map(|(i, g)| format!("{}. {}", i + 1, g.trim()))
                .collect::<Vec<_>>()
                .join("\n"),
        },
    ];
    for f in &k.fields {
        let name = field_name(&f.code);
        let part = |key: &str, title: &str, text: String| Section {
            key: format!("feld:{}:{key}", f.code),
            title: format!("{name}: {title}"),
            text,
        };
        out.push(part(
            "ausgangslage",
            "Ausgangslage",
            f.situation.trim().to_string(),
        ));
        let goals = f.goals.iter().map(|g| {
            let m = g.measure.as_ref().map_or(String::new(), |m| {
                format!(
                    " (gemessen an {}: {} bis {} auf {}, seit {})",
                    m.indicator,
                    m.direction.label(),
                    m.target_year,
                    m.target,
                    m.base_year
                )
            });
            format!("- {}{m}", g.text.trim())
        });
        out.push(part("ziele", "Ziele", goals.collect::<Vec<_>>().join("\n")));
        out.push(part(
            "kernindikatoren",
            "Kernindikatoren",
            f.core_indicators.join(", "),
        ));
        let projects = f.projects.iter().map(|p| {
            format!(
                "- {} – {} – {}: {}",
                p.title.trim(),
                p.status.code(),
                p.responsible.trim(),
                p.description.trim()
            )
        });
        out.push(part(
            "leitprojekte",
            "Leitprojekte",
            projects.collect::<Vec<_>>().join("\n"),
        ));
    }
    out
}

/// The sections of two versions side by side: (key, title, old text, new text), in the order of
/// the newer version, then those only the older one has.
pub fn paired(old: &[Section], new: &[Section]) -> Vec<(String, String, String, String)> {
    let mut out: Vec<(String, String, String, String)> = new
        .iter()
        .map(|n| {
            let o = old.iter().find(|o| o.key == n.key).map(|o| o.text.clone());
            (
                n.key.clone(),
                n.title.clone(),
                o.unwrap_or_default(),
                n.text.clone(),
            )
        })
        .collect();
    for o in old.iter().filter(|o| !new.iter().any(|n| n.key == o.key)) {
        out.push((
            o.key.clone(),
            o.title.clone(),
            o.text.clone(),
            String::new(),
        ));
    }
    out
}
