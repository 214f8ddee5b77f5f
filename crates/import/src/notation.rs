//! The German statistics notation (Zeichenerklärung of the statistical offices): what a symbol in a
//! number cell means and what kimo stores for it. One table, [`NOTATION`], read by every table reader
//! (CSV and XLSX, long and wide) and shown in the README.

use crate::Error;
use crate::table::{Cell, Num, parse_number};
use kimo_model::Flags;

/// How a symbol appears in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The cell holds the symbol alone: `.`.
    Alone,
    /// The symbol's two characters enclose a number: `(12,5)`.
    Around,
    /// The symbol follows a number, with or without a space: `12,3p`, `12,3 p`.
    After,
}

/// What kimo stores for a symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stores {
    /// An observation without a value.
    NoValue,
    /// The value 0.
    Zero,
    /// The number the symbol goes with.
    Number,
    /// Nothing: the cell (in the long format the row) is skipped without a problem.
    Nothing,
}

/// One symbol of the notation: its spellings, form, German meaning, what is stored, and the flag.
#[derive(Debug, Clone, Copy)]
pub struct Symbol {
    /// The spellings accepted (for [`Form::Around`] the opening and closing character).
    pub spellings: &'static [&'static str],
    /// How it appears in the cell.
    pub form: Form,
    /// What the statistical offices mean by it.
    pub meaning: &'static str,
    /// What kimo stores.
    pub stores: Stores,
    /// The flag letter kimo sets (see [`kimo_model::Flags`]).
    pub flag: Option<char>,
}

/// The notation as kimo reads it (the README's table lists the same rows).
pub const NOTATION: &[Symbol] = &[
    Symbol {
        spellings: &["."],
        form: Form::Alone,
        meaning: "Zahlenwert unbekannt oder geheim zu halten",
        stores: Stores::NoValue,
        flag: Some('s'),
    },
    Symbol {
        spellings: &["x", "X", "*"],
        form: Form::Alone,
        meaning: "Tabellenfach gesperrt (geheim oder Aussage nicht sinnvoll)",
        stores: Stores::NoValue,
        flag: Some('s'),
    },
    Symbol {
        spellings: &["-", "–", "—"],
        form: Form::Alone,
        meaning: "nichts vorhanden (genau null)",
        stores: Stores::Zero,
        flag: None,
    },
    Symbol {
        spellings: &["/"],
        form: Form::Alone,
        meaning: "keine Angabe, da Zahlenwert nicht sicher genug",
        stores: Stores::NoValue,
        flag: Some('u'),
    },
    Symbol {
        spellings: &["…", "..."],
        form: Form::Alone,
        meaning: "Angabe fällt später an",
        stores: Stores::Nothing,
        flag: None,
    },
    Symbol {
        spellings: &["()"],
        form: Form::Around,
        meaning: "Aussagewert eingeschränkt, da Zahlenwert statistisch relativ unsicher",
        stores: Stores::Number,
        flag: Some('u'),
    },
    Symbol {
        spellings: &["p"],
        form: Form::After,
        meaning: "vorläufige Zahl",
        stores: Stores::Number,
        flag: Some('p'),
    },
    Symbol {
        spellings: &["r"],
        form: Form::After,
        meaning: "berichtigte Zahl",
        stores: Stores::Number,
        flag: Some('r'),
    },
];

/// A number cell as read with the notation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading {
    /// Nothing in the cell.
    Empty,
    /// A number (with the flags its notation carries).
    Value(f64, Flags),
    /// No value, for the reason the flags give.
    NoValue(Flags),
    /// Nothing to store yet (`…`): no observation and no problem.
    Skip,
}

/// Reads a number cell: a symbol alone, a number with its symbols, or a plain number.
pub fn read_cell(cell: &Cell, decimal_comma: bool) -> Result<Reading, Error> {
    let raw = match cell {
        Cell::Empty => return Ok(Reading::Empty),
        Cell::Number(v) => return Ok(Reading::Value(*v, Flags::default())),
        Cell::Text(s) => s.trim(),
    };
    if let Some(v) = plain_number(raw, decimal_comma) {
        return Ok(Reading::Value(v, Flags::default()));
    }
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if compact.is_empty() {
        return Ok(Reading::Empty);
    }
    if let Some(s) = NOTATION
        .iter()
        .find(|s| s.form == Form::Alone && s.spellings.contains(&compact.as_str()))
    {
        let mut flags = Flags::default();
        s.flag.into_iter().for_each(|c| flags.set(c));
        return Ok(match s.stores {
            Stores::Zero => Reading::Value(0.0, flags),
            Stores::Nothing => Reading::Skip,
            Stores::NoValue | Stores::Number => Reading::NoValue(flags),
        });
    }
    let (body, flags) = strip_symbols(&compact);
    if flags == Flags::default() {
        return match parse_number(cell, decimal_comma)? {
            Num::Value(v) => Ok(Reading::Value(v, flags)),
            Num::Empty => Ok(Reading::Empty),
        };
    }
    match parse_number(&Cell::Text(body.to_string()), decimal_comma) {
        Ok(Num::Value(v)) => Ok(Reading::Value(v, flags)),
        _ => Err(Error::Number(raw.to_string())),
    }
}

/// The fast way for the common cell: digits with an optional leading `-` and at most one decimal
/// separator of the file's kind between digits (`12,5` in a German file, `12.5` otherwise), no
/// grouping, no symbol. Anything else (or a result that is not finite) is left to the full rules.
fn plain_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let decimal = if decimal_comma { b',' } else { b'.' };
    let body = text.strip_prefix('-').unwrap_or(text).as_bytes();
    let (int, frac) = match body.iter().position(|&b| b == decimal) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |d: &[u8]| !d.is_empty() && d.iter().all(u8::is_ascii_digit);
    if !digits(int) || !frac.is_none_or(digits) {
        return None;
    }
    let v: f64 = if decimal_comma && frac.is_some() {
        text.replacen(',', ".", 1).parse().ok()?
    } else {
        text.parse().ok()?
    };
    v.is_finite().then_some(v)
}

/// Takes the enclosing and trailing symbols off a number (in any order): the rest and their flags.
fn strip_symbols(text: &str) -> (&str, Flags) {
    let mut body = text;
    let mut flags = Flags::default();
    loop {
        let before = body;
        for s in NOTATION {
            for spelling in s.spellings {
                let stripped = match s.form {
                    Form::Alone => None,
                    Form::Around => {
                        let mut cs = spelling.chars();
                        let (open, close) = (cs.next().unwrap_or('('), cs.next().unwrap_or(')'));
                        body.strip_prefix(open).and_then(|b| b.strip_suffix(close))
                    }
                    Form::After => body.strip_suffix(spelling).filter(|b| {
                        b.ends_with(|c: char| c.is_ascii_digit() || c == ')' || c == '%')
                    }),
                };
                if let Some(rest) = stripped {
                    body = rest;
                    s.flag.into_iter().for_each(|c| flags.set(c));
                }
            }
        }
        if body == before {
            return (body, flags);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(code: &str) -> Flags {
        Flags::parse(code).unwrap()
    }

    /// Every symbol of the notation: cell text → what is read.
    #[test]
    fn every_symbol_reads_as_its_value_and_flags() {
        let cases: &[(&str, Reading)] = &[
            (".", Reading::NoValue(flags("s"))),
            ("x", Reading::NoValue(flags("s"))),
            ("X", Reading::NoValue(flags("s"))),
            ("*", Reading::NoValue(flags("s"))),
            (" . ", Reading::NoValue(flags("s"))),
            ("-", Reading::Value(0.0, flags(""))),
            ("–", Reading::Value(0.0, flags(""))),
            ("—", Reading::Value(0.0, flags(""))),
            ("/", Reading::NoValue(flags("u"))),
            ("…", Reading::Skip),
            ("...", Reading::Skip),
            ("(12,5)", Reading::Value(12.5, flags("u"))),
            ("( 1.234,5 )", Reading::Value(1234.5, flags("u"))),
            ("(-3,2)", Reading::Value(-3.2, flags("u"))),
            ("12,3p", Reading::Value(12.3, flags("p"))),
            ("12,3 p", Reading::Value(12.3, flags("p"))),
            ("12,3\u{a0}p", Reading::Value(12.3, flags("p"))),
            ("12,3r", Reading::Value(12.3, flags("r"))),
            ("12,3 r", Reading::Value(12.3, flags("r"))),
            ("(12,3) p", Reading::Value(12.3, flags("up"))),
            ("(12,3p)", Reading::Value(12.3, flags("up"))),
            ("18,5 % p", Reading::Value(18.5, flags("p"))),
            ("12,3", Reading::Value(12.3, flags(""))),
            ("0", Reading::Value(0.0, flags(""))),
            ("", Reading::Empty),
            ("  ", Reading::Empty),
        ];
        for (text, expected) in cases {
            let got = read_cell(&Cell::Text((*text).into()), true);
            assert_eq!(got.ok(), Some(*expected), "{text:?}");
        }
        assert_eq!(
            read_cell(&Cell::Number(7.0), true).ok(),
            Some(Reading::Value(7.0, flags("")))
        );
    }

    /// What is not notation stays a German message naming the cell as written.
    #[test]
    fn near_misses_are_no_numbers() {
        for text in [
            "p",
            "r",
            "()",
            "(12,5",
            "12,5)",
            "12,3 q",
            "(abc)",
            "12,3pp r x",
            "..",
            "-.",
        ] {
            let err = read_cell(&Cell::Text(text.into()), true).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("'{text}' ist keine Zahl"),
                "{text:?}"
            );
        }
    }
}

#[cfg(test)]
mod readme {
    use super::{Form, NOTATION};

    /// The README's notation table shows every spelling of [`NOTATION`].
    #[test]
    fn the_readme_lists_every_symbol() {
        let readme = include_str!("../../../README.md");
        for s in NOTATION {
            for spelling in s.spellings {
                let shown = match s.form {
                    Form::Alone => format!("`{spelling}`"),
                    Form::Around => format!("`{}12,5{}`", &spelling[..1], &spelling[1..]),
                    Form::After => format!("`12,3 {spelling}`"),
                };
                let row = format!("| {} |", s.meaning);
                assert!(readme.contains(&shown), "README lacks {shown}");
                assert!(readme.contains(&row), "README lacks the meaning of {shown}");
            }
        }
    }
}
