//! One module per command.

mod bench;
mod export;
mod import;
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
