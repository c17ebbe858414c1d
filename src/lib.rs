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

pub mod build_info;
pub mod certs;
pub mod cli;
pub mod clock;
pub mod cloud;
pub mod inventory;
pub mod sim;
pub mod store;
#[cfg(feature = "gui")]
pub mod ui;
pub mod vault;
pub mod worker;
