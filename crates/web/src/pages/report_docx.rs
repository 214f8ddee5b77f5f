//! A report as a Word document (DOCX) for the council office's Vorlage: the same chapters,
//! sentences, tables and charts as the HTML and the PDF, made from the same view; the charts as
//! PNG pictures with their alternative texts.

use super::presentation::DeckView;
use super::report::{FocusPart, Head, MeetingLine, ReportView};
use super::reports::Made;
use crate::AppError;
use kimo_report::docx::{Document, Figure, Part, Run, Table};

/// The width of a chart on the page in centimetres (the text is 16,6 cm wide).
const CHART_CM: f32 = 16.0;
/// The width of a map on the page in centimetres.
const MAP_CM: f32 = 13.5;
/// The scale of the charts' PNG pictures (sharp when printed).
const PNG_SCALE: f32 = 2.0;

/// The report as DOCX, made now from its view.
pub fn docx(m: &Made, made: chrono::NaiveDateTime) -> Result<Vec<u8>, AppError> {
    let (head, parts, landscape) = match m {
        Made::Report(v) => (&v.head, report_parts(v)?, false),
        Made::Deck(v) => (&v.head, deck_parts(v)?, true),
    };
    let doc = Document {
        title: head.report.title.clone(),
        author: format!("Büro für Integration, {}", head.city),
        lang: "de-DE".into(),
        footer: head.report.title.clone(),
        landscape,
        made,
        parts,
    };
    kimo_report::docx::docx(&doc).map_err(|e| AppError::Internal(format!("DOCX des Berichts: {e}")))
}

/// The parts of a Monitoringbericht: title page, contents, overview, focus topics, annual
/// report, AKI activity report, methods, glossary.
fn report_parts(v: &ReportView) -> Result<Vec<Part>, AppError> {
    let r = &v.head.report;
    let mut parts = title_page(
        &v.head,
        &format!("Berichtsjahr {} · Stichtag {}", r.year, v.head.key_date),
        &format!(
            "{} · erstellt mit kimo, dem kommunalen Integrationsmonitoring",
            v.head.status_line
        ),
    )?;
    parts.push(Part::Contents);
    parts.push(Part::Heading(
        1,
        "Überblick über alle Handlungsfelder".into(),
    ));
    parts.push(para("Die Kernindikatoren aller Handlungsfelder für die gesamte Stadt: der Wert im Berichtsjahr (oder der letzte davor) und die Veränderung zum Zeitraum davor."));
    parts.push(Part::Table(Table {
        caption: "Kernindikatoren der Handlungsfelder".into(),
        header: strings(&[
            "Handlungsfeld",
            "Kernindikator",
            "Wert",
            "Zeitraum",
            "Veränderung",
            "Entwicklung",
        ]),
        rows: v
            .overview
            .iter()
            .flat_map(|f| {
                f.rows.iter().map(|x| {
                    vec![
                        f.name.clone(),
                        x.name.clone(),
                        x.value.clone(),
                        x.period.clone(),
                        x.change.clone(),
                        x.trend.clone(),
                    ]
                })
            })
            .collect(),
        numeric: vec![2, 4],
        widths: vec![13, 16, 8, 8, 9, 11],
    }));
    for f in &v.focus {
        focus_parts(f, &mut parts)?;
    }
    annual_parts(v, &mut parts);
    parts.push(Part::Heading(1, "Glossar".into()));
    parts.push(Part::Terms(v.glossary.clone()));
    Ok(parts)
}

/// A focus topic: Sachstand, the Auswertung of each indicator (sentences, chart, map, ranking,
/// groups), the year's warnings, the Konzept's goals and projects, Empfehlungen.
fn focus_parts(f: &FocusPart, parts: &mut Vec<Part>) -> Result<(), AppError> {
    parts.push(Part::Heading(1, format!("Schwerpunkt: {}", f.title)));
    parts.push(Part::Heading(2, "Sachstand".into()));
    text_parts(&f.sachstand.blocks, parts);
    parts.push(Part::Heading(2, "Auswertung des Monitorings".into()));
    if f.indicators.is_empty() {
        parts.push(para(
            "Für diesen Schwerpunkt sind keine Indikatoren gewählt.",
        ));
    }
    for a in &f.indicators {
        indicator_parts(a, parts)?;
    }
    parts.push(Part::Heading(
        2,
        "Warnhinweise des Jahres und ihre Bearbeitung".into(),
    ));
    if f.warnings.is_empty() {
        parts.push(para("Keine Warnhinweise."));
    } else {
        parts.push(Part::List {
            ordered: false,
            items: f
                .warnings
                .iter()
                .map(|w| {
                    (
                        0,
                        vec![
                            Run::plain(format!("Nr. {}: {} ", w.id, w.sentence)),
                            Run::muted(format!("({})", w.handling)),
                        ],
                    )
                })
                .collect(),
        });
    }
    if let Some(k) = &f.konzept {
        konzept_parts(k, parts);
    }
    parts.push(Part::Heading(2, "Empfehlungen".into()));
    text_parts(&f.empfehlungen.blocks, parts);
    Ok(())
}

/// The BfI's annual report, the AKI's activity report, methods and sources.
fn annual_parts(v: &ReportView, parts: &mut Vec<Part>) {
    let r = &v.head.report;
    parts.push(Part::Heading(
        1,
        "Jahresbericht des Büros für Integration".into(),
    ));
    parts.push(para(&v.activities_text));
    if !v.activities.is_empty() {
        parts.push(Part::Table(Table {
            caption: format!("Aktivitäten des Büros für Integration {}", r.year),
            header: strings(&["Datum", "Art", "Aktivität", "Partner", "Erreicht"]),
            rows: v
                .activities
                .iter()
                .map(|a| {
                    vec![
                        a.date.clone(),
                        a.kind.clone(),
                        a.title.clone(),
                        a.partners.clone(),
                        a.reach.clone(),
                    ]
                })
                .collect(),
            numeric: vec![4],
            widths: vec![9, 9, 16, 12, 7],
        }));
    }
    parts.push(Part::Heading(
        1,
        "Tätigkeitsbericht des Arbeitskreises Integration".into(),
    ));
    if v.aki.is_empty() {
        parts.push(para("Keine Sitzungen im Berichtsjahr."));
    }
    meetings(&v.aki, parts);
    if !v.ina.is_empty() {
        parts.push(Part::Heading(2, "Im Integrationsausschuss".into()));
        meetings(&v.ina, parts);
    }
    parts.push(para(&v.tasks_text));
    parts.push(Part::Heading(1, "Methoden und Quellen".into()));
    parts.push(para("Alle Zahlen stammen aus dem Integrationsmonitoring (kimo); Veränderungen beziehen sich auf die gesamte Stadt. Die Stadtteile sind nach der Richtung des Indikators geordnet: die günstigsten Werte zuerst."));
    parts.push(Part::Table(Table {
        caption: "Indikatoren, Definitionen und Quellen".into(),
        header: strings(&["Code", "Indikator", "Definition", "Quelle", "Lieferung"]),
        rows: v
            .methods
            .iter()
            .map(|m| {
                vec![
                    m.code.clone(),
                    m.name.clone(),
                    m.definition.clone(),
                    m.source.clone(),
                    format!("{}, {}", m.amt, m.periodicity),
                ]
            })
            .collect(),
        numeric: Vec::new(),
        widths: vec![7, 12, 20, 12, 11],
    }));
}

/// An indicator's Auswertung: sentences, chart, map, ranking, groups.
fn indicator_parts(a: &super::report::Analysed, parts: &mut Vec<Part>) -> Result<(), AppError> {
    parts.push(Part::Heading(3, a.name.clone()));
    parts.extend(a.sentences.iter().map(|s| para(s)));
    parts.extend(figure(&a.chart_svg.0, &a.chart_alt, CHART_CM)?);
    parts.extend(figure(&a.map_svg.0, &a.map_alt, MAP_CM)?);
    if !a.ranking.is_empty() {
        parts.push(Part::Table(Table {
            caption: format!(
                "{}: Stadtteile {}, die günstigsten zuerst",
                a.name, a.period
            ),
            header: strings(&["Rang", "Stadtteil", "Wert"]),
            rows: a
                .ranking
                .iter()
                .enumerate()
                .map(|(i, x)| vec![(i + 1).to_string(), x.name.clone(), x.value.clone()])
                .collect(),
            numeric: vec![0, 2],
            widths: vec![2, 10, 4],
        }));
    }
    if !a.groups.is_empty() {
        parts.push(Part::Table(Table {
            caption: format!("{} nach {}, {}", a.name, a.groups_by, a.period),
            header: strings(&["Gruppe", "Wert"]),
            rows: a
                .groups
                .iter()
                .map(|x| vec![x.name.clone(), x.value.clone()])
                .collect(),
            numeric: vec![1],
            widths: vec![12, 4],
        }));
    }
    Ok(())
}

/// The Konzept's goals (with their progress) and Leitprojekte of a focus topic's Handlungsfeld.
fn konzept_parts(k: &super::konzept::FieldPart, parts: &mut Vec<Part>) {
    parts.push(Part::Heading(
        2,
        "Ziele und Leitprojekte im Integrationskonzept".into(),
    ));
    let goals = k.goals.iter().map(|g| {
        let mut runs: Vec<Run> = g.text.blocks.iter().flat_map(|b| runs(&b.spans)).collect();
        if let Some(m) = &g.measure_text {
            runs.push(Run::muted(format!(" {m}")));
        }
        if let Some((_, label)) = &g.progress {
            runs.push(Run::plain(": "));
            runs.push(Run::strong(label.clone()));
        }
        if let Some(l) = &g.latest {
            runs.push(Run::plain(format!(" ({l})")));
        }
        (0, runs)
    });
    parts.push(Part::List {
        ordered: true,
        items: goals.collect(),
    });
    if !k.projects.is_empty() {
        let projects = k.projects.iter().map(|p| {
            let mut line = format!("{} – {}", p.project.title, p.project.status.code());
            if p.period != "–" {
                line.push_str(&format!(", {}", p.period));
            }
            if !p.project.responsible.is_empty() {
                line.push_str(&format!(" ({})", p.project.responsible));
            }
            (0, vec![Run::plain(line)])
        });
        parts.push(Part::List {
            ordered: false,
            items: projects.collect(),
        });
    }
}

/// The parts of a half-yearly presentation: one landscape page per slide, then the speaker
/// notes.
fn deck_parts(v: &DeckView) -> Result<Vec<Part>, AppError> {
    let mut parts = title_page(
        &v.head,
        &format!(
            "Sitzung am {} · Neues seit dem {}",
            v.head.key_date, v.since
        ),
        &format!("{} · erstellt mit kimo", v.head.status_line),
    )?;
    parts.push(Part::Heading(
        1,
        "Was sich seit der letzten Präsentation geändert hat".into(),
    ));
    parts.push(list(&v.changes));
    parts.push(Part::Heading(1, "Lagebild".into()));
    parts.push(Part::Table(Table {
        caption: "Ampel nach Handlungsfeld".into(),
        header: strings(&["Handlungsfeld", "Ampel", "Warum"]),
        rows: v
            .lights
            .iter()
            .map(|l| vec![l.name.clone(), l.colour.clone(), l.text.clone()])
            .collect(),
        numeric: Vec::new(),
        widths: vec![8, 4, 20],
    }));
    parts.push(Part::Heading(1, "Neue und behobene Warnhinweise".into()));
    for (title, lines) in [
        (format!("Neu seit dem {}", v.since), &v.new_warnings),
        ("Behoben".to_string(), &v.resolved),
    ] {
        parts.push(Part::Heading(2, format!("{title} ({})", lines.len())));
        parts.push(if lines.is_empty() {
            para("Keine.")
        } else {
            list(lines)
        });
    }
    for f in &v.fields {
        parts.push(Part::Heading(1, f.name.clone()));
        parts.push(Part::Para(vec![
            Run::strong(f.indicator.clone()),
            Run::plain(format!(
                ": {}, {}. Offene Warnhinweise: {}.",
                f.value, f.change, f.warnings
            )),
        ]));
        parts.extend(figure(&f.chart_svg.0, &f.chart_alt, 17.0)?);
    }
    parts.push(Part::Heading(1, "Fahrplan".into()));
    parts.push(Part::Table(Table {
        caption: "Meilensteine und ihr Stand".into(),
        header: strings(&["Nr.", "Meilenstein", "Wann", "Stand"]),
        rows: v
            .fahrplan
            .iter()
            .map(|(a, b, c, d)| vec![a.clone(), b.clone(), c.clone(), d.clone()])
            .collect(),
        numeric: Vec::new(),
        widths: vec![3, 18, 8, 6],
    }));
    parts.push(Part::Heading(1, "Nächste Schritte".into()));
    parts.push(if v.next.is_empty() {
        para("Keine offenen Aufgaben.")
    } else {
        list(&v.next)
    });
    parts.push(Part::Heading(1, "Sprechnotizen".into()));
    for (title, note) in &v.notes {
        parts.push(Part::Heading(2, title.clone()));
        parts.push(para(note));
    }
    Ok(parts)
}

/// The title page: logo, kind and city, title, two lines, then a page break.
fn title_page(head: &Head, line: &str, small: &str) -> Result<Vec<Part>, AppError> {
    let mut parts = Vec::new();
    if let Some(l) = &head.logo_file {
        let png = if l.extension() == "svg" {
            kimo_chart::png(&String::from_utf8_lossy(&l.bytes), PNG_SCALE)
                .map_err(|e| AppError::Internal(format!("Logo: {e}")))?
        } else {
            l.bytes.clone()
        };
        parts.push(Part::Figure(Figure {
            png,
            alt: format!("Logo: {}", head.city),
            caption: String::new(),
            width_cm: 4.0,
        }));
    }
    parts.push(Part::Para(vec![Run::muted(
        format!("{} · {}", head.kind_label, head.city).to_uppercase(),
    )]));
    parts.push(Part::Title(head.report.title.clone()));
    parts.push(para(line));
    parts.push(Part::Para(vec![Run::muted(small.to_string())]));
    parts.push(Part::PageBreak);
    Ok(parts)
}

/// A chart as a figure (PNG) with its alternative text as caption; nothing for an empty chart.
fn figure(svg: &str, alt: &str, width_cm: f32) -> Result<Option<Part>, AppError> {
    if svg.is_empty() {
        return Ok(None);
    }
    let png = kimo_chart::png(svg, PNG_SCALE)
        .map_err(|e| AppError::Internal(format!("Grafik „{alt}“: {e}")))?;
    Ok(Some(Part::Figure(Figure {
        png,
        alt: alt.to_string(),
        caption: alt.to_string(),
        width_cm,
    })))
}

/// The meetings with their decisions (as in the AKI's activity report).
fn meetings(lines: &[MeetingLine], parts: &mut Vec<Part>) {
    for m in lines {
        parts.push(Part::Para(vec![
            Run::strong(m.title.clone()),
            Run::plain(format!(" am {}", m.date)),
        ]));
        if !m.decisions.is_empty() {
            parts.push(list(&m.decisions));
        }
    }
}

/// A text's Markdown blocks as parts: paragraphs, headings as bold paragraphs, neighbouring list
/// items as one list; an empty text as „Noch nicht geschrieben.“
fn text_parts(blocks: &[kimo_konzept::markdown::Block], parts: &mut Vec<Part>) {
    if blocks.is_empty() {
        parts.push(Part::Para(vec![Run::muted("Noch nicht geschrieben.")]));
        return;
    }
    for b in blocks {
        let item = matches!(b.kind, "li" | "oli");
        let ordered = b.kind == "oli";
        match (item, parts.last_mut()) {
            (true, Some(Part::List { ordered: o, items })) if *o == ordered => {
                items.push((0, runs(&b.spans)));
            }
            (true, _) => parts.push(Part::List {
                ordered,
                items: vec![(0, runs(&b.spans))],
            }),
            (false, _) if b.kind == "h" => parts.push(Part::Para(
                runs(&b.spans)
                    .into_iter()
                    .map(|r| Run { strong: true, ..r })
                    .collect(),
            )),
            (false, _) => parts.push(Part::Para(runs(&b.spans))),
        }
    }
}

/// Markdown spans as runs.
fn runs(spans: &[kimo_konzept::markdown::Span]) -> Vec<Run> {
    spans
        .iter()
        .map(|s| Run {
            text: s.text.clone(),
            strong: s.strong,
            emph: s.emph,
            muted: false,
        })
        .collect()
}

/// A paragraph of plain text.
fn para(text: &str) -> Part {
    Part::Para(vec![Run::plain(text)])
}

/// A bulleted list of plain lines.
fn list(lines: &[String]) -> Part {
    Part::List {
        ordered: false,
        items: lines
            .iter()
            .map(|l| (0, vec![Run::plain(l.clone())]))
            .collect(),
    }
}

/// Owned strings.
fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}
