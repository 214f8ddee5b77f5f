//! Reading CSV (any German office's flavour) and XLSX sheets into one table shape.

use crate::Error;
use kimo_model::{Origin, Problem};
use std::path::Path;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text as written.
    Text(String),
    /// A number stored as a number (XLSX).
    Number(f64),
}

impl Cell {
    /// The cell as trimmed text ("" when empty).
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(v) => {
                if v.fract() == 0.0 && v.abs() < 1e15 {
                    format!("{}", *v as i64)
                } else {
                    format!("{v}")
                }
            }
        }
    }
    /// The cell as trimmed text, borrowed where it is text.
    pub fn cow(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => std::borrow::Cow::Borrowed(s.trim()),
            _ => std::borrow::Cow::Owned(self.text()),
        }
    }
    /// Whether the cell is empty or blank.
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            Cell::Number(_) => false,
        }
    }
}

/// A table: header and data rows with their 1-based line numbers.
#[derive(Debug, Clone)]
pub struct Table {
    /// File name (and sheet) for messages.
    pub file: String,
    /// Header cells as written.
    pub header: Vec<String>,
    /// (line number, cells).
    pub rows: Vec<(usize, Vec<Cell>)>,
    /// Whether numbers in text use the German decimal comma.
    pub decimal_comma: bool,
}

impl Table {
    /// A table without the empty columns Excel leaves at the right (`a;b;;;`): trailing empty header
    /// cells and trailing empty cells of every row are dropped.
    pub fn new(
        file: String,
        mut header: Vec<String>,
        mut rows: Vec<(usize, Vec<Cell>)>,
        decimal_comma: bool,
    ) -> Table {
        while header.last().is_some_and(|h| h.trim().is_empty()) {
            header.pop();
        }
        for (_, cells) in &mut rows {
            while cells.last().is_some_and(Cell::is_empty) {
                cells.pop();
            }
        }
        Table {
            file,
            header,
            rows,
            decimal_comma,
        }
    }
    /// Problems for rows with filled cells right of the last header cell (data without a column
    /// name), one per row at the first such cell; in a comma-separated file the message hints at a
    /// decimal comma that split a number into two fields. Empty cells there are fine (`a;b;;;`).
    pub fn cells_without_header(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (line, cells) in &self.rows {
            let extra = cells.iter().enumerate().skip(self.header.len());
            let Some((i, cell)) = extra.into_iter().find(|(_, c)| !c.is_empty()) else {
                continue;
            };
            let mut message = format!(
                "'{}' steht in einer Spalte ohne Spaltenkopf",
                quote(&cell.text())
            );
            if !self.decimal_comma {
                message.push_str(&format!(
                    " (die Zeile hat {} Felder, der Kopf nur {}) – steckt ein Dezimalkomma in einer Zahl? \
                     In einer mit Komma getrennten Datei wird 4,5 zu zwei Feldern: dort 4.5 schreiben oder \"4,5\" in Anführungszeichen setzen",
                    cells.len(),
                    self.header.len()
                ));
            }
            problems.push(self.problem(*line, i, message));
        }
        problems
    }
    /// A problem at a row and (0-based) column.
    pub fn problem(&self, line: usize, col: usize, message: impl Into<String>) -> Problem {
        Problem {
            origin: Origin {
                file: self.file.clone(),
                line,
                column: col + 1,
                ..Default::default()
            },
            message: message.into(),
        }
    }
    /// A problem with the whole file.
    pub fn file_problem(&self, message: impl Into<String>) -> Problem {
        Problem::whole_file(self.file.clone(), message)
    }
    /// The normalised header names (lower case, umlauts transliterated, `_` for separators).
    pub fn keys(&self) -> Vec<String> {
        self.header.iter().map(|h| header_key(h)).collect()
    }
}

pub use kimo_model::{QUOTE_MAX, quote};

/// Normalises a header cell for matching: `Zähler ` → `zaehler`, `Merkmal Name` → `merkmal_name`.
pub fn header_key(h: &str) -> String {
    kimo_model::slug(h.trim_start_matches('\u{feff}')).replace(['-', '.'], "_")
}

fn file_problem(file: &str, message: String) -> Problem {
    Problem::whole_file(file, message)
}

/// Decodes bytes: UTF-8 (with or without BOM), otherwise Windows-1252 as German Excel writes it.
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

/// Decodes a CSV file like [`decode`], but refuses a file of mixed encodings — UTF-8 (a BOM or a
/// valid multi-byte character) with a byte that is no UTF-8 — naming the line of the first such
/// byte, instead of misreading the whole file as Windows-1252.
pub fn decode_checked(file: &str, bytes: &[u8]) -> Result<String, Problem> {
    let (body, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let Err(e) = std::str::from_utf8(body) else {
        return Ok(decode(bytes));
    };
    let utf8 = bom || body.utf8_chunks().any(|c| !c.valid().is_ascii());
    if !utf8 {
        return Ok(decode(bytes));
    }
    let at = e.valid_up_to();
    let line = bytecount_newlines(&body[..at]) + 1;
    Err(mixed_encoding(file, line, body[at]))
}

/// The problem of a UTF-8 file with a non-UTF-8 byte (`byte`) on `line`: mixed encodings are refused.
pub(crate) fn mixed_encoding(file: &str, line: usize, byte: u8) -> Problem {
    Problem {
        origin: Origin {
            file: file.to_string(),
            line,
            column: 0,
            ..Default::default()
        },
        message: format!(
            "gemischte Zeichenkodierung: die Datei ist UTF-8, enthält hier aber das Byte 0x{byte:02X}, das kein UTF-8 ist (wohl Windows-1252) – bitte die Datei einheitlich als UTF-8 speichern"
        ),
    }
}

/// Guesses the separator from the first line: `;`, tab or `,` (outside quotes).
pub fn sniff_delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    if semi >= comma && semi >= tab && semi > 0 {
        b';'
    } else if tab > comma {
        b'\t'
    } else {
        b','
    }
}

/// Reads a CSV file in any usual encoding and separator.
pub fn read_csv(path: &Path) -> Result<Table, Vec<Problem>> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| vec![file_problem(&file, format!("Datei nicht lesbar: {e}"))])?;
    read_csv_text(&file, &decode_checked(&file, &bytes).map_err(|p| vec![p])?)
}

/// Reads CSV text (already decoded).
pub fn read_csv_text(file: &str, text: &str) -> Result<Table, Vec<Problem>> {
    // Old Mac files end lines with a bare CR: read them as lines (and count them).
    let text = &if text.contains('\r') && !text.contains('\n') {
        std::borrow::Cow::Owned(text.replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let delim = sniff_delimiter(text);
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut header = None;
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let (mut line, mut counted) = (1usize, 0usize);
    for rec in rdr.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(Problem {
                    origin: Origin {
                        file: file.to_string(),
                        line,
                        column: 0,
                        ..Default::default()
                    },
                    message: format!("CSV nicht lesbar: {e}"),
                });
                continue;
            }
        };
        // Count lines ourselves: the csv crate's line numbers skip blank lines.
        let mut byte = rec.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        line += bytecount_newlines(&text.as_bytes()[counted..byte.max(counted)]);
        counted = byte.max(counted);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if header.is_none() {
            // Cells kimo wrote with a `'` against CSV injection lose it (kimo_model::csv_unescape).
            let cells = rec
                .iter()
                .map(|s| kimo_model::csv_unescape(s.trim()).to_string());
            header = Some(cells.collect::<Vec<_>>());
            continue;
        }
        rows.push((
            line,
            rec.iter()
                .map(|s| {
                    if s.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(kimo_model::csv_unescape(s).to_string())
                    }
                })
                .collect(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some(header) = header else {
        return Err(vec![file_problem(file, "die Datei ist leer".into())]);
    };
    Ok(Table::new(file.to_string(), header, rows, delim != b','))
}

fn bytecount_newlines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// Reads the sheets of an XLSX workbook: the named one, or all visible ones (a hidden sheet is
/// skipped with a notice). Returns the tables and the notices.
pub fn read_xlsx(
    path: &Path,
    sheet: Option<&str>,
) -> Result<(Vec<Table>, Vec<Problem>), Vec<Problem>> {
    use calamine::{Reader, SheetVisible, Xlsx, open_workbook};
    let file = path.display().to_string();
    let mut wb: Xlsx<_> = open_workbook(path)
        .map_err(|e| vec![file_problem(&file, format!("XLSX nicht lesbar: {e}"))])?;
    let names = wb.sheet_names().to_vec();
    let mut notices = Vec::new();
    let chosen: Vec<String> = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(vec![file_problem(
                    &file,
                    format!(
                        "Tabellenblatt '{s}' fehlt (vorhanden: {})",
                        names.join(", ")
                    ),
                )]);
            }
            vec![s.to_string()]
        }
        None => {
            let (visible, hidden): (Vec<_>, Vec<_>) = wb
                .sheets_metadata()
                .iter()
                .partition(|s| s.visible == SheetVisible::Visible);
            notices.extend(hidden.iter().map(|s| {
                file_problem(
                    &file,
                    format!(
                        "Tabellenblatt '{}' ist ausgeblendet und wird übersprungen (mit --sheet '{}' wird es gelesen)",
                        s.name, s.name
                    ),
                )
            }));
            visible.iter().map(|s| s.name.clone()).collect()
        }
    };
    let mut tables = Vec::new();
    for name in chosen {
        let mut range = sheet_range(&mut wb, &name)
            .map_err(|e| vec![file_problem(&file, format!("Blatt '{name}': {e}"))])?;
        let merged = wb
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| vec![file_problem(&file, format!("Blatt '{name}': {e}"))])?;
        fill_merged(&mut range, &merged);
        if let Some(t) = sheet_table(format!("{file} [{name}]"), &range) {
            tables.push(t);
        }
    }
    Ok((tables, notices))
}

/// The most cells a sheet may span from its first to its last filled cell (e.g. 100.000 rows × 50
/// columns): a sheet is read as one block of that size, and a stray cell far away (in XFD1048576)
/// would make it billions.
pub const MAX_SHEET_CELLS: u64 = 5_000_000;

/// A sheet's filled cells as one block, refused (in German) beyond [`MAX_SHEET_CELLS`].
fn sheet_range<R: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Xlsx<R>,
    name: &str,
) -> Result<calamine::Range<calamine::Data>, String> {
    use calamine::{Data, DataRef};
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(calamine::Range::default()),
        Err(e) => return Err(e.to_string()),
    };
    let mut cells = Vec::new();
    let (mut first, mut last) = ((u32::MAX, u32::MAX), (0u32, 0u32));
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        first = (first.0.min(r), first.1.min(c));
        last = (last.0.max(r), last.1.max(c));
        cells.push(calamine::Cell::new(
            (r, c),
            Data::from(cell.get_value().clone()),
        ));
    }
    if let Some(size) = block_size(first, last).filter(|&n| n > MAX_SHEET_CELLS) {
        return Err(format!(
            "die gefüllten Zellen reichen von {} bis {} ({} Zellen, höchstens {} lesbar) – bitte nur den Tabellenbereich speichern oder verirrte Einträge löschen",
            cell_name(first),
            cell_name(last),
            kimo_model::format_number(size as f64, 0),
            kimo_model::format_number(MAX_SHEET_CELLS as f64, 0)
        ));
    }
    Ok(calamine::Range::from_sparse(cells))
}

/// The number of cells from `first` to `last` (None without cells).
fn block_size(first: (u32, u32), last: (u32, u32)) -> Option<u64> {
    (first.0 <= last.0 && first.1 <= last.1)
        .then(|| (u64::from(last.0 - first.0) + 1) * (u64::from(last.1 - first.1) + 1))
}

/// A cell's name as Excel writes it: (0, 0) → `A1`.
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8_lossy(&letters),
        u64::from(row) + 1
    )
}

/// Gives every cell of a merged region the value of its top-left cell (Excel shows it across the
/// region), within the sheet's filled block (a region may reach far beyond it).
fn fill_merged(range: &mut calamine::Range<calamine::Data>, merged: &[calamine::Dimensions]) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    for m in merged {
        let Some(v) = range.get_value(m.start).cloned() else {
            continue;
        };
        if v == calamine::Data::Empty {
            continue;
        }
        for row in m.start.0.max(start.0)..=m.end.0.min(end.0) {
            for col in m.start.1.max(start.1)..=m.end.1.min(end.1) {
                if (row, col) != m.start {
                    range.set_value((row, col), v.clone());
                }
            }
        }
    }
}

/// One sheet as a table: the first non-empty row is the header; None for an empty sheet.
fn sheet_table(file: String, range: &calamine::Range<calamine::Data>) -> Option<Table> {
    use calamine::Data;
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let start_col = range.start().map_or(0, |(_, c)| c as usize);
    let mut header = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let line = start_row + i + 1;
        let mut cells: Vec<Cell> = vec![Cell::Empty; start_col];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty => Cell::Empty,
            Data::String(s) => Cell::Text(s.clone()),
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Bool(b) => Cell::Text(if *b { "ja" } else { "nein" }.into()),
            Data::DateTime(dt) => excel_date(dt.as_f64()),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
            Data::Error(e) => Cell::Text(format!("#{e:?}")),
        }));
        if cells.iter().all(Cell::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some(cells.iter().map(Cell::text).collect::<Vec<_>>());
            continue;
        }
        rows.push((line, cells));
    }
    Some(Table::new(file, header?, rows, true))
}

/// An Excel date serial (days since 1899-12-30) as a German date cell.
fn excel_date(serial: f64) -> Cell {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid date");
    match base.checked_add_signed(chrono::TimeDelta::days(serial.floor() as i64)) {
        Some(d) => Cell::Text(d.format("%d.%m.%Y").to_string()),
        None => Cell::Number(serial),
    }
}

/// A plain number cell as read: a value or nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A number.
    Value(f64),
    /// Empty cell.
    Empty,
}

/// Parses a plain number cell: German (`1.234,5`) or international (`1,234.5`) notation, `%` allowed;
/// `NaN`, `inf`, `Infinity` and numbers too large for a double are refused. The statistics symbols
/// (`.`, `–`, `(12,5)`, `12,3 p`, …) are read by [`crate::notation::read_cell`].
pub fn parse_number(cell: &Cell, decimal_comma: bool) -> Result<Num, Error> {
    match parse_number_unchecked(cell, decimal_comma)? {
        Num::Value(v) if !v.is_finite() => Err(Error::NotFinite(cell.text())),
        n => Ok(n),
    }
}

/// [`parse_number`] without the check for finite values.
fn parse_number_unchecked(cell: &Cell, decimal_comma: bool) -> Result<Num, Error> {
    let raw = match cell {
        Cell::Empty => return Ok(Num::Empty),
        Cell::Number(v) => return Ok(Num::Value(*v)),
        Cell::Text(s) => s,
    };
    let s: String = raw
        .trim()
        .trim_end_matches('%')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '\'')
        .map(|c| if c == '−' { '-' } else { c })
        .collect();
    if s.is_empty() {
        return Ok(Num::Empty);
    }
    let err = || Error::Number(raw.trim().to_string());
    let (body, sign) = match s.strip_prefix('-') {
        Some(b) => (b, -1.0),
        None => (s.strip_prefix('+').unwrap_or(&s), 1.0),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        // Scientific notation from machines (1e-3) and from German Excel (1,5E+06).
        let sci = match decimal_comma && !s.contains('.') && s.matches(',').count() == 1 {
            true => s.replace(',', "."),
            false => s.clone(),
        };
        return sci.parse::<f64>().map(Num::Value).map_err(|_| err());
    }
    let (group, decimal) = if decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let normalised = if body.contains(decimal) {
        let (int, frac) = body.split_once(decimal).ok_or_else(err)?;
        if frac.contains(group) || frac.contains(decimal) || !valid_groups(int, group) {
            return Err(err());
        }
        format!("{}.{frac}", int.replace(group, ""))
    } else if body.contains(group) {
        if valid_groups(body, group) {
            body.replace(group, "")
        } else if decimal_comma && body.matches('.').count() == 1 {
            // "12.5" in a German file: a decimal point typed by hand.
            body.to_string()
        } else {
            return Err(err());
        }
    } else {
        body.to_string()
    };
    normalised
        .parse::<f64>()
        .map(|v| Num::Value(sign * v))
        .map_err(|_| err())
}

fn valid_groups(int: &str, sep: char) -> bool {
    let parts: Vec<&str> = int.split(sep).collect();
    if parts.len() == 1 {
        return !int.is_empty();
    }
    !parts[0].is_empty() && parts[0].len() <= 3 && parts[1..].iter().all(|p| p.len() == 3)
}

/// Parses a yes/no cell (`ja`, `x`, `1`, `true`, `wahr` / `nein`, `0`, `false`, empty).
pub fn parse_bool(cell: &Cell, default: bool) -> Result<bool, Error> {
    let t = cell.text().to_lowercase();
    match t.as_str() {
        "" => Ok(default),
        "ja" | "j" | "x" | "1" | "true" | "wahr" | "yes" | "y" => Ok(true),
        "nein" | "n" | "0" | "false" | "falsch" | "no" | "-" => Ok(false),
        _ => Err(Error::YesNo(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str, comma: bool) -> Result<Num, String> {
        parse_number(&Cell::Text(s.into()), comma).map_err(|e| e.to_string())
    }

    #[test]
    fn german_and_international_numbers() {
        assert_eq!(n("1.234,5", true), Ok(Num::Value(1234.5)));
        assert_eq!(n("1234,5", true), Ok(Num::Value(1234.5)));
        assert_eq!(n("311.635", true), Ok(Num::Value(311635.0)));
        assert_eq!(n("12.5", true), Ok(Num::Value(12.5)));
        assert_eq!(n("−3,2", true), Ok(Num::Value(-3.2)));
        assert_eq!(n("18,5 %", true), Ok(Num::Value(18.5)));
        assert_eq!(n("1,234.5", false), Ok(Num::Value(1234.5)));
        assert_eq!(n("7.9", false), Ok(Num::Value(7.9)));
        assert_eq!(n("", true), Ok(Num::Empty));
        assert!(n("abc", true).is_err());
        assert!(n("1,2,3", true).is_err());
        assert!(n("12.34.5", true).is_err());
        assert_eq!(n("1,5E+06", true), Ok(Num::Value(1.5e6)));
        assert_eq!(n("-2,5e-3", true), Ok(Num::Value(-2.5e-3)));
        assert_eq!(n("1.5E+06", false), Ok(Num::Value(1.5e6)));
        assert!(n("1,5E+06", false).is_err());
        assert!(n("1,5,0E3", true).is_err());
    }

    #[test]
    fn windows_1252_and_bom() {
        assert_eq!(decode(b"Gr\xfcnwinkel"), "Grünwinkel");
        assert_eq!(decode("\u{feff}Grünwinkel".as_bytes()), "Grünwinkel");
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_delimiter("a,b,c"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc"), b'\t');
    }

    #[test]
    fn csv_lines_are_counted_from_one() {
        let t = read_csv_text("x.csv", "a;b\n\n1;2\n3;4\n").unwrap();
        assert_eq!(t.header, vec!["a", "b"]);
        assert_eq!(t.rows[0].0, 3);
        assert_eq!(t.rows[1].0, 4);
        assert!(t.decimal_comma);
    }
}
