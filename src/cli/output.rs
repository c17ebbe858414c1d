//! Printing: tables and JSON on stdout, progress and errors on stderr.

#![expect(clippy::print_stderr, reason = "the CLI's job is to print progress and errors")]

use std::io::Write;

/// Prints a line of results.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = writeln!(out, "{text}");
}

/// Prints text as it is (it brings its own line ends).
pub fn raw(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
}

/// Prints progress.
pub fn progress(text: &str) {
    eprintln!("{text}");
}

/// Prints an error.
pub fn error(text: &str) {
    eprintln!("error: {text}");
}

/// Prints a JSON value, pretty.
pub fn json(value: &serde_json::Value) {
    line(&serde_json::to_string_pretty(value).unwrap_or_default());
}

/// Lays out rows as a plain-text table with a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
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
        out.push_str(&fmt_row(row.clone()));
    }
    out
}
