//! `certdesk man DIR` (hidden): the man pages the packages install, rendered from the same clap
//! definition the CLI parses, so they cannot drift from `--help`.

use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};

use super::{Cli, EXIT_FAILURE, EXIT_OK, output};

/// Options of `man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The folder to write `certdesk.1` and `certdesk-<command>.1` into (created if missing).
    pub dir: PathBuf,
}

/// Writes the pages and names each one on stdout.
pub fn run(args: &ManArgs) -> u8 {
    match write_pages(&args.dir) {
        Ok(files) => {
            for file in files {
                output::line(&file.display().to_string());
            }
            EXIT_OK
        }
        Err(e) => {
            output::error(&format!("cannot write the man pages into {}: {e}", args.dir.display()));
            EXIT_FAILURE
        }
    }
}

/// Renders one page for certdesk and one per visible subcommand.
pub fn write_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let command = Cli::command().version(crate::build_info::VERSION);
    let mut pages = vec![("certdesk".to_owned(), command.clone())];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("certdesk-{}", sub.get_name());
        // The page's NAME and SYNOPSIS read `certdesk-list`, as git's and cargo's pages do.
        pages.push((name.clone(), sub.clone().name(name).version(crate::build_info::VERSION)));
    }
    let mut written = Vec::new();
    for (name, page) in pages {
        let mut roff = Vec::new();
        clap_mangen::Man::new(page).render(&mut roff)?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, roff)?;
        written.push(path);
    }
    Ok(written)
}
