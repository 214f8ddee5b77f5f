//! `kimo import`: read, check, summarise, write (all or nothing, or per file with --keep-going).

use super::progress::Progress;
use crate::cli::ImportArgs;
use anyhow::{Result, bail};
use kimo_import::{Context, Format};
use kimo_model::{Dataset, Problem};
use kimo_monitor::rules::RuleSet;
use kimo_store::{ApplyOptions, ApplyOutcome, Error, Store};

fn print_problems(problems: &[Problem]) {
    const MAX: usize = 200;
    for p in problems.iter().take(MAX) {
        eprintln!("  {p}");
    }
    if problems.len() > MAX {
        eprintln!("  … und {} weitere Probleme", problems.len() - MAX);
    }
}

fn print_summary(out: &ApplyOutcome, dry_run: bool, started: std::time::Instant) {
    for (kind, new, updated) in out.catalogue.iter().filter(|c| c.1 + c.2 > 0) {
        println!("{kind}: {new} neu, {updated} aktualisiert");
    }
    if !out.indicators.is_empty() {
        println!(
            "{:<14} {:>10} {:>10} {:>12}",
            "Indikator", "neu", "geändert", "unverändert"
        );
        for s in &out.indicators {
            println!(
                "{:<14} {:>10} {:>10} {:>12}",
                s.code, s.new, s.changed, s.unchanged
            );
        }
        let (n, c, u) = out.totals();
        println!("{:<14} {:>10} {:>10} {:>12}", "Summe", n, c, u);
    }
    if dry_run {
        println!("Probelauf (--dry-run): nichts wurde geschrieben.");
    } else if out.written {
        let secs = started.elapsed().as_secs_f64();
        let (n, c, _) = out.totals();
        if secs >= 1.0 {
            println!(
                "Import gespeichert ({} Werte geschrieben in {:.1} s, {:.0} Werte/s).",
                n + c,
                secs,
                (n + c) as f64 / secs
            );
        } else {
            println!("Import gespeichert.");
        }
    }
}

/// The text of a rules file (`.yml`/`.yaml` with `indikatoren:` or `standard:` at the top level).
fn rules_file(path: &std::path::Path) -> Result<Option<String>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    if !path.is_file() || !(ext == "yml" || ext == "yaml") {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path)?;
    let is_rules = text
        .lines()
        .any(|l| l.starts_with("indikatoren:") || l.starts_with("standard:"));
    Ok(is_rules.then_some(text))
}

/// After a written import: store the rules, then evaluate.
fn finish(store: &Store, rules: Option<(String, String)>, user: &str) -> Result<()> {
    if let Some((name, text)) = rules {
        store.set_rules_text(&text, user, &name)?;
        println!("Regeln aus {name} übernommen.");
    }
    let date = super::evaluate::as_of(None)?;
    let o = super::evaluate::run(store, date, "Auswertung")?;
    println!("{}", super::evaluate::summary(&o, date));
    Ok(())
}

fn context(store: &Store, args: &ImportArgs) -> Result<Context> {
    Ok(Context {
        dimensions: store.dimensions()?,
        areas: store.areas(false)?,
        indicators: store.indicators()?,
        format: Format::parse(&args.format).map_err(anyhow::Error::msg)?,
        sheet: args.sheet.clone(),
        indicator: args.indicator.clone(),
        code_property: args.code_property.clone(),
        name_property: args.name_property.clone(),
        parent: args.parent.clone(),
        ..Default::default()
    })
}

/// Runs the import.
pub fn run(store: &Store, args: ImportArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let mut ctx = context(store, &args)?;
    let user = args
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unbekannt".into());
    // Rules files are checked first and stored after the data, so that the evaluation uses both.
    let mut rules: Option<(String, String)> = None;
    let mut data_paths = Vec::new();
    for path in &args.paths {
        match rules_file(path)? {
            Some(text) => {
                let name = path.display().to_string();
                RuleSet::parse(&name, &text).map_err(|e| {
                    anyhow::anyhow!("Import abgelehnt, nichts wurde geschrieben:\n  {e}")
                })?;
                rules = Some((name, text));
            }
            None => data_paths.push(path.clone()),
        }
    }
    let mut progress = Progress::new();
    let mut files: Vec<(String, Dataset, Vec<Problem>)> = Vec::new();
    for path in &data_paths {
        progress.message(format!("lese {}", path.display()));
        let (ds, problems) = kimo_import::read_path(path, &ctx);
        ctx.learn(&ds);
        files.push((path.display().to_string(), ds, problems));
    }
    progress.message("prüfe und schreibe".into());
    let mut report = |done: usize, total: usize| {
        progress.set(done, total);
    };

    if args.keep_going {
        let mut rejected = 0;
        for (name, ds, problems) in &files {
            let opts = ApplyOptions {
                dry_run: args.dry_run,
                user: user.clone(),
                source: name.clone(),
            };
            let result = if problems.is_empty() {
                store.apply(ds, &opts, &mut report)
            } else {
                Err(Error::Rejected(problems.clone()))
            };
            match result {
                Ok(out) => {
                    println!("== {name}");
                    print_summary(&out, args.dry_run, started);
                }
                Err(Error::Rejected(p)) => {
                    rejected += 1;
                    eprintln!(
                        "== {name}: abgelehnt ({} Probleme, nichts geschrieben)",
                        p.len()
                    );
                    print_problems(&p);
                }
                Err(e) => return Err(e.into()),
            }
        }
        progress.finish();
        if !args.dry_run {
            finish(store, rules, &user)?;
        }
        if rejected > 0 {
            bail!("{rejected} von {} Dateien abgelehnt", files.len());
        }
        return Ok(());
    }

    let source = files
        .iter()
        .map(|f| f.0.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut all = Dataset::default();
    let mut problems = Vec::new();
    for (_, ds, p) in files {
        all.extend(ds);
        problems.extend(p);
    }
    let opts = ApplyOptions {
        dry_run: args.dry_run || !problems.is_empty(),
        user: user.clone(),
        source,
    };
    // With reading problems the store still checks the readable rows (unknown areas, duplicates),
    // so that one run lists everything; nothing is written either way.
    let result = store.apply(&all, &opts, &mut report);
    progress.finish();
    match result {
        Ok(out) if problems.is_empty() => {
            print_summary(&out, args.dry_run, started);
            if !args.dry_run {
                finish(store, rules, &user)?;
            }
            Ok(())
        }
        Ok(_) => {
            eprintln!("Import abgelehnt, nichts wurde geschrieben:");
            print_problems(&problems);
            bail!("{} Probleme", problems.len())
        }
        Err(Error::Rejected(p)) => {
            problems.extend(p);
            problems.sort_by(|a, b| {
                (&a.origin.file, a.origin.line, a.origin.column).cmp(&(
                    &b.origin.file,
                    b.origin.line,
                    b.origin.column,
                ))
            });
            eprintln!("Import abgelehnt, nichts wurde geschrieben:");
            print_problems(&problems);
            bail!("{} Probleme", problems.len())
        }
        Err(e) => Err(e.into()),
    }
}
