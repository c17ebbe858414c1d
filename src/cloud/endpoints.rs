//! Where each service lives: a catalog per cloud, and overrides for private clouds and the simulator.

use serde::{Deserialize, Serialize};
use url::Url;

use super::error::CloudError;

/// The cloud an account lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    /// Huawei Cloud international (`*.myhuaweicloud.com`).
    #[default]
    HuaweiCloud,
    /// Open Telekom Cloud / T Cloud Public (`*.otc.t-systems.com`).
    OpenTelekomCloud,
    /// Swiss Open Telekom Cloud (`*.sc.otc.t-systems.com`).
    SwissOtc,
}

impl Cloud {
    /// Name as the admin knows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::HuaweiCloud => "Huawei Cloud",
            Self::OpenTelekomCloud => "Open Telekom Cloud",
            Self::SwissOtc => "Swiss OTC",
        }
    }

    /// Regions certdesk knows for this cloud.
    pub fn regions(self) -> &'static [&'static str] {
        match self {
            Self::HuaweiCloud => HUAWEI_REGIONS,
            Self::OpenTelekomCloud => &["eu-de", "eu-nl"],
            Self::SwissOtc => &["eu-ch2"],
        }
    }

    /// Domain suffix of the object storage that presigned download links must point to.
    pub fn object_storage_suffix(self) -> &'static str {
        self.object_storage_suffix_in("")
    }

    /// The object storage suffix of a region: Huawei Cloud's European site (eu-west-101) keeps
    /// its buckets under `myhuaweicloud.eu`, as its other hosts.
    pub fn object_storage_suffix_in(self, region: &str) -> &'static str {
        match self {
            Self::HuaweiCloud if region == "eu-west-101" => "myhuaweicloud.eu",
            Self::HuaweiCloud => "myhuaweicloud.com",
            Self::OpenTelekomCloud | Self::SwissOtc => "otc.t-systems.com",
        }
    }
}

/// Huawei Cloud international regions with DCS (CLOUD_API.md §4.2).
pub const HUAWEI_REGIONS: &[&str] = &[
    "ae-ad-1",
    "af-north-1",
    "af-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-east-5",
    "cn-north-1",
    "cn-north-2",
    "cn-north-4",
    "cn-north-9",
    "cn-north-11",
    "cn-north-12",
    "cn-south-1",
    "cn-south-2",
    "cn-south-4",
    "cn-southwest-2",
    "cn-southwest-3",
    "eu-west-0",
    "eu-west-101",
    "la-north-2",
    "la-south-2",
    "me-east-1",
    "my-kualalumpur-1",
    "na-mexico-1",
    "ru-moscow-1",
    "ru-northwest-2",
    "sa-brazil-1",
    "tr-west-1",
];

/// What a template's `{service}` is replaced with to check that it names the host.
const MARK: &str = "certdesk-service";

/// Huawei regions without GeminiDB (CLOUD_API.md §4.2).
const HUAWEI_NO_GEMINIDB: &[&str] =
    &["ae-ad-1", "af-north-1", "cn-east-5", "cn-north-12", "eu-west-0", "my-kualalumpur-1", "na-mexico-1"];

/// Huawei Cloud regions with DCS whose ELB the official SDK's region table does not list
/// (`huaweicloudsdkelb` 3.1.219; the SDK suite compares the whole catalog with those tables).
const HUAWEI_NO_ELB: &[&str] = &["cn-north-11", "cn-southwest-3"];

/// Regions with a CCM host of their own (`huaweicloudsdkccm` 3.1.219's table).
const HUAWEI_CCM_HOSTS: &[&str] = &["ap-southeast-3", "cn-north-4", "eu-west-101", "my-kualalumpur-1", "ru-moscow-1"];

/// Regions with an SCM host of their own (`huaweicloudsdkscm` 3.1.219's table).
const HUAWEI_SCM_HOSTS: &[&str] = &["ap-southeast-1", "cn-north-4", "my-kualalumpur-1"];

/// A service certdesk talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    /// Identity: tokens, projects, domains.
    Iam,
    /// Distributed Cache Service (Redis).
    Dcs,
    /// GeminiDB (GaussDB NoSQL).
    GeminiDb,
    /// Cloud Certificate Manager, private CA.
    Ccm,
    /// Elastic Load Balance: certificates uploaded to load balancers.
    Elb,
    /// SSL Certificate Manager: public certificates bought or uploaded (Huawei Cloud, global).
    Scm,
}

impl Service {
    /// Short label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Iam => "IAM",
            Self::Dcs => "DCS",
            Self::GeminiDb => "GeminiDB",
            Self::Ccm => "PCA",
            Self::Elb => "ELB",
            Self::Scm => "SCM",
        }
    }

    /// Whether it is global (one endpoint for the account, no region in its calls).
    pub fn is_global(self) -> bool {
        matches!(self, Self::Ccm | Self::Scm)
    }
}

/// Resolves service base URLs for one profile.
#[derive(Clone, Debug)]
pub struct Endpoints {
    cloud: Cloud,
    /// One base URL for every service (the simulator, a private cloud, a test double).
    custom: Option<Url>,
    /// A host per service and region (a private cloud such as Huawei Cloud Stack).
    template: Option<Template>,
}

/// A private cloud's endpoints: `https://{service}.{region}.cloud.example`, where `{service}` is
/// the service's usual host name (`iam`, `dcs`, `gaussdb-nosql`, `ccm`, `elb`, `scm`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The URL with `{service}` and `{region}` in it.
    pub pattern: String,
    /// The object-storage host suffix presigned links must end in.
    pub object_storage_suffix: String,
    /// The region global services (CCM, SCM) and sign-in use.
    pub home_region: String,
}

impl Service {
    /// The first label of its production host names (`dcs.eu-de...`, `gaussdb-nosql.eu-west-101...`).
    pub fn host_name(self) -> &'static str {
        match self {
            Self::Iam => "iam",
            Self::Dcs => "dcs",
            Self::GeminiDb => "gaussdb-nosql",
            Self::Ccm => "ccm",
            Self::Elb => "elb",
            Self::Scm => "scm",
        }
    }
}

impl Endpoints {
    /// The public catalog of a cloud.
    pub fn catalog(cloud: Cloud) -> Self {
        Self { cloud, custom: None, template: None }
    }

    /// A host per service and region from a template (a private cloud), with the object-storage
    /// suffix its links end in and the region its global services and sign-in use.
    pub fn template(cloud: Cloud, template: Template) -> Result<Self, CloudError> {
        let bad = |why: &str| CloudError::NotSent(format!("endpoint template {:?} {why}", template.pattern));
        if !template.pattern.contains("{service}") {
            return Err(bad("must name {service} (e.g. https://{service}.{region}.cloud.example)"));
        }
        super::validate::region(&template.home_region)?;
        let suffix = template.object_storage_suffix.trim_start_matches('.');
        // A host name's suffix: letters in its last label (an IP address is no object storage).
        let last_label = suffix.rsplit('.').next().unwrap_or_default();
        if suffix.is_empty()
            || !suffix.contains('.')
            || suffix.contains(['/', ':', '@', ' '])
            || !last_label.bytes().any(|b| b.is_ascii_alphabetic())
        {
            return Err(bad("needs an object-storage host suffix such as obs.cloud.example"));
        }
        let example = template.pattern.replace("{service}", MARK).replace("{region}", &template.home_region);
        let url = Url::parse(&example).map_err(|e| bad(&format!("is not a URL: {e}")))?;
        if url.scheme() != "https" && !(url.scheme() == "http" && is_loopback(&url)) {
            return Err(bad("must use https:// (plain http only to this computer)"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
            return Err(bad("must be a scheme and host (with a port if needed), nothing after it"));
        }
        // {service} names the host (an address or user-info would put every service in one place).
        match url.host() {
            Some(url::Host::Domain(host)) if host.contains(MARK) => {}
            Some(url::Host::Domain(_)) => return Err(bad("must name {service} in the host")),
            _ => return Err(bad("must name a host, not an IP address")),
        }
        let template = Template { object_storage_suffix: suffix.to_owned(), ..template };
        Ok(Self { cloud, custom: None, template: Some(template) })
    }

    /// Every service at one base URL, e.g. `http://127.0.0.1:8080` for the simulator.
    pub fn custom(cloud: Cloud, base: &str) -> Result<Self, CloudError> {
        let url = Url::parse(base).map_err(|e| CloudError::NotSent(format!("endpoint {base:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(CloudError::NotSent(format!("endpoint {base:?} must be an http(s) URL with a host")));
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(CloudError::NotSent(format!(
                "endpoint {base:?} uses plain http to a host other than this computer: passwords, tokens and \
                 private keys would cross the network unencrypted. Use https:// (with an extra CA file for a \
                 private CA); plain http is accepted only for 127.0.0.0/8, ::1 and localhost (the simulator)."
            )));
        }
        Ok(Self { cloud, custom: Some(url), template: None })
    }

    /// The cloud.
    pub fn cloud(&self) -> Cloud {
        self.cloud
    }

    /// The private cloud's template, when these endpoints are one.
    pub fn template_spec(&self) -> Option<&Template> {
        self.template.as_ref()
    }

    /// The custom base URL, when one is set.
    pub fn custom_base(&self) -> Option<&Url> {
        self.custom.as_ref()
    }

    /// Whether the service is offered in the region, as far as the catalog knows.
    pub fn offers(&self, service: Service, region: &str) -> bool {
        if self.custom.is_some() || self.template.is_some() {
            return true;
        }
        match (self.cloud, service) {
            (Cloud::HuaweiCloud, Service::Elb) => !HUAWEI_NO_ELB.contains(&region),
            (_, Service::Iam | Service::Dcs | Service::Elb) | (Cloud::HuaweiCloud, Service::Ccm | Service::Scm) => true,
            (Cloud::HuaweiCloud, Service::GeminiDb) => !HUAWEI_NO_GEMINIDB.contains(&region),
            // GeminiDB's OTC host is undocumented (CLOUD_API.md §5) and CCM is not offered there.
            // SCM is Huawei Cloud's only (CLOUD_API.md §3.5).
            (Cloud::OpenTelekomCloud | Cloud::SwissOtc, Service::GeminiDb | Service::Ccm | Service::Scm) => false,
        }
    }

    /// Base URL of a service for a region (global services ignore the region).
    pub fn base_url(&self, service: Service, region: &str) -> Result<Url, CloudError> {
        // CCM and SCM are global: their calls name no region (an empty one); every other region is checked.
        if !(service.is_global() && region.is_empty()) {
            super::validate::region(region)?;
        }
        if let Some(url) = &self.custom {
            return Ok(url.clone());
        }
        if let Some(t) = &self.template {
            let region = if region.is_empty() { t.home_region.as_str() } else { region };
            let url = t.pattern.replace("{service}", service.host_name()).replace("{region}", region);
            return Url::parse(&url).map_err(|e| CloudError::NotSent(format!("bad endpoint {url}: {e}")));
        }
        if !self.offers(service, region) {
            return Err(CloudError::Scope(format!(
                "{} is not offered by {} in {region}; set a custom endpoint if your account has it.",
                service.label(),
                self.cloud.label()
            )));
        }
        let host = match (self.cloud, service) {
            (Cloud::HuaweiCloud, Service::Iam) if region == "eu-west-101" => "iam.eu-west-101.myhuaweicloud.eu".into(),
            (Cloud::HuaweiCloud, Service::Iam) => "iam.myhuaweicloud.com".into(),
            (Cloud::HuaweiCloud, Service::Dcs) => format!("dcs.{region}.myhuaweicloud.com"),
            (Cloud::HuaweiCloud, Service::GeminiDb) if region == "eu-west-101" => {
                "gaussdb-nosql.eu-west-101.myhuaweicloud.eu".into()
            }
            (Cloud::HuaweiCloud, Service::GeminiDb) => format!("gaussdb-nosql.{region}.myhuaweicloud.com"),
            // CCM and SCM are global: an account uses its home region's host where the official
            // SDK's table has one, else the international one (CLOUD_API.md §3.1, §4.2).
            (Cloud::HuaweiCloud, Service::Ccm) if HUAWEI_CCM_HOSTS.contains(&region) => {
                format!("ccm.{region}.myhuaweicloud.com")
            }
            (Cloud::HuaweiCloud, Service::Ccm) => "ccm.ap-southeast-3.myhuaweicloud.com".into(),
            (Cloud::HuaweiCloud, Service::Scm) if HUAWEI_SCM_HOSTS.contains(&region) => {
                format!("scm.{region}.myhuaweicloud.com")
            }
            (Cloud::HuaweiCloud, Service::Elb) => format!("elb.{region}.myhuaweicloud.com"),
            // SCM's international endpoint (CLOUD_API.md §4.2).
            (Cloud::HuaweiCloud, Service::Scm) => "scm.ap-southeast-1.myhuaweicloud.com".into(),
            (Cloud::OpenTelekomCloud, Service::Iam) => format!("iam.{region}.otc.t-systems.com"),
            (Cloud::OpenTelekomCloud, Service::Elb) => format!("elb.{region}.otc.t-systems.com"),
            (Cloud::OpenTelekomCloud, _) => format!("dcs.{region}.otc.t-systems.com"),
            (Cloud::SwissOtc, Service::Iam) => "iam-pub.eu-ch2.sc.otc.t-systems.com".into(),
            (Cloud::SwissOtc, Service::Elb) => format!("elb.{region}.sc.otc.t-systems.com"),
            (Cloud::SwissOtc, _) => format!("dcs.{region}.sc.otc.t-systems.com"),
        };
        Url::parse(&format!("https://{host}")).map_err(|e| CloudError::NotSent(format!("bad host {host}: {e}")))
    }

    /// The domains every host of these endpoints lies under (API hosts and object storage): what
    /// a host override (`--resolve-to`) maps; none for one custom base URL.
    pub fn domains(&self) -> Vec<String> {
        if self.custom.is_some() {
            return Vec::new();
        }
        if let Some(t) = &self.template {
            let host = t.pattern.split_once("://").map_or("", |(_, rest)| rest);
            let host = host.split([':', '/']).next().unwrap_or_default();
            let fixed = host.rsplit_once('}').map_or(host, |(_, tail)| tail).trim_start_matches(['.', '-']);
            return [fixed.to_owned(), t.object_storage_suffix.clone()]
                .into_iter()
                .filter(|d| d.contains('.'))
                .collect();
        }
        match self.cloud {
            Cloud::HuaweiCloud => vec!["myhuaweicloud.com".into(), "myhuaweicloud.eu".into()],
            Cloud::OpenTelekomCloud | Cloud::SwissOtc => vec!["otc.t-systems.com".into()],
        }
    }

    /// A region's object-storage host (its buckets are one label more): the simulator hands out
    /// links on them as production does. Swiss OTC's services live under `sc.otc.t-systems.com`.
    pub fn object_storage_host(&self, region: &str) -> String {
        match (&self.template, self.cloud) {
            (None, Cloud::SwissOtc) => format!("obs.{region}.sc.otc.t-systems.com"),
            _ => format!("obs.{region}.{}", self.link_policy_in(region).host_suffix),
        }
    }

    /// Which hosts a presigned download link may point to (the cloud's usual object storage).
    pub fn link_policy(&self) -> LinkPolicy {
        self.link_policy_in("")
    }

    /// Which hosts a presigned download link of a region's service may point to.
    pub fn link_policy_in(&self, region: &str) -> LinkPolicy {
        if let Some(t) = &self.template {
            let http = t.pattern.starts_with("http://");
            // The template's own port, else its scheme's: object storage answers where the API does.
            let port = Url::parse(&t.pattern.replace("{service}", "x").replace("{region}", "x"))
                .ok()
                .and_then(|u| u.port_or_known_default())
                .unwrap_or(if http { 80 } else { 443 });
            return LinkPolicy { host_suffix: t.object_storage_suffix.clone(), allow_plain_http: http, port };
        }
        match &self.custom {
            Some(url) => LinkPolicy {
                host_suffix: url.host_str().unwrap_or_default().to_owned(),
                allow_plain_http: url.scheme() == "http" && is_loopback(url),
                port: url.port_or_known_default().unwrap_or(443),
            },
            None => LinkPolicy {
                host_suffix: self.cloud.object_storage_suffix_in(region).to_owned(),
                allow_plain_http: false,
                port: 443,
            },
        }
    }
}

/// Rules for fetching presigned object-storage links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkPolicy {
    /// The link's host must be this host or end with `.` + this.
    pub host_suffix: String,
    /// Plain http is allowed only for a loopback simulator.
    pub allow_plain_http: bool,
    /// The only port a link may name: the endpoint's own (443 for the catalog and templates), so
    /// an answer cannot make certdesk knock on another service of the same host.
    pub port: u16,
}

/// Whether the URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{Cloud, Endpoints};

    #[test]
    fn a_private_cloud_template_gives_a_host_per_service_and_region_and_its_own_link_rule() {
        use super::{Service, Template};
        let t = |pattern: &str, suffix: &str| Template {
            pattern: pattern.into(),
            object_storage_suffix: suffix.into(),
            home_region: "region-1".into(),
        };
        let e =
            Endpoints::template(Cloud::HuaweiCloud, t("https://{service}.{region}.cloud.example", "obs.cloud.example"))
                .unwrap();
        assert_eq!(e.base_url(Service::Dcs, "region-2").unwrap().as_str(), "https://dcs.region-2.cloud.example/");
        assert_eq!(
            e.base_url(Service::GeminiDb, "region-2").unwrap().host_str(),
            Some("gaussdb-nosql.region-2.cloud.example")
        );
        assert_eq!(
            e.base_url(Service::Ccm, "").unwrap().host_str(),
            Some("ccm.region-1.cloud.example"),
            "global: home region"
        );
        assert_eq!(e.link_policy_in("region-2").host_suffix, "obs.cloud.example");
        assert!(e.offers(Service::Scm, "region-2"));
        assert!(e.base_url(Service::Dcs, "../x").is_err(), "regions are still checked");
        for (pattern, suffix) in [
            ("https://dcs.cloud.example", "obs.cloud.example"),
            ("http://{service}.cloud.example", "obs.cloud.example"),
            ("https://{service}.cloud.example/path", "obs.cloud.example"),
            ("https://{service}.cloud.example", ""),
            ("https://{service}.cloud.example", "example/evil"),
            ("https://{service}@203.0.113.5", "obs.cloud.example"),
            ("https://203.0.113.5#{service}", "obs.cloud.example"),
            ("https://{service}.cloud.example", "0.113.5"),
        ] {
            assert!(Endpoints::template(Cloud::HuaweiCloud, t(pattern, suffix)).is_err(), "{pattern} {suffix}");
        }
    }

    #[test]
    fn links_of_the_european_site_may_point_to_its_own_object_storage_only() {
        let catalog = Endpoints::catalog(Cloud::HuaweiCloud);
        assert_eq!(catalog.link_policy_in("eu-west-101").host_suffix, "myhuaweicloud.eu");
        assert_eq!(catalog.link_policy_in("eu-west-0").host_suffix, "myhuaweicloud.com");
        assert_eq!(
            Endpoints::catalog(Cloud::OpenTelekomCloud).link_policy_in("eu-de").host_suffix,
            "otc.t-systems.com"
        );
    }

    #[test]
    fn plain_http_is_refused_except_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:9000/",
            "http://localhost:1",
            "https://iam.example.org",
        ] {
            assert!(Endpoints::custom(Cloud::HuaweiCloud, ok).is_ok(), "{ok}");
        }
        for refused in ["http://iam.example.org", "http://10.0.0.1", "http://[fe80::1]", "http://localhost.example.org"]
        {
            let err = Endpoints::custom(Cloud::HuaweiCloud, refused).unwrap_err().to_string();
            assert!(err.contains("plain http") && err.contains("https://"), "{refused}: {err}");
        }
    }
}
