//! The thin layer between kimo's portable SQL and each database driver.
//!
//! Every query in the store is written once, with `?` placeholders and portable types
//! (BIGINT, TEXT, DOUBLE PRECISION). Backend differences (placeholder style, auto-increment
//! keys in DDL) are translated here and nowhere else.

use crate::{Error, Result};

/// A value bound to or read from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Real(f64),
    /// Text.
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(v as i64)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Value::Null, Value::Real)
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::Null, Value::Int)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Integer column (NULL as 0).
    pub fn int(&self, i: usize) -> i64 {
        match &self.0[i] {
            Value::Int(v) => *v,
            Value::Real(v) => *v as i64,
            Value::Text(s) => s.parse().unwrap_or(0),
            Value::Null => 0,
        }
    }
    /// Optional integer column.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match &self.0[i] {
            Value::Null => None,
            _ => Some(self.int(i)),
        }
    }
    /// Optional floating-point column.
    pub fn opt_real(&self, i: usize) -> Option<f64> {
        match &self.0[i] {
            Value::Int(v) => Some(*v as f64),
            Value::Real(v) => Some(*v),
            Value::Text(s) => s.parse().ok(),
            Value::Null => None,
        }
    }
    /// Text column (NULL as empty).
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    /// Optional text column.
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match &self.0[i] {
            Value::Text(s) => Some(s.clone()),
            Value::Int(v) => Some(v.to_string()),
            Value::Real(v) => Some(v.to_string()),
            Value::Null => None,
        }
    }
    /// Boolean column stored as 0/1.
    pub fn bool(&self, i: usize) -> bool {
        self.int(i) != 0
    }
}

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
}

/// One open database connection.
pub enum Conn {
    /// SQLite via rusqlite.
    Sqlite(rusqlite::Connection),
}

impl Conn {
    /// Opens a connection for a parsed database location.
    pub fn open(backend: Backend, target: &str) -> Result<Conn> {
        match backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(target).map_err(|e| {
                    Error::Database(format!(
                        "SQLite-Datei '{target}' lässt sich nicht öffnen: {e}"
                    ))
                })?;
                // WAL lets readers go on while an import writes; busy_timeout waits for the writer
                // instead of failing; NORMAL sync is safe with WAL and much faster; a 64 MiB page
                // cache keeps the observation index in memory during large imports.
                c.execute_batch(
                    "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; \
                     PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
                     PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                )
                .map_err(sqlite_err)?;
                c.set_prepared_statement_cache_capacity(64);
                Ok(Conn::Sqlite(c))
            }
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Runs one statement, returning the number of changed rows.
    pub fn exec(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err)?;
                st.execute(rusqlite::params_from_iter(params.iter()))
                    .map_err(sqlite_err)
            }
        }
    }

    /// Runs a query and returns all rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err)?;
                let n = st.column_count();
                let mut rows = st
                    .query(rusqlite::params_from_iter(params.iter()))
                    .map_err(sqlite_err)?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(sqlite_err)? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        use rusqlite::types::ValueRef as V;
                        vals.push(match r.get_ref(i).map_err(sqlite_err)? {
                            V::Null => Value::Null,
                            V::Integer(v) => Value::Int(v),
                            V::Real(v) => Value::Real(v),
                            V::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                            V::Blob(b) => Value::Text(String::from_utf8_lossy(b).into_owned()),
                        });
                    }
                    out.push(Row(vals));
                }
                Ok(out)
            }
        }
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs several statements without parameters (DDL, BEGIN, COMMIT).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).map_err(sqlite_err),
        }
    }

    /// Starts a write transaction (SQLite takes the write lock at once, so two writers never deadlock).
    pub fn begin_write(&mut self) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN IMMEDIATE"),
        }
    }

    /// Adapts portable DDL to the backend: `{serial}` is the auto-numbered primary key.
    pub fn ddl(&self, sql: &str) -> String {
        match self.backend() {
            Backend::Sqlite => sql.replace("{serial}", "INTEGER PRIMARY KEY"),
        }
    }
}

impl rusqlite::ToSql for Value {
    /// Binds without copying text.
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(i) => ValueRef::Integer(*i),
            Value::Real(f) => ValueRef::Real(*f),
            Value::Text(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

fn sqlite_err(e: rusqlite::Error) -> Error {
    Error::Database(e.to_string())
}
