//! German number formatting and code slugs.

/// Formats a number the German way: `1.234,5` with the given decimals.
pub fn format_number(v: f64, decimals: usize) -> String {
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
            grouped.push('.');
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
        out.push(',');
        out.push_str(&f);
    }
    out
}

/// Decimals shown for a unit: none for counts, one otherwise.
pub fn unit_decimals(unit: &str) -> usize {
    if unit == "Anzahl" { 0 } else { 1 }
}

/// A value in German notation with its unit: `18,5 %`, `311.635`, `92,0 je 1.000`.
pub fn format_with_unit(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "–".into(),
        Some(v) => {
            let n = format_number(v, unit_decimals(unit));
            match unit {
                "" | "Anzahl" | "Index" => n,
                u => format!("{n} {u}"),
            }
        }
    }
}

/// Formats a difference in percentage points with sign, e.g. `+1,3 Pp.`.
pub fn format_percent_points(v: f64) -> String {
    let sign = if v > 0.0 { "+" } else { "" };
    format!("{sign}{} Pp.", format_number(v, 1))
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
        assert_eq!(format_percent_points(1.26), "+1,3 Pp.");
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Staatsangehörigkeit"), "staatsangehoerigkeit");
        assert_eq!(slug(" Sex / Gender "), "sex-gender");
        assert_eq!(slug("männlich"), "maennlich");
    }
}
