//! Reaching a simulator under production host names: a resolver that maps the cloud's own
//! domains to one loopback socket and refuses every other name, so nothing ever asks the
//! system's DNS (no test, demo or benchmark can reach a real host through it).

use std::net::SocketAddr;

use super::error::CloudError;

/// Every name under `domains` resolves to `addr`; any other name is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostOverride {
    addr: SocketAddr,
    domains: Vec<String>,
}

impl HostOverride {
    /// An override to a loopback socket (the simulator); any other address is refused, so the
    /// option can never send a production host name's traffic elsewhere.
    pub fn to_loopback(addr: SocketAddr) -> Result<Self, CloudError> {
        if !addr.ip().is_loopback() || addr.port() == 0 {
            return Err(CloudError::NotSent(format!(
                "--resolve-to {addr}: only a loopback address with a port (the simulator's, from its JSON line) \
                 may stand in for the cloud's host names"
            )));
        }
        Ok(Self { addr, domains: Vec::new() })
    }

    /// The same override for these domains (lower case, no leading dot).
    #[must_use]
    pub fn for_domains(mut self, domains: impl IntoIterator<Item = String>) -> Self {
        self.domains = domains.into_iter().map(|d| d.trim_start_matches('.').to_ascii_lowercase()).collect();
        self.domains.sort();
        self.domains.dedup();
        self
    }

    /// The socket names resolve to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The address of a name, or why it has none.
    pub fn lookup(&self, name: &str) -> Result<SocketAddr, String> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let mapped = self.domains.iter().any(|d| name == *d || name.ends_with(&format!(".{d}")));
        if mapped {
            Ok(self.addr)
        } else {
            Err(format!(
                "{name} is not one of the simulated cloud's names ({}); with --resolve-to nothing else is looked up",
                self.domains.join(", ")
            ))
        }
    }
}

impl HostOverride {
    /// Refuses a URL the resolver would never see (an IP address: the HTTP stack connects to it
    /// directly) or would refuse anyway, before anything is sent.
    pub fn check_url(&self, url: &url::Url) -> Result<(), CloudError> {
        match url.host() {
            Some(url::Host::Domain(name)) => self.lookup(name).map(|_| ()).map_err(CloudError::NotSent),
            _ => Err(CloudError::NotSent(format!(
                "{} is an address, not one of the simulated cloud's names; with --resolve-to nothing else is reached",
                url.host_str().unwrap_or("(no host)")
            ))),
        }
    }
}

impl reqwest::dns::Resolve for HostOverride {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let result = self.lookup(name.as_str());
        Box::pin(async move {
            match result {
                Ok(addr) => Ok(Box::new(std::iter::once(addr)) as reqwest::dns::Addrs),
                Err(reason) => Err(reason.into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::HostOverride;

    #[test]
    fn only_the_clouds_own_names_resolve_and_only_to_loopback() {
        let o = HostOverride::to_loopback("127.0.0.1:4443".parse().unwrap())
            .unwrap()
            .for_domains(["otc.t-systems.com".to_owned(), ".Example.EU".to_owned()]);
        assert_eq!(o.lookup("dcs.eu-de.otc.t-systems.com").unwrap().port(), 4443);
        assert!(o.lookup("bucket.obs.eu-nl.OTC.t-systems.com.").is_ok());
        assert!(o.lookup("example.eu").is_ok());
        for other in ["t-systems.com", "evilotc.t-systems.com", "otc.t-systems.com.evil.org", "localhost"] {
            let err = o.lookup(other).unwrap_err();
            assert!(err.contains("not one of the simulated cloud's names"), "{other}: {err}");
        }
        for url in ["https://203.0.113.5/", "https://[2001:db8::1]/", "https://dcs.eu-de.example.org/"] {
            assert!(o.check_url(&url::Url::parse(url).unwrap()).is_err(), "{url}");
        }
        assert!(o.check_url(&url::Url::parse("https://dcs.eu-de.otc.t-systems.com/").unwrap()).is_ok());
        for bad in ["10.0.0.1:443", "0.0.0.0:443", "127.0.0.1:0"] {
            assert!(HostOverride::to_loopback(bad.parse().unwrap()).is_err(), "{bad}");
        }
    }
}
