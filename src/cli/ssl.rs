//! `certdesk ssl`: the SSL facts of one DCS instance.

use clap::Args;
use serde_json::json;

use super::connect::ConnectArgs;
use super::{EXIT_FAILURE, EXIT_OK, output};
use crate::cloud::dcs::{SslState, show_ssl};

/// Options of `ssl`.
#[derive(Debug, Args)]
pub struct SslArgs {
    /// Connection options (give the instance's `--region`).
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// The DCS instance id.
    pub instance_id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub(super) async fn run(args: SslArgs) -> u8 {
    let result = async {
        let session = args.connect.session().await?;
        let region = args.connect.single_region()?;
        show_ssl(&session, region, &args.instance_id).await.map_err(|e| e.to_string())
    }
    .await;
    let state = match result {
        Ok(s) => s,
        Err(e) => {
            output::error(&e);
            return EXIT_FAILURE;
        }
    };
    let value = match &state {
        SslState::Reported(info) => json!({"state": if info.enabled { "on" } else { "off" }, "ssl": info}),
        SslState::NoInfo => json!({"state": "unknown", "ssl": null}),
        SslState::NotSupported => json!({"state": "not_supported", "ssl": null}),
    };
    if args.json {
        output::json(&value);
        return EXIT_OK;
    }
    match state {
        SslState::Reported(info) if info.enabled => {
            // The cloud's values, each kept on its line.
            let inert = crate::text::inert;
            output::line(&format!(
                "SSL:        on\nIP:         {}\nPort:       {}",
                inert(&info.ip),
                inert(&info.port)
            ));
            output::line(&format!(
                "Domain:     {}\nExpires:    {}\nValidated:  {}",
                inert(&info.domain_name),
                inert(&info.ssl_expired_at),
                info.ssl_validated
            ));
        }
        SslState::Reported(_) => output::line("SSL: off"),
        SslState::NoInfo => output::line("SSL: unknown (DCS returned no SSL information)"),
        SslState::NotSupported => {
            output::line("SSL: not supported by this engine version (DCS needs Redis 6.0 or later)");
        }
    }
    EXIT_OK
}
