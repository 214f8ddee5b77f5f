//! The `kimo` binary: web server and command-line tool. Thin: parses arguments and calls the crates.

mod cli;
mod cmd;

use clap::Parser;

/// The default SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "kimo.db";

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cmd::run(cli) {
        eprintln!("Fehler: {e:#}");
        std::process::exit(1);
    }
}
