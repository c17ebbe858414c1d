//! The cloud layer: signing, HTTP, sessions and the DCS, GeminiDB, CCM PCA, ELB and SCM clients.
//! Knows nothing of the UI; the CLI, the worker and the simulator's tests share it.

pub mod credentials;
pub mod dcs;
pub mod download;
pub mod elb;
pub mod endpoints;
pub mod error;
pub mod geminidb;
pub mod http;
pub mod pages;
pub mod pca;
pub mod resolve;
pub mod scm;
pub mod session;
pub mod signer;
pub mod validate;
pub mod wire;

pub use credentials::{Credentials, Secret};
pub use endpoints::{Cloud, Endpoints, Service};
pub use error::{CloudError, ServiceError, ServiceErrorKind};
pub use http::{HttpClient, HttpConfig};
pub use resolve::HostOverride;
pub use session::{CloudSession, Connection};
