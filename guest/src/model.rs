//! Plain Rust mirrors of the WIT report and failure, so the rotation logic is tested
//! natively. `lib.rs` converts them to the generated bindings at the edge.

/// See `credential-kind` in `wit/rotation.wit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    Password,
    Secret,
}

/// See `device-state` in `wit/rotation.wit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceState {
    Unchanged,
    ChangedUnsaved,
    ChangedSaved,
    Restored,
    Unknown,
}

/// See `failure-kind` in `wit/rotation.wit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    BadPayload,
    Unreachable,
    Tls,
    Denied,
    Unauthorized,
    UserNotFound,
    DeviceRefused,
    DeviceError,
    UnexpectedResponse,
}

/// See `verification` in `wit/rotation.wit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    Verified,
    NotVerifiable,
    AlreadyCurrent,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    pub detail: String,
    pub elapsed_ms: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub user: String,
    pub credential_kind: CredentialKind,
    pub state: DeviceState,
    pub stored_encryption: String,
    pub verification: Verification,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    pub state: DeviceState,
    pub steps: Vec<Step>,
}

/// See `check-report` in `wit/rotation.wit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    pub user: String,
    pub credential_kind: CredentialKind,
    pub stored_encryption: String,
    pub privilege: Option<u8>,
    pub already_current: bool,
    pub verifiable: bool,
    pub plan: String,
    pub steps: Vec<Step>,
}
