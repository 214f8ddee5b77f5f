//! Live figure references in texts: `[[CODE]]`, `[[CODE GROUP]]`, `[[CODE AREA PERIOD]]` … — an
//! indicator code, then in any order an area (code or name), a group (a category code or name of any
//! dimension) and a period (any spelling kimo reads: `2016`, `2. Halbjahr 2024`). Unknown words are
//! errors with their line and column, found when the text is saved.

use kimo_model::{Area, Dimension, Indicator, Period};

/// A reference as written and what it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The text between the brackets, trimmed (also the key of the decision's snapshot).
    pub text: String,
    /// Indicator code.
    pub indicator: String,
    /// Area code (None: the whole city).
    pub area: Option<String>,
    /// Dimension and category codes (None: the total).
    pub group: Option<(String, String)>,
    /// The period (None: the latest with a value).
    pub period: Option<Period>,
}

/// A reference that names nothing known, with its place in the text (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct RefError {
    /// Line.
    pub line: usize,
    /// Column (in characters).
    pub column: usize,
    /// What is wrong, in German.
    pub message: String,
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Zeile {}, Spalte {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// What references are resolved against: the catalogue.
pub struct Catalogue<'a> {
    /// Indicators.
    pub indicators: &'a [Indicator],
    /// Areas.
    pub areas: &'a [Area],
    /// Dimensions with their categories.
    pub dimensions: &'a [Dimension],
}

/// Every `[[…]]` in a text: its byte range (brackets included) and the text inside.
pub fn find(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text[from..].find("[[").map(|i| i + from) {
        let Some(len) = text[start + 2..].find("]]") else {
            break;
        };
        let end = start + 2 + len + 2;
        let inner = &text[start + 2..end - 2];
        if !inner.contains('\n') && !inner.contains("[[") {
            out.push((start..end, inner));
            from = end;
        } else {
            from = start + 2;
        }
    }
    out
}

/// Line and column (1-based, in characters) of a byte offset.
fn place(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Reads one reference's inner text.
pub fn parse(inner: &str, cat: &Catalogue) -> Result<Reference, String> {
    let mut words = inner.split_whitespace();
    let Some(code) = words.next() else {
        return Err("leerer Verweis: [[CODE …]] erwartet".into());
    };
    let ind = cat
        .indicators
        .iter()
        .find(|i| i.code.eq_ignore_ascii_case(code))
        .ok_or_else(|| format!("den Indikator '{code}' gibt es nicht"))?;
    let mut r = Reference {
        text: inner.trim().to_string(),
        indicator: ind.code.clone(),
        area: None,
        group: None,
        period: None,
    };
    let rest: Vec<&str> = words.collect();
    let mut i = 0;
    while i < rest.len() {
        // The longest run of words that names something (area names have spaces).
        let found = (i + 1..=rest.len()).rev().find_map(|j| {
            let phrase = rest[i..j].join(" ");
            word(&phrase, cat).map(|w| (j, w))
        });
        let Some((j, w)) = found else {
            return Err(format!(
                "'{}' ist weder Gebiet noch Gruppe noch Zeitraum",
                rest[i]
            ));
        };
        match w {
            Word::Area(a) => r.area = Some(a),
            Word::Group(d, c) => r.group = Some((d, c)),
            Word::Period(p) => r.period = Some(p),
        }
        i = j;
    }
    Ok(r)
}

/// What a word of a reference names.
enum Word {
    Area(String),
    Group(String, String),
    Period(Period),
}

fn word(w: &str, cat: &Catalogue) -> Option<Word> {
    let lower = w.to_lowercase();
    if let Some(a) = cat
        .areas
        .iter()
        .find(|a| a.code == w || a.name.to_lowercase() == lower)
    {
        return Some(Word::Area(a.code.clone()));
    }
    for d in cat.dimensions {
        if let Some(c) = d
            .categories
            .iter()
            .find(|c| c.code == lower || c.name.to_lowercase() == lower)
        {
            return Some(Word::Group(d.code.clone(), c.code.clone()));
        }
    }
    Period::parse(w).ok().map(Word::Period)
}

/// Checks every reference of a text: the references, or every error with its line and column.
pub fn check(text: &str, cat: &Catalogue) -> Result<Vec<Reference>, Vec<RefError>> {
    let (mut refs, mut errors) = (Vec::new(), Vec::new());
    for (range, inner) in find(text) {
        match parse(inner, cat) {
            Ok(r) => refs.push(r),
            Err(message) => {
                let (line, column) = place(text, range.start);
                errors.push(RefError {
                    line,
                    column,
                    message,
                });
            }
        }
    }
    match errors.is_empty() {
        true => Ok(refs),
        false => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kimo_model::testing::{area, dimension};

    fn indicator(code: &str) -> Indicator {
        Indicator {
            code: code.into(),
            ..Default::default()
        }
    }

    #[test]
    fn references_name_indicator_area_group_and_period() {
        let inds = vec![indicator("ARB-03"), indicator("DEM-02")];
        let areas = vec![
            area("KA", "Karlsruhe", None),
            area("19", "Oberreut", Some("KA")),
        ];
        let groups = [("deutsch", "Deutsche"), ("nichtdeutsch", "Nichtdeutsche")];
        let dims = vec![dimension(
            "staatsangehoerigkeit",
            "Staatsangehörigkeit",
            &groups,
        )];
        let cat = Catalogue {
            indicators: &inds,
            areas: &areas,
            dimensions: &dims,
        };
        let text = "Die Quote liegt bei [[ARB-03 nichtdeutsch]].\nIn [[ARB-03 Oberreut 2024]] und\n  [[DEM-02 2016]], [[XYZ-01]] und [[ARB-03 Mond]].";
        let errors = check(text, &cat).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].column), (3, 20));
        assert_eq!(errors[0].message, "den Indikator 'XYZ-01' gibt es nicht");
        assert_eq!(
            errors[1].to_string(),
            "Zeile 3, Spalte 35: 'Mond' ist weder Gebiet noch Gruppe noch Zeitraum"
        );
        let ok = check(
            "[[ARB-03 nichtdeutsch]] [[ARB-03 19 2024]] [[DEM-02 2016]]",
            &cat,
        )
        .unwrap();
        assert_eq!(
            ok[0].group,
            Some(("staatsangehoerigkeit".into(), "nichtdeutsch".into()))
        );
        assert_eq!(ok[1].area.as_deref(), Some("19"));
        assert_eq!(ok[1].period, Some(Period::parse("2024").unwrap()));
        assert_eq!(ok[2].text, "DEM-02 2016");
        assert!(find("[[ offen").is_empty() && find("[[a\nb]]").is_empty());
    }
}
