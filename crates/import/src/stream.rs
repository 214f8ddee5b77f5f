//! Long CSV files read in chunks: memory stays bounded whatever the file's size. Encoding, line ends
//! and separator are found before the first row, as [`crate::table::read_csv`] finds them for a whole
//! file, and every row is read by the same code as a whole long table ([`LongReader`]).

use crate::observations::{LongReader, is_long};
use crate::table::{Cell, Table};
use crate::{Context, Format, catalogue, opensdg};
use kimo_model::{Dataset, Observation, Origin, Problem};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Rows per chunk.
pub const CHUNK_ROWS: usize = 8_192;

/// What the bytes of a CSV file are, found in one pass before reading it.
struct Bytes {
    bom: bool,
    /// Windows-1252 rather than UTF-8.
    windows_1252: bool,
    /// Lines end with a bare CR (old Mac files).
    cr_only: bool,
    /// The start of the file, for sniffing the separator.
    head: Vec<u8>,
}

/// Scans the file: its encoding by the rules of [`crate::table::decode_checked`] (a file of mixed
/// encodings is refused at the line of its first non-UTF-8 byte), its line ends and its start.
fn scan(path: &Path, file: &str) -> Result<Bytes, Problem> {
    let unreadable =
        |e: std::io::Error| Problem::whole_file(file, format!("Datei nicht lesbar: {e}"));
    let mut f = File::open(path).map_err(unreadable)?;
    let mut block = vec![0u8; 1 << 18];
    let (mut carry, mut offset) = (Vec::<u8>::new(), 0u64);
    let (mut has_lf, mut has_cr, mut utf8_text) = (false, false, false);
    let mut first_invalid: Option<(u64, u8)> = None;
    let mut head = Vec::new();
    loop {
        let n = f.read(&mut block).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        if head.is_empty() {
            head = block[..n.min(1 << 16)].to_vec();
        }
        has_lf = has_lf || memchr::memchr(b'\n', &block[..n]).is_some();
        has_cr = has_cr || memchr::memchr(b'\r', &block[..n]).is_some();
        // Bytes of a character cut by the block's end wait for the next block.
        let start = offset - carry.len() as u64;
        carry.extend_from_slice(&block[..n]);
        let mut at = 0;
        loop {
            match std::str::from_utf8(&carry[at..]) {
                Ok(s) => {
                    utf8_text |= !s.is_ascii();
                    at = carry.len();
                    break;
                }
                Err(e) => {
                    utf8_text |= !carry[at..at + e.valid_up_to()].is_ascii();
                    let bad = at + e.valid_up_to();
                    match e.error_len() {
                        Some(len) => {
                            first_invalid.get_or_insert((start + bad as u64, carry[bad]));
                            at = bad + len;
                        }
                        None => {
                            at = bad;
                            break;
                        }
                    }
                }
            }
        }
        carry.drain(..at);
        offset += n as u64;
    }
    if let Some(&b) = carry.first() {
        first_invalid.get_or_insert((offset - carry.len() as u64, b));
    }
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    if let Some((at, byte)) = first_invalid
        && (bom || utf8_text)
    {
        return Err(mixed(path, file, at, byte)?);
    }
    Ok(Bytes {
        bom,
        windows_1252: first_invalid.is_some(),
        cr_only: has_cr && !has_lf,
        head,
    })
}

/// The problem of a file of mixed encodings: the line of its first non-UTF-8 byte.
fn mixed(path: &Path, file: &str, at: u64, byte: u8) -> Result<Problem, Problem> {
    let unreadable =
        |e: std::io::Error| Problem::whole_file(file, format!("Datei nicht lesbar: {e}"));
    let mut f = BufReader::new(File::open(path).map_err(unreadable)?);
    let mut lines = 1;
    let mut left = at;
    loop {
        let buf = f.fill_buf().map_err(unreadable)?;
        if buf.is_empty() || left == 0 {
            break;
        }
        let n = (buf.len() as u64).min(left) as usize;
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count();
        left -= n as u64;
        f.consume(n);
    }
    Ok(crate::table::mixed_encoding(file, lines, byte))
}

/// A reader that notes where line ends pass, so that a record's line is known from its byte offset
/// (the csv crate's own count skips blank lines).
struct LineEnds<R> {
    inner: R,
    offset: u64,
    /// Offsets of CR and LF bytes not yet passed, and whether each counts as a new line.
    ends: VecDeque<(u64, bool)>,
    /// The byte that ends a line: LF, or CR in old Mac files.
    newline: u8,
    lines_before: usize,
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for i in memchr::memchr2_iter(b'\n', b'\r', &buf[..n]) {
            self.ends
                .push_back((self.offset + i as u64, buf[i] == self.newline));
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineEnds<R> {
    /// The line of a record starting at `byte` (line ends right at its start belong before it).
    fn line_at(&mut self, byte: u64) -> usize {
        let mut p = byte;
        while let Some(&(o, counts)) = self.ends.front() {
            if o > p {
                break;
            }
            if o == p {
                p += 1;
            }
            self.lines_before += counts as usize;
            self.ends.pop_front();
        }
        self.lines_before + 1
    }
}

/// How far [`LongCsv::feed`] has read when it hands over a chunk.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    /// Bytes read so far.
    pub bytes: u64,
    /// The file's size in bytes.
    pub size: u64,
    /// The rows the whole file will have, estimated from the bytes read so far.
    pub estimated_rows: usize,
}

/// A long CSV file being read chunk by chunk.
pub struct LongCsv {
    file: String,
    rdr: csv::Reader<LineEnds<BufReader<File>>>,
    record: csv::ByteRecord,
    windows_1252: bool,
    table: Table,
    reader: Option<LongReader>,
    problems: Vec<Problem>,
    size: u64,
}

/// Opens a CSV file for streaming when it is a long observation table (by `--format` or its
/// header); `Ok(None)` when it is something else (catalogue, wide, Open SDG: read it whole).
pub fn open_long(path: &Path, ctx: &Context) -> Result<Option<LongCsv>, Vec<Problem>> {
    let file = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_lowercase();
    let by_name = matches!(ext.as_str(), "xlsx" | "xlsm" | "geojson" | "json");
    if by_name
        || path.is_dir()
        || !path.exists()
        || !matches!(ctx.format, Format::Auto | Format::Long)
    {
        return Ok(None);
    }
    let bytes = scan(path, &file).map_err(|p| vec![p])?;
    let mut rdr = reader(path, &file, &bytes).map_err(|p| vec![p])?;
    let mut record = csv::ByteRecord::new();
    let mut header = None;
    while header.is_none() {
        match rdr.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(_) => return Ok(None),
        }
        rdr.get_mut()
            .line_at(record.position().map_or(0, |p| p.byte()));
        let cells = decode_record(&record, bytes.windows_1252);
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        header = Some(
            cells
                .iter()
                .map(|s| kimo_model::csv_unescape(s.trim()).to_string())
                .collect::<Vec<_>>(),
        );
    }
    let delim = sniff(&bytes);
    let table = Table::new(
        file.clone(),
        header.unwrap_or_default(),
        Vec::new(),
        delim != b',',
    );
    let long = match ctx.format {
        Format::Long => true,
        _ => {
            catalogue::detect(&table).is_none() && !opensdg::is_open_sdg(&table) && is_long(&table)
        }
    };
    if !long {
        return Ok(None);
    }
    let (reader, problems) = LongReader::new(&table, ctx);
    Ok(Some(LongCsv {
        file,
        rdr,
        record,
        windows_1252: bytes.windows_1252,
        table,
        reader,
        problems,
        size: std::fs::metadata(path).map_or(0, |m| m.len()),
    }))
}

/// The separator, sniffed from the first line as [`crate::table::read_csv_text`] does.
fn sniff(bytes: &Bytes) -> u8 {
    let head = if bytes.bom {
        &bytes.head[3..]
    } else {
        &bytes.head[..]
    };
    let mut text = crate::table::decode(head);
    if bytes.cr_only {
        text = text.replace('\r', "\n");
    }
    crate::table::sniff_delimiter(&text)
}

fn reader(
    path: &Path,
    file: &str,
    bytes: &Bytes,
) -> Result<csv::Reader<LineEnds<BufReader<File>>>, Problem> {
    let unreadable =
        |e: std::io::Error| Problem::whole_file(file, format!("Datei nicht lesbar: {e}"));
    let mut f = BufReader::with_capacity(1 << 16, File::open(path).map_err(unreadable)?);
    if bytes.bom {
        f.consume(3);
        let _ = f.fill_buf();
    }
    let ends = LineEnds {
        inner: f,
        offset: 0,
        ends: VecDeque::new(),
        newline: if bytes.cr_only { b'\r' } else { b'\n' },
        lines_before: 0,
    };
    Ok(csv::ReaderBuilder::new()
        .delimiter(sniff(bytes))
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(ends))
}

/// The cells of a record as text.
fn decode_record(record: &csv::ByteRecord, windows_1252: bool) -> Vec<std::borrow::Cow<'_, str>> {
    record
        .iter()
        .map(|f| decode_field(f, windows_1252))
        .collect()
}

fn decode_field(f: &[u8], windows_1252: bool) -> std::borrow::Cow<'_, str> {
    if windows_1252 {
        encoding_rs::WINDOWS_1252.decode_without_bom_handling(f).0
    } else {
        String::from_utf8_lossy(f)
    }
}

/// Sets `cells` to the record's fields, reusing the text buffers already there.
fn fill_cells(cells: &mut Vec<Cell>, record: &csv::ByteRecord, windows_1252: bool) {
    cells.truncate(record.len());
    for (i, f) in record.iter().enumerate() {
        let s = decode_field(f, windows_1252);
        let text = kimo_model::csv_unescape(&s);
        let blank = s.trim().is_empty();
        match cells.get_mut(i) {
            Some(Cell::Text(buf)) if !blank => {
                buf.clear();
                buf.push_str(text);
            }
            Some(c) => {
                *c = if blank {
                    Cell::Empty
                } else {
                    Cell::Text(text.to_string())
                }
            }
            None => cells.push(if blank {
                Cell::Empty
            } else {
                Cell::Text(text.to_string())
            }),
        }
    }
}

impl LongCsv {
    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The number of rows the whole file will have, estimated from the bytes read so far.
    pub fn estimated_rows(&self, rows_read: usize) -> usize {
        let done = self.position().max(1);
        (self.size as u128 * rows_read as u128 / done as u128) as usize
    }

    /// How far the reader is in the file (bytes).
    pub fn position(&self) -> u64 {
        self.rdr.position().byte()
    }

    /// The next chunk's observations (rows with problems are left out, their problems kept for
    /// [`LongCsv::finish`]); `None` at the end of the file.
    pub fn next_chunk(&mut self, ctx: &Context) -> Option<Vec<Observation>> {
        let reader = self.reader.as_ref()?;
        // The last chunk's rows are refilled in place: their cells keep their text buffers.
        let mut spare = std::mem::take(&mut self.table.rows);
        let mut broken = false;
        while self.table.rows.len() < CHUNK_ROWS {
            match self.rdr.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line() as usize);
                    self.problems.push(Problem {
                        origin: Origin {
                            file: self.file.clone(),
                            line,
                            column: 0,
                            ..Default::default()
                        },
                        message: format!("CSV nicht lesbar: {e}"),
                    });
                    // Only an I/O error gets here (records are flexible): the rest of the file
                    // cannot be read either.
                    broken = true;
                    break;
                }
            }
            let byte = self.record.position().map_or(0, |p| p.byte());
            let line = self.rdr.get_mut().line_at(byte);
            let (_, mut cells) = spare.pop().unwrap_or_default();
            fill_cells(&mut cells, &self.record, self.windows_1252);
            if cells.iter().all(Cell::is_empty) {
                spare.push((line, cells));
                continue;
            }
            while cells.last().is_some_and(Cell::is_empty) {
                cells.pop();
            }
            self.table.rows.push((line, cells));
        }
        if self.table.rows.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(self.table.rows.len());
        reader.read(&self.table, ctx, &mut out, &mut self.problems);
        if broken {
            self.reader = None;
        }
        Some(out)
    }

    /// The file's problems: the header's, then the rows' in the order read.
    pub fn finish(self) -> Vec<Problem> {
        self.problems
    }

    /// Reads the rest of the file in a second thread while `take` works on each chunk in this one
    /// (checking and writing is the slower half, so reading costs no time on two cores). At most
    /// two chunks wait between the threads, so memory stays bounded, and each chunk goes back to
    /// the reading thread to be freed where it was made (the allocator reuses its memory there).
    /// `take` also gets how far the reader is (see [`Position`]); its first error stops the
    /// reading and is returned.
    pub fn feed<E: Send>(
        mut self,
        ctx: &Context,
        mut take: impl FnMut(&[Observation], Position) -> Result<(), E>,
    ) -> Result<Vec<Problem>, E> {
        let size = self.size;
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let (used_tx, used_rx) = std::sync::mpsc::channel::<Vec<Observation>>();
        std::thread::scope(|scope| {
            let reader = scope.spawn(move || {
                while let Some(chunk) = self.next_chunk(ctx) {
                    // Freed here: the chunks the other thread is done with.
                    while used_rx.try_recv().is_ok() {}
                    let rows = chunk.len();
                    let at = Position {
                        bytes: self.position(),
                        size,
                        estimated_rows: self.estimated_rows(rows),
                    };
                    // The receiver hangs up after an error: stop reading then.
                    if tx.send((chunk, at)).is_err() {
                        break;
                    }
                }
                self.finish()
            });
            let mut result = Ok(());
            for (chunk, at) in rx.iter() {
                if let Err(e) = take(&chunk, at) {
                    result = Err(e);
                    break;
                }
                let _ = used_tx.send(chunk);
            }
            // Dropping the receiver ends the reader's wait on a full channel.
            drop(rx);
            let problems = reader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            result.map(|()| problems)
        })
    }

    /// Reads the rest of the file at once (for callers that want a whole [`Dataset`]).
    pub fn read_all(mut self, ctx: &Context) -> (Dataset, Vec<Problem>) {
        let mut ds = Dataset::default();
        while let Some(chunk) = self.next_chunk(ctx) {
            ds.observations.extend(chunk);
        }
        (ds, self.finish())
    }
}
