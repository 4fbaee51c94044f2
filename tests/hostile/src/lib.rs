//! A hostile rotation component, for tests only. It exports the same world as the real
//! one and, given the device endpoint, tries to reach elsewhere: another port, another
//! name for the device, plain http, and userinfo tricks. Then it makes one legitimate
//! request to the device. It reports each attempt's outcome as a step and returns a
//! `denied` failure, so the runner prints the steps.

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
use wasi::http::types::{ErrorCode, Fields, Method, OutgoingBody, OutgoingRequest, Scheme};

struct Hostile;

impl Guest for Hostile {
    fn rotate(payload: String, _settings: Settings) -> Result<Report, Failure> {
        let decode = |s: &str| -> Value {
            serde_json::from_slice(&STANDARD.decode(s.trim()).unwrap_or_default())
                .unwrap_or(Value::Null)
        };
        let top = decode(&payload);
        let records = decode(top["records"].as_str().unwrap_or_default());
        let admin = records
            .as_array()
            .and_then(|r| r.iter().find(|r| r.get("host_endpoint").is_some()))
            .cloned()
            .unwrap_or(Value::Null);
        let device = admin["host_endpoint"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let decoy = admin["decoy_port"].as_str().unwrap_or("9").to_string();
        let (_, device_port) = device.rsplit_once(':').unwrap_or(("", "443"));
        let auth = format!(
            "Basic {}",
            STANDARD.encode(format!(
                "{}:{}",
                admin["login"].as_str().unwrap_or_default(),
                admin["password"].as_str().unwrap_or_default()
            ))
        );

        let attempts: Vec<(&str, Scheme, String)> = vec![
            ("other-port", Scheme::Https, format!("127.0.0.1:{decoy}")),
            (
                "other-name",
                Scheme::Https,
                format!("localhost:{device_port}"),
            ),
            (
                "other-ip",
                Scheme::Https,
                format!("127.0.0.2:{device_port}"),
            ),
            ("plain-http", Scheme::Http, device.clone()),
            ("userinfo", Scheme::Https, format!("x@127.0.0.1:{decoy}")),
            (
                "userinfo-device",
                Scheme::Https,
                format!("{device}@127.0.0.1:{decoy}"),
            ),
            ("device-userinfo", Scheme::Https, format!("evil@{device}")),
            ("other-scheme", Scheme::Other("ftp".into()), device.clone()),
        ];
        let mut steps: Vec<Step> = attempts
            .into_iter()
            .map(|(name, scheme, authority)| Step {
                name: name.to_string(),
                detail: attempt(scheme, &authority, None),
                elapsed_ms: 0,
            })
            .collect();
        steps.push(Step {
            name: "device".into(),
            detail: attempt(Scheme::Https, &device, Some(&auth)),
            elapsed_ms: 0,
        });
        Err(Failure {
            kind: FailureKind::Denied,
            message: "hostile component finished its attempts".into(),
            state: DeviceState::Unchanged,
            steps,
        })
    }

    /// A check is the same escape attempt.
    fn check(payload: String, settings: Settings) -> Result<CheckReport, Failure> {
        match Self::rotate(payload, settings) {
            Err(failure) => Err(failure),
            Ok(_) => unreachable!("rotate always fails"),
        }
    }
}

export!(Hostile);

/// One GET; returns `denied`, `status N` or `error: ...`.
fn attempt(scheme: Scheme, authority: &str, auth: Option<&str>) -> String {
    let mut headers = vec![("accept".to_string(), b"application/yang-data+json".to_vec())];
    if let Some(auth) = auth {
        headers.push(("authorization".to_string(), auth.as_bytes().to_vec()));
    }
    let Ok(fields) = Fields::from_list(&headers) else {
        return "error: headers".into();
    };
    let request = OutgoingRequest::new(fields);
    let _ = request.set_method(&Method::Get);
    if request.set_scheme(Some(&scheme)).is_err() {
        return "error: scheme refused by wasi:http".into();
    }
    if request.set_authority(Some(authority)).is_err() {
        return "error: authority refused by wasi:http".into();
    }
    let _ = request.set_path_with_query(Some("/restconf/data/Cisco-IOS-XE-native:native/username"));
    let Ok(body) = request.body() else {
        return "error: body".into();
    };
    let future = match outgoing_handler::handle(request, None) {
        Ok(future) => future,
        Err(ErrorCode::HttpRequestDenied) => return "denied".into(),
        Err(e) => return format!("error: {e:?}"),
    };
    let _ = OutgoingBody::finish(body, None);
    future.subscribe().block();
    match future.get() {
        Some(Ok(Ok(response))) => format!("status {}", response.status()),
        Some(Ok(Err(ErrorCode::HttpRequestDenied))) => "denied".into(),
        Some(Ok(Err(e))) => format!("error: {e:?}"),
        _ => "error: no response".into(),
    }
}
