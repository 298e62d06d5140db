//! Text that error messages echo back. A value someone typed or pasted can be a whole page
//! long; an error repeats only enough of it to recognise, plus its length.

/// The most characters of a value an error repeats in full.
pub const CLIP_CHARS: usize = 48;

/// `text` as an error message should echo it: unchanged when it has at most [`CLIP_CHARS`]
/// characters, otherwise its first characters, an ellipsis and its length, like
/// `AAAAAAAA… (102,400 characters)`. Cuts only between characters, never inside one.
pub fn clip(text: &str) -> String {
    clip_to(text, CLIP_CHARS)
}

/// [`clip`] with a chosen limit: text of more than `max` characters keeps its first
/// `max / 2` (at least 1) and says how long it was.
/// Control characters (a newline, a NUL) are shown escaped, so the message stays on one line.
pub fn clip_to(text: &str, max: usize) -> String {
    let n = text.chars().count();
    let escaped = |chars: &mut dyn Iterator<Item = char>| -> String {
        chars.flat_map(|c| if c.is_control() { c.escape_debug().collect::<Vec<_>>() } else { vec![c] }).collect()
    };
    if n <= max {
        return escaped(&mut text.chars());
    }
    let head = escaped(&mut text.chars().take((max / 2).max(1)));
    format!("{head}… ({} characters)", grouped(n))
}

/// `102400` as `102,400`.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
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
    fn short_text_is_kept() {
        assert_eq!(clip(""), "");
        assert_eq!(clip("10.0.0.300"), "10.0.0.300");
        let exactly = "x".repeat(CLIP_CHARS);
        assert_eq!(clip(&exactly), exactly);
    }

    #[test]
    fn long_text_keeps_a_prefix_and_its_length() {
        let c = clip(&"A".repeat(102_400));
        assert_eq!(c, format!("{}… (102,400 characters)", "A".repeat(CLIP_CHARS / 2)));
        assert!(c.chars().count() < 80);
        assert_eq!(clip_to("abcdef", 2), "a… (6 characters)");
        assert_eq!(clip_to("abcdef", 0), "a… (6 characters)");
    }

    #[test]
    fn cuts_between_characters() {
        let s = "é".repeat(1000) + "🦀";
        let c = clip(&s);
        assert!(c.starts_with(&"é".repeat(CLIP_CHARS / 2)));
        assert!(c.ends_with("(1,001 characters)"));
    }

    #[test]
    fn control_characters_are_escaped_onto_one_line() {
        assert_eq!(clip("a\nb\u{0}"), "a\\nb\\0");
        assert!(!clip(&"x\n".repeat(100)).contains('\n'));
    }

    #[test]
    fn thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
