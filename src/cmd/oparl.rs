//! `kimo oparl`: council papers and meetings from OParl, and their links to kimo's documents.

use crate::cli::OparlCommand;
use anyhow::{Result, anyhow, bail};
use kimo_import::oparl;
use kimo_model::council::CouncilPaper;
use kimo_store::{Actor, Store};

/// The most list pages read from an endpoint.
const MAX_PAGES: usize = 1000;

/// The largest answer read.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Runs an `oparl` subcommand.
pub fn run(store: &Store, cmd: OparlCommand) -> Result<()> {
    let who = |user: Option<String>| Actor {
        name: super::user(user.as_deref()),
        address: String::new(),
    };
    match cmd {
        OparlCommand::Import { source, user } => import(store, &source, &who(user)),
        OparlCommand::Liste => {
            let papers = store.council_papers()?;
            if papers.is_empty() {
                println!("Noch keine Drucksachen oder Sitzungen (kimo oparl import).");
            }
            for p in papers {
                println!("{}  {}", p.title(), p.oparl_id);
            }
            Ok(())
        }
        OparlCommand::Verknuepfen {
            paper,
            konzept,
            bericht,
            warnung,
            loesen,
            user,
        } => {
            let object = match (konzept, bericht, warnung) {
                (Some(k), _, _) => {
                    store.konzept_version(k)?;
                    format!("konzept:{k}")
                }
                (_, Some(b), _) => {
                    store.report(b)?;
                    format!("bericht:{b}")
                }
                (_, _, Some(w)) => {
                    store
                        .warning(w)?
                        .ok_or_else(|| anyhow!("einen Warnhinweis Nr. {w} gibt es nicht"))?;
                    format!("warnung:{w}")
                }
                _ => bail!("bitte --konzept, --bericht oder --warnung angeben"),
            };
            let p = store.link_council_paper(&paper, &object, loesen, &who(user))?;
            let verb = if loesen {
                "gelöst von"
            } else {
                "verknüpft mit"
            };
            println!("{} {verb} {object}", p.title());
            Ok(())
        }
    }
}

/// Reads every page of the source (a file, or an address whose list is followed), then writes
/// all of it in one transaction — or nothing, with every problem.
fn import(store: &Store, source: &str, who: &Actor) -> Result<()> {
    let mut papers: Vec<CouncilPaper> = Vec::new();
    let mut skipped = 0;
    let mut next = Some(source.to_string());
    let mut pages = 0;
    let mut seen = std::collections::HashSet::new();
    while let Some(at) = next.take() {
        pages += 1;
        if pages > MAX_PAGES {
            bail!("{source}: mehr als {MAX_PAGES} Seiten; abgebrochen, nichts wurde geschrieben");
        }
        if !seen.insert(at.clone()) {
            bail!(
                "{at}: diese Seite kam schon einmal (links.next im Kreis); nichts wurde geschrieben"
            );
        }
        let bytes = fetch(&at)?;
        match oparl::read(&at, &bytes) {
            Ok(page) => {
                papers.extend(page.papers);
                skipped += page.skipped;
                // A list's next page only for an address, and only another address: a file
                // names no further files, and a list never a local file.
                next = match page.next {
                    Some(n) if is_address(source) && is_address(&n) => Some(n),
                    Some(n) if is_address(source) => {
                        bail!(
                            "{at}: links.next „{n}“ ist keine http(s)-Adresse; nichts wurde geschrieben"
                        )
                    }
                    _ => None,
                };
            }
            Err(problems) => {
                for p in &problems {
                    eprintln!("{p}");
                }
                bail!("{} Problem(e); nichts wurde geschrieben", problems.len());
            }
        }
    }
    let (new, changed, same) = store.import_council_papers(&papers, source, who)?;
    println!(
        "{} Drucksachen und Sitzungen gelesen ({pages} Seite(n)): {new} neu, {changed} geändert, \
         {same} unverändert; {skipped} andere oder gelöschte Objekte übergangen.",
        papers.len()
    );
    Ok(())
}

/// Whether a source is an address rather than a file.
fn is_address(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// The bytes of a file or of an address's answer.
fn fetch(source: &str) -> Result<Vec<u8>> {
    if !is_address(source) {
        return std::fs::read(source).map_err(|e| anyhow!("{source}: nicht lesbar: {e}"));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(60)))
        .build()
        .into();
    let mut answer = agent
        .get(source)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| anyhow!("{source}: {e}"))?;
    answer
        .body_mut()
        .with_config()
        .limit(MAX_BYTES)
        .read_to_vec()
        .map_err(|e| anyhow!("{source}: {e}"))
}
