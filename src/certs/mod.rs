//! The certificate core: reading what the cloud hands out, summarising it, and writing keystores.
//! Knows nothing of the UI or the network.

pub mod archive;
pub mod bundle;
pub mod chain;
pub mod details;
pub mod fuzzing;
pub mod keys;
pub mod keystore;
pub mod material;
pub mod pem;
mod pkcs12_cost;
pub mod summary;

/// Why certificate material could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// No PEM block or DER certificate was found.
    #[error("{0}: no certificate found (expected PEM or DER).")]
    NoCertificate(String),
    /// A PEM block's base64 is broken.
    #[error("{name}: PEM block {index} ({label}) has broken base64.")]
    BadBase64 {
        /// The input's name.
        name: String,
        /// 1-based block number.
        index: usize,
        /// The block's label.
        label: String,
    },
    /// The DER does not parse as a certificate.
    #[error("{name}: not a valid X.509 certificate ({reason}).")]
    BadCertificate {
        /// The input's name.
        name: String,
        /// Parser message.
        reason: String,
    },
    /// A zip archive is unsafe or broken.
    #[error("{name}: {reason}")]
    BadArchive {
        /// The archive's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A private key could not be read.
    #[error("{name}: {reason}")]
    BadKey {
        /// The input's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// A keystore could not be opened (wrong password, damaged file).
    #[error("{name}: {reason}")]
    BadKeystore {
        /// The input's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// More certificates than any real bundle holds (a hostile file).
    #[error("{name}: holds {found} certificates; certdesk reads at most {limit} from one file.")]
    TooMany {
        /// The input's name.
        name: String,
        /// How many it holds (at least).
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// The input is not a format certdesk reads.
    #[error("{0}: not a certificate, key, keystore, PCA export or zip that certdesk reads.")]
    UnknownFormat(String),
    /// A keystore could not be built.
    #[error("Could not build the keystore: {0}")]
    Keystore(String),
}
