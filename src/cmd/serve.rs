//! `kimo serve`.

use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use kimo_store::Store;

/// Removes the temporary demo database when the server stops.
struct TempDb(std::path::PathBuf);

impl Drop for TempDb {
    fn drop(&mut self) {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", self.0.display()));
        }
    }
}

/// Opens the database (a temporary one for `--demo` without `--database`) and serves until SIGINT
/// or SIGTERM; in-flight requests finish, and the temporary demo database is removed.
pub fn run(database: Option<String>, args: ServeArgs) -> Result<()> {
    let mut _temp = None;
    let url = match (&database, args.demo) {
        (Some(u), _) => u.clone(),
        (None, true) => {
            let p = std::env::temp_dir().join(format!("kimo-demo-{}.db", std::process::id()));
            _temp = Some(TempDb(p.clone()));
            drop(TempDb(p.clone()));
            p.display().to_string()
        }
        (None, false) => crate::DEFAULT_DATABASE.to_string(),
    };
    let store = Store::open(&url).with_context(|| format!("Datenbank '{url}'"))?;
    kimo_work::evaluate::run_pending(&store)?;
    if !args.demo {
        super::user::first_admin(&store)?;
    }
    if args.demo {
        let n = super::load_demo(&store)?;
        eprintln!("Demo-Stadt Karlsruhe geladen ({n} Werte neu).");
    }
    let planned = kimo_work::deliveries::sync(&store, chrono::Local::now().date_naive())
        .context("Lieferplan")?;
    if planned.added > 0 {
        eprintln!("Lieferplan: {} Lieferungen neu geplant.", planned.added);
    }
    let mail = super::deliveries::mailer(&args.mail)?.map(std::sync::Arc::new);
    if let Some(m) = &mail {
        remind(&store, m);
    }
    let state = kimo_web::AppState::new(store, args.demo, !args.no_cache);
    state.konzept_word_limit.store(
        args.konzept_wortgrenze,
        std::sync::atomic::Ordering::Relaxed,
    );
    if let Some(cfg) = directory(args.ldap_config.as_deref())? {
        eprintln!("Anmeldung auch über das Verzeichnis {}.", cfg.url);
        let _ = state.directory.set(cfg);
    }
    // Keep one reference outside the runtime: the store's PostgreSQL connections must be closed
    // on a plain thread after the runtime has stopped, not inside it.
    let keep = state.clone();
    catch_up(
        state.clone(),
        std::time::Duration::from_secs(args.catch_up_after),
        mail,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let options = kimo_web::ServeOptions {
        header_read_timeout: std::time::Duration::from_secs(args.header_timeout),
        shutdown_grace: std::time::Duration::from_secs(args.shutdown_grace),
    };
    let result = rt.block_on(async move {
        let addr = format!("{}:{}", args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| format!("Adresse {addr} nicht verfügbar"))?;
        eprintln!(
            "kimo läuft auf http://{} (Datenbank: {}); Ende mit Strg+C oder SIGTERM.",
            listener.local_addr()?,
            kimo_store::redact(&url)
        );
        kimo_web::serve(listener, state, options).await?;
        Ok(())
    });
    drop(rt);
    drop(keep);
    result
}

/// The directory configuration: the file given, else the environment, else none. A broken one
/// stops the start with its message (file, line, column).
fn directory(file: Option<&std::path::Path>) -> Result<Option<kimo_auth::ldap::LdapConfig>> {
    let cfg = match file {
        Some(f) => Some(kimo_auth::ldap::LdapConfig::from_toml_file(f)?),
        None => kimo_auth::ldap::LdapConfig::from_env()?,
    };
    Ok(cfg)
}

/// The mailer and the reminders' schedule.
type Mail = (kimo_notify::Mailer, kimo_notify::schedule::Settings);

/// Sends the reminders due today; a failure is logged (the next hour tries again).
fn remind(store: &kimo_store::Store, mail: &Mail) {
    let today = chrono::Local::now().date_naive();
    match kimo_notify::run(store, &mail.0, today, &mail.1) {
        Ok(s) if s.before + s.overdue + s.digests > 0 => {
            eprintln!("{}", super::deliveries::summary(&s))
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("Erinnerungen nicht versandt: {e:#}"),
    }
}

/// Keeps the delivery plan's window moving and sends the due reminders (hourly), and watches for an evaluation left pending by
/// another process (an import killed between its commit and its evaluation) and runs it once the
/// same pending import has been seen for `after`; the importing process itself normally evaluates
/// within that time, so both rarely do the work.
fn catch_up(
    state: std::sync::Arc<kimo_web::AppState>,
    after: std::time::Duration,
    mail: Option<std::sync::Arc<Mail>>,
) {
    let poll = (after / 2).max(std::time::Duration::from_millis(200));
    std::thread::spawn(move || {
        let mut seen: Option<(String, std::time::Instant)> = None;
        let mut planned = std::time::Instant::now();
        loop {
            std::thread::sleep(poll);
            // The plan's window moves with the days: once an hour.
            if planned.elapsed() >= std::time::Duration::from_secs(3600) {
                planned = std::time::Instant::now();
                let today = chrono::Local::now().date_naive();
                match kimo_work::deliveries::sync(&state.store, today) {
                    Ok(s) if s != kimo_store::PlanSync::default() => state.changed(),
                    Ok(_) => {}
                    Err(e) => tracing::warn!("Lieferplan nicht aktualisiert: {e:#}"),
                }
                if let Some(m) = &mail {
                    remind(&state.store, m);
                }
            }
            let pending = match state.store.evaluation_pending() {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!("ausstehende Auswertung nicht lesbar: {e}");
                    continue;
                }
            };
            seen = match (pending, seen.take()) {
                (None, _) => None,
                (Some(p), Some((q, since))) if p == q && since.elapsed() >= after => {
                    if let Err(e) = kimo_work::evaluate::run_pending(&state.store) {
                        tracing::warn!("ausstehende Auswertung fehlgeschlagen: {e:#}");
                    }
                    None
                }
                (Some(p), Some((q, since))) if p == q => Some((q, since)),
                (Some(p), _) => Some((p, std::time::Instant::now())),
            };
        }
    });
}
