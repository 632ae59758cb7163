//! Echoing input back safely. Messages that quote what a user typed or a
//! link carried must not grow without bound, and must not let control or
//! bidirectional-override characters reorder or hide the rest of the page.

/// How many characters of input a message quotes before cutting it short.
pub const QUOTED_CHARS: usize = 40;

/// `input` as a message may show it: at most [`QUOTED_CHARS`] characters
/// (then `…`), with control, bidi and other invisible format characters
/// written as `\u{…}` escapes.
pub fn quoted(input: &str) -> String {
    let mut out = String::new();
    for (i, c) in input.chars().enumerate() {
        if i == QUOTED_CHARS {
            out.push('…');
            break;
        }
        if is_hidden(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Text as HTML or XML character data or an attribute value: the five
/// markup characters as entities (the figures' SVG and the load run's
/// charts and tables both write text this way).
pub fn markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `input` whole, with the characters [`quoted`] escapes escaped the same
/// way: for text shown at any length (a figure wraps it instead of cutting).
pub(crate) fn unhidden(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if is_hidden(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that are invisible or change how surrounding text is laid out,
/// and the two noncharacters XML refuses (U+FFFE, U+FFFF).
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
            | '\u{FFFE}' | '\u{FFFF}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_long_input_and_escapes_what_would_hide_or_reorder_text() {
        assert_eq!(quoted("plain"), "plain");
        let long = "x".repeat(20_000);
        assert_eq!(quoted(&long).chars().count(), QUOTED_CHARS + 1);
        assert!(quoted(&long).ends_with('…'));
        assert_eq!(quoted("a\u{202E}b\nc"), "a\\u{202e}b\\u{a}c");
        assert_eq!(quoted("\u{2067}x\u{2069}"), "\\u{2067}x\\u{2069}");
        assert_eq!(quoted("café ☕"), "café ☕");
        assert_eq!(unhidden(&format!("{long}\u{FFFF}")).len(), long.len() + "\\u{ffff}".len());
    }
}
