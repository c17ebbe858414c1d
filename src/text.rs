//! Text from outside (cloud names, messages, file contents) made inert before it is shown: a
//! terminal must not run its escape sequences, a monitoring line must not be split by it, a
//! table must not get rows it made up, and right-to-left overrides must not reorder what follows.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character must not reach a terminal or a one-line text as it is: C0 and C1 controls
/// (line breaks, tab and ESC included), DEL, bidirectional overrides and isolates, and the
/// Unicode line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// One line of text a terminal shows as it reads: every unsafe character written as an escape
/// (`\n`, `\t`, `\x1b`, `\u{202e}`), a backslash left as it is. Text with none is not copied.
pub fn inert(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) && u32::from(c) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text of several lines made inert line by line (its line breaks kept): for messages that are
/// ours with values from outside in them. A value that must stay on its line is made [`inert`].
pub fn inert_lines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.split('\n').map(inert).collect::<Vec<_>>().join("\n"))
}

/// At most `max` characters of `text`, with `...` in place of the rest.
pub fn capped(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!("{}...", &text[..cut])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_line_breaks_and_overrides_are_shown_not_run() {
        assert_eq!(inert("plain name-1 ü 中文"), "plain name-1 ü 中文");
        assert!(matches!(inert("plain"), Cow::Borrowed(_)));
        assert_eq!(inert("a\x1b]0;pwned\x07b"), "a\\x1b]0;pwned\\x07b");
        assert_eq!(inert("row\nfake row\r\t"), "row\\nfake row\\r\\t");
        assert_eq!(inert("\u{9b}2J"), "\\x9b2J", "a C1 CSI");
        assert_eq!(inert("abc\u{202e}gpj.exe"), "abc\\u{202e}gpj.exe");
        assert_eq!(inert("x\u{2028}y\u{7f}"), "x\\u{2028}y\\x7f");
        assert_eq!(inert_lines("a\x1b[2Jb\nc\t"), "a\\x1b[2Jb\nc\\t");
        assert!(matches!(inert_lines("a\nb"), Cow::Borrowed(_)));
        assert_eq!(capped("abcdef", 3), "abc...");
        assert_eq!(capped("中文字", 3), "中文字");
        assert_eq!(capped("中文字x", 3), "中文字...");
    }
}
