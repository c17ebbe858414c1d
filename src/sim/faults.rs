//! Fault injection: latency, 5xx, 429 bursts, truncated bodies, resets, slow drip, failing
//! regions and a skewed server clock. Set at start or changed live with `PUT /__sim/faults`.

use serde::{Deserialize, Serialize};

/// The faults in force. All off by default.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default)]
#[allow(clippy::struct_excessive_bools)] // each is one independent fault, off by default
pub struct Faults {
    /// Added to every API response.
    pub latency_ms: u64,
    /// Share of API requests answered 503 (0.0 to 1.0).
    pub error_rate: f64,
    /// Every this many requests, a burst of 429s starts (0 = never).
    pub throttle_every: u64,
    /// How many requests each burst throttles.
    pub throttle_burst: u64,
    /// `Retry-After` sent with 429s.
    pub retry_after_secs: u64,
    /// Share of responses whose body is cut off halfway.
    pub truncate_rate: f64,
    /// Share of responses whose connection is reset before the body.
    pub reset_rate: f64,
    /// Send bodies at this many bytes per second (0 = at once).
    pub drip_bytes_per_sec: u64,
    /// Regions whose project-scoped calls answer 503.
    pub fail_regions: Vec<String>,
    /// Seconds the server clock is ahead (negative: behind) of the real one.
    pub clock_offset_secs: i64,
    /// Lifetime of presigned links; 0 or less hands out already expired links.
    pub link_ttl_secs: i64,
    /// GeminiDB's list leaves out the `ssl` field, as Open Telekom Cloud's does.
    pub omit_gemini_ssl: bool,
    /// The first private certificate of the list has its `not_after` as text, not epoch ms.
    pub odd_pca_entry: bool,
    /// Private certificate zips are labelled `application/json`, as some gateways do.
    pub pca_zip_as_json: bool,
    /// IAM refuses to list the caller's projects (403), as for keys without that permission.
    pub deny_project_listing: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            throttle_every: 0,
            throttle_burst: 0,
            retry_after_secs: 1,
            truncate_rate: 0.0,
            reset_rate: 0.0,
            drip_bytes_per_sec: 0,
            fail_regions: Vec::new(),
            clock_offset_secs: 0,
            link_ttl_secs: 300,
            omit_gemini_ssl: false,
            odd_pca_entry: false,
            pca_zip_as_json: false,
            deny_project_listing: false,
        }
    }
}

/// What the fault layer decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFault {
    /// Send the body whole.
    None,
    /// Cut it off halfway.
    Truncate,
    /// Reset before the body.
    Reset,
    /// Drip it at this many bytes per second.
    Drip(u64),
}

impl Faults {
    /// Whether request number `n` falls in a throttle burst.
    pub fn throttled(&self, n: u64) -> bool {
        self.throttle_every > 0 && n % self.throttle_every < self.throttle_burst
    }

    /// Picks the body fault for a request from a uniform random number in `[0, 1)`.
    pub fn body_fault(&self, roll: f64) -> BodyFault {
        if roll < self.reset_rate {
            BodyFault::Reset
        } else if roll < self.reset_rate + self.truncate_rate {
            BodyFault::Truncate
        } else if self.drip_bytes_per_sec > 0 {
            BodyFault::Drip(self.drip_bytes_per_sec)
        } else {
            BodyFault::None
        }
    }
}
