//! `kimo import`: read, check, summarise, write (all or nothing, or per file with --keep-going).

use super::progress::Progress;
use crate::cli::ImportArgs;
use anyhow::{Result, bail};
use kimo_import::{Context, Format};
use kimo_model::{Dataset, Problem};
use kimo_monitor::rules::RuleSet;
use kimo_store::{ApplyOptions, ApplyOutcome, Error, Importer, Store};
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
        let actor = kimo_store::Actor {
            name: user.to_string(),
            address: String::new(),
        };
        store.set_rules_text(&text, &actor, &name)?;
        println!("Regeln aus {name} übernommen.");
    }
    stop_after_commit();
    let date = kimo_work::evaluate::as_of(None)?;
    let o = kimo_work::evaluate::run(store, date, "Auswertung")?;
    println!("{}", kimo_work::evaluate::summary(&o, date));
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

/// A data file as opened: read whole (what it brings and its reading problems), or a long CSV
/// file that is streamed into the store chunk by chunk.
enum Source {
    Whole(Dataset, Vec<Problem>),
    Stream(Option<Box<kimo_import::stream::LongCsv>>),
}

/// A data file: its name and its contents.
type ReadFile = (String, Source);

/// What every phase of an import needs to know.
struct Import<'a> {
    store: &'a Store,
    args: &'a ImportArgs,
    user: String,
    started: std::time::Instant,
    /// Name and text of a rules file to store after the data.
    rules: Option<RulesFile>,
    ctx: Context,
}

/// Runs the import.
pub fn run(store: &Store, args: ImportArgs) -> Result<()> {
    let started = std::time::Instant::now();
    kimo_work::evaluate::run_pending(store)?;
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
        ctx,
    };
    if args.keep_going {
        import.each_file(files, &mut progress)
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

/// Opens every data file: long CSV files for streaming, the others read whole; what one file
/// defines is known to the next.
fn read_files(
    paths: &[PathBuf],
    keep_going: bool,
    ctx: &mut Context,
    progress: &mut Progress,
) -> Vec<ReadFile> {
    let mut files = Vec::new();
    for path in paths {
        progress.message(format!("lese {}", path.display()));
        let name = path.display().to_string();
        if keep_going && kimo_import::opensdg::is_open_sdg_dir(path) {
            // Each indicator file is a unit of its own: clean ones are written, broken ones named.
            for (name, ds, problems) in kimo_import::opensdg::read_dir_files(path, ctx) {
                ctx.learn(&ds);
                files.push((name, Source::Whole(ds, problems)));
            }
            continue;
        }
        match kimo_import::stream::open_long(path, ctx) {
            Ok(Some(s)) => {
                files.push((name, Source::Stream(Some(Box::new(s)))));
                continue;
            }
            Err(problems) => {
                files.push((name, Source::Whole(Dataset::default(), problems)));
                continue;
            }
            Ok(None) => {}
        }
        let (ds, problems) = kimo_import::read_path(path, ctx);
        // What the reader passed over on purpose (e.g. a hidden XLSX sheet) is said, not silent.
        for n in &ds.notices {
            println!("Hinweis: {n}");
        }
        ctx.learn(&ds);
        files.push((name, Source::Whole(ds, problems)));
    }
    files
}

/// Hands a file's observations to the import (a streamed file chunk by chunk) and adds its reading
/// problems to `problems`.
fn feed(
    imp: &mut Importer,
    source: &mut Source,
    ctx: &Context,
    problems: &mut Vec<Problem>,
    progress: &mut Progress,
) -> kimo_store::Result<()> {
    match source {
        Source::Whole(ds, p) => {
            let total = ds.observations.len();
            for (i, chunk) in ds.observations.chunks(10_000).enumerate() {
                progress.set(i * 10_000, total);
                imp.observations(chunk)?;
            }
            problems.append(p);
        }
        Source::Stream(s) => {
            let Some(s) = s.take() else {
                return Ok(());
            };
            let mut first = true;
            let read = s.feed(ctx, |chunk, at| {
                if std::mem::take(&mut first) {
                    // Room for the whole file's keys at once, with a tenth to spare.
                    imp.expect_rows(at.estimated_rows + at.estimated_rows / 10);
                }
                imp.observations(chunk)?;
                progress.set(at.bytes as usize, at.size as usize);
                Ok(())
            })?;
            problems.extend(read);
        }
    }
    Ok(())
}

impl Import<'_> {
    fn options(&self, source: String) -> ApplyOptions {
        ApplyOptions {
            dry_run: self.args.dry_run,
            user: self.user.clone(),
            source,
            address: String::new(),
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
    fn each_file(self, files: Vec<ReadFile>, progress: &mut Progress) -> Result<()> {
        let mut rejected = 0;
        let count_files = files.len();
        for (name, mut source) in files {
            let opts = self.options(name.clone());
            let mut problems = Vec::new();
            let result = self.store.import(&opts, |imp| {
                if let Source::Whole(ds, _) = &source {
                    imp.catalogue(ds)?;
                }
                feed(imp, &mut source, &self.ctx, &mut problems, progress)?;
                Ok(problems.is_empty())
            });
            let result = match result {
                Ok(_) if !problems.is_empty() => Err(Error::Rejected(problems)),
                Err(Error::Rejected(p)) => Err(Error::Rejected(sorted(problems, p))),
                r => r,
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
            let of = count(count_files, "Datei", "Dateien");
            bail!("{rejected} von {of} abgelehnt");
        }
        Ok(())
    }

    /// All files together, all or nothing: the catalogue of every file first, then the
    /// observations file by file in one transaction.
    fn all_files(self, mut files: Vec<ReadFile>, progress: &mut Progress) -> Result<()> {
        let source = files
            .iter()
            .map(|f| f.0.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut catalogue = Dataset::default();
        for (_, f) in &mut files {
            if let Source::Whole(ds, _) = f {
                catalogue.extend(Dataset {
                    action_fields: std::mem::take(&mut ds.action_fields),
                    indicators: std::mem::take(&mut ds.indicators),
                    areas: std::mem::take(&mut ds.areas),
                    dimensions: std::mem::take(&mut ds.dimensions),
                    auto_areas: std::mem::take(&mut ds.auto_areas),
                    ..Default::default()
                });
            }
        }
        let opts = self.options(source);
        // With reading problems the store still checks the readable rows (unknown areas, duplicates),
        // so that one run lists everything; nothing is written then.
        let mut problems = Vec::new();
        let result = self.store.import(&opts, |imp| {
            imp.catalogue(&catalogue)?;
            for (_, f) in &mut files {
                feed(imp, f, &self.ctx, &mut problems, progress)?;
            }
            Ok(problems.is_empty())
        });
        progress.finish();
        match result {
            Ok(out) if problems.is_empty() => {
                print_summary(&out, self.args.dry_run, self.started);
                self.finish()
            }
            Ok(_) => reject(problems),
            Err(Error::Rejected(p)) => reject(sorted(problems, p)),
            Err(e) => Err(e.into()),
        }
    }
}

/// Reading and store problems together, by file, line and column.
fn sorted(mut problems: Vec<Problem>, more: Vec<Problem>) -> Vec<Problem> {
    problems.extend(more);
    problems.sort_by(|a, b| {
        (&a.origin.file, a.origin.line, a.origin.column).cmp(&(
            &b.origin.file,
            b.origin.line,
            b.origin.column,
        ))
    });
    problems
}

fn reject(problems: Vec<Problem>) -> Result<()> {
    eprintln!("Import abgelehnt, nichts wurde geschrieben:");
    print_problems(&problems);
    bail!("{}", count(problems.len(), "Problem", "Probleme"))
}
