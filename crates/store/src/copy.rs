//! Copying a whole installation between two stores (SQLite ↔ PostgreSQL), ids and history included.

use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};

/// The columns of an observation row, its id first.
pub(crate) const OBSERVATION_COLUMNS: &[&str] = &[
    "id",
    "indicator_id",
    "area_id",
    "breakdown",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "import_id",
    "updated_at",
];

/// Every table with its columns, parents before children.
const TABLES: &[(&str, &[&str])] = &[
    (
        "action_field",
        &["id", "code", "name", "description", "sort"],
    ),
    ("dimension", &["id", "code", "name", "sort"]),
    ("category", &["id", "dimension_id", "code", "name", "sort"]),
    (
        "area",
        &["id", "code", "name", "parent_id", "level", "geometry"],
    ),
    (
        "indicator",
        &[
            "id",
            "code",
            "name",
            "definition",
            "numerator",
            "denominator",
            "unit",
            "polarity",
            "source",
            "department",
            "periodicity",
            "core",
            "action_field_id",
            "published",
            "notes",
            "may_exceed_100",
        ],
    ),
    (
        "import_run",
        &["id", "started_at", "username", "source", "observations"],
    ),
    ("observation", OBSERVATION_COLUMNS),
    (
        "observation_history",
        &[
            "id",
            "observation_id",
            "old_value",
            "new_value",
            "old_numerator",
            "old_denominator",
            "old_flags",
            "new_flags",
            "import_id",
            "changed_by",
            "changed_at",
        ],
    ),
    ("setting", &["name", "value"]),
    (
        "warning",
        &[
            "id",
            "ident",
            "kind",
            "rule",
            "indicator_id",
            "area_id",
            "breakdown",
            "severity",
            "sentence",
            "figures",
            "period",
            "active",
            "status",
            "assignee",
            "first_seen",
            "last_seen",
            "resolved_at",
        ],
    ),
    (
        "warning_event",
        &[
            "id",
            "warning_id",
            "at",
            "actor",
            "kind",
            "old_value",
            "new_value",
            "comment",
        ],
    ),
];

/// Rows read and written per round trip.
const CHUNK: usize = 5_000;

fn count(c: &mut Conn, table: &str) -> Result<i64> {
    Ok(c.query_opt(&format!("SELECT COUNT(*) FROM {table}"), &[])?
        .map_or(0, |r| r.int(0)))
}

impl Store {
    /// Number of rows in all tables together.
    pub fn total_rows(&self) -> Result<i64> {
        let mut c = self.conn()?;
        let mut n = 0;
        for (t, _) in TABLES {
            n += count(&mut c, t)?;
        }
        Ok(n)
    }

    /// Copies everything from this store into `target` in one transaction; returns the rows copied.
    /// A target that holds data is refused unless `overwrite`, which empties it first.
    pub fn copy_to(
        &self,
        target: &Store,
        overwrite: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize> {
        let total = self.total_rows()? as usize;
        let mut src = self.conn()?;
        let mut dst = target.conn()?;
        let existing: i64 = TABLES
            .iter()
            .map(|(t, _)| count(&mut dst, t))
            .sum::<Result<i64>>()?;
        if existing > 0 && !overwrite {
            return Err(Error::Conflict(format!(
                "das Ziel {} enthält schon {existing} Zeilen; mit --force wird es überschrieben",
                target.location()
            )));
        }
        dst.write(|dst| copy_in(&mut src, dst, total, progress))
    }
}

fn copy_in(
    src: &mut Conn,
    dst: &mut Conn,
    total: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    for (t, _) in TABLES.iter().rev() {
        dst.exec(&format!("DELETE FROM {t}"), &[])?;
    }
    let mut done = 0;
    for (table, cols) in TABLES {
        let list = cols.join(", ");
        // Areas parents first, settings whole; everything else by id, read in chunks.
        let order = match *table {
            "area" => "level, id",
            "setting" => "name",
            _ => "id",
        };
        let mut last = i64::MIN;
        loop {
            let rows = if *table == "area" || *table == "setting" {
                if last != i64::MIN {
                    break;
                }
                src.query(&format!("SELECT {list} FROM {table} ORDER BY {order}"), &[])?
            } else {
                src.query(
                    &format!("SELECT {list} FROM {table} WHERE id > ? ORDER BY id LIMIT {CHUNK}"),
                    &[Value::Int(last)],
                )?
            };
            if rows.is_empty() {
                break;
            }
            last = rows.last().map_or(last, |r| r.int(0));
            let params: Vec<Value> = rows.iter().flat_map(|r| r.0.iter().cloned()).collect();
            dst.insert_rows(table, cols, &params)?;
            done += rows.len();
            progress(done, total);
        }
        if cols[0] == "id" {
            dst.reset_ids(table)?;
        }
    }
    Ok(done)
}
