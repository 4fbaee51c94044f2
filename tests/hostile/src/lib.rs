//! A hostile rotation component, for tests only. It exports the same world as the real
//! one; the admin record's `hostile_mode` field picks what it tries:
//! - `escape` (default): reach elsewhere than the device (other ports, IP literal and
//!   trailing-dot spellings of the device, plain http, userinfo tricks, another scheme),
//!   then make one legitimate request to the device;
//! - `loop`: spin forever; `memory`: allocate without end; `flood`: 200 requests at once;
//! - `big-body`: send a 16 MiB request body; `env`: look for environment and arguments.
//!
//! It reports each outcome as a step and returns a `denied` failure, so the runner prints
//! the steps.

#![allow(clippy::all, missing_docs, unsafe_op_in_unsafe_fn)]

wit_bindgen::generate!({
    path: "../../wit",
    world: "keeper:iosxe-rotate/rotator",
    generate_all,
});

// Rebuild when the contract changes (the macro's file reads are not tracked).
const _: &str = include_str!("../../../wit/rotation.wit");

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use exports::keeper::iosxe_rotate::rotation::{
    CheckReport, DeviceState, Failure, FailureKind, Guest, Report, Settings, Step,
};
use serde_json::Value;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    ErrorCode, Fields, FutureIncomingResponse, Method, OutgoingBody, OutgoingRequest, Scheme,
};

const USERS: &str = "/restconf/data/Cisco-IOS-XE-native:native/username";

struct Hostile;

impl Guest for Hostile {
    fn rotate(payload: String, _settings: Settings) -> Result<Report, Failure> {
        let admin = admin_record(&payload);
        let device = admin["host_endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let auth = format!(
            "Basic {}",
            STANDARD.encode(format!(
                "{}:{}",
                admin["login"].as_str().unwrap_or_default(),
                admin["password"].as_str().unwrap_or_default()
            ))
        );
        let steps = match admin["hostile_mode"].as_str().unwrap_or("escape") {
            "loop" => spin(),
            "memory" => hoard(),
            "flood" => vec![step("flood", flood(&device, &auth))],
            "big-body" => vec![step("big-body", big_body(&device, &auth))],
            "env" => vec![step(
                "env",
                format!(
                    "{} variables, {} arguments",
                    std::env::vars().count(),
                    std::env::args().count()
                ),
            )],
            _ => escape(&admin, &device, &auth),
        };
        Err(Failure {
            kind: FailureKind::Denied,
            message: "hostile component finished its attempts".into(),
            state: DeviceState::Unchanged,
            steps,
        })
    }

    /// A check is the same attempt.
    fn check(payload: String, settings: Settings) -> Result<CheckReport, Failure> {
        Self::rotate(payload, settings).map(|_| unreachable!("rotate always fails"))
    }
}

export!(Hostile);

fn admin_record(payload: &str) -> Value {
    let decode = |s: &str| -> Value {
        serde_json::from_slice(&STANDARD.decode(s.trim()).unwrap_or_default())
            .unwrap_or(Value::Null)
    };
    let records = decode(decode(payload)["records"].as_str().unwrap_or_default());
    records
        .as_array()
        .and_then(|r| r.iter().find(|r| r.get("host_endpoint").is_some()))
        .cloned()
        .unwrap_or(Value::Null)
}

fn step(name: &str, detail: String) -> Step {
    Step {
        name: name.to_string(),
        detail,
        elapsed_ms: 0,
    }
}

fn escape(admin: &Value, device: &str, auth: &str) -> Vec<Step> {
    let decoy = admin["decoy_port"].as_str().unwrap_or("9");
    let (host, port) = device.rsplit_once(':').unwrap_or((device, "443"));
    let attempts: Vec<(&str, Scheme, String)> = vec![
        ("other-port", Scheme::Https, format!("127.0.0.1:{decoy}")),
        ("ip-literal", Scheme::Https, format!("127.0.0.1:{port}")),
        ("trailing-dot", Scheme::Https, format!("{host}.:{port}")),
        ("other-ip", Scheme::Https, format!("127.0.0.2:{port}")),
        ("other-name", Scheme::Https, format!("other.example:{port}")),
        ("plain-http", Scheme::Http, device.to_string()),
        ("userinfo", Scheme::Https, format!("x@127.0.0.1:{decoy}")),
        (
            "userinfo-device",
            Scheme::Https,
            format!("{device}@127.0.0.1:{decoy}"),
        ),
        ("device-userinfo", Scheme::Https, format!("evil@{device}")),
        (
            "other-scheme",
            Scheme::Other("ftp".into()),
            device.to_string(),
        ),
    ];
    let mut steps: Vec<Step> = attempts
        .into_iter()
        .map(|(name, scheme, authority)| step(name, wait(send(scheme, &authority, None, None))))
        .collect();
    // The same host in capitals is the same host: allowed, and connected to the
    // validated endpoint.
    let upper = device.to_ascii_uppercase();
    steps.push(step(
        "upper-case",
        wait(send(Scheme::Https, &upper, Some(auth), None)),
    ));
    steps.push(step(
        "device",
        wait(send(Scheme::Https, device, Some(auth), None)),
    ));
    steps
}

fn spin() -> Vec<Step> {
    let mut x: u64 = 0;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

fn hoard() -> Vec<Step> {
    let mut hoard: Vec<Vec<u8>> = Vec::new();
    loop {
        hoard.push(vec![1u8; 1 << 20]);
        std::hint::black_box(&hoard);
    }
}

fn flood(device: &str, auth: &str) -> String {
    let futures: Vec<Result<FutureIncomingResponse, String>> = (0..200)
        .map(|_| send(Scheme::Https, device, Some(auth), None))
        .collect();
    let outcomes: Vec<String> = futures.into_iter().map(wait).collect();
    let ok = outcomes.iter().filter(|o| o.starts_with("status")).count();
    let limited = outcomes
        .iter()
        .filter(|o| o.contains("ConnectionLimitReached"))
        .count();
    format!(
        "{ok} answered, {limited} refused by the limit, {} other",
        outcomes.len() - ok - limited
    )
}

fn big_body(device: &str, auth: &str) -> String {
    let body = vec![b'x'; 16 << 20];
    wait(send(Scheme::Https, device, Some(auth), Some(&body)))
}

/// Starts one request (GET, or POST with `body`); `Err` when refused at once.
fn send(
    scheme: Scheme,
    authority: &str,
    auth: Option<&str>,
    body: Option<&[u8]>,
) -> Result<FutureIncomingResponse, String> {
    let mut headers = vec![("accept".to_string(), b"application/yang-data+json".to_vec())];
    if let Some(auth) = auth {
        headers.push(("authorization".to_string(), auth.as_bytes().to_vec()));
    }
    let fields = Fields::from_list(&headers).map_err(|_| "error: headers".to_string())?;
    let request = OutgoingRequest::new(fields);
    let method = if body.is_some() {
        Method::Post
    } else {
        Method::Get
    };
    let _ = request.set_method(&method);
    request
        .set_scheme(Some(&scheme))
        .map_err(|_| "error: scheme refused by wasi:http".to_string())?;
    request
        .set_authority(Some(authority))
        .map_err(|_| "error: authority refused by wasi:http".to_string())?;
    let _ = request.set_path_with_query(Some(USERS));
    let outgoing = request.body().map_err(|_| "error: body".to_string())?;
    let future = match outgoing_handler::handle(request, None) {
        Ok(future) => future,
        Err(ErrorCode::HttpRequestDenied) => return Err("denied".into()),
        Err(e) => return Err(format!("error: {e:?}")),
    };
    if let Some(body) = body {
        if let Ok(stream) = outgoing.write() {
            for chunk in body.chunks(4096) {
                if stream.blocking_write_and_flush(chunk).is_err() {
                    break;
                }
            }
        }
    }
    let _ = OutgoingBody::finish(outgoing, None);
    Ok(future)
}

/// Waits for a started request: `denied`, `status N` or `error: ...`.
fn wait(started: Result<FutureIncomingResponse, String>) -> String {
    let future = match started {
        Ok(future) => future,
        Err(outcome) => return outcome,
    };
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => format!("status {}", response.status()),
        Some(Ok(Err(ErrorCode::HttpRequestDenied))) => "denied".into(),
        Some(Ok(Err(e))) => format!("error: {e:?}"),
        _ => "error: no response".into(),
    }
}
