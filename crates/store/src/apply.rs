//! Writing a dataset: all-or-nothing, with a summary of new, changed and unchanged values.

use crate::columns::{self, Table};
use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};
use kimo_model::plausible::Limits;
use kimo_model::{Breakdown, Dataset, Origin, Period, Problem, Unit};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How to apply a dataset.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Check and summarise, write nothing.
    pub dry_run: bool,
    /// Who imports (recorded in the provenance and history).
    pub user: String,
    /// What is imported (file names), recorded in the provenance.
    pub source: String,
}

/// New, changed and unchanged observations of one indicator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndicatorSummary {
    /// Indicator code.
    pub code: String,
    /// Observations that did not exist before.
    pub new: usize,
    /// Observations whose value, numerator, denominator or flags change.
    pub changed: usize,
    /// Observations that are already stored as they are.
    pub unchanged: usize,
}

/// What applying a dataset did (or, on a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ApplyOutcome {
    /// Per indicator, in code order.
    pub indicators: Vec<IndicatorSummary>,
    /// Catalogue items: (kind, new, updated), e.g. ("Gebiete", 27, 0).
    pub catalogue: Vec<(String, usize, usize)>,
    /// Whether anything was written.
    pub written: bool,
    /// The provenance record of this import, when written.
    pub import_id: Option<i64>,
    /// Notices that did not stop the import (a row repeating an earlier one, taken once).
    pub notices: Vec<Problem>,
}

impl ApplyOutcome {
    /// Totals over all indicators: (new, changed, unchanged).
    pub fn totals(&self) -> (usize, usize, usize) {
        self.indicators.iter().fold((0, 0, 0), |(a, b, c), s| {
            (a + s.new, b + s.changed, c + s.unchanged)
        })
    }
}

/// indicator id, area id, interned breakdown, period.
type ObsKey = (i64, i64, u32, Period);

struct Existing {
    id: i64,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
    flags: String,
}

impl Store {
    /// Checks and writes a dataset in one transaction. With problems, nothing is written and
    /// `Error::Rejected` lists them; `progress(done, total)` is called while observations are written.
    pub fn apply(
        &self,
        ds: &Dataset,
        opts: &ApplyOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome> {
        let mut c = self.conn()?;
        let work = |c: &mut Conn| apply_in(c, ds, opts, progress);
        if opts.dry_run {
            c.rehearse(work)
        } else {
            c.write(work)
        }
    }
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn id_of(c: &mut Conn, table: &str, code: &str) -> Result<Option<i64>> {
    Ok(c.query_opt(
        &format!("SELECT id FROM {table} WHERE code = ?"),
        &[code.into()],
    )?
    .map(|r| r.int(0)))
}

fn insert_id(c: &mut Conn, sql: &str, params: &[Value]) -> Result<i64> {
    let sql = format!("{sql} RETURNING id");
    c.query_opt(&sql, params)?
        .map(|r| r.int(0))
        .ok_or_else(|| Error::database(sql.as_str(), "keine id zurückgegeben"))
}

fn at(origin: &Option<Origin>, source: &str, message: String) -> Problem {
    match origin {
        Some(o) => Problem {
            origin: o.clone(),
            message,
        },
        None => Problem::whole_file(source, message),
    }
}

/// Records an import (provenance); its id is also the store's data version. In the same
/// transaction the warnings are marked as due for an evaluation ([`Store::evaluation_pending`]).
fn record_import(c: &mut Conn, opts: &ApplyOptions, observations: usize) -> Result<i64> {
    let id = insert_id(
        c,
        &columns::IMPORT_RUN.insert_sql(),
        &[
            now().into(),
            opts.user.as_str().into(),
            opts.source.as_str().into(),
            (observations as i64).into(),
        ],
    )?;
    crate::warnings::mark_pending(c, id)?;
    Ok(id)
}

fn code_map(c: &mut Conn, table: &str) -> Result<HashMap<String, i64>> {
    Ok(c.query(&format!("SELECT code, id FROM {table}"), &[])?
        .into_iter()
        .map(|r| (r.text(0), r.int(1)))
        .collect())
}

/// The three phases: catalogue, then the observations' plan (references, duplicates, diff), then
/// the writes. Problems of the first two reject everything.
fn apply_in(
    c: &mut Conn,
    ds: &Dataset,
    opts: &ApplyOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ApplyOutcome> {
    let mut problems = Vec::new();
    let mut out = ApplyOutcome {
        catalogue: upsert_catalogue(c, ds, &opts.source, &mut problems)?,
        ..Default::default()
    };
    if ds.observations.is_empty() {
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
        }
        if !opts.dry_run && !ds.is_empty() {
            // Catalogue changes are recorded too: the record is also the data version pages cache by.
            out.import_id = Some(record_import(c, opts, 0)?);
            out.written = true;
        }
        return Ok(out);
    }
    let plan = plan_observations(c, ds, &opts.source, &mut problems)?;
    out.indicators = plan.summary.values().cloned().collect();
    out.notices = plan.notices.clone();
    if !problems.is_empty() {
        return Err(Error::Rejected(problems));
    }
    if opts.dry_run {
        return Ok(out);
    }
    out.import_id = Some(write_observations(c, ds, opts, plan, progress)?);
    out.written = true;
    Ok(out)
}

// ---- Phase 1: the catalogue.

/// Inserts or updates Handlungsfelder, dimensions, areas and indicators: (kind, new, updated).
fn upsert_catalogue(
    c: &mut Conn,
    ds: &Dataset,
    src: &str,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(String, usize, usize)>> {
    let fields = upsert_action_fields(c, ds)?;
    let dims = upsert_dimensions(c, ds)?;
    let areas = upsert_areas(c, ds, src, problems)?;
    let inds = upsert_indicators(c, ds, src, problems)?;
    Ok([
        ("Handlungsfelder", fields),
        ("Merkmale", dims),
        ("Gebiete", areas),
        ("Indikatoren", inds),
    ]
    .into_iter()
    .map(|(kind, (n, u))| (kind.to_string(), n, u))
    .collect())
}

/// Updates the row with this `code` or inserts it; `values` follow the table's data columns.
/// Returns whether it was new.
fn upsert_by_code(c: &mut Conn, table: &Table, code: &str, values: Vec<Value>) -> Result<bool> {
    if id_of(c, table.name, code)?.is_some() {
        c.exec(&table.update_sql("code"), &table.key_last("code", values))?;
        Ok(false)
    } else {
        c.exec(&table.insert_sql(), &values)?;
        Ok(true)
    }
}

/// Counts (new, updated) from the upserts' "was new" answers.
fn tally(new: impl IntoIterator<Item = bool>) -> (usize, usize) {
    new.into_iter().fold(
        (0, 0),
        |(n, u), new| if new { (n + 1, u) } else { (n, u + 1) },
    )
}

fn upsert_action_fields(c: &mut Conn, ds: &Dataset) -> Result<(usize, usize)> {
    let mut new = Vec::new();
    for af in &ds.action_fields {
        let values = vec![
            af.code.as_str().into(),
            af.name.as_str().into(),
            af.description.as_str().into(),
            af.sort.into(),
        ];
        new.push(upsert_by_code(c, &columns::ACTION_FIELD, &af.code, values)?);
    }
    Ok(tally(new))
}

fn upsert_dimensions(c: &mut Conn, ds: &Dataset) -> Result<(usize, usize)> {
    let (mut n, mut u) = (0, 0);
    for (i, d) in ds.dimensions.iter().enumerate() {
        let id = match id_of(c, "dimension", &d.code)? {
            Some(id) => {
                c.exec(
                    "UPDATE dimension SET name = ? WHERE id = ?",
                    &[d.name.as_str().into(), id.into()],
                )?;
                u += 1;
                id
            }
            None => {
                n += 1;
                insert_id(
                    c,
                    &columns::DIMENSION.insert_sql(),
                    &[
                        d.code.as_str().into(),
                        d.name.as_str().into(),
                        (i as i64).into(),
                    ],
                )?
            }
        };
        for (j, cat) in d.categories.iter().enumerate() {
            upsert_category(c, id, j, cat)?;
        }
    }
    Ok((n, u))
}

/// A category keeps its place; a new one goes after the existing ones (at least at its position).
fn upsert_category(
    c: &mut Conn,
    dimension: i64,
    j: usize,
    cat: &kimo_model::Category,
) -> Result<()> {
    let key: [Value; 2] = [dimension.into(), cat.code.as_str().into()];
    let exists = c
        .query_opt(
            "SELECT id FROM category WHERE dimension_id = ? AND code = ?",
            &key,
        )?
        .is_some();
    if exists {
        c.exec(
            "UPDATE category SET name = ? WHERE dimension_id = ? AND code = ?",
            &[cat.name.as_str().into(), key[0].clone(), key[1].clone()],
        )?;
        return Ok(());
    }
    let sort: i64 = c
        .query_opt(
            "SELECT COUNT(*) FROM category WHERE dimension_id = ?",
            &[dimension.into()],
        )?
        .map_or(0, |r| r.int(0));
    c.exec(
        &columns::CATEGORY.insert_sql(),
        &[
            dimension.into(),
            cat.code.as_str().into(),
            cat.name.as_str().into(),
            (sort.max(j as i64)).into(),
        ],
    )?;
    Ok(())
}

/// Areas, parents first; an unknown parent is a problem.
fn upsert_areas(
    c: &mut Conn,
    ds: &Dataset,
    src: &str,
    problems: &mut Vec<Problem>,
) -> Result<(usize, usize)> {
    let (mut n, mut u) = (0, 0);
    for a in &ds.areas {
        let parent = match &a.parent {
            Some(p) => {
                match c.query_opt("SELECT id, level FROM area WHERE code = ?", &[p.into()])? {
                    Some(r) => Some((r.int(0), r.int(1))),
                    None => {
                        problems.push(Problem::whole_file(
                            src,
                            format!(
                                "Gebiet '{}': übergeordnetes Gebiet '{p}' ist unbekannt",
                                a.code
                            ),
                        ));
                        continue;
                    }
                }
            }
            None => None,
        };
        let level = parent.map(|(_, l)| l + 1);
        if id_of(c, "area", &a.code)?.is_some() {
            // A partial description (no parent, no geometry) keeps what is stored.
            c.exec(
                "UPDATE area SET name = ?, parent_id = COALESCE(?, parent_id), \
                 level = COALESCE(?, level), geometry = COALESCE(?, geometry) WHERE code = ?",
                &[
                    a.name.as_str().into(),
                    parent.map(|p| p.0).into(),
                    level.into(),
                    a.geometry.clone().into(),
                    a.code.as_str().into(),
                ],
            )?;
            u += 1;
        } else {
            c.exec(
                &columns::AREA.insert_sql(),
                &[
                    a.code.as_str().into(),
                    a.name.as_str().into(),
                    parent.map(|p| p.0).into(),
                    level.unwrap_or(a.level).into(),
                    a.geometry.clone().into(),
                ],
            )?;
            n += 1;
        }
    }
    Ok((n, u))
}

/// Indicators; an unknown Handlungsfeld is a problem.
fn upsert_indicators(
    c: &mut Conn,
    ds: &Dataset,
    src: &str,
    problems: &mut Vec<Problem>,
) -> Result<(usize, usize)> {
    let fields = code_map(c, "action_field")?;
    let mut new = Vec::new();
    for ind in &ds.indicators {
        let af = match &ind.action_field {
            Some(code) if !code.is_empty() => match fields.get(code) {
                Some(id) => Some(*id),
                None => {
                    problems.push(Problem::whole_file(
                        src,
                        format!(
                            "Indikator '{}': Handlungsfeld '{code}' ist unbekannt",
                            ind.code
                        ),
                    ));
                    continue;
                }
            },
            _ => None,
        };
        // In the order of `columns::INDICATOR`.
        let values = vec![
            ind.code.as_str().into(),
            ind.name.as_str().into(),
            ind.definition.as_str().into(),
            ind.numerator.as_str().into(),
            ind.denominator.as_str().into(),
            ind.unit.as_str().into(),
            ind.polarity.code().into(),
            ind.source.as_str().into(),
            ind.department.as_str().into(),
            ind.periodicity.code().into(),
            ind.core.into(),
            af.into(),
            ind.published.into(),
            ind.notes.as_str().into(),
            ind.may_exceed_100.into(),
        ];
        new.push(upsert_by_code(c, &columns::INDICATOR, &ind.code, values)?);
    }
    Ok(tally(new))
}

// ---- Phase 2: resolve references and compare with what is stored.

/// Breakdowns are interned: comparing and hashing a number is cheaper than a text key per row.
#[derive(Default)]
struct Interner {
    ids: HashMap<Breakdown, u32>,
    keys: Vec<String>,
}

impl Interner {
    fn id(&mut self, b: &Breakdown) -> u32 {
        if let Some(&id) = self.ids.get(b) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.keys.push(b.key());
        self.ids.insert(b.clone(), id);
        id
    }
}

/// What to write for one observation.
enum Write {
    New,
    Changed(i64),
}

/// The outcome of phase 2: what to write, and what is stored now.
#[derive(Default)]
struct Plan {
    writes: Vec<(usize, ObsKey, Write)>,
    /// Per indicator id: the stored observations by (area, breakdown, period).
    existing: HashMap<i64, HashMap<(i64, u32, Period), Existing>>,
    breakdowns: Interner,
    summary: BTreeMap<String, IndicatorSummary>,
    /// Rows repeating an earlier row exactly, taken once.
    notices: Vec<Problem>,
}

/// Codes resolved to ids; areas an export names (`auto_areas`) are created on first use.
struct Resolver<'a> {
    indicators: HashMap<String, i64>,
    /// Per indicator id: its unit and whether a share may exceed 100 %.
    limits: HashMap<i64, (Unit, bool)>,
    areas: HashMap<String, i64>,
    dims: HashMap<String, HashSet<String>>,
    auto: HashMap<&'a str, &'a kimo_model::Area>,
    root: Option<i64>,
}

impl<'a> Resolver<'a> {
    fn load(c: &mut Conn, ds: &'a Dataset) -> Result<Resolver<'a>> {
        let mut dims: HashMap<String, HashSet<String>> = HashMap::new();
        for r in c.query(
            "SELECT d.code, k.code FROM dimension d JOIN category k ON k.dimension_id = d.id",
            &[],
        )? {
            dims.entry(r.text(0)).or_default().insert(r.text(1));
        }
        for r in c.query("SELECT code FROM dimension", &[])? {
            dims.entry(r.text(0)).or_default();
        }
        let root = c
            .query_opt(
                "SELECT id FROM area WHERE parent_id IS NULL ORDER BY level, id LIMIT 1",
                &[],
            )?
            .map(|r| r.int(0));
        let limits = c
            .query("SELECT id, unit, may_exceed_100 FROM indicator", &[])?
            .into_iter()
            .map(|r| (r.int(0), (Unit::parse(&r.text(1)), r.bool(2))))
            .collect();
        let mut res = Resolver {
            indicators: code_map(c, "indicator")?,
            limits,
            areas: code_map(c, "area")?,
            dims,
            auto: ds.auto_areas.iter().map(|a| (a.code.as_str(), a)).collect(),
            root,
        };
        // An export names its whole-city area in the metadata: create it first so Stadtteile hang
        // below it.
        for a in ds.auto_areas.iter().filter(|a| a.level == 0) {
            if !res.areas.contains_key(&a.code) {
                let id = res.create_area(c, &a.code, &a.name, None, 0)?;
                res.root.get_or_insert(id);
            }
        }
        Ok(res)
    }

    fn create_area(
        &mut self,
        c: &mut Conn,
        code: &str,
        name: &str,
        parent: Option<i64>,
        level: i64,
    ) -> Result<i64> {
        let id = insert_id(
            c,
            "INSERT INTO area (code, name, parent_id, level) VALUES (?, ?, ?, ?)",
            &[code.into(), name.into(), parent.into(), level.into()],
        )?;
        self.areas.insert(code.to_string(), id);
        Ok(id)
    }

    /// The area id of an observation: the whole city for an empty code (created when missing),
    /// a known area, or an area the export names; `None` when unknown.
    fn area(&mut self, c: &mut Conn, code: &str) -> Result<Option<i64>> {
        if code.is_empty() {
            return Ok(Some(match self.root {
                Some(r) => r,
                None => {
                    let id = self.create_area(c, "gesamt", "Gesamtgebiet", None, 0)?;
                    self.root = Some(id);
                    id
                }
            }));
        }
        if let Some(&a) = self.areas.get(code) {
            return Ok(Some(a));
        }
        let Some(a) = self.auto.get(code).copied() else {
            return Ok(None);
        };
        let (root, level) = (self.root, self.root.is_some() as i64);
        Ok(Some(self.create_area(c, &a.code, &a.name, root, level)?))
    }

    /// Problems with the breakdown's dimensions and categories.
    fn breakdown_problems(&self, b: &Breakdown) -> Vec<String> {
        b.iter()
            .filter_map(|(d, k)| match self.dims.get(d) {
                None => Some(format!("unbekanntes Merkmal '{d}'")),
                Some(cats) if !cats.contains(k) => {
                    Some(format!("unbekannte Ausprägung '{k}' des Merkmals '{d}'"))
                }
                _ => None,
            })
            .collect()
    }
}

/// Resolves every observation, finds duplicates and unknown references, and sorts the rest into
/// new, changed and unchanged.
fn plan_observations(
    c: &mut Conn,
    ds: &Dataset,
    src: &str,
    problems: &mut Vec<Problem>,
) -> Result<Plan> {
    let mut res = Resolver::load(c, ds)?;
    let mut seen: HashMap<ObsKey, usize> = HashMap::with_capacity(ds.observations.len());
    let mut plan = Plan::default();
    for (idx, o) in ds.observations.iter().enumerate() {
        let Some(&ind) = res.indicators.get(&o.indicator) else {
            problems.push(at(
                &o.origin,
                src,
                format!("unbekannter Indikator '{}'", o.indicator),
            ));
            continue;
        };
        let Some(area) = res.area(c, &o.area)? else {
            problems.push(at(
                &o.origin,
                src,
                format!("unbekanntes Gebiet '{}'", o.area),
            ));
            continue;
        };
        let bad = res.breakdown_problems(&o.breakdown);
        if !bad.is_empty() {
            problems.extend(bad.into_iter().map(|m| at(&o.origin, src, m)));
            continue;
        }
        if let Some(m) = number_problem(res.limits.get(&ind), o) {
            problems.push(at(&o.origin, src, m));
            continue;
        }
        let key: ObsKey = (
            ind,
            area,
            plan.breakdowns.id(&o.breakdown),
            o.period.clone(),
        );
        if let Some(&first) = seen.get(&key) {
            let (same, message) = duplicate(&ds.observations[first], o);
            let list = if same {
                &mut plan.notices
            } else {
                &mut *problems
            };
            list.push(at(&o.origin, src, message));
            continue;
        }
        seen.insert(key.clone(), idx);
        if let std::collections::hash_map::Entry::Vacant(e) = plan.existing.entry(ind) {
            e.insert(load_existing(c, ind, &mut plan.breakdowns)?);
        }
        let s = plan
            .summary
            .entry(o.indicator.clone())
            .or_insert_with(|| IndicatorSummary {
                code: o.indicator.clone(),
                ..Default::default()
            });
        match plan.existing[&ind].get(&(key.1, key.2, key.3.clone())) {
            None => {
                s.new += 1;
                plan.writes.push((idx, key, Write::New));
            }
            Some(e) if e.same_as(o) => s.unchanged += 1,
            Some(e) => {
                s.changed += 1;
                plan.writes.push((idx, key, Write::Changed(e.id)));
            }
        }
    }
    Ok(plan)
}

/// Whether `o` repeats `first` exactly (then it is taken once), and the message naming both rows.
fn duplicate(first: &kimo_model::Observation, o: &kimo_model::Observation) -> (bool, String) {
    let same = first.value == o.value
        && first.numerator == o.numerator
        && first.denominator == o.denominator
        && first.flags == o.flags;
    let row = |x: &Option<Origin>| x.as_ref().map_or(0, |x| x.line);
    let earlier = match (&first.origin, &o.origin) {
        (Some(a), Some(b)) if a.file != b.file => format!("Zeile {} in {}", a.line, a.file),
        (a, _) => format!("Zeile {}", row(a)),
    };
    let this = format!("Zeile {}", row(&o.origin));
    if same {
        return (
            true,
            format!("{this} wiederholt {earlier}; einmal übernommen"),
        );
    }
    let value = |x: &kimo_model::Observation| {
        x.value
            .map_or_else(|| "kein Wert".to_string(), |v| v.to_string())
    };
    (
        false,
        format!(
            "doppelter Schlüssel: {this} widerspricht {earlier} ({} statt {}; Indikator {}, Zeitraum {}, Gebiet {}, Gliederung '{}')",
            value(o),
            value(first),
            o.indicator,
            o.period.label(),
            o.area,
            o.breakdown.key()
        ),
    )
}

/// The numbers of `o` against its indicator's limits (see [`kimo_model::plausible`]).
fn number_problem(limits: Option<&(Unit, bool)>, o: &kimo_model::Observation) -> Option<String> {
    let limits = limits.map_or(Limits::UNKNOWN, |(unit, may_exceed_100)| Limits {
        unit,
        may_exceed_100: *may_exceed_100,
    });
    kimo_model::plausible::number_problem(limits, o)
}

/// The stored observations of one indicator by (area, breakdown, period).
fn load_existing(
    c: &mut Conn,
    indicator: i64,
    breakdowns: &mut Interner,
) -> Result<HashMap<(i64, u32, Period), Existing>> {
    let mut m = HashMap::new();
    for r in c.query(
        "SELECT id, area_id, breakdown, period, value, numerator, denominator, flags \
         FROM observation WHERE indicator_id = ?",
        &[indicator.into()],
    )? {
        let Ok(period) = Period::parse_or_label(&r.text(3)) else {
            continue;
        };
        m.insert(
            (
                r.int(1),
                breakdowns.id(&Breakdown::from_key(&r.text(2))),
                period,
            ),
            Existing {
                id: r.int(0),
                value: r.opt_real(4),
                numerator: r.opt_real(5),
                denominator: r.opt_real(6),
                flags: r.text(7),
            },
        );
    }
    Ok(m)
}

impl Existing {
    fn same_as(&self, o: &kimo_model::Observation) -> bool {
        self.value == o.value
            && self.numerator == o.numerator
            && self.denominator == o.denominator
            && self.flags == o.flags.code()
    }
}

// ---- Phase 3: write.

/// Records the import, inserts new observations in bulk, and updates changed ones with their
/// history; returns the import's id.
fn write_observations(
    c: &mut Conn,
    ds: &Dataset,
    opts: &ApplyOptions,
    plan: Plan,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<i64> {
    let stamp = now();
    let import_id = record_import(c, opts, plan.writes.len())?;
    let total = plan.writes.len();
    // New rows go in bulk (multi-row INSERT or COPY), BATCH rows at a time.
    const BATCH: usize = 10_000;
    let cols = columns::OBSERVATION.data_columns();
    let mut batch: Vec<Value> = Vec::with_capacity(BATCH * cols.len());
    for (done, (idx, key, w)) in plan.writes.into_iter().enumerate() {
        let o = &ds.observations[idx];
        match w {
            Write::New => {
                // In the order of `columns::OBSERVATION`.
                batch.extend([
                    key.0.into(),
                    key.1.into(),
                    plan.breakdowns.keys[key.2 as usize].as_str().into(),
                    key.3.code().into(),
                    o.value.into(),
                    o.numerator.into(),
                    o.denominator.into(),
                    o.flags.code().into(),
                    import_id.into(),
                    stamp.as_str().into(),
                ]);
                if batch.len() == BATCH * cols.len() {
                    c.insert_rows(columns::OBSERVATION.name, cols, &batch)?;
                    batch.clear();
                }
            }
            Write::Changed(id) => {
                let old = &plan.existing[&key.0][&(key.1, key.2, key.3)];
                update_observation(c, id, old, o, import_id, &opts.user, &stamp)?;
            }
        }
        if done % 10_000 == 0 {
            progress(done, total);
        }
    }
    c.insert_rows(columns::OBSERVATION.name, cols, &batch)?;
    progress(total, total);
    Ok(import_id)
}

/// Keeps the old figures in the history, then writes the new ones.
fn update_observation(
    c: &mut Conn,
    id: i64,
    old: &Existing,
    o: &kimo_model::Observation,
    import_id: i64,
    user: &str,
    stamp: &str,
) -> Result<()> {
    let flags = o.flags.code();
    // In the order of `columns::OBSERVATION_HISTORY`.
    c.exec(
        &columns::OBSERVATION_HISTORY.insert_sql(),
        &[
            id.into(),
            old.value.into(),
            o.value.into(),
            old.numerator.into(),
            old.denominator.into(),
            old.flags.as_str().into(),
            flags.as_str().into(),
            import_id.into(),
            user.into(),
            stamp.into(),
        ],
    )?;
    c.exec(
        "UPDATE observation SET value = ?, numerator = ?, denominator = ?, flags = ?, \
         import_id = ?, updated_at = ? WHERE id = ?",
        &[
            o.value.into(),
            o.numerator.into(),
            o.denominator.into(),
            flags.into(),
            import_id.into(),
            stamp.into(),
            id.into(),
        ],
    )?;
    Ok(())
}
