//! `host_endpoint`: the one place the device's address is parsed.
//!
//! The runner derives its egress rule from this type and checks every outgoing request's
//! authority with the same parser, so "what the admin wrote" and "what the component may
//! reach" cannot drift apart.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The port RESTCONF listens on when `host_endpoint` names none.
pub const HTTPS_PORT: u16 = 443;

/// The device's host: a DNS name (stored lower-case), an IPv4 or an IPv6 address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    Dns(String),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

/// `host[:port]` of the device's RESTCONF server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub host: Host,
    pub port: u16,
}

/// Why a `host_endpoint` was refused. Each message says what form is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("it is empty")]
    Empty,
    #[error("it contains '{0}': write only host[:port], without scheme, user, path or query")]
    ForbiddenChar(char),
    #[error("'{0}' is not a valid port (1-65535)")]
    BadPort(String),
    #[error("'{0}' is not a valid IPv6 address (write IPv6 as [addr] or [addr]:port)")]
    BadIpv6(String),
    #[error("'{0}' is not a valid host name")]
    BadHostName(String),
}

impl Endpoint {
    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port`.
    pub fn parse(input: &str) -> Result<Endpoint, EndpointError> {
        if input.is_empty() {
            return Err(EndpointError::Empty);
        }
        if let Some(c) = input
            .chars()
            .find(|c| matches!(c, '@' | '/' | '?' | '#' | '\\' | '%') || c.is_whitespace())
        {
            return Err(EndpointError::ForbiddenChar(c));
        }
        if let Some(rest) = input.strip_prefix('[') {
            let (addr, after) = rest
                .split_once(']')
                .ok_or_else(|| EndpointError::BadIpv6(input.to_string()))?;
            let ip: Ipv6Addr = addr
                .parse()
                .map_err(|_| EndpointError::BadIpv6(addr.to_string()))?;
            let port = match after {
                "" => HTTPS_PORT,
                _ => match after.strip_prefix(':') {
                    Some(port) => parse_port(port)?,
                    None => return Err(EndpointError::BadIpv6(input.to_string())),
                },
            };
            return Ok(Endpoint {
                host: Host::V6(ip),
                port,
            });
        }
        let (host, port) = match input.split_once(':') {
            Some((host, port)) => {
                if port.contains(':') {
                    // Two colons: an IPv6 address without brackets.
                    return Err(EndpointError::BadIpv6(input.to_string()));
                }
                (host, parse_port(port)?)
            }
            None => (input, HTTPS_PORT),
        };
        Ok(Endpoint {
            host: parse_host(host)?,
            port,
        })
    }

    /// `host:port` as it goes into a URL (IPv6 in brackets, port always written).
    pub fn authority(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Dns(name) => f.write_str(name),
            Host::V4(ip) => write!(f, "{ip}"),
            Host::V6(ip) => write!(f, "[{ip}]"),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

fn parse_port(port: &str) -> Result<u16, EndpointError> {
    match port.parse::<u16>() {
        Ok(p) if p != 0 && port.bytes().all(|b| b.is_ascii_digit()) => Ok(p),
        _ => Err(EndpointError::BadPort(port.to_string())),
    }
}

fn parse_host(host: &str) -> Result<Host, EndpointError> {
    let bad = || EndpointError::BadHostName(host.to_string());
    if host.is_empty() || host.len() > 253 {
        return Err(bad());
    }
    // Something made only of digits and dots is meant as an IPv4 address: don't let
    // `010.1.1.1` or `1.2.3` fall through to being a "host name".
    if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return host.parse().map(Host::V4).map_err(|_| bad());
    }
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    // A trailing dot (`router.example.`) names the same host but would let a second
    // spelling through the egress check: refuse it rather than normalise it.
    if !host.split('.').all(valid_label) {
        return Err(bad());
    }
    Ok(Host::Dns(host.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Endpoint {
        Endpoint::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn accepts_dns_name_with_default_port() {
        assert_eq!(
            ok("Router1.Example.com"),
            Endpoint {
                host: Host::Dns("router1.example.com".into()),
                port: 443
            }
        );
    }

    #[test]
    fn accepts_ipv4_with_port() {
        assert_eq!(ok("10.0.0.1:8443").to_string(), "10.0.0.1:8443");
    }

    #[test]
    fn accepts_bracketed_ipv6() {
        assert_eq!(ok("[::1]").to_string(), "[::1]:443");
        assert_eq!(ok("[2001:db8::1]:9443").port, 9443);
    }

    #[test]
    fn rejects_userinfo() {
        assert_eq!(
            Endpoint::parse("admin@10.0.0.1"),
            Err(EndpointError::ForbiddenChar('@'))
        );
    }

    #[test]
    fn rejects_scheme_and_path() {
        assert!(Endpoint::parse("https://router").is_err());
        assert!(Endpoint::parse("router/restconf").is_err());
        assert!(Endpoint::parse("router?x=1").is_err());
    }

    #[test]
    fn rejects_bad_ports() {
        for p in [
            "router:",
            "router:0",
            "router:65536",
            "router:+1",
            "router:x",
        ] {
            assert!(
                matches!(Endpoint::parse(p), Err(EndpointError::BadPort(_))),
                "{p}"
            );
        }
    }

    #[test]
    fn rejects_unbracketed_ipv6() {
        assert!(matches!(
            Endpoint::parse("2001:db8::1"),
            Err(EndpointError::BadIpv6(_))
        ));
    }

    #[test]
    fn rejects_trailing_dot_and_odd_names() {
        for h in [
            "router.",
            ".router",
            "a..b",
            "-a.b",
            "1.2.3",
            "256.1.1.1",
            "rou ter",
            "",
        ] {
            assert!(Endpoint::parse(h).is_err(), "{h:?}");
        }
    }
}
