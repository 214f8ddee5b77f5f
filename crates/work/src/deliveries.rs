//! The delivery plan beside the store: what the catalogue and the lags ask for in the window around
//! today, brought into the stored deliveries (after every evaluation, at the start of `kimo serve`
//! and every hour while it runs, and by `kimo lieferungen plan`).

use anyhow::Result;
use chrono::{Days, NaiveDate};
use kimo_store::{Actor, PlanSync, Store};
use std::collections::HashMap;

/// How far back and ahead of today the plan looks (days).
pub const WINDOW_DAYS: u64 = 366;

/// Who changes deliveries when the plan moves.
pub fn planner() -> Actor {
    Actor {
        name: "Lieferplan".into(),
        address: String::new(),
    }
}

/// Brings the stored deliveries up to the plan as of `today`.
pub fn sync(store: &Store, today: NaiveDate) -> Result<PlanSync> {
    let indicators = store.indicators()?;
    let lags: HashMap<String, i64> = store
        .delivery_settings()?
        .into_iter()
        .map(|s| (s.indicator, s.lag_days))
        .collect();
    let window = (
        today - Days::new(WINDOW_DAYS),
        today + Days::new(WINDOW_DAYS),
    );
    let plan = kimo_monitor::deliveries::plan(&indicators, &|c| lags.get(c).copied(), window);
    Ok(store.sync_deliveries(&plan, &planner())?)
}

/// What checking an uploaded file for deliveries found: kept as a submission, or refused.
pub type Checked = crate::upload::Refusable<i64>;

/// Checks a file an Amt uploads for its deliveries, writing nothing of its figures: the same
/// readers and checks as `kimo import` (limited to the Amt's indicators), the values new, changed
/// and unchanged per indicator, and the plausibility flags against the stored series. The file is
/// kept with what was found (a submission „geprüft“), or refused with every problem.
pub fn check(store: &Store, up: &crate::upload::Upload, amt: &str) -> Result<Checked> {
    use kimo_store::{ApplyOptions, Error};
    let (ds, name) = match crate::upload::prepare(store, up)? {
        Ok(x) => x,
        Err(problems) => return Ok(Err(problems)),
    };
    let opts = ApplyOptions {
        dry_run: true,
        user: up.actor.name.clone(),
        source: name.clone(),
        address: up.actor.address.clone(),
    };
    let outcome = match store.apply(&ds, &opts, &mut |_, _| {}) {
        Ok(o) => o,
        Err(Error::Rejected(p)) => return Ok(Err(p)),
        Err(e) => return Err(e.into()),
    };
    let checked = outcome
        .indicators
        .iter()
        .map(|s| kimo_model::delivery::CheckedIndicator {
            code: s.code.clone(),
            new: s.new,
            changed: s.changed,
            unchanged: s.unchanged,
        })
        .collect();
    let flags = flags(store, &ds.observations)?;
    let periods: std::collections::HashSet<(String, String)> = ds
        .observations
        .iter()
        .map(|o| (o.indicator.clone(), o.period.code()))
        .collect();
    let deliveries = store
        .deliveries(&kimo_store::DeliveryFilter {
            amt: Some(amt.to_string()),
            ..Default::default()
        })?
        .into_iter()
        .filter(|d| d.state.owed() && periods.contains(&(d.indicator.clone(), d.period.clone())))
        .map(|d| d.id)
        .collect();
    let id = store.add_submission(
        &kimo_store::NewSubmission {
            amt,
            file_name: &name,
            bytes: up.bytes,
            indicator: up.indicator,
            checked,
            flags,
            deliveries,
        },
        up.actor,
    )?;
    Ok(Ok(id))
}

/// The plausibility flags of a file's values against the stored series of their indicators.
fn flags(
    store: &Store,
    new: &[kimo_model::Observation],
) -> Result<Vec<kimo_model::delivery::Flag>> {
    use kimo_monitor::plausibility::{DEFAULT_SHARE_JUMP, History, Settings};
    let mut codes: Vec<&str> = new.iter().map(|o| o.indicator.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut history = History::new();
    for code in codes {
        let stored = store.observations(&kimo_store::ObservationFilter {
            indicator: Some(code.to_string()),
            ..Default::default()
        })?;
        for o in stored {
            let Some(v) = o.value else { continue };
            history
                .entry((o.indicator.clone(), o.area.clone(), o.breakdown.key()))
                .or_default()
                .push((o.period.clone(), v));
        }
    }
    for series in history.values_mut() {
        series.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let areas = store.areas(false)?;
    let district = |code: &str| areas.iter().any(|a| a.code == code && a.level > 0);
    let indicators = store.indicators()?;
    let settings = Settings {
        indicators: &indicators,
        is_district: &district,
        share_jump: DEFAULT_SHARE_JUMP,
    };
    Ok(kimo_monitor::plausibility::flags(new, &history, &settings))
}

/// Accepts a submitted file: someone other than the uploader (four eyes) writes its figures (all
/// or nothing, the same checks again), the warnings are evaluated, and the submission and its
/// deliveries are recorded as accepted. Refused with the problems when the figures no longer pass
/// (nothing written then); Ok(Ok(evaluation summary)) otherwise.
pub fn accept(
    store: &Store,
    id: i64,
    actor: &Actor,
) -> Result<crate::upload::Refusable<Option<String>>> {
    use kimo_model::delivery::SubmissionState;
    let s = store.submission(id)?;
    if s.state != SubmissionState::Eingereicht {
        anyhow::bail!("Die Einreichung Nr. {id} ist {}.", s.state.label());
    }
    if s.uploaded_by == actor.name {
        anyhow::bail!(
            "Vier-Augen-Prinzip: wer die Datei hochgeladen hat, nimmt sie nicht selbst an."
        );
    }
    let (name, bytes) = store.submission_file(id)?;
    let up = crate::upload::Upload {
        name: &name,
        bytes: &bytes,
        format: "auto",
        indicator: Some(s.indicator.as_str()).filter(|i| !i.is_empty()),
        dry_run: false,
        actor,
        only_amt: Some(&s.amt),
    };
    match crate::upload::import(store, &up)? {
        Err(problems) => Ok(Err(problems)),
        Ok(done) => {
            store.accept_submission(id, done.outcome.import_id, actor)?;
            Ok(Ok(done.evaluation))
        }
    }
}
