//! The observations of an import, chunk by chunk inside one transaction: references resolved,
//! duplicates found across the whole import, values compared with the stored ones and written as
//! they come, by a thread of their own while the next batch is checked. Memory stays bounded: per
//! observation a 16-byte record of its key is kept, in memory up to a bound and in temporary
//! files beyond it ([`crate::keys`]).

use crate::apply::{ApplyOptions, ApplyOutcome, IndicatorSummary, code_map, insert_id, now};
use crate::columns;
use crate::keys::KeyRecord;
use crate::sql::{Conn, Value};
use crate::{Error, Result};
use kimo_model::plausible::Limits;
use kimo_model::{Area, Breakdown, Dataset, Observation, Origin, Period, Problem, Unit, quote};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::thread::{Scope, ScopedJoinHandle};

/// The hasher of the importer's look-up tables: fast, and keys come from the import's own files.
type FastHash = foldhash::fast::RandomState;

/// indicator id, area id, interned breakdown, period.
type ObsKey = (i64, i64, u32, Period);

/// New observations go to the database in bulk, this many rows at a time.
const BATCH: usize = 10_000;

/// An import in progress (see [`crate::Store::import`]): takes catalogue items and observations,
/// checks and writes them in the import's transaction, and collects the problems.
pub struct Importer<'c, 's> {
    link: Link<'c, 's>,
    opts: &'c ApplyOptions,
    problems: Vec<Problem>,
    out: ApplyOutcome,
    /// Whether the import brings anything at all (then it is recorded, even without changes).
    brought: bool,
    auto_areas: Vec<Area>,
    res: Option<Resolver>,
    breakdowns: Interner,
    /// Every key met so far: its 64-bit hash → line, file and 16 more bits of another hash.
    seen: KeyRecord,
    /// The files of the observations' origins; an index into it is kept in `seen`.
    files: Vec<String>,
    /// Per indicator id met: its summary, and whether it had stored observations when the import
    /// first met it.
    summary: HashMap<i64, (IndicatorSummary, bool), FastHash>,
    batch: Vec<Value>,
    import_id: Option<i64>,
    writes: usize,
    /// Observations of the chunk (index, key) that may be stored already, compared in bulk.
    waiting: Vec<(usize, ObsKey)>,
    stamp: String,
    /// The same, shared by the rows written.
    stamp_value: Value,
    /// The periods met so far and their codes.
    periods: HashMap<Period, Value, foldhash::fast::RandomState>,
}

impl<'c, 's> Importer<'c, 's> {
    pub(crate) fn new(
        c: &'c mut Conn,
        opts: &'c ApplyOptions,
        scope: &'s Scope<'s, 'c>,
    ) -> Importer<'c, 's> {
        let stamp = now();
        Importer {
            link: Link {
                conn: Some(c),
                writing: None,
                scope,
                spare: Vec::new(),
            },
            opts,
            problems: Vec::new(),
            out: ApplyOutcome::default(),
            brought: false,
            auto_areas: Vec::new(),
            res: None,
            breakdowns: Interner::default(),
            seen: KeyRecord::new(),
            files: vec![String::new()],
            summary: HashMap::default(),
            batch: Vec::new(),
            import_id: None,
            writes: 0,
            waiting: Vec::new(),
            stamp_value: Value::Shared(stamp.as_str().into()),
            stamp,
            periods: HashMap::default(),
        }
    }

    /// Inserts or updates the catalogue items of `ds` (its observations are not looked at); areas an
    /// export names (`auto_areas`) become known for the observations.
    pub fn catalogue(&mut self, ds: &Dataset) -> Result<()> {
        let counts =
            crate::apply::upsert_catalogue(self.link.get()?, ds, self.opts, &mut self.problems)?;
        for (kind, n, u) in counts {
            match self.out.catalogue.iter_mut().find(|c| c.0 == kind) {
                Some(c) => (c.1, c.2) = (c.1 + n, c.2 + u),
                None => self.out.catalogue.push((kind, n, u)),
            }
        }
        self.brought |= !ds.action_fields.is_empty()
            || !ds.indicators.is_empty()
            || !ds.areas.is_empty()
            || !ds.dimensions.is_empty();
        self.auto_areas.extend(ds.auto_areas.iter().cloned());
        // What the resolver knows may have changed.
        self.res = None;
        Ok(())
    }

    /// Checks and writes observations (a chunk of a file, or all of it).
    pub fn observations(&mut self, observations: &[Observation]) -> Result<()> {
        if observations.is_empty() {
            return Ok(());
        }
        self.brought = true;
        if self.res.is_none() {
            self.res = Some(Resolver::load(self.link.get()?, &self.auto_areas)?);
        }
        for (i, o) in observations.iter().enumerate() {
            self.observation(observations, i, o)?;
        }
        self.compare_waiting(observations)
    }

    /// Makes room for about `rows` more observations at once (e.g. estimated from a file's size), so
    /// that the record of keys does not have to grow step by step.
    pub fn expect_rows(&mut self, rows: usize) {
        self.seen.reserve(rows);
    }

    fn problem(&mut self, o: &Observation, message: String) {
        self.problems
            .push(at(&o.origin, &self.opts.source, message));
    }

    /// One observation (the `i`-th of the chunk): resolved and checked; written when its indicator
    /// has no stored observations, otherwise left for [`Importer::compare_waiting`].
    fn observation(&mut self, chunk: &[Observation], i: usize, o: &Observation) -> Result<()> {
        let Some(key) = self.resolve(o)? else {
            return Ok(());
        };
        if self.repeated(chunk, o, &key)? {
            return Ok(());
        }
        let ind = key.0;
        if !self.summary.contains_key(&ind) {
            let had = self
                .link
                .get()?
                .query_opt(
                    "SELECT 1 FROM observation WHERE indicator_id = ? LIMIT 1",
                    &[ind.into()],
                )?
                .is_some();
            let s = IndicatorSummary {
                code: o.indicator.clone(),
                ..Default::default()
            };
            self.summary.insert(ind, (s, had));
        }
        // An indicator without stored observations needs no look-up: everything is new.
        if self.summary[&ind].1 {
            self.waiting.push((i, key));
            return Ok(());
        }
        self.summary.get_mut(&ind).expect("inserted above").0.new += 1;
        self.writes += 1;
        self.insert(&key, o)
    }

    /// Compares the chunk's observations that may be stored already with the stored rows, read
    /// with one query per thousand keys, and writes what is new or changed.
    fn compare_waiting(&mut self, chunk: &[Observation]) -> Result<()> {
        if self.waiting.is_empty() {
            return Ok(());
        }
        let waiting = std::mem::take(&mut self.waiting);
        let mut stored = HashMap::with_capacity_and_hasher(waiting.len(), FastHash::default());
        for part in waiting.chunks(1000) {
            let keys: Vec<&ObsKey> = part.iter().map(|(_, k)| k).collect();
            stored_rows(self.link.get()?, &keys, &self.breakdowns, &mut stored)?;
        }
        for (i, key) in waiting {
            let o = &chunk[i];
            let (s, _) = self.summary.get_mut(&key.0).expect("met before");
            match stored.get(&key) {
                None => {
                    s.new += 1;
                    self.writes += 1;
                    self.insert(&key, o)?;
                }
                Some(e) if e.same_as(o) => s.unchanged += 1,
                Some(e) => {
                    s.changed += 1;
                    self.writes += 1;
                    let import_id = self.import_id()?;
                    update_observation(
                        self.link.get()?,
                        e,
                        o,
                        import_id,
                        &self.opts.user,
                        &self.stamp,
                    )?;
                }
            }
        }
        Ok(())
    }

    /// The observation's key, or `None` (with its problems noted) when a reference or number is wrong.
    fn resolve(&mut self, o: &Observation) -> Result<Option<ObsKey>> {
        let res = self.res.as_mut().expect("resolver loaded");
        let Some(&ind) = res.indicators.get(&o.indicator) else {
            self.problem(
                o,
                format!("unbekannter Indikator '{}'", quote(&o.indicator)),
            );
            return Ok(None);
        };
        let Some(area) = res.area(&mut self.link, &o.area)? else {
            self.problem(o, format!("unbekanntes Gebiet '{}'", quote(&o.area)));
            return Ok(None);
        };
        // A breakdown is checked when first met: its interned id keeps the outcome.
        let breakdown = match self.breakdowns.id(&o.breakdown) {
            (id, true) => {
                let bad = res.breakdown_problems(&o.breakdown);
                self.breakdowns.problems.push(bad);
                id
            }
            (id, false) => id,
        };
        let bad = &self.breakdowns.problems[breakdown as usize];
        if !bad.is_empty() {
            for m in bad {
                self.problems
                    .push(at(&o.origin, &self.opts.source, m.clone()));
            }
            return Ok(None);
        }
        if let Some((number, m)) = number_problem(res.limits.get(&ind), o) {
            let origin = o.origin.as_ref().map(|origin| origin.at_number(number));
            self.problems.push(at(&origin, &self.opts.source, m));
            return Ok(None);
        }
        Ok(Some((ind, area, breakdown, o.period.clone())))
    }

    /// Whether the key was met before in this import: an exact repetition is noted and taken once,
    /// a different value is a problem naming both lines. The earlier row is read back from the
    /// database (it was written, or it is stored unchanged), which also rules out a hash collision.
    fn repeated(&mut self, chunk: &[Observation], o: &Observation, key: &ObsKey) -> Result<bool> {
        let hash = foldhash::quality::FixedState::with_seed(1).hash_one(key);
        let check = foldhash::quality::FixedState::with_seed(2).hash_one(key) >> 48;
        let (file, line) = self.origin_of(o);
        let line32 = u32::try_from(line).unwrap_or(u32::MAX) as u64;
        let record = line32 | (file as u64) << 32 | check << 48;
        let Some(earlier) = self.seen.get_or_insert(hash, record)? else {
            return Ok(false);
        };
        if earlier >> 48 != check {
            return Ok(false);
        }
        // The earlier row may still wait for its comparison, or be queued for writing.
        self.compare_waiting(chunk)?;
        self.flush()?;
        let Some(first) = stored_row(self.link.get()?, key, &self.breakdowns)? else {
            return Ok(false);
        };
        let first_file = ((earlier >> 32) & 0xffff) as usize;
        let first_line = (earlier & 0xffff_ffff) as usize;
        let this = format!("Zeile {line}");
        let earlier = if first_file != file && first_file > 0 && file > 0 {
            format!("Zeile {first_line} in {}", self.files[first_file])
        } else {
            format!("Zeile {first_line}")
        };
        if first.same_as(o) {
            let notice = at(
                &o.origin,
                &self.opts.source,
                format!("{this} wiederholt {earlier}; einmal übernommen"),
            );
            self.out.notices.push(notice);
            return Ok(true);
        }
        let value = |v: Option<f64>| v.map_or_else(|| "kein Wert".to_string(), |v| v.to_string());
        let message = format!(
            "doppelter Schlüssel: {this} widerspricht {earlier} ({} statt {}; Indikator {}, Zeitraum {}, Gebiet {}, Gliederung '{}')",
            value(o.value),
            value(first.value),
            o.indicator,
            quote(&o.period.label()),
            match o.area.as_str() {
                "" => "Gesamtgebiet".to_string(),
                a => quote(a),
            },
            quote(&o.breakdown.key())
        );
        self.problem(o, message);
        Ok(true)
    }

    /// The index of the observation's file in `files` (0: no origin) and its line.
    fn origin_of(&mut self, o: &Observation) -> (usize, usize) {
        let Some(origin) = &o.origin else {
            return (0, 0);
        };
        let file = match self.files.iter().rposition(|f| *f == origin.file) {
            Some(i) => i,
            None if self.files.len() < 0xffff => {
                self.files.push(origin.file.clone());
                self.files.len() - 1
            }
            None => 0,
        };
        (file, origin.line)
    }

    /// The id of this import's provenance record, written on first use.
    fn import_id(&mut self) -> Result<i64> {
        if let Some(id) = self.import_id {
            return Ok(id);
        }
        let id = crate::apply::record_import(self.link.get()?, self.opts, 0)?;
        self.import_id = Some(id);
        Ok(id)
    }

    /// Queues a new observation; a full batch is written.
    fn insert(&mut self, key: &ObsKey, o: &Observation) -> Result<()> {
        let import_id = self.import_id()?;
        let period = match self.periods.get(&key.3) {
            Some(code) => code.clone(),
            None => {
                let code = Value::Shared(key.3.code().into());
                self.periods.insert(key.3.clone(), code.clone());
                code
            }
        };
        // In the order of `columns::OBSERVATION`.
        self.batch.extend([
            key.0.into(),
            key.1.into(),
            self.breakdowns.value(key.2),
            period,
            o.value.into(),
            o.numerator.into(),
            o.denominator.into(),
            o.flags.code().into(),
            import_id.into(),
            self.stamp_value.clone(),
        ]);
        if self.batch.len() >= BATCH * columns::OBSERVATION.data_columns().len() {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the queued new observations to the writing thread.
    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let spare = self.link.write(std::mem::take(&mut self.batch))?;
        self.batch = spare;
        Ok(())
    }

    /// Ends the import: problems reject it; otherwise it is recorded and the transaction is to be
    /// committed when `clean` and not a dry run (the returned flag).
    pub(crate) fn finish(mut self, clean: bool) -> Result<(ApplyOutcome, bool)> {
        self.flush()?;
        self.link.get()?;
        if !self.problems.is_empty() {
            return Err(Error::Rejected(self.problems));
        }
        let mut out = std::mem::take(&mut self.out);
        out.indicators = std::mem::take(&mut self.summary)
            .into_values()
            .map(|(s, _)| s)
            .collect();
        out.indicators.sort_by(|a, b| a.code.cmp(&b.code));
        let commit = clean && !self.opts.dry_run;
        if commit {
            self.check_references()?;
        }
        if commit && self.brought {
            let id = self.import_id()?;
            self.link.get()?.exec(
                "UPDATE import_run SET observations = ? WHERE id = ?",
                &[(self.writes as i64).into(), id.into()],
            )?;
            let actor = crate::Actor {
                name: self.opts.user.clone(),
                address: self.opts.address.clone(),
            };
            let (new, changed, unchanged) = out.totals();
            let what = format!(
                "Import {id}: {new} neu, {changed} geändert, {unchanged} unverändert ({})",
                out.indicators
                    .iter()
                    .map(|s| s.code.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            crate::users::audit(
                self.link.get()?,
                &actor,
                "import",
                &self.opts.source,
                "",
                &what,
            )?;
            out.import_id = Some(id);
            out.written = true;
        }
        Ok((out, commit))
    }
}

impl Importer<'_, '_> {
    /// Checks the references the observations were written with, once for the whole import instead
    /// of per row (see [`Conn::write_bulk_if`]): every indicator and area id the resolver handed
    /// out is stored. The ids of the history come from stored observations.
    fn check_references(&mut self) -> Result<()> {
        let Some(res) = &self.res else {
            return Ok(());
        };
        for (table, ids) in [("indicator", &res.indicators), ("area", &res.areas)] {
            let sql = format!("SELECT id FROM {table}");
            let stored: HashSet<i64> = self
                .link
                .get()?
                .query(&sql, &[])?
                .iter()
                .map(|r| r.int(0))
                .collect();
            if let Some((code, id)) = ids.iter().find(|(_, id)| !stored.contains(id)) {
                let message = format!("Verweis ins Leere: '{code}' (id {id}) fehlt in {table}");
                return Err(Error::database(sql.as_str(), message));
            }
        }
        Ok(())
    }
}

/// The import's connection, lent to a thread of its own while it writes a batch of new
/// observations: the next batch is checked meanwhile. At most one batch is being written; anything
/// else that uses the connection waits for it first ([`Link::get`]), so the import reads its own
/// writes in order.
struct Link<'c, 's> {
    /// The connection, when no batch is being written.
    conn: Option<&'c mut Conn>,
    /// The batch being written: gives the connection back with the emptied batch and the result.
    writing: Option<ScopedJoinHandle<'s, Written<'c>>>,
    scope: &'s Scope<'s, 'c>,
    /// An emptied batch, reused for the next one.
    spare: Vec<Value>,
}

/// What the writing thread gives back.
type Written<'c> = (&'c mut Conn, Vec<Value>, Result<()>);

impl<'c, 's> Link<'c, 's> {
    /// The connection, after the batch being written (if any) is written; its error is returned.
    fn get(&mut self) -> Result<&mut Conn> {
        if let Some(writing) = self.writing.take() {
            let (conn, mut rows, result) = writing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            self.conn = Some(conn);
            rows.clear();
            self.spare = rows;
            result?;
        }
        Ok(self.conn.as_deref_mut().expect("no batch is being written"))
    }

    /// Starts writing `rows` (in the order of `columns::OBSERVATION`) and returns an empty batch
    /// to fill next.
    fn write(&mut self, rows: Vec<Value>) -> Result<Vec<Value>> {
        self.get()?;
        let conn = self.conn.take().expect("got above");
        self.writing = Some(self.scope.spawn(move || {
            let cols = columns::OBSERVATION.data_columns();
            let result = conn.insert_rows(columns::OBSERVATION.name, cols, &rows);
            (conn, rows, result)
        }));
        Ok(std::mem::take(&mut self.spare))
    }
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

/// Breakdowns are interned: comparing and hashing a number is cheaper than a text key per row.
#[derive(Default)]
struct Interner {
    ids: HashMap<Breakdown, u32, foldhash::fast::RandomState>,
    /// The keys ([`Breakdown::key`]), shared by the rows written.
    keys: Vec<std::sync::Arc<str>>,
    /// What is wrong with its dimensions and categories (nothing, mostly).
    problems: Vec<Vec<String>>,
}

impl Interner {
    /// The key of breakdown `id`, to be bound to a query.
    fn value(&self, id: u32) -> Value {
        Value::Shared(self.keys[id as usize].clone())
    }

    /// The breakdown's id, and whether it is met for the first time (then the caller pushes its
    /// problems to `problems`).
    fn id(&mut self, b: &Breakdown) -> (u32, bool) {
        if let Some(&id) = self.ids.get(b) {
            return (id, false);
        }
        let id = self.keys.len() as u32;
        self.keys.push(b.key().into());
        self.ids.insert(b.clone(), id);
        (id, true)
    }
}

/// Codes resolved to ids; areas an export names (`auto_areas`) are created on first use.
struct Resolver {
    indicators: HashMap<String, i64, foldhash::fast::RandomState>,
    /// Per indicator id: its unit and whether a share may exceed 100 %.
    limits: HashMap<i64, (Unit, bool), foldhash::fast::RandomState>,
    areas: HashMap<String, i64, foldhash::fast::RandomState>,
    dims: HashMap<String, HashSet<String, FastHash>, FastHash>,
    auto: HashMap<String, Area>,
    root: Option<i64>,
}

impl Resolver {
    fn load(c: &mut Conn, auto_areas: &[Area]) -> Result<Resolver> {
        let mut dims: HashMap<String, HashSet<String, FastHash>, FastHash> = HashMap::default();
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
            indicators: code_map(c, "indicator")?.into_iter().collect(),
            limits,
            areas: code_map(c, "area")?.into_iter().collect(),
            dims,
            auto: auto_areas
                .iter()
                .map(|a| (a.code.clone(), a.clone()))
                .collect(),
            root,
        };
        // An export names its whole-city area in the metadata: create it first so Stadtteile hang
        // below it.
        for a in auto_areas.iter().filter(|a| a.level == 0) {
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
    fn area(&mut self, link: &mut Link, code: &str) -> Result<Option<i64>> {
        if code.is_empty() {
            return Ok(Some(match self.root {
                Some(r) => r,
                None => {
                    let id = self.create_area(link.get()?, "gesamt", "Gesamtgebiet", None, 0)?;
                    self.root = Some(id);
                    id
                }
            }));
        }
        if let Some(&a) = self.areas.get(code) {
            return Ok(Some(a));
        }
        let Some((code, name)) = self
            .auto
            .get(code)
            .map(|a| (a.code.clone(), a.name.clone()))
        else {
            return Ok(None);
        };
        let (root, level) = (self.root, self.root.is_some() as i64);
        Ok(Some(self.create_area(
            link.get()?,
            &code,
            &name,
            root,
            level,
        )?))
    }

    /// Problems with the breakdown's dimensions and categories.
    fn breakdown_problems(&self, b: &Breakdown) -> Vec<String> {
        b.iter()
            .filter_map(|(d, k)| match self.dims.get(d) {
                None => Some(format!("unbekanntes Merkmal '{}'", quote(d))),
                Some(cats) if !cats.contains(k) => Some(format!(
                    "unbekannte Ausprägung '{}' des Merkmals '{}'",
                    quote(k),
                    quote(d)
                )),
                _ => None,
            })
            .collect()
    }
}

/// The numbers of `o` against its indicator's limits (see [`kimo_model::plausible`]), with the
/// number concerned (0 value, 1 numerator, 2 denominator).
fn number_problem(limits: Option<&(Unit, bool)>, o: &Observation) -> Option<(usize, String)> {
    let limits = limits.map_or(Limits::UNKNOWN, |(unit, may_exceed_100)| Limits {
        unit,
        may_exceed_100: *may_exceed_100,
    });
    kimo_model::plausible::number_problem_at(limits, o)
}

/// A stored observation's figures.
struct Existing {
    id: i64,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
    flags: String,
}

impl Existing {
    fn same_as(&self, o: &Observation) -> bool {
        self.value == o.value
            && self.numerator == o.numerator
            && self.denominator == o.denominator
            && self.flags == o.flags.code()
    }
}

/// The stored observation with this key (as this transaction sees it).
fn stored_row(c: &mut Conn, key: &ObsKey, breakdowns: &Interner) -> Result<Option<Existing>> {
    let mut found = HashMap::default();
    stored_rows(c, &[key], breakdowns, &mut found)?;
    Ok(found.remove(key))
}

/// The stored observations with these keys (as this transaction sees it), added to `found`: one
/// query, the keys joined as a VALUES list with the table's unique key.
fn stored_rows(
    c: &mut Conn,
    keys: &[&ObsKey],
    breakdowns: &Interner,
    found: &mut HashMap<ObsKey, Existing, FastHash>,
) -> Result<()> {
    let mut params = Vec::with_capacity(keys.len() * 4);
    let mut by_text = HashMap::with_capacity_and_hasher(keys.len(), FastHash::default());
    for &key in keys {
        let period = key.3.code();
        params.extend([
            key.0.into(),
            key.1.into(),
            breakdowns.value(key.2),
            period.as_str().into(),
        ]);
        by_text.insert(
            (key.0, key.1, &*breakdowns.keys[key.2 as usize], period),
            key,
        );
    }
    // The first row's casts type the columns on PostgreSQL.
    let rows = (0..keys.len())
        .map(|i| match i {
            0 => "(CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?)",
            _ => "(?, ?, ?, ?)",
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT o.id, o.value, o.numerator, o.denominator, o.flags, o.indicator_id, o.area_id, \
         o.breakdown, o.period FROM (VALUES {rows}) AS k JOIN observation o \
         ON o.indicator_id = k.column1 AND o.area_id = k.column2 AND o.breakdown = k.column3 \
         AND o.period = k.column4"
    );
    for r in c.query(&sql, &params)? {
        let text = (r.int(5), r.int(6), r.text(7), r.text(8));
        let Some(&key) = by_text.get(&(text.0, text.1, text.2.as_str(), text.3)) else {
            continue;
        };
        let e = Existing {
            id: r.int(0),
            value: r.opt_real(1),
            numerator: r.opt_real(2),
            denominator: r.opt_real(3),
            flags: r.text(4),
        };
        found.insert(key.clone(), e);
    }
    Ok(())
}

/// Keeps the old figures in the history, then writes the new ones.
fn update_observation(
    c: &mut Conn,
    old: &Existing,
    o: &Observation,
    import_id: i64,
    user: &str,
    stamp: &str,
) -> Result<()> {
    let flags = o.flags.code();
    // In the order of `columns::OBSERVATION_HISTORY`.
    c.exec(
        &columns::OBSERVATION_HISTORY.insert_sql(),
        &[
            old.id.into(),
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
            old.id.into(),
        ],
    )?;
    Ok(())
}
