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
