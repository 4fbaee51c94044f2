//! The RESTCONF server: HTTPS on loopback, basic auth against the running
//! configuration, privilege 15 required, and the handful of resources a rotation uses.

use crate::device::{PasswordStorage, RestconfError, merge_native};
use crate::{Recorded, Shared};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

const NATIVE: &str = "/restconf/data/Cisco-IOS-XE-native:native";
const USERNAMES: &str = "/restconf/data/Cisco-IOS-XE-native:native/username";
const SAVE_CONFIG: &str = "/restconf/operations/cisco-ia:save-config";
const YANG_JSON: &str = "application/yang-data+json";

pub async fn serve(listener: TcpListener, acceptor: TlsAcceptor, shared: Arc<Shared>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        shared.connections.fetch_add(1, Ordering::SeqCst);
        // Like the device's TCP stack: no Nagle delay on small answers.
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            // A client that refuses our certificate ends here; that is expected.
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            shared.handshakes.fetch_add(1, Ordering::SeqCst);
            let service = hyper::service::service_fn(move |req| {
                let shared = shared.clone();
                // An `Err` makes hyper close the connection without answering.
                async move { handle(&shared, req).await }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

type Reply = Response<Full<Bytes>>;

/// A request whose answer the simulated device "loses": the connection is closed.
#[derive(Debug)]
struct AnswerLost;

impl std::fmt::Display for AnswerLost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("answer lost (injected fault)")
    }
}

impl std::error::Error for AnswerLost {}

/// Takes one use of a fault counter.
fn take(counter: &mut usize) -> bool {
    let hit = *counter > 0;
    *counter = counter.saturating_sub(1);
    hit
}

async fn handle(shared: &Shared, request: Request<Incoming>) -> Result<Reply, AnswerLost> {
    let delay = shared
        .device
        .lock()
        .map(|d| d.faults.delay)
        .unwrap_or_default();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    answer(shared, request).await
}

async fn answer(shared: &Shared, request: Request<Incoming>) -> Result<Reply, AnswerLost> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, 1024 * 1024).collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => {
            return Ok(error(&RestconfError::new(
                400,
                "malformed-message",
                "body too large",
            )));
        }
    };
    // `.../native/` and `.../username/` (the reference script's spelling) are the same
    // resources as without the slash.
    let path = percent_decode(parts.uri.path().trim_end_matches('/'));
    let header = |name: header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    shared.log(Recorded {
        method: parts.method.to_string(),
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });

    let mut device = shared.device.lock().unwrap_or_else(|e| e.into_inner());
    if device.silent {
        return Err(AnswerLost);
    }
    let Some((login, password)) = basic_auth(&header(header::AUTHORIZATION)) else {
        return Ok(unauthorized());
    };
    let Some(user) = device
        .running
        .users
        .get(&login)
        .filter(|u| u.accepts(&password))
    else {
        return Ok(unauthorized());
    };
    if user.privilege != Some(15) {
        return Ok(error(&RestconfError::new(
            403,
            "access-denied",
            "access denied: RESTCONF requires privilege 15",
        )));
    }

    let wants_json = header(header::ACCEPT).contains(YANG_JSON);
    let sends_json = header(header::CONTENT_TYPE).contains(YANG_JSON);
    let device = &mut *device;
    let reply = match (&parts.method, path.as_str()) {
        (&Method::GET, _) if !wants_json => error(&RestconfError::new(
            406,
            "invalid-value",
            "this simulator answers application/yang-data+json only",
        )),
        (&Method::GET, USERNAMES) => json(
            StatusCode::OK,
            &device.running.users_json(device.running.users.keys()),
        ),
        (&Method::GET, p) if p.starts_with(USERNAMES) && p[USERNAMES.len()..].starts_with('=') => {
            let name = p[USERNAMES.len() + 1..].to_string();
            if device.running.users.contains_key(&name) {
                json(
                    StatusCode::OK,
                    &device.running.users_json(std::iter::once(&name)),
                )
            } else {
                error(&RestconfError::new(
                    404,
                    "invalid-value",
                    "uri keypath not found",
                ))
            }
        }
        (&Method::PATCH, NATIVE) => {
            if !sends_json {
                return Ok(error(&RestconfError::new(
                    415,
                    "invalid-value",
                    "Content-Type must be application/yang-data+json",
                )));
            }
            let Ok(mut value) = serde_json::from_slice::<Value>(&body) else {
                return Ok(error(&RestconfError::new(
                    400,
                    "malformed-message",
                    "body is not JSON",
                )));
            };
            let faults = &mut device.faults;
            if take(&mut faults.lock_denied) {
                return Ok(error(&RestconfError::new(
                    409,
                    "lock-denied",
                    "the configuration database is locked by another session",
                )));
            }
            if take(&mut faults.patch_fails) {
                return Ok(error(&RestconfError::new(
                    500,
                    "operation-failed",
                    "internal error (injected fault)",
                )));
            }
            if take(&mut faults.patch_stores_other) {
                mangle_credentials(&mut value);
            }
            record_body(&body);
            let lose_answer = take(&mut faults.patch_answer_lost) || faults.silent_after_patch;
            if faults.silent_after_patch {
                device.silent = true;
            }
            let storage = match (
                device.password_encryption_aes,
                device.service_password_encryption,
            ) {
                (true, _) => PasswordStorage::Type6,
                (false, true) => PasswordStorage::Type7,
                (false, false) => PasswordStorage::Plain,
            };
            match merge_native(&mut device.running, &value, storage) {
                Ok(()) if lose_answer => return Err(AnswerLost),
                Ok(()) => empty(StatusCode::NO_CONTENT),
                Err(e) => error(&e),
            }
        }
        (&Method::POST, SAVE_CONFIG) => {
            if take(&mut device.faults.save_fails) {
                return Ok(error(&RestconfError::new(
                    500,
                    "operation-failed",
                    "save failed (injected fault)",
                )));
            }
            device.startup = device.running.clone();
            if take(&mut device.faults.save_answer_lost) {
                return Err(AnswerLost);
            }
            json(
                StatusCode::OK,
                &serde_json::json!({"cisco-ia:output": {"result": "Save running-config successful"}}),
            )
        }
        (_, NATIVE | USERNAMES | SAVE_CONFIG) => error(&RestconfError::new(
            405,
            "operation-not-supported",
            "method not allowed on this resource",
        )),
        _ => error(&RestconfError::new(
            404,
            "invalid-value",
            "uri keypath not found",
        )),
    };
    Ok(reply)
}

/// Changes every credential text in a PATCH body, as a faulty device storing something
/// other than what it was sent would.
fn mangle_credentials(value: &mut Value) {
    let users = value
        .pointer_mut("/Cisco-IOS-XE-native:native/username")
        .and_then(Value::as_array_mut);
    for user in users.into_iter().flatten() {
        for leaf in ["password", "secret"] {
            if let Some(Value::String(text)) = user.get_mut(leaf).and_then(|c| c.get_mut(leaf)) {
                text.push_str("-mangled");
            }
        }
    }
}

fn basic_auth(value: &str) -> Option<(String, String)> {
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (login, password) = decoded.split_once(':')?;
    Some((login.to_string(), password.to_string()))
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn json(status: StatusCode, value: &Value) -> Reply {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, YANG_JSON)
        .body(Full::new(Bytes::from(value.to_string())))
        .expect("valid response")
}

fn empty(status: StatusCode) -> Reply {
    Response::builder()
        .status(status)
        .body(Full::new(Bytes::new()))
        .expect("valid response")
}

fn error(e: &RestconfError) -> Reply {
    json(
        StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &e.body(),
    )
}

fn unauthorized() -> Reply {
    let mut reply = error(&RestconfError::new(401, "access-denied", "access denied"));
    reply.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Basic realm=\"restconf\""),
    );
    reply
}

impl Shared {
    fn log(&self, recorded: Recorded) {
        if let Ok(mut log) = self.requests.lock() {
            log.push(recorded);
        }
    }
}

/// With `IOSXE_SIM_BODIES_DIR` set, keeps each distinct PATCH body as a file there, for the
/// check against Cisco's YANG model (`.ci/yang`). Test-only: the bodies hold test passwords.
fn record_body(body: &[u8]) {
    use sha2::{Digest, Sha256};
    let Some(dir) = std::env::var_os("IOSXE_SIM_BODIES_DIR") else {
        return;
    };
    let name: String = Sha256::digest(body)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("sim-patch-{name}.json")), body);
}
