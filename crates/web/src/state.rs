//! The state shared by all handlers: the store and what is kept until the data version changes.

use crate::AppError;
use crate::respond::{Format, Page};
use kimo_store::Store;
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Shared state of all handlers.
pub struct AppState {
    /// The store.
    pub store: Store,
    /// Whether this is the demo city (shows the "Demodaten" notice).
    pub demo: bool,
    /// Whether finished pages and API answers are kept until the next import.
    pub page_cache: bool,
    /// The directory (LDAP / Active Directory) people log in with, when one is configured.
    pub directory: std::sync::OnceLock<kimo_auth::ldap::LdapConfig>,
    /// The soft limit of words per Konzept text (`kimo serve --konzept-wortgrenze`).
    pub konzept_word_limit: std::sync::atomic::AtomicUsize,
    /// Password checks that may run at once (each Argon2 hash takes 19 MiB and ~30 ms of a core):
    /// half the cores, at least one, so that a flood of logins leaves the pages their share.
    pub password_checks: tokio::sync::Semaphore,
    /// One login attempt per account at a time: parallel guesses for one account wait in line,
    /// each behind the throttle's wait of the one before.
    login_lines: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    cache: Mutex<Cache>,
}

/// What pages reuse until the data version changes (any import, from this process or another).
#[derive(Default)]
struct Cache {
    version: i64,
    /// When the version was last read from the store.
    checked: Option<Instant>,
    items: HashMap<String, Arc<dyn Any + Send + Sync>>,
}

/// How long a read data version is trusted: a cached answer costs no database round trip within
/// this time, and an import shows on the pages at most this much later.
const VERSION_TTL: Duration = Duration::from_millis(250);

/// The most items kept; past that the cache starts afresh.
const CACHE_ITEMS: usize = 4096;

impl AppState {
    /// Builds the state.
    pub fn new(store: Store, demo: bool, page_cache: bool) -> Arc<AppState> {
        Arc::new(AppState {
            store,
            demo,
            page_cache,
            directory: std::sync::OnceLock::new(),
            konzept_word_limit: std::sync::atomic::AtomicUsize::new(
                crate::pages::konzept_edit::DEFAULT_WORD_LIMIT,
            ),
            password_checks: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
            ),
            login_lines: Mutex::new(HashMap::new()),
            cache: Mutex::new(Cache::default()),
        })
    }

    /// The soft limit of words per Konzept text.
    pub fn word_limit(&self) -> usize {
        self.konzept_word_limit
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The line of login attempts for one account (see `login_lines`); lines nobody waits in are
    /// dropped as new ones are made.
    pub fn login_line(&self, account: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut lines = self.login_lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.retain(|_, l| Arc::strong_count(l) > 1);
        lines.entry(account.to_string()).or_default().clone()
    }

    /// The data version if it was read within the last 250 ms (no database round trip).
    pub fn fresh_version(&self) -> Option<i64> {
        let c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.checked
            .is_some_and(|t| t.elapsed() < VERSION_TTL)
            .then_some(c.version)
    }

    /// Forgets when the data version was read, so that the next answer reads it again: called
    /// after a change made by this process, which must show at once.
    pub fn changed(&self) {
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.checked = None;
    }

    /// The data version (the ETag of every data answer), read from the store at most every 250 ms.
    pub fn version(&self) -> Result<i64, AppError> {
        if let Some(v) = self.fresh_version() {
            return Ok(v);
        }
        let version = self.store.data_version()?;
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        c.checked = Some(Instant::now());
        if c.version != version {
            c.items.clear();
            c.version = version;
        }
        Ok(version)
    }

    /// A value computed once per data version: `load` runs when the key is missing or an import
    /// has happened since.
    pub fn cached<T: Send + Sync + 'static>(
        &self,
        key: &str,
        load: impl FnOnce() -> Result<T, AppError>,
    ) -> Result<Arc<T>, AppError> {
        let version = self.version()?;
        {
            let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if c.items.len() > CACHE_ITEMS {
                c.items.clear();
            }
            if let Some(v) = c
                .items
                .get(key)
                .and_then(|v| v.clone().downcast::<T>().ok())
            {
                return Ok(v);
            }
        }
        let v = Arc::new(load()?);
        let mut c = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if c.version == version {
            c.items.insert(key.to_string(), v.clone());
        }
        Ok(v)
    }

    /// All areas with geometry.
    pub fn areas(&self) -> Result<Arc<Vec<kimo_model::Area>>, AppError> {
        self.cached("areas", || Ok(self.store.areas(true)?))
    }

    /// All dimensions with categories.
    pub fn dimensions(&self) -> Result<Arc<Vec<kimo_model::Dimension>>, AppError> {
        self.cached("dimensions", || Ok(self.store.dimensions()?))
    }

    /// All Handlungsfelder.
    pub fn action_fields(&self) -> Result<Arc<Vec<kimo_model::ActionField>>, AppError> {
        self.cached("action_fields", || Ok(self.store.action_fields()?))
    }

    /// The whole catalogue of indicators.
    pub fn indicators(&self) -> Result<Arc<Vec<kimo_model::Indicator>>, AppError> {
        self.cached("indicators", || Ok(self.store.indicators()?))
    }

    /// The state as `audience` sees it.
    pub fn scope(&self, audience: Audience) -> Scope<'_> {
        Scope { st: self, audience }
    }

    /// The early-warning rules in force: the stored rules file over the defaults, and the goals of
    /// the Integrationskonzept in force.
    pub fn rules(&self) -> Result<Arc<kimo_monitor::rules::RuleSet>, AppError> {
        self.cached("rules", || {
            kimo_work::evaluate::rules_in_force(&self.store)
                .map_err(|e| AppError::Internal(format!("{e:#}")))
        })
    }

    /// An answer from the cache, or made by `make` and kept until the next import.
    pub fn page(
        &self,
        key: &str,
        format: Format,
        make: impl FnOnce() -> Result<Page, AppError>,
    ) -> Result<Page, AppError> {
        if !self.page_cache {
            return make();
        }
        let key = format!("page:{}:{key}", format.suffix());
        Ok(self.cached(&key, make)?.as_ref().clone())
    }
}

/// Who an answer is made for. The public sees only published indicators and never a warning;
/// everyone logged in (any role) reads the internal pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Not logged in.
    Public,
    /// Logged in.
    Internal,
}

impl Audience {
    /// The prefix of cache keys and ETags.
    pub fn key(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Internal => "internal",
        }
    }
}

/// The state as one audience sees it: the catalogue without what it may not see, and cached
/// answers kept apart per audience. Everything else is the [`AppState`]'s.
pub struct Scope<'a> {
    st: &'a AppState,
    /// Who the answer is for.
    pub audience: Audience,
}

impl std::ops::Deref for Scope<'_> {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        self.st
    }
}

impl Scope<'_> {
    /// Whether internal figures and warnings may be shown.
    pub fn internal(&self) -> bool {
        self.audience == Audience::Internal
    }

    /// The indicators this audience may see (the public: the published ones), their texts in the
    /// page's language.
    pub fn indicators(&self) -> Result<Arc<Vec<kimo_model::Indicator>>, AppError> {
        let all = self.st.indicators()?;
        let visible = match self.internal() {
            true => all,
            false => self.st.cached("indicators:public", || {
                Ok(all.iter().filter(|i| i.published).cloned().collect())
            })?,
        };
        self.in_language("indicators", visible, |i, lang| {
            use kimo_model::lang::translate;
            let t = i.translations.clone();
            translate(&mut i.name, &t, lang, "name");
            translate(&mut i.definition, &t, lang, "definition");
            translate(&mut i.numerator, &t, lang, "numerator");
            translate(&mut i.denominator, &t, lang, "denominator");
            translate(&mut i.source, &t, lang, "source");
            translate(&mut i.notes, &t, lang, "notes");
        })
    }

    /// The Handlungsfelder, their names and descriptions in the page's language.
    pub fn action_fields(&self) -> Result<Arc<Vec<kimo_model::ActionField>>, AppError> {
        self.in_language("action_fields", self.st.action_fields()?, |f, lang| {
            let t = f.translations.clone();
            kimo_model::lang::translate(&mut f.name, &t, lang, "name");
            kimo_model::lang::translate(&mut f.description, &t, lang, "description");
        })
    }

    /// The dimensions and their categories, named in the page's language.
    pub fn dimensions(&self) -> Result<Arc<Vec<kimo_model::Dimension>>, AppError> {
        self.in_language("dimensions", self.st.dimensions()?, |d, lang| {
            kimo_model::lang::translate(&mut d.name, &d.translations.clone(), lang, "name");
            for c in &mut d.categories {
                kimo_model::lang::translate(&mut c.name, &c.translations.clone(), lang, "name");
            }
        })
    }

    /// Catalogue entries as the page's language shows them: German as stored, or each entry
    /// changed by `translate` (kept per audience and language until the next import).
    fn in_language<T: Clone + Send + Sync + 'static>(
        &self,
        key: &str,
        german: Arc<Vec<T>>,
        translate: impl Fn(&mut T, kimo_model::lang::Lang),
    ) -> Result<Arc<Vec<T>>, AppError> {
        let lang = crate::lang::chosen().lang;
        if lang == kimo_model::lang::Lang::De {
            return Ok(german);
        }
        let key = format!("{key}:{}:{}", self.audience.key(), lang.code());
        self.st.cached(&key, || {
            Ok(german
                .iter()
                .map(|x| {
                    let mut x = x.clone();
                    translate(&mut x, lang);
                    x
                })
                .collect())
        })
    }

    /// One indicator this audience may see, or the same 404 as for one that does not exist.
    pub fn indicator(&self, code: &str) -> Result<kimo_model::Indicator, AppError> {
        self.indicators()?
            .iter()
            .find(|i| i.code == code)
            .cloned()
            .ok_or_else(|| AppError::NotFound(format!("Den Indikator '{code}' gibt es nicht.")))
    }

    /// Fails unless the audience may see internal pages (warnings, the Lagebild).
    pub fn require_internal(&self) -> Result<(), AppError> {
        match self.internal() {
            true => Ok(()),
            false => Err(AppError::Forbidden(
                "Diese Seite ist intern: bitte anmelden (/anmelden).".into(),
            )),
        }
    }

    /// An answer from the cache (kept apart per audience), or made by `make`.
    pub fn page(
        &self,
        key: &str,
        format: Format,
        make: impl FnOnce() -> Result<Page, AppError>,
    ) -> Result<Page, AppError> {
        let chosen = crate::lang::chosen();
        let (prefix, site) = (chosen.prefix, if chosen.site { ":site" } else { "" });
        self.st.page(
            &format!("{}{prefix}{site}:{key}", self.audience.key()),
            format,
            make,
        )
    }
}
