//! Serde types of the wire, shared by the clients and the simulator.
//!
//! The real API's examples contradict its documented types (CLOUD_API.md §3.7), so non-key
//! fields accept strings, numbers and booleans alike, and every struct ignores unknown fields.

pub mod dcs;
pub mod elb;
pub mod error_body;
pub mod geminidb;
pub mod iam;
pub mod lenient;
pub mod pca;
pub mod scm;
