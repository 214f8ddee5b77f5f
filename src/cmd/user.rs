//! `kimo user`: accounts at the command line (whoever runs kimo here administers it), and the
//! first administrator of an empty installation.

use crate::cli::UserCommand;
use anyhow::{Result, bail};
use kimo_model::{Role, login_name};
use kimo_store::{Actor, NewUser, Store};
use std::io::{BufRead, IsTerminal, Write};

/// Runs a `kimo user` command.
pub fn run(store: &Store, cmd: UserCommand) -> Result<()> {
    let actor = Actor::command_line();
    match cmd {
        UserCommand::Add {
            name,
            role,
            amt,
            email,
        } => {
            let new = NewUser {
                name: login_name(&name).map_err(anyhow::Error::msg)?,
                role: Role::parse(&role).map_err(anyhow::Error::msg)?,
                amt: amt.filter(|a| !a.trim().is_empty()),
                email: email.filter(|e| !e.trim().is_empty()),
            };
            let password = kimo_auth::one_time_password();
            let user = store.add_user(&new, &kimo_auth::hash_password(&password), true, &actor)?;
            println!(
                "Konto '{}' ({}) angelegt. Einmal-Passwort: {password}",
                user.name,
                user.role.label()
            );
            println!("Es gilt für die erste Anmeldung; danach wird ein eigenes Passwort gewählt.");
            Ok(())
        }
        UserCommand::List => {
            let users = store.users()?;
            if users.is_empty() {
                println!("Keine Konten. Das erste: kimo user add NAME --role admin");
            }
            let rows: Vec<[String; 5]> = users
                .iter()
                .map(|u| {
                    [
                        u.name.clone(),
                        u.role.label().to_string(),
                        u.amt.clone().unwrap_or_else(|| "–".into()),
                        u.email.clone().unwrap_or_else(|| "–".into()),
                        (if u.disabled { "gesperrt" } else { "aktiv" }).to_string(),
                    ]
                })
                .collect();
            // Each column as wide as its widest cell (in characters, for ä, ö, ü and –).
            let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            let widths: Vec<usize> = (0..4).map(width).collect();
            for r in &rows {
                let cells: Vec<String> = (0..4)
                    .map(|i| format!("{}{}", r[i], " ".repeat(widths[i] - r[i].chars().count())))
                    .collect();
                println!("{}  {}", cells.join("  "), r[4]);
            }
            Ok(())
        }
        UserCommand::Disable { name, enable } => {
            let name = login_name(&name).map_err(anyhow::Error::msg)?;
            store.set_disabled(&name, !enable, &actor)?;
            match enable {
                true => println!("Konto '{name}' wieder freigegeben."),
                false => println!("Konto '{name}' gesperrt; seine Sitzungen sind beendet."),
            }
            Ok(())
        }
        UserCommand::ResetPassword { name } => {
            let name = login_name(&name).map_err(anyhow::Error::msg)?;
            let password = kimo_auth::one_time_password();
            store.set_password(
                &name,
                &kimo_auth::hash_password(&password),
                true,
                None,
                &actor,
            )?;
            println!(
                "Neues Einmal-Passwort für '{name}': {password} (alle Sitzungen sind beendet)"
            );
            Ok(())
        }
    }
}

/// Before the server starts: an installation without an administrator asks for the first one at
/// the terminal (name and password, never a default). Without a terminal it says how to make one
/// and serves the public pages meanwhile.
pub fn first_admin(store: &Store) -> Result<()> {
    if store.has_admin()? {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        eprintln!("Hinweis: noch kein Administrator. Anlegen mit: kimo user add NAME --role admin");
        return Ok(());
    }
    println!("Diese Installation hat noch keinen Administrator. Bitte jetzt anlegen.");
    let mut lines = stdin.lock().lines();
    let name = loop {
        print!("Anmeldename: ");
        std::io::stdout().flush()?;
        let Some(line) = lines.next() else {
            bail!("Eingabe beendet, kein Administrator angelegt");
        };
        match login_name(&line?) {
            Ok(n) => break n,
            Err(e) => println!("{e}"),
        }
    };
    // Typed without echo.
    let password = loop {
        let p = rpassword::prompt_password("Passwort (mindestens 10 Zeichen): ")?;
        if let Err(e) = kimo_auth::check_new_password(&p, &name) {
            println!("{e}");
            continue;
        }
        if rpassword::prompt_password("Passwort wiederholen: ")? == p {
            break p;
        }
        println!("Die beiden Eingaben sind verschieden.");
    };
    let new = NewUser {
        name,
        role: Role::Admin,
        amt: None,
        email: None,
    };
    let hash = kimo_auth::hash_password(&password);
    let user = store.add_user(&new, &hash, false, &Actor::command_line())?;
    println!("Administrator '{}' angelegt.", user.name);
    Ok(())
}
