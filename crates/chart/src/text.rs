//! Text measuring and wrapping without a font: a generous estimate, so that text never collides.

/// Estimated width of a text at a font size (average glyph of a wide sans-serif font).
pub fn text_width(text: &str, font: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 0.34,
            'm' | 'w' | 'M' | 'W' | '%' => 0.9,
            c if c.is_uppercase() => 0.7,
            _ => 0.6,
        })
        .sum::<f64>()
        * font
}

/// Wraps text into lines no wider than `max` (words longer than a line are split).
pub fn wrap(text: &str, max: f64, font: f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&candidate, font) <= max || cur.is_empty() && !too_long(word, max, font) {
            cur = candidate;
            continue;
        }
        if !cur.is_empty() {
            lines.push(std::mem::take(&mut cur));
        }
        let mut rest = word.to_string();
        while too_long(&rest, max, font) {
            let cut = split_point(&rest, max, font);
            lines.push(rest[..cut].to_string());
            rest = rest[cut..].to_string();
        }
        cur = rest;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

fn too_long(word: &str, max: f64, font: f64) -> bool {
    text_width(word, font) > max && word.chars().count() > 1
}

/// The byte index where an over-long word is cut: after a hyphen if one fits, else at the width.
fn split_point(word: &str, max: f64, font: f64) -> usize {
    let mut last_fit = 0;
    let mut hyphen = None;
    for (i, c) in word.char_indices() {
        let end = i + c.len_utf8();
        if text_width(&word[..end], font) > max {
            break;
        }
        last_fit = end;
        if c == '-' || c == '/' {
            hyphen = Some(end);
        }
    }
    hyphen.unwrap_or(last_fit.max(word.chars().next().map_or(1, char::len_utf8)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_words_and_hyphens() {
        assert_eq!(wrap("a b c", 1000.0, 14.0), vec!["a b c"]);
        let lines = wrap("Staatsangehörigkeit: nichtdeutsch insgesamt", 120.0, 13.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 13.0) <= 120.0, "{l}");
        }
        let lines = wrap("Innenstadt-Westteil-Nordstadt", 90.0, 13.0);
        assert!(lines[0].ends_with('-'), "{lines:?}");
    }
}
