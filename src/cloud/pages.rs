//! Offset/limit pagination shared by the list calls.

use std::future::Future;

use super::error::CloudError;

/// Upper bound on pages, so a server that never ends a listing cannot loop certdesk forever.
const MAX_PAGES: usize = 10_000;

/// Fetches every page: `fetch(offset, limit)` returns a page and the total count.
pub async fn all_pages<T, F, Fut>(limit: u64, mut fetch: F) -> Result<Vec<T>, CloudError>
where
    F: FnMut(u64, u64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, u64), CloudError>>,
{
    let mut items = Vec::new();
    let mut offset = 0;
    for _ in 0..MAX_PAGES {
        let (page, total) = fetch(offset, limit).await?;
        let got = page.len() as u64;
        items.extend(page);
        offset += got;
        if got == 0 || offset >= total {
            return Ok(items);
        }
    }
    Err(CloudError::Scope(format!("the listing did not end after {MAX_PAGES} pages")))
}

/// Fetches every page of a marker-paginated list: `fetch(marker, limit)` returns a page and the
/// next marker (`None` on the last page). A marker that repeats ends the listing with an error
/// rather than a loop.
pub async fn all_marker_pages<T, F, Fut>(limit: u64, mut fetch: F) -> Result<Vec<T>, CloudError>
where
    F: FnMut(Option<String>, u64) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), CloudError>>,
{
    let mut items = Vec::new();
    let mut marker: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let (page, next) = fetch(marker.clone(), limit).await?;
        let empty = page.is_empty();
        items.extend(page);
        match next {
            Some(next) if !empty => {
                if !seen.insert(next.clone()) {
                    return Err(CloudError::Scope(format!("the listing repeated its page marker {next}")));
                }
                marker = Some(next);
            }
            _ => return Ok(items),
        }
    }
    Err(CloudError::Scope(format!("the listing did not end after {MAX_PAGES} pages")))
}
