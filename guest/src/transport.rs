//! What the rotation needs from HTTP, as plain types: the wasi:http glue implements
//! [`Transport`] in the component, a scripted fake implements it in native tests.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Patch,
    Post,
}

/// A request to the device; the transport adds scheme, authority and credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub path: String,
    /// `(name, value)`; never `Authorization`, which the transport owns.
    pub headers: Vec<(&'static str, &'static str)>,
    /// JSON body. It may hold the new password: `Debug` shows only its length.
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why no response came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The runner's egress policy refused the request; it never left the sandbox.
    Denied,
    /// TLS handshake or certificate failure; the request was not sent.
    Tls(String),
    /// The connection could not be made; the request was not sent.
    Connect(String),
    /// The request may have reached the device but no (complete) answer came back.
    Lost(String),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Denied => f.write_str("denied by the runner's egress policy"),
            TransportError::Tls(e) => write!(f, "TLS failed: {e}"),
            TransportError::Connect(e) => write!(f, "not connected: {e}"),
            TransportError::Lost(e) => write!(f, "answer lost: {e}"),
        }
    }
}

/// Sends requests to the device with the admin credentials.
pub trait Transport {
    /// Sends one request and returns the whole response, waiting at most `timeout_ms`
    /// for it.
    fn send(&mut self, request: &Request, timeout_ms: u64) -> Result<Response, TransportError>;

    /// Authenticates from now on with `password` (self-rotation: the admin's own
    /// password just changed).
    fn use_password(&mut self, password: &str);
}

/// Time, for step timing, deadlines and back-off.
pub trait Clock {
    /// Milliseconds since an arbitrary start.
    fn now_ms(&self) -> u64;
    fn sleep_ms(&self, ms: u64);
}
