//! Printing: tables and JSON on stdout, progress and errors on stderr.

#![expect(clippy::print_stderr, reason = "the CLI's job is to print progress and errors")]

use std::io::Write;

use crate::text::inert_lines;

/// Prints a line of results.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(out, "{}", inert_lines(text));
}

/// Prints text as it is (it brings its own line ends).
pub fn raw(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
}

/// Prints progress.
/// Characters kept of one progress or error line (a cloud's message can be of any length).
const MAX_MESSAGE_CHARS: usize = 2_000;

/// Prints progress: one inert line (a message that carries outside text cannot add lines).
pub fn progress(text: &str) {
    eprintln!("{}", crate::text::capped(&crate::text::inert(text), MAX_MESSAGE_CHARS));
}

/// Prints an error: one inert line, capped.
pub fn error(text: &str) {
    eprintln!("error: {}", crate::text::capped(&crate::text::inert(text), MAX_MESSAGE_CHARS));
}

/// Prints a JSON value, pretty.
pub fn json(value: &serde_json::Value) {
    line(&json_text(&serde_json::to_string_pretty(value).unwrap_or_default()));
}

/// JSON text with the characters serde leaves as they are but a terminal acts on (C1 controls,
/// bidirectional overrides, line separators) written as `\u` escapes: the same JSON value.
pub fn json_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        // serde escapes ASCII controls, and outside strings JSON is ASCII: only the non-ASCII
        // characters inside strings are looked at.
        if !c.is_ascii() && crate::text::inert(c.encode_utf8(&mut [0; 4])).len() > c.len_utf8() {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Lays out rows as a plain-text table with a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    // Cells from outside are one inert line each: no escape runs, no row is made up.
    let rows: Vec<Vec<String>> =
        rows.iter().map(|r| r.iter().map(|c| crate::text::inert(c).into_owned()).collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let fmt_row = |cells: Vec<String>| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_owned()
    };
    let mut out = fmt_row(header.iter().map(|h| (*h).to_owned()).collect());
    out.push('\n');
    out.push_str(&fmt_row(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for row in rows {
        out.push('\n');
        out.push_str(&fmt_row(row));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_keeps_its_value_but_shows_c1_controls_and_overrides_escaped() {
        let value = serde_json::json!({"name": "a\u{9b}2J\u{202e}b\x1b", "n": ["中文"]});
        let text = json_text(&serde_json::to_string_pretty(&value).unwrap());
        assert!(text.contains("\\u009b") && text.contains("\\u202e") && text.contains("\\u001b"), "{text}");
        assert!(!text.contains(['\u{9b}', '\u{202e}', '\x1b']));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }

    #[test]
    fn table_cells_cannot_add_rows_or_run_escapes() {
        let rows = vec![vec!["evil\nfake  row".to_owned(), "\x1b]0;title\x07".to_owned()]];
        let out = table(&["NAME", "X"], &rows);
        assert_eq!(out.lines().count(), 3, "{out}");
        assert!(!out.contains(['\x1b', '\x07']));
    }
}
