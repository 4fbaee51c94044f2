//! [`Transport`] over `wasi:http/outgoing-handler`: the component's only way out. Kept
//! thin: build the request, wait for the answer, read the whole body.

use crate::bindings::wasi::http::outgoing_handler;
use crate::bindings::wasi::http::types::{
    ErrorCode, Fields, IncomingBody, Method as WasiMethod, OutgoingBody, OutgoingRequest,
    RequestOptions, Scheme,
};
use crate::bindings::wasi::io::streams::StreamError;
use crate::transport::{Method, Request, Response, Transport, TransportError};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payload::{ExposeSecret, Rotation, SecretString};

/// A device answer larger than this is not a RESTCONF user list: stop reading.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

pub struct WasiHttp {
    authority: String,
    login: String,
    connect_timeout_ms: u64,
    /// `Basic base64(login:password)`.
    authorization: SecretString,
}

impl WasiHttp {
    pub fn new(rotation: &Rotation, connect_timeout_ms: u64) -> Self {
        WasiHttp {
            authority: rotation.endpoint.authority(),
            login: rotation.admin_login.clone(),
            connect_timeout_ms,
            authorization: basic(
                &rotation.admin_login,
                rotation.admin_password.expose_secret(),
            ),
        }
    }
}

fn basic(login: &str, password: &str) -> SecretString {
    SecretString::from(format!(
        "Basic {}",
        STANDARD.encode(format!("{login}:{password}"))
    ))
}

impl Transport for WasiHttp {
    fn use_password(&mut self, password: &str) {
        self.authorization = basic(&self.login, password);
    }

    fn send(&mut self, request: &Request, timeout_ms: u64) -> Result<Response, TransportError> {
        let not_sent = |e: String| TransportError::Connect(e);
        let mut headers: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
        headers.push((
            "authorization".into(),
            self.authorization.expose_secret().as_bytes().to_vec(),
        ));
        let headers =
            Fields::from_list(&headers).map_err(|e| not_sent(format!("bad header: {e:?}")))?;
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method {
            Method::Get => WasiMethod::Get,
            Method::Patch => WasiMethod::Patch,
            Method::Post => WasiMethod::Post,
        };
        let set = [
            outgoing.set_method(&method),
            outgoing.set_scheme(Some(&Scheme::Https)),
            outgoing.set_authority(Some(&self.authority)),
            outgoing.set_path_with_query(Some(&request.path)),
        ];
        if set.iter().any(Result::is_err) {
            return Err(not_sent("the request could not be built".into()));
        }
        let body = outgoing
            .body()
            .map_err(|_| not_sent("no request body".into()))?;

        let options = RequestOptions::new();
        // Setting a timeout only fails when the runner does not support it.
        let ns = |ms: u64| ms.saturating_mul(1_000_000);
        let _ = options.set_connect_timeout(Some(ns(self.connect_timeout_ms.min(timeout_ms))));
        let _ = options.set_first_byte_timeout(Some(ns(timeout_ms)));
        let _ = options.set_between_bytes_timeout(Some(ns(timeout_ms)));
        let future = outgoing_handler::handle(outgoing, Some(options)).map_err(classify)?;

        // Write the body after `handle`, so the runner is already draining it.
        if let Some(bytes) = &request.body {
            let stream = body
                .write()
                .map_err(|_| not_sent("no request body stream".into()))?;
            for chunk in bytes.chunks(4096) {
                stream
                    .blocking_write_and_flush(chunk)
                    .map_err(|e| TransportError::Lost(format!("writing the request: {e:?}")))?;
            }
        }
        OutgoingBody::finish(body, None).map_err(classify)?;

        future.subscribe().block();
        let response = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(classify(code)),
            Some(Err(())) | None => {
                return Err(TransportError::Lost("the response was lost".into()));
            }
        };
        let status = response.status();
        let incoming = response
            .consume()
            .map_err(|_| TransportError::Lost("no response body".into()))?;
        let body = read_all(&incoming)?;
        let _ = IncomingBody::finish(incoming);
        Ok(Response { status, body })
    }
}

fn read_all(incoming: &IncomingBody) -> Result<Vec<u8>, TransportError> {
    let stream = incoming
        .stream()
        .map_err(|_| TransportError::Lost("no response body stream".into()))?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => return Ok(body),
            Err(StreamError::LastOperationFailed(e)) => {
                return Err(TransportError::Lost(format!(
                    "reading the response: {}",
                    e.to_debug_string()
                )));
            }
        }
        if body.len() > MAX_RESPONSE_BYTES {
            return Err(TransportError::Lost(format!(
                "the response is larger than {MAX_RESPONSE_BYTES} bytes"
            )));
        }
    }
}

/// Sorts wasi:http errors by what they mean for the device: refused before sending,
/// or possibly delivered.
fn classify(code: ErrorCode) -> TransportError {
    match code {
        ErrorCode::HttpRequestDenied => TransportError::Denied,
        ErrorCode::TlsProtocolError
        | ErrorCode::TlsCertificateError
        | ErrorCode::TlsAlertReceived(_) => TransportError::Tls(describe(&code)),
        ErrorCode::DnsTimeout
        | ErrorCode::DnsError(_)
        | ErrorCode::DestinationNotFound
        | ErrorCode::DestinationUnavailable
        | ErrorCode::DestinationIpProhibited
        | ErrorCode::DestinationIpUnroutable
        | ErrorCode::ConnectionRefused
        | ErrorCode::ConnectionTimeout => TransportError::Connect(describe(&code)),
        other => TransportError::Lost(describe(&other)),
    }
}

fn describe(code: &ErrorCode) -> String {
    match code {
        ErrorCode::TlsCertificateError => "the device's certificate is not trusted".into(),
        ErrorCode::TlsProtocolError => "TLS handshake failed".into(),
        ErrorCode::ConnectionRefused => "connection refused".into(),
        ErrorCode::ConnectionTimeout => "connection timed out".into(),
        ErrorCode::ConnectionReadTimeout => "the device did not answer in time".into(),
        ErrorCode::ConnectionTerminated => "the connection was closed".into(),
        ErrorCode::InternalError(Some(m)) => m.clone(),
        other => format!("{other:?}"),
    }
}
