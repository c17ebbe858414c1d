//! Entry point: parses arguments and starts the app, a CLI command or the simulator.

// Windows release builds are GUI programs, so opening the app from the Start menu shows no console
// window; a command run from a terminal attaches to that terminal (`attach_parent_console`).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::prelude::*;

use certdesk::cli::{self, Cli};

fn main() -> ExitCode {
    #[cfg(windows)]
    attach_parent_console();
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                // Colour codes only for a terminal: logs saved to a file stay plain text.
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_filter(tracing_subscriber::EnvFilter::from_env("CERTDESK_LOG")),
        )
        // The last lines of certdesk's own log go into a crash report, whatever CERTDESK_LOG says.
        .with(certdesk::crash::LogTail.with_filter(tracing_subscriber::EnvFilter::new("certdesk=info")))
        .init();
    if let Some(folder) = certdesk::inventory::snapshot::default_path().as_deref().and_then(std::path::Path::parent) {
        certdesk::crash::install(folder.to_owned());
    }
    let args = Cli::parse();
    let code = match args.command {
        Some(command) => cli::run(command),
        None => return run_app(args.demo, args.theme, args.renderer),
    };
    ExitCode::from(code)
}

/// The desktop app, or without the `gui` feature the demo estate as a table.
#[cfg(feature = "gui")]
#[expect(clippy::print_stderr, reason = "a window that cannot open is reported on the terminal")]
fn run_app(demo: bool, theme: Option<cli::Theme>, renderer: Option<cli::Renderer>) -> ExitCode {
    match certdesk::ui::run(demo, theme, renderer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn run_app(_demo: bool, _theme: Option<cli::Theme>, _renderer: Option<cli::Renderer>) -> ExitCode {
    ExitCode::from(cli::run_demo())
}

/// Lets a Windows GUI-subsystem build print `--help`, `--version` and CLI output in the terminal it
/// was started from. Started from Explorer there is no parent console and this does nothing.
#[cfg(windows)]
#[allow(unsafe_code)]
fn attach_parent_console() {
    use windows_sys::Win32::System::Console::{ATTACH_PARENT_PROCESS, AttachConsole};
    // SAFETY: AttachConsole takes a process id by value and reads no memory of ours; it fails
    // harmlessly (returns 0) when there is no parent console or one is already attached.
    unsafe {
        AttachConsole(ATTACH_PARENT_PROCESS);
    }
}
