//! Turns how a run ended into the run's log, its one final line (or one JSON object) and
//! its exit code.
//!
//! Exit codes (also in the README):
//! - 0: the device holds the new password in running and startup configuration (a check:
//!   ready to rotate);
//! - 1: failed, and the device holds the old password (unchanged or restored): safe to
//!   retry (a check: not ready);
//! - 2: refused before contacting the device (bad payload, flags or component);
//! - 3: failed, and the device does not hold the old password, or its state is unknown:
//!   an admin must look.

use crate::bindings::{
    CheckReport, CredentialKind, DeviceState, Failure, FailureKind, Report, Step, Verification,
};
use crate::log::Log;
use crate::sandbox::{Answer, SandboxError};
use crate::transport::TransportFacts;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub const SUCCESS: u8 = 0;
pub const FAILED_UNCHANGED: u8 = 1;
pub const BAD_INPUT: u8 = 2;
pub const FAILED_NEEDS_ATTENTION: u8 = 3;

/// How to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Step lines and a final line.
    Text,
    /// The final line only.
    Quiet,
    /// One JSON object on stdout (the error line still goes to stderr).
    Json,
}

/// What the runner knows besides the component's answer.
pub struct Context<'a> {
    /// `rotation` or `check`, for the final line.
    pub what: &'static str,
    pub device: &'a str,
    /// How the device certificate was to be trusted.
    pub trust: &'a str,
    /// SHA-256 of the certificate the device presented, if a handshake got that far.
    pub fingerprint: Option<&'a str>,
    pub facts: &'a TransportFacts,
    pub log: &'a Log,
    pub mode: Mode,
}

pub fn finish(result: Result<Answer, SandboxError>, cx: &Context) -> ExitCode {
    let (code, summary) = match result {
        Ok(Answer::Rotate(Ok(report))) => rotated(&report, cx),
        Ok(Answer::Check(Ok(report))) => checked(&report, cx),
        Ok(Answer::Rotate(Err(failure)) | Answer::Check(Err(failure))) => failed(&failure, cx),
        Err(error) => trapped(&error, cx),
    };
    if cx.mode == Mode::Json {
        let mut summary = summary;
        summary["device"] = json!(cx.device);
        summary["exit_code"] = json!(code);
        if let Some(fp) = cx.fingerprint {
            summary["tls_fingerprint"] = json!(fp);
        }
        println!("{}", cx.log.redact(&summary.to_string()));
    }
    ExitCode::from(code)
}

fn rotated(report: &Report, cx: &Context) -> (u8, Value) {
    print_steps(&report.steps, cx);
    let kind = kind_name(report.credential_kind);
    let json = json!({
        "command": "rotate", "ok": report.state == DeviceState::ChangedSaved,
        "user": report.user, "credential_kind": kind, "state": state_name(report.state),
        "stored_encryption": report.stored_encryption,
        "verification": verification_name(report.verification),
        "steps": steps_json(&report.steps),
    });
    if report.state != DeviceState::ChangedSaved {
        // A component must not claim success for anything less.
        cx.log.error(&format!(
            "the component reported success for user '{}' on {} but {}",
            report.user,
            cx.device,
            state_sentence(report.state)
        ));
        return (FAILED_NEEDS_ATTENTION, json);
    }
    let how = match report.verification {
        Verification::Verified => format!(
            "stored as type {}, verified to be the new password",
            report.stored_encryption
        ),
        Verification::NotVerifiable => format!(
            "stored as type {}, which only the device can check",
            report.stored_encryption
        ),
        Verification::AlreadyCurrent => "the device already held it; configuration saved".into(),
    };
    if cx.mode != Mode::Json {
        cx.log.info(&format!(
            "rotated the {kind} of user '{}' on {} ({how}): {}",
            report.user,
            cx.device,
            state_sentence(report.state)
        ));
    }
    (SUCCESS, json)
}

fn checked(report: &CheckReport, cx: &Context) -> (u8, Value) {
    if let (Some(fp), Mode::Text) = (cx.fingerprint, cx.mode) {
        cx.log.info(&format!(
            "tls        device certificate SHA-256 {fp}, trusted by {}",
            cx.trust
        ));
    }
    print_steps(&report.steps, cx);
    let stored = if report.stored_encryption.is_empty() {
        "no password or secret".to_string()
    } else {
        format!(
            "{} type {}",
            kind_name(report.credential_kind),
            report.stored_encryption
        )
    };
    let privilege = report
        .privilege
        .map_or(String::new(), |p| format!(", privilege {p}"));
    if cx.mode != Mode::Json {
        cx.log.info(&format!(
            "ready: the admin login works on {}; user '{}' exists ({stored}{privilege}); {}",
            cx.device, report.user, report.plan
        ));
    }
    let json = json!({
        "command": "check", "ok": true, "ready": true, "user": report.user,
        "credential_kind": kind_name(report.credential_kind),
        "stored_encryption": report.stored_encryption, "privilege": report.privilege,
        "already_current": report.already_current, "verifiable": report.verifiable,
        "plan": report.plan, "tls_trust": cx.trust, "steps": steps_json(&report.steps),
    });
    (SUCCESS, json)
}

fn failed(failure: &Failure, cx: &Context) -> (u8, Value) {
    print_steps(&failure.steps, cx);
    let notes: Vec<String> = cx.facts.notes.lock().map(|n| n.clone()).unwrap_or_default();
    let notes_text = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    cx.log.error(&format!(
        "{} on {} failed: {}{notes_text}; {}",
        cx.what,
        cx.device,
        failure.message,
        state_sentence(failure.state)
    ));
    let code = match (failure.kind, failure.state) {
        (FailureKind::BadPayload, _) => BAD_INPUT,
        (_, DeviceState::Unchanged | DeviceState::Restored) => FAILED_UNCHANGED,
        _ => FAILED_NEEDS_ATTENTION,
    };
    let json = json!({
        "ok": false, "kind": failure_name(failure.kind), "message": failure.message,
        "state": state_name(failure.state), "notes": notes, "steps": steps_json(&failure.steps),
    });
    (code, json)
}

fn trapped(error: &SandboxError, cx: &Context) -> (u8, Value) {
    // The runner cannot see RESTCONF, but it knows whether anything but a read reached
    // the device.
    let state = match cx.facts.unsafe_requests.load(Ordering::SeqCst) {
        0 => DeviceState::Unchanged,
        _ => DeviceState::Unknown,
    };
    cx.log.error(&format!(
        "{} on {} failed: {error}; {}",
        cx.what,
        cx.device,
        state_sentence(state)
    ));
    let code = match (error, state) {
        // A component the sandbox cannot link never ran: bad input, like a bad payload.
        (SandboxError::Instantiate(_), _) => BAD_INPUT,
        (_, DeviceState::Unchanged) => FAILED_UNCHANGED,
        _ => FAILED_NEEDS_ATTENTION,
    };
    let json = json!({
        "ok": false, "kind": "sandbox", "message": error.to_string(), "state": state_name(state),
    });
    (code, json)
}

fn print_steps(steps: &[Step], cx: &Context) {
    if cx.mode != Mode::Text {
        return;
    }
    for step in steps {
        cx.log.info(&format!(
            "{:<10} {} ({} ms)",
            step.name, step.detail, step.elapsed_ms
        ));
    }
}

fn steps_json(steps: &[Step]) -> Value {
    steps
        .iter()
        .map(|s| json!({"name": s.name, "detail": s.detail, "elapsed_ms": s.elapsed_ms}))
        .collect()
}

fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Password => "password",
        CredentialKind::Secret => "secret",
    }
}

fn verification_name(v: Verification) -> &'static str {
    match v {
        Verification::Verified => "verified",
        Verification::NotVerifiable => "not-verifiable",
        Verification::AlreadyCurrent => "already-current",
    }
}

fn state_name(state: DeviceState) -> &'static str {
    match state {
        DeviceState::Unchanged => "unchanged",
        DeviceState::ChangedUnsaved => "changed-unsaved",
        DeviceState::ChangedSaved => "changed-saved",
        DeviceState::Restored => "restored",
        DeviceState::Unknown => "unknown",
    }
}

fn failure_name(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::BadPayload => "bad-payload",
        FailureKind::Unreachable => "unreachable",
        FailureKind::Tls => "tls",
        FailureKind::Denied => "denied",
        FailureKind::Unauthorized => "unauthorized",
        FailureKind::UserNotFound => "user-not-found",
        FailureKind::DeviceRefused => "device-refused",
        FailureKind::DeviceError => "device-error",
        FailureKind::UnexpectedResponse => "unexpected-response",
    }
}

/// What the device holds, in words a Keeper admin acts on.
pub fn state_sentence(state: DeviceState) -> &'static str {
    match state {
        DeviceState::Unchanged => "the device was not changed and still holds the old password",
        DeviceState::ChangedUnsaved => {
            "the device's running configuration holds the NEW password but its startup configuration does not (a reload would bring the old one back)"
        }
        DeviceState::ChangedSaved => "running and startup configuration hold the new password",
        DeviceState::Restored => "the old password was restored on the device",
        DeviceState::Unknown => {
            "the device's state is unknown (it may hold the new password): check it before retrying"
        }
    }
}
