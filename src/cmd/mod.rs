//! One module per command.

mod bench;
mod export;
mod import;
mod progress;
mod serve;

use crate::cli::{Cli, Command};
use anyhow::{Context, Result};
use kimo_store::{ApplyOptions, Store};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let db = cli.database.clone();
    let open = || -> Result<Store> {
        let url = db
            .clone()
            .unwrap_or_else(|| crate::DEFAULT_DATABASE.to_string());
        Store::open(&url).with_context(|| format!("Datenbank '{url}'"))
    };
    match cli.command {
        Command::Serve(args) => serve::run(db, args),
        Command::Import(args) => import::run(&open()?, args),
        Command::Export(args) => export::run(&open()?, args),
        Command::Demo => {
            let store = open()?;
            let n = load_demo(&store)?;
            println!(
                "Demo-Stadt Karlsruhe in {} geladen: {n} Werte neu.",
                store.location()
            );
            Ok(())
        }
        Command::Migrate => {
            let store = open()?;
            println!(
                "Schema von {} ist auf Version {}.",
                store.location(),
                kimo_store::SCHEMA_VERSION
            );
            Ok(())
        }
        Command::Bench(args) => bench::run(args),
        Command::Copy(args) => {
            let from = Store::open(&args.from)
                .with_context(|| format!("Quelle '{}'", kimo_store::sql::redact(&args.from)))?;
            let to = Store::open(&args.to)
                .with_context(|| format!("Ziel '{}'", kimo_store::sql::redact(&args.to)))?;
            let mut bar = progress::Progress::new();
            bar.message("kopiere".into());
            let t0 = std::time::Instant::now();
            let n = from.copy_to(&to, args.force, &mut |done, total| bar.set(done, total))?;
            bar.finish();
            println!(
                "{n} Zeilen von {} nach {} kopiert ({:.1} s).",
                from.location(),
                to.location(),
                t0.elapsed().as_secs_f64()
            );
            Ok(())
        }
    }
}

/// Loads the demo city into a store; returns the number of new observations.
pub fn load_demo(store: &Store) -> Result<usize> {
    let ds = kimo_demo::dataset();
    let out = store.apply(
        &ds,
        &ApplyOptions {
            dry_run: false,
            user: "kimo demo".into(),
            source: "Demo-Stadt Karlsruhe".into(),
        },
        &mut |_, _| {},
    )?;
    Ok(out.totals().0)
}
