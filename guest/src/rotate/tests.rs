use super::*;
use crate::transport::Method;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use std::collections::VecDeque;

/// Answers requests from a script and records what was sent.
struct Scripted {
    answers: VecDeque<Result<Response, TransportError>>,
    sent: Vec<Request>,
}

impl Transport for Scripted {
    fn send(&mut self, request: &Request) -> Result<Response, TransportError> {
        self.sent.push(request.clone());
        self.answers.pop_front().expect("unexpected extra request")
    }
}

struct NoClock;
impl Clock for NoClock {
    fn now_ms(&self) -> u64 {
        0
    }
}

fn ok(status: u16, body: &str) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        body: body.as_bytes().to_vec(),
    })
}

const USERS: &str = r#"{"Cisco-IOS-XE-native:username": [
    {"name": "admin", "privilege": 15, "password": {"encryption": "0", "password": "Adm1n-pw"}},
    {"name": "netops", "privilege": 5, "secret": {"encryption": "9", "secret": "$9$x$y"}}]}"#;
const SAVED: &str = r#"{"cisco-ia:output": {"result": "Save running-config successful"}}"#;

fn rotation() -> Rotation {
    let records = json!([{"uid": "a", "title": "Cisco Authentication Record", "login": "admin",
        "password": "Adm1n-pw", "host_endpoint": "127.0.0.1:8443"}]);
    let top = json!({"user": "netops", "newPassword": "N3w-pw", "oldPassword": "0ld-pw",
        "records": STANDARD.encode(records.to_string())});
    payload::parse(
        &STANDARD.encode(top.to_string()),
        payload::DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap()
}

fn run(answers: Vec<Result<Response, TransportError>>) -> (Result<Report, Failure>, Vec<Request>) {
    let mut t = Scripted {
        answers: answers.into(),
        sent: Vec::new(),
    };
    let result = rotate(&rotation(), &mut t, &NoClock);
    (result, t.sent)
}

#[test]
fn rotates_reads_changes_and_saves_in_order() {
    let (result, sent) = run(vec![ok(200, USERS), ok(204, ""), ok(200, SAVED)]);
    let report = result.unwrap();
    assert_eq!(report.state, DeviceState::ChangedSaved);
    assert_eq!(report.credential_kind, CredentialKind::Secret);
    let methods: Vec<Method> = sent.iter().map(|r| r.method).collect();
    assert_eq!(methods, [Method::Get, Method::Patch, Method::Post]);
    let names: Vec<&str> = report.steps.iter().map(|s| s.name).collect();
    assert_eq!(names, ["read-user", "change", "save"]);
}

#[test]
fn missing_user_fails_without_any_change() {
    let users = r#"{"Cisco-IOS-XE-native:username": [{"name": "admin"}]}"#;
    let (result, sent) = run(vec![ok(200, users)]);
    let failure = result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::UserNotFound);
    assert_eq!(failure.state, DeviceState::Unchanged);
    assert_eq!(
        sent.len(),
        1,
        "nothing may be sent after the user is found missing"
    );
}

#[test]
fn refused_admin_credentials_are_unauthorized() {
    let (result, _) = run(vec![ok(401, "")]);
    let failure = result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::Unauthorized);
    assert!(failure.message.contains("HTTP 401"), "{}", failure.message);
}

#[test]
fn refused_change_carries_the_device_message_and_leaves_device_unchanged() {
    let error = r#"{"ietf-restconf:errors": {"error": [{"error-type": "application",
        "error-tag": "invalid-value", "error-message": "inconsistent value: Device refused one or more commands"}]}}"#;
    let (result, _) = run(vec![ok(200, USERS), ok(400, error)]);
    let failure = result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::DeviceRefused);
    assert_eq!(failure.state, DeviceState::Unchanged);
    assert!(
        failure
            .message
            .contains("invalid-value: inconsistent value"),
        "{}",
        failure.message
    );
}

#[test]
fn lost_change_answer_means_state_unknown() {
    let (result, _) = run(vec![
        ok(200, USERS),
        Err(TransportError::Lost("reset".into())),
    ]);
    assert_eq!(result.unwrap_err().state, DeviceState::Unknown);
}

#[test]
fn failed_save_leaves_change_unsaved() {
    let (result, _) = run(vec![ok(200, USERS), ok(204, ""), ok(500, "")]);
    let failure = result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::DeviceError);
    assert_eq!(failure.state, DeviceState::ChangedUnsaved);
}

#[test]
fn denied_request_is_reported_as_denied() {
    let (result, _) = run(vec![Err(TransportError::Denied)]);
    assert_eq!(result.unwrap_err().kind, FailureKind::Denied);
}

#[test]
fn device_messages_echoing_a_secret_are_masked() {
    let error = r#"{"errors": {"error": {"error-tag": "invalid-value", "error-message": "bad value N3w-pw"}}}"#;
    let (result, _) = run(vec![ok(200, USERS), ok(400, error)]);
    let message = result.unwrap_err().message;
    assert!(
        !message.contains("N3w-pw") && message.contains("********"),
        "{message}"
    );
}

#[test]
fn password_user_is_rotated_as_password() {
    let users = r#"{"Cisco-IOS-XE-native:username": [{"name": "netops", "password": {"encryption": "7", "password": "0822455D0A16"}}]}"#;
    let (result, sent) = run(vec![ok(200, users), ok(204, ""), ok(200, SAVED)]);
    assert_eq!(result.unwrap().credential_kind, CredentialKind::Password);
    let body = String::from_utf8(sent[1].body.clone().unwrap()).unwrap();
    assert!(
        body.contains(r#""password":{"encryption":"0","password":"N3w-pw"}"#),
        "{body}"
    );
}
