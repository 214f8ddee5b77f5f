//! `kimo einstellung geheimhaltung`, `sperrfrist` and `offene-daten`: the rules of publication.

use crate::cli::SettingCommand;
use anyhow::{Result, anyhow};
use kimo_model::disclosure::Rule;
use kimo_store::{Actor, Store};

/// Sets a disclosure rule or an embargo (or lists them), then shows what is set.
pub fn setting(store: &Store, cmd: SettingCommand) -> Result<()> {
    let who = |user: Option<String>| Actor {
        name: super::user(user.as_deref()),
        address: String::new(),
    };
    match cmd {
        SettingCommand::Geheimhaltung {
            quelle,
            mindestens,
            runden,
            user,
        } => disclosure(store, quelle.zip(mindestens), runden, &who(user)),
        SettingCommand::Sperrfrist {
            indikator,
            zeitraum,
            bis,
            aufheben,
            user,
        } => embargo(store, indikator.zip(zeitraum), bis, aufheben, &who(user)),
        SettingCommand::OffeneDaten {
            lizenz,
            namensnennung,
            adresse,
            govdata_kennung,
            user,
        } => {
            let change = kimo_store::OpenDataChange {
                licence: lizenz,
                attribution: namensnennung,
                url: adresse,
                contributor: govdata_kennung,
            };
            if change.licence.is_some()
                || change.attribution.is_some()
                || change.url.is_some()
                || change.contributor.is_some()
            {
                store.set_open_data(&change, &who(user))?;
            }
            let o = store.open_data()?;
            println!(
                "Lizenz: {} ({}; {})",
                o.licence.name, o.licence.id, o.licence.url
            );
            println!(
                "Namensnennung: {}",
                if o.attribution.is_empty() {
                    "–"
                } else {
                    &o.attribution
                }
            );
            println!(
                "Adresse des Portals: {}",
                o.portal_url
                    .as_deref()
                    .unwrap_or("nicht eingestellt (der DCAT-Katalog verweist relativ)")
            );
            Ok(())
        }
        SettingCommand::Rechtliches {
            impressum,
            datenschutz,
            kontakt,
            durchsetzung,
            user,
        } => legal(
            store,
            [impressum, datenschutz, durchsetzung],
            kontakt,
            &who(user),
        ),
        SettingCommand::Stadt { .. } => unreachable!("handled by report::setting"),
    }
}

/// Sets a source's rule (when given), then lists every rule.
fn disclosure(store: &Store, set: Option<(String, u32)>, runden: u32, who: &Actor) -> Result<()> {
    if let Some((source, min_count)) = set {
        if !store.indicators()?.iter().any(|i| i.source == source) {
            eprintln!("Hinweis: kein Indikator nennt die Quelle „{source}“.");
        }
        let rule = Rule {
            source,
            min_count,
            round_to: runden,
        };
        store.set_disclosure_rule(&rule, who)?;
    }
    let rules = store.disclosure_rules()?;
    if rules.is_empty() {
        println!("Keine Regeln: alle veröffentlichten Zahlen werden gezeigt, wie sie sind.");
    }
    for r in rules {
        let rounding = if r.round_to > 1 {
            format!(", gerundet auf {}", r.round_to)
        } else {
            String::new()
        };
        println!("{}: geheim unter {}{rounding}", r.source, r.min_count);
    }
    Ok(())
}

/// Sets or lifts an embargo (when given), then lists every embargo.
fn embargo(
    store: &Store,
    set: Option<(String, String)>,
    bis: Option<String>,
    aufheben: bool,
    who: &Actor,
) -> Result<()> {
    if let Some((code, period)) = set {
        let day = match (&bis, aufheben) {
            (_, true) => None,
            (Some(d), false) => {
                Some(day_of(d).ok_or_else(|| anyhow!("--bis „{d}“: bitte wie 31.03.2026"))?)
            }
            (None, false) => return Err(anyhow!("--bis DATUM oder --aufheben fehlt")),
        };
        store.set_embargo(&code, &period, day.as_deref(), who)?;
    }
    let today = chrono::Local::now().format("%Y-%m-%d").to_string();
    let all = store.embargoes()?;
    if all.is_empty() {
        println!("Keine Sperrfristen.");
    }
    for e in all {
        let day = chrono::NaiveDate::parse_from_str(&e.release_on, "%Y-%m-%d")
            .map_or(e.release_on.clone(), |d| d.format("%d.%m.%Y").to_string());
        let state = if e.holds_on(&today) {
            "gilt"
        } else {
            "abgelaufen"
        };
        println!("{} {}: bis {day} ({state})", e.indicator, e.period);
    }
    Ok(())
}

/// A day as typed (`31.03.2026` or `2026-03-31`) in ISO form.
fn day_of(typed: &str) -> Option<String> {
    ["%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| chrono::NaiveDate::parse_from_str(typed.trim(), f).ok())
        .map(|d| d.format("%Y-%m-%d").to_string())
}

/// Sets the legal texts given (files: Impressum, Datenschutz, Durchsetzungsverfahren), then says
/// what is set.
fn legal(
    store: &Store,
    files: [Option<std::path::PathBuf>; 3],
    contact: Option<String>,
    who: &Actor,
) -> Result<()> {
    let read = |f: &Option<std::path::PathBuf>| -> Result<Option<String>> {
        f.as_ref()
            .map(|p| {
                std::fs::read_to_string(p)
                    .map_err(|e| anyhow!("{}: nicht lesbar (UTF-8 erwartet): {e}", p.display()))
            })
            .transpose()
    };
    let change = kimo_store::LegalChange {
        imprint: read(&files[0])?,
        privacy: read(&files[1])?,
        enforcement: read(&files[2])?,
        contact,
    };
    if change.imprint.is_some()
        || change.privacy.is_some()
        || change.enforcement.is_some()
        || change.contact.is_some()
    {
        store.set_legal(&change, who)?;
    }
    let l = store.legal()?;
    let state = |t: &Option<String>| {
        t.as_ref().map_or("nicht eingestellt".to_string(), |t| {
            format!("{} Zeichen", t.chars().count())
        })
    };
    println!("Impressum: {}", state(&l.imprint));
    println!("Datenschutz: {}", state(&l.privacy));
    println!("Durchsetzungsverfahren: {}", state(&l.enforcement));
    println!(
        "Kontakt für Barrierefreiheit: {}",
        l.contact.as_deref().unwrap_or("nicht eingestellt")
    );
    Ok(())
}
