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
    let events = TextMergeStream::new(Parser::new_ext(text, options)).flat_map(|e| match e {
        // A table scrolls sideways in a region of its own on a narrow screen (WCAG 1.4.10), not
        // the page.
        Event::Start(Tag::Table(_)) => vec![Event::Html(CowStr::from(TABLE_REGION)), e],
        Event::End(TagEnd::Table) => vec![e, Event::Html(CowStr::from("</div>"))],
        other => filtered(other, &mut dropped_links, &mut in_image, figure)
            .into_iter()
            .collect(),
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The region a table scrolls in: named, and reachable with the keyboard.
const TABLE_REGION: &str = "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Tabelle (seitlich verschiebbar)\">";

/// An event of the text as it may be shown: HTML as text, unsafe links and images dropped, live
/// figures in the text.
fn filtered<'a>(
    e: Event<'a>,
    dropped_links: &mut Vec<bool>,
    in_image: &mut usize,
    figure: &dyn Fn(&str) -> Option<Shown>,
) -> Option<Event<'a>> {
    match e {
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
            *in_image += 1;
            None
        }
        Event::End(TagEnd::Image) => {
            *in_image = in_image.saturating_sub(1);
            None
        }
        Event::Text(t) if *in_image == 0 && t.contains("[[") => {
            Some(Event::InlineHtml(CowStr::from(with_figures(&t, figure))))
        }
        other => Some(other),
    }
}

/// A run of text with its emphasis, for documents that set text themselves (PDF, DOCX).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Span {
    /// The text (a live figure already as its value).
    pub text: String,
    /// Bold.
    pub strong: bool,
    /// Italic.
    pub emph: bool,
}

/// A block of a text: a paragraph, a heading or a list item (`kind`: `p`, `h`, `li`, `oli`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Block {
    /// What it is.
    pub kind: &'static str,
    /// Its text runs.
    pub spans: Vec<Span>,
}

/// Markdown as blocks of plain text runs with live figures as their values: for a document that
/// sets the text itself, so that nothing written is ever read as markup. Links keep their text,
/// images their description, HTML is text.
pub fn blocks(text: &str, figure: &dyn Fn(&str) -> Option<Shown>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let (mut strong, mut emph) = (0usize, 0usize);
    let mut ordered: Vec<bool> = Vec::new();
    let mut current: Option<Block> = None;
    let push = |current: &mut Option<Block>, t: &str, strong: bool, emph: bool| {
        let b = current.get_or_insert(Block {
            kind: "p",
            spans: Vec::new(),
        });
        b.spans.push(Span {
            text: t.to_string(),
            strong,
            emph,
        });
    };
    for e in TextMergeStream::new(Parser::new_ext(text, Options::empty())) {
        match e {
            Event::Start(Tag::Paragraph) if current.is_none() => {
                current = Some(Block {
                    kind: "p",
                    spans: Vec::new(),
                })
            }
            Event::Start(Tag::Heading { .. }) => {
                current = Some(Block {
                    kind: "h",
                    spans: Vec::new(),
                })
            }
            Event::Start(Tag::List(first)) => ordered.push(first.is_some()),
            Event::End(TagEnd::List(_)) => {
                ordered.pop();
            }
            Event::Start(Tag::Item) => {
                let kind = if ordered.last() == Some(&true) {
                    "oli"
                } else {
                    "li"
                };
                current = Some(Block {
                    kind,
                    spans: Vec::new(),
                });
            }
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Emphasis) => emph += 1,
            Event::End(TagEnd::Emphasis) => emph = emph.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                let mut at = 0;
                for (range, inner) in crate::refs::find(&t) {
                    push(&mut current, &t[at..range.start], strong > 0, emph > 0);
                    let shown = figure(inner.trim())
                        .map_or(format!("[[{inner}]] (keine Zahl)"), |s| s.text);
                    push(&mut current, &shown, strong > 0, emph > 0);
                    at = range.end;
                }
                push(&mut current, &t[at..], strong > 0, emph > 0);
            }
            Event::SoftBreak | Event::HardBreak => push(&mut current, " ", strong > 0, emph > 0),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                if let Some(mut b) = current.take() {
                    b.spans.retain(|s| !s.text.is_empty());
                    if !b.spans.is_empty() {
                        out.push(b);
                    }
                }
            }
            _ => {}
        }
    }
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

    #[test]
    fn blocks_keep_emphasis_lists_and_figures_and_never_markup() {
        let figure = |inner: &str| {
            (inner == "ARB-03").then(|| Shown {
                text: "4,6 % (2025)".into(),
                link: "/indikatoren/ARB-03".into(),
            })
        };
        let b = blocks(
            "Die Quote liegt bei **[[ARB-03]]**, *nicht* bei #set.\n\n- eins\n- zwei [[XYZ-01]]\n\n1. erst",
            &figure,
        );
        let text = |b: &Block| b.spans.iter().map(|s| s.text.as_str()).collect::<String>();
        assert_eq!(b.len(), 4);
        assert_eq!(
            (b[0].kind, text(&b[0]).as_str()),
            ("p", "Die Quote liegt bei 4,6 % (2025), nicht bei #set.")
        );
        assert!(b[0].spans[1].strong && b[0].spans[3].emph);
        assert_eq!((b[1].kind, b[2].kind, b[3].kind), ("li", "li", "oli"));
        assert_eq!(text(&b[2]), "zwei [[XYZ-01]] (keine Zahl)");
    }

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
