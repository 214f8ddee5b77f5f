//! The demo's reports (`examples/berichte.yml`): the Monitoringbericht 2025 with two focus topics,
//! released (which marks its Fahrplan milestone done), the draft for 2026, and the presentation
//! to the Integrationsausschuss of June 2026.

use anyhow::{Context, Result, anyhow};
use kimo_model::report::Focus;
use kimo_store::{Actor, Store};
use serde::Deserialize;

/// The demo file.
#[derive(Deserialize)]
struct Reports {
    reports: Vec<ReportIn>,
}

/// A report as written: a Monitoringbericht by its year with its focus topics, or a presentation
/// by its day; whether it is released.
#[derive(Deserialize)]
struct ReportIn {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    presentation: Option<String>,
    release: bool,
    #[serde(default)]
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
        let (mut report, _) = match (&r.presentation, r.year) {
            (Some(day), _) => kimo_web::presentation_report(&st, day, &demo),
            (None, Some(year)) => kimo_web::year_report(&st, year, &demo),
            (None, None) => return Err(anyhow!("examples/berichte.yml: ein Bericht ohne Jahr")),
        }
        .map_err(web)?;
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
