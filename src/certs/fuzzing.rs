//! Entry points for the fuzz targets in `fuzz/`, also replayed over the saved corpora by an
//! ordinary test so CI needs no fuzzer. Each must return for any input, never panic.

use super::archive::{ArchiveLimits, read_zip};
use super::{details, keystore, material, pem};

/// The PEM splitter and key reader.
pub fn pem_split(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(blocks) = pem::parse_blocks("fuzz", &text) {
        for block in blocks.iter().filter(|b| b.is_private_key()) {
            let _ = super::keys::PrivateKey::from_pem_block("fuzz", block);
        }
    }
    let _ = material::read("fuzz.pem", data, &material::ReadOptions::default());
}

/// Certificate details from DER.
pub fn der_details(data: &[u8]) {
    let _ = details::details("fuzz.der", data, time::OffsetDateTime::UNIX_EPOCH, 30);
    let _ = super::chain::build(&[data.to_vec()], time::OffsetDateTime::UNIX_EPOCH);
}

/// The untrusted-zip reader.
pub fn zip_reader(data: &[u8]) {
    let _ = read_zip("fuzz.zip", data, ArchiveLimits::default());
}

/// The PKCS#12 and JKS readers.
pub fn keystore_reader(data: &[u8]) {
    let _ = keystore::read_pkcs12("fuzz.p12", data, "fuzz");
    let _ = keystore::read_jks("fuzz.jks", data, "fuzz");
}
