//! `certdesk endpoints --cloud C --json`: the endpoint catalog certdesk uses, region by region and
//! service by service (`null` where the region does not offer the service), with the object
//! storage suffix presigned links must end in. Offline: it reads the catalog, it calls nothing.

use clap::Args;
use serde_json::{Map, Value, json};

use super::connect::CloudArg;
use super::{EXIT_OK, output};
use crate::cloud::{Cloud, Endpoints, Service};

/// Options of `endpoints`.
#[derive(Debug, Args)]
pub struct EndpointsArgs {
    /// The cloud: huawei-cloud, open-telekom-cloud or swiss-otc.
    #[arg(long, value_enum, default_value = "huawei-cloud")]
    pub cloud: CloudArg,
    /// Print JSON (the only form for now; the flag keeps scripts explicit).
    #[arg(long)]
    pub json: bool,
}

/// The services the catalog names, with their JSON keys.
const SERVICES: [(&str, Service); 6] = [
    ("iam", Service::Iam),
    ("dcs", Service::Dcs),
    ("gemini-db", Service::GeminiDb),
    ("ccm", Service::Ccm),
    ("elb", Service::Elb),
    ("scm", Service::Scm),
];

/// The catalog of a cloud as JSON.
pub fn catalog(cloud: Cloud) -> Value {
    let endpoints = Endpoints::catalog(cloud);
    let regions: Vec<Value> = cloud
        .regions()
        .iter()
        .map(|region| {
            let mut services = Map::new();
            for (key, service) in SERVICES {
                // Global services name no region in their calls; the catalog says where they live.
                let asked = if service.is_global() { "" } else { region };
                let url = endpoints
                    .offers(service, region)
                    .then(|| endpoints.base_url(service, asked).ok())
                    .flatten()
                    .map(|u| u.as_str().trim_end_matches('/').to_owned());
                services.insert(key.to_owned(), url.map_or(Value::Null, Value::String));
            }
            json!({"region": region, "services": services, "object_storage_suffix": cloud.object_storage_suffix_in(region)})
        })
        .collect();
    let name = serde_json::to_value(cloud).unwrap_or(Value::Null);
    json!({"cloud": name, "regions": regions})
}

pub(super) fn run(args: &EndpointsArgs) -> u8 {
    let _ = args.json;
    output::line(&serde_json::to_string_pretty(&catalog(Cloud::from(args.cloud))).unwrap_or_default());
    EXIT_OK
}
