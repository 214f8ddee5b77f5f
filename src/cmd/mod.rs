//! One module per command.

mod bench;
mod deliveries;
mod demo_coop;
mod demo_reports;
mod export;
mod import;
mod konzept;
mod oparl;
mod progress;
mod publication;
mod report;
mod serve;
mod site;
mod user;
mod warnings;

use crate::cli::{Cli, Command};
use anyhow::{Context, Result};
use kimo_store::{ApplyOptions, Store};
use kimo_work::evaluate;

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
        Command::Site { dir } => site::run(open()?, &dir),
        Command::Evaluate { as_of } => {
            let store = open()?;
            let date = evaluate::as_of(as_of.as_deref())?;
            let t0 = std::time::Instant::now();
            let o = evaluate::run(&store, date, &user(None))?;
            println!(
                "{} ({:.2} s)",
                evaluate::summary(&o, date),
                t0.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Warnungen(args) => {
            let store = open()?;
            evaluate::run_pending(&store)?;
            warnings::list(&store, args)
        }
        Command::Warnung(args) => {
            let store = open()?;
            evaluate::run_pending(&store)?;
            warnings::show(&store, args)
        }
        Command::User(cmd) => user::run(&open()?, cmd),
        Command::Konzept(cmd) => konzept::run(&open()?, cmd),
        Command::Bericht(cmd) => report::run(open()?, cmd),
        Command::Oparl(cmd) => oparl::run(&open()?, cmd),
        Command::Einstellung(cmd) => report::setting(&open()?, cmd),
        Command::Lieferungen(args) => deliveries::list(&open()?, args),
        Command::Erinnern(args) => deliveries::remind(&open()?, args),
        Command::Copy(args) => copy(args),
    }
}

/// `kimo copy`: every table from one database into another, with a progress bar.
fn copy(args: crate::cli::CopyArgs) -> Result<()> {
    let from = Store::open(&args.from)
        .with_context(|| format!("Quelle '{}'", kimo_store::redact(&args.from)))?;
    let to = Store::open(&args.to)
        .with_context(|| format!("Ziel '{}'", kimo_store::redact(&args.to)))?;
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

/// Who runs a command: `--user`, else $USER.
pub fn user(arg: Option<&str>) -> String {
    arg.map(str::to_string)
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unbekannt".into())
}

/// Loads the demo city into a store (with its rules) and evaluates; returns the number of new observations.
pub fn load_demo(store: &Store) -> Result<usize> {
    let ds = kimo_demo::dataset();
    if store.rules_text()?.is_empty() {
        let demo = kimo_store::Actor {
            name: "kimo demo".into(),
            address: String::new(),
        };
        store.set_rules_text(kimo_demo::RULES, &demo, "examples/regeln.yml")?;
    }
    let out = store.apply(
        &ds,
        &ApplyOptions {
            dry_run: false,
            user: "kimo demo".into(),
            source: "Demo-Stadt Karlsruhe".into(),
            address: String::new(),
        },
        &mut |_, _| {},
    )?;
    if store.konzept_versions()?.is_empty() {
        load_demo_konzept(store)?;
    }
    if store.milestones()?.is_empty() {
        let plan: Vec<kimo_model::fahrplan::Milestone> =
            serde_norway::from_str(kimo_demo::FAHRPLAN).context("examples/fahrplan.yml")?;
        let demo = kimo_store::Actor {
            name: "kimo demo".into(),
            address: String::new(),
        };
        store.replace_milestones(&plan, &demo)?;
    }
    let first = store.meetings()?.is_empty();
    if first {
        demo_coop::load(store, kimo_demo::COOPERATION)?;
    }
    let date = evaluate::as_of(None)?;
    let o = evaluate::run(store, date, "Auswertung")?;
    eprintln!("{}", evaluate::summary(&o, date));
    if first {
        demo_coop::reminders(store, kimo_demo::COOPERATION)?;
    }
    if store.reports()?.is_empty() {
        demo_reports::load(store, kimo_demo::BERICHTE)?;
    }
    Ok(out.totals().0)
}

/// The demo's Integrationskonzept: the earlier plans, the decided version, and a Fortschreibung
/// in Beratung (a changed Ausgangslage and goal, a new Leitprojekt, comments) to compare with it.
fn load_demo_konzept(store: &Store) -> Result<()> {
    use kimo_model::konzept::{ProjectStatus, StatusChange, VersionState};
    let bfi = kimo_store::Actor {
        name: "kimo demo".into(),
        address: String::new(),
    };
    let doc = kimo_work::konzept::read("examples/konzept.yml", kimo_demo::KONZEPT)?;
    let decided = kimo_work::konzept::import(store, &doc, &bfi)?;
    let draft = store.konzept_copy(decided, "1. Fortschreibung 2029 (Demo, Entwurf)", &bfi)?;
    let mut k = store.konzept_version(draft)?.content;
    if let Some(f) = k.fields.iter_mut().find(|f| f.code == "arbeit") {
        f.situation = "*Demotext.* Die Arbeitslosenquote der Nichtdeutschen liegt bei \
            [[ARB-03 nichtdeutsch]], die aller Karlsruherinnen und Karlsruher bei [[ARB-03]]. \
            Der Abstand ist seit 2021 deutlich kleiner geworden; Langzeitarbeitslosigkeit bleibt \
            die größte Hürde."
            .into();
        if let Some(m) = f.goals.iter_mut().find_map(|g| g.measure.as_mut()) {
            m.target = 6.5;
        }
        if let Some(p) = f.projects.first_mut() {
            p.status = ProjectStatus::Abgeschlossen;
            p.end = Some("2028".into());
            p.history.push(StatusChange {
                on: "2028-06-30".into(),
                status: ProjectStatus::Abgeschlossen,
                by: "kimo demo".into(),
            });
        }
    }
    k.guidelines
        .push("Gute Ideen aus den Stadtteilen werden verstetigt.".into());
    store.save_konzept(draft, &k, &bfi)?;
    store.set_konzept_state(draft, VersionState::InBeratung, None, &bfi)?;
    let comment = |who: &str, section: &str, text: &str| {
        let a = kimo_store::Actor {
            name: who.into(),
            address: String::new(),
        };
        store.add_konzept_comment(draft, section, text, &a)
    };
    let c1 = comment(
        "aki.mitglied",
        "feld:arbeit:ausgangslage",
        "Bitte auch die Lage geflüchteter Frauen nennen.",
    )?;
    comment(
        "jobcenter",
        "feld:arbeit:ziele",
        "Das Ziel 6,5 % halten wir für erreichbar.",
    )?;
    comment(
        "aki.mitglied",
        "leitlinien",
        "Leitlinie 6 ist sehr allgemein.",
    )?;
    store.answer_konzept_comment(
        c1,
        Some("Wird im Monitoringbericht 2027 als Schwerpunkt aufgegriffen."),
        false,
        &bfi,
    )?;
    Ok(())
}
