//! Writing a dataset: all-or-nothing, with a summary of new, changed and unchanged values; the
//! catalogue phase (the observations are the [`Importer`]'s).

use crate::columns::{self, Table};
use crate::importer::Importer;
use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};
use kimo_model::{Dataset, Problem, quote};
use std::collections::HashMap;

/// How to apply a dataset.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Check and summarise, write nothing.
    pub dry_run: bool,
    /// Who imports (recorded in the provenance and history).
    pub user: String,
    /// What is imported (file names), recorded in the provenance.
    pub source: String,
    /// The client address of an import over the web (for the audit log; empty otherwise).
    pub address: String,
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

impl Store {
    /// Checks and writes a dataset in one transaction. With problems, nothing is written and
    /// `Error::Rejected` lists them; `progress(done, total)` is called while observations are written.
    pub fn apply(
        &self,
        ds: &Dataset,
        opts: &ApplyOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ApplyOutcome> {
        self.import(opts, |imp| {
            imp.catalogue(ds)?;
            let total = ds.observations.len();
            for (i, chunk) in ds.observations.chunks(10_000).enumerate() {
                progress(i * 10_000, total);
                imp.observations(chunk)?;
            }
            progress(total, total);
            Ok(true)
        })
    }

    /// An import in one transaction, fed piece by piece: `feed` hands catalogue items and chunks of
    /// observations to the [`Importer`] and returns whether the files were read without problems.
    /// Everything is checked and written as it comes (duplicates across the whole import, changed
    /// values with their history); at the end the transaction is committed only when the store found
    /// no problem, `feed` returned `true` and it is no dry run. Problems give `Error::Rejected`.
    pub fn import(
        &self,
        opts: &ApplyOptions,
        feed: impl FnOnce(&mut Importer) -> Result<bool>,
    ) -> Result<ApplyOutcome> {
        let mut c = self.conn()?;
        c.write_bulk_if(&["indicator", "area", "category"], |c| {
            std::thread::scope(|scope| {
                let mut imp = Importer::new(c, opts, scope);
                let clean = feed(&mut imp)?;
                imp.finish(clean)
            })
        })
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn id_of(c: &mut Conn, table: &str, code: &str) -> Result<Option<i64>> {
    Ok(c.query_opt(
        &format!("SELECT id FROM {table} WHERE code = ?"),
        &[code.into()],
    )?
    .map(|r| r.int(0)))
}

pub(crate) fn insert_id(c: &mut Conn, sql: &str, params: &[Value]) -> Result<i64> {
    let sql = format!("{sql} RETURNING id");
    c.query_opt(&sql, params)?
        .map(|r| r.int(0))
        .ok_or_else(|| Error::database(sql.as_str(), "keine id zurückgegeben"))
}

/// Records an import (provenance); its id is also the store's data version. In the same
/// transaction the warnings are marked as due for an evaluation ([`Store::evaluation_pending`]).
pub(crate) fn record_import(c: &mut Conn, opts: &ApplyOptions, observations: usize) -> Result<i64> {
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

pub(crate) fn code_map(c: &mut Conn, table: &str) -> Result<HashMap<String, i64>> {
    Ok(c.query(&format!("SELECT code, id FROM {table}"), &[])?
        .into_iter()
        .map(|r| (r.text(0), r.int(1)))
        .collect())
}

// ---- Phase 1: the catalogue.

/// Inserts or updates Handlungsfelder, dimensions, areas and indicators: (kind, new, updated).
pub(crate) fn upsert_catalogue(
    c: &mut Conn,
    ds: &Dataset,
    opts: &ApplyOptions,
    problems: &mut Vec<Problem>,
) -> Result<Vec<(String, usize, usize)>> {
    let src = opts.source.as_str();
    let fields = upsert_action_fields(c, ds)?;
    let dims = upsert_dimensions(c, ds)?;
    let areas = upsert_areas(c, ds, src, problems)?;
    publications(c, ds, opts)?;
    let inds = upsert_indicators(c, ds, src, problems)?;
    write_texts(c, ds)?;
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

/// Replaces the stored texts in other languages of every entry whose table had translation
/// columns; entries read without them keep theirs.
fn write_texts(c: &mut Conn, ds: &Dataset) -> Result<()> {
    let mut entries: Vec<(&str, String, &Option<kimo_model::lang::Translations>)> = Vec::new();
    entries.extend(
        ds.action_fields
            .iter()
            .map(|a| ("action_field", a.code.clone(), &a.translations)),
    );
    for d in &ds.dimensions {
        entries.push(("dimension", d.code.clone(), &d.translations));
        entries.extend(d.categories.iter().map(|k| {
            (
                "category",
                format!("{}/{}", d.code, k.code),
                &k.translations,
            )
        }));
    }
    entries.extend(
        ds.indicators
            .iter()
            .map(|i| ("indicator", i.code.clone(), &i.translations)),
    );
    let insert = columns::CATALOGUE_TEXT.insert_sql();
    for (kind, code, texts) in entries {
        let Some(texts) = texts else { continue };
        c.exec(
            "DELETE FROM catalogue_text WHERE kind = ? AND code = ?",
            &[kind.into(), code.as_str().into()],
        )?;
        for (lang, field, text) in texts.iter().filter(|(.., t)| !t.trim().is_empty()) {
            c.exec(
                &insert,
                &[
                    kind.into(),
                    code.as_str().into(),
                    lang.into(),
                    field.into(),
                    text.into(),
                ],
            )?;
        }
    }
    Ok(())
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
                                "Gebiet '{}': übergeordnetes Gebiet '{}' ist unbekannt",
                                quote(&a.code),
                                quote(p)
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
/// Writes an audit entry (`publication`) for every indicator whose publication the import changes:
/// a stored one published or withdrawn, a new one published.
fn publications(c: &mut Conn, ds: &Dataset, opts: &ApplyOptions) -> Result<()> {
    let word = |p: bool| if p { "veröffentlicht" } else { "intern" };
    let actor = crate::Actor {
        name: opts.user.clone(),
        address: opts.address.clone(),
    };
    for ind in &ds.indicators {
        let stored = c
            .query_opt(
                "SELECT published FROM indicator WHERE code = ?",
                &[ind.code.as_str().into()],
            )?
            .map(|r| r.bool(0));
        let before = match stored {
            Some(p) if p == ind.published => continue,
            Some(p) => word(p),
            None if !ind.published => continue,
            None => "neu",
        };
        let object = format!("indikator:{}", ind.code);
        crate::users::audit(
            c,
            &actor,
            "publication",
            &object,
            before,
            word(ind.published),
        )?;
    }
    Ok(())
}

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
                            "Indikator '{}': Handlungsfeld '{}' ist unbekannt",
                            quote(&ind.code),
                            quote(code)
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
