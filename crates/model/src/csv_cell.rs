//! CSV injection: text cells that a spreadsheet would read as a formula get a leading `'`.
//!
//! Every CSV kimo writes passes its cells through [`csv_safe`]; `kimo import` undoes it with
//! [`csv_unescape`], so an export reads back unchanged. A cell is neutralised when it starts with
//! `=`, `+`, `-`, `@`, tab or carriage return (OWASP's list) and is not a number as kimo writes
//! numbers (`-1.5`, `-1,5`, `+1.234,5`, also with a unit such as `+1,3 Pp.`). A cell that already
//! starts with `'` followed by such a cell gets one more `'`, so stripping one is always exact.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as it may be written to a CSV file: formula-like text gets a leading `'`, numbers stay.
pub fn csv_safe(cell: &str) -> Cow<'_, str> {
    if needs_quote(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`csv_safe`]: strips exactly one leading `'` when the rest would have needed it.
pub fn csv_unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// Whether a cell starts (after any `'`) with a formula character and is no number.
fn needs_quote(cell: &str) -> bool {
    let bare = cell.trim_start_matches('\'');
    bare.starts_with(TRIGGERS) && !is_written_number(bare)
}

/// Whether a cell is a number as kimo writes one: sign, digits with `.`/`,`, an optional exponent,
/// optionally followed by a space and a unit of letters, digits, spaces, `.`, `,`, `%` and `‰`.
pub fn is_written_number(cell: &str) -> bool {
    let (number, unit) = cell.split_once(' ').unwrap_or((cell, ""));
    let body = number.strip_prefix(['+', '-', '−']).unwrap_or(number);
    let (mantissa, exponent) = body.split_once(['e', 'E']).unwrap_or((body, "0"));
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    mantissa.starts_with(|c: char| c.is_ascii_digit())
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && !exponent.is_empty()
        && exponent.chars().all(|c| c.is_ascii_digit())
        && unit
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | ',' | '%' | '‰'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("+", "'+"),
            ("- 1", "'- 1"),
            ("-1 +A1", "'-1 +A1"),
            ("-1 (A1)", "'-1 (A1)"),
            ("-inf", "'-inf"),
            ("'=1", "''=1"),
            ("''@x", "'''@x"),
        ] {
            assert_eq!(csv_safe(cell), safe, "{cell}");
            assert_eq!(csv_unescape(safe), cell, "{cell}");
        }
    }

    #[test]
    fn numbers_and_plain_text_stay() {
        for cell in [
            "-1,5",
            "−1,5",
            "-1.5",
            "+1.234,5",
            "-0.0000001",
            "-1e-7",
            "+1,3 Pp.",
            "+92,0 je 1.000",
            "-2 %",
            "Durlach",
            "'Zitat'",
            "'x",
            "",
            "01",
            "A-1",
        ] {
            assert_eq!(csv_safe(cell), cell, "{cell}");
            assert_eq!(csv_unescape(cell), cell, "{cell}");
        }
    }

    #[test]
    fn written_numbers() {
        assert!(is_written_number("-1,5"));
        assert!(is_written_number("12"));
        assert!(!is_written_number("-"));
        assert!(!is_written_number("-,5"));
        assert!(!is_written_number("-1e"));
        assert!(!is_written_number("-2+3"));
    }
}
