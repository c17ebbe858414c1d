//! Reading and writing zip archives. Input archives are untrusted: only enclosed relative names,
//! no symlinks, and caps on entries, sizes and ratio, counted on the bytes actually inflated.

use std::io::{Cursor, Read, Write};

use super::CertError;

/// Limits for untrusted archives (certificate bundles are a few KB).
#[derive(Clone, Copy, Debug)]
pub struct ArchiveLimits {
    /// Entries at most.
    pub max_entries: usize,
    /// Bytes of one inflated entry at most.
    pub max_entry_bytes: u64,
    /// Inflated bytes of all entries at most.
    pub max_total_bytes: u64,
    /// Inflated/compressed ratio at most (per entry, once it is past 64 KiB).
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self { max_entries: 64, max_entry_bytes: 4 * 1024 * 1024, max_total_bytes: 16 * 1024 * 1024, max_ratio: 100 }
    }
}

/// One file from an archive.
#[derive(Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// Name inside the archive (relative, enclosed).
    pub name: String,
    /// Inflated content.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for ArchiveEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchiveEntry").field("name", &self.name).field("len", &self.bytes.len()).finish()
    }
}

/// Whether the bytes look like a zip archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// Reads every file of an untrusted zip, or fails naming what is wrong; directories are skipped.
pub fn read_zip(name: &str, bytes: &[u8], limits: ArchiveLimits) -> Result<Vec<ArchiveEntry>, CertError> {
    let bad = |reason: String| CertError::BadArchive { name: name.to_owned(), reason };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not a readable zip ({e})")))?;
    if zip.len() > limits.max_entries {
        return Err(bad(format!("{} entries, more than the {} allowed", zip.len(), limits.max_entries)));
    }
    let mut out = Vec::new();
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(|e| bad(format!("entry {i} is broken ({e})")))?;
        let raw_name = file.name().map_err(|e| bad(format!("entry {i} has an unreadable name ({e})")))?.into_owned();
        if file.is_symlink() {
            return Err(bad(format!("entry {raw_name:?} is a symlink; refused")));
        }
        let Some(enclosed) = file.enclosed_name() else {
            return Err(bad(format!("entry {raw_name:?} points outside the archive; refused")));
        };
        if raw_name.starts_with('/') || raw_name.starts_with('\\') || raw_name.contains("..") {
            return Err(bad(format!("entry {raw_name:?} points outside the archive; refused")));
        }
        if file.is_dir() {
            continue;
        }
        let compressed = file.compressed_size().max(1);
        let mut content = Vec::new();
        // Header sizes can lie: count what really comes out of the inflater.
        let read = (&mut file)
            .take(limits.max_entry_bytes + 1)
            .read_to_end(&mut content)
            .map_err(|e| bad(format!("entry {raw_name:?} does not inflate ({e})")))?;
        let read = read as u64;
        if read > limits.max_entry_bytes {
            return Err(bad(format!("entry {raw_name:?} inflates past {} bytes; refused", limits.max_entry_bytes)));
        }
        if read > 64 * 1024 && read / compressed > limits.max_ratio {
            return Err(bad(format!("entry {raw_name:?} has a compression ratio over {}; refused", limits.max_ratio)));
        }
        total += read;
        if total > limits.max_total_bytes {
            return Err(bad(format!("archive inflates past {} bytes; refused", limits.max_total_bytes)));
        }
        out.push(ArchiveEntry { name: enclosed.to_string_lossy().replace('\\', "/"), bytes: content });
    }
    Ok(out)
}

/// Writes files into a new zip (deflated).
pub fn write_zip(entries: &[(&str, &[u8])]) -> Result<Vec<u8>, CertError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o600);
    for (name, bytes) in entries {
        zip.start_file(*name, options).map_err(|e| CertError::Keystore(format!("zip: {e}")))?;
        zip.write_all(bytes).map_err(|e| CertError::Keystore(format!("zip: {e}")))?;
    }
    let cursor = zip.finish().map_err(|e| CertError::Keystore(format!("zip: {e}")))?;
    Ok(cursor.into_inner())
}
