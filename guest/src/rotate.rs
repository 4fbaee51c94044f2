//! The rotation itself: read the user, change its credential, save. Plain Rust over the
//! [`Transport`] trait, tested natively with a scripted transport.

use crate::model::{CredentialKind, DeviceState, Failure, FailureKind, Report, Step};
use crate::restconf::{self, UserEntry};
use crate::transport::{Clock, Method, Request, Response, Transport, TransportError};
use payload::{ExposeSecret, Rotation};

/// Rotates `rotation.user` on the device behind `transport`.
pub fn rotate(
    rotation: &Rotation,
    transport: &mut impl Transport,
    clock: &impl Clock,
) -> Result<Report, Failure> {
    let mut run = Run {
        transport,
        clock,
        steps: Vec::new(),
        state: DeviceState::Unchanged,
        secrets: rotation.secrets().map(str::to_string).collect(),
    };
    let user = rotation.user.as_str();

    let response = run.send("read-user", &restconf::list_users())?;
    let entry = restconf::find_user(&response.body, user)
        .map_err(|e| run.fail(FailureKind::UnexpectedResponse, e))?
        .ok_or_else(|| {
            run.fail(
                FailureKind::UserNotFound,
                format!(
                    "user '{user}' does not exist on the device; it was not created (check the PAM user's login)"
                ),
            )
        })?;
    run.detail(describe(&entry));
    // A user without any credential gets a secret: the device stores it hashed.
    let kind = entry
        .credential
        .as_ref()
        .map_or(CredentialKind::Secret, |c| c.kind);

    let change = restconf::change_credential(user, kind, rotation.new_password.expose_secret());
    run.send("change", &change)?;
    run.state = DeviceState::ChangedUnsaved;
    run.detail(format!(
        "{} of '{user}' changed in running-config",
        kind_name(kind)
    ));

    let response = run.send("save", &restconf::save_config())?;
    let result = restconf::save_result(&response.body)
        .map_err(|e| run.fail(FailureKind::UnexpectedResponse, e))?;
    run.state = DeviceState::ChangedSaved;
    run.detail(format!("startup-config saved: {result}"));

    Ok(Report {
        user: user.to_string(),
        credential_kind: kind,
        state: run.state,
        steps: run.steps,
    })
}

struct Run<'a, T, C> {
    transport: &'a mut T,
    clock: &'a C,
    steps: Vec<Step>,
    state: DeviceState,
    secrets: Vec<String>,
}

impl<T: Transport, C: Clock> Run<'_, T, C> {
    /// Sends `request` as step `name`; anything but a 2xx answer is a failure that
    /// carries the device state as it stands.
    fn send(&mut self, name: &'static str, request: &Request) -> Result<Response, Failure> {
        let start = self.clock.now_ms();
        let result = self.transport.send(request);
        let elapsed_ms =
            u32::try_from(self.clock.now_ms().saturating_sub(start)).unwrap_or(u32::MAX);
        let detail = match &result {
            Ok(response) => format!("HTTP {}", response.status),
            Err(error) => format!("no answer ({error})"),
        };
        self.steps.push(Step {
            name,
            detail,
            elapsed_ms,
        });
        let response = result.map_err(|error| self.transport_failure(name, request, error))?;
        match response.status {
            200..=299 => Ok(response),
            status => Err(self.status_failure(name, status, &response.body)),
        }
    }

    fn transport_failure(
        &mut self,
        step: &str,
        request: &Request,
        error: TransportError,
    ) -> Failure {
        let (kind, message) = match error {
            TransportError::Denied => (
                FailureKind::Denied,
                format!("the runner refused the {step} request (egress policy)"),
            ),
            TransportError::Tls(e) => {
                (FailureKind::Tls, format!("TLS with the device failed: {e}"))
            }
            TransportError::Connect(e) => (
                FailureKind::Unreachable,
                format!("the device could not be reached: {e}"),
            ),
            TransportError::Lost(e) => {
                // A change may have been applied even though its answer was lost.
                if request.method != Method::Get {
                    self.state = DeviceState::Unknown;
                }
                (
                    FailureKind::Unreachable,
                    format!("the device stopped answering during the {step} request: {e}"),
                )
            }
        };
        self.fail(kind, message)
    }

    fn status_failure(&self, step: &str, status: u16, body: &[u8]) -> Failure {
        let device = restconf::device_error(body)
            .map(|e| match (e.tag.is_empty(), e.message.is_empty()) {
                (false, false) => format!(" {}: {}", e.tag, e.message),
                (false, true) => format!(" {}", e.tag),
                (true, false) => format!(": {}", e.message),
                (true, true) => String::new(),
            })
            .unwrap_or_default();
        let (kind, message) = match status {
            401 | 403 => (
                FailureKind::Unauthorized,
                format!(
                    "the device refused the admin credentials at the {step} step (HTTP {status}{device}): check the admin record's login and password, and that the account has privilege 15"
                ),
            ),
            400..=499 => (
                FailureKind::DeviceRefused,
                format!("the device refused the {step} request (HTTP {status}{device})"),
            ),
            500..=599 => (
                FailureKind::DeviceError,
                format!("the device failed the {step} request (HTTP {status}{device})"),
            ),
            _ => (
                FailureKind::UnexpectedResponse,
                format!("the device answered the {step} request with HTTP {status}{device}"),
            ),
        };
        self.fail(kind, message)
    }

    /// Replaces the last step's detail (after its answer was understood).
    fn detail(&mut self, detail: String) {
        if let Some(step) = self.steps.last_mut() {
            step.detail = detail;
        }
    }

    /// A failure in the current state, with every payload secret masked out of the
    /// message (a device could echo a value back in an error message).
    fn fail(&self, kind: FailureKind, message: String) -> Failure {
        Failure {
            kind,
            message: redact(message, &self.secrets),
            state: self.state,
            steps: self.steps.clone(),
        }
    }
}

fn kind_name(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Password => "password",
        CredentialKind::Secret => "secret",
    }
}

fn describe(entry: &UserEntry) -> String {
    let credential = match &entry.credential {
        Some(c) => format!("{} type {}", kind_name(c.kind), c.encryption),
        None => "no password or secret".to_string(),
    };
    match entry.privilege {
        Some(p) => format!("user '{}' found: {credential}, privilege {p}", entry.name),
        None => format!("user '{}' found: {credential}", entry.name),
    }
}

/// Masks every occurrence of a secret in `text`.
pub fn redact(mut text: String, secrets: &[String]) -> String {
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        if text.contains(secret.as_str()) {
            text = text.replace(secret.as_str(), "********");
        }
    }
    text
}

#[cfg(test)]
mod tests;
