//! The egress policy: the component may reach HTTPS on exactly the device's host and port.
//!
//! A small type with no wasmtime dependency, enforced in one place
//! (`transport::EgressHooks::send_request`). The request's authority is parsed with the
//! same parser as the admin record's `host_endpoint`, then compared for equality.

use http::{Method, Uri};
use payload::{Endpoint, EndpointError};

#[derive(Clone, Debug)]
pub struct EgressPolicy {
    allowed: Endpoint,
    /// Dry runs (`check`): only GET and HEAD leave the sandbox.
    read_only: bool,
}

/// Why a request was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denial {
    #[error("only https is allowed")]
    NotHttps,
    #[error("the request names no host")]
    NoAuthority,
    #[error("user information in the authority is not allowed")]
    Userinfo,
    #[error("the authority is not host[:port]: {0}")]
    BadAuthority(EndpointError),
    #[error("only {allowed} is allowed")]
    OtherHost { allowed: String },
    #[error("a dry run sends only GET requests")]
    NotReadOnly,
}

impl EgressPolicy {
    pub fn new(allowed: Endpoint) -> Self {
        EgressPolicy {
            allowed,
            read_only: false,
        }
    }

    /// The same policy, letting only GET and HEAD requests out.
    pub fn read_only(self) -> Self {
        EgressPolicy {
            read_only: true,
            ..self
        }
    }

    /// The one endpoint the component may reach.
    pub fn allowed(&self) -> &Endpoint {
        &self.allowed
    }

    pub fn check(&self, method: &Method, uri: &Uri) -> Result<(), Denial> {
        if self.read_only && !matches!(*method, Method::GET | Method::HEAD) {
            return Err(Denial::NotReadOnly);
        }
        if uri.scheme_str() != Some("https") {
            return Err(Denial::NotHttps);
        }
        let authority = uri.authority().ok_or(Denial::NoAuthority)?.as_str();
        if authority.contains('@') {
            return Err(Denial::Userinfo);
        }
        let requested = Endpoint::parse(authority).map_err(Denial::BadAuthority)?;
        if requested != self.allowed {
            return Err(Denial::OtherHost {
                allowed: self.allowed.to_string(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(endpoint: &str) -> EgressPolicy {
        EgressPolicy::new(Endpoint::parse(endpoint).unwrap())
    }

    fn check(p: &EgressPolicy, uri: &str) -> Result<(), Denial> {
        p.check(&Method::GET, &uri.parse::<Uri>().unwrap())
    }

    #[test]
    fn read_only_policy_rejects_changes() {
        let p = policy("10.0.0.1").read_only();
        let uri: Uri = "https://10.0.0.1/x".parse().unwrap();
        assert_eq!(p.check(&Method::GET, &uri), Ok(()));
        assert_eq!(p.check(&Method::PATCH, &uri), Err(Denial::NotReadOnly));
        assert_eq!(p.check(&Method::POST, &uri), Err(Denial::NotReadOnly));
    }

    #[test]
    fn allows_the_device_with_explicit_or_default_port() {
        let p = policy("router.example.com");
        assert_eq!(check(&p, "https://router.example.com/restconf"), Ok(()));
        assert_eq!(check(&p, "https://router.example.com:443/x"), Ok(()));
        assert_eq!(check(&p, "https://ROUTER.example.com/x"), Ok(()));
    }

    #[test]
    fn allows_ipv6_device() {
        let p = policy("[::1]:8443");
        assert_eq!(check(&p, "https://[::1]:8443/x"), Ok(()));
    }

    #[test]
    fn rejects_plain_http() {
        assert_eq!(
            check(&policy("10.0.0.1"), "http://10.0.0.1/x"),
            Err(Denial::NotHttps)
        );
    }

    #[test]
    fn rejects_other_port() {
        assert!(matches!(
            check(&policy("10.0.0.1:8443"), "https://10.0.0.1/x"),
            Err(Denial::OtherHost { .. })
        ));
    }

    #[test]
    fn rejects_other_host() {
        assert!(matches!(
            check(&policy("10.0.0.1"), "https://10.0.0.2/x"),
            Err(Denial::OtherHost { .. })
        ));
    }

    #[test]
    fn rejects_userinfo_even_with_the_right_host() {
        assert_eq!(
            check(&policy("10.0.0.1"), "https://evil@10.0.0.1/x"),
            Err(Denial::Userinfo)
        );
        assert_eq!(
            check(&policy("10.0.0.1"), "https://10.0.0.1:443@evil.example/x"),
            Err(Denial::Userinfo)
        );
    }

    #[test]
    fn rejects_trailing_dot_and_ip_spellings_of_a_named_host() {
        let p = policy("localhost:8443");
        assert!(check(&p, "https://localhost.:8443/x").is_err());
        assert!(check(&p, "https://127.0.0.1:8443/x").is_err());
    }
}
