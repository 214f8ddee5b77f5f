//! Writing a dataset: all-or-nothing, with a summary of new, changed and unchanged values.

use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};
use kimo_model::{Breakdown, Dataset, Origin, Period, Problem};
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

fn problem(file: &str, message: String) -> Problem {
    Problem::whole_file(file, message)
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

/// Records an import (provenance); its id is also the store's data version.
fn record_import(c: &mut Conn, opts: &ApplyOptions, observations: usize) -> Result<i64> {
    insert_id(
        c,
        "INSERT INTO import_run (started_at, username, source, observations) VALUES (?, ?, ?, ?)",
        &[
            now().into(),
            opts.user.as_str().into(),
            opts.source.as_str().into(),
            (observations as i64).into(),
        ],
    )
}

fn code_map(c: &mut Conn, table: &str) -> Result<HashMap<String, i64>> {
    Ok(c.query(&format!("SELECT code, id FROM {table}"), &[])?
        .into_iter()
        .map(|r| (r.text(0), r.int(1)))
        .collect())
}

fn apply_in(
    c: &mut Conn,
    ds: &Dataset,
    opts: &ApplyOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<ApplyOutcome> {
    let mut problems = Vec::new();
    let mut out = ApplyOutcome::default();
    let src = opts.source.as_str();

    // Handlungsfelder.
    let (mut n, mut u) = (0, 0);
    for af in &ds.action_fields {
        let p: Vec<Value> = vec![
            af.name.as_str().into(),
            af.description.as_str().into(),
            af.sort.into(),
            af.code.as_str().into(),
        ];
        if id_of(c, "action_field", &af.code)?.is_some() {
            c.exec(
                "UPDATE action_field SET name = ?, description = ?, sort = ? WHERE code = ?",
                &p,
            )?;
            u += 1;
        } else {
            c.exec(
                "INSERT INTO action_field (name, description, sort, code) VALUES (?, ?, ?, ?)",
                &p,
            )?;
            n += 1;
        }
    }
    out.catalogue.push(("Handlungsfelder".into(), n, u));

    // Dimensions and categories.
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
                    "INSERT INTO dimension (code, name, sort) VALUES (?, ?, ?)",
                    &[
                        d.code.as_str().into(),
                        d.name.as_str().into(),
                        (i as i64).into(),
                    ],
                )?
            }
        };
        for (j, cat) in d.categories.iter().enumerate() {
            let exists = c
                .query_opt(
                    "SELECT id FROM category WHERE dimension_id = ? AND code = ?",
                    &[id.into(), cat.code.as_str().into()],
                )?
                .is_some();
            if exists {
                c.exec(
                    "UPDATE category SET name = ? WHERE dimension_id = ? AND code = ?",
                    &[
                        cat.name.as_str().into(),
                        id.into(),
                        cat.code.as_str().into(),
                    ],
                )?;
            } else {
                let sort: i64 = c
                    .query_opt(
                        "SELECT COUNT(*) FROM category WHERE dimension_id = ?",
                        &[id.into()],
                    )?
                    .map_or(0, |r| r.int(0));
                c.exec(
                    "INSERT INTO category (dimension_id, code, name, sort) VALUES (?, ?, ?, ?)",
                    &[
                        id.into(),
                        cat.code.as_str().into(),
                        cat.name.as_str().into(),
                        (sort.max(j as i64)).into(),
                    ],
                )?;
            }
        }
    }
    out.catalogue.push(("Merkmale".into(), n, u));

    // Areas, parents first.
    let (mut n, mut u) = (0, 0);
    for a in &ds.areas {
        let parent = match &a.parent {
            Some(p) => {
                match c.query_opt("SELECT id, level FROM area WHERE code = ?", &[p.into()])? {
                    Some(r) => Some((r.int(0), r.int(1))),
                    None => {
                        problems.push(problem(
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
                "INSERT INTO area (code, name, parent_id, level, geometry) VALUES (?, ?, ?, ?, ?)",
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
    out.catalogue.push(("Gebiete".into(), n, u));

    // Indicators.
    let (mut n, mut u) = (0, 0);
    let fields = code_map(c, "action_field")?;
    for ind in &ds.indicators {
        let af = match &ind.action_field {
            Some(code) if !code.is_empty() => match fields.get(code) {
                Some(id) => Some(*id),
                None => {
                    problems.push(problem(
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
        let p: Vec<Value> = vec![
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
            ind.code.as_str().into(),
        ];
        if id_of(c, "indicator", &ind.code)?.is_some() {
            c.exec(
                "UPDATE indicator SET name = ?, definition = ?, numerator = ?, denominator = ?, \
                 unit = ?, polarity = ?, source = ?, department = ?, periodicity = ?, core = ?, \
                 action_field_id = ?, published = ?, notes = ?, may_exceed_100 = ? WHERE code = ?",
                &p,
            )?;
            u += 1;
        } else {
            c.exec(
                "INSERT INTO indicator (name, definition, numerator, denominator, unit, polarity, \
                 source, department, periodicity, core, action_field_id, published, notes, \
                 may_exceed_100, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &p,
            )?;
            n += 1;
        }
    }
    out.catalogue.push(("Indikatoren".into(), n, u));

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

    // Observations: resolve codes, find duplicates, compare with what is stored.
    let indicators = code_map(c, "indicator")?;
    let mut areas = code_map(c, "area")?;
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
    let auto: HashMap<&str, &kimo_model::Area> =
        ds.auto_areas.iter().map(|a| (a.code.as_str(), a)).collect();
    let mut root: Option<i64> = c
        .query_opt(
            "SELECT id FROM area WHERE parent_id IS NULL ORDER BY level, id LIMIT 1",
            &[],
        )?
        .map(|r| r.int(0));

    // An export names its whole-city area in the metadata: create it first so Stadtteile hang below it.
    for a in ds.auto_areas.iter().filter(|a| a.level == 0) {
        if !areas.contains_key(&a.code) {
            let id = insert_id(
                c,
                "INSERT INTO area (code, name, level) VALUES (?, ?, 0)",
                &[a.code.as_str().into(), a.name.as_str().into()],
            )?;
            areas.insert(a.code.clone(), id);
            root.get_or_insert(id);
        }
    }
    let mut seen: HashMap<ObsKey, usize> = HashMap::with_capacity(ds.observations.len());
    let mut existing: HashMap<i64, HashMap<(i64, u32, Period), Existing>> = HashMap::new();
    let mut summary: BTreeMap<String, IndicatorSummary> = BTreeMap::new();
    // Breakdowns are interned: comparing and hashing a number is cheaper than a text key per row.
    let mut bids: HashMap<Breakdown, u32> = HashMap::new();
    let mut bkeys: Vec<String> = Vec::new();
    let mut intern = |b: &Breakdown| -> u32 {
        if let Some(&id) = bids.get(b) {
            return id;
        }
        let id = bkeys.len() as u32;
        bkeys.push(b.key());
        bids.insert(b.clone(), id);
        id
    };
    enum Write {
        New,
        Changed(i64),
    }
    let mut writes: Vec<(usize, ObsKey, Write)> = Vec::new();

    for (idx, o) in ds.observations.iter().enumerate() {
        let Some(&ind) = indicators.get(&o.indicator) else {
            problems.push(at(
                &o.origin,
                src,
                format!("unbekannter Indikator '{}'", o.indicator),
            ));
            continue;
        };
        let area = if o.area.is_empty() {
            match root {
                Some(r) => r,
                None => {
                    let id = insert_id(
                        c,
                        "INSERT INTO area (code, name, level) VALUES (?, ?, 0)",
                        &["gesamt".into(), "Gesamtgebiet".into()],
                    )?;
                    areas.insert("gesamt".into(), id);
                    root = Some(id);
                    id
                }
            }
        } else if let Some(&a) = areas.get(&o.area) {
            a
        } else if let Some(a) = auto.get(o.area.as_str()) {
            let id = insert_id(
                c,
                "INSERT INTO area (code, name, parent_id, level) VALUES (?, ?, ?, ?)",
                &[
                    a.code.as_str().into(),
                    a.name.as_str().into(),
                    root.into(),
                    (root.is_some() as i64).into(),
                ],
            )?;
            areas.insert(a.code.clone(), id);
            id
        } else {
            problems.push(at(
                &o.origin,
                src,
                format!("unbekanntes Gebiet '{}'", o.area),
            ));
            continue;
        };
        let mut bad = false;
        for (d, k) in o.breakdown.iter() {
            match dims.get(d) {
                None => {
                    problems.push(at(&o.origin, src, format!("unbekanntes Merkmal '{d}'")));
                    bad = true;
                }
                Some(cats) if !cats.contains(k) => {
                    problems.push(at(
                        &o.origin,
                        src,
                        format!("unbekannte Ausprägung '{k}' des Merkmals '{d}'"),
                    ));
                    bad = true;
                }
                _ => {}
            }
        }
        if bad {
            continue;
        }
        let key: ObsKey = (ind, area, intern(&o.breakdown), o.period);
        if let Some(&first) = seen.get(&key) {
            let line = ds.observations[first]
                .origin
                .as_ref()
                .map_or(String::new(), |x| {
                    format!(" wie Zeile {} in {}", x.line, x.file)
                });
            problems.push(at(
                &o.origin,
                src,
                format!(
                    "doppelter Schlüssel{line} (Indikator {}, Zeitraum {}, Gebiet {}, Gliederung '{}')",
                    o.indicator,
                    o.period.label(),
                    o.area,
                    o.breakdown.key()
                ),
            ));
            continue;
        }
        seen.insert(key, idx);
        if let std::collections::hash_map::Entry::Vacant(e) = existing.entry(ind) {
            let mut m = HashMap::new();
            for r in c.query(
                "SELECT id, area_id, breakdown, period, value, numerator, denominator, flags \
                 FROM observation WHERE indicator_id = ?",
                &[ind.into()],
            )? {
                let Ok(period) = Period::parse(&r.text(3)) else {
                    continue;
                };
                m.insert(
                    (r.int(1), intern(&Breakdown::from_key(&r.text(2))), period),
                    Existing {
                        id: r.int(0),
                        value: r.opt_real(4),
                        numerator: r.opt_real(5),
                        denominator: r.opt_real(6),
                        flags: r.text(7),
                    },
                );
            }
            e.insert(m);
        }
        if !summary.contains_key(&o.indicator) {
            summary.insert(
                o.indicator.clone(),
                IndicatorSummary {
                    code: o.indicator.clone(),
                    ..Default::default()
                },
            );
        }
        let s = summary.get_mut(&o.indicator).expect("inserted above");
        let old = existing[&ind].get(&(key.1, key.2, key.3));
        match old {
            None => {
                s.new += 1;
                writes.push((idx, key, Write::New));
            }
            Some(e)
                if e.value == o.value
                    && e.numerator == o.numerator
                    && e.denominator == o.denominator
                    && e.flags == o.flags.code() =>
            {
                s.unchanged += 1
            }
            Some(e) => {
                s.changed += 1;
                writes.push((idx, key, Write::Changed(e.id)));
            }
        }
    }
    out.indicators = summary.into_values().collect();
    if !problems.is_empty() {
        return Err(Error::Rejected(problems));
    }
    if opts.dry_run {
        return Ok(out);
    }

    let stamp = now();
    let import_id = record_import(c, opts, writes.len())?;
    let total = writes.len();
    // New rows go in bulk (multi-row INSERT or COPY), BATCH rows at a time.
    const BATCH: usize = 10_000;
    // The same columns a copy writes, without the id the database assigns.
    const COLUMNS: &[&str] = crate::copy::OBSERVATION_COLUMNS.split_at(1).1;
    let mut batch: Vec<Value> = Vec::with_capacity(BATCH * COLUMNS.len());
    for (done, (idx, key, w)) in writes.into_iter().enumerate() {
        let o = &ds.observations[idx];
        let flags = o.flags.code();
        match w {
            Write::New => {
                batch.extend([
                    key.0.into(),
                    key.1.into(),
                    bkeys[key.2 as usize].as_str().into(),
                    key.3.code().into(),
                    o.value.into(),
                    o.numerator.into(),
                    o.denominator.into(),
                    flags.into(),
                    import_id.into(),
                    stamp.as_str().into(),
                ]);
                if batch.len() == BATCH * COLUMNS.len() {
                    c.insert_rows("observation", COLUMNS, &batch)?;
                    batch.clear();
                }
            }
            Write::Changed(id) => {
                let e = &existing[&key.0][&(key.1, key.2, key.3)];
                c.exec(
                    "INSERT INTO observation_history (observation_id, old_value, new_value, \
                     old_numerator, old_denominator, old_flags, new_flags, import_id, changed_by, \
                     changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    &[
                        id.into(),
                        e.value.into(),
                        o.value.into(),
                        e.numerator.into(),
                        e.denominator.into(),
                        e.flags.as_str().into(),
                        flags.as_str().into(),
                        import_id.into(),
                        opts.user.as_str().into(),
                        stamp.as_str().into(),
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
                        stamp.as_str().into(),
                        id.into(),
                    ],
                )?;
            }
        }
        if done % 10_000 == 0 {
            progress(done, total);
        }
    }
    c.insert_rows("observation", COLUMNS, &batch)?;
    progress(total, total);
    out.written = true;
    out.import_id = Some(import_id);
    Ok(out)
}
