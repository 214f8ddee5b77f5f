//! The demo's reports (`examples/berichte.yml`): the Monitoringbericht 2025 with two focus topics,
//! released (which marks its Fahrplan milestone done), and the draft for 2026.

use anyhow::{Context, Result, anyhow};
use kimo_model::report::Focus;
use kimo_store::{Actor, Store};
use serde::Deserialize;

/// The demo file.
#[derive(Deserialize)]
struct Reports {
    reports: Vec<ReportIn>,
}

/// A report as written: its year, whether it is released, its focus topics.
#[derive(Deserialize)]
struct ReportIn {
    year: i32,
    release: bool,
    focus: Vec<Focus>,
}

/// Makes the demo's reports (after the evaluation: they show its warnings).
pub fn load(store: &Store, text: &str) -> Result<()> {
    let file: Reports = serde_norway::from_str(text).context("examples/berichte.yml")?;
    let state = kimo_web::AppState::new(store.reopen()?, true, false);
    let st = state.scope(kimo_web::Audience::Internal);
    let demo = Actor {
        name: "kimo demo".into(),
        address: String::new(),
    };
    let web = |e: kimo_web::AppError| anyhow!("Demo-Bericht: {e}");
    for r in &file.reports {
        let (mut report, _) = kimo_web::year_report(&st, r.year, &demo).map_err(web)?;
        report.focus = r.focus.clone();
        for f in &mut report.focus {
            if f.title.is_empty()
                && let Some(code) = &f.field
            {
                f.title = st
                    .action_fields()
                    .map_err(web)?
                    .iter()
                    .find(|a| &a.code == code)
                    .map_or(code.clone(), |a| a.name.clone());
            }
        }
        store.update_report(&report, &demo)?;
        if r.release {
            kimo_web::release_report(&st, &store.report(report.id)?, &demo).map_err(web)?;
        }
    }
    Ok(())
}
