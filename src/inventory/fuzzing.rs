//! Entry points for the fuzz targets of what the cloud and the data folder send certdesk: every
//! answer body the clients read, read as they read it, and the rows the lists become; the saved
//! inventory; the profiles file. Replayed over the saved corpora by an ordinary test too. Each
//! must return for any input, never panic.

use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::{RefreshOptions, elb, refresh, scm};
use crate::cloud::wire;

fn read<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    serde_json::from_slice(data).ok()
}

/// Every answer body: IAM, DCS, GeminiDB, PCA (and its tolerant reader), ELB (v3, the shared v2
/// and Open Telekom Cloud's v2.0 read the same type), SCM and the error shapes; list bodies
/// become rows as a refresh makes them, at a time near now and at either end of the calendar.
pub fn cloud_wire(data: &[u8]) {
    let _ = read::<wire::iam::ProjectsResponse>(data);
    let _ = read::<wire::iam::DomainsResponse>(data);
    let _ = read::<wire::iam::TokenResponse>(data);
    let _ = read::<wire::dcs::ListInstancesResponse>(data);
    let _ = read::<wire::dcs::DownloadResponse>(data);
    let _ = read::<wire::geminidb::ListInstancesResponse>(data);
    let _ = read::<wire::geminidb::DownloadLinkResponse>(data);
    let _ = read::<wire::pca::ListCasResponse>(data);
    let _ = read::<wire::pca::ExportResponse>(data);
    let _ = read::<wire::pca::ExportCaResponse>(data);
    let _ = wire::error_body::parse(data);
    let listeners = read::<wire::elb::ListListenersResponse>(data).map(|l| l.listeners);
    let elb = read::<wire::elb::ListCertificatesResponse>(data);
    let scm = read::<wire::scm::ListCertificatesResponse>(data);
    let pca = crate::cloud::pca::page_entries(data).ok().map(crate::cloud::pca::read_entries);
    let opts = RefreshOptions::default();
    for now in [
        OffsetDateTime::now_utc(),
        time::macros::datetime!(9999-12-31 23:59:59 UTC),
        time::macros::datetime!(0001-01-01 00:00 UTC),
    ] {
        for cert in elb.iter().flat_map(|l| &l.certificates) {
            let row = elb::row(&opts, "region", cert, listeners.as_deref(), &[], now);
            let _ = (row.expiry_words_at(now), super::policy::assess(&row, now, super::policy::Thresholds::default()));
        }
        for cert in scm.iter().flat_map(|l| &l.certificates) {
            let _ = scm::row(&opts, cert).expiry_words_at(now);
        }
        if let Some((good, odd)) = &pca {
            for row in refresh::pca_rows_of(good.clone(), odd.clone(), &opts) {
                let _ = row.expiry_words_at(now);
            }
        }
    }
}

/// The saved inventory's bytes, read and shown now.
pub fn snapshot(data: &[u8]) {
    if let Ok(snapshot) = super::snapshot::parse(data) {
        let now = OffsetDateTime::now_utc();
        for row in snapshot.rows() {
            let _ = (row.expiry_words_at(now), super::policy::assess(&row, now, super::policy::Thresholds::default()));
        }
    }
}

/// The profiles file's bytes, each profile checked as the app checks it.
pub fn profiles_file(data: &[u8]) {
    if let Ok(file) = crate::store::profiles::parse(data) {
        for profile in &file.profiles {
            let _ = profile.validate();
        }
    }
}
