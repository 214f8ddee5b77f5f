//! The Konzept beside the data: live figures for its references, the checks of a version against
//! the catalogue (every problem with its section, line and column), and the exchange file's import.

use anyhow::{Result, bail};

/// The error of this module's functions.
pub type Error = anyhow::Error;
use kimo_konzept::refs::{Catalogue, Reference};
use kimo_model::konzept::{Document, Figure, Konzept, Project, VersionState, iso_when};
use kimo_model::{Area, Dimension, Indicator};
use kimo_store::{Actor, Decision, NewVersion, ObservationFilter, Store};
use std::collections::BTreeMap;

/// The catalogue a Konzept is checked and resolved against.
pub struct Context {
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Areas.
    pub areas: Vec<Area>,
    /// Dimensions.
    pub dimensions: Vec<Dimension>,
}

impl Context {
    /// Reads the catalogue.
    pub fn load(store: &Store) -> Result<Context> {
        Ok(Context {
            indicators: store.indicators()?,
            areas: store.areas(false)?,
            dimensions: store.dimensions()?,
        })
    }

    /// The catalogue for references.
    pub fn catalogue(&self) -> Catalogue<'_> {
        Catalogue {
            indicators: &self.indicators,
            areas: &self.areas,
            dimensions: &self.dimensions,
        }
    }
}

/// The breakdown of exactly one group (or the total): other dimensions are not broken down.
fn exactly(group: &Option<(String, String)>) -> kimo_model::Breakdown {
    match group {
        Some((d, c)) => kimo_model::Breakdown::of(&[(d.as_str(), c.as_str())]),
        None => kimo_model::Breakdown::total(),
    }
}

/// Reads observations: the store itself, or what an audience may see of it (the web's door).
pub type Read<'a> =
    &'a dyn Fn(&ObservationFilter) -> std::result::Result<Vec<kimo_model::Observation>, String>;

/// The value a reference names: its figure as shown and the indicator page's link.
pub fn figure(store: &Store, cx: &Context, r: &Reference) -> Result<Option<(Figure, String)>> {
    figure_from(&|f| store.observations(f).map_err(|e| e.to_string()), cx, r)
}

/// [`figure`] with observations read by `read` (a secret or embargoed value is not among them
/// for the public: the latest value it may see is shown).
pub fn figure_from(read: Read, cx: &Context, r: &Reference) -> Result<Option<(Figure, String)>> {
    let Some(ind) = cx.indicators.iter().find(|i| i.code == r.indicator) else {
        return Ok(None);
    };
    let city = kimo_model::whole_city(&cx.areas).map(|a| a.code.clone());
    let area = r.area.clone().or(city);
    let filter = ObservationFilter {
        indicator: Some(ind.code.clone()),
        area: area.clone(),
        period: r.period.as_ref().map(|p| p.code()),
        categories: r.group.iter().cloned().collect(),
        total_only: r.group.is_none(),
        ..Default::default()
    };
    let series = exactly(&r.group);
    let mut rows: Vec<_> = read(&filter)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .filter(|o| o.breakdown == series && o.value.is_some() && !o.period.is_label())
        .collect();
    rows.sort_by(|a, b| a.period.cmp(&b.period));
    let Some(o) = rows.last() else {
        return Ok(None);
    };
    let mut link = format!("/indikatoren/{}", ind.code);
    let mut query = Vec::new();
    if let Some(a) = &r.area {
        query.push(format!("gebiet={a}"));
    }
    if let Some((d, c)) = &r.group {
        query.push(format!("merkmal={d}&gruppe={c}"));
    }
    if !query.is_empty() {
        link = format!("{link}?{}", query.join("&"));
    }
    let shown = Figure {
        text: ind.unit.format(o.value),
        period: o.period.label(),
    };
    Ok(Some((shown, link)))
}

/// The progress of a measurable goal on its series, with the measure of the `ziel` rule.
pub fn progress(
    store: &Store,
    cx: &Context,
    m: &kimo_model::konzept::Measure,
) -> Result<Option<kimo_monitor::progress::Progress>> {
    progress_from(&|f| store.observations(f).map_err(|e| e.to_string()), cx, m)
}

/// [`progress`] on the observations `read` gives.
pub fn progress_from(
    read: Read,
    cx: &Context,
    m: &kimo_model::konzept::Measure,
) -> Result<Option<kimo_monitor::progress::Progress>> {
    let Some(ind) = cx.indicators.iter().find(|i| i.code == m.indicator) else {
        return Ok(None);
    };
    let city = kimo_model::whole_city(&cx.areas).map(|a| a.code.clone());
    let filter = ObservationFilter {
        indicator: Some(ind.code.clone()),
        area: m.area.clone().or(city),
        categories: m.group.iter().cloned().collect(),
        total_only: m.group.is_none(),
        ..Default::default()
    };
    let series = exactly(&m.group);
    let points: Vec<(kimo_model::Period, f64)> = read(&filter)
        .map_err(anyhow::Error::msg)?
        .into_iter()
        .filter(|o| o.breakdown == series)
        .filter_map(|o| Some((o.period, o.value?)))
        .collect();
    let rising = Some(m.direction == kimo_model::konzept::Direction::Steigen);
    Ok(kimo_monitor::progress::towards(
        ind,
        &points,
        (m.target, m.target_year),
        m.base_year,
        rising,
    ))
}

/// Every text of a Konzept with the name of its place (for messages).
pub fn texts(k: &Konzept) -> Vec<(String, &str)> {
    let mut out = vec![(
        "Integrationsverständnis".to_string(),
        k.understanding.as_str(),
    )];
    for (i, g) in k.guidelines.iter().enumerate() {
        out.push((format!("Leitlinie {}", i + 1), g.as_str()));
    }
    for f in &k.fields {
        out.push((format!("{}: Ausgangslage", f.code), f.situation.as_str()));
        for g in &f.goals {
            out.push((format!("{}: Ziel {}", f.code, g.id), g.text.as_str()));
        }
        for p in &f.projects {
            out.push((project_place(&f.code, p), p.description.as_str()));
        }
    }
    out
}

/// Checks a Konzept against the catalogue: references, goals (indicator, area, group), core
/// indicators, project areas, Handlungsfelder, unique ids. One message per problem, German.
pub fn check(k: &Konzept, cx: &Context) -> Vec<String> {
    let mut problems = Vec::new();
    for (place, text) in texts(k) {
        if let Err(errors) = kimo_konzept::refs::check(text, &cx.catalogue()) {
            problems.extend(errors.into_iter().map(|e| format!("{place}, {e}")));
        }
    }
    let known = |code: &str| cx.indicators.iter().any(|i| i.code == code);
    let area = |code: &str| cx.areas.iter().any(|a| a.code == code);
    let mut ids = std::collections::HashSet::new();
    for f in &k.fields {
        for g in &f.goals {
            if !ids.insert(g.id.clone()) {
                problems.push(format!(
                    "{}: die Ziel-Kennung '{}' kommt doppelt vor",
                    f.code, g.id
                ));
            }
            let Some(m) = &g.measure else { continue };
            if !known(&m.indicator) {
                problems.push(format!(
                    "{}: Ziel {}: den Indikator '{}' gibt es nicht",
                    f.code, g.id, m.indicator
                ));
            }
            if let Some(a) = m.area.as_deref().filter(|a| !area(a)) {
                problems.push(format!(
                    "{}: Ziel {}: das Gebiet '{a}' gibt es nicht",
                    f.code, g.id
                ));
            }
            if let Some((d, c)) = &m.group {
                let ok = cx
                    .dimensions
                    .iter()
                    .any(|x| &x.code == d && x.categories.iter().any(|y| &y.code == c));
                if !ok {
                    problems.push(format!(
                        "{}: Ziel {}: die Gruppe '{d}={c}' gibt es nicht",
                        f.code, g.id
                    ));
                }
            }
            if m.target_year <= m.base_year {
                problems.push(format!(
                    "{}: Ziel {}: das Zieljahr muss nach dem Basisjahr liegen",
                    f.code, g.id
                ));
            }
        }
        for c in f.core_indicators.iter().filter(|c| !known(c)) {
            problems.push(format!("{}: den Kernindikator '{c}' gibt es nicht", f.code));
        }
        for p in &f.projects {
            let place = project_place(&f.code, p);
            problems.extend(project_problems(p, k, &area).map(|e| format!("{place}: {e}")));
        }
    }
    problems
}

/// Where a Leitprojekt is, for messages: „arbeit: Leitprojekt arbeit-p1 „Jobbrücke““.
fn project_place(field: &str, p: &Project) -> String {
    format!("{field}: Leitprojekt {} „{}“", p.id, p.title.trim())
}

/// What is wrong with a Leitprojekt: no title, an unknown area or goal, a start or end that is
/// no date (ISO: a year, a month or a day), an end before the start.
fn project_problems<'a>(
    p: &'a Project,
    k: &'a Konzept,
    area: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = String> + 'a {
    let mut out = Vec::new();
    if p.title.trim().is_empty() {
        out.push("der Titel fehlt".to_string());
    }
    for a in p.areas.iter().filter(|a| !area(a)) {
        out.push(format!("das Gebiet '{a}' gibt es nicht"));
    }
    for g in p
        .goals
        .iter()
        .filter(|g| !k.goals().any(|(_, x)| &x.id == *g))
    {
        out.push(format!("das Ziel '{g}' gibt es nicht"));
    }
    for (what, when) in [("Beginn", &p.start), ("Ende", &p.end)] {
        if let Some(w) = when
            .as_deref()
            .filter(|w| iso_when(w).as_deref() != Some(*w))
        {
            out.push(format!(
                "{what} '{w}' ist kein Datum (Jahr, JJJJ-MM oder JJJJ-MM-TT)"
            ));
        }
    }
    if let (Some(s), Some(e)) = (&p.start, &p.end) {
        let n = s.len().min(e.len());
        if e[..n] < s[..n] {
            out.push(format!("das Ende {e} liegt vor dem Beginn {s}"));
        }
    }
    out.into_iter()
}

/// The figures of every reference of a Konzept as they are now (a decision's snapshot).
pub fn snapshot(store: &Store, cx: &Context, k: &Konzept) -> Result<BTreeMap<String, Figure>> {
    let mut out = BTreeMap::new();
    for (_, text) in texts(k) {
        for (_, inner) in kimo_konzept::refs::find(text) {
            let Ok(r) = kimo_konzept::refs::parse(inner, &cx.catalogue()) else {
                continue;
            };
            if let Some((f, _)) = figure(store, cx, &r)? {
                out.insert(r.text.clone(), f);
            }
        }
    }
    Ok(out)
}

/// Reads an exchange file (YAML); errors name the file, line and column.
pub fn read(file: &str, text: &str) -> Result<Document> {
    serde_norway::from_str(text).map_err(|e| match e.location() {
        Some(l) => anyhow::anyhow!("{file}: Zeile {}, Spalte {}: {e}", l.line(), l.column()),
        None => anyhow::anyhow!("{file}: {e}"),
    })
}

/// Imports an exchange file: its earlier plans, then the version (a draft, or taken through
/// Beratung to the decision it records). Checked first; nothing is written when it has problems.
pub fn import(store: &Store, doc: &Document, actor: &Actor) -> Result<i64> {
    let cx = Context::load(store)?;
    let problems = check(&doc.content, &cx);
    if !problems.is_empty() {
        bail!(
            "Konzept abgelehnt, nichts wurde geschrieben:\n  {}",
            problems.join("\n  ")
        );
    }
    for e in &doc.earlier {
        let v = NewVersion {
            title: e.title.clone(),
            state: Some(VersionState::Frueher),
            decided_on: Some(e.decided_on.clone()),
            pdf_url: e.pdf_url.clone(),
            ..Default::default()
        };
        store.add_konzept_version(&v, actor)?;
    }
    let new = NewVersion {
        title: doc.title.clone(),
        content: doc.content.clone(),
        ..Default::default()
    };
    let id = store.add_konzept_version(&new, actor)?;
    let state = doc.state.unwrap_or(VersionState::Entwurf);
    if matches!(state, VersionState::InBeratung | VersionState::Beschlossen) {
        store.set_konzept_state(id, VersionState::InBeratung, None, actor)?;
    }
    if state == VersionState::Beschlossen {
        let d = Decision {
            decided_on: doc.decided_on.clone().unwrap_or_default(),
            body: doc.body.clone().unwrap_or_default(),
            vorlage: doc.vorlage.clone().unwrap_or_default(),
            paper_url: doc.paper_url.clone(),
            snapshot: snapshot(store, &cx, &doc.content)?,
        };
        store.set_konzept_state(id, VersionState::Beschlossen, Some(&d), actor)?;
    }
    Ok(id)
}

/// The exchange file of a version.
pub fn export(store: &Store, id: i64) -> Result<String> {
    let v = store.konzept_version(id)?;
    let doc = Document {
        earlier: Vec::new(),
        title: v.title,
        state: Some(v.state),
        decided_on: v.decided_on,
        body: v.body,
        vorlage: v.vorlage,
        paper_url: v.paper_url,
        content: v.content,
    };
    Ok(serde_norway::to_string(&doc)?)
}

/// A version as one Markdown document: title and decision, Integrationsverständnis, Leitlinien,
/// and per Handlungsfeld its Ausgangslage, Ziele (with their measure), Kernindikatoren and
/// Leitprojekte; references stay as written (`[[ARB-03]]`).
pub fn markdown(store: &Store, id: i64) -> Result<String> {
    let v = store.konzept_version(id)?;
    let fields = store.action_fields()?;
    let name = |code: &str| {
        fields
            .iter()
            .find(|f| f.code == code)
            .map_or(code.to_string(), |f| f.name.clone())
    };
    let mut md = format!("# {}\n\n*{}", v.title, v.state.label());
    if let Some(d) = &v.decided_on {
        md += &format!(", {d}");
    }
    if let (Some(b), Some(n)) = (&v.body, &v.vorlage) {
        md += &format!(", {b}, Vorlage {n}");
    }
    md += "*\n\n";
    for s in kimo_konzept::sections::sections(&v.content, &name) {
        let level = if s.key.starts_with("feld:") {
            "###"
        } else {
            "##"
        };
        if s.key.ends_with(":ausgangslage") {
            md += &format!("## {}\n\n", s.title.split(':').next().unwrap_or_default());
        }
        let title = s.title.rsplit(": ").next().unwrap_or(&s.title);
        md += &format!("{level} {title}\n\n{}\n\n", s.text);
    }
    Ok(md)
}
