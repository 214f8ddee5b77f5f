//! Command-line arguments (clap derive; the doc comments are the `--help` text).

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// kimo – kommunales Integrationsmonitoring.
#[derive(Debug, Parser)]
#[command(name = "kimo", version, about)]
pub struct Cli {
    /// Database: a SQLite file path or sqlite://PATH [default: kimo.db]
    #[arg(long, global = true, env = "KIMO_DATABASE_URL")]
    pub database: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the web server (pages and JSON API).
    Serve(ServeArgs),
    /// Import files: kimo CSV/XLSX, German Excel CSV, wide tables, Open SDG, catalogue tables, GeoJSON.
    Import(ImportArgs),
    /// Export all observations (CSV, Open SDG) or the catalogue (XLSX).
    Export(ExportArgs),
    /// Load the demo city (Karlsruhe) into the database.
    Demo,
    /// Apply pending schema migrations and report the schema version.
    Migrate,
    /// Evaluate the early-warning rules on all series and update the warnings.
    Evaluate {
        /// Reference date for "data overdue" (default: today).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// List the warnings (active ones unless --alle).
    Warnungen(WarningsArgs),
    /// Show one warning with its history, or change its status, assignee or add a comment.
    Warnung(WarningArgs),
    /// Accounts: add, list, disable or enable, reset a password.
    #[command(subcommand)]
    User(UserCommand),
    /// Copy a whole installation between databases (SQLite ↔ PostgreSQL), history and ids included.
    Copy(CopyArgs),
    /// The Integrationskonzept: list its versions, import or export one (YAML or Markdown).
    #[command(subcommand)]
    Konzept(KonzeptCommand),
    /// Data deliveries: what each Amt owes by when (the plan from the catalogue and the lags).
    Lieferungen(DeliveriesArgs),
    /// Send the reminders and the weekly digest that are due (for cron; `kimo serve` does it hourly).
    Erinnern(RemindArgs),
    /// Settings: the city on the reports, the rules of publication (disclosure control, embargoes).
    #[command(subcommand)]
    Einstellung(SettingCommand),
    /// Reports: the yearly Monitoringbericht (made from the data, released frozen).
    #[command(subcommand)]
    Bericht(ReportCommand),
    /// Council papers and meetings (OParl 1.0/1.1): import them from the council information
    /// system, list them, link them to a Konzept version, a report or a warning.
    #[command(subcommand)]
    Oparl(OparlCommand),
    /// Write the public portal as static files (both languages, charts, open data, DCAT) for
    /// the city's web server: relative links, no JavaScript needed.
    Site {
        /// The folder to write into (created if missing).
        dir: std::path::PathBuf,
    },
    /// Measure import throughput and start-up time (figures for docs/performance.md).
    Bench(BenchArgs),
}

/// `kimo oparl …`.
#[derive(Debug, Subcommand)]
pub enum OparlCommand {
    /// Import papers (Drucksachen) and meetings: an OParl endpoint's address (a list is followed
    /// page by page) or a JSON file (one object, an array, or a list page); all or nothing.
    Import {
        /// The address (https://…) or the file.
        source: String,
        /// Who imports (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
    /// List the papers and meetings kimo knows.
    Liste,
    /// Link a paper or meeting (its number, e.g. 2025/1064, or its OParl address) to what it
    /// decided or discussed.
    Verknuepfen {
        /// The paper's number or the OParl address.
        paper: String,
        /// A Konzept version's number.
        #[arg(long, group = "object")]
        konzept: Option<i64>,
        /// A report's number.
        #[arg(long, group = "object")]
        bericht: Option<i64>,
        /// A warning's number.
        #[arg(long, group = "object")]
        warnung: Option<i64>,
        /// Remove the link instead.
        #[arg(long)]
        loesen: bool,
        /// Who links (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
}

/// `kimo user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account; prints a one-time password to be changed at the first login.
    Add {
        /// Login name (letters, digits, `.`, `-`, `_`, `@`).
        name: String,
        /// Role: admin, redaktion, amt, gremium.
        #[arg(long)]
        role: String,
        /// The Amt (catalogue `amt`) of an account with the role amt.
        #[arg(long)]
        amt: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
    },
    /// List the accounts.
    List,
    /// Disable an account (its sessions end); --enable enables it again.
    Disable {
        /// Login name.
        name: String,
        /// Enable instead.
        #[arg(long)]
        enable: bool,
    },
    /// Give an account a new one-time password (its sessions end).
    ResetPassword {
        /// Login name.
        name: String,
    },
}

/// `kimo konzept …`.
#[derive(Debug, Subcommand)]
pub enum KonzeptCommand {
    /// List the versions.
    List,
    /// Import a version from its exchange file (YAML; with earlier plans); checked first.
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Export a version (default: the one in force) as YAML (imports back) or Markdown.
    Export {
        /// The version's number (see `kimo konzept list`).
        #[arg(long)]
        version: Option<i64>,
        /// yaml or markdown.
        #[arg(long, default_value = "yaml")]
        format: String,
        /// Target file (`-` = standard output).
        #[arg(default_value = "-")]
        target: String,
    },
}

/// `kimo einstellung …`.
#[derive(Debug, Subcommand)]
pub enum SettingCommand {
    /// The city on the reports' title pages: its name and logo (PNG or SVG, at most 512 KiB);
    /// without options, what is set.
    Stadt {
        /// The name („Stadt Karlsruhe“; empty: the whole city's area name).
        #[arg(long)]
        name: Option<String>,
        /// The logo file.
        #[arg(long)]
        logo: Option<PathBuf>,
        /// Remove the logo.
        #[arg(long, conflicts_with = "logo")]
        ohne_logo: bool,
        /// Who changes it (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
    /// Disclosure control for a source's figures: counts from 1 up to below `--mindestens` are
    /// kept from the public (and every cell that would give one away), counts are published
    /// rounded to `--runden`; without options, every rule.
    Geheimhaltung {
        /// The source, as the catalogue names it („Bundesagentur für Arbeit“).
        #[arg(long, requires = "mindestens")]
        quelle: Option<String>,
        /// The smallest count the public may see (3: 1 and 2 are secret; 0: none is).
        #[arg(long)]
        mindestens: Option<u32>,
        /// Round published counts to multiples of this (0: not rounded).
        #[arg(long, default_value_t = 0)]
        runden: u32,
        /// Who changes it (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
    /// Open data: the licence of the downloads and the DCAT catalogue (an identifier of the
    /// DCAT-AP.de licence list), who users must name, and the public portal's address (for the
    /// catalogue's links); without options, what is set.
    OffeneDaten {
        /// The licence: dl-by-de/2.0 (default), dl-zero-de/2.0, cc-by/4.0, cc-zero or odbl.
        #[arg(long)]
        lizenz: Option<String>,
        /// Who is to be named („Stadt Karlsruhe, Büro für Integration“; empty: the city's name).
        #[arg(long)]
        namensnennung: Option<String>,
        /// The portal's address („https://integration.karlsruhe.de“; empty: none).
        #[arg(long)]
        adresse: Option<String>,
        /// The city's identifier in GovData's list of data providers (`dcatde:contributorID`,
        /// e.g. `http://dcat-ap.de/def/contributors/…`; empty: none).
        #[arg(long)]
        govdata_kennung: Option<String>,
        /// Who changes it (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
    /// The legal pages: Impressum and Datenschutzerklärung (Markdown files), the e-mail address
    /// for feedback on accessibility and the enforcement procedure of the state (Markdown) for
    /// the Erklärung zur Barrierefreiheit; an empty file removes a text; without options, what
    /// is set.
    Rechtliches {
        /// The Impressum (a Markdown file).
        #[arg(long)]
        impressum: Option<PathBuf>,
        /// The Datenschutzerklärung (a Markdown file; kimo adds what it stores itself).
        #[arg(long)]
        datenschutz: Option<PathBuf>,
        /// The e-mail address for feedback on accessibility (empty: none).
        #[arg(long)]
        kontakt: Option<String>,
        /// The enforcement procedure (Durchsetzungsverfahren) of the state (a Markdown file).
        #[arg(long)]
        durchsetzung: Option<PathBuf>,
        /// Who changes it (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
    /// An embargo: an indicator's period stays internal until its release day; without
    /// arguments, every embargo.
    Sperrfrist {
        /// The indicator's code.
        #[arg(requires = "zeitraum")]
        indikator: Option<String>,
        /// The period (`2025`, `2025-H1`, …).
        zeitraum: Option<String>,
        /// The release day (TT.MM.JJJJ or JJJJ-MM-TT): from this day on the public sees it.
        #[arg(long, required_unless_present_any = ["aufheben"], requires = "indikator")]
        bis: Option<String>,
        /// Lift the embargo.
        #[arg(long, conflicts_with = "bis", requires = "indikator")]
        aufheben: bool,
        /// Who changes it (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
}

/// `kimo bericht …`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// List the reports.
    Liste,
    /// The Monitoringbericht of a year as a document (the draft is made if there is none; a
    /// released one is written exactly as released).
    Jahr {
        /// The year reported on.
        year: i32,
        /// Target file (`.pdf` for the PDF, `.docx` for Word, else HTML; `-` = the HTML on
        /// standard output).
        #[arg(long, default_value = "-")]
        out: String,
    },
    /// The half-yearly presentation to the Integrationsausschuss for a meeting's day: 16:9 slides
    /// and a handout with the speaker notes (the draft is made if there is none).
    Praesentation {
        /// The day of the meeting (TT.MM.JJJJ or JJJJ-MM-TT).
        #[arg(long)]
        stichtag: String,
        /// Target file (`.pdf` for the PDF, `.docx` for Word, else HTML; `-` = the HTML on
        /// standard output).
        #[arg(long, default_value = "-")]
        out: String,
    },
    /// Release a report: freeze it with the data as they are now; the Fahrplan's milestone for
    /// it is marked done.
    Freigeben {
        /// The report's number (see `kimo bericht liste`).
        id: i64,
        /// Who releases (recorded) [default: $USER].
        #[arg(long)]
        user: Option<String>,
    },
}

/// `kimo lieferungen`.
#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    /// Only this Amt.
    #[arg(long)]
    pub amt: Option<String>,
    /// Also the done ones (accepted, or the data arrived otherwise).
    #[arg(long)]
    pub alle: bool,
    /// Bring the plan up to date first (also done by every evaluation and by `kimo serve`).
    #[arg(long)]
    pub planen: bool,
}

/// `kimo serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Serve the demo city (in a temporary database unless --database is given).
    #[arg(long)]
    pub demo: bool,
    /// TCP port.
    #[arg(long, env = "KIMO_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Address to bind to.
    #[arg(long, env = "KIMO_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Render every page and API answer anew instead of keeping it until the next import.
    #[arg(long)]
    pub no_cache: bool,
    /// Directory login (LDAP / Active Directory): a TOML file (docs/ldap.md); without it the
    /// KIMO_LDAP_* variables are read, and without those only kimo's own passwords count.
    #[arg(long, env = "KIMO_LDAP_CONFIG")]
    pub ldap_config: Option<PathBuf>,
    /// The soft limit of words per text of the Integrationskonzept (the editor warns above it).
    #[arg(long, env = "KIMO_KONZEPT_WORTGRENZE", default_value_t = 150)]
    pub konzept_wortgrenze: usize,
    /// Seconds a client may take to send a request's headers before the connection is closed.
    #[arg(long, default_value_t = 10)]
    pub header_timeout: u64,
    /// Seconds in-flight requests may take to finish after SIGTERM or Strg+C.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace: u64,
    /// Seconds an evaluation left pending by another process (an import killed after its commit)
    /// may stay pending before the running server catches it up.
    #[arg(long, default_value_t = 10)]
    pub catch_up_after: u64,
    /// E-mail reminders (sent hourly while the server runs, when an SMTP server is given).
    #[command(flatten)]
    pub mail: MailArgs,
}

/// How reminders are mailed.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// The SMTP server: smtp://host:25, smtp://user:password@host:587?tls=required (STARTTLS) or
    /// smtps://user:password@host:465 (TLS); without it no mail is sent.
    #[arg(long, env = "KIMO_SMTP_URL")]
    pub smtp: Option<String>,
    /// Instead of SMTP: write each mail as an .eml file into this directory (an outbox a mail
    /// gateway picks up, or to read the texts first).
    #[arg(long, env = "KIMO_MAIL_AUSGANG", conflicts_with = "smtp")]
    pub mail_ausgang: Option<PathBuf>,
    /// The sender, e.g. "kimo Integrationsmonitoring <integration@karlsruhe.de>".
    #[arg(long, env = "KIMO_MAIL_FROM", default_value = "kimo <kimo@localhost>")]
    pub mail_absender: String,
    /// The server's address as users reach it, for the links in mails.
    #[arg(long, env = "KIMO_ADRESSE", default_value = "http://localhost:8080")]
    pub adresse: String,
    /// Who gets the weekly digest besides the Redaktion's accounts with an address
    /// (comma-separated, e.g. the Büro's shared mailbox).
    #[arg(long, env = "KIMO_WOCHENBERICHT_AN", value_delimiter = ',')]
    pub wochenbericht_an: Vec<String>,
    /// Days before a due date that the reminder goes out.
    #[arg(long, env = "KIMO_ERINNERUNG_VORLAUF", default_value_t = 14)]
    pub erinnerung_vorlauf: u64,
    /// Days between reminders of an overdue delivery.
    #[arg(long, env = "KIMO_ERINNERUNG_WIEDERHOLUNG", default_value_t = 7)]
    pub erinnerung_wiederholung: u64,
}

/// `kimo erinnern`.
#[derive(Debug, Args)]
pub struct RemindArgs {
    /// How to mail.
    #[command(flatten)]
    pub mail: MailArgs,
    /// The day to remind for (TT.MM.JJJJ or JJJJ-MM-TT; default: today).
    #[arg(long)]
    pub heute: Option<String>,
}

/// `kimo import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or Open SDG directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Check and show the summary, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Format: auto, long, wide, open-sdg, catalogue, geojson.
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Import every clean file and list the rejected ones (default: all or nothing).
    #[arg(long)]
    pub keep_going: bool,
    /// XLSX sheet to read (default: the first; a catalogue workbook is read sheet by sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Indicator code for tables without an indicator column.
    #[arg(long)]
    pub indicator: Option<String>,
    /// GeoJSON property holding the area code.
    #[arg(long)]
    pub code_property: Option<String>,
    /// GeoJSON property holding the area name.
    #[arg(long)]
    pub name_property: Option<String>,
    /// Parent area code for new areas from GeoJSON (default: the whole city).
    #[arg(long)]
    pub parent: Option<String>,
    /// Who imports (recorded with every change) [default: $USER].
    #[arg(long)]
    pub user: Option<String>,
}

/// `kimo warnungen`.
#[derive(Debug, Args)]
pub struct WarningsArgs {
    /// Only this Handlungsfeld (code).
    #[arg(long)]
    pub handlungsfeld: Option<String>,
    /// Only this area (code).
    #[arg(long)]
    pub gebiet: Option<String>,
    /// Only this severity: hoch, mittel, niedrig.
    #[arg(long)]
    pub schwere: Option<String>,
    /// Only this status: neu, in-bearbeitung, erledigt, fehlalarm.
    #[arg(long)]
    pub status: Option<String>,
    /// Also warnings whose condition no longer holds.
    #[arg(long)]
    pub alle: bool,
}

/// `kimo warnung`.
#[derive(Debug, Args)]
pub struct WarningArgs {
    /// The warning's number.
    pub id: i64,
    /// New status: neu, in-bearbeitung, erledigt, fehlalarm.
    #[arg(long)]
    pub status: Option<String>,
    /// Who works on it.
    #[arg(long)]
    pub zustaendig: Option<String>,
    /// A comment.
    #[arg(long)]
    pub kommentar: Option<String>,
    /// Who makes the change [default: $USER].
    #[arg(long)]
    pub user: Option<String>,
}

/// `kimo copy`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Source database (sqlite://PATH, a path, or postgres://…).
    #[arg(long)]
    pub from: String,
    /// Target database; created and migrated if needed.
    #[arg(long)]
    pub to: String,
    /// Overwrite a target that already holds data.
    #[arg(long)]
    pub force: bool,
}

/// `kimo export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// csv (`,` and `.`), csv-de (German Excel), open-sdg (a directory), catalogue (an .xlsx file).
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Target file or directory; `-` writes CSV to standard output.
    pub target: PathBuf,
}

/// `kimo bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub what: BenchWhat,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchWhat {
    /// Generate a long CSV with ROWS observations and import it into a new SQLite file.
    Import {
        /// Number of observations.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        /// Rounds: each imports the file with `sqlite3` and with kimo, in turn; the medians are
        /// compared (single runs on a shared machine vary by a third).
        #[arg(long, default_value_t = 3)]
        rounds: usize,
    },
    /// Write a state-scale data set: catalogue tables in DIR/katalog and DIR/daten.csv
    /// (every area × indicator × year, by nationality, sex and age group).
    Generate {
        /// Number of areas (below one whole-state area).
        #[arg(long, default_value_t = 450)]
        areas: usize,
        /// Number of indicators.
        #[arg(long, default_value_t = 70)]
        indicators: usize,
        /// Number of years, ending in 2025.
        #[arg(long, default_value_t = 15)]
        years: i32,
        /// Target directory.
        dir: std::path::PathBuf,
    },
    /// Latency of an observations API answer that misses the cache: a new SQLite file with one
    /// indicator of 2,100 observations, served with `--no-cache`, requested on one connection and
    /// on 64 connections at once.
    Api {
        /// Requests on the single connection.
        #[arg(long, default_value_t = 500)]
        requests: usize,
        /// Seconds of the 64-connection run.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Connections of the concurrent run.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// The kimo binary that serves (default: this one), to compare two versions on one data set.
        #[arg(long)]
        server: Option<PathBuf>,
    },
    /// The demo's Monitoringbericht 2025 and a presentation as PDF and as DOCX, made anew from the
    /// data: the first in the process (cold: fonts, Typst's library) and again (warm, the median).
    Berichte {
        /// Warm repetitions.
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time from `kimo serve --demo` to the first answered request.
    Startup {
        /// Repetitions (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
}
