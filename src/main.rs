//! The `kimo` binary: web server and command-line tool. Thin: parses arguments and calls the crates.

mod cli;
mod cmd;

use clap::Parser;

/// mimalloc instead of the system allocator: imports and API answers allocate many short-lived
/// values, and glibc's allocator spent about 15 % of an import's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The default SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "kimo.db";

/// Logs go to stderr; `KIMO_LOG` filters them (default `info`, e.g. `KIMO_LOG=kimo::http=warn`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KIMO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}

fn main() {
    init_logging();
    let cli = cli::Cli::parse();
    if let Err(e) = cmd::run(cli) {
        eprintln!("Fehler: {e:#}");
        std::process::exit(1);
    }
}
