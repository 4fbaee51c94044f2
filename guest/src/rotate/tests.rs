use super::*;
use crate::transport::Method;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;
use std::cell::Cell;
use std::collections::VecDeque;

/// Answers requests from a script and records what was sent and with which password.
struct Scripted {
    answers: VecDeque<Result<Response, TransportError>>,
    sent: Vec<Request>,
    passwords: Vec<String>,
}

impl Transport for Scripted {
    fn send(&mut self, request: &Request, _timeout_ms: u64) -> Result<Response, TransportError> {
        self.sent.push(request.clone());
        self.answers.pop_front().expect("unexpected extra request")
    }

    fn use_password(&mut self, password: &str) {
        self.passwords.push(password.to_string());
    }
}

/// A clock that only moves when slept on.
#[derive(Default)]
struct FakeClock(Cell<u64>);
impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.0.get()
    }
    fn sleep_ms(&self, ms: u64) {
        self.0.set(self.0.get() + ms);
    }
}

const NEW: &str = "N3w-pw";
const OLD: &str = "0ld-pw";
const SAVED: &str = r#"{"cisco-ia:output": {"result": "Save running-config successful"}}"#;

fn ok(status: u16, body: &str) -> Result<Response, TransportError> {
    Ok(Response {
        status,
        body: body.as_bytes().to_vec(),
    })
}

/// The entry GET's answer: `netops` with a type-0 password `value`.
fn entry(value: &str) -> Result<Response, TransportError> {
    ok(
        200,
        &json!({"Cisco-IOS-XE-native:username": [
            {"name": "netops", "privilege": 5, "password": {"encryption": "0", "password": value}}]})
        .to_string(),
    )
}

fn lost() -> Result<Response, TransportError> {
    Err(TransportError::Lost("connection reset".into()))
}

fn rotation_for(user: &str, old: Option<&str>) -> Rotation {
    rotation_as("admin", user, old)
}

fn rotation_as(login: &str, user: &str, old: Option<&str>) -> Rotation {
    let records = json!([{"uid": "a", "title": "Cisco Authentication Record", "login": login,
        "password": OLD, "host_endpoint": "127.0.0.1:8443"}]);
    let mut top = json!({"user": user, "newPassword": NEW,
        "records": STANDARD.encode(records.to_string())});
    if let Some(old) = old {
        top["oldPassword"] = json!(old);
    }
    payload::parse(
        &STANDARD.encode(top.to_string()),
        payload::DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap()
}

const LIMITS: Limits = Limits {
    deadline_ms: 60_000,
    request_timeout_ms: 10_000,
    backoff_ms: 500,
};

struct Outcome {
    result: Result<Report, Failure>,
    sent: Vec<(Method, String)>,
    passwords: Vec<String>,
    slept_ms: u64,
}

fn run_for(rotation: Rotation, answers: Vec<Result<Response, TransportError>>) -> Outcome {
    let mut t = Scripted {
        answers: answers.into(),
        sent: Vec::new(),
        passwords: Vec::new(),
    };
    let clock = FakeClock::default();
    let result = rotate(&rotation, LIMITS, &mut t, &clock);
    assert!(t.answers.is_empty(), "unused answers: {:?}", t.answers);
    Outcome {
        result,
        sent: t.sent.into_iter().map(|r| (r.method, r.path)).collect(),
        passwords: t.passwords,
        slept_ms: clock.now_ms(),
    }
}

/// Rotates `netops` (not the admin) with `oldPassword` present.
fn run(answers: Vec<Result<Response, TransportError>>) -> Outcome {
    run_for(rotation_for("netops", Some(OLD)), answers)
}

fn methods(sent: &[(Method, String)]) -> Vec<Method> {
    sent.iter().map(|(m, _)| *m).collect()
}

use Method::{Get, Patch, Post};

#[test]
fn reads_changes_verifies_and_saves_in_that_order() {
    let o = run(vec![entry(OLD), ok(204, ""), entry(NEW), ok(200, SAVED)]);
    let report = o.result.as_ref().unwrap();
    assert_eq!(report.state, DeviceState::ChangedSaved);
    assert_eq!(report.verification, Verification::Verified);
    assert_eq!(report.credential_kind, CredentialKind::Password);
    assert_eq!(methods(&o.sent), [Get, Patch, Get, Post]);
    assert!(o.sent[0].1.ends_with("/username=netops"), "{:?}", o.sent);
}

#[test]
fn device_already_holding_the_new_password_is_only_saved() {
    let o = run(vec![entry(NEW), ok(200, SAVED)]);
    let report = o.result.as_ref().unwrap();
    assert_eq!(report.verification, Verification::AlreadyCurrent);
    assert_eq!(methods(&o.sent), [Get, Post]);
}

#[test]
fn missing_user_is_confirmed_on_the_list_and_never_created() {
    let users = r#"{"Cisco-IOS-XE-native:username": [{"name": "admin"}]}"#;
    let o = run(vec![ok(404, ""), ok(200, users)]);
    let failure = o.result.as_ref().unwrap_err();
    assert_eq!(failure.kind, FailureKind::UserNotFound);
    assert_eq!(failure.state, DeviceState::Unchanged);
    assert_eq!(methods(&o.sent), [Get, Get]);
}

#[test]
fn lock_denied_is_retried_with_growing_back_off() {
    let busy = r#"{"ietf-restconf:errors": {"error": [{"error-tag": "lock-denied", "error-message": "locked"}]}}"#;
    let o = run(vec![
        entry(OLD),
        ok(409, busy),
        ok(409, busy),
        ok(204, ""),
        entry(NEW),
        ok(200, SAVED),
    ]);
    assert!(o.result.is_ok());
    assert_eq!(o.slept_ms, 500 + 1000);
}

#[test]
fn unauthorized_is_never_retried() {
    let o = run(vec![ok(401, "")]);
    assert_eq!(o.result.unwrap_err().kind, FailureKind::Unauthorized);
    assert_eq!(o.sent.len(), 1);
}

#[test]
fn invalid_value_is_refused_without_retry_and_device_unchanged() {
    let error = r#"{"ietf-restconf:errors": {"error": [{"error-type": "application",
        "error-tag": "invalid-value", "error-message": "inconsistent value: Device refused one or more commands"}]}}"#;
    let o = run(vec![entry(OLD), ok(400, error)]);
    let failure = o.result.unwrap_err();
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
fn lost_change_answer_is_resolved_by_reading_the_user_again() {
    // Applied: no second PATCH.
    let o = run(vec![
        entry(OLD),
        lost(),
        entry(NEW),
        entry(NEW),
        ok(200, SAVED),
    ]);
    assert!(o.result.is_ok());
    assert_eq!(methods(&o.sent), [Get, Patch, Get, Get, Post]);
}

#[test]
fn change_that_failed_with_500_before_applying_is_retried() {
    let o = run(vec![
        entry(OLD),
        ok(500, ""),
        entry(OLD),
        ok(204, ""),
        entry(NEW),
        ok(200, SAVED),
    ]);
    assert!(o.result.is_ok());
    assert_eq!(methods(&o.sent), [Get, Patch, Get, Patch, Get, Post]);
}

#[test]
fn device_silent_after_the_change_means_state_unknown_with_last_seen() {
    let mut answers = vec![entry(OLD), lost()];
    answers.extend((0..6).map(|_| lost()));
    let failure = run(answers).result.unwrap_err();
    assert_eq!(failure.state, DeviceState::Unknown);
    assert!(
        failure
            .message
            .contains("last seen: user 'netops' with password type 0"),
        "{}",
        failure.message
    );
}

#[test]
fn failed_save_restores_the_old_password_without_saving() {
    let mut answers = vec![entry(OLD), ok(204, ""), entry(NEW)];
    answers.extend((0..6).map(|_| ok(500, "")));
    answers.extend([ok(204, ""), entry(OLD)]);
    let o = run(answers);
    let failure = o.result.unwrap_err();
    assert_eq!(failure.state, DeviceState::Restored);
    assert!(
        failure.message.contains("old password was put back"),
        "{}",
        failure.message
    );
    assert_eq!(o.sent.iter().filter(|(m, _)| *m == Patch).count(), 2);
}

#[test]
fn save_with_lost_answers_restores_and_saves_again() {
    // A lost save answer may mean startup holds the new password: save the restored one.
    let mut answers = vec![entry(OLD), ok(204, ""), entry(NEW)];
    answers.extend((0..6).map(|_| lost()));
    answers.extend([ok(204, ""), entry(OLD), ok(200, SAVED)]);
    let o = run(answers);
    assert_eq!(o.result.unwrap_err().state, DeviceState::Restored);
}

#[test]
fn refused_save_restores_without_saving_again() {
    let refused = r#"{"errors": {"error": {"error-tag": "operation-not-supported"}}}"#;
    let o = run(vec![
        entry(OLD),
        ok(204, ""),
        entry(NEW),
        ok(400, refused),
        ok(204, ""),
        entry(OLD),
    ]);
    assert_eq!(o.result.as_ref().unwrap_err().state, DeviceState::Restored);
    assert_eq!(methods(&o.sent), [Get, Patch, Get, Post, Patch, Get]);
}

#[test]
fn wrong_stored_credential_after_change_is_rolled_back() {
    let o = run(vec![
        entry(OLD),
        ok(204, ""),
        entry("something-else"),
        ok(204, ""),
        entry(OLD),
    ]);
    let failure = o.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::UnexpectedResponse);
    assert_eq!(failure.state, DeviceState::Restored);
    assert!(
        failure.message.contains("not the new password"),
        "{}",
        failure.message
    );
}

#[test]
fn without_old_password_no_rollback_is_possible() {
    let mut answers = vec![entry(OLD), ok(204, ""), entry("something-else")];
    answers.truncate(3);
    let o = run_for(rotation_for("netops", None), answers);
    let failure = o.result.unwrap_err();
    assert_eq!(failure.state, DeviceState::ChangedUnsaved);
    assert!(
        failure.message.contains("no rollback was possible"),
        "{}",
        failure.message
    );
}

#[test]
fn self_rotation_authenticates_with_the_new_password_after_the_change() {
    let o = run_for(
        rotation_as("netops", "netops", Some(OLD)),
        vec![entry(OLD), ok(204, ""), entry(NEW), ok(200, SAVED)],
    );
    assert!(o.result.is_ok());
    assert_eq!(o.passwords, [NEW]);
}

#[test]
fn self_rotation_already_done_is_recognised_with_the_new_password() {
    let o = run_for(
        rotation_as("netops", "netops", Some(OLD)),
        vec![ok(401, ""), entry(NEW), ok(200, SAVED)],
    );
    assert_eq!(o.result.unwrap().verification, Verification::AlreadyCurrent);
    assert_eq!(o.passwords, [NEW]);
}

#[test]
fn unknown_state_change_with_secret_of_type_6_is_not_guessed() {
    let type6 = ok(
        200,
        r#"{"Cisco-IOS-XE-native:username": [{"name": "netops", "password": {"encryption": "6", "password": "X"}}]}"#,
    );
    let type6_again = ok(
        200,
        r#"{"Cisco-IOS-XE-native:username": [{"name": "netops", "password": {"encryption": "6", "password": "Y"}}]}"#,
    );
    let failure = run(vec![type6, lost(), type6_again]).result.unwrap_err();
    assert_eq!(failure.state, DeviceState::Unknown);
}

#[test]
fn type_6_is_reported_not_verifiable() {
    let t6 = |v: &str| {
        ok(200, &json!({"Cisco-IOS-XE-native:username": [{"name": "netops", "password": {"encryption": "6", "password": v}}]}).to_string())
    };
    let o = run(vec![t6("A"), ok(204, ""), t6("B"), ok(200, SAVED)]);
    assert_eq!(o.result.unwrap().verification, Verification::NotVerifiable);
}

#[test]
fn deadline_stops_retries() {
    let mut answers = vec![];
    answers.extend((0..6).map(|_| Err(TransportError::Connect("timed out".into()))));
    let mut t = Scripted {
        answers: answers.into(),
        sent: Vec::new(),
        passwords: Vec::new(),
    };
    let clock = FakeClock::default();
    let limits = Limits {
        deadline_ms: 2_000,
        ..LIMITS
    };
    let failure = rotate(&rotation_for("netops", Some(OLD)), limits, &mut t, &clock).unwrap_err();
    assert_eq!(failure.kind, FailureKind::Unreachable);
    assert!(
        clock.now_ms() <= 2_000,
        "slept past the deadline: {}",
        clock.now_ms()
    );
    assert!(t.sent.len() < 6);
}

#[test]
fn device_messages_echoing_a_secret_are_masked() {
    let error = r#"{"errors": {"error": {"error-tag": "invalid-value", "error-message": "bad value N3w-pw"}}}"#;
    let message = run(vec![entry(OLD), ok(400, error)])
        .result
        .unwrap_err()
        .message;
    assert!(
        !message.contains(NEW) && message.contains("********"),
        "{message}"
    );
}

#[test]
fn secret_user_is_changed_as_a_secret() {
    let secret = ok(
        200,
        r#"{"Cisco-IOS-XE-native:username": [{"name": "netops", "secret": {"encryption": "9", "secret": "$9$2MJBozw/9R3UsU$2lFhcKvpghcyw8deP25GOfyZaagyUOGBymkryvOdfo6"}}]}"#,
    );
    let o = run(vec![secret, ok(400, "")]);
    assert!(o.result.is_err());
    assert_eq!(o.sent[1].0, Patch);
}
