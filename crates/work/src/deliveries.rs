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
