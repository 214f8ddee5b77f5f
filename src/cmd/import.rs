//! `kimo import`: read, check, summarise, write (all or nothing, or per file with --keep-going).

use super::progress::Progress;
use crate::cli::ImportArgs;
use anyhow::{Result, bail};
use kimo_import::{Context, Format};
use kimo_model::{Dataset, Problem};
use kimo_monitor::rules::RuleSet;
use kimo_store::{ApplyOptions, ApplyOutcome, Error, Store};
use std::path::PathBuf;

fn print_problems(problems: &[Problem]) {
    const MAX: usize = 200;
    let lines = grouped(problems);
    for p in lines.iter().take(MAX) {
        eprintln!("  {p}");
    }
    if lines.len() > MAX {
        eprintln!(
            "  … und {} weitere",
            count(lines.len() - MAX, "Meldung", "Meldungen")
        );
    }
}

/// `1 Problem`, `2 Probleme`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Problems with the same message in the same file and column as one line each:
/// `f.csv: Zeilen 2–40, Spalte 1: '…' ist kein Zeitraum`; in the order they first appear.
fn grouped(problems: &[Problem]) -> Vec<String> {
    let mut groups: Vec<(&Problem, Vec<usize>)> = Vec::new();
    for p in problems {
        let same = |g: &&mut (&Problem, Vec<usize>)| {
            let o = &g.0.origin;
            g.0.message == p.message
                && o.file == p.origin.file
                && o.column == p.origin.column
                && o.line > 0
                && p.origin.line > 0
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.1.push(p.origin.line),
            None => groups.push((p, vec![p.origin.line])),
        }
    }
    groups
        .into_iter()
        .map(|(p, lines)| {
            if lines.len() == 1 {
                return p.to_string();
            }
            let column = match p.origin.column {
                0 => String::new(),
                c => format!(", Spalte {c}"),
            };
            format!(
                "{}: Zeilen {}{column}: {}",
                p.origin.file,
                line_ranges(lines),
                p.message
            )
        })
        .collect()
}

/// `2, 5, 7–9` for lines 2, 5, 7, 8, 9.
fn line_ranges(mut lines: Vec<usize>) -> String {
    lines.sort_unstable();
    lines.dedup();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for l in lines {
        match ranges.last_mut() {
            Some(r) if r.1 + 1 == l => r.1 = l,
            _ => ranges.push((l, l)),
        }
    }
    ranges
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn print_summary(out: &ApplyOutcome, dry_run: bool, started: std::time::Instant) {
    for n in &out.notices {
        println!("Hinweis: {n}");
    }
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
fn finish(store: &Store, rules: Option<RulesFile>, user: &str) -> Result<()> {
    if let Some((name, text)) = rules {
        store.set_rules_text(&text, user, &name)?;
        println!("Regeln aus {name} übernommen.");
    }
    stop_after_commit();
    let date = super::evaluate::as_of(None)?;
    let o = super::evaluate::run(store, date, "Auswertung")?;
    println!("{}", super::evaluate::summary(&o, date));
    Ok(())
}

/// Test hook: with `KIMO_TEST_STOP_AFTER_COMMIT=1` the process ends right after the data's commit,
/// before the evaluation, as if killed there (exit code 137). Only the tests set it.
fn stop_after_commit() {
    if std::env::var_os("KIMO_TEST_STOP_AFTER_COMMIT").is_some_and(|v| v == "1") {
        eprintln!("KIMO_TEST_STOP_AFTER_COMMIT: beendet nach dem Schreiben, vor der Auswertung.");
        std::process::exit(137);
    }
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

/// A rules file: its name and text.
type RulesFile = (String, String);

/// A file as read: its name, what it brings and its reading problems.
type ReadFile = (String, Dataset, Vec<Problem>);

/// What every phase of an import needs to know.
struct Import<'a> {
    store: &'a Store,
    args: &'a ImportArgs,
    user: String,
    started: std::time::Instant,
    /// Name and text of a rules file to store after the data.
    rules: Option<RulesFile>,
}

/// Runs the import.
pub fn run(store: &Store, args: ImportArgs) -> Result<()> {
    let started = std::time::Instant::now();
    super::evaluate::run_pending(store)?;
    let mut ctx = context(store, &args)?;
    let user = args
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unbekannt".into());
    let (rules, data_paths) = rules_and_data(&args.paths)?;
    let mut progress = Progress::new();
    let files = read_files(&data_paths, args.keep_going, &mut ctx, &mut progress);
    progress.message("prüfe und schreibe".into());
    let import = Import {
        store,
        args: &args,
        user,
        started,
        rules,
    };
    if args.keep_going {
        import.each_file(&files, &mut progress)
    } else {
        import.all_files(files, &mut progress)
    }
}

/// Separates rules files from data; rules are checked first and stored after the data, so that the
/// evaluation uses both.
fn rules_and_data(paths: &[PathBuf]) -> Result<(Option<RulesFile>, Vec<PathBuf>)> {
    let mut rules = None;
    let mut data_paths = Vec::new();
    for path in paths {
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
    Ok((rules, data_paths))
}

/// Reads every data file; what one file defines is known to the next.
fn read_files(
    paths: &[PathBuf],
    keep_going: bool,
    ctx: &mut Context,
    progress: &mut Progress,
) -> Vec<ReadFile> {
    let mut files = Vec::new();
    for path in paths {
        progress.message(format!("lese {}", path.display()));
        if keep_going && kimo_import::opensdg::is_open_sdg_dir(path) {
            // Each indicator file is a unit of its own: clean ones are written, broken ones named.
            for (name, ds, problems) in kimo_import::opensdg::read_dir_files(path, ctx) {
                ctx.learn(&ds);
                files.push((name, ds, problems));
            }
            continue;
        }
        let (ds, problems) = kimo_import::read_path(path, ctx);
        // What the reader passed over on purpose (e.g. a hidden XLSX sheet) is said, not silent.
        for n in &ds.notices {
            println!("Hinweis: {n}");
        }
        ctx.learn(&ds);
        files.push((path.display().to_string(), ds, problems));
    }
    files
}

impl Import<'_> {
    fn options(&self, dry_run: bool, source: String) -> ApplyOptions {
        ApplyOptions {
            dry_run,
            user: self.user.clone(),
            source,
        }
    }

    /// After a written import: store the rules and evaluate.
    fn finish(self) -> Result<()> {
        if self.args.dry_run {
            return Ok(());
        }
        finish(self.store, self.rules, &self.user)
    }

    /// `--keep-going`: each file is written or rejected on its own.
    fn each_file(self, files: &[ReadFile], progress: &mut Progress) -> Result<()> {
        let mut report = |done: usize, total: usize| progress.set(done, total);
        let mut rejected = 0;
        for (name, ds, problems) in files {
            let opts = self.options(self.args.dry_run, name.clone());
            let result = if problems.is_empty() {
                self.store.apply(ds, &opts, &mut report)
            } else {
                Err(Error::Rejected(problems.clone()))
            };
            match result {
                Ok(out) => {
                    println!("== {name}");
                    print_summary(&out, self.args.dry_run, self.started);
                }
                Err(Error::Rejected(p)) => {
                    rejected += 1;
                    eprintln!(
                        "== {name}: abgelehnt ({}, nichts geschrieben)",
                        count(p.len(), "Problem", "Probleme")
                    );
                    print_problems(&p);
                }
                Err(e) => return Err(e.into()),
            }
        }
        progress.finish();
        self.finish()?;
        if rejected > 0 {
            let of = count(files.len(), "Datei", "Dateien");
            bail!("{rejected} von {of} abgelehnt");
        }
        Ok(())
    }

    /// All files together, all or nothing.
    fn all_files(self, files: Vec<ReadFile>, progress: &mut Progress) -> Result<()> {
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
        let opts = self.options(self.args.dry_run || !problems.is_empty(), source);
        // With reading problems the store still checks the readable rows (unknown areas, duplicates),
        // so that one run lists everything; nothing is written either way.
        let mut report = |done: usize, total: usize| progress.set(done, total);
        let result = self.store.apply(&all, &opts, &mut report);
        progress.finish();
        match result {
            Ok(out) if problems.is_empty() => {
                print_summary(&out, self.args.dry_run, self.started);
                self.finish()
            }
            Ok(_) => reject(problems),
            Err(Error::Rejected(p)) => {
                problems.extend(p);
                problems.sort_by(|a, b| {
                    (&a.origin.file, a.origin.line, a.origin.column).cmp(&(
                        &b.origin.file,
                        b.origin.line,
                        b.origin.column,
                    ))
                });
                reject(problems)
            }
            Err(e) => Err(e.into()),
        }
    }
}

fn reject(problems: Vec<Problem>) -> Result<()> {
    eprintln!("Import abgelehnt, nichts wurde geschrieben:");
    print_problems(&problems);
    bail!("{}", count(problems.len(), "Problem", "Probleme"))
}
