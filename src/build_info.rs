//! What was built: the version and build facts `certdesk --version` and the about box show.

/// The crate version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The app id desktops know certdesk by (window class, notifications, the packages' metadata).
pub const APP_ID: &str = "io.github.certdesk.Certdesk";
/// The commit the binary was built from (12 hex digits, or `unknown` outside a git checkout).
pub const COMMIT: &str = env!("CERTDESK_BUILD_COMMIT");
/// That commit's date (YYYY-MM-DD).
pub const COMMIT_DATE: &str = env!("CERTDESK_BUILD_DATE");
/// The target triple.
pub const TARGET: &str = env!("CERTDESK_BUILD_TARGET");
/// Cargo profile (`release` in packages).
pub const PROFILE: &str = env!("CERTDESK_BUILD_PROFILE");
/// The compiler.
pub const RUSTC: &str = env!("CERTDESK_BUILD_RUSTC");
/// Built with the desktop app (`gui`) or as the CLI alone.
pub const FEATURES: &str = env!("CERTDESK_BUILD_FEATURES");

/// `--version`'s text after the program name: the version, then one build fact per line.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit:   ",
    env!("CERTDESK_BUILD_COMMIT"),
    " (",
    env!("CERTDESK_BUILD_DATE"),
    ")\ntarget:   ",
    env!("CERTDESK_BUILD_TARGET"),
    " (",
    env!("CERTDESK_BUILD_PROFILE"),
    ")\nfeatures: ",
    env!("CERTDESK_BUILD_FEATURES"),
    "\ncompiler: ",
    env!("CERTDESK_BUILD_RUSTC"),
);

/// Where the project lives.
pub const HOMEPAGE: &str = env!("CARGO_PKG_HOMEPAGE");

#[cfg(test)]
mod tests {
    #[test]
    fn long_version_starts_with_the_version_and_names_every_fact() {
        let text = super::LONG_VERSION;
        assert!(text.starts_with(super::VERSION));
        for fact in [super::COMMIT, super::COMMIT_DATE, super::TARGET, super::PROFILE, super::FEATURES, super::RUSTC] {
            assert!(!fact.is_empty());
            assert!(text.contains(fact), "{fact} missing from {text}");
        }
    }
}
