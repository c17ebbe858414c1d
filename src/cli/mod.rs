//! The headless commands, on the same cloud layer the desktop app uses.
//! Results go to stdout (a table, or JSON with `--json`), progress and errors to stderr.

mod connect;
mod convert;
mod download;
mod export;
mod inspect;
mod list;
mod output;
mod sim;
mod ssl;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use connect::ConnectArgs;

/// Exit code: everything worked.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command failed.
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: some regions or services failed, the rest was listed.
pub const EXIT_PARTIAL: u8 = 3;

/// certdesk: certificates of Huawei Cloud and Open Telekom Cloud DCS, GeminiDB and private CA.
#[derive(Debug, Parser)]
#[command(name = "certdesk", version, about, long_about = None)]
pub struct Cli {
    /// Open the app on the built-in demo cloud (no account needed).
    #[arg(long)]
    pub demo: bool,
    /// What to do; without one the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List DCS and GeminiDB instances and private certificates with SSL state and expiry.
    List(list::ListArgs),
    /// Show the SSL facts of one DCS instance.
    Ssl(ssl::SslArgs),
    /// Download the CA certificate of a DCS or GeminiDB instance.
    Download(download::DownloadArgs),
    /// Export a private certificate (PEM files or a server zip) or a private CA certificate.
    Export(export::ExportArgs),
    /// Show what certificate files hold: details, chain, key match.
    Inspect(inspect::InspectArgs),
    /// Convert a certificate, chain and key to PEM, DER, PKCS#12 or a server bundle.
    Convert(convert::ConvertArgs),
    /// Run the cloud simulator on loopback (prints one JSON line, then serves until killed).
    Sim(sim::SimArgs),
}

/// Where to write and whether to replace.
#[derive(Debug, Args)]
pub struct OutArgs {
    /// The file (or, for PEM exports, the folder) to write.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

impl OutArgs {
    fn overwrite(&self) -> crate::store::Overwrite {
        if self.force { crate::store::Overwrite::Replace } else { crate::store::Overwrite::Never }
    }
}

/// Runs a subcommand and returns the process exit code.
pub fn run(command: Command) -> u8 {
    // Offline commands need no runtime.
    let command = match command {
        Command::Inspect(args) => return inspect::run(&args),
        Command::Convert(args) => return convert::run(&args),
        other => other,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::error(&format!("cannot start the async runtime: {e}"));
            return EXIT_FAILURE;
        }
    };
    runtime.block_on(async move {
        match command {
            Command::List(args) => list::run(args).await,
            Command::Ssl(args) => ssl::run(args).await,
            Command::Download(args) => download::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Sim(args) => sim::run(args).await,
            Command::Inspect(args) => inspect::run(&args),
            Command::Convert(args) => convert::run(&args),
        }
    })
}

/// Until the desktop app lands: demo mode starts the simulator and lists its estate.
pub fn run_demo() -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            output::error(&format!("cannot start the async runtime: {e}"));
            return EXIT_FAILURE;
        }
    };
    runtime.block_on(list::demo())
}
