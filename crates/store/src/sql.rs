//! The thin layer between kimo's portable SQL and each database driver.
//!
//! Every query in the store is written once, with `?` placeholders and portable types
//! (BIGINT, TEXT, DOUBLE PRECISION). Backend differences (placeholder style, auto-increment
//! keys in DDL) are translated here and nowhere else.

use crate::{Error, Result};
use postgres::types::{IsNull, ToSql, Type, private::BytesMut, to_sql_checked};
use std::collections::HashMap;

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
    /// Text shared by many rows (an import's time stamp, interned codes): a clone copies no bytes.
    Shared(std::sync::Arc<str>),
}

impl From<std::sync::Arc<str>> for Value {
    fn from(v: std::sync::Arc<str>) -> Self {
        Value::Shared(v)
    }
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
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        v.map_or(Value::Null, Value::from)
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
            Value::Shared(s) => s.parse().unwrap_or(0),
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
    /// Optional floating-point column; `NaN` and infinities read as missing (readers refuse them,
    /// this keeps older data from reaching a chart or a page).
    pub fn opt_real(&self, i: usize) -> Option<f64> {
        let v = match &self.0[i] {
            Value::Int(v) => Some(*v as f64),
            Value::Real(v) => Some(*v),
            Value::Text(s) => s.parse().ok(),
            Value::Shared(s) => s.parse().ok(),
            Value::Null => None,
        };
        v.filter(|v: &f64| v.is_finite())
    }
    /// Text column (NULL as empty).
    pub fn text(&self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }
    /// Optional text column.
    pub fn opt_text(&self, i: usize) -> Option<String> {
        match &self.0[i] {
            Value::Text(s) => Some(s.clone()),
            Value::Shared(s) => Some(s.to_string()),
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

/// A row met by [`Conn::scan`], read in place.
pub enum ScanRow<'a> {
    /// An SQLite row.
    Sqlite(&'a rusqlite::Row<'a>),
    /// A PostgreSQL row.
    Postgres(&'a postgres::Row),
}

impl ScanRow<'_> {
    /// Integer column (NULL as 0).
    pub fn int(&self, i: usize) -> i64 {
        match self {
            ScanRow::Sqlite(r) => match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Integer(v)) => v,
                Ok(rusqlite::types::ValueRef::Real(v)) => v as i64,
                _ => 0,
            },
            ScanRow::Postgres(r) => r.try_get::<_, Option<i64>>(i).ok().flatten().unwrap_or(0),
        }
    }
    /// Optional floating-point column; `NaN` and infinities read as missing.
    pub fn opt_real(&self, i: usize) -> Option<f64> {
        let v = match self {
            ScanRow::Sqlite(r) => match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Integer(v)) => Some(v as f64),
                Ok(rusqlite::types::ValueRef::Real(v)) => Some(v),
                _ => None,
            },
            ScanRow::Postgres(r) => r.try_get::<_, Option<f64>>(i).ok().flatten(),
        };
        v.filter(|v| v.is_finite())
    }
    /// Text column as bytes, without the UTF-8 check (NULL as empty): for comparing with codes
    /// read before.
    pub fn bytes(&self, i: usize) -> &[u8] {
        match self {
            ScanRow::Sqlite(r) => match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Text(t)) => t,
                _ => b"",
            },
            ScanRow::Postgres(r) => r
                .try_get::<_, Option<&str>>(i)
                .ok()
                .flatten()
                .map_or(b"", str::as_bytes),
        }
    }
    /// Text column (NULL as empty).
    pub fn text(&self, i: usize) -> &str {
        match self {
            ScanRow::Sqlite(r) => match r.get_ref(i) {
                Ok(rusqlite::types::ValueRef::Text(t)) => std::str::from_utf8(t).unwrap_or(""),
                _ => "",
            },
            ScanRow::Postgres(r) => r.try_get::<_, Option<&str>>(i).ok().flatten().unwrap_or(""),
        }
    }
}

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// One open database connection.
pub enum Conn {
    /// SQLite via rusqlite (statements cached by rusqlite).
    Sqlite(rusqlite::Connection),
    /// PostgreSQL via the synchronous `postgres` client, with its prepared statements by SQL text.
    Postgres(Box<postgres::Client>, HashMap<String, postgres::Statement>),
}

impl Conn {
    /// Opens a connection for a parsed database location; a SQLite connection keeps a page cache
    /// of `cache_kib` KiB.
    pub fn open(backend: Backend, target: &str, cache_kib: i64) -> Result<Conn> {
        match backend {
            Backend::Sqlite => {
                let c = rusqlite::Connection::open(target).map_err(|e| {
                    Error::database(
                        format!("SQLite-Datei '{target}' lässt sich nicht öffnen"),
                        e,
                    )
                })?;
                // WAL lets readers go on while an import writes; busy_timeout waits for the writer
                // instead of failing; NORMAL sync is safe with WAL and much faster. Each pooled
                // connection keeps its page cache (16 MiB unless the store says otherwise; the
                // operating system caches the file as well); a bulk write raises its own to
                // 64 MiB ([`Conn::write_bulk_if`]).
                c.execute_batch(&format!(
                    "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; \
                     PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; \
                     PRAGMA cache_size=-{cache_kib}; PRAGMA temp_store=MEMORY;"
                ))
                .map_err(sqlite_err("PRAGMA"))?;
                c.set_prepared_statement_cache_capacity(64);
                Ok(Conn::Sqlite(c))
            }
            Backend::Postgres => {
                let c = postgres::Client::connect(target, postgres::NoTls).map_err(|e| {
                    Error::database(
                        format!("PostgreSQL-Verbindung zu {} fehlgeschlagen", redact(target)),
                        e,
                    )
                })?;
                Ok(Conn::Postgres(Box::new(c), HashMap::new()))
            }
        }
    }

    /// Whether the connection can be used again (a PostgreSQL connection may have been closed).
    pub fn is_usable(&self) -> bool {
        match self {
            Conn::Sqlite(_) => true,
            Conn::Postgres(c, _) => !c.is_closed(),
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(..) => Backend::Postgres,
        }
    }

    /// Runs one statement, returning the number of changed rows.
    pub fn exec(&mut self, sql: &str, params: &[Value]) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err(sql))?;
                st.execute(rusqlite::params_from_iter(params.iter()))
                    .map_err(sqlite_err(sql))
            }
            Conn::Postgres(c, cache) => {
                let st = pg_statement(c, cache, sql)?;
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
                c.execute(&st, &refs)
                    .map(|n| n as usize)
                    .map_err(pg_err(sql))
            }
        }
    }

    /// Runs a query and returns all rows.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err(sql))?;
                let n = st.column_count();
                let mut rows = st
                    .query(rusqlite::params_from_iter(params.iter()))
                    .map_err(sqlite_err(sql))?;
                let mut out = Vec::new();
                while let Some(r) = rows.next().map_err(sqlite_err(sql))? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        use rusqlite::types::ValueRef as V;
                        vals.push(match r.get_ref(i).map_err(sqlite_err(sql))? {
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
            Conn::Postgres(c, cache) => {
                let st = pg_statement(c, cache, sql)?;
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
                let rows = c.query(&st, &refs).map_err(pg_err(sql))?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// Runs a query and hands every row to `f` without collecting them (large reads).
    pub fn scan(&mut self, sql: &str, params: &[Value], f: &mut dyn FnMut(&ScanRow)) -> Result<()> {
        match self {
            Conn::Sqlite(c) => {
                let mut st = c.prepare_cached(sql).map_err(sqlite_err(sql))?;
                let mut rows = st
                    .query(rusqlite::params_from_iter(params.iter()))
                    .map_err(sqlite_err(sql))?;
                while let Some(r) = rows.next().map_err(sqlite_err(sql))? {
                    f(&ScanRow::Sqlite(r));
                }
                Ok(())
            }
            Conn::Postgres(c, cache) => {
                use postgres::fallible_iterator::FallibleIterator;
                let st = pg_statement(c, cache, sql)?;
                let mut rows = c
                    .query_raw(&st, params.iter().map(|p| p as &dyn ToSql))
                    .map_err(pg_err(sql))?;
                while let Some(r) = rows.next().map_err(pg_err(sql))? {
                    f(&ScanRow::Postgres(&r));
                }
                Ok(())
            }
        }
    }

    /// Runs a query expected to return at most one row.
    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// Runs several statements without parameters (DDL).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).map_err(sqlite_err(sql)),
            Conn::Postgres(c, _) => c.batch_execute(sql).map_err(pg_err(sql)),
        }
    }

    /// Inserts many rows (`values` holds `columns.len()` values per row): multi-row INSERTs on SQLite,
    /// `COPY … FROM STDIN` on PostgreSQL.
    pub fn insert_rows(&mut self, table: &str, columns: &[&str], values: &[Value]) -> Result<()> {
        let width = columns.len();
        if values.is_empty() || width == 0 {
            return Ok(());
        }
        let list = columns.join(", ");
        match self {
            Conn::Sqlite(c) => {
                // One prepared single-row statement, run per row: SQLite's own bulk load (the
                // `sqlite3` tool's `.import`) does the same, and it is faster than long VALUES lists.
                let sql = format!(
                    "INSERT INTO {table} ({list}) VALUES ({})",
                    vec!["?"; width].join(", ")
                );
                let mut st = c.prepare_cached(&sql).map_err(sqlite_err(&sql))?;
                for row in values.chunks(width) {
                    st.execute(rusqlite::params_from_iter(row.iter()))
                        .map_err(sqlite_err(&sql))?;
                }
                Ok(())
            }
            Conn::Postgres(c, _) => {
                use std::io::Write;
                let mut buf = Vec::with_capacity(values.len() * 12);
                for row in values.chunks(width) {
                    for (i, v) in row.iter().enumerate() {
                        if i > 0 {
                            buf.push(b'\t');
                        }
                        copy_text(&mut buf, v);
                    }
                    buf.push(b'\n');
                }
                let mut w = c
                    .copy_in(&format!("COPY {table} ({list}) FROM STDIN"))
                    .map_err(pg_err(table))?;
                w.write_all(&buf)
                    .map_err(|e| Error::database(format!("COPY {table}"), e))?;
                w.finish().map_err(pg_err(table))?;
                Ok(())
            }
        }
    }

    /// Starts a write transaction (SQLite takes the write lock at once, so two writers never deadlock).
    fn begin_write(&mut self) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => self.batch("BEGIN IMMEDIATE"),
            Backend::Postgres => self.batch("BEGIN"),
        }
    }

    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back when it returns
    /// `Err` or panics. The only place that ends a transaction.
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.write_if(|c| f(c).map(|v| (v, true)))
    }

    /// Runs `f` in a write transaction that is always rolled back: a dry run sees its own writes,
    /// nobody else does.
    #[cfg(test)]
    pub fn rehearse<T>(&mut self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.write_if(|c| f(c).map(|v| (v, false)))
    }

    /// Runs `f` in a write transaction that `f` decides at its end: committed when it returns
    /// `Ok((_, true))`, rolled back (a dry run sees its own writes, nobody else does) when it returns
    /// `Ok((_, false))`, `Err` or panics.
    pub fn write_if<T>(&mut self, f: impl FnOnce(&mut Conn) -> Result<(T, bool)>) -> Result<T> {
        self.begin_write()?;
        // The guard rolls back whenever it is dropped while still open: on `Err`, on a panic in `f`,
        // and when COMMIT itself fails.
        let mut tx = OpenTransaction {
            conn: self,
            open: true,
        };
        let (value, commit) = f(tx.conn)?;
        tx.conn.batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
        tx.open = false;
        Ok(value)
    }

    /// Like [`Conn::write_if`], for a bulk write that resolves its references itself, in the same
    /// transaction (an import: codes to ids). SQLite's per-row foreign-key checks cost about a
    /// third of such a write, so on SQLite they are off for this transaction; instead, before
    /// COMMIT, the small tables in `checked` (the catalogue) are checked as a whole, and `f`
    /// checks the references of the large ones it wrote (see the importer's `finish`). PostgreSQL
    /// keeps checking per row.
    pub fn write_bulk_if<T>(
        &mut self,
        checked: &[&str],
        f: impl FnOnce(&mut Conn) -> Result<(T, bool)>,
    ) -> Result<T> {
        if self.backend() == Backend::Postgres {
            return self.write_if(f);
        }
        // Outside a transaction: inside one, SQLite ignores the pragma. The larger page cache
        // keeps the observation index in memory during a large import.
        self.batch("PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536")?;
        let off = BulkSettings { conn: self };
        off.conn.write_if(|c| {
            let (value, commit) = f(c)?;
            if commit {
                for table in checked {
                    let sql = format!("PRAGMA foreign_key_check({table})");
                    if let Some(r) = c.query(&sql, &[])?.first() {
                        let message = format!(
                            "Verweis ins Leere: Tabelle {table}, Zeile {} verweist auf {}",
                            r.int(1),
                            r.text(2)
                        );
                        return Err(Error::database(sql.as_str(), message));
                    }
                }
            }
            Ok((value, commit))
        })
    }

    /// Adapts portable DDL to the backend: `{serial}` is the auto-numbered primary key; on PostgreSQL
    /// text compares byte-wise (`COLLATE "C"`) as in SQLite, so both sort the same.
    pub fn ddl(&self, sql: &str) -> String {
        match self.backend() {
            Backend::Sqlite => sql.replace("{serial}", "INTEGER PRIMARY KEY"),
            Backend::Postgres => sql
                .replace("{serial}", "BIGSERIAL PRIMARY KEY")
                .replace(" TEXT", " TEXT COLLATE \"C\""),
        }
    }

    /// After rows were inserted with explicit ids: lets new ids continue after the largest one.
    pub fn reset_ids(&mut self, table: &str) -> Result<()> {
        match self.backend() {
            Backend::Sqlite => Ok(()),
            Backend::Postgres => self.batch(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            )),
        }
    }
}

/// A transaction that is rolled back unless it was ended.
struct OpenTransaction<'a> {
    conn: &'a mut Conn,
    open: bool,
}

impl Drop for OpenTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.batch("ROLLBACK");
        }
    }
}

/// SQLite's settings for [`Conn::write_bulk_if`] (no foreign-key checks, a larger page cache):
/// back to the usual ones when dropped, also after an error or a panic, so a pooled connection
/// never keeps them.
struct BulkSettings<'a> {
    conn: &'a mut Conn,
}

impl Drop for BulkSettings<'_> {
    fn drop(&mut self) {
        let _ = self
            .conn
            .batch("PRAGMA foreign_keys=ON; PRAGMA cache_size=-16384");
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
            Value::Shared(t) => ValueRef::Text(t.as_bytes()),
        }))
    }
}

/// What the store was doing when `sql` failed: the statement's start, for messages.
fn context(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let mut short = String::new();
    for w in words {
        if short.chars().count() > 60 {
            short.push_str(" …");
            break;
        }
        if !short.is_empty() {
            short.push(' ');
        }
        short.push_str(w);
    }
    format!("Anweisung „{short}“ fehlgeschlagen")
}

/// Maps a driver error of `sql`: a unique clash is a conflict, everything else a database failure.
fn sqlite_err(sql: &str) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            )
        {
            return Error::Conflict(format!("Eintrag gibt es schon: {e}"));
        }
        Error::database(context(sql), e)
    }
}

/// Maps a driver error of `sql`: a unique clash is a conflict, everything else a database failure.
fn pg_err(sql: &str) -> impl Fn(postgres::Error) -> Error + '_ {
    move |e| match e.as_db_error() {
        Some(db) if *db.code() == postgres::error::SqlState::UNIQUE_VIOLATION => {
            Error::Conflict(format!("Eintrag gibt es schon: {}", db.message()))
        }
        _ => Error::database(context(sql), e),
    }
}

/// Hides the password of a database URL for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Rewrites `?` placeholders as `$1`, `$2`, … (outside quoted text).
pub fn numbered_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let (mut n, mut quoted) = (0, false);
    for c in sql.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            c => out.push(c),
        }
    }
    out
}

/// Writes one value in PostgreSQL's COPY text format.
fn copy_text(buf: &mut Vec<u8>, v: &Value) {
    use std::io::Write;
    match v {
        Value::Null => buf.extend_from_slice(b"\\N"),
        Value::Int(i) => {
            let _ = write!(buf, "{i}");
        }
        Value::Real(f) if f.is_finite() => {
            let _ = write!(buf, "{f}");
        }
        Value::Real(f) => buf.extend_from_slice(if f.is_nan() {
            b"NaN".as_slice()
        } else if *f > 0.0 {
            b"Infinity".as_slice()
        } else {
            b"-Infinity".as_slice()
        }),
        Value::Text(t) => copy_escaped(buf, t),
        Value::Shared(t) => copy_escaped(buf, t),
    }
}

/// Text in COPY's text format: backslash, tab and line ends escaped.
fn copy_escaped(buf: &mut Vec<u8>, t: &str) {
    for b in t.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b => buf.push(b),
        }
    }
}

fn pg_statement(
    c: &mut postgres::Client,
    cache: &mut HashMap<String, postgres::Statement>,
    sql: &str,
) -> Result<postgres::Statement> {
    if let Some(st) = cache.get(sql) {
        return Ok(st.clone());
    }
    let st = c
        .prepare(&numbered_placeholders(sql))
        .map_err(pg_err(sql))?;
    if cache.len() > 256 {
        cache.clear();
    }
    cache.insert(sql.to_string(), st.clone());
    Ok(st)
}

fn pg_row(r: &postgres::Row) -> Result<Row> {
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let e = |e: postgres::Error| Error::database(format!("Spalte {} lesen", col.name()), e);
        let v = match *col.type_() {
            Type::INT8 => r.try_get::<_, Option<i64>>(i).map_err(e)?.map(Value::Int),
            Type::INT4 => r
                .try_get::<_, Option<i32>>(i)
                .map_err(e)?
                .map(|v| Value::Int(v.into())),
            Type::INT2 => r
                .try_get::<_, Option<i16>>(i)
                .map_err(e)?
                .map(|v| Value::Int(v.into())),
            Type::BOOL => r
                .try_get::<_, Option<bool>>(i)
                .map_err(e)?
                .map(|v| Value::Int(v.into())),
            Type::FLOAT8 => r.try_get::<_, Option<f64>>(i).map_err(e)?.map(Value::Real),
            Type::FLOAT4 => r
                .try_get::<_, Option<f32>>(i)
                .map_err(e)?
                .map(|v| Value::Real(v.into())),
            _ => r
                .try_get::<_, Option<String>>(i)
                .map_err(e)?
                .map(Value::Text),
        };
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

impl ToSql for Value {
    /// Encodes for the type PostgreSQL inferred for the parameter.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (self, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Int(i), &Type::INT8) => i.to_sql(ty, out),
            (Value::Int(i), &Type::INT4) => i32::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::INT2) => i16::try_from(*i)?.to_sql(ty, out),
            (Value::Int(i), &Type::BOOL) => (*i != 0).to_sql(ty, out),
            (Value::Int(i), &Type::FLOAT8) => (*i as f64).to_sql(ty, out),
            (Value::Int(i), _) => i.to_string().to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT4) => (*f as f32).to_sql(ty, out),
            (Value::Real(f), &Type::FLOAT8) => f.to_sql(ty, out),
            (Value::Real(f), _) => f.to_string().to_sql(ty, out),
            (Value::Text(t), _) => t.as_str().to_sql(ty, out),
            (Value::Shared(t), _) => (&**t).to_sql(ty, out),
        }
    }
    fn accepts(_: &Type) -> bool {
        true
    }
    to_sql_checked!();
}
