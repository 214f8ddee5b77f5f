//! The half-yearly presentation to the Integrationsausschuss, made from the data: title, what
//! changed since the last presentation, the Lagebild's traffic lights, the new and the resolved
//! warnings with their sentences, one slide per Handlungsfeld with its first core indicator, the
//! Fahrplan's state and the next steps — each slide with speaker notes, which the PDF gathers on a
//! handout page of their own. One typed view for the web page, the PDF and the JSON.

use super::indicator::IndicatorQuery;
use super::lagebild::{LagebildQuery, half_year_start};
use crate::format::local_date;
use crate::{AppError, Scope};
use chrono::NaiveDate;
use kimo_model::fahrplan::MilestoneStatus;
use kimo_model::meeting::TaskStatus;
use kimo_model::report::{Report, ReportKind, ReportState};
use kimo_store::WarningFilter;
use serde::Serialize;

/// A Handlungsfeld's light on the Lagebild slide.
#[derive(Debug, Serialize)]
pub struct LightLine {
    /// Handlungsfeld.
    pub name: String,
    /// `rot`, `gelb`, `gruen`.
    pub class: String,
    /// The colour in words.
    pub colour: String,
    /// Why.
    pub text: String,
}

/// A Handlungsfeld's slide: its first core indicator.
#[derive(Debug, Serialize)]
pub struct FieldSlide {
    /// Handlungsfeld.
    pub name: String,
    /// Indicator code.
    pub code: String,
    /// Indicator name.
    pub indicator: String,
    /// Latest value with unit and period.
    pub value: String,
    /// The change in words.
    pub change: String,
    /// The chart's text alternative.
    pub chart_alt: String,
    /// The line chart (SVG, wide and narrow), not in the JSON.
    #[serde(skip)]
    pub chart_svg: (String, String),
    /// Open warnings of the Handlungsfeld.
    pub warnings: usize,
}

/// The presentation.
#[derive(Debug, Serialize)]
pub struct DeckView {
    /// Report, city, the day, data version.
    #[serde(flatten)]
    pub head: super::report::Head,
    /// The date of the last presentation (German), the start of what is new.
    pub since: String,
    /// What changed since then, one line each.
    pub changes: Vec<String>,
    /// The Lagebild's lights per Handlungsfeld.
    pub lights: Vec<LightLine>,
    /// New warnings since then (sentence with number).
    pub new_warnings: Vec<String>,
    /// Warnings resolved since then.
    pub resolved: Vec<String>,
    /// One slide per Handlungsfeld.
    pub fields: Vec<FieldSlide>,
    /// The Fahrplan: (number, title, when, state).
    pub fahrplan: Vec<(String, String, String, String)>,
    /// Next steps: open tasks and the coming milestones.
    pub next: Vec<String>,
    /// Speaker notes by slide title.
    pub notes: Vec<(String, String)>,
}

/// The day of the last released presentation before this one, else the start of the half-year.
fn since(st: &Scope, r: &Report, key: NaiveDate) -> Result<NaiveDate, AppError> {
    let last = st
        .store
        .reports()?
        .into_iter()
        .filter(|x| x.kind == ReportKind::Praesentation && x.state == ReportState::Freigegeben)
        .filter(|x| x.id != r.id && x.key_date < r.key_date)
        .filter_map(|x| NaiveDate::parse_from_str(&x.key_date, "%Y-%m-%d").ok())
        .max();
    Ok(last.unwrap_or_else(|| half_year_start(key)))
}

/// Builds the presentation from the data as they are now.
pub fn build(st: &Scope, r: &Report) -> Result<DeckView, AppError> {
    let key = NaiveDate::parse_from_str(&r.key_date, "%Y-%m-%d")
        .map_err(|_| AppError::BadRequest(format!("Stichtag „{}“ ist kein Datum.", r.key_date)))?;
    let since = since(st, r, key)?;
    let iso = since.format("%Y-%m-%d").to_string();
    let lagebild = super::lagebild::build(
        st,
        &LagebildQuery {
            seit: Some(iso.clone()),
            ..Default::default()
        },
    )?;
    let (new_warnings, resolved) = warning_lines(st, &iso)?;
    let lights: Vec<LightLine> = lagebild
        .lights
        .iter()
        .map(|l| LightLine {
            name: l.name.clone(),
            class: l.class.to_string(),
            colour: l.colour.to_string(),
            text: l.text.clone(),
        })
        .collect();
    let fields = field_slides(st, &lagebild.lights)?;
    let (fahrplan, next) = plan(st, key)?;
    let changes = changes(
        st,
        &iso,
        &new_warnings,
        &resolved,
        &lagebild.summary.open_text,
    )?;
    let notes = notes(
        &changes,
        &lights,
        &fields,
        new_warnings.len(),
        resolved.len(),
    );
    Ok(DeckView {
        head: super::report::Head::of(st, r)?,
        since: local_date(&iso),
        changes,
        lights,
        new_warnings,
        resolved,
        fields,
        fahrplan,
        next,
        notes,
    })
}

/// The warnings first recorded since a day (ISO), and those resolved since: „Nr. 12: sentence“.
fn warning_lines(st: &Scope, iso: &str) -> Result<(Vec<String>, Vec<String>), AppError> {
    let all = st.store.warnings(&WarningFilter {
        include_resolved: true,
        ..Default::default()
    })?;
    let new_warnings: Vec<String> = all
        .iter()
        .filter(|w| w.active && w.first_seen.get(..10).is_some_and(|d| d >= iso))
        .map(|w| format!("Nr. {}: {}", w.id, w.sentence))
        .collect();
    let resolved: Vec<String> = all
        .iter()
        .filter(|w| !w.active)
        .filter(|w| {
            w.resolved_at
                .as_deref()
                .and_then(|d| d.get(..10))
                .is_some_and(|d| d >= iso)
        })
        .map(|w| format!("Nr. {}: {}", w.id, w.sentence))
        .collect();
    Ok((new_warnings, resolved))
}

/// What changed since the last presentation: imports, warnings, deliveries.
fn changes(
    st: &Scope,
    since: &str,
    new: &[String],
    resolved: &[String],
    open: &str,
) -> Result<Vec<String>, AppError> {
    let deliveries = st
        .store
        .deliveries(&kimo_store::DeliveryFilter::default())?;
    let accepted = deliveries
        .iter()
        .filter(|d| d.state == kimo_model::delivery::DeliveryState::Angenommen)
        .filter(|d| d.changed_at.get(..10).is_some_and(|x| x >= since))
        .count();
    let today = chrono::Local::now().date_naive();
    let overdue = deliveries.iter().filter(|d| d.overdue(today)).count();
    let count = kimo_monitor::sentences::count_noun;
    let (last, imports) = st.store.imports_since(since)?;
    Ok(vec![
        format!(
            "{} neu, {} behoben; jetzt {open}.",
            count(new.len(), "Warnhinweis", "Warnhinweise"),
            resolved.len()
        ),
        format!(
            "{} angenommen, {} überfällig.",
            count(accepted, "Datenlieferung", "Datenlieferungen"),
            overdue
        ),
        format!(
            "{} seitdem; zuletzt am {}.",
            count(imports as usize, "Datenimport", "Datenimporte"),
            last.as_deref().map_or("–".to_string(), local_date)
        ),
    ])
}

/// One slide per Handlungsfeld: its first core indicator's latest value, change and chart.
fn field_slides(
    st: &Scope,
    lights: &[super::lagebild::Light],
) -> Result<Vec<FieldSlide>, AppError> {
    let indicators = st.indicators()?;
    let mut out = Vec::new();
    for f in st.action_fields()?.iter() {
        let Some(ind) = indicators
            .iter()
            .find(|i| i.core && i.action_field.as_deref() == Some(f.code.as_str()))
        else {
            continue;
        };
        let v = super::indicator::build(st, &ind.code, &IndicatorQuery::default())?;
        let c = super::indicator::charts::report_charts(st, &v)?;
        let chart_svg = (c.line, c.line_narrow);
        let h = &v.headline;
        let change = match (h.change_text.as_str(), h.previous_label.as_str()) {
            ("", _) => "keine Veränderung bekannt".to_string(),
            (c, p) => {
                format!("{c} gegenüber {p}, {}", h.direction)
                    + &match h.judgement.as_str() {
                        "" => String::new(),
                        j => format!(" ({j})"),
                    }
            }
        };
        out.push(FieldSlide {
            name: f.name.clone(),
            code: ind.code.clone(),
            indicator: ind.name.clone(),
            value: format!("{} ({})", h.row.value_text, h.row.period_label),
            change,
            chart_alt: v.line_caption.clone(),
            chart_svg,
            warnings: lights
                .iter()
                .find(|l| l.code == f.code)
                .map_or(0, |l| l.warnings),
        });
    }
    Ok(out)
}

/// The Fahrplan's milestones with their state, and the next steps: open tasks due soonest and
/// the milestones not yet done.
type Plan = (Vec<(String, String, String, String)>, Vec<String>);

/// The Fahrplan and the next steps.
fn plan(st: &Scope, key: NaiveDate) -> Result<Plan, AppError> {
    let milestones = st.store.milestones()?;
    let fahrplan = milestones
        .iter()
        .map(|m| {
            (
                m.number.clone(),
                m.title.clone(),
                if m.when.is_empty() {
                    "–".into()
                } else {
                    m.when.clone()
                },
                m.status.code().to_string(),
            )
        })
        .collect();
    let mut tasks: Vec<_> = st
        .store
        .meetings()?
        .into_iter()
        .flat_map(|m| m.tasks)
        .filter(|t| t.status != TaskStatus::Erledigt)
        .collect();
    tasks.sort_by(|a, b| a.due.cmp(&b.due));
    let mut next: Vec<String> = tasks
        .iter()
        .take(5)
        .map(|t| match &t.due {
            Some(d) => format!("{} ({}, bis {})", t.title, t.owner, local_date(d)),
            None => format!("{} ({})", t.title, t.owner),
        })
        .collect();
    next.extend(
        milestones
            .iter()
            .filter(|m| m.status != MilestoneStatus::Erledigt)
            .filter(|m| kimo_model::fahrplan::span(&m.when).is_some_and(|s| s.end >= key))
            .take(3)
            .map(|m| format!("Fahrplan {}: {} ({})", m.number, m.title, m.when)),
    );
    Ok((fahrplan, next))
}

/// Speaker notes for the slides, from the figures they show.
fn notes(
    changes: &[String],
    lights: &[LightLine],
    fields: &[FieldSlide],
    new: usize,
    resolved: usize,
) -> Vec<(String, String)> {
    let red: Vec<&str> = lights
        .iter()
        .filter(|l| l.class == "rot")
        .map(|l| l.name.as_str())
        .collect();
    let mut out = vec![
        (
            "Was sich seit der letzten Präsentation geändert hat".to_string(),
            changes.join(" "),
        ),
        (
            "Lagebild".to_string(),
            match red.is_empty() {
                true => "Kein Handlungsfeld steht auf Rot.".to_string(),
                false => format!(
                    "Rot stehen: {}. Dort gibt es hohe Warnhinweise.",
                    red.join(", ")
                ),
            },
        ),
        (
            "Warnhinweise".to_string(),
            format!(
                "{new} neue und {resolved} behobene Warnhinweise; die Sätze stehen auf der Folie, die Bearbeitung im Lagebild."
            ),
        ),
    ];
    out.extend(fields.iter().map(|f| {
        (
            f.name.clone(),
            format!(
                "{}: {}, {}. Offene Warnhinweise im Handlungsfeld: {}.",
                f.indicator, f.value, f.change, f.warnings
            ),
        )
    }));
    out
}
