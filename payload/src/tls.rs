//! How the admin record says the device's TLS certificate is to be trusted.

/// Trust for the device's certificate, from the admin record's optional fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsTrust {
    /// No TLS field: the certificate must chain to a public (webpki) root and name the host.
    WebPki,
    /// `tls_ca`: PEM CA certificates to trust instead of the public roots.
    Ca(String),
    /// `tls_fingerprint`: SHA-256 of the device's certificate. Pins it: no chain or name
    /// checks, but the handshake must still be signed by that certificate's key.
    Pinned([u8; 32]),
    /// `tls_verify` = `false`: explicit, logged opt-out of any verification.
    Insecure,
}

impl TlsTrust {
    /// Builds the trust from the three optional fields; the error names the field to fix.
    pub(crate) fn from_fields(
        fingerprint: Option<&str>,
        ca: Option<&str>,
        verify: Option<&str>,
    ) -> Result<TlsTrust, (&'static str, String)> {
        let verify = match verify.map(|v| v.trim().to_ascii_lowercase()) {
            None => true,
            Some(v) if matches!(v.as_str(), "true" | "yes" | "1") => true,
            Some(v) if matches!(v.as_str(), "false" | "no" | "0") => false,
            Some(_) => return Err(("tls_verify", "write `true` or `false`".into())),
        };
        match (fingerprint, ca, verify) {
            (Some(_), Some(_), _) => Err((
                "tls_fingerprint",
                "set either tls_fingerprint or tls_ca, not both".into(),
            )),
            (Some(_), None, false) | (None, Some(_), false) => Err((
                "tls_verify",
                "tls_verify = false contradicts tls_fingerprint/tls_ca: remove one".into(),
            )),
            (Some(fp), None, true) => parse_fingerprint(fp).map(TlsTrust::Pinned).ok_or((
                "tls_fingerprint",
                "expected 64 hex digits (SHA-256), colons allowed".into(),
            )),
            (None, Some(pem), true) => {
                if pem.contains("-----BEGIN CERTIFICATE-----") {
                    Ok(TlsTrust::Ca(pem.to_string()))
                } else {
                    Err((
                        "tls_ca",
                        "expected PEM CA certificates (-----BEGIN CERTIFICATE-----)".into(),
                    ))
                }
            }
            (None, None, true) => Ok(TlsTrust::WebPki),
            (None, None, false) => Ok(TlsTrust::Insecure),
        }
    }
}

/// Parses a SHA-256 fingerprint written as hex, ignoring colons, spaces and case.
pub fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let digits: Vec<u8> = text
        .bytes()
        .filter(|b| !matches!(b, b':' | b' '))
        .map(|b| (b as char).to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|p| p[0] << 4 | p.get(1).copied().unwrap_or(0xff))
        .collect();
    if digits.len() != 64 {
        return None;
    }
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FP: &str = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    #[test]
    fn fingerprint_ignores_colons_and_case() {
        let a = parse_fingerprint(FP).unwrap();
        let b = parse_fingerprint(&FP.replace(':', "").to_lowercase()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0], 0xab);
    }

    #[test]
    fn fingerprint_rejects_wrong_length_or_non_hex() {
        assert!(parse_fingerprint("abcd").is_none());
        assert!(parse_fingerprint(&FP.replace('A', "G")).is_none());
        assert!(parse_fingerprint(&format!("{FP}:00")).is_none());
    }

    #[test]
    fn no_fields_means_public_roots() {
        assert_eq!(
            TlsTrust::from_fields(None, None, None),
            Ok(TlsTrust::WebPki)
        );
    }

    #[test]
    fn verify_false_means_insecure() {
        assert_eq!(
            TlsTrust::from_fields(None, None, Some("False")),
            Ok(TlsTrust::Insecure)
        );
    }

    #[test]
    fn rejects_contradictions() {
        assert!(TlsTrust::from_fields(Some(FP), Some("x"), None).is_err());
        assert!(TlsTrust::from_fields(Some(FP), None, Some("false")).is_err());
        assert!(TlsTrust::from_fields(None, None, Some("maybe")).is_err());
        assert!(TlsTrust::from_fields(None, Some("not pem"), None).is_err());
    }
}
