//! The component's export: converts between the generated WIT types and our plain
//! types, and wires the rotation to the wasi:http transport.

use crate::bindings::exports::keeper::iosxe_rotate::rotation as wit;
use crate::bindings::wasi::clocks::monotonic_clock;
use crate::model::{
    CheckReport, CredentialKind, DeviceState, Failure, FailureKind, Report, Step, Verification,
};
use crate::rotate::Limits;
use crate::transport::Clock;
use crate::wasi_http::WasiHttp;

struct Component;

impl wit::Guest for Component {
    fn rotate(payload: String, settings: wit::Settings) -> Result<wit::Report, wit::Failure> {
        let (rotation, limits) = prepare(&payload, &settings)?;
        let mut transport = WasiHttp::new(&rotation, settings.connect_timeout_ms.into());
        crate::rotate::rotate(&rotation, limits, &mut transport, &MonotonicClock)
            .map(Into::into)
            .map_err(Into::into)
    }

    fn check(payload: String, settings: wit::Settings) -> Result<wit::CheckReport, wit::Failure> {
        let (rotation, limits) = prepare(&payload, &settings)?;
        let mut transport = WasiHttp::new(&rotation, settings.connect_timeout_ms.into());
        crate::rotate::check(&rotation, limits, &mut transport, &MonotonicClock)
            .map(Into::into)
            .map_err(Into::into)
    }
}

/// Parses the payload and the runner's limits.
fn prepare(
    payload: &str,
    settings: &wit::Settings,
) -> Result<(payload::Rotation, Limits), wit::Failure> {
    let rotation = payload::parse(payload, &settings.auth_record_title).map_err(|e| {
        wit::Failure::from(Failure {
            kind: FailureKind::BadPayload,
            message: e.to_string(),
            state: DeviceState::Unchanged,
            steps: Vec::new(),
        })
    })?;
    let limits = Limits {
        deadline_ms: settings.deadline_ms.into(),
        request_timeout_ms: settings.request_timeout_ms.into(),
        backoff_ms: settings.backoff_ms.into(),
    };
    Ok((rotation, limits))
}

impl From<CheckReport> for wit::CheckReport {
    fn from(c: CheckReport) -> Self {
        wit::CheckReport {
            user: c.user,
            credential_kind: c.credential_kind.into(),
            stored_encryption: c.stored_encryption,
            privilege: c.privilege,
            already_current: c.already_current,
            verifiable: c.verifiable,
            plan: c.plan,
            steps: c.steps.into_iter().map(Into::into).collect(),
        }
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);

struct MonotonicClock;

impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        monotonic_clock::now() / 1_000_000
    }

    fn sleep_ms(&self, ms: u64) {
        monotonic_clock::subscribe_duration(ms.saturating_mul(1_000_000)).block();
    }
}

impl From<Report> for wit::Report {
    fn from(r: Report) -> Self {
        wit::Report {
            user: r.user,
            credential_kind: r.credential_kind.into(),
            state: r.state.into(),
            stored_encryption: r.stored_encryption,
            verification: r.verification.into(),
            steps: r.steps.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<Verification> for wit::Verification {
    fn from(v: Verification) -> Self {
        match v {
            Verification::Verified => wit::Verification::Verified,
            Verification::NotVerifiable => wit::Verification::NotVerifiable,
            Verification::AlreadyCurrent => wit::Verification::AlreadyCurrent,
        }
    }
}

impl From<Failure> for wit::Failure {
    fn from(f: Failure) -> Self {
        wit::Failure {
            kind: f.kind.into(),
            message: f.message,
            state: f.state.into(),
            steps: f.steps.into_iter().map(Into::into).collect(),
        }
    }
}

impl From<Step> for wit::Step {
    fn from(s: Step) -> Self {
        wit::Step {
            name: s.name.to_string(),
            detail: s.detail,
            elapsed_ms: s.elapsed_ms,
        }
    }
}

impl From<CredentialKind> for wit::CredentialKind {
    fn from(k: CredentialKind) -> Self {
        match k {
            CredentialKind::Password => wit::CredentialKind::Password,
            CredentialKind::Secret => wit::CredentialKind::Secret,
        }
    }
}

impl From<DeviceState> for wit::DeviceState {
    fn from(s: DeviceState) -> Self {
        match s {
            DeviceState::Unchanged => wit::DeviceState::Unchanged,
            DeviceState::ChangedUnsaved => wit::DeviceState::ChangedUnsaved,
            DeviceState::ChangedSaved => wit::DeviceState::ChangedSaved,
            DeviceState::Restored => wit::DeviceState::Restored,
            DeviceState::Unknown => wit::DeviceState::Unknown,
        }
    }
}

impl From<FailureKind> for wit::FailureKind {
    fn from(k: FailureKind) -> Self {
        match k {
            FailureKind::BadPayload => wit::FailureKind::BadPayload,
            FailureKind::Unreachable => wit::FailureKind::Unreachable,
            FailureKind::Tls => wit::FailureKind::Tls,
            FailureKind::Denied => wit::FailureKind::Denied,
            FailureKind::Unauthorized => wit::FailureKind::Unauthorized,
            FailureKind::UserNotFound => wit::FailureKind::UserNotFound,
            FailureKind::DeviceRefused => wit::FailureKind::DeviceRefused,
            FailureKind::DeviceError => wit::FailureKind::DeviceError,
            FailureKind::UnexpectedResponse => wit::FailureKind::UnexpectedResponse,
        }
    }
}
