//! Copying a whole installation between two stores (SQLite ↔ PostgreSQL), ids and history included.

use crate::columns::{self, Table};
use crate::sql::{Conn, Value};
use crate::{Error, Result, Store};

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
        for t in columns::ALL {
            n += count(&mut c, t.name)?;
        }
        Ok(n)
    }

    /// The number of rows of every table a copy carries, by name.
    pub fn row_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut c = self.conn()?;
        columns::ALL
            .iter()
            .map(|t| Ok((t.name, count(&mut c, t.name)?)))
            .collect()
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
        let existing: i64 = columns::ALL
            .iter()
            .map(|t| count(&mut dst, t.name))
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
    // The target's sessions end: their accounts are replaced.
    dst.exec("DELETE FROM user_session", &[])?;
    for t in columns::ALL.iter().rev() {
        dst.exec(&format!("DELETE FROM {}", t.name), &[])?;
    }
    let mut done = 0;
    for table in columns::ALL {
        done = copy_table(src, dst, table, done, total, progress)?;
        if table.has_id() {
            dst.reset_ids(table.name)?;
        }
    }
    Ok(done)
}

/// Copies one table; returns the rows copied so far, `done` included.
fn copy_table(
    src: &mut Conn,
    dst: &mut Conn,
    table: &Table,
    mut done: usize,
    total: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<usize> {
    let (name, cols) = (table.name, table.columns);
    let list = cols.join(", ");
    // Areas parents first and tables without an id whole (by their key); everything else by id,
    // read in chunks.
    let whole = match name {
        "area" => Some("level, id"),
        _ if !table.has_id() => Some(cols[0]),
        _ => None,
    };
    let mut last = i64::MIN;
    loop {
        let rows = match whole {
            Some(_) if last != i64::MIN => break,
            Some(order) => {
                src.query(&format!("SELECT {list} FROM {name} ORDER BY {order}"), &[])?
            }
            None => src.query(
                &format!("SELECT {list} FROM {name} WHERE id > ? ORDER BY id LIMIT {CHUNK}"),
                &[Value::Int(last)],
            )?,
        };
        if rows.is_empty() {
            break;
        }
        last = rows.last().map_or(last, |r| r.int(0));
        let params: Vec<Value> = rows.iter().flat_map(|r| r.0.iter().cloned()).collect();
        dst.insert_rows(name, cols, &params)?;
        done += rows.len();
        progress(done, total);
    }
    Ok(done)
}
