//! Echoing what someone typed back to them, safely: a value quoted in an error message is cut
//! to a short prefix with its length, so a 100 KB parameter makes a one-line message rather
//! than a page of text, and control characters are shown escaped so the message stays on one
//! line.

/// Characters of an echoed value shown before it is cut.
pub const CLIP_CHARS: usize = 40;

/// `text` quoted for an error message: `'rtt'`, or for a long value its first
/// [`CLIP_CHARS`] characters and its length, `'AAAA…' (102,400 characters)`.
pub fn clip(text: &str) -> String {
    let count = text.chars().count();
    let shown: String = text.chars().take(CLIP_CHARS).flat_map(char::escape_debug).collect();
    if count <= CLIP_CHARS {
        format!("'{shown}'")
    } else {
        format!("'{shown}…' ({} characters)", grouped(count))
    }
}

/// `102400` as `102,400`.
pub fn grouped(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_quoted_whole() {
        assert_eq!(clip("rtt"), "'rtt'");
        assert_eq!(clip(""), "''");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "A".repeat(102_400);
        assert_eq!(clip(&long), format!("'{}…' (102,400 characters)", "A".repeat(CLIP_CHARS)));
        assert!(clip(&long).len() < 80);
    }

    #[test]
    fn control_characters_are_escaped_onto_one_line() {
        assert_eq!(clip("a\nb\u{0}"), "'a\\nb\\0'");
        assert!(!clip(&"x\n".repeat(100)).contains('\n'));
    }

    #[test]
    fn multibyte_text_is_cut_on_character_boundaries() {
        let s = "é".repeat(50);
        assert!(clip(&s).starts_with(&format!("'{}…'", "é".repeat(CLIP_CHARS))));
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
