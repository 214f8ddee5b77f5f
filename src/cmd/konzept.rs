//! `kimo konzept`: the Integrationskonzept's versions at the command line.

use crate::cli::KonzeptCommand;
use anyhow::{Result, bail};
use kimo_store::{Actor, Store};

/// Runs a `kimo konzept` command.
pub fn run(store: &Store, cmd: KonzeptCommand) -> Result<()> {
    match cmd {
        KonzeptCommand::List => {
            for v in store.konzept_versions()? {
                println!(
                    "{:>4}  {:<14}  {:<10}  {}",
                    v.id,
                    v.state.label(),
                    v.decided_on.as_deref().unwrap_or("–"),
                    v.title
                );
            }
            Ok(())
        }
        KonzeptCommand::Import { file } => {
            let name = file.display().to_string();
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("{name}: nicht lesbar: {e}"))?;
            let doc = kimo_work::konzept::read(&name, &text)?;
            let id = kimo_work::konzept::import(store, &doc, &Actor::command_line())?;
            let v = store.konzept_version(id)?;
            println!(
                "Konzeptfassung {id} „{}“ übernommen ({}).",
                v.title,
                v.state.label()
            );
            Ok(())
        }
        KonzeptCommand::Export {
            version,
            format,
            target,
        } => {
            let id = match version {
                Some(id) => id,
                None => match store.konzept_in_force()? {
                    Some(v) => v.id,
                    None => {
                        bail!("Es ist noch keine Fassung beschlossen; bitte --version NR angeben.")
                    }
                },
            };
            let text = match format.as_str() {
                "yaml" | "yml" => kimo_work::konzept::export(store, id)?,
                "markdown" | "md" => kimo_work::konzept::markdown(store, id)?,
                other => bail!("Format '{other}' gibt es nicht (yaml, markdown)."),
            };
            match target.as_str() {
                "-" => print!("{text}"),
                path => std::fs::write(path, text)?,
            }
            Ok(())
        }
    }
}
