//! Markdown to HTML for the Konzept's texts (pulldown-cmark), sanitised: HTML written in the text is
//! shown as text, links only to `http(s)`, `mailto` and addresses within kimo (others keep their
//! text, lose the link), images become their description, and live figure references become the
//! figure with its period and a link to the indicator.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, TextMergeStream, html};

/// A live figure as the page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The value with its unit and period, e.g. „9,4 % (2024)“; with a decided version's earlier
    /// value when it changed: „9,4 % (2024; beim Beschluss: 8,1 % 2022)“.
    pub text: String,
    /// The indicator page it links to.
    pub link: String,
}

/// Whether a link target is safe: a web or mail address, or one within kimo.
fn safe_url(url: &str) -> bool {
    let u = url.trim().to_lowercase();
    u.starts_with("https://")
        || u.starts_with("http://")
        || u.starts_with("mailto:")
        || (u.starts_with('/') && !u.starts_with("//"))
        || u.starts_with('#')
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with its `[[…]]` references replaced by `figure` (HTML; references it does not know are
/// kept as written, marked).
fn with_figures(text: &str, figure: &dyn Fn(&str) -> Option<Shown>) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (range, inner) in crate::refs::find(text) {
        out.push_str(&escape(&text[at..range.start]));
        match figure(inner.trim()) {
            Some(s) => out.push_str(&format!(
                "<a class=\"figure\" href=\"{}\">{}</a>",
                escape(&s.link),
                escape(&s.text)
            )),
            None => out.push_str(&format!(
                "<span class=\"figure-missing\">[[{}]] (keine Zahl)</span>",
                escape(inner)
            )),
        }
        at = range.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// Renders Markdown as sanitised HTML with live figures.
pub fn render(text: &str, figure: &dyn Fn(&str) -> Option<Shown>) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TABLES);
    let mut dropped_links = Vec::new();
    let mut in_image = 0usize;
    let events = TextMergeStream::new(Parser::new_ext(text, options)).filter_map(|e| match e {
        // HTML in the text is text.
        Event::Html(h) | Event::InlineHtml(h) => Some(Event::Text(h)),
        Event::Start(Tag::Link { dest_url, .. }) if !safe_url(&dest_url) => {
            dropped_links.push(true);
            None
        }
        Event::Start(Tag::Link { .. }) => {
            dropped_links.push(false);
            Some(e)
        }
        Event::End(TagEnd::Link) => match dropped_links.pop() {
            Some(true) => None,
            _ => Some(e),
        },
        Event::Start(Tag::Image { .. }) => {
            in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            in_image = in_image.saturating_sub(1);
            None
        }
        Event::Text(t) if in_image == 0 && t.contains("[[") => {
            Some(Event::InlineHtml(CowStr::from(with_figures(&t, figure))))
        }
        other => Some(other),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The words of a Markdown text: whitespace-separated tokens with a letter or digit (as the
/// editor's live counter counts them; a reference counts by its words).
pub fn words(text: &str) -> usize {
    let plain: String = Parser::new(text)
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.to_string()),
            Event::SoftBreak | Event::HardBreak => Some(" ".into()),
            // Blocks end a word; inline markup (emphasis, links) does not.
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableCell,
            ) => Some(" ".into()),
            _ => None,
        })
        .collect();
    plain
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Minutes to read so many words (200 words a minute, at least one for any text).
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(200)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<Shown> {
        None
    }

    #[test]
    fn html_and_dangerous_links_are_neutralised() {
        let text = "Hallo <script>alert(1)</script> **Welt**\n\n<img src=x onerror=alert(1)>\n\n[böse](javascript:alert(1)) [gut](https://karlsruhe.de) [intern](/indikatoren/ARB-03) ![Bild](https://x/y.png)";
        let html = render(text, &none);
        assert!(
            !html.contains("<script") && html.contains("&lt;script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<img") && html.contains("&lt;img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("böse"), "the link's text stays: {html}");
        assert!(
            html.contains("<a href=\"https://karlsruhe.de\">gut</a>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"/indikatoren/ARB-03\">intern</a>"),
            "{html}"
        );
        assert!(html.contains("<strong>Welt</strong>"), "{html}");
        assert!(html.contains("Bild") && !html.contains("y.png"), "{html}");
        let html = render("[x](JaVaScRiPt:alert(1)) [y](//evil.example/)", &none);
        assert!(!html.contains("href"), "{html}");
    }

    #[test]
    fn references_become_figures_with_links() {
        let figure = |r: &str| {
            (r == "ARB-03 nichtdeutsch").then(|| Shown {
                text: "9,4 % (2024; beim Beschluss: 8,1 % 2022)".into(),
                link: "/indikatoren/ARB-03?merkmal=staatsangehoerigkeit&gruppe=nichtdeutsch".into(),
            })
        };
        let html = render("Quote: [[ARB-03 nichtdeutsch]], sonst [[XYZ-01]].", &figure);
        assert!(
            html.contains("<a class=\"figure\" href=\"/indikatoren/ARB-03?merkmal=staatsangehoerigkeit&amp;gruppe=nichtdeutsch\">9,4 % (2024; beim Beschluss: 8,1 % 2022)</a>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"figure-missing\">[[XYZ-01]] (keine Zahl)</span>"),
            "{html}"
        );
        let html = render("[[XYZ <b>]]", &figure);
        assert!(
            html.contains("&lt;b&gt;") && !html.contains("<b>"),
            "{html}"
        );
    }

    #[test]
    fn words_and_reading_time() {
        assert_eq!(
            words("Integration ist **Teil**habe – für [[ARB-03]] alle.\n\n- eins\n- zwei"),
            8
        );
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(201), 2);
    }
}
