//! `kimo lieferungen`: the data deliveries owed, on the command line.

use crate::cli::DeliveriesArgs;
use anyhow::Result;
use kimo_store::{DeliveryFilter, Store};

/// Lists the deliveries (owed and submitted, or all), after bringing the plan up to date if asked.
pub fn list(store: &Store, args: DeliveriesArgs) -> Result<()> {
    let today = chrono::Local::now().date_naive();
    if args.planen {
        let s = kimo_work::deliveries::sync(store, today)?;
        println!(
            "Lieferplan: {} neu, {} verschoben, {} mit Daten.",
            s.added, s.moved, s.present
        );
    }
    let list = store.deliveries(&DeliveryFilter {
        amt: args.amt,
        ..Default::default()
    })?;
    let shown: Vec<_> = list
        .iter()
        .filter(|d| args.alle || !d.state.done())
        .collect();
    for d in &shown {
        let state = match d.overdue(today) {
            true => "überfällig",
            false => d.state.label(),
        };
        let due = d
            .due_date()
            .map_or(d.due.clone(), |x| x.format("%d.%m.%Y").to_string());
        println!(
            "#{:<5} {due}  {:<16} {:<8} {:<10} {}",
            d.id, state, d.indicator, d.period, d.amt
        );
    }
    let overdue = shown.iter().filter(|d| d.overdue(today)).count();
    println!("{} Lieferungen, davon {overdue} überfällig.", shown.len());
    Ok(())
}
