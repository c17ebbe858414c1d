//! certdesk: a certificate manager for Huawei Cloud and Open Telekom Cloud administrators.
//!
//! Modules, in the direction data flows:
//! - [`cloud`]: signer, HTTP, sessions, DCS / GeminiDB / PCA clients (no UI).
//! - [`inventory`]: the rows the UI and CLI show, and the concurrent refresh that fills them.
//! - [`certs`]: certificate details, chains and bundles.
//! - [`store`]: atomic file writes, the profiles file.
//! - [`vault`]: profile secrets in the OS keyring (or this session's memory).
//! - [`sim`]: the cloud simulator (`certdesk sim`), used by tests and demo mode.
//! - [`worker`]: the background runtime the desktop app sends commands to.
//! - [`ui`]: the desktop app (feature `gui`).
//! - [`cli`]: the headless commands.
//! - [`build_info`]: version and build facts.
//! - [`text`]: text from outside made inert for terminals and one-line outputs.
//! - [`crash`]: crash reports kept on this machine, and no crash loop after one.

pub mod build_info;
pub mod certs;
pub mod cli;
pub mod clock;
pub mod cloud;
pub mod crash;
pub mod inventory;
pub mod sim;
pub mod store;
pub mod text;
#[cfg(feature = "gui")]
pub mod ui;
pub mod vault;
pub mod worker;
