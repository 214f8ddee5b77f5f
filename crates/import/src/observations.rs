//! Observation tables: kimo's long format (one row per value) and wide tables (periods as columns).

use crate::Context;
use crate::notation::{Reading, read_cell};
use crate::table::{Cell, Table, header_key};
use kimo_model::{Breakdown, Dataset, Flags, Observation, Origin, Period, Problem};

/// Header aliases of the long format's standard columns (normalised keys).
pub const INDICATOR: &[&str] = &["indicator", "indikator", "kennzahl"];
/// Period column aliases.
pub const PERIOD: &[&str] = &["period", "zeitraum", "periode", "jahr", "year", "stichtag"];
/// Aliases of the optional period-kind column: a row whose cell there says [`LABEL_KIND`] (or
/// `bezeichnung`) keeps its period text verbatim as a labelled period ([`Period::Label`]); without
/// it a period must be a known one, so that a typo (`20244`, `2O24`) is refused, not kept as a label.
pub const PERIOD_KIND: &[&str] = &["period_kind", "zeitraumart", "zeitraum_art"];
/// The period-kind cell that marks a labelled period, as kimo's long CSV writes it.
pub const LABEL_KIND: &str = "label";
/// Area column aliases.
pub const AREA: &[&str] = &["area", "gebiet", "stadtteil", "raum", "raumeinheit"];
/// Value column aliases.
pub const VALUE: &[&str] = &["value", "wert"];
/// Numerator column aliases.
pub const NUMERATOR: &[&str] = &["numerator", "zaehler"];
/// Denominator column aliases.
pub const DENOMINATOR: &[&str] = &["denominator", "nenner"];
/// Flags column aliases.
pub const FLAGS: &[&str] = &["flags", "kennzeichen"];

fn find(keys: &[String], aliases: &[&str]) -> Option<usize> {
    keys.iter().position(|k| aliases.contains(&k.as_str()))
}

/// What a column of an observation table means.
enum Col {
    Skip,
    Dimension(String),
}

/// Maps the non-standard columns to dimensions; unknown columns are problems.
fn dimension_columns(
    t: &Table,
    ctx: &Context,
    standard: &[usize],
    first_period: usize,
) -> (Vec<Col>, Vec<Problem>) {
    let keys = t.keys();
    let mut cols = Vec::new();
    let mut problems = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if standard.contains(&i) || i >= first_period {
            cols.push(Col::Skip);
            continue;
        }
        match ctx
            .dimensions
            .iter()
            .find(|d| header_key(&d.code) == *k || header_key(&d.name) == *k)
        {
            Some(d) => cols.push(Col::Dimension(d.code.clone())),
            None => {
                problems.push(t.problem(
                    1,
                    i,
                    format!(
                        "unbekannte Spalte '{}': weder Standardspalte (indikator, zeitraum, gebiet, wert, zaehler, nenner, kennzeichen) noch bekanntes Merkmal",
                        t.header[i]
                    ),
                ));
                cols.push(Col::Skip);
            }
        }
    }
    (cols, problems)
}

fn breakdown(
    t: &Table,
    ctx: &Context,
    cols: &[Col],
    line: usize,
    cells: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<Breakdown> {
    let mut b = Breakdown::total();
    let mut ok = true;
    for (i, col) in cols.iter().enumerate() {
        let Col::Dimension(d) = col else { continue };
        let v = cells.get(i).map(Cell::text).unwrap_or_default();
        if v.is_empty() || v.eq_ignore_ascii_case("insgesamt") || v.eq_ignore_ascii_case("total") {
            continue;
        }
        match ctx.category(d, &v) {
            Some(code) => {
                b.insert(d.clone(), code);
            }
            None => {
                problems.push(t.problem(
                    line,
                    i,
                    format!("unbekannte Ausprägung '{v}' des Merkmals '{d}'"),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(b)
}

fn number(
    t: &Table,
    line: usize,
    col: usize,
    cells: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<Reading> {
    let cell = cells.get(col).unwrap_or(&Cell::Empty);
    match read_cell(cell, t.decimal_comma) {
        Ok(n) => Some(n),
        Err(e) => {
            problems.push(t.problem(line, col, e.to_string()));
            None
        }
    }
}

fn opt_value(n: Option<Reading>) -> Option<f64> {
    match n {
        Some(Reading::Value(v, _)) => Some(v),
        _ => None,
    }
}

/// Whether a table is in the long format (it has a value column).
pub fn is_long(t: &Table) -> bool {
    let k = t.keys();
    find(&k, VALUE).is_some() && find(&k, PERIOD).is_some()
}

/// Whether a table is wide: an area column and at least one header that is a period.
pub fn is_wide(t: &Table) -> bool {
    let k = t.keys();
    find(&k, AREA).is_some() && t.header.iter().any(|h| Period::parse(h).is_ok())
}

/// The columns of a long table: the required ones and the optional ones (None when absent).
struct LongColumns {
    indicator: Option<usize>,
    period: usize,
    area: usize,
    value: usize,
    numerator: Option<usize>,
    denominator: Option<usize>,
    flags: Option<usize>,
    period_kind: Option<usize>,
}

impl LongColumns {
    /// Finds the standard columns; a problem for each required one that is missing.
    fn find(t: &Table, ctx: &Context, problems: &mut Vec<Problem>) -> Option<LongColumns> {
        let keys = t.keys();
        let indicator = find(&keys, INDICATOR);
        let period = find(&keys, PERIOD);
        let area = find(&keys, AREA);
        let value = find(&keys, VALUE);
        for (name, col) in [("zeitraum", period), ("gebiet", area), ("wert", value)] {
            if col.is_none() {
                problems.push(t.file_problem(format!("Pflichtspalte '{name}' fehlt")));
            }
        }
        if indicator.is_none() && ctx.indicator.is_none() {
            problems.push(
                t.file_problem("Pflichtspalte 'indikator' fehlt (oder --indicator CODE angeben)"),
            );
        }
        Some(LongColumns {
            indicator,
            period: period?,
            area: area?,
            value: value?,
            numerator: find(&keys, NUMERATOR),
            denominator: find(&keys, DENOMINATOR),
            flags: find(&keys, FLAGS),
            period_kind: find(&keys, PERIOD_KIND),
        })
    }

    fn standard(&self) -> Vec<usize> {
        [
            self.indicator,
            Some(self.period),
            Some(self.area),
            Some(self.value),
            self.numerator,
            self.denominator,
            self.flags,
            self.period_kind,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Reads kimo's long format.
pub fn read_long(t: &Table, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let (reader, mut problems) = LongReader::new(t, ctx);
    let mut ds = Dataset::default();
    if let Some(r) = reader {
        r.read(t, ctx, &mut ds.observations, &mut problems);
    }
    (ds, problems)
}

/// The columns of a long table, found once from its header; reads its rows in as many pieces as
/// wanted (a streamed file chunk by chunk).
pub struct LongReader {
    c: LongColumns,
    dims: Vec<Col>,
}

impl LongReader {
    /// Finds the columns in the header of `t`; `None` when a required one is missing. Returns the
    /// header's problems (missing or unknown columns).
    pub fn new(t: &Table, ctx: &Context) -> (Option<LongReader>, Vec<Problem>) {
        let mut problems = Vec::new();
        let Some(c) = LongColumns::find(t, ctx, &mut problems) else {
            return (None, problems);
        };
        let (dims, p) = dimension_columns(t, ctx, &c.standard(), usize::MAX);
        problems.extend(p);
        (Some(LongReader { c, dims }), problems)
    }

    /// Reads the rows of `t` (same header) into `out`, adding their problems.
    pub fn read(
        &self,
        t: &Table,
        ctx: &Context,
        out: &mut Vec<Observation>,
        problems: &mut Vec<Problem>,
    ) {
        problems.extend(t.cells_without_header());
        out.reserve(t.rows.len());
        for (line, cells) in &t.rows {
            if let Some(o) = long_row(t, ctx, &self.c, &self.dims, *line, cells, problems) {
                out.push(o);
            }
        }
    }
}

/// One row of a long table; None (with the row's problems added) when a cell is wrong.
fn long_row(
    t: &Table,
    ctx: &Context,
    c: &LongColumns,
    dims: &[Col],
    line: usize,
    cells: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<Observation> {
    let text = |i: usize| cells.get(i).map(Cell::cow).unwrap_or_default();
    let indicator = match c.indicator {
        Some(i) => text(i).into_owned(),
        None => ctx.indicator.clone().unwrap_or_default(),
    };
    if indicator.is_empty() {
        problems.push(t.problem(line, c.indicator.unwrap_or(0), "Indikator fehlt"));
        return None;
    }
    let before = problems.len();
    let period = long_period(c, &text).map_err(|(col, m)| problems.push(t.problem(line, col, m)));
    let area = ctx.area_code(&text(c.area));
    if area.is_empty() {
        problems.push(t.problem(line, c.area, "Gebiet fehlt"));
    }
    let value = number(t, line, c.value, cells, problems);
    if value == Some(Reading::Skip) {
        // `…`: the figure comes later; nothing to store and nothing wrong.
        return None;
    }
    let (value, flags) = value_and_flags(t, c, line, value, &text, problems);
    let numerator = c
        .numerator
        .and_then(|i| number(t, line, i, cells, problems));
    let denominator = c
        .denominator
        .and_then(|i| number(t, line, i, cells, problems));
    let b = breakdown(t, ctx, dims, line, cells, problems);
    let (Ok(period), Some(breakdown)) = (period, b) else {
        return None;
    };
    if problems.len() > before {
        return None;
    }
    Some(Observation {
        indicator,
        period,
        area,
        breakdown,
        value,
        numerator: opt_value(numerator),
        denominator: opt_value(denominator),
        flags,
        origin: Some(Origin {
            file: t.file.clone(),
            line,
            column: c.area + 1,
            numbers: [
                c.value + 1,
                c.numerator.map_or(0, |n| n + 1),
                c.denominator.map_or(0, |d| d + 1),
            ],
        }),
    })
}

/// The period of a long row: a known period, or a label where the period-kind column says so;
/// else (column, message) of the problem.
fn long_period<'a>(
    c: &LongColumns,
    text: &impl Fn(usize) -> std::borrow::Cow<'a, str>,
) -> Result<Period, (usize, String)> {
    let kind = c.period_kind.map(|i| (i, text(i)));
    let key = kind.as_ref().map(|(_, k)| k.trim().to_lowercase());
    let period = text(c.period);
    let parsed = match (&kind, key.as_deref()) {
        (None, _) | (_, Some("")) => Period::parse(&period),
        (_, Some(LABEL_KIND | "bezeichnung")) => Period::parse_or_label(&period),
        (Some((i, k)), _) => {
            return Err((
                *i,
                format!(
                    "'{k}' ist keine Zeitraumart (leer oder '{LABEL_KIND}' für eine Bezeichnung)"
                ),
            ));
        }
    };
    parsed.map_err(|e| match e {
        kimo_model::ParseError::Period(_) => (
            c.period,
            format!(
                "{e}; eine freie Bezeichnung braucht '{LABEL_KIND}' in der Spalte 'period_kind'"
            ),
        ),
        e => (c.period, e.to_string()),
    })
}

/// The value of a long row and its flags: the `kennzeichen` column together with the notation's.
fn value_and_flags<'a>(
    t: &Table,
    c: &LongColumns,
    line: usize,
    value: Option<Reading>,
    text: &impl Fn(usize) -> std::borrow::Cow<'a, str>,
    problems: &mut Vec<Problem>,
) -> (Option<f64>, Flags) {
    let mut flags = match c.flags.map(|i| Flags::parse(&text(i))) {
        Some(Err(e)) => {
            problems.push(t.problem(line, c.flags.unwrap_or(0), e.to_string()));
            Flags::default()
        }
        Some(Ok(f)) => f,
        None => Flags::default(),
    };
    let value = match value {
        Some(Reading::Value(v, f)) => {
            flags = flags.union(f);
            Some(v)
        }
        Some(Reading::NoValue(f)) => {
            flags = flags.union(f);
            None
        }
        Some(Reading::Empty) if !flags.suppressed && !flags.uncertain => {
            problems.push(t.problem(
                line,
                c.value,
                "Wert fehlt (für geheim gehaltene Werte '.' oder Kennzeichen 's')",
            ));
            None
        }
        _ => None,
    };
    (value, flags)
}

/// Reads a wide table: one row per indicator × area × categories, one column per period.
pub fn read_wide(t: &Table, ctx: &Context) -> (Dataset, Vec<Problem>) {
    let keys = t.keys();
    let mut problems = Vec::new();
    let ind = find(&keys, INDICATOR);
    let Some(area) = find(&keys, AREA) else {
        return (
            Dataset::default(),
            vec![t.file_problem("Pflichtspalte 'gebiet' fehlt")],
        );
    };
    if ind.is_none() && ctx.indicator.is_none() {
        return (Dataset::default(), vec![t.file_problem(
            "Spalte 'indikator' fehlt: bei einer Tabelle ohne diese Spalte den Indikator mit --indicator CODE angeben",
        )]);
    }
    let first_period = t
        .header
        .iter()
        .position(|h| Period::parse(h).is_ok())
        .unwrap_or(t.header.len());
    let mut periods = Vec::new();
    for (i, h) in t.header.iter().enumerate().skip(first_period) {
        match Period::parse(h) {
            Ok(p) => periods.push((i, p)),
            Err(e) => problems.push(t.problem(1, i, format!("Spaltenkopf ist kein Zeitraum: {e}"))),
        }
    }
    let standard: Vec<usize> = [ind, Some(area)].into_iter().flatten().collect();
    let (cols, p) = dimension_columns(t, ctx, &standard, first_period);
    problems.extend(p);
    problems.extend(t.cells_without_header());
    let mut ds = Dataset::default();
    for (line, cells) in &t.rows {
        let line = *line;
        let text = |i: usize| cells.get(i).map(Cell::text).unwrap_or_default();
        let indicator = ind
            .map(text)
            .or_else(|| ctx.indicator.clone())
            .unwrap_or_default();
        let area_code = ctx.area_code(&text(area));
        if area_code.is_empty() {
            problems.push(t.problem(line, area, "Gebiet fehlt"));
            continue;
        }
        let Some(b) = breakdown(t, ctx, &cols, line, cells, &mut problems) else {
            continue;
        };
        for (col, period) in &periods {
            let Some(n) = number(t, line, *col, cells, &mut problems) else {
                continue;
            };
            let (value, flags) = match n {
                Reading::Empty | Reading::Skip => continue,
                Reading::NoValue(f) => (None, f),
                Reading::Value(v, f) => (Some(v), f),
            };
            ds.observations.push(Observation {
                indicator: indicator.clone(),
                period: period.clone(),
                area: area_code.clone(),
                breakdown: b.clone(),
                value,
                numerator: None,
                denominator: None,
                flags,
                origin: Some(Origin {
                    file: t.file.clone(),
                    line,
                    column: col + 1,
                    numbers: [col + 1, 0, 0],
                }),
            });
        }
    }
    (ds, problems)
}
