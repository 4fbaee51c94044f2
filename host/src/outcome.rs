//! Turns how a run ended into the run's log, its one final line and its exit code.
//!
//! Exit codes (also in the README):
//! - 0: the device holds the new password in running and startup configuration;
//! - 1: failed, and the device holds the old password (unchanged or restored): safe to retry;
//! - 2: refused before contacting the device (bad payload, flags or component);
//! - 3: failed, and the device does not hold the old password, or its state is unknown:
//!   an admin must look.

use crate::bindings::{
    CredentialKind, DeviceState, Failure, FailureKind, Report, Step, Verification,
};
use crate::log::Log;
use crate::sandbox::SandboxError;
use crate::transport::TransportFacts;
use std::process::ExitCode;
use std::sync::atomic::Ordering;

pub const SUCCESS: u8 = 0;
pub const FAILED_UNCHANGED: u8 = 1;
pub const BAD_INPUT: u8 = 2;
pub const FAILED_NEEDS_ATTENTION: u8 = 3;

/// Prints the steps and the final line of a run against `device`.
pub fn finish(
    result: Result<Result<Report, Failure>, SandboxError>,
    facts: &TransportFacts,
    device: &str,
    log: &Log,
) -> ExitCode {
    match result {
        Ok(Ok(report)) => {
            print_steps(&report.steps, log);
            let kind = match report.credential_kind {
                CredentialKind::Password => "password",
                CredentialKind::Secret => "secret",
            };
            if report.state != DeviceState::ChangedSaved {
                // A component must not claim success for anything less.
                log.error(&format!(
                    "the component reported success for user '{}' on {device} but {}",
                    report.user,
                    state_sentence(report.state)
                ));
                return ExitCode::from(FAILED_NEEDS_ATTENTION);
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
                Verification::AlreadyCurrent => {
                    "the device already held it; configuration saved".to_string()
                }
            };
            log.info(&format!(
                "rotated the {kind} of user '{}' on {device} ({how}): {}",
                report.user,
                state_sentence(report.state)
            ));
            ExitCode::from(SUCCESS)
        }
        Ok(Err(failure)) => {
            print_steps(&failure.steps, log);
            let notes = facts.notes.lock().map(|n| n.join("; ")).unwrap_or_default();
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({notes})")
            };
            log.error(&format!(
                "rotation on {device} failed: {}{notes}; {}",
                failure.message,
                state_sentence(failure.state)
            ));
            ExitCode::from(match (failure.kind, failure.state) {
                (FailureKind::BadPayload, _) => BAD_INPUT,
                (_, DeviceState::Unchanged | DeviceState::Restored) => FAILED_UNCHANGED,
                _ => FAILED_NEEDS_ATTENTION,
            })
        }
        Err(error) => {
            // The runner cannot see RESTCONF, but it knows whether anything but a read
            // reached the device.
            let state = match facts.unsafe_requests.load(Ordering::SeqCst) {
                0 => DeviceState::Unchanged,
                _ => DeviceState::Unknown,
            };
            log.error(&format!(
                "rotation on {device} failed: {error}; {}",
                state_sentence(state)
            ));
            ExitCode::from(match state {
                DeviceState::Unchanged => FAILED_UNCHANGED,
                _ => FAILED_NEEDS_ATTENTION,
            })
        }
    }
}

fn print_steps(steps: &[Step], log: &Log) {
    for step in steps {
        log.info(&format!(
            "{:<10} {} ({} ms)",
            step.name, step.detail, step.elapsed_ms
        ));
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
