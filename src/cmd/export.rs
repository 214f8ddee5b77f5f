//! `kimo export`.

use crate::cli::ExportArgs;
use anyhow::{Context, Result, bail};
use kimo_import::export::{CsvStyle, used_dimensions, write_catalogue_xlsx, write_long};
use kimo_import::opensdg::{ExportInput, write_dir};
use kimo_store::{ObservationFilter, Store};

/// Writes the export.
pub fn run(store: &Store, args: ExportArgs) -> Result<()> {
    let target = &args.target;
    match args.format.as_str() {
        "csv" | "csv-de" => {
            let obs = store.observations(&ObservationFilter::default())?;
            let dims = used_dimensions(&obs);
            let style = if args.format == "csv" {
                CsvStyle::Machine
            } else {
                CsvStyle::GermanExcel
            };
            if target.as_os_str() == "-" {
                write_long(std::io::stdout().lock(), &obs, &dims, style)?;
            } else {
                let f = std::fs::File::create(target)
                    .with_context(|| format!("{}", target.display()))?;
                write_long(std::io::BufWriter::new(f), &obs, &dims, style)?;
                eprintln!("{} Werte nach {} geschrieben.", obs.len(), target.display());
            }
        }
        "open-sdg" => {
            let input = ExportInput {
                indicators: &store.indicators()?,
                action_fields: &store.action_fields()?,
                areas: &store.areas(false)?,
                observations: &store.observations(&ObservationFilter::default())?,
            };
            let (files, rows) =
                write_dir(target, &input).with_context(|| format!("{}", target.display()))?;
            eprintln!(
                "Open-SDG-Verzeichnis {}: {files} Indikatoren, {rows} Werte.",
                target.display()
            );
        }
        "catalogue" => {
            write_catalogue_xlsx(
                target,
                &store.action_fields()?,
                &store.indicators()?,
                &store.areas(false)?,
                &store.dimensions()?,
            )
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("{}", target.display()))?;
            eprintln!("Katalog nach {} geschrieben.", target.display());
        }
        other => bail!("unbekanntes Exportformat '{other}' (csv, csv-de, open-sdg, catalogue)"),
    }
    Ok(())
}
