//! TLS trust for the device connection, from the admin record's `tls_*` fields.
//!
//! Every verifier is wrapped in [`Recording`], which remembers the SHA-256 of the
//! certificate the device presented, so a refusal can show the admin the fingerprint to
//! check and pin.

use payload::TlsTrust;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// The device certificate's fingerprint, as the last handshake saw it.
pub type SeenCertificate = Arc<Mutex<Option<[u8; 32]>>>;

#[derive(Debug, thiserror::Error)]
pub enum TlsSetupError {
    #[error("the admin record's tls_ca holds no usable certificate: {0}")]
    BadCa(String),
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
}

/// Builds the client configuration for `trust`; `seen` receives each presented
/// certificate's fingerprint.
pub fn client_config(
    trust: &TlsTrust,
    seen: SeenCertificate,
) -> Result<ClientConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let inner: Arc<dyn ServerCertVerifier> = match trust {
        TlsTrust::WebPki => {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.into(),
            };
            webpki(roots, &provider)?
        }
        TlsTrust::Ca(pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
                let cert = cert.map_err(|e| TlsSetupError::BadCa(e.to_string()))?;
                roots
                    .add(cert)
                    .map_err(|e| TlsSetupError::BadCa(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(TlsSetupError::BadCa("no certificate found".into()));
            }
            webpki(roots, &provider)?
        }
        TlsTrust::Pinned(fingerprint) => Arc::new(KeyOnly {
            pin: Some(*fingerprint),
            provider: provider.clone(),
        }),
        TlsTrust::Insecure => Arc::new(KeyOnly {
            pin: None,
            provider: provider.clone(),
        }),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Recording { inner, seen }))
        .with_no_client_auth();
    Ok(config)
}

fn webpki(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, TlsSetupError> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| TlsSetupError::BadCa(e.to_string()))
}

/// `AA:BB:...` upper-case hex, the form `show crypto pki certificates` uses.
pub fn format_fingerprint(fingerprint: &[u8; 32]) -> String {
    fingerprint
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub fn sha256(der: &[u8]) -> [u8; 32] {
    Sha256::digest(der).into()
}

#[derive(Debug)]
struct Recording {
    inner: Arc<dyn ServerCertVerifier>,
    seen: SeenCertificate,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(sha256(end_entity));
        }
        self.inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// No chain, name or validity checks (device certificates are often self-signed, expired
/// or CA:TRUE), but the handshake must be signed with the presented certificate's key.
/// With `pin` (`tls_fingerprint`), the certificate must have that SHA-256; without it
/// (`tls_verify = false`), any certificate is accepted.
#[derive(Debug)]
struct KeyOnly {
    pin: Option<[u8; 32]>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for KeyOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.pin {
            Some(pin) if sha256(end_entity) != pin => Err(rustls::Error::General(
                "the device's certificate does not match tls_fingerprint".into(),
            )),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_colon_separated_upper_hex() {
        let mut fp = [0u8; 32];
        fp[0] = 0xab;
        fp[31] = 0x01;
        let s = format_fingerprint(&fp);
        assert!(s.starts_with("AB:00:") && s.ends_with(":01"), "{s}");
        assert_eq!(payload::parse_fingerprint(&s), Some(fp));
    }

    #[test]
    fn rejects_ca_field_without_certificates() {
        let err = client_config(
            &TlsTrust::Ca("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()),
            Default::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("tls_ca"), "{err}");
    }
}
