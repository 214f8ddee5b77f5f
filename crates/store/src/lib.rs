//! kimo's store: the one place that knows SQL. One code path for every backend.

mod apply;
mod columns;
mod copy;
mod council;
mod deliveries;
mod fahrplan;
mod importer;
mod keys;
mod konzept;
mod mail;
mod meetings;
mod migrate;
mod publication;
mod read;
mod reports;
mod settings;
mod sql;
mod submissions;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod users;
mod warnings;

pub use apply::{ApplyOptions, ApplyOutcome, IndicatorSummary};
pub use council::CouncilImport;
pub use deliveries::{DeliveryFilter, PlanSync};
pub use importer::Importer;
pub use konzept::{Comment, Decision, NewVersion};
pub use mail::SentMail;
pub use meetings::NewMeeting;
pub use migrate::SCHEMA_VERSION;
pub use read::{ObservationFilter, ObservationRow, Profile, Stats};
pub use reports::{Released, ReportFile};
pub use settings::{City, LOGO_MAX, Legal, LegalChange, Logo, OpenData, OpenDataChange};
pub use sql::{Backend, redact};
pub use submissions::NewSubmission;
pub use users::{Actor, ApiToken, AuditFilter, NewUser, Session};
pub use warnings::{
    AllSeries, NewFinding, SeriesPoint, SyncSummary, Warning, WarningEvent, WarningFilter,
};

use kimo_model::Problem;
use sql::Conn;
use std::sync::{Condvar, Mutex};

/// Errors of the store layer: callers tell what went wrong by the variant, users read the message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A named thing (a warning, an indicator, …) does not exist.
    #[error("store: {0}")]
    NotFound(String),
    /// The input is not understood: an unknown status, a bad database location, ….
    #[error("store: {0}")]
    Invalid(String),
    /// The request clashes with what is stored: a non-empty copy target, a key that exists already.
    #[error("store: {0}")]
    Conflict(String),
    /// The data to write has problems; nothing was written.
    #[error("store: {} Problem(e) in den Daten, nichts wurde geschrieben", .0.len())]
    Rejected(Vec<Problem>),
    /// The database refused or failed; `context` says what the store was doing.
    #[error("store: {context}")]
    Database {
        /// What the store was doing, in German.
        context: String,
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// A database failure while doing `context`.
    pub(crate) fn database(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        Error::Database {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// Result alias of the store.
pub type Result<T> = std::result::Result<T, Error>;

/// The most connections a store opens at once: enough for the web server's blocking threads under
/// load, well below PostgreSQL's default `max_connections` of 100.
const POOL_SIZE: usize = 32;

struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

/// A database with a pool of connections.
pub struct Store {
    backend: Backend,
    target: String,
    pool: Mutex<Pool>,
    freed: Condvar,
    /// The page cache of each SQLite connection opened from now on, in KiB.
    cache_kib: std::sync::atomic::AtomicI64,
}

/// A connection borrowed from the pool; goes back on drop.
pub(crate) struct Pooled<'a> {
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
        if let Some(c) = self.conn.take() {
            let mut p = self.store.pool.lock().unwrap_or_else(|e| e.into_inner());
            if c.is_usable() {
                p.idle.push(c);
            } else {
                p.open -= 1;
            }
            self.store.freed.notify_one();
        }
    }
}

impl Store {
    /// Opens (and creates) the database at `url` and applies pending migrations.
    ///
    /// Accepted: `sqlite://PATH`, `sqlite:PATH`, a plain file path (SQLite), or
    /// `postgres://USER:PASSWORD@HOST[:PORT]/DATABASE` (PostgreSQL).
    pub fn open(url: &str) -> Result<Store> {
        let (backend, target) = parse_url(url)?;
        let store = Store {
            backend,
            target,
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
            cache_kib: std::sync::atomic::AtomicI64::new(16384),
        };
        let mut c = store.conn()?;
        migrate::migrate(&mut c)?;
        drop(c);
        Ok(store)
    }

    /// Gives each SQLite connection a page cache of `kib` KiB (16 MiB by default): the connections
    /// open now and those opened later. A batch job that reads each row once (the static site)
    /// needs little.
    pub fn set_page_cache(&self, kib: i64) -> Result<()> {
        self.cache_kib
            .store(kib, std::sync::atomic::Ordering::Relaxed);
        if self.backend == Backend::Sqlite {
            let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
            for c in &mut p.idle {
                c.batch(&format!("PRAGMA cache_size=-{kib}"))?;
            }
        }
        Ok(())
    }

    /// Another store on the same database, with a pool of its own (for a part that owns its
    /// store, such as the web's state made for a command).
    pub fn reopen(&self) -> Result<Store> {
        match self.backend {
            Backend::Sqlite => Store::open(&format!("sqlite:{}", self.target)),
            Backend::Postgres => Store::open(&self.target),
        }
    }

    /// Which backend the store uses.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database location without the password, for messages.
    pub fn location(&self) -> String {
        sql::redact(&self.target)
    }

    /// Runs `f` on a pooled connection in one write transaction (see [`Conn::write`]).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.conn()?.write(f)
    }

    /// Borrows a connection from the pool: an idle one, a new one, or the next one given back.
    pub(crate) fn conn(&self) -> Result<Pooled<'_>> {
        let mut p = self.pool.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = p.idle.pop() {
                return Ok(Pooled {
                    store: self,
                    conn: Some(c),
                });
            }
            if p.open < POOL_SIZE {
                p.open += 1;
                drop(p);
                let cache = self.cache_kib.load(std::sync::atomic::Ordering::Relaxed);
                return match Conn::open(self.backend, &self.target, cache) {
                    Ok(c) => Ok(Pooled {
                        store: self,
                        conn: Some(c),
                    }),
                    Err(e) => {
                        self.pool.lock().unwrap_or_else(|e| e.into_inner()).open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            p = self.freed.wait(p).unwrap_or_else(|e| e.into_inner());
        }
    }
}

fn parse_url(url: &str) -> Result<(Backend, String)> {
    let u = url.trim();
    if let Some(rest) = u
        .strip_prefix("sqlite://")
        .or_else(|| u.strip_prefix("sqlite:"))
    {
        if rest.is_empty() {
            return Err(Error::Invalid("leerer SQLite-Pfad".into()));
        }
        return Ok((Backend::Sqlite, rest.to_string()));
    }
    if u.starts_with("postgres://") || u.starts_with("postgresql://") {
        return Ok((Backend::Postgres, u.to_string()));
    }
    if u.contains("://") {
        return Err(Error::Invalid(format!(
            "unbekannte Datenbank-URL '{u}' (erwartet sqlite://PFAD oder einen Dateipfad)"
        )));
    }
    Ok((Backend::Sqlite, u.to_string()))
}

#[cfg(test)]
mod tests;
