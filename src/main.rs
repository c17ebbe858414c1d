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
        // The desktop app lands with the `gui` feature work; until then demo mode lists the demo cloud.
        None => cli::run_demo(),
    };
    ExitCode::from(code)
}
