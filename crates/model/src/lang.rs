//! The languages of the public pages: German (the source language of every text) and English.
//!
//! Texts are written in German and looked up in `locales/en.toml` (German text → English text) by
//! [`t`]; the language of the current thread decides, like a locale. A request sets it for the
//! work it does ([`in_language`]), so numbers, dates and period labels made on the way come out in
//! the page's language without every function taking it as a parameter.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A language kimo's public pages are offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub enum Lang {
    /// German, the source language.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// All languages, German first.
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    /// The language's code (`de`, `en`), as in `lang` attributes and paths.
    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }

    /// The language by its code (`de`, `en`, case-insensitive).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }

    /// The language's own name (`Deutsch`, `English`), for the language switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::De => "Deutsch",
            Lang::En => "English",
        }
    }
}

/// A catalogue entry's texts in languages other than German: language → field → text. The fields
/// are the entry's own (`name`, `definition`, `source`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Translations(
    std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
);

impl Translations {
    /// The text of `field` in `lang`, if translated.
    pub fn get(&self, lang: Lang, field: &str) -> Option<&str> {
        self.0
            .get(lang.code())
            .and_then(|f| f.get(field))
            .map(String::as_str)
            .filter(|t| !t.trim().is_empty())
    }

    /// Sets the text of `field` in the language with code `lang`.
    pub fn set(&mut self, lang: &str, field: &str, text: impl Into<String>) {
        self.0
            .entry(lang.to_string())
            .or_default()
            .insert(field.to_string(), text.into());
    }

    /// Every (language, field, text).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.0.iter().flat_map(|(l, fields)| {
            fields
                .iter()
                .map(move |(f, t)| (l.as_str(), f.as_str(), t.as_str()))
        })
    }

    /// Whether there is no text at all.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

/// `text` replaced by its translation into `lang` when there is one.
pub fn translate(text: &mut String, t: &Option<Translations>, lang: Lang, field: &str) {
    if let Some(x) = t.as_ref().and_then(|t| t.get(lang, field)) {
        *text = x.to_string();
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::De) };
}

/// The language of the current thread (German unless [`in_language`] says otherwise).
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// Runs `f` with `lang` as the current thread's language, and restores the one before (also when
/// `f` panics).
pub fn in_language<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    struct Restore(Lang);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(lang)));
    f()
}

/// The English texts, German text → English text.
pub fn english() -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    EN.get_or_init(|| {
        toml::from_str(include_str!("../locales/en.toml")).expect("locales/en.toml is valid")
    })
}

/// A German text in the current language: its English translation on an English page (the German
/// text itself where none exists).
pub fn t(german: &str) -> &str {
    match current() {
        Lang::De => german,
        Lang::En => english().get(german).map_or(german, String::as_str),
    }
}

/// A text with `{}` places, translated by [`t`] and filled in order with `values`.
pub fn tf(german: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut rest = t(german);
    for v in values {
        match rest.split_once("{}") {
            Some((before, after)) => {
                out.push_str(before);
                out.push_str(v);
                rest = after;
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// An ISO date or timestamp as the current language writes a date: `25.11.2026`, `25 Nov 2026`.
/// Anything else comes back unchanged.
pub fn date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(""), "%Y-%m-%d") {
        Ok(d) => format_date(d),
        Err(_) => iso.to_string(),
    }
}

/// A date as the current language writes it.
pub fn format_date(d: chrono::NaiveDate) -> String {
    match current() {
        Lang::De => d.format("%d.%m.%Y").to_string(),
        Lang::En => d.format("%-d %b %Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_numbers_and_dates_follow_the_threads_language() {
        assert_eq!(t("Übersicht"), "Übersicht");
        assert_eq!(crate::format_number(1234.5, 1), "1.234,5");
        assert_eq!(date("2026-11-25T08:00:00Z"), "25.11.2026");
        in_language(Lang::En, || {
            assert_eq!(t("Übersicht"), "Overview");
            assert_eq!(t("kein bekannter Text"), "kein bekannter Text");
            assert_eq!(crate::format_number(-1234.5, 1), "−1,234.5");
            assert_eq!(date("2026-11-05"), "5 Nov 2026");
            assert_eq!(tf("Stand: {}", &["5 Nov 2026"]), "As of: 5 Nov 2026");
        });
        assert_eq!(current(), Lang::De);
        assert_eq!(Lang::from_code("EN"), Some(Lang::En));
    }

    #[test]
    fn every_english_text_is_a_translation() {
        for (de, en) in english() {
            assert!(!en.trim().is_empty(), "no English for „{de}“");
        }
    }
}
