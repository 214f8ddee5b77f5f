//! Word documents (DOCX, made with docx-rs) for the council office's Vorlage: a small document
//! model — title, headings, paragraphs, lists, tables with a header row, figures with their
//! alternative text, a glossary — set with Word's own style names („heading 1“, „Title“,
//! „caption“), so that the navigation pane, a table of contents and screen readers find the
//! structure. What docx-rs does not write — the document's language and title, the pictures'
//! alternative texts, table header rows repeated on every page — is added to its XML parts
//! before they are packed (docx-rs is pinned exactly; the tests check every addition). The same
//! document with the same time gives the same bytes.

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, FieldCharType, Footer, IndentLevel,
    InstrText, Level, LevelJc, LevelOverride, LevelText, LineSpacing, NumberFormat, Numbering,
    NumberingId, PageMargin, PageNum, PageOrientationType, Paragraph, Pic, Run as DocxRun,
    RunFonts, Shading, ShdType, SpecialIndentType, Start, Style, StyleType, Table as DocxTable,
    TableCell, TableRow, WidthType,
};

/// A run of text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Bold.
    pub strong: bool,
    /// Italic.
    pub emph: bool,
    /// Grey (notes, placeholders).
    pub muted: bool,
}

impl Run {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }

    /// Bold text.
    pub fn strong(text: impl Into<String>) -> Run {
        Run {
            strong: true,
            ..Run::plain(text)
        }
    }

    /// Grey text.
    pub fn muted(text: impl Into<String>) -> Run {
        Run {
            muted: true,
            ..Run::plain(text)
        }
    }
}

/// A table with a caption above and one header row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The caption.
    pub caption: String,
    /// The header row.
    pub header: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
    /// The right-aligned (numeric) columns.
    pub numeric: Vec<usize>,
    /// Relative column widths (empty: equal).
    pub widths: Vec<u32>,
}

/// A picture: PNG with its alternative text and an optional caption below.
#[derive(Debug, Clone, Default)]
pub struct Figure {
    /// The PNG file.
    pub png: Vec<u8>,
    /// The alternative text.
    pub alt: String,
    /// The caption (empty: none).
    pub caption: String,
    /// The width on the page in centimetres (the height keeps the picture's proportions).
    pub width_cm: f32,
}

/// A part of a document.
#[derive(Debug, Clone)]
pub enum Part {
    /// The document's title.
    Title(String),
    /// A heading of level 1–3 (a level-1 heading starts a new page, as in the PDF).
    Heading(usize, String),
    /// A paragraph.
    Para(Vec<Run>),
    /// A bulleted or numbered list; an item's level (0 or 1) nests it.
    List {
        /// Numbered.
        ordered: bool,
        /// The items with their level.
        items: Vec<(usize, Vec<Run>)>,
    },
    /// A table.
    Table(Table),
    /// A picture.
    Figure(Figure),
    /// Terms with their definitions (a glossary).
    Terms(Vec<(String, String)>),
    /// The table of contents (the headings of levels 1 and 2; Word adds the page numbers when it
    /// updates the field).
    Contents,
    /// A page break.
    PageBreak,
}

/// A document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The title (also the document's property).
    pub title: String,
    /// The author.
    pub author: String,
    /// The language (BCP 47, e.g. `de-DE`).
    pub lang: String,
    /// The footer's text; the page number follows.
    pub footer: String,
    /// Landscape A4 pages.
    pub landscape: bool,
    /// When it was made (the document's creation time).
    pub made: chrono::NaiveDateTime,
    /// The content.
    pub parts: Vec<Part>,
}

/// Dark blue of the headings (as in the web pages and the PDF).
const BLUE: &str = "0B3D6B";
/// Grey of notes (contrast 7.5:1 on white).
const GREY: &str = "555555";
/// The bullet list's numbering (docx-rs brings a numbering 1 of its own: ours start at 10).
const BULLETS: usize = 10;
/// The abstract numbering of numbered lists (each list gets a numbering of its own, above it).
const NUMBERED: usize = 11;
/// The tables' text size in half points (9 pt, as in the PDF).
const TABLE_SIZE: usize = 18;
/// Twips per centimetre.
const TWIPS_PER_CM: f32 = 566.93;
/// EMU (the unit of pictures) per centimetre.
const EMU_PER_CM: f32 = 360_000.0;
/// The side margins in centimetres.
const MARGIN_CM: f32 = 2.2;

/// The document as a DOCX file.
pub fn docx(doc: &Document) -> Result<Vec<u8>, String> {
    let (width_cm, height_cm) = if doc.landscape {
        (29.7, 21.0)
    } else {
        (21.0, 29.7)
    };
    let text_width = width_cm - 2.0 * MARGIN_CM;
    let mut d = styled(Docx::new(), doc)
        .page_size(twips(width_cm), twips(height_cm))
        .page_margin(
            PageMargin::new()
                .top(twips(2.4) as i32)
                .bottom(twips(2.6) as i32)
                .left(twips(MARGIN_CM) as i32)
                .right(twips(MARGIN_CM) as i32)
                .footer(twips(1.2) as i32),
        )
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .style("Footer")
                    .add_run(text_run(format!("{} · Seite ", doc.footer)))
                    .add_page_num(PageNum::new()),
            ),
        );
    if doc.landscape {
        d = d.page_orient(PageOrientationType::Landscape);
    }
    let made = doc.made.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut body = Body {
        d: d.created_at(&made).updated_at(&made),
        alts: Vec::new(),
        lists: NUMBERED,
        text_width,
    };
    for (n, part) in doc.parts.iter().enumerate() {
        // A chapter starts a new page, unless a page break came just before.
        let after_break = n > 0 && matches!(doc.parts[n - 1], Part::PageBreak);
        body.part(part, n, after_break, &doc.parts)?;
    }
    let mut xml = body.d.build();
    finish(&mut xml, doc, &body.alts)?;
    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

/// The document's body as it is written: docx-rs's builder, the pictures' alternative texts so
/// far, the last numbering made.
struct Body {
    /// The document.
    d: Docx,
    /// The pictures' alternative texts, in order.
    alts: Vec<String>,
    /// The id of the last numbering (each numbered list has its own, to start at 1).
    lists: usize,
    /// The text width in centimetres.
    text_width: f32,
}

impl Body {
    /// Adds a paragraph.
    fn add(&mut self, p: Paragraph) {
        self.d = std::mem::take(&mut self.d).add_paragraph(p);
    }

    /// Adds a part (the `n`th of `all`).
    fn part(
        &mut self,
        part: &Part,
        n: usize,
        after_break: bool,
        all: &[Part],
    ) -> Result<(), String> {
        match part {
            Part::Title(t) => self.add(Paragraph::new().style("Title").add_run(text_run(t))),
            Part::Heading(level, t) => {
                let level = (*level).clamp(1, 3);
                self.add(
                    Paragraph::new()
                        .style(&format!("Heading{level}"))
                        .keep_next(true)
                        .page_break_before(level == 1 && !after_break)
                        .add_run(text_run(t)),
                );
            }
            Part::Para(runs) => self.add(runs_in(Paragraph::new(), runs)),
            Part::List { ordered, items } => self.list(*ordered, items),
            Part::Table(t) => {
                self.add(
                    Paragraph::new()
                        .style("Caption")
                        .keep_next(true)
                        .add_run(text_run(&t.caption)),
                );
                self.d = std::mem::take(&mut self.d).add_table(table(t, self.text_width));
            }
            Part::Figure(f) => self.figure(f, n)?,
            Part::Terms(terms) => {
                for (term, definition) in terms {
                    self.add(
                        Paragraph::new()
                            .keep_next(true)
                            .add_run(text_run(term).bold()),
                    );
                    self.add(
                        Paragraph::new()
                            .indent(Some(twips(0.8) as i32), None, None, None)
                            .add_run(text_run(definition)),
                    );
                }
            }
            Part::Contents => contents(all).into_iter().for_each(|p| self.add(p)),
            Part::PageBreak => {
                self.add(Paragraph::new().add_run(DocxRun::new().add_break(BreakType::Page)))
            }
        }
        Ok(())
    }

    /// Adds a list: bullets, or numbers starting at 1.
    fn list(&mut self, ordered: bool, items: &[(usize, Vec<Run>)]) {
        let id = if ordered {
            self.lists += 1;
            self.d = std::mem::take(&mut self.d).add_numbering(
                Numbering::new(self.lists, NUMBERED)
                    .add_override(LevelOverride::new(0).start(1))
                    .add_override(LevelOverride::new(1).start(1)),
            );
            self.lists
        } else {
            BULLETS
        };
        for (level, runs) in items {
            let p = Paragraph::new()
                .style("ListParagraph")
                .numbering(NumberingId::new(id), IndentLevel::new((*level).min(1)));
            self.add(runs_in(p, runs));
        }
    }

    /// Adds a picture (the `n`th part) with its caption below.
    fn figure(&mut self, f: &Figure, n: usize) -> Result<(), String> {
        let (w, h) = png_size(&f.png).ok_or_else(|| format!("Bild {}: keine PNG-Datei", n + 1))?;
        let width = f.width_cm.min(self.text_width);
        let height = width * h as f32 / w.max(1) as f32;
        self.alts.push(f.alt.clone());
        let pic = Pic::new_with_dimensions(f.png.clone(), w, h)
            .id(format!("rIdImage{}", self.alts.len()))
            .size((width * EMU_PER_CM) as u32, (height * EMU_PER_CM) as u32);
        self.add(
            Paragraph::new()
                .keep_next(!f.caption.is_empty())
                .add_run(DocxRun::new().add_image(pic)),
        );
        if !f.caption.is_empty() {
            self.add(
                Paragraph::new()
                    .style("Caption")
                    .add_run(text_run(&f.caption)),
            );
        }
        Ok(())
    }
}

/// The table of contents: a TOC field over the headings of levels 1 and 2, its result the
/// headings' texts (what a reader shows as it is); marked dirty, so that Word fills in the page
/// numbers when it opens the document.
fn contents(parts: &[Part]) -> Vec<Paragraph> {
    let entries: Vec<(usize, &str)> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Heading(level, t) if *level <= 2 => Some((*level, t.as_str())),
            _ => None,
        })
        .collect();
    let mut out = vec![
        Paragraph::new()
            .style("TOCHeading")
            .keep_next(true)
            .add_run(text_run("Inhalt")),
    ];
    let last = entries.len().saturating_sub(1);
    for (i, (level, text)) in entries.iter().enumerate() {
        let mut p = Paragraph::new().style(&format!("TOC{level}"));
        if i == 0 {
            p = p.add_run(
                DocxRun::new()
                    .add_field_char(FieldCharType::Begin, true)
                    .add_instr_text(InstrText::Unsupported("TOC \\o \"1-2\" \\h \\z \\u".into()))
                    .add_field_char(FieldCharType::Separate, false),
            );
        }
        p = p.add_run(text_run(*text));
        if i == last {
            p = p.add_run(DocxRun::new().add_field_char(FieldCharType::End, false));
        }
        out.push(p);
    }
    out
}

/// A run of text, without the control characters XML cannot carry (a vertical tab pasted from
/// Word would make the whole file unreadable).
fn text_run(text: impl AsRef<str>) -> DocxRun {
    let clean: String = text
        .as_ref()
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect();
    DocxRun::new().add_text(clean)
}

/// Centimetres in twips.
fn twips(cm: f32) -> u32 {
    (cm * TWIPS_PER_CM).round() as u32
}

/// The document with its styles and numberings.
fn styled(d: Docx, doc: &Document) -> Docx {
    let level = |n: usize, format: &str, text: &str| {
        Level::new(
            n,
            Start::new(1),
            NumberFormat::new(format),
            LevelText::new(text),
            LevelJc::new("left"),
        )
        .indent(
            Some(360 + 360 * n as i32),
            Some(SpecialIndentType::Hanging(360)),
            None,
            None,
        )
    };
    let d = d
        .default_fonts(
            RunFonts::new()
                .ascii("Calibri")
                .hi_ansi("Calibri")
                .cs("Calibri"),
        )
        .default_size(21)
        .default_line_spacing(LineSpacing::new().after(120).line(264));
    styles()
        .into_iter()
        .fold(d, Docx::add_style)
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS)
                .add_level(level(0, "bullet", "•"))
                .add_level(level(1, "bullet", "–")),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .add_abstract_numbering(
            AbstractNumbering::new(NUMBERED)
                .add_level(level(0, "decimal", "%1."))
                .add_level(level(1, "lowerLetter", "%2)")),
        )
        .doc_id(&format!("kimo-{}", doc.made.format("%Y%m%d%H%M%S")))
}

/// The paragraph styles with Word's built-in names („heading 1“, „caption“, „toc 1“), so that
/// Word and screen readers know the headings.
fn styles() -> Vec<Style> {
    let paragraph = |id: &str, name: &str| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
    };
    let heading = |level: usize, size: usize| {
        paragraph(&format!("Heading{level}"), &format!("heading {level}"))
            .q_format(true)
            .bold()
            .size(size)
            .color(BLUE)
            .outline_lvl(level - 1)
            .line_spacing(
                LineSpacing::new()
                    .before(if level == 1 { 0 } else { 240 })
                    .after(120),
            )
    };
    vec![
        paragraph("Title", "Title")
            .q_format(true)
            .size(48)
            .bold()
            .color(BLUE),
        heading(1, 32),
        heading(2, 26),
        heading(3, 22),
        paragraph("TOCHeading", "TOC Heading")
            .bold()
            .size(32)
            .color(BLUE),
        paragraph("TOC1", "toc 1"),
        paragraph("TOC2", "toc 2").indent(Some(440), None, None, None),
        paragraph("Caption", "caption")
            .q_format(true)
            .bold()
            .size(18),
        paragraph("ListParagraph", "List Paragraph"),
        paragraph("Footer", "footer").size(16).color(GREY),
    ]
}

/// A paragraph with the runs added.
fn runs_in(mut p: Paragraph, runs: &[Run]) -> Paragraph {
    for r in runs {
        let mut run = text_run(&r.text);
        if r.strong {
            run = run.bold();
        }
        if r.emph {
            run = run.italic();
        }
        if r.muted {
            run = run.color(GREY);
        }
        p = p.add_run(run);
    }
    p
}

/// A table: the header row bold on a light ground and marked to repeat on every page, numeric
/// columns right-aligned, the widths spread over the text width.
fn table(t: &Table, text_width_cm: f32) -> DocxTable {
    let columns = t.header.len().max(1);
    let relative: Vec<u32> = if t.widths.len() == columns {
        t.widths.clone()
    } else {
        vec![1; columns]
    };
    let sum: u32 = relative.iter().sum::<u32>().max(1);
    let total = twips(text_width_cm);
    let widths: Vec<usize> = relative
        .iter()
        .map(|w| (total as u64 * *w as u64 / sum as u64) as usize)
        .collect();
    let cell = |i: usize, text: &str, head: bool| {
        let mut run = text_run(text).size(TABLE_SIZE);
        if head {
            run = run.bold();
        }
        let mut p = Paragraph::new().add_run(run);
        if t.numeric.contains(&i) {
            p = p.align(AlignmentType::Right);
        }
        let c = TableCell::new()
            .width(widths[i.min(widths.len() - 1)], WidthType::Dxa)
            .add_paragraph(p);
        if head {
            c.shading(Shading::new().shd_type(ShdType::Clear).fill("E6EDF4"))
        } else {
            c
        }
    };
    let head = TableRow::new(
        t.header
            .iter()
            .enumerate()
            .map(|(i, h)| cell(i, h, true))
            .collect(),
    )
    .cant_split();
    let rows = std::iter::once(head).chain(t.rows.iter().map(|r| {
        TableRow::new(
            (0..columns)
                .map(|i| cell(i, r.get(i).map(String::as_str).unwrap_or(""), false))
                .collect(),
        )
    }));
    DocxTable::new(rows.collect())
        .set_grid(widths.clone())
        .width(total as usize, WidthType::Dxa)
}

/// A PNG's width and height in pixels (from its header).
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}

/// Adds to docx-rs's XML what it does not write: the language (the default run properties), the
/// default paragraph style, the
/// title, author and language (core properties), the pictures' alternative texts and unique ids,
/// header rows repeated on every page, paragraph ids counted anew (see [`ParagraphIds`]).
fn finish(xml: &mut docx_rs::XMLDocx, doc: &Document, alts: &[String]) -> Result<(), String> {
    let lang = format!(
        "<w:lang w:val=\"{0}\" w:eastAsia=\"{0}\" w:bidi=\"ar-SA\" />",
        escape(&doc.lang)
    );
    let styles = text(&xml.styles)?;
    let styles = if styles.contains("<w:rPrDefault><w:rPr />") {
        styles.replacen(
            "<w:rPrDefault><w:rPr />",
            &format!("<w:rPrDefault><w:rPr>{lang}</w:rPr>"),
            1,
        )
    } else {
        let end = "</w:rPr></w:rPrDefault>";
        if !styles.contains(end) {
            return Err("docx: keine Standard-Zeichenformatierung gefunden".into());
        }
        styles.replacen(end, &format!("{lang}{end}"), 1)
    };
    let normal = "<w:style w:type=\"paragraph\" w:styleId=\"Normal\">";
    if !styles.contains(normal) {
        return Err("docx: keine Formatvorlage „Normal“ gefunden".into());
    }
    // The default paragraph style, as Word marks it.
    let styles = styles.replacen(
        normal,
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\">",
        1,
    );
    xml.styles = styles.into_bytes();
    xml.doc_props.core = core_properties(&text(&xml.doc_props.core)?, doc).into_bytes();
    let mut paragraphs = ParagraphIds::default();
    xml.document =
        pictures_and_headers(&paragraphs.apply(&text(&xml.document)?), alts)?.into_bytes();
    for footer in &mut xml.footers {
        *footer = paragraphs.apply(&text(footer)?).into_bytes();
    }
    Ok(())
}

/// The core properties with the author, title and language.
fn core_properties(core: &str, doc: &Document) -> String {
    core.replace(
        "<dc:creator>unknown</dc:creator>",
        &format!("<dc:creator>{}</dc:creator>", escape(&doc.author)),
    )
    .replace(
        "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
        &format!(
            "<cp:lastModifiedBy>{}</cp:lastModifiedBy>",
            escape(&doc.author)
        ),
    )
    .replace(
        "</cp:coreProperties>",
        &format!(
            "<dc:title>{}</dc:title><dc:language>{}</dc:language></cp:coreProperties>",
            escape(&doc.title),
            escape(&doc.lang)
        ),
    )
}

/// The document with the pictures' alternative texts and unique ids, and the tables' header rows
/// (the only rows marked „cannot split“) repeated on every page.
fn pictures_and_headers(document: &str, alts: &[String]) -> Result<String, String> {
    let marker = "<wp:docPr id=\"1\" name=\"Figure\" />";
    let mut out = String::with_capacity(document.len() + alts.len() * 200);
    let mut rest = document;
    for (i, alt) in alts.iter().enumerate() {
        let Some(at) = rest.find(marker) else {
            return Err(format!("docx: Bild {} nicht gefunden", i + 1));
        };
        out.push_str(&rest[..at]);
        out.push_str(&format!(
            "<wp:docPr id=\"{0}\" name=\"Grafik {0}\" descr=\"{1}\" />",
            i + 1,
            escape(alt)
        ));
        rest = &rest[at + marker.len()..];
    }
    out.push_str(rest);
    let header_rows = out.matches("<w:cantSplit />").count();
    if header_rows == 0 && out.contains("<w:tbl>") {
        return Err("docx: keine Kopfzeile der Tabellen gefunden".into());
    }
    Ok(out.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />"))
}

/// Paragraph ids counted anew over the whole document: docx-rs draws them from a counter of
/// the thread (different for the same document made twice) and repeats them after its own reset.
#[derive(Default)]
struct ParagraphIds {
    /// Ids given so far.
    count: u32,
}

impl ParagraphIds {
    /// The XML with every `w14:paraId` given the next number.
    fn apply(&mut self, xml: &str) -> String {
        let key = "w14:paraId=\"";
        let mut out = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(at) = rest.find(key) {
            let start = at + key.len();
            let len = rest[start..].find('"').unwrap_or(rest.len() - start);
            self.count += 1;
            out.push_str(&rest[..start]);
            out.push_str(&format!("{:08X}", self.count));
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        out
    }
}

/// A part's bytes as text.
fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| format!("docx: {e}"))
}

/// Text for an XML attribute or element.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A small document with every kind of part.
    fn sample() -> Document {
        Document {
            title: "Monitoringbericht 2025 <Test> & mehr".into(),
            author: "Büro für Integration".into(),
            lang: "de-DE".into(),
            footer: "Monitoringbericht 2025".into(),
            landscape: false,
            made: chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .unwrap()
                .and_hms_opt(9, 30, 0)
                .unwrap(),
            parts: vec![
                Part::Title("Monitoringbericht 2025".into()),
                Part::Contents,
                Part::Heading(1, "Überblick".into()),
                Part::Para(vec![
                    Run::plain("Die Quote\u{b} liegt bei "),
                    Run::strong("7,5 %"),
                    Run::muted(" (2025)"),
                ]),
                Part::List {
                    ordered: true,
                    items: vec![(0, vec![Run::plain("eins")]), (1, vec![Run::plain("zwei")])],
                },
                Part::Table(Table {
                    caption: "Stadtteile 2025".into(),
                    header: vec!["Stadtteil".into(), "Wert".into()],
                    rows: vec![vec!["Oststadt".into(), "1.234,5".into()]],
                    numeric: vec![1],
                    widths: vec![3, 1],
                }),
                Part::Figure(Figure {
                    png: include_bytes!("../testdata/balken.png").to_vec(),
                    alt: "Ein Balken \"blau\" auf Weiß".into(),
                    caption: "Ein Balken".into(),
                    width_cm: 8.0,
                }),
                Part::Heading(1, "Glossar".into()),
                Part::Terms(vec![("InA".into(), "Integrationsausschuss".into())]),
            ],
        }
    }

    /// A part of the package as text.
    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut out = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn a_document_has_language_title_structure_and_alternative_texts() {
        let bytes = docx(&sample()).unwrap();
        let document = part(&bytes, "word/document.xml");
        for want in [
            "<w:pStyle w:val=\"Title\" />",
            "<w:pStyle w:val=\"Heading1\" />",
            "<w:pStyle w:val=\"Caption\" />",
            "<w:tblHeader />",
            "descr=\"Ein Balken &quot;blau&quot; auf Weiß\"",
            "name=\"Grafik 1\"",
            "1.234,5",
            "<w:jc w:val=\"right\" />",
            "w14:paraId=\"00000001\"",
        ] {
            assert!(document.contains(want), "{want} fehlt in document.xml");
        }
        assert!(!document.contains("name=\"Figure\""));
        assert!(document.contains("Die Quote liegt bei") && !document.contains('\u{b}'));
        // The table of contents: a field over the headings, marked to be updated.
        assert!(document.contains("<w:fldChar w:fldCharType=\"begin\" w:dirty=\"true\" />"));
        assert!(document.contains(r#"<w:instrText>TOC \o "1-2" \h \z \u</w:instrText>"#));
        assert!(document.contains("<w:pStyle w:val=\"TOC1\" />"));
        // Every numbering once: bullets are bullets.
        let numbering = part(&bytes, "word/numbering.xml");
        for key in ["<w:abstractNum w:abstractNumId=\"", "<w:num w:numId=\""] {
            let ids: Vec<&str> = numbering
                .split(key)
                .skip(1)
                .map(|x| &x[..x.find('"').unwrap()])
                .collect();
            let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len(), "{key}: {ids:?}");
        }
        assert!(
            numbering.contains("<w:numFmt w:val=\"bullet\" /><w:lvlText w:val=\"•\" />"),
            "{numbering}"
        );
        // Every paragraph id once.
        let ids: Vec<&str> = document
            .split("w14:paraId=\"")
            .skip(1)
            .map(|x| &x[..8])
            .collect();
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains("<w:lang w:val=\"de-DE\""), "{styles}");
        assert!(styles.contains("<w:name w:val=\"heading 1\" />"));
        assert!(styles.contains("<w:outlineLvl w:val=\"0\" />"));
        let core = part(&bytes, "docProps/core.xml");
        assert!(
            core.contains("<dc:title>Monitoringbericht 2025 &lt;Test&gt; &amp; mehr</dc:title>")
        );
        assert!(core.contains("<dc:language>de-DE</dc:language>"));
        assert!(core.contains("<dc:creator>Büro für Integration</dc:creator>"));
        assert!(core.contains("2026-12-02T09:30:00Z"));
        let footer = part(&bytes, "word/footer1.xml");
        assert!(footer.contains("Monitoringbericht 2025 · Seite"));
        assert!(footer.contains("PAGE"), "{footer}");
    }

    #[test]
    fn the_same_document_gives_the_same_bytes() {
        let a = docx(&sample()).unwrap();
        let b = std::thread::spawn(|| docx(&sample()).unwrap())
            .join()
            .unwrap();
        for name in [
            "word/document.xml",
            "word/styles.xml",
            "docProps/core.xml",
            "word/footer1.xml",
        ] {
            assert_eq!(part(&a, name), part(&b, name), "{name}");
        }
        assert!(a == b, "the packages differ");
    }

    #[test]
    fn the_package_carries_no_time_of_its_own() {
        let bytes = docx(&sample()).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..zip.len() {
            let f = zip.by_index(i).unwrap();
            let t = f.last_modified().unwrap();
            assert_eq!((t.year(), t.month(), t.day()), (1980, 1, 1), "{}", f.name());
        }
    }

    #[test]
    fn a_picture_that_is_no_png_is_refused() {
        let mut doc = sample();
        doc.parts = vec![Part::Figure(Figure {
            png: b"<svg/>".to_vec(),
            alt: "x".into(),
            caption: String::new(),
            width_cm: 4.0,
        })];
        assert_eq!(docx(&doc).unwrap_err(), "Bild 1: keine PNG-Datei");
    }

    #[test]
    fn png_sizes_are_read_from_the_header() {
        if let Ok(dir) = std::env::var("KIMO_DOCX_SAMPLE") {
            std::fs::write(dir, docx(&sample()).unwrap()).unwrap();
        }
        assert_eq!(
            png_size(include_bytes!("../testdata/balken.png")),
            Some((40, 20))
        );
        assert_eq!(png_size(b"GIF89a"), None);
    }
}
