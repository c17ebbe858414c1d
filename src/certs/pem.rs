//! Splitting PEM text into blocks: one or many, CRLF or LF, with junk around them.

use base64::Engine;

use super::CertError;

/// One decoded PEM block.
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// `CERTIFICATE`, `PRIVATE KEY`, ...
    pub label: String,
    /// The decoded bytes.
    pub der: Vec<u8>,
}

impl std::fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Key blocks are secrets: show only their label and size.
        f.debug_struct("PemBlock").field("label", &self.label).field("len", &self.der.len()).finish()
    }
}

impl PemBlock {
    /// Whether this block holds a private key.
    pub fn is_private_key(&self) -> bool {
        self.label.ends_with("PRIVATE KEY")
    }
}

/// Decodes every PEM block in `text`; text outside blocks is ignored.
pub fn parse_blocks(name: &str, text: &str) -> Result<Vec<PemBlock>, CertError> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line.strip_prefix("-----BEGIN ").and_then(|l| l.strip_suffix("-----")) {
            current = Some((label.to_owned(), String::new()));
        } else if let Some(label) = line.strip_prefix("-----END ").and_then(|l| l.strip_suffix("-----")) {
            if let Some((begin, body)) = current.take()
                && begin == label
            {
                let der = base64::engine::general_purpose::STANDARD.decode(body.as_bytes()).map_err(|_| {
                    CertError::BadBase64 { name: name.to_owned(), index: blocks.len() + 1, label: label.to_owned() }
                })?;
                blocks.push(PemBlock { label: label.to_owned(), der });
            }
        } else if let Some((_, body)) = current.as_mut() {
            // Headers such as `Proc-Type:` precede the base64 in legacy encrypted keys.
            if !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    Ok(blocks)
}

/// Encodes DER as PEM with LF line breaks and 64-column lines.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// The certificates (DER) in PEM text, or the input itself when it is DER.
pub fn certificates(name: &str, bytes: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = String::from_utf8_lossy(bytes);
    let certs: Vec<Vec<u8>> =
        parse_blocks(name, &text)?.into_iter().filter(|b| b.label == "CERTIFICATE").map(|b| b.der).collect();
    if certs.is_empty() {
        return Err(CertError::NoCertificate(name.to_owned()));
    }
    Ok(certs)
}
