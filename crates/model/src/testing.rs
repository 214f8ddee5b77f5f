//! Helpers for tests of every kimo crate (feature `testing`, never in a production build).

use crate::Problem;
use std::path::PathBuf;

/// A file or folder in the shared data folder beside the checkout (`../shared/data`), if present;
/// otherwise prints that the test is skipped.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        println!(
            "skipped: {} not found (shared/ is not beside the checkout)",
            p.display()
        );
        None
    }
}

/// Asserts that some problem is at `at` (e.g. `Zeile 3, Spalte 5`) and says `message`; lists all
/// problems otherwise.
#[track_caller]
pub fn assert_problem(problems: &[Problem], at: &str, message: &str) {
    let text: Vec<String> = problems.iter().map(Problem::to_string).collect();
    assert!(
        text.iter().any(|t| t.contains(at) && t.contains(message)),
        "no problem at '{at}' saying '{message}' in {text:?}"
    );
}

/// An area without geometry: the city (level 0) without `parent`, a Stadtteil (level 1) with one.
pub fn area(code: &str, name: &str, parent: Option<&str>) -> crate::Area {
    crate::Area {
        code: code.into(),
        name: name.into(),
        parent: parent.map(Into::into),
        level: i64::from(parent.is_some()),
        geometry: None,
    }
}

/// A dimension with its categories as (code, name) pairs.
pub fn dimension(code: &str, name: &str, categories: &[(&str, &str)]) -> crate::Dimension {
    crate::Dimension {
        translations: None,
        code: code.into(),
        name: name.into(),
        categories: categories
            .iter()
            .map(|(code, name)| crate::Category {
                translations: None,
                code: code.to_string(),
                name: name.to_string(),
            })
            .collect(),
    }
}
