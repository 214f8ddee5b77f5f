//! An uploaded file imported for a user (`POST /api/v1/import`): read by the same readers as
//! `kimo import`, checked as a whole (all or nothing), limited to the indicators of the user's Amt
//! when the user is an Amt, then written and evaluated.

use anyhow::{Context as _, Result};
use kimo_import::{Context, Format};
use kimo_model::{Dataset, Origin, Problem};
use kimo_store::{ApplyOptions, ApplyOutcome, Error, Store};

/// One uploaded file and what to do with it.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    /// The file's name as uploaded (its extension tells the format, as for `kimo import`).
    pub name: &'a str,
    /// Its bytes.
    pub bytes: &'a [u8],
    /// `auto`, `long`, `wide`, `open-sdg`, `catalogue`, `geojson`.
    pub format: &'a str,
    /// The indicator of a table without an indicator column.
    pub indicator: Option<&'a str>,
    /// Check only, write nothing.
    pub dry_run: bool,
    /// Who uploads, and from where (audit log and provenance).
    pub actor: &'a kimo_store::Actor,
    /// The Amt whose indicators alone may be changed (None: any indicator and the catalogue).
    pub only_amt: Option<&'a str>,
}

/// An outcome, or the problems for which the upload was refused (nothing written).
pub type Refusable<T> = std::result::Result<T, Vec<Problem>>;

/// The outcome of an upload that was not refused.
#[derive(Debug)]
pub struct Uploaded {
    /// What was (or would be) written.
    pub outcome: ApplyOutcome,
    /// The evaluation's summary line after a written import.
    pub evaluation: Option<String>,
}

/// A file name without any directory part and without characters a file system may refuse.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || "._- ".contains(c) => c,
            _ => '_',
        })
        .collect();
    match cleaned.trim_start_matches('.').trim() {
        "" => "upload.csv".into(),
        s => s.to_string(),
    }
}

/// What an Amt may not do with an upload: add to the catalogue (new indicators, areas, dimensions,
/// Handlungsfelder: a problem each) or change values of indicators another Amt is responsible for
/// (a problem per line). Catalogue entries the store already has are dropped from the dataset, so
/// that an Amt's file never changes their descriptions.
pub fn limit_to_amt(ds: &mut Dataset, amt: &str, ctx: &Context, file: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut new = |kind: &str, code: &str| {
        problems.push(Problem::whole_file(
            file,
            format!("{kind} '{code}' ist neu; den Katalog ergänzt die Redaktion, nicht ein Amt"),
        ))
    };
    ds.indicators
        .retain(|i| match ctx.indicators.iter().any(|k| k.code == i.code) {
            true => false,
            false => {
                new("Indikator", &i.code);
                false
            }
        });
    for a in ds.areas.iter().chain(&ds.auto_areas) {
        if !ctx.areas.iter().any(|k| k.code == a.code) {
            new("Gebiet", &a.code);
        }
    }
    for d in &ds.dimensions {
        if !ctx.dimensions.iter().any(|k| k.code == d.code) {
            new("Merkmal", &d.code);
        }
    }
    for f in &ds.action_fields {
        new("Handlungsfeld", &f.code);
    }
    (ds.areas, ds.auto_areas, ds.dimensions, ds.action_fields) = Default::default();
    for o in &ds.observations {
        let department = ctx
            .indicators
            .iter()
            .find(|i| i.code == o.indicator)
            .map(|i| i.department.as_str());
        if department.is_some_and(|d| !d.is_empty() && d == amt) {
            continue;
        }
        let origin = o.origin.clone().unwrap_or_else(|| Origin {
            file: file.to_string(),
            line: 0,
            column: 0,
            numbers: [0; 3],
        });
        let message = match department {
            Some(d) if !d.is_empty() => format!(
                "Indikator '{}' liefert {d}; Ihr Amt ({amt}) ändert nur die eigenen Indikatoren",
                o.indicator
            ),
            _ => format!(
                "Indikator '{}' ist nicht Ihrem Amt ({amt}) zugeordnet",
                o.indicator
            ),
        };
        problems.push(Problem { origin, message });
    }
    problems
}

/// Reads the upload from a temporary file of its name; messages name the uploaded name.
fn read(up: &Upload, ctx: &Context) -> Result<(Dataset, Vec<Problem>, String)> {
    let name = safe_name(up.name);
    let dir = tempfile::tempdir().context("temporäres Verzeichnis")?;
    let path = dir.path().join(&name);
    std::fs::write(&path, up.bytes).context("hochgeladene Datei speichern")?;
    let (mut ds, mut problems) = kimo_import::read_path(&path, ctx);
    let temp = path.display().to_string();
    let rename = |o: &mut Origin| {
        if o.file == temp {
            o.file = name.clone();
        }
    };
    problems.iter_mut().for_each(|p| rename(&mut p.origin));
    ds.observations
        .iter_mut()
        .filter_map(|o| o.origin.as_mut())
        .for_each(rename);
    Ok((ds, problems, name))
}

/// Reads an upload and limits it to the user's Amt: the dataset and the name messages use, or the
/// problems (each with file, line and column).
pub fn prepare(store: &Store, up: &Upload) -> Result<Refusable<(Dataset, String)>> {
    // Empty is the default; an unknown format is the request's mistake, refused like a file's.
    let format = match Format::parse(
        Some(up.format.trim())
            .filter(|f| !f.is_empty())
            .unwrap_or("auto"),
    ) {
        Ok(f) => f,
        Err(e) => {
            return Ok(Err(vec![kimo_model::Problem::whole_file(
                up.name,
                e.to_string(),
            )]));
        }
    };
    let ctx = Context {
        dimensions: store.dimensions()?,
        areas: store.areas(false)?,
        indicators: store.indicators()?,
        format,
        indicator: up.indicator.map(str::to_string),
        ..Default::default()
    };
    let (mut ds, mut problems, name) = read(up, &ctx)?;
    if let Some(amt) = up.only_amt {
        problems.extend(limit_to_amt(&mut ds, amt, &ctx, &name));
    }
    match problems.is_empty() {
        true => Ok(Ok((ds, name))),
        false => Ok(Err(problems)),
    }
}

/// Imports an upload: Ok(Err(problems)) when it is refused (nothing written), each problem with
/// file, line and column.
pub fn import(store: &Store, up: &Upload) -> Result<Refusable<Uploaded>> {
    crate::evaluate::run_pending(store)?;
    let (ds, name) = match prepare(store, up)? {
        Ok(x) => x,
        Err(problems) => return Ok(Err(problems)),
    };
    let opts = ApplyOptions {
        dry_run: up.dry_run,
        user: up.actor.name.clone(),
        source: name,
        address: up.actor.address.clone(),
    };
    match store.apply(&ds, &opts, &mut |_, _| {}) {
        Ok(outcome) => {
            let evaluation = match outcome.written {
                true => {
                    let today = chrono::Local::now().date_naive();
                    let o = crate::evaluate::run(store, today, "Auswertung")?;
                    Some(crate::evaluate::summary(&o, today))
                }
                false => None,
            };
            Ok(Ok(Uploaded {
                outcome,
                evaluation,
            }))
        }
        Err(Error::Rejected(p)) => Ok(Err(p)),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_lose_their_directories() {
        assert_eq!(safe_name("../../etc/passwd"), "passwd");
        assert_eq!(
            safe_name("C:\\Daten\\Arbeitslose 2024.xlsx"),
            "Arbeitslose 2024.xlsx"
        );
        assert_eq!(safe_name(".."), "upload.csv");
        assert_eq!(safe_name("a;b|c.csv"), "a_b_c.csv");
        assert_eq!(safe_name("Übersicht.csv"), "Übersicht.csv");
    }
}
