//! The headless commands, on the same cloud layer the desktop app uses.
//! Results go to stdout (a table, or JSON with `--json`), progress and errors to stderr.

pub(crate) mod check;
mod connect;
mod convert;
mod download;
pub mod endpoints;
mod export;
mod inspect;
mod list;
mod man;
mod output;
mod profile;
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

/// `--help` and the man page: what certdesk is.
const LONG_ABOUT: &str = "certdesk lists every DCS Redis and GeminiDB instance and every private certificate of the \
Cloud Certificate Manager (PCA) across Huawei Cloud and Open Telekom Cloud accounts and regions, with SSL state, \
expiry and days left; downloads instance CA certificates and exports private certificates (PEM, PKCS#12 or a \
server zip). Without a command it opens the desktop app, whose account secrets live in the system keyring.";

/// `--help` and the man page: environment, exit codes, files.
const AFTER_LONG_HELP: &str = "\
Environment:
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   access key pair for the commands (as the official SDKs read it)
  HUAWEICLOUD_SDK_SECURITY_TOKEN           security token of temporary keys
  CERTDESK_IAM_PASSWORD                    password for --iam-user/--iam-domain sign-in
  CERTDESK_KEYSTORE_PASSWORD               password of PKCS#12/JKS files (or --password-file)
  CERTDESK_CONFIG_DIR                      folder of the app's profiles.json (default: the platform's)
  CERTDESK_DATA_DIR                        folder of the app's saved inventory.json (default: beside
                                           profiles.json when CERTDESK_CONFIG_DIR is set, else the
                                           platform data folder)
  CERTDESK_LOG                             log filter, e.g. certdesk=debug (secrets are never logged)

Exit status: 0 done; 1 failed; 2 usage error; 3 partly done (some regions or services failed).

The desktop app keeps profiles (never secrets) in the platform config folder, e.g.
~/.config/certdesk/profiles.json on Linux, secrets in the system keyring, and the inventory of
its last refresh (never a secret) in the platform data folder, e.g.
~/.local/share/certdesk/inventory.json.";

/// certdesk: certificates of Huawei Cloud and Open Telekom Cloud DCS, GeminiDB and private CA.
#[derive(Debug, Parser)]
#[command(
    name = "certdesk",
    version,
    long_version = crate::build_info::LONG_VERSION,
    about,
    long_about = LONG_ABOUT,
    after_long_help = AFTER_LONG_HELP
)]
pub struct Cli {
    /// Open the app on the built-in demo cloud (no account needed).
    #[arg(long)]
    pub demo: bool,
    /// The app's colours: as the system says (the default, or what View last chose), dark or light.
    #[arg(long, value_enum)]
    pub theme: Option<Theme>,
    /// Draw the window with this renderer only (support cases). By default the preferred one is
    /// tried first (wgpu on Windows, glow elsewhere) and the other when it cannot start.
    #[arg(long, value_enum, env = "CERTDESK_RENDERER")]
    pub renderer: Option<Renderer>,
    /// What to do; without one the desktop app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The app's colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Theme {
    /// Follow the system.
    System,
    /// Dark.
    Dark,
    /// Light.
    Light,
}

/// What draws the app's window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Renderer {
    /// OpenGL 2 or later (glow).
    Glow,
    /// Vulkan, DirectX 12 (WARP in VMs and over Remote Desktop) or Metal (wgpu).
    Wgpu,
}

impl Renderer {
    /// Its name, as the About box and the log say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Glow => "glow",
            Self::Wgpu => "wgpu",
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List DCS and GeminiDB instances and private certificates with SSL state and expiry.
    List(list::ListArgs),
    /// Show the SSL facts of one DCS instance.
    Ssl(ssl::SslArgs),
    /// Check expiries as a monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
    Check(check::CheckArgs),
    /// Download the CA certificate of a DCS or GeminiDB instance.
    Download(download::DownloadArgs),
    /// Export a private certificate (PEM files or a server zip) or a private CA certificate.
    Export(export::ExportArgs),
    /// Show what certificate files hold: details, chain, key match.
    Inspect(inspect::InspectArgs),
    /// Convert a certificate, chain and key to PEM, DER, PKCS#12 or a server bundle.
    Convert(convert::ConvertArgs),
    /// Manage the stored profiles (the app's): add, list, test, remove.
    Profile(profile::ProfileArgs),
    /// Print the endpoint catalog of a cloud: every region's service hosts (offline).
    Endpoints(endpoints::EndpointsArgs),
    /// Run the cloud simulator on loopback (prints one JSON line, then serves until killed).
    Sim(sim::SimArgs),
    /// Write the man pages (certdesk.1 and one per command) into a folder, for packages.
    #[command(hide = true)]
    Man(man::ManArgs),
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
        Command::Man(args) => return man::run(&args),
        Command::Endpoints(args) => return endpoints::run(&args),
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
            Command::Check(args) => check::run(args).await,
            Command::Download(args) => download::run(args).await,
            Command::Export(args) => export::run(args).await,
            Command::Sim(args) => sim::run(args).await,
            Command::Profile(args) => profile::run(args).await,
            Command::Inspect(args) => inspect::run(&args),
            Command::Convert(args) => convert::run(&args),
            Command::Man(args) => man::run(&args),
            Command::Endpoints(args) => endpoints::run(&args),
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
