//! The component's only way out: `wasi:http` requests pass [`EgressHooks::send_request`],
//! which enforces the [`EgressPolicy`] and then connects to exactly the validated device
//! address with the admin record's TLS trust. The runner knows HTTP, not RESTCONF.

use crate::egress::EgressPolicy;
use crate::log::Log;
use crate::tls::{SeenCertificate, format_fingerprint};
use http_body_util::{BodyExt, Limited};
use hyper::client::conn::http1::SendRequest;
use payload::{Endpoint, Host};
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// A device answer is a few KiB; refuse to buffer more than this.
pub const MAX_RESPONSE_BODY: usize = 4 * 1024 * 1024;
/// A rotation's request bodies are a few hundred bytes.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;
/// Requests in flight at once: a rotation sends one at a time.
pub const MAX_CONCURRENT_REQUESTS: usize = 4;
/// Requests per run: a rotation with every retry and a rollback sends a few dozen.
pub const MAX_REQUESTS: usize = 100;
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(30);

type IoFuture = Box<dyn Future<Output = Result<(), Error>> + Send>;
type SendFuture =
    Box<dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), Error>> + Send>;

/// What the transport observed, for the runner's final line.
#[derive(Default)]
pub struct TransportFacts {
    /// Explanations of transport failures (e.g. an untrusted certificate's fingerprint).
    pub notes: Mutex<Vec<String>>,
    /// Requests other than GET/HEAD that were handed to the device's connection: when
    /// zero, the device cannot have been changed, whatever the component did.
    pub unsafe_requests: AtomicUsize,
}

impl TransportFacts {
    fn note(&self, note: String) {
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(note);
        }
    }
}

pub struct EgressHooks {
    policy: EgressPolicy,
    connector: Arc<Connector>,
    log: Log,
}

impl EgressHooks {
    pub fn new(
        policy: EgressPolicy,
        tls: ClientConfig,
        seen: SeenCertificate,
        facts: Arc<TransportFacts>,
        log: Log,
    ) -> Self {
        let connector = Arc::new(Connector {
            endpoint: policy.allowed().clone(),
            tls: Arc::new(tls),
            seen,
            facts,
            idle: Mutex::new(None),
            in_flight: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_REQUESTS)),
            sent: AtomicUsize::new(0),
            log: log.clone(),
        });
        EgressHooks {
            policy,
            connector,
            log,
        }
    }
}

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        if let Err(denial) = self.policy.check(request.method(), request.uri()) {
            // Scheme and authority only: a path could carry anything.
            let uri = request.uri();
            self.log.warn(&format!(
                "egress denied: {} {}://{}: {denial}",
                request.method(),
                uri.scheme_str().unwrap_or("?"),
                uri.authority().map_or("", |a| a.as_str()),
            ));
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        let connector = self.connector.clone();
        Box::new(async move { connector.send(request, options).await })
    }
}

struct Connector {
    endpoint: Endpoint,
    tls: Arc<ClientConfig>,
    seen: SeenCertificate,
    facts: Arc<TransportFacts>,
    /// The connection of the previous request, kept for the next one: a rotation's
    /// requests share one TCP connection and one TLS handshake.
    idle: Mutex<Option<SendRequest<WasiBody>>>,
    /// Caps on what a component can make the runner do.
    in_flight: Arc<tokio::sync::Semaphore>,
    sent: AtomicUsize,
    log: Log,
}

impl Connector {
    async fn send(
        &self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), Error> {
        // Held until the answer's headers arrive.
        let Ok(_permit) = self.in_flight.clone().try_acquire_owned() else {
            self.log.warn(&format!(
                "request refused: more than {MAX_CONCURRENT_REQUESTS} requests at once"
            ));
            return Err(Error::ConnectionLimitReached);
        };
        if self.sent.fetch_add(1, Ordering::SeqCst) >= MAX_REQUESTS {
            self.log.warn(&format!(
                "request refused: more than {MAX_REQUESTS} requests in one run"
            ));
            return Err(Error::ConnectionLimitReached);
        }
        let declared = request
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_REQUEST_BODY as u64) {
            self.log.warn(&format!(
                "request refused: its body is larger than {MAX_REQUEST_BODY} bytes"
            ));
            return Err(Error::HttpRequestBodySize(declared));
        }
        let request = request.map(|body| {
            Limited::new(body, MAX_REQUEST_BODY)
                .map_err(|e| match e.downcast::<Error>() {
                    Ok(e) => *e,
                    Err(_) => Error::HttpRequestBodySize(Some(MAX_REQUEST_BODY as u64)),
                })
                .boxed_unsync()
        });
        self.send_limited(request, options).await
    }

    async fn send_limited(
        &self,
        mut request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
    ) -> Result<(http::Response<WasiBody>, IoFuture), Error> {
        let connect_timeout = options
            .and_then(|o| o.connect_timeout)
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let first_byte_timeout = options
            .and_then(|o| o.first_byte_timeout)
            .unwrap_or(DEFAULT_FIRST_BYTE_TIMEOUT);

        let mut sender = match self.reusable(connect_timeout).await {
            Some(sender) => sender,
            None => self.connect(connect_timeout).await?,
        };

        // The request line carries only the path: the authority was checked above and
        // the connection goes to the validated endpoint, not to what the guest wrote.
        let path = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        *request.uri_mut() = http::Uri::builder()
            .path_and_query(path)
            .build()
            .map_err(|_| Error::HttpRequestUriInvalid)?;
        if !matches!(*request.method(), http::Method::GET | http::Method::HEAD) {
            self.facts.unsafe_requests.fetch_add(1, Ordering::SeqCst);
        }
        let response = tokio::time::timeout(first_byte_timeout, sender.send_request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)??;
        if let Ok(mut idle) = self.idle.lock() {
            *idle = Some(sender);
        }
        let response = response.map(|body| {
            Limited::new(body, MAX_RESPONSE_BODY)
                .map_err(|e| match e.downcast::<hyper::Error>() {
                    Ok(e) => Error::Hyper(*e),
                    Err(_) => Error::HttpResponseBodySize(Some(MAX_RESPONSE_BODY as u64)),
                })
                .boxed_unsync()
        });
        // The connection is driven by its own task (see `connect`), across requests.
        let io: IoFuture = Box::new(async { Ok(()) });
        Ok((response, io))
    }

    /// The previous request's connection, once its answer has been read, if still open.
    async fn reusable(&self, wait: Duration) -> Option<SendRequest<WasiBody>> {
        let mut sender = self.idle.lock().ok()?.take()?;
        match tokio::time::timeout(wait, sender.ready()).await {
            Ok(Ok(())) => Some(sender),
            _ => None,
        }
    }

    /// A new TCP connection and TLS session to the validated endpoint.
    async fn connect(&self, timeout: Duration) -> Result<SendRequest<WasiBody>, Error> {
        let tcp = tokio::time::timeout(timeout, self.tcp())
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::ConnectionRefused => Error::ConnectionRefused,
                _ => Error::Connect(e),
            })?;
        let _ = tcp.set_nodelay(true);
        let connector = tokio_rustls::TlsConnector::from(self.tls.clone());
        let tls = tokio::time::timeout(timeout, connector.connect(self.server_name(), tcp))
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(|e| self.tls_error(e))?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls)).await?;
        tokio::spawn(connection);
        Ok(sender)
    }

    async fn tcp(&self) -> std::io::Result<TcpStream> {
        let port = self.endpoint.port;
        match &self.endpoint.host {
            Host::Dns(name) => TcpStream::connect((name.as_str(), port)).await,
            Host::V4(ip) => TcpStream::connect((*ip, port)).await,
            Host::V6(ip) => TcpStream::connect((*ip, port)).await,
        }
    }

    fn server_name(&self) -> ServerName<'static> {
        match &self.endpoint.host {
            Host::Dns(name) => ServerName::try_from(name.clone())
                .unwrap_or_else(|_| ServerName::IpAddress(std::net::Ipv4Addr::UNSPECIFIED.into())),
            Host::V4(ip) => ServerName::IpAddress((*ip).into()),
            Host::V6(ip) => ServerName::IpAddress((*ip).into()),
        }
    }

    /// Maps a failed handshake, noting the presented certificate's fingerprint when
    /// the certificate was the problem.
    fn tls_error(&self, error: std::io::Error) -> Error {
        let rustls_error = error
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>())
            .cloned();
        let seen = self.seen.lock().ok().and_then(|s| *s);
        match (rustls_error, seen) {
            (Some(rustls::Error::InvalidCertificate(reason)), Some(fp)) => {
                self.facts.note(format!(
                    "the device's certificate is not trusted ({reason:?}); its SHA-256 fingerprint is {}: check it on the device (show crypto pki certificates) and set it as tls_fingerprint on the admin record, or set tls_ca to the CA that issued it",
                    format_fingerprint(&fp)
                ));
                Error::TlsCertificateError
            }
            (Some(rustls::Error::General(reason)), Some(fp)) => {
                self.facts.note(format!(
                    "{reason}: the device presented SHA-256 {}",
                    format_fingerprint(&fp)
                ));
                Error::TlsCertificateError
            }
            (Some(other), _) => {
                self.facts.note(format!("TLS handshake failed: {other}"));
                Error::TlsProtocolError
            }
            (None, _) => {
                self.facts.note(format!("TLS handshake failed: {error}"));
                Error::TlsProtocolError
            }
        }
    }
}
