//! `kimo bericht`: the reports at the command line — the same documents as the buttons in the web.

use crate::cli::{ReportCommand, SettingCommand};
use anyhow::{Result, anyhow};
use kimo_store::{Actor, Store};

/// Runs a `kimo bericht` command.
pub fn run(store: Store, cmd: ReportCommand) -> Result<()> {
    let state = kimo_web::AppState::new(store, false, true);
    let st = state.scope(kimo_web::Audience::Internal);
    let web = |e: kimo_web::AppError| anyhow!("{e}");
    match cmd {
        ReportCommand::Liste => {
            for r in st.store.reports()? {
                println!(
                    "{:>4}  {:<22}  {}  {:<11}  {}",
                    r.id,
                    r.kind.label(),
                    r.year,
                    r.state.label(),
                    r.title
                );
            }
            Ok(())
        }
        ReportCommand::Jahr { year, out } => {
            let (r, made) =
                kimo_web::year_report(&st, year, &Actor::command_line()).map_err(web)?;
            write(&st, &r, made, &out)
        }
        ReportCommand::Praesentation { stichtag, out } => {
            let day = ["%d.%m.%Y", "%Y-%m-%d"]
                .iter()
                .find_map(|f| chrono::NaiveDate::parse_from_str(stichtag.trim(), f).ok())
                .ok_or_else(|| anyhow!("--stichtag '{stichtag}' ist kein Datum (TT.MM.JJJJ)"))?;
            let iso = day.format("%Y-%m-%d").to_string();
            let (r, made) =
                kimo_web::presentation_report(&st, &iso, &Actor::command_line()).map_err(web)?;
            write(&st, &r, made, &out)
        }
        ReportCommand::Freigeben { id, user } => {
            let r = st.store.report(id)?;
            let who = Actor {
                name: super::user(user.as_deref()),
                address: String::new(),
            };
            let milestone = kimo_web::release_report(&st, &r, &who).map_err(web)?;
            println!("Bericht Nr. {id} „{}“ freigegeben.", r.title);
            if let Some((number, title)) = milestone {
                println!("Meilenstein {number} „{title}“ ist damit erledigt.");
            }
            Ok(())
        }
    }
}

/// Writes a report's document (PDF or DOCX by the target's ending, else HTML).
fn write(
    st: &kimo_web::Scope,
    r: &kimo_model::report::Report,
    made: bool,
    out: &str,
) -> Result<()> {
    if made {
        eprintln!("Entwurf Nr. {} „{}“ angelegt.", r.id, r.title);
    }
    let format = match out.rsplit_once('.').map(|(_, e)| e.to_lowercase()) {
        Some(e) if e == "pdf" || e == "docx" => e,
        _ => "html".to_string(),
    };
    let format = format.as_str();
    let bytes = kimo_web::file_in(st, r, format).map_err(|e| anyhow!("{e}"))?;
    match out {
        "-" => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
        path => {
            std::fs::write(path, &bytes)?;
            eprintln!(
                "{} „{}“ ({}) nach {path} geschrieben: {} Bytes.",
                r.kind.label(),
                r.title,
                r.state.label(),
                kimo_model::format_number(bytes.len() as f64, 0)
            );
        }
    }
    Ok(())
}

/// `kimo einstellung stadt`: sets the city's name and logo, then shows what is set.
pub fn setting(store: &Store, cmd: SettingCommand) -> Result<()> {
    let (name, logo, ohne_logo, user) = match cmd {
        SettingCommand::Stadt {
            name,
            logo,
            ohne_logo,
            user,
        } => (name, logo, ohne_logo, user),
        other => return super::publication::setting(store, other),
    };
    let who = Actor {
        name: super::user(user.as_deref()),
        address: String::new(),
    };
    if let Some(n) = &name {
        store.set_city_name(n, &who)?;
    }
    if let Some(path) = &logo {
        let bytes =
            std::fs::read(path).map_err(|e| anyhow!("{}: nicht lesbar: {e}", path.display()))?;
        let logo =
            kimo_store::Logo::from_bytes(bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        store.set_city_logo(Some(&logo), &who)?;
    }
    if ohne_logo {
        store.set_city_logo(None, &who)?;
    }
    let city = store.city()?;
    println!(
        "Name: {}",
        city.name
            .as_deref()
            .unwrap_or("(der Name des Gebiets der gesamten Stadt)")
    );
    match city.logo {
        Some(l) => println!(
            "Logo: {}, {} Bytes",
            l.mime,
            kimo_model::format_number(l.bytes.len() as f64, 0)
        ),
        None => println!("Logo: keines"),
    }
    Ok(())
}
