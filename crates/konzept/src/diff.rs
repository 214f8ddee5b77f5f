//! Word-level differences between two texts (similar's Myers diff over words), as HTML that does
//! not rely on colour: removed words struck through inside `<del>`, added ones underlined inside
//! `<ins>`, each also announced in words for screen readers („gestrichen:“, „neu:“).

use crate::markdown::escape;
use similar::{Algorithm, ChangeTag};

/// How much changed between two texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Words added.
    pub added: usize,
    /// Words removed.
    pub removed: usize,
}

/// The difference of `old` and `new` as HTML, and how many words each way.
pub fn words_html(old: &str, new: &str) -> (String, Counts) {
    let mut out = String::new();
    let mut counts = Counts::default();
    for (tag, part) in similar::utils::diff_words(Algorithm::Myers, old, new) {
        let n = part.split_whitespace().count();
        match tag {
            ChangeTag::Equal => out.push_str(&escape(part)),
            ChangeTag::Delete if part.trim().is_empty() => out.push_str(&escape(part)),
            ChangeTag::Insert if part.trim().is_empty() => out.push_str(&escape(part)),
            ChangeTag::Delete => {
                counts.removed += n;
                out.push_str(&format!(
                    "<del><span class=\"sr-only\">gestrichen: </span>{}</del>",
                    escape(part)
                ));
            }
            ChangeTag::Insert => {
                counts.added += n;
                out.push_str(&format!(
                    "<ins><span class=\"sr-only\">neu: </span>{}</ins>",
                    escape(part)
                ));
            }
        }
    }
    (out, counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worked_example() {
        let old = "Die Arbeitslosenquote der Nichtdeutschen sinkt langsam.";
        let new = "Die Arbeitslosenquote der Nichtdeutschen sinkt seit 2021 deutlich.";
        let (html, counts) = words_html(old, new);
        assert_eq!(
            html,
            "Die Arbeitslosenquote der Nichtdeutschen sinkt \
             <del><span class=\"sr-only\">gestrichen: </span>langsam.</del>\
             <ins><span class=\"sr-only\">neu: </span>seit 2021 deutlich.</ins>"
        );
        assert_eq!(
            counts,
            Counts {
                added: 3,
                removed: 1
            }
        );
        let (same, none) = words_html("a <b>", "a <b>");
        assert_eq!((same.as_str(), none), ("a &lt;b&gt;", Counts::default()));
    }
}
