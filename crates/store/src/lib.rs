//! kimo's store: the one place that knows SQL. One code path for every backend.

mod apply;
mod migrate;
mod read;
pub mod sql;

pub use apply::{ApplyOptions, ApplyOutcome, IndicatorSummary};
pub use migrate::SCHEMA_VERSION;
pub use read::{ObservationFilter, Stats};

use kimo_model::Problem;
use sql::{Backend, Conn};
use std::sync::Mutex;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database refused or failed.
    #[error("store: {0}")]
    Database(String),
    /// The database location is not understood.
    #[error("store: {0}")]
    Url(String),
    /// The data to write has problems; nothing was written.
    #[error("store: {} Problem(e) in den Daten, nichts wurde geschrieben", .0.len())]
    Rejected(Vec<Problem>),
}

/// Result alias of the store.
pub type Result<T> = std::result::Result<T, Error>;

/// A database with a small pool of connections.
pub struct Store {
    backend: Backend,
    target: String,
    pool: Mutex<Vec<Conn>>,
}

/// A connection borrowed from the pool; goes back on drop.
pub struct Pooled<'a> {
    store: &'a Store,
    conn: Option<Conn>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.conn.as_ref().expect("connection present")
    }
}
impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("connection present")
    }
}
impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take()
            && let Ok(mut p) = self.store.pool.lock()
            && p.len() < 16
        {
            p.push(c);
        }
    }
}

impl Store {
    /// Opens (and creates) the database at `url` and applies pending migrations.
    ///
    /// Accepted: `sqlite://PATH`, `sqlite:PATH`, or a plain file path (SQLite).
    pub fn open(url: &str) -> Result<Store> {
        let (backend, target) = parse_url(url)?;
        let store = Store {
            backend,
            target,
            pool: Mutex::new(Vec::new()),
        };
        let mut c = store.conn()?;
        migrate::migrate(&mut c)?;
        drop(c);
        Ok(store)
    }

    /// Which backend the store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database location without credentials, for messages.
    pub fn location(&self) -> String {
        self.target.clone()
    }

    /// Borrows a connection from the pool (opening one if none is free).
    pub fn conn(&self) -> Result<Pooled<'_>> {
        let free = self.pool.lock().ok().and_then(|mut p| p.pop());
        let conn = match free {
            Some(c) => c,
            None => Conn::open(self.backend, &self.target)?,
        };
        Ok(Pooled {
            store: self,
            conn: Some(conn),
        })
    }
}

fn parse_url(url: &str) -> Result<(Backend, String)> {
    let u = url.trim();
    if let Some(rest) = u
        .strip_prefix("sqlite://")
        .or_else(|| u.strip_prefix("sqlite:"))
    {
        if rest.is_empty() {
            return Err(Error::Url("leerer SQLite-Pfad".into()));
        }
        return Ok((Backend::Sqlite, rest.to_string()));
    }
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        return Err(Error::Url(
            "PostgreSQL wird in dieser Version noch nicht unterstützt (geplant: Issue 3)".into(),
        ));
    }
    if u.contains("://") {
        return Err(Error::Url(format!(
            "unbekannte Datenbank-URL '{u}' (erwartet sqlite://PFAD oder einen Dateipfad)"
        )));
    }
    Ok((Backend::Sqlite, u.to_string()))
}

#[cfg(test)]
mod tests;
