//! `certdesk sim`: runs the simulator and prints its connection facts as one JSON line.

use std::net::SocketAddr;

use clap::Args;

use super::{EXIT_FAILURE, EXIT_OK, output};
use crate::sim::{Faults, Scale, Shape, SimConfig, start};

/// Options of `sim`.
#[derive(Debug, Args)]
#[expect(clippy::struct_excessive_bools, reason = "independent command-line switches")]
pub struct SimArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Access key to accept.
    #[arg(long)]
    pub ak: Option<String>,
    /// Secret key to accept.
    #[arg(long)]
    pub sk: Option<String>,
    /// Seed of the estate.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Size of the estate.
    #[arg(long, value_enum, default_value = "small")]
    pub scale: Scale,
    /// Added latency per API call, ms.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of API calls answered 503 (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Every N calls a burst of 429s starts.
    #[arg(long, default_value_t = 0)]
    pub throttle_every: u64,
    /// Calls per 429 burst.
    #[arg(long, default_value_t = 0)]
    pub throttle_burst: u64,
    /// Retry-After of 429s, seconds.
    #[arg(long, default_value_t = 1)]
    pub retry_after_secs: u64,
    /// Share of responses cut off halfway.
    #[arg(long, default_value_t = 0.0)]
    pub truncate_rate: f64,
    /// Share of responses reset before the body.
    #[arg(long, default_value_t = 0.0)]
    pub reset_rate: f64,
    /// Send bodies at this many bytes per second.
    #[arg(long, default_value_t = 0)]
    pub drip_bytes_per_sec: u64,
    /// Region whose calls answer 503; repeat for several.
    #[arg(long = "fail-region")]
    pub fail_regions: Vec<String>,
    /// Server clock offset, seconds.
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub clock_offset_secs: i64,
    /// Serve HTTPS with a generated CA, written to --ca-out.
    #[arg(long, requires = "ca_out")]
    pub tls: bool,
    /// Where to write the generated TLS CA certificate (PEM).
    #[arg(long)]
    pub ca_out: Option<std::path::PathBuf>,
    /// Lifetime of presigned links, seconds.
    #[arg(long, default_value_t = 300, allow_hyphen_values = true)]
    pub link_ttl_secs: i64,
    /// Leave `ssl` out of GeminiDB's list, as Open Telekom Cloud's does.
    #[arg(long)]
    pub omit_gemini_ssl: bool,
    /// Give the first private certificate of the list a `not_after` as text (a tolerance test).
    #[arg(long)]
    pub odd_pca_entry: bool,
    /// Answer under this cloud's production host names (IAM, DCS, GeminiDB, CCM, ELB, SCM and
    /// object storage, per region) over TLS; clients reach it with `--resolve-to` and the
    /// `resolve_to` and `tls_ca_pem` of the JSON line (the CA is also written to --ca-out).
    #[arg(long, value_enum)]
    pub hostnames: Option<super::connect::CloudArg>,
    /// With --hostnames: a private cloud's names instead, e.g. `https://{service}.{region}.cloud.example`.
    #[arg(long, requires_all = ["hostnames", "object_storage_suffix"])]
    pub endpoint_template: Option<String>,
    /// With --endpoint-template: the object-storage host suffix of its download links.
    #[arg(long, requires = "endpoint_template")]
    pub object_storage_suffix: Option<String>,
    /// A region of the simulated account; repeat for several (default: the scale's, in the
    /// --hostnames cloud's regions).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// DCS instances per region (default: the scale's).
    #[arg(long)]
    pub dcs_per_region: Option<usize>,
    /// GeminiDB instances per region (default: the scale's).
    #[arg(long)]
    pub gemini_per_region: Option<usize>,
    /// Private certificates of the account (default: the scale's).
    #[arg(long)]
    pub pca_certificates: Option<usize>,
    /// Label private certificate zips `application/json`, as some gateways do (a tolerance test).
    #[arg(long)]
    pub pca_zip_as_json: bool,
    /// IAM refuses to list the caller's projects (403), as for keys without that permission.
    #[arg(long)]
    pub deny_project_listing: bool,
    /// Listen on an address other than loopback: the run gets its own random AK/SK, IAM password
    /// and an admin key for /__sim/* (X-Sim-Admin-Key), all printed in the JSON line.
    #[arg(long)]
    pub allow_remote: bool,
}

/// Random hex for the credentials of a run that others on the network can reach.
fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).map_err(|_| "the system random generator failed".to_owned())?;
    Ok(hex::encode(buf))
}

/// The production names `--hostnames` asks for, and the estate's shape the options ask for.
fn hostnames_and_shape(args: &SimArgs) -> Result<(Option<crate::cloud::Endpoints>, Option<Shape>), String> {
    use crate::cloud::{Cloud, Endpoints, endpoints::Template};
    let endpoints = match (args.hostnames, &args.endpoint_template) {
        (None, _) => None,
        (Some(cloud), None) => Some(Endpoints::catalog(Cloud::from(cloud))),
        (Some(cloud), Some(pattern)) => Some(
            Endpoints::template(
                Cloud::from(cloud),
                Template {
                    pattern: pattern.clone(),
                    object_storage_suffix: args.object_storage_suffix.clone().unwrap_or_default(),
                    home_region: args.regions.first().cloned().unwrap_or_else(|| "region-1".into()),
                },
            )
            .map_err(|e| e.to_string())?,
        ),
    };
    for region in &args.regions {
        crate::cloud::validate::region(region).map_err(|e| e.to_string())?;
    }
    let custom = !args.regions.is_empty()
        || args.dcs_per_region.is_some()
        || args.gemini_per_region.is_some()
        || args.pca_certificates.is_some();
    if !custom {
        return Ok((endpoints, None));
    }
    let mut shape = args.scale.shape();
    if !args.regions.is_empty() {
        shape.regions.clone_from(&args.regions);
    } else if let Some(e) = &endpoints {
        shape.regions = crate::sim::hostnames::default_regions(e, shape.regions.len());
    }
    shape.dcs_per_region = args.dcs_per_region.unwrap_or(shape.dcs_per_region);
    shape.gemini_per_region = args.gemini_per_region.unwrap_or(shape.gemini_per_region);
    shape.pca_certificates = args.pca_certificates.unwrap_or(shape.pca_certificates);
    Ok((endpoints, Some(shape)))
}

pub(super) async fn run(args: SimArgs) -> u8 {
    if args.allow_remote && (args.ak.is_some() || args.sk.is_some()) {
        output::error(
            "--allow-remote makes credentials of the run's own; --ak and --sk would serve known keys on the network",
        );
        return EXIT_FAILURE;
    }
    let (hostnames, shape) = match hostnames_and_shape(&args) {
        Ok(x) => x,
        Err(e) => {
            output::error(&e);
            return EXIT_FAILURE;
        }
    };
    let mut defaults = SimConfig::default();
    if args.allow_remote {
        let random = (|| -> Result<_, String> {
            Ok((
                format!("SIMAK{}", random_hex(8)?.to_ascii_uppercase()),
                random_hex(20)?,
                random_hex(12)?,
                random_hex(16)?,
            ))
        })();
        match random {
            Ok((ak, sk, password, admin)) => {
                defaults.access_key = ak;
                defaults.secret_key = sk;
                defaults.iam_password = password;
                defaults.admin_key = Some(admin);
                defaults.allow_remote = true;
            }
            Err(e) => {
                output::error(&e);
                return EXIT_FAILURE;
            }
        }
    }
    let config = SimConfig {
        listen: args.listen,
        access_key: args.ak.unwrap_or(defaults.access_key),
        secret_key: args.sk.unwrap_or(defaults.secret_key),
        seed: args.seed,
        scale: args.scale,
        faults: Faults {
            latency_ms: args.latency_ms,
            error_rate: args.error_rate,
            throttle_every: args.throttle_every,
            throttle_burst: args.throttle_burst,
            retry_after_secs: args.retry_after_secs,
            truncate_rate: args.truncate_rate,
            reset_rate: args.reset_rate,
            drip_bytes_per_sec: args.drip_bytes_per_sec,
            fail_regions: args.fail_regions,
            clock_offset_secs: args.clock_offset_secs,
            link_ttl_secs: args.link_ttl_secs,
            omit_gemini_ssl: args.omit_gemini_ssl,
            odd_pca_entry: args.odd_pca_entry,
            pca_zip_as_json: args.pca_zip_as_json,
            deny_project_listing: args.deny_project_listing,
        },
        tls_ca_out: if args.tls || hostnames.is_some() { args.ca_out } else { None },
        hostnames,
        shape,
        ..defaults
    };
    let sim = match start(config).await {
        Ok(s) => s,
        Err(e) => {
            output::error(&e.to_string());
            return EXIT_FAILURE;
        }
    };
    output::line(&serde_json::to_string(&sim.info).unwrap_or_default());
    sim.serve_until_signal().await;
    EXIT_OK
}
