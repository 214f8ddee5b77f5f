//! `kimo warnungen` and `kimo warnung`: warnings as work items on the command line.

use crate::cli::{WarningArgs, WarningsArgs};
use anyhow::{Result, bail};
use kimo_store::{Store, WarningFilter};

/// Lists warnings.
pub fn list(store: &Store, args: WarningsArgs) -> Result<()> {
    let ws = store.warnings(&WarningFilter {
        action_field: args.handlungsfeld,
        area: args.gebiet,
        severity: args.schwere,
        status: args.status,
        indicator: None,
        include_resolved: args.alle,
    })?;
    for w in &ws {
        println!(
            "#{:<5} {:<7} {:<15} {:<8} {}{}",
            w.id,
            w.severity,
            w.status.label(),
            w.indicator,
            w.sentence,
            if w.active {
                String::new()
            } else {
                " [behoben]".into()
            }
        );
    }
    println!("{}", kimo_monitor::sentences::warnings(ws.len()));
    Ok(())
}

/// Shows one warning, after applying any changes.
pub fn show(store: &Store, args: WarningArgs) -> Result<()> {
    let actor = super::user(args.user.as_deref());
    if args.status.is_some() || args.zustaendig.is_some() || args.kommentar.is_some() {
        store.update_warning(
            args.id,
            args.status.as_deref(),
            args.zustaendig.as_deref(),
            args.kommentar.as_deref(),
            &actor,
        )?;
    }
    let Some((w, events)) = store.warning(args.id)? else {
        bail!("Warnhinweis {} gibt es nicht", args.id);
    };
    println!(
        "Warnhinweis #{} ({}, Schwere {})",
        w.id, w.indicator_name, w.severity
    );
    println!("{}", w.sentence);
    println!(
        "Status: {}{}; {}",
        w.status.label(),
        w.assignee
            .as_ref()
            .map_or(String::new(), |a| format!(", zuständig: {a}")),
        if w.active {
            "Bedingung trifft zu"
        } else {
            "Bedingung trifft nicht mehr zu"
        }
    );
    println!("Verlauf:");
    for e in events {
        let change = match (&e.old_value, &e.new_value) {
            (Some(o), Some(n)) if e.kind != "aktualisiert" => format!("{o} → {n}"),
            (_, Some(n)) => n.clone(),
            _ => String::new(),
        };
        println!(
            "  {} {} {}: {}{}",
            e.at,
            e.actor,
            e.kind,
            change,
            e.comment.map_or(String::new(), |c| format!("„{c}“"))
        );
    }
    Ok(())
}
