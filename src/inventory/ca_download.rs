//! One implementation of "download an instance's CA certificate", for the app and the CLI: ask the
//! service for the presigned link, fetch it with no credentials, and read what it holds. A download
//! that holds no certificate is an error, never a file.

use bytes::Bytes;

use crate::certs::{archive, pem, summary};
use crate::cloud::download::LinkFetcher;
use crate::cloud::{CloudSession, Service, dcs, geminidb};

/// A downloaded CA certificate: the bytes as the cloud sent them and what they hold.
#[derive(Debug)]
pub struct CaDownload {
    /// What is saved "as received": DCS's zip made anew with only its certificate files, each
    /// holding only its certificates as PEM; GeminiDB's PEM file as PEM text of its certificates.
    pub bytes: Bytes,
    /// Every certificate, with the file inside the download it came from.
    pub certificates: Vec<(String, Vec<u8>)>,
    /// Files of the zip that held no certificate and were left out of what is saved.
    pub left_out: Vec<String>,
}

impl CaDownload {
    /// The certificates as one PEM file, in the order the download holds them.
    pub fn to_pem(&self) -> Vec<u8> {
        self.certificates.iter().map(|(_, der)| pem::encode("CERTIFICATE", der)).collect::<String>().into_bytes()
    }

    /// Start and end of the first certificate (the CA the instance presents): what the table shows.
    pub fn validity(&self) -> Option<(time::OffsetDateTime, time::OffsetDateTime)> {
        let (name, der) = self.certificates.first()?;
        let s = summary::summarize(name, der).ok()?;
        Some((s.not_before, s.not_after))
    }

    /// The file name the cloud's console gives this download.
    pub fn suggested_name(service: Service, instance_name: &str) -> String {
        let stem = crate::inventory::export::safe_file_stem(instance_name);
        if service == Service::Dcs { format!("{stem}-ca.zip") } else { format!("{stem}-ca.crt") }
    }
}

/// Whether a file name asks for PEM text rather than the download as received.
pub fn wants_pem(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("pem") || e.eq_ignore_ascii_case("crt"))
}

/// Fetches the CA certificate of a DCS or GeminiDB instance.
pub async fn download_ca(
    session: &CloudSession,
    service: Service,
    region: &str,
    id: &str,
) -> Result<CaDownload, String> {
    let fetcher =
        LinkFetcher::new(session.http(), session.endpoints().link_policy_in(region)).map_err(|e| e.to_string())?;
    download_ca_with(session, &fetcher, service, region, id).await
}

/// [`download_ca`] with a link fetcher the caller keeps (a refresh reads many instances' CAs).
pub async fn download_ca_with(
    session: &CloudSession,
    fetcher: &LinkFetcher,
    service: Service,
    region: &str,
    id: &str,
) -> Result<CaDownload, String> {
    let link = match service {
        Service::Dcs => dcs::ssl_cert_link(session, region, id).await.map_err(|e| e.to_string())?.link,
        Service::GeminiDb => {
            geminidb::ssl_cert_link(session, region, id).await.map_err(|e| e.to_string())?.download_link
        }
        _ => return Err("Only DCS and GeminiDB instances have a CA certificate to download.".into()),
    };
    let bytes = fetcher.fetch(&link, session.http().clock().as_ref()).await.map_err(|e| e.to_string())?;
    read_download(&bytes)
}

/// What a download holds, made anew from the certificates in it: a zip (DCS) becomes a zip of
/// its certificate files, each holding only those certificates as PEM (text around them, other
/// files and whatever else the archive carried are never saved); anything else becomes PEM text.
pub fn read_download(received: &Bytes) -> Result<CaDownload, String> {
    if !archive::is_zip(received) {
        let certificates = certificates_of(vec![("download".to_owned(), received.to_vec())])?;
        let download = CaDownload { bytes: Bytes::new(), certificates, left_out: Vec::new() };
        return Ok(CaDownload { bytes: Bytes::from(download.to_pem()), ..download });
    }
    let files: Vec<(String, Vec<u8>)> = archive::read_zip("download", received, archive::ArchiveLimits::default())
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|e| (e.name, e.bytes))
        .collect();
    let (kept, left_out): (Vec<_>, Vec<_>) =
        files.into_iter().partition(|(name, content)| pem::certificates(name, content).is_ok_and(|c| !c.is_empty()));
    let left_out: Vec<String> = left_out.into_iter().map(|(name, _)| name).collect();
    let certificates = certificates_of(kept.clone())?;
    let mut entries: Vec<(String, String)> = Vec::new();
    for (i, (name, _)) in kept.iter().enumerate() {
        let text: String = certificates
            .iter()
            .filter(|(from, _)| from == name)
            .map(|(_, der)| pem::encode("CERTIFICATE", der))
            .collect();
        entries.push((entry_name(name, i, &entries), text));
    }
    let entries: Vec<(&str, &[u8])> = entries.iter().map(|(n, t)| (n.as_str(), t.as_bytes())).collect();
    let bytes = Bytes::from(archive::write_zip(&entries).map_err(|e| e.to_string())?);
    Ok(CaDownload { bytes, certificates, left_out })
}

/// A plain name for a certificate file of the zip made anew: the received file's own name when it
/// is a plain certificate file name, else `ca-N.crt` (never a folder, a script's name, or twice).
fn entry_name(received: &str, index: usize, taken: &[(String, String)]) -> String {
    let base = received.rsplit('/').next().unwrap_or(received);
    let plain = !base.is_empty()
        && base.len() <= 64
        && base.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !base.starts_with('.')
        && [".crt", ".pem", ".cer"].iter().any(|ext| base.to_ascii_lowercase().ends_with(ext));
    let name = if plain { base.to_owned() } else { format!("ca-{}.crt", index + 1) };
    if taken.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) { format!("ca-{}.crt", index + 1) } else { name }
}

/// The certificates in a download's files.
fn certificates_of(files: Vec<(String, Vec<u8>)>) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    for (name, content) in files {
        let Ok(ders) = pem::certificates(&name, &content) else { continue };
        for der in ders {
            // Only what parses as a certificate counts.
            summary::summarize(&name, &der).map_err(|e| e.to_string())?;
            out.push((name.clone(), der));
        }
    }
    if out.is_empty() {
        return Err("The download holds no certificate; nothing was saved.".into());
    }
    if out.len() > crate::certs::material::MAX_CERTIFICATES {
        return Err(format!(
            "The download holds {} certificates, more than any CA bundle ({} at most); nothing was saved.",
            out.len(),
            crate::certs::material::MAX_CERTIFICATES
        ));
    }
    Ok(out)
}
