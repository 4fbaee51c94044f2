//! The device's certificate: self-signed (as most IOS XE devices ship) or signed by a
//! generated CA (for `tls_ca` tests). Names: `localhost`, 127.0.0.1 and ::1.

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio_rustls::TlsAcceptor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertMode {
    SelfSigned,
    CaSigned,
    /// Signed by the CA, but for `other-device.invalid` only: a name mismatch.
    CaSignedOtherName,
}

pub struct Certificates {
    leaf: CertificateDer<'static>,
    key: Vec<u8>,
    ca_pem: Option<String>,
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Certificates {
    pub fn generate(mode: CertMode) -> std::io::Result<Certificates> {
        let names = match mode {
            CertMode::CaSignedOtherName => vec!["other-device.invalid".to_string()],
            _ => vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()],
        };
        let key = KeyPair::generate().map_err(io_error)?;
        let params = CertificateParams::new(names).map_err(io_error)?;
        let (leaf, ca_pem) = match mode {
            CertMode::SelfSigned => (params.self_signed(&key).map_err(io_error)?, None),
            CertMode::CaSigned | CertMode::CaSignedOtherName => {
                let ca_key = KeyPair::generate().map_err(io_error)?;
                let mut ca_params =
                    CertificateParams::new(Vec::<String>::new()).map_err(io_error)?;
                ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
                let ca = ca_params.self_signed(&ca_key).map_err(io_error)?;
                let leaf = params.signed_by(&key, &ca, &ca_key).map_err(io_error)?;
                (leaf, Some(ca.pem()))
            }
        };
        Ok(Certificates {
            leaf: leaf.der().clone(),
            key: key.serialize_der(),
            ca_pem,
        })
    }

    pub fn acceptor(&self) -> std::io::Result<TlsAcceptor> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io_error)?
            .with_no_client_auth()
            .with_single_cert(vec![self.leaf.clone()], key)
            .map_err(io_error)?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }

    pub fn fingerprint(&self) -> String {
        Sha256::digest(&self.leaf)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }
}
