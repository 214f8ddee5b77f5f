//! `kimo bench`: the measurements behind docs/performance.md.

use crate::cli::{BenchArgs, BenchWhat};
use anyhow::{Context, Result, bail};
use kimo_model::{Area, Category, Dataset, Dimension, Indicator};
use kimo_store::{ApplyOptions, Store};
use std::io::{BufWriter, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Runs a benchmark.
pub fn run(args: BenchArgs) -> Result<()> {
    match args.what {
        BenchWhat::Import { rows, rounds } => import(rows, rounds.max(1)),
        BenchWhat::Startup { runs } => startup(runs),
        BenchWhat::Berichte { runs } => reports(runs),
        BenchWhat::Api {
            requests,
            seconds,
            connections,
            server,
        } => api(requests, seconds, connections, server),
        BenchWhat::Generate {
            areas,
            indicators,
            years,
            dir,
        } => generate(areas, indicators, years, &dir),
    }
}

/// `bench import`: the same generated file imported `rounds` times into a new database by the
/// `sqlite3` tool (the reference) and by kimo, in turn; prints each round and the medians.
fn import(rows: usize, rounds: usize) -> Result<()> {
    let dir = tempfile_dir()?;
    let csv = dir.join("bench.csv");
    let n = write_bench_csv(&csv, rows)?;
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "Zeilen: {n} ({:.1} MB CSV), {rounds} Runden",
        size as f64 / 1e6
    );
    let (mut reference, mut kimo) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let raw = dir.join(format!("raw-{round}.db"));
        reference.push(sqlite3_import(&csv, &raw)?);
        let _ = std::fs::remove_file(&raw);
        let db = dir.join(format!("bench-{round}.db"));
        let (total, write) = kimo_import(&csv, &db, n)?;
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        println!(
            "Runde {round}: sqlite3 .import {:.2} s, kimo import {:.2} s (davon prüfen und schreiben im Hauptfaden {:.2} s)",
            reference[round - 1].as_secs_f64(),
            total.as_secs_f64(),
            write.as_secs_f64()
        );
        kimo.push(total);
    }
    let (reference, kimo) = (median(&mut reference), median(&mut kimo));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "Median kimo import:  {:>7.2} s  {:>10.0} Zeilen/s (Lesen im eigenen Faden)",
        kimo.as_secs_f64(),
        rate(kimo)
    );
    println!(
        "Median sqlite3 .import derselben Datei (roh, ohne Prüfung): {:.2} s  {:>10.0} Zeilen/s",
        reference.as_secs_f64(),
        rate(reference)
    );
    println!(
        "Verhältnis kimo import / sqlite3 .import: {}",
        kimo_model::format_number(kimo.as_secs_f64() / reference.as_secs_f64(), 2)
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The middle one of `times`.
fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One kimo import of the benchmark file into a new database with the benchmark's catalogue: the
/// wall time (until committed) and the time the main thread spent checking and writing.
fn kimo_import(
    csv: &std::path::Path,
    db: &std::path::Path,
    n: usize,
) -> Result<(Duration, Duration)> {
    let store = Store::open(&db.display().to_string())?;
    store.apply(&bench_catalogue(), &ApplyOptions::default(), &mut |_, _| {})?;
    let ctx = kimo_import::Context {
        dimensions: store.dimensions()?,
        areas: store.areas(false)?,
        ..Default::default()
    };
    let opts = ApplyOptions {
        user: "bench".into(),
        source: "bench.csv".into(),
        ..Default::default()
    };
    let (t0, mut write) = (Instant::now(), Duration::ZERO);
    let mut problems = Vec::new();
    let out = store.import(&opts, |imp| {
        let Ok(Some(file)) = kimo_import::stream::open_long(csv, &ctx) else {
            return Ok(false);
        };
        let mut first = true;
        problems = file.feed(&ctx, |chunk, at| {
            if std::mem::take(&mut first) {
                imp.expect_rows(at.estimated_rows + at.estimated_rows / 10);
            }
            let t = Instant::now();
            let done = imp.observations(chunk);
            write += t.elapsed();
            done
        })?;
        Ok(problems.is_empty())
    })?;
    // Closing the database is part of it (SQLite checkpoints what is left in the WAL then).
    drop(store);
    let total = t0.elapsed();
    if let Some(p) = problems.first() {
        bail!("Benchmark-Datei fehlerhaft: {p}");
    }
    if out.totals().0 != n {
        bail!("{} statt {n} Beobachtungen geschrieben", out.totals().0);
    }
    Ok((total, write))
}

/// The reference: the `sqlite3` command-line tool importing the same CSV, unchecked, into a new
/// table of a new database (`.import FILE raw`); returns its wall time.
fn sqlite3_import(csv: &std::path::Path, db: &std::path::Path) -> Result<Duration> {
    let commands = format!(".mode csv\n.separator ,\n.import {} raw\n", csv.display());
    let t = Instant::now();
    let mut child = std::process::Command::new("sqlite3")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("sqlite3 (Kommandozeilenwerkzeug) nicht gefunden")?;
    child
        .stdin
        .take()
        .context("sqlite3: keine Eingabe")?
        .write_all(commands.as_bytes())?;
    let status = child.wait()?;
    let elapsed = t.elapsed();
    if !status.success() {
        bail!("sqlite3 .import ist fehlgeschlagen ({status})");
    }
    Ok(elapsed)
}

/// The benchmark's catalogue: 70 indicators, 450 areas, sex × nationality.
fn bench_catalogue() -> Dataset {
    let mut cat = Dataset {
        areas: vec![Area {
            code: "L".into(),
            name: "Land".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    for a in 0..450 {
        cat.areas.push(Area {
            code: format!("A{a:03}"),
            name: format!("Gebiet {a}"),
            parent: Some("L".into()),
            level: 1,
            geometry: None,
        });
    }
    for i in 0..70 {
        cat.indicators.push(Indicator {
            code: format!("I{i:02}"),
            name: format!("Indikator {i}"),
            unit: kimo_model::Unit::Percent,
            published: true,
            ..Default::default()
        });
    }
    for (code, cats) in [
        ("geschlecht", ["m", "w"]),
        ("staatsangehoerigkeit", ["deutsch", "nichtdeutsch"]),
    ] {
        cat.dimensions.push(Dimension {
            translations: None,
            code: code.into(),
            name: code.into(),
            categories: cats
                .iter()
                .map(|c| Category {
                    translations: None,
                    code: c.to_string(),
                    name: c.to_string(),
                })
                .collect(),
        });
    }
    cat
}

/// Writes `rows` observations of the benchmark catalogue as long CSV; returns how many.
fn write_bench_csv(csv: &std::path::Path, rows: usize) -> Result<usize> {
    let breakdowns = [
        ("", ""),
        ("m", ""),
        ("w", ""),
        ("", "deutsch"),
        ("", "nichtdeutsch"),
        ("m", "deutsch"),
        ("w", "nichtdeutsch"),
    ];
    let mut w = BufWriter::new(std::fs::File::create(csv)?);
    writeln!(
        w,
        "indicator,period,area,geschlecht,staatsangehoerigkeit,value"
    )?;
    let mut n = 0usize;
    'outer: for i in 0..70 {
        for a in 0..450 {
            for (g, s) in breakdowns {
                for y in 2011..2026 {
                    if n == rows {
                        break 'outer;
                    }
                    let v = ((i * 7 + a * 13 + y as usize) % 1000) as f64 / 10.0;
                    writeln!(w, "I{i:02},{y},A{a:03},{g},{s},{v}")?;
                    n += 1;
                }
            }
        }
    }
    w.flush()?;
    if n < rows {
        bail!("höchstens {n} Zeilen möglich");
    }
    Ok(n)
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("kimo-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn get_status(port: u16) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .ok()?;
    let mut buf = [0u8; 16];
    s.read_exact(&mut buf[..12]).ok()?;
    std::str::from_utf8(&buf[9..12]).ok()?.parse().ok()
}

/// Makes a report in one format: its size and what it is.
type Maker<'a> = dyn Fn(&kimo_model::report::Report) -> Result<(usize, String)> + 'a;

/// `bench berichte`: the demo's reports as PDF and DOCX in a new SQLite file, cold and warm.
fn reports(runs: usize) -> Result<()> {
    let dir = tempfile_dir()?;
    let db = dir.join("demo.db");
    let db = db.to_str().context("Pfad")?;
    // The demo in a process of its own: its releases would warm this one's Typst.
    let made = std::process::Command::new(std::env::current_exe()?)
        .args(["--database", db, "demo"])
        .stderr(std::process::Stdio::null())
        .status()?;
    if !made.success() {
        bail!("kimo demo ist gescheitert");
    }
    let store = Store::open(db)?;
    let state = kimo_web::AppState::new(store, true, true);
    let st = state.scope(kimo_web::Audience::Internal);
    let who = kimo_store::Actor::command_line();
    let web = |e: kimo_web::AppError| anyhow::anyhow!("{e}");
    let (mb, _) = kimo_web::year_report(&st, 2025, &who).map_err(web)?;
    let (deck, _) = kimo_web::presentation_report(&st, "2026-11-19", &who).map_err(web)?;
    // Each made anew from the data: PDF (Typst) and DOCX (docx-rs, charts drawn as PNG).
    let pdf = |r: &kimo_model::report::Report| -> Result<(usize, String)> {
        let (bytes, pages) = kimo_web::pdf_anew(&st, r).map_err(web)?;
        Ok((bytes.len(), format!("PDF, {pages} Seiten")))
    };
    let docx = |r: &kimo_model::report::Report| -> Result<(usize, String)> {
        let bytes = kimo_web::docx_anew(&st, r).map_err(web)?;
        Ok((bytes.len(), "DOCX".to_string()))
    };
    let makers: [&Maker; 2] = [&pdf, &docx];
    for make in makers {
        for r in [&mb, &deck] {
            let t0 = Instant::now();
            let (size, what) = make(r)?;
            let cold = t0.elapsed();
            let mut warm = Vec::new();
            for _ in 0..runs.max(1) {
                let t = Instant::now();
                make(r)?;
                warm.push(t.elapsed());
            }
            warm.sort();
            println!(
                "{} „{}“ als {what}, {} Bytes; kalt {:.0} ms, warm {:.0} ms (Median von {})",
                r.kind.label(),
                r.title,
                kimo_model::format_number(size as f64, 0),
                cold.as_secs_f64() * 1000.0,
                warm[warm.len() / 2].as_secs_f64() * 1000.0,
                warm.len()
            );
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

fn startup(runs: usize) -> Result<()> {
    let exe = std::env::current_exe()?;
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let port = free_port()?;
        let t0 = Instant::now();
        let mut child = std::process::Command::new(&exe)
            .args(["serve", "--demo", "--port", &port.to_string()])
            .env_remove("KIMO_DATABASE_URL")
            .stderr(std::process::Stdio::null())
            .spawn()
            .context("kimo serve startet nicht")?;
        let mut ok = false;
        while t0.elapsed() < Duration::from_secs(60) {
            if get_status(port) == Some(200) {
                ok = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let elapsed = t0.elapsed();
        let _ = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let _ = child.wait();
        if !ok {
            bail!("kimo serve --demo hat nach 60 s nicht geantwortet");
        }
        times.push(elapsed);
        println!("Lauf: {:.0} ms", elapsed.as_secs_f64() * 1000.0);
    }
    times.sort();
    println!(
        "Median von {} Läufen: {:.0} ms bis zur ersten beantworteten Anfrage (GET /)",
        times.len(),
        times[times.len() / 2].as_secs_f64() * 1000.0
    );
    Ok(())
}

/// A deterministic value in [0, 1) for a key (splitmix64).
fn unit(mut z: u64) -> f64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

fn generate(areas: usize, indicators: usize, years: i32, dir: &std::path::Path) -> Result<()> {
    let kat = dir.join("katalog");
    std::fs::create_dir_all(&kat)?;
    write_generated_catalogue(&kat, areas, indicators)?;
    let path = dir.join("daten.csv");
    let area_codes: Vec<String> = std::iter::once("L".to_string())
        .chain((0..areas).map(|a| format!("A{a:03}")))
        .collect();
    let n = write_generated_data(&path, &area_codes, indicators, years)?;
    println!(
        "{n} Beobachtungen ({} Indikatoren × {} Gebiete × {years} Jahre × {} Gliederungen) in {}",
        indicators,
        area_codes.len(),
        GENERATED_BREAKDOWNS.len(),
        path.display()
    );
    println!("Katalog in {}", kat.display());
    Ok(())
}

const FIELDS: [&str; 8] = [
    "Bevölkerung und Demografie",
    "Rechtliche Integration und Asyl",
    "Kinderbetreuung",
    "Bildung und Qualifikation",
    "Erwerbstätigkeit und Arbeitsmarkt",
    "Lebensunterhalt und Soziale Sicherung",
    "Familie und Wohnen",
    "Politische und Gesellschaftliche Teilhabe",
];

/// Writes the catalogue tables of a generated data set (Handlungsfelder, Merkmale, Gebiete, Indikatoren).
fn write_generated_catalogue(kat: &std::path::Path, areas: usize, indicators: usize) -> Result<()> {
    let write = |name: &str, text: String| std::fs::write(kat.join(name), text);
    let mut t = String::from("handlungsfeld;name;beschreibung;reihenfolge\n");
    for (i, f) in FIELDS.iter().enumerate() {
        t.push_str(&format!("hf{};{f};;{}\n", i + 1, i + 1));
    }
    write("handlungsfelder.csv", t)?;
    write(
        "merkmale.csv",
        "merkmal;merkmal_name;auspraegung;auspraegung_name\n\
         staatsangehoerigkeit;Staatsangehörigkeit;deutsch;deutsch\n\
         staatsangehoerigkeit;Staatsangehörigkeit;nichtdeutsch;nichtdeutsch\n\
         geschlecht;Geschlecht;m;männlich\ngeschlecht;Geschlecht;w;weiblich\n\
         altersgruppe;Altersgruppe;u18;unter 18 Jahre\naltersgruppe;Altersgruppe;18-64;18 bis 64 Jahre\n\
         altersgruppe;Altersgruppe;65+;65 Jahre und älter\n"
            .to_string(),
    )?;
    let mut t = String::from("code;name;uebergeordnet;ebene\nL;Land (gesamt);;0\n");
    for a in 0..areas {
        t.push_str(&format!("A{a:03};Kreis {a:03};L;1\n"));
    }
    write("gebiete.csv", t)?;
    let mut t = String::from(
        "code;name;handlungsfeld;definition;zaehler;nenner;einheit;polaritaet;quelle;amt;periodizitaet;kernindikator;veroeffentlicht;hinweise;ueber_100_moeglich\n",
    );
    let polarities = ["higher-better", "lower-better", "neutral"];
    for i in 0..indicators {
        t.push_str(&format!(
            "I{i:02};Indikator {i:02};hf{};Benchmark-Indikator {i};Zähler;Nenner;%;{};Benchmark;Statistikamt;year;{};ja;;nein\n",
            i % FIELDS.len() + 1,
            polarities[i % 3],
            if i % 4 == 0 { "ja" } else { "nein" }
        ));
    }
    write("indikatoren.csv", t)?;
    Ok(())
}

/// (geschlecht, staatsangehoerigkeit, altersgruppe) of the generated rows; empty is the total.
const GENERATED_BREAKDOWNS: [(&str, &str, &str); 8] = [
    ("", "", ""),
    ("", "deutsch", ""),
    ("", "nichtdeutsch", ""),
    ("m", "", ""),
    ("w", "", ""),
    ("", "", "u18"),
    ("", "", "18-64"),
    ("", "", "65+"),
];

/// Writes the generated observations as long CSV; returns how many.
fn write_generated_data(
    path: &std::path::Path,
    area_codes: &[String],
    indicators: usize,
    years: i32,
) -> Result<u64> {
    let mut w = BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        w,
        "indicator,period,area,geschlecht,staatsangehoerigkeit,altersgruppe,value"
    )?;
    let mut n = 0u64;
    for i in 0..indicators {
        for (ai, a) in area_codes.iter().enumerate() {
            let base = 5.0 + 40.0 * unit((i * 100_003 + ai) as u64);
            for (bi, (g, s, age)) in GENERATED_BREAKDOWNS.iter().enumerate() {
                let gap = 1.0 + 0.3 * (bi as f64 - 3.5) / 3.5;
                for y in (2026 - years)..2026 {
                    let noise = unit(n) - 0.5;
                    let v = (base * gap * (1.0 + 0.01 * (y - 2010) as f64) + noise).max(0.0);
                    writeln!(w, "I{i:02},{y},{a},{g},{s},{age},{:.1}", v)?;
                    n += 1;
                }
            }
        }
    }
    w.flush()?;
    Ok(n)
}

/// Observations of the API benchmark's indicator I00: 20 areas × 7 breakdowns × 15 years.
const API_ROWS: usize = 2_100;

/// The API benchmark: a new SQLite file with [`API_ROWS`] observations of I00, `kimo serve
/// --no-cache` on it, then one connection and `connections` connections at once.
fn api(
    requests: usize,
    seconds: u64,
    connections: usize,
    server: Option<std::path::PathBuf>,
) -> Result<()> {
    let dir = tempfile_dir()?;
    let db = dir.join("api.db");
    let csv = dir.join("api.csv");
    let store = Store::open(&db.display().to_string())?;
    store.apply(&bench_catalogue(), &ApplyOptions::default(), &mut |_, _| {})?;
    write_bench_csv(&csv, API_ROWS)?;
    let ctx = kimo_import::Context {
        dimensions: store.dimensions()?,
        areas: store.areas(false)?,
        ..Default::default()
    };
    let (ds, problems) = kimo_import::read_path(&csv, &ctx);
    if let Some(p) = problems.first() {
        bail!("Benchmark-Datei fehlerhaft: {p}");
    }
    store.apply(&ds, &ApplyOptions::default(), &mut |_, _| {})?;
    drop(store);
    let port = free_port()?;
    let exe = match server {
        Some(p) => p,
        None => std::env::current_exe()?,
    };
    let mut child = std::process::Command::new(exe)
        .args(["--database", &format!("sqlite://{}", db.display())])
        .args(["serve", "--no-cache", "--port", &port.to_string()])
        .env_remove("KIMO_DATABASE_URL")
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("kimo serve startet nicht")?;
    let result = api_measure(child.id(), port, (requests, seconds), connections.max(1));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The measurements of [`api`] against a running server.
fn api_measure(
    pid: u32,
    port: u16,
    (requests, seconds): (usize, u64),
    connections: usize,
) -> Result<()> {
    let t0 = Instant::now();
    while get_status(port) != Some(200) {
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("kimo serve hat nach 60 s nicht geantwortet");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let path = "/api/v1/indicators/I00/observations";
    let mut c = HttpClient::connect(port, path)?;
    let bytes = c.get()?.1;
    for _ in 0..20 {
        c.get()?;
    }
    let mut single = Vec::with_capacity(requests);
    let cpu = cpu_seconds(pid);
    for _ in 0..requests.max(1) {
        single.push(c.get()?.0);
    }
    println!("GET {path} ohne Cache: {API_ROWS} Beobachtungen, {bytes} Bytes je Antwort");
    print_latency("1 Verbindung", &mut single, None);
    if let (Some(a), Some(b)) = (cpu, cpu_seconds(pid)) {
        println!(
            "CPU-Zeit des Servers je Anfrage (1 Verbindung): {} ms",
            fmt_de((b - a) * 1000.0 / single.len() as f64, 2)
        );
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            std::thread::spawn(move || -> Result<Vec<Duration>> {
                let mut c = HttpClient::connect(port, path)?;
                let mut times = Vec::new();
                while Instant::now() < deadline {
                    times.push(c.get()?.0);
                }
                Ok(times)
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        let times = w
            .join()
            .map_err(|_| anyhow::anyhow!("Lastgenerator abgebrochen"))??;
        all.extend(times);
    }
    print_latency(
        &format!("{connections} Verbindungen"),
        &mut all,
        Some(seconds as f64),
    );
    Ok(())
}

/// CPU time (user + system) a process has used so far, from `/proc` (Linux; None elsewhere).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Prints mean, p50, p99 (and requests per second over `seconds`) of request times.
fn print_latency(label: &str, times: &mut [Duration], seconds: Option<f64>) {
    times.sort();
    let n = times.len().max(1);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / n as f64;
    let at = |q: usize| times.get((n * q / 100).min(n - 1)).map_or(0.0, |d| ms(*d));
    let rate = seconds.map_or(String::new(), |s| {
        format!(", {} Anfragen/s", fmt_de(times.len() as f64 / s, 0))
    });
    println!(
        "{label}: {} Anfragen, Mittel {} ms, p50 {} ms, p99 {} ms{rate}",
        times.len(),
        fmt_de(mean, 2),
        fmt_de(at(50), 2),
        fmt_de(at(99), 2)
    );
}

/// A number in German notation.
fn fmt_de(x: f64, decimals: usize) -> String {
    kimo_model::format_number(x, decimals)
}

/// A keep-alive HTTP/1.1 connection that asks for one path again and again.
struct HttpClient {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl HttpClient {
    fn connect(port: u16, path: &str) -> Result<HttpClient> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(HttpClient {
            stream,
            request: format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").into_bytes(),
            buf: Vec::with_capacity(256 * 1024),
        })
    }

    /// One request: (time to the last byte of the answer, body length); a status other than 200
    /// is an error.
    fn get(&mut self) -> Result<(Duration, usize)> {
        let t0 = Instant::now();
        self.stream.write_all(&self.request)?;
        self.buf.clear();
        let mut chunk = [0u8; 64 * 1024];
        let (head, (start, length)) = loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                bail!("Verbindung vom Server geschlossen");
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .context("Antwort ohne Content-Length")?;
                break (head, (end + 4, length));
            }
        };
        if !head.starts_with("http/1.1 200") {
            bail!("Antwort: {}", head.lines().next().unwrap_or(""));
        }
        while self.buf.len() < start + length {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                bail!("Verbindung vom Server geschlossen");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        Ok((t0.elapsed(), length))
    }
}
