//! Number formatting in the page's language and code slugs.

/// Formats a number with the given decimals as the current language writes it ([`crate::lang`]):
/// `1.234,5` in German, `1,234.5` in English.
pub fn format_number(v: f64, decimals: usize) -> String {
    let (group, point) = match crate::lang::current() {
        crate::lang::Lang::De => ('.', ','),
        crate::lang::Lang::En => (',', '.'),
    };
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('−');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push(point);
        out.push_str(&f);
    }
    out
}

/// Turns a name into a code: lower case ASCII, umlauts transliterated, other characters as `-`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => out.push(c),
            _ => {
                if !out.ends_with('-') {
                    out.push('-')
                }
            }
        }
    }
    out.trim_matches('-').to_string()
}

/// How many characters of a cell a message quotes at most.
pub const QUOTE_MAX: usize = 80;

/// A cell's text as a message quotes it: at most [`QUOTE_MAX`] characters, cut with `…`.
pub fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_numbers() {
        assert_eq!(format_number(1234.5, 1), "1.234,5");
        assert_eq!(format_number(311635.0, 0), "311.635");
        assert_eq!(format_number(-0.04, 1), "0,0");
        assert_eq!(format_number(-12.25, 2), "−12,25");
        assert_eq!(format_number(1000000.0, 0), "1.000.000");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Staatsangehörigkeit"), "staatsangehoerigkeit");
        assert_eq!(slug(" Sex / Gender "), "sex-gender");
        assert_eq!(slug("männlich"), "maennlich");
    }
}
