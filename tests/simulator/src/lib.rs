//! A Cisco IOS XE RESTCONF simulator for the tests and the demo: real HTTPS on
//! 127.0.0.1 with a generated certificate, basic auth, privilege 15 required, the
//! username list with merge semantics and the device's credential formats, RFC 8040
//! errors, `cisco-ia:save-config`, and inspectable running and startup configuration.
//!
//! It shares no code with the rotation component: it is the independent other side.

mod credentials;
mod device;
mod server;
mod tls;

pub use credentials::{type5_hash, type6_encrypt, type7_encode, type8_hash, type9_hash};
pub use device::{Config, Credential, User};
pub use tls::CertMode;

use std::time::Duration;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// How the simulated device starts.
#[derive(Clone, Debug)]
pub struct SimConfig {
    pub users: Vec<(String, User)>,
    /// `service password-encryption`: type-0 passwords are stored as type 7.
    pub service_password_encryption: bool,
    /// `password encryption aes`: type-0 passwords are stored as type 6.
    pub password_encryption_aes: bool,
    pub cert: CertMode,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            users: Vec::new(),
            service_password_encryption: false,
            password_encryption_aes: false,
            cert: CertMode::SelfSigned,
        }
    }
}

/// Misbehaviour to inject, each counted down as it is used.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Answer the next N PATCHes with 409 `lock-denied`, without applying them.
    pub lock_denied: usize,
    /// Answer the next N PATCHes with 500 `operation-failed`, without applying them.
    pub patch_fails: usize,
    /// Apply the next N PATCHes, then close the connection without answering.
    pub patch_answer_lost: usize,
    /// Apply the next N PATCHes with a different credential than the one sent.
    pub patch_stores_other: usize,
    /// Answer the next N save-config calls with 500, without saving.
    pub save_fails: usize,
    /// Save on the next N save-config calls, then close the connection unanswered.
    pub save_answer_lost: usize,
    /// After the next PATCH is applied, answer nothing at all any more (the device
    /// stopped answering halfway).
    pub silent_after_patch: bool,
    /// Wait this long before answering every request.
    pub delay: Duration,
}

/// A request the simulator received (bodies included: tests check what was sent).
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub body: String,
}

struct DeviceState {
    running: Config,
    startup: Config,
    service_password_encryption: bool,
    password_encryption_aes: bool,
    faults: Faults,
    /// Set by `Faults::silent_after_patch`: every request is dropped.
    silent: bool,
}

struct Shared {
    device: Mutex<DeviceState>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    handshakes: AtomicUsize,
}

/// A running simulator; stops when dropped.
pub struct Simulator {
    addr: SocketAddr,
    certificate: tls::Certificates,
    shared: Arc<Shared>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Simulator {
    /// Starts the device on 127.0.0.1 (a free port) on its own runtime thread.
    pub fn start(config: SimConfig) -> std::io::Result<Simulator> {
        let certificate = tls::Certificates::generate(config.cert)?;
        let acceptor = certificate.acceptor()?;
        let users: Config = Config {
            users: config.users.into_iter().collect(),
        };
        let shared = Arc::new(Shared {
            device: Mutex::new(DeviceState {
                running: users.clone(),
                startup: users,
                service_password_encryption: config.service_password_encryption,
                password_encryption_aes: config.password_encryption_aes,
                faults: Faults::default(),
                silent: false,
            }),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            handshakes: AtomicUsize::new(0),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        // Bound here (not on the runtime) so that starting works inside another runtime.
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let served = shared.clone();
        runtime.spawn(async move {
            match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => server::serve(listener, acceptor, served).await,
                Err(e) => eprintln!("simulator: cannot listen: {e}"),
            }
        });
        Ok(Simulator {
            addr,
            certificate,
            shared,
            runtime: Some(runtime),
        })
    }

    /// `127.0.0.1:PORT`, as it goes in `host_endpoint`.
    pub fn endpoint(&self) -> String {
        self.addr.to_string()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// SHA-256 of the device certificate, upper-case hex with colons.
    pub fn fingerprint(&self) -> String {
        self.certificate.fingerprint()
    }

    /// PEM of the CA that signed the device certificate (`CertMode::CaSigned` only).
    pub fn ca_pem(&self) -> Option<String> {
        self.certificate.ca_pem()
    }

    pub fn running(&self) -> Config {
        self.with_device(|d| d.running.clone())
    }

    pub fn startup(&self) -> Config {
        self.with_device(|d| d.startup.clone())
    }

    /// Replaces the faults to inject from now on.
    pub fn set_faults(&self, faults: Faults) {
        self.shared
            .device
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults = faults;
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// TLS handshakes completed so far.
    pub fn handshakes(&self) -> usize {
        self.shared.handshakes.load(Ordering::SeqCst)
    }

    fn with_device<R>(&self, f: impl FnOnce(&DeviceState) -> R) -> R {
        f(&self.shared.device.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
