//! The simulated account: regions, projects, DCS and GeminiDB instances and private
//! certificates, all derived from a seed so every run with the same seed lists the same estate.
//! Dates are relative to the start time, so "expiring in 5 days" stays true whenever it runs.

use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use super::pki::KeyKind;
use crate::cloud::wire::{dcs, geminidb, pca};

/// How big the estate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// 2 regions, a handful of each: fast tests.
    Small,
    /// 3 regions, a few dozen rows: demo mode.
    Demo,
    /// 12 regions, thousands of instances and certificates: benchmarks.
    Large,
}

impl Scale {
    /// What the scale holds, in the simulator's usual regions.
    pub fn shape(self) -> Shape {
        let (regions, dcs_per_region, gemini_per_region, pca_certificates, elb_per_region, scm) = match self {
            Self::Small => (2, 4, 2, 6, 3, 3),
            Self::Demo => (3, 10, 5, 16, 5, 7),
            Self::Large => (12, 250, 60, 1500, 40, 120),
        };
        Shape {
            regions: REGIONS.iter().take(regions).map(|r| (*r).to_owned()).collect(),
            dcs_per_region,
            gemini_per_region,
            pca_certificates,
            elb_per_region,
            scm,
        }
    }
}

/// The estate's size: its regions and how many of each item (a scale's, or a benchmark's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Region ids, in order.
    pub regions: Vec<String>,
    /// DCS instances per region.
    pub dcs_per_region: usize,
    /// GeminiDB instances per region.
    pub gemini_per_region: usize,
    /// Private certificates of the account.
    pub pca_certificates: usize,
    /// Load balancer certificates per region.
    pub elb_per_region: usize,
    /// SCM certificates of the account.
    pub scm: usize,
}

/// Region ids the simulator uses, in order.
pub const REGIONS: &[&str] = &[
    "eu-de",
    "eu-nl",
    "ap-southeast-3",
    "ap-southeast-1",
    "af-south-1",
    "la-south-2",
    "cn-north-4",
    "me-east-1",
    "tr-west-1",
    "ru-moscow-1",
    "sa-brazil-1",
    "ap-southeast-2",
];

/// A deterministic pseudo-random source (splitmix64), stable across platforms and crate versions.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A source from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n.max(1) as u64)).unwrap_or(0)
    }
    /// `n` random hex characters.
    pub fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        while s.len() < n {
            s.push_str(&hex::encode(self.next_u64().to_be_bytes()));
        }
        s.truncate(n);
        s
    }
    /// A random UUID-shaped string.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!("{}-{}-4{}-8{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
    }
    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The SSL facts of a DCS instance.
#[derive(Clone, Debug)]
pub struct DcsSsl {
    /// Whether SSL is on.
    pub enabled: bool,
    /// Certificate expiry.
    pub expires_at: OffsetDateTime,
    /// Whether the certificate is validated.
    pub validated: bool,
}

/// One DCS instance and what the simulator knows about it.
#[derive(Clone, Debug)]
pub struct DcsRecord {
    /// The list entry, as served.
    pub instance: dcs::Instance,
    /// SSL facts; `None` for engines without SSL.
    pub ssl: Option<DcsSsl>,
    /// When set, `/ssl` answers 204 (no SSL info) although SSL is supported.
    pub no_info: bool,
}

/// One GeminiDB instance.
#[derive(Clone, Debug)]
pub struct GeminiRecord {
    /// The list entry, as served.
    pub instance: geminidb::Instance,
    /// Expiry of its CA certificate.
    pub ca_expires_at: OffsetDateTime,
}

/// One region's resources.
#[derive(Clone, Debug)]
pub struct RegionEstate {
    /// Region id.
    pub name: String,
    /// Its default project id.
    pub project_id: String,
    /// DCS instances, newest first.
    pub dcs: Vec<DcsRecord>,
    /// GeminiDB instances, newest first.
    pub gemini: Vec<GeminiRecord>,
    /// Certificates uploaded to load balancers, oldest first (the order markers page through).
    pub elb: Vec<ElbCertRecord>,
    /// Load balancer listeners (dedicated API), some using those certificates.
    pub listeners: Vec<crate::cloud::wire::elb::Listener>,
}

impl RegionEstate {
    /// Its instances and load balancer certificates.
    pub fn item_count(&self) -> usize {
        self.dcs.len() + self.gemini.len() + self.elb.len()
    }
}

/// A certificate uploaded to ELB; its PEM is issued on first use from these facts.
#[derive(Clone, Debug)]
pub struct ElbCertRecord {
    /// 32 hex characters.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `server`, or `client` (a CA certificate for mutual TLS).
    pub kind: String,
    /// The domain it is for.
    pub domain: String,
    /// Listed by the shared (classic) API rather than the dedicated one.
    pub shared: bool,
    /// Validity.
    pub not_before: OffsetDateTime,
    /// Validity.
    pub not_after: OffsetDateTime,
    /// When uploaded.
    pub created_at: OffsetDateTime,
}

/// A certificate in SSL Certificate Manager; PEM and key are issued on first export.
#[derive(Clone, Debug)]
pub struct ScmCertRecord {
    /// The list entry, as served.
    pub wire: crate::cloud::wire::scm::Certificate,
    /// Validity.
    pub not_before: OffsetDateTime,
    /// Validity.
    pub not_after: OffsetDateTime,
}

/// One private certificate.
#[derive(Clone, Debug)]
pub struct PcaCertRecord {
    /// The list entry, as served.
    pub wire: pca::Certificate,
    /// Key type.
    pub key: KeyKind,
    /// DNS names.
    pub dns_names: Vec<String>,
}

/// What [`Estate::evolve`] changed, by id.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Evolution {
    /// Certificates renewed (expiry 400 days later).
    pub renewed: Vec<String>,
    /// Certificates now 3 days from expiry.
    pub now_expiring: Vec<String>,
    /// Instances whose SSL was switched off.
    pub ssl_switched: Vec<String>,
    /// Instances added.
    pub added: Vec<String>,
    /// Instances removed.
    pub removed: Vec<String>,
}

/// The whole simulated account.
#[derive(Clone, Debug)]
pub struct Estate {
    /// The start time dates are relative to.
    pub created_at: OffsetDateTime,
    /// Account (domain) id.
    pub domain_id: String,
    /// Account (domain) name.
    pub domain_name: String,
    /// Regions.
    pub regions: Vec<RegionEstate>,
    /// Private CAs: root, then subordinate.
    pub cas: Vec<pca::CertificateAuthority>,
    /// Private certificates, newest first.
    pub certificates: Vec<PcaCertRecord>,
    /// SSL Certificate Manager certificates (global).
    pub scm: Vec<ScmCertRecord>,
}

/// Days-left values that make a useful spread: expired, expiring soon, healthy.
const DAYS_LEFT: &[i64] = &[-12, -1, 2, 5, 9, 21, 28, 45, 90, 180, 320, 700];

fn ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

fn iso_ms(at: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    at.format(&f).unwrap_or_default()
}

fn iso_plain(at: OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    at.format(&f).unwrap_or_default()
}

fn object(v: Value) -> serde_json::Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

impl Estate {
    /// Builds the estate for a seed and scale at a start time.
    pub fn generate(seed: u64, scale: Scale, now: OffsetDateTime) -> Self {
        Self::generate_shaped(seed, &scale.shape(), now)
    }

    /// Builds an estate of a given shape for a seed at a start time.
    pub fn generate_shaped(seed: u64, shape: &Shape, now: OffsetDateTime) -> Self {
        let mut rng = Rng::new(seed);
        let domain_id = rng.hex(32);
        let regions = shape
            .regions
            .iter()
            .map(|region| {
                let project_id = rng.hex(32);
                let dcs = (0..shape.dcs_per_region).map(|i| dcs_instance(&mut rng, region, i, now)).collect();
                let gemini = (0..shape.gemini_per_region).map(|i| gemini_instance(&mut rng, region, i, now)).collect();
                RegionEstate { name: region.clone(), project_id, dcs, gemini, elb: Vec::new(), listeners: Vec::new() }
            })
            .collect();
        let (cas, certificates) = pca_estate(&mut rng, shape.pca_certificates, now, &domain_id);
        let mut estate = Self {
            created_at: now,
            domain_id,
            domain_name: format!("sim-account-{seed}"),
            regions,
            cas,
            certificates,
            scm: Vec::new(),
        };
        // Drawn from a generator of their own, so the rest of the estate is what it always was.
        estate.add_load_balancers_and_scm(&mut Rng::new(seed ^ 0x0e1b), shape, now);
        estate
    }

    /// The account a while later, as operators change it: one DCS certificate renewed, one moved
    /// into the critical window, one instance's SSL switched off, and in the first region one DCS
    /// instance added and the last GeminiDB instance removed. Says which ids, so tests can
    /// check that exactly these changes are seen. Parts it cannot change (none left) are skipped.
    pub fn evolve(&mut self, now: OffsetDateTime) -> Evolution {
        let mut rng = Rng::new(self.regions.iter().map(|r| r.dcs.len() as u64).sum::<u64>() ^ 0xe70);
        let mut out = Evolution::default();
        let mut with_ssl = self
            .regions
            .iter_mut()
            .flat_map(|r| r.dcs.iter_mut())
            .filter(|d| !d.no_info && d.ssl.as_ref().is_some_and(|s| s.enabled));
        if let Some(d) = with_ssl.next()
            && let Some(ssl) = d.ssl.as_mut()
        {
            ssl.expires_at = ssl.expires_at.max(now) + Duration::days(400);
            out.renewed.push(d.instance.instance_id.clone());
        }
        if let Some(d) = with_ssl.find(|d| d.ssl.as_ref().is_some_and(|s| s.expires_at > now + Duration::days(60)))
            && let Some(ssl) = d.ssl.as_mut()
        {
            ssl.expires_at = now + Duration::days(3) + Duration::hours(1);
            out.now_expiring.push(d.instance.instance_id.clone());
        }
        if let Some(d) = with_ssl.next()
            && let Some(ssl) = d.ssl.as_mut()
        {
            ssl.enabled = false;
            out.ssl_switched.push(d.instance.instance_id.clone());
        }
        drop(with_ssl);
        let Some(region) = self.regions.first_mut() else { return out };
        if let Some(gone) = region.gemini.pop() {
            out.removed.push(gone.instance.id);
        }
        if let Some(mut added) = region.dcs.first().cloned() {
            added.instance.instance_id = rng.uuid();
            added.instance.name = format!("added-cache-{}", rng.hex(4));
            if let Some(ssl) = added.ssl.as_mut() {
                ssl.expires_at = now + Duration::days(200);
            }
            out.added.push(added.instance.instance_id.clone());
            region.dcs.insert(0, added);
        }
        out
    }

    fn add_load_balancers_and_scm(&mut self, rng: &mut Rng, shape: &Shape, now: OffsetDateTime) {
        let (per_region, scm) = (shape.elb_per_region, shape.scm);
        for region in &mut self.regions {
            let mut elb: Vec<ElbCertRecord> = (0..per_region)
                .map(|i| {
                    let days = *rng.pick(DAYS_LEFT);
                    let site = *rng.pick(&["www", "shop", "api", "portal", "login", "cdn"]);
                    let client = i % 5 == 4;
                    ElbCertRecord {
                        id: rng.hex(32),
                        name: if client {
                            format!("client-ca-{i:02}")
                        } else {
                            format!("{site}-{}-{i:02}", region.name)
                        },
                        kind: if client { "client" } else { "server" }.into(),
                        domain: if client { String::new() } else { format!("{site}.example.com") },
                        shared: i % 3 == 2,
                        not_before: now - Duration::days(365 - days.min(300)),
                        not_after: now + Duration::days(days) + Duration::hours(2),
                        created_at: now - Duration::days(60 + i64::try_from(i).unwrap_or(0)),
                    }
                })
                .collect();
            elb.sort_by(|a, b| a.id.cmp(&b.id));
            // Every other server certificate is on an HTTPS listener; the first CA on a TLS one.
            let servers: Vec<&ElbCertRecord> = elb.iter().filter(|c| c.kind == "server" && !c.shared).collect();
            let ca = elb.iter().find(|c| c.kind == "client" && !c.shared).map(|c| c.id.clone());
            region.listeners = servers
                .iter()
                .step_by(2)
                .enumerate()
                .map(|(i, cert)| crate::cloud::wire::elb::Listener {
                    id: rng.uuid(),
                    name: format!("listener-https-{i:02}"),
                    protocol: "HTTPS".into(),
                    protocol_port: 443,
                    default_tls_container_ref: Some(cert.id.clone()),
                    client_ca_tls_container_ref: if i == 0 { ca.clone() } else { None },
                    sni_container_refs: Vec::new(),
                    extra: serde_json::Map::new(),
                })
                .collect();
            region.elb = elb;
        }
        self.scm = (0..scm)
            .map(|i| {
                // Every fourth one was uploaded without its key (and is valid); the fifth is revoked.
                let days = if i % 4 == 3 { 90 } else { *rng.pick(DAYS_LEFT) };
                let host = format!("{}.example.org", rng.pick(&["www", "shop", "mail", "vpn", "status", "docs"]));
                let not_after = now + Duration::days(days) + Duration::hours(3);
                let status = if i % 9 == 4 {
                    "REVOKED"
                } else if not_after < now {
                    "EXPIRED"
                } else {
                    "ISSUED"
                };
                let wire = crate::cloud::wire::scm::Certificate {
                    id: format!("scs{}", 1_554_192_131_150_u64 + u64::try_from(i).unwrap_or(0) * 7919),
                    name: format!("scm-{}-{i:02}", host.split('.').next().unwrap_or("cert")),
                    domain: host.clone(),
                    sans: format!("{host};alt.{host}"),
                    kind: (*rng.pick(&["DV_SSL_CERT", "OV_SSL_CERT", "EV_SSL_CERT"])).into(),
                    brand: (*rng.pick(&["GlobalSign", "DigiCert", "GeoTrust"])).into(),
                    status: status.into(),
                    expire_time: format!("{}.0", iso_plain(not_after).replace('T', " ")),
                    signature_algorithm: "RSA2048".into(),
                    deploy_support: i % 4 != 3,
                    extra: object(json!({"validity_period": 12, "domain_type": "SINGLE_DOMAIN", "domain_count": 1,
                                         "wildcard_count": 0, "description": "", "enterprise_project_id": "0"})),
                };
                ScmCertRecord { wire, not_before: now - Duration::days(365 - days.min(300)), not_after }
            })
            .collect();
    }

    /// Every item certdesk lists of it: instances and load balancer certificates of every region,
    /// private and SCM certificates.
    pub fn item_count(&self) -> usize {
        self.regions.iter().map(RegionEstate::item_count).sum::<usize>() + self.certificates.len() + self.scm.len()
    }

    /// The region whose project id this is.
    pub fn region_by_project(&self, project_id: &str) -> Option<&RegionEstate> {
        self.regions.iter().find(|r| r.project_id == project_id)
    }

    /// A region by name.
    pub fn region(&self, name: &str) -> Option<&RegionEstate> {
        self.regions.iter().find(|r| r.name == name)
    }
}

fn dcs_instance(rng: &mut Rng, region: &str, i: usize, now: OffsetDateTime) -> DcsRecord {
    let id = rng.uuid();
    let version = *rng.pick(&["7.0", "6.0", "6.0", "5.0", "4.0"]);
    let memcached = rng.below(10) == 0;
    let (engine, version) = if memcached { ("Memcached", "") } else { ("Redis", version) };
    let supports_ssl = engine == "Redis" && matches!(version, "6.0" | "7.0");
    let env = *rng.pick(&["prod", "staging", "dev", "test"]);
    let app = *rng.pick(&["session", "cache", "queue", "ratelimit", "search", "cart", "feature-flags"]);
    let name = format!("{env}-{app}-{i:03}");
    let status = *rng.pick(&["RUNNING", "RUNNING", "RUNNING", "RUNNING", "RESTARTING", "EXTENDING"]);
    let created = now - Duration::days(i64::try_from(30 + rng.below(900)).unwrap_or(30));
    let ssl = supports_ssl.then(|| DcsSsl {
        enabled: rng.below(4) != 0,
        expires_at: now
            + Duration::days(*rng.pick(DAYS_LEFT))
            + Duration::hours(i64::try_from(rng.below(23)).unwrap_or(0)),
        validated: rng.below(5) != 0,
    });
    let no_info = supports_ssl && rng.below(25) == 0;
    let ip = format!("192.168.{}.{}", rng.below(250), 2 + rng.below(250));
    let capacity = *rng.pick(&[1u64, 2, 4, 8, 16, 32]);
    let extra = object(json!({
        "vpc_name": format!("vpc-{region}"),
        "charging_mode": 0,
        "vpc_id": rng.uuid(),
        "subnet_id": rng.uuid(),
        "security_group_id": rng.uuid(),
        "publicip_id": null,
        "publicip_address": null,
        "enable_publicip": false,
        "order_id": null,
        "maintain_begin": "18:00:00",
        "maintain_end": "19:00:00",
        "service_upgrade": false,
        "service_task_id": "",
        "access_user": null,
        "user_id": rng.hex(32),
        "user_name": "sim-admin",
        "enterprise_project_id": "0",
        "cpu_type": "x86_64",
        "sub_status": "normal",
        "capacity": capacity,
        "capacity_minor": "",
        "max_memory": capacity * 1024,
        "used_memory": rng.below(512),
        "readonly_domain_name": format!("redis-{id}-readonly.dcs.{region}.sim.internal"),
        "no_password_access": "false",
        "enable_ssl": false,
        "updated_at": iso_ms(now - Duration::days(1)),
        "description": format!("{app} for {env}"),
        "tags": [{"key": "env", "value": env}],
        "az_codes": [format!("{region}-01")],
    }));
    let instance = dcs::Instance {
        instance_id: id.clone(),
        name,
        status: status.to_owned(),
        engine: engine.to_owned(),
        engine_version: version.to_owned(),
        spec_code: format!("redis.ha.xu1.large.r2.{capacity}"),
        ip,
        port: Some(6379),
        domain_name: format!("redis-{id}.dcs.{region}.sim.internal"),
        created_at: iso_ms(created),
        features: dcs::Features {
            support_ssl: supports_ssl,
            extra: object(
                json!({"support_acl": true, "support_transparent_client_ip": true, "support_audit_log": false}),
            ),
        },
        extra,
    };
    DcsRecord { instance, ssl, no_info }
}

fn gemini_instance(rng: &mut Rng, region: &str, i: usize, now: OffsetDateTime) -> GeminiRecord {
    let id = format!("{}in{:02}", rng.hex(32), 6 + rng.below(4));
    let (kind, version, mode) = *rng.pick(&[
        ("redis", "6.2", "Cluster"),
        ("cassandra", "3.11", "Cluster"),
        ("mongodb", "4.0", "ReplicaSet"),
        ("influxdb", "1.8", "Cluster"),
    ]);
    let ssl_on = rng.below(3) != 0;
    let created = now - Duration::days(i64::try_from(10 + rng.below(700)).unwrap_or(10));
    let port = if kind == "redis" { "6379" } else { "8635" };
    let node = |rng: &mut Rng| {
        json!({"id": format!("{}no01", rng.hex(28)), "name": format!("node-{}", rng.hex(6)), "status": "normal",
               "private_ip": format!("10.0.{}.{}", rng.below(250), 2 + rng.below(250)), "public_ip": "",
               "spec_code": format!("geminidb.{kind}.large.4"), "availability_zone": format!("{region}-01"), "role": ""})
    };
    let nodes = vec![node(rng), node(rng), node(rng)];
    let extra = object(json!({
        "engine": "rocksDB",
        "updated": iso_plain(now - Duration::days(2)),
        "db_user_name": "rwuser",
        "vpc_id": rng.uuid(),
        "subnet_id": rng.uuid(),
        "security_group_id": rng.uuid(),
        "backup_strategy": {"start_time": "08:00-09:00", "keep_days": 7},
        "pay_mode": "0",
        "maintenance_window": "02:00-06:00",
        "groups": [{"id": format!("{}gr01", rng.hex(28)), "status": "normal",
                    "volume": {"size": "100", "used": "3.2"}, "nodes": nodes}],
        "enterprise_project_id": "0",
        "time_zone": "",
        "actions": [],
        "dedicated_resource_id": "",
        "lb_ip_address": "",
        "lb_port": "",
    }));
    let instance = geminidb::Instance {
        id,
        name: format!("gemini-{kind}-{i:03}"),
        status: (*rng.pick(&["normal", "normal", "normal", "abnormal"])).to_owned(),
        port: port.to_owned(),
        mode: mode.to_owned(),
        region: region.to_owned(),
        datastore: geminidb::Datastore {
            kind: kind.to_owned(),
            version: version.to_owned(),
            extra: object(json!({"patch_available": false, "whole_version": format!("{version}.0.3")})),
        },
        ssl: Some(if ssl_on { "1" } else { "0" }.to_owned()),
        ccm_cert_info: None,
        created: iso_plain(created),
        extra,
    };
    GeminiRecord { instance, ca_expires_at: now + Duration::days(*rng.pick(DAYS_LEFT) + 365) }
}

fn dn(common_name: &str) -> pca::DistinguishedName {
    pca::DistinguishedName {
        common_name: common_name.to_owned(),
        country: "DE".into(),
        state: String::new(),
        locality: String::new(),
        organization: "certdesk simulator".into(),
        organizational_unit: String::new(),
    }
}

/// The CA names the simulator's PKI uses.
pub const ROOT_CA_NAME: &str = "Sim Root CA";
/// The issuing CA's name.
pub const SUB_CA_NAME: &str = "Sim Issuing CA";

fn pca_estate(
    rng: &mut Rng,
    n: usize,
    now: OffsetDateTime,
    domain_id: &str,
) -> (Vec<pca::CertificateAuthority>, Vec<PcaCertRecord>) {
    let root_id = rng.uuid();
    let sub_id = rng.uuid();
    let ca = |id: &str, kind: &str, name: &str, issuer: Option<(&str, &str)>, years: i64| pca::CertificateAuthority {
        ca_id: id.to_owned(),
        kind: kind.to_owned(),
        status: "ACTIVED".into(),
        issuer_id: issuer.map(|i| i.0.to_owned()),
        issuer_name: issuer.map(|i| i.1.to_owned()),
        key_algorithm: "EC256".into(),
        not_before: Some(ms(now - Duration::days(400))),
        not_after: Some(ms(now + Duration::days(365 * years))),
        distinguished_name: dn(name),
        extra: object(json!({
            "path_length": if issuer.is_none() { 7 } else { 0 }, "signature_algorithm": "SHA256", "freeze_flag": 0,
            "gen_mode": "GENERATE", "serial_number": "1000", "create_time": ms(now - Duration::days(400)),
            "delete_time": null, "crl_configuration": {"enabled": false, "crl_name": null, "obs_bucket_name": null,
            "valid_days": null, "crl_dis_point": null}, "enterprise_project_id": "0", "free_quota": 0,
            "charging_mode": 1, "cluster_id": null, "domain_id": domain_id})),
    };
    let cas = vec![
        ca(&root_id, "ROOT", ROOT_CA_NAME, None, 10),
        ca(&sub_id, "SUBORDINATE", SUB_CA_NAME, Some((&root_id, ROOT_CA_NAME)), 5),
    ];
    let services = ["api", "auth", "billing", "gateway", "mq", "redis", "search", "vault", "web", "ldap"];
    let zones = ["corp.internal", "svc.internal", "prod.example.internal"];
    let certs = (0..n)
        .map(|i| {
            let host = format!("{}-{i:03}.{}", rng.pick(&services), rng.pick(&zones));
            let days = *rng.pick(DAYS_LEFT);
            let not_yet = rng.below(20) == 0;
            let not_before = if not_yet { now + Duration::days(3) } else { now - Duration::days(365 - days.min(300)) };
            let not_after = if not_yet { now + Duration::days(400) } else { now + Duration::days(days) };
            let status = if rng.below(12) == 0 {
                "REVOKED"
            } else if not_after < now {
                "EXPIRED"
            } else {
                "ISSUED"
            };
            let key = if rng.below(3) == 0 { KeyKind::Rsa2048 } else { KeyKind::Ec256 };
            let gen_mode = if rng.below(10) == 0 { "CSR" } else { "GENERATE" };
            let created = not_before.min(now) - Duration::hours(1);
            let wire = pca::Certificate {
                certificate_id: rng.uuid(),
                status: status.into(),
                issuer_id: Some(sub_id.clone()),
                issuer_name: Some(SUB_CA_NAME.into()),
                key_algorithm: key.api_name().into(),
                signature_algorithm: "SHA256".into(),
                gen_mode: gen_mode.into(),
                serial_number: rng.hex(16),
                create_time: Some(ms(created)),
                not_before: Some(ms(not_before)),
                not_after: Some(ms(not_after)),
                distinguished_name: dn(&host),
                freeze_flag: Some(0),
                subject_alternative_names: None,
                extra: object(json!({"delete_time": null, "enterprise_project_id": "0",
                                     "enc_cert_info": {"enc_serial_number": null}})),
            };
            PcaCertRecord { wire, key, dns_names: vec![host] }
        })
        .collect::<Vec<_>>();
    // Now and then one the cloud froze: an issued certificate from the eighth on, then every
    // eleventh or so (the demo and large estates have some; the small one none).
    let mut certs = certs;
    let mut next = 7;
    for (i, cert) in certs.iter_mut().enumerate() {
        if i >= next && cert.wire.status == "ISSUED" {
            cert.wire.freeze_flag = Some(1);
            next = i + 11;
        }
    }
    (cas, certs)
}
