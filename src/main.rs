//! Entry point: parses arguments and starts the app, a CLI command or the simulator.

use std::process::ExitCode;

use clap::Parser;

use certdesk::cli::{self, Cli};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("CERTDESK_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let args = Cli::parse();
    let code = match args.command {
        Some(command) => cli::run(command),
        None => return run_app(args.demo),
    };
    ExitCode::from(code)
}

/// The desktop app, or without the `gui` feature the demo estate as a table.
#[cfg(feature = "gui")]
#[expect(clippy::print_stderr, reason = "a window that cannot open is reported on the terminal")]
fn run_app(demo: bool) -> ExitCode {
    match certdesk::ui::run(demo) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the window could not open: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(feature = "gui"))]
fn run_app(_demo: bool) -> ExitCode {
    ExitCode::from(cli::run_demo())
}
