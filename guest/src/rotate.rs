//! The rotation and its promise: exit 0 only when running and startup configuration hold
//! the new password; otherwise the device holds the old one (restored if we had changed
//! it), or the failure says the state is unknown and what was last seen.
//!
//! Order: read the user -> (already the new password? save and stop) -> change the
//! credential of the kind the user has -> read it back and verify it -> save. A failure
//! after the change restores `oldPassword`. Transient answers (409 lock-denied/in-use,
//! 5xx, lost connections) are retried with exponential back-off inside the deadline; a
//! change whose answer was lost is resolved by reading the user again before anything
//! else. Plain Rust over [`Transport`] and [`Clock`], tested natively.

use crate::model::{
    CheckReport, CredentialKind, DeviceState, Failure, FailureKind, Report, Step, Verification,
};
use crate::restconf::{self, StoredCredential, UserEntry};
use crate::transport::{Clock, Method, Request, Response, Transport, TransportError};
use crate::verify::{self, Check};
use payload::{ExposeSecret, Rotation};

/// Time budget of a rotation.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Overall deadline, from the start of the rotation.
    pub deadline_ms: u64,
    /// Longest wait for one answer.
    pub request_timeout_ms: u64,
    /// First back-off; it doubles on each retry, up to [`MAX_BACKOFF_MS`].
    pub backoff_ms: u64,
}

const MAX_BACKOFF_MS: u64 = 8_000;
const MAX_ATTEMPTS: u32 = 6;

/// Rotates `rotation.user` on the device behind `transport`.
pub fn rotate(
    rotation: &Rotation,
    limits: Limits,
    transport: &mut impl Transport,
    clock: &impl Clock,
) -> Result<Report, Failure> {
    let mut run = Run::new(rotation, limits, transport, clock);
    let user = rotation.user.as_str();
    let new = rotation.new_password.expose_secret();
    let self_rotation = user == rotation.admin_login;
    let (entry, kind, already_current) = run.first_read(rotation)?;

    // Keeper's rerun with swapped passwords, or a retry after a run that changed but
    // could not report: the device already holds the target password.
    if let Some(stored) = entry.credential.as_ref().filter(|_| already_current) {
        run.state = DeviceState::ChangedUnsaved;
        run.save().map_err(|f| {
            run.fail(
                f.kind,
                format!("{} (the device already held the new password)", f.message),
            )
        })?;
        run.state = DeviceState::ChangedSaved;
        return Ok(run.report(user, kind, stored, Verification::AlreadyCurrent));
    }

    run.change("change", user, kind, new, self_rotation)?;
    let (stored, verification) = match run.verify(user, new, self_rotation) {
        Ok(result) => result,
        Err(failure) => return Err(run.roll_back(rotation, kind, failure, false)),
    };
    if let Err(failure) = run.save() {
        // A save the device answered with an error left startup alone; one whose answer
        // was lost may have copied the new password there: save again after restoring.
        let save_may_have_applied = run.save_answer_lost;
        return Err(run.roll_back(rotation, kind, failure, save_may_have_applied));
    }
    run.state = DeviceState::ChangedSaved;
    Ok(run.report(user, kind, &stored, verification))
}

/// Dry run: reads the user (GET only) and says what [`rotate`] would do.
pub fn check(
    rotation: &Rotation,
    limits: Limits,
    transport: &mut impl Transport,
    clock: &impl Clock,
) -> Result<CheckReport, Failure> {
    let mut run = Run::new(rotation, limits, transport, clock);
    let user = rotation.user.as_str();
    let (entry, kind, already_current) = run.first_read(rotation)?;
    let encryption = entry
        .credential
        .as_ref()
        .map(|c| c.encryption.clone())
        .unwrap_or_default();
    // Whatever the device stores after the change: a secret is re-hashed (type 9 on
    // current releases, verifiable); a password keeps the device's storage type.
    let verifiable = match kind {
        CredentialKind::Secret => true,
        CredentialKind::Password => encryption != "6",
    };
    let plan = if already_current {
        format!(
            "the device already holds the new password for '{user}': a rotation would only save the configuration"
        )
    } else {
        format!(
            "a rotation would change the {} of '{user}' with a merge PATCH (nothing else of the user), read it back and {}, then save the configuration{}",
            kind_name(kind),
            if verifiable {
                "verify it"
            } else {
                "accept it unverified (type 6 can only be checked by the device)"
            },
            if rotation.old_password.is_some() {
                "; a failure after the change would restore oldPassword"
            } else {
                "; the payload has no oldPassword, so a failure after the change could not be rolled back"
            },
        )
    };
    Ok(CheckReport {
        user: user.to_string(),
        credential_kind: kind,
        stored_encryption: encryption,
        privilege: entry.privilege,
        already_current,
        verifiable,
        plan,
        steps: std::mem::take(&mut run.steps),
    })
}

struct Run<'a, T, C> {
    transport: &'a mut T,
    clock: &'a C,
    limits: Limits,
    start_ms: u64,
    steps: Vec<Step>,
    state: DeviceState,
    /// The rotation, for the secrets to mask out of failure messages.
    rotation: &'a Rotation,
    /// What the last read of the user showed, for "state unknown" failures.
    last_seen: String,
    /// A save-config was sent and its answer lost: startup may hold what running held.
    save_answer_lost: bool,
}

/// How one request ended, once transport errors and statuses are sorted.
enum Outcome {
    Ok(Response),
    /// Worth another try: the request did not apply (409, connection not made).
    Transient(FailureKind, String),
    /// The request may or may not have applied (5xx, answer lost).
    Ambiguous(FailureKind, String),
    /// Retrying will not help.
    Fatal(FailureKind, String),
}

impl<'a, T: Transport, C: Clock> Run<'a, T, C> {
    fn new(rotation: &'a Rotation, limits: Limits, transport: &'a mut T, clock: &'a C) -> Self {
        Run {
            transport,
            clock,
            limits,
            start_ms: clock.now_ms(),
            steps: Vec::new(),
            state: DeviceState::Unchanged,
            rotation,
            last_seen: String::new(),
            save_answer_lost: false,
        }
    }

    fn report(
        &mut self,
        user: &str,
        kind: CredentialKind,
        stored: &StoredCredential,
        verification: Verification,
    ) -> Report {
        Report {
            user: user.to_string(),
            credential_kind: kind,
            state: self.state,
            stored_encryption: stored.encryption.clone(),
            verification,
            steps: std::mem::take(&mut self.steps),
        }
    }

    /// The first read of a run: the user's entry, the kind a rotation changes (a user
    /// without credential gets a secret: the device stores it hashed), and whether the
    /// device already holds the new password.
    fn first_read(
        &mut self,
        rotation: &Rotation,
    ) -> Result<(UserEntry, CredentialKind, bool), Failure> {
        let new = rotation.new_password.expose_secret();
        let self_rotation = rotation.user == rotation.admin_login;
        let entry = self.read_user("read-user", &rotation.user, self_rotation.then_some(new))?;
        let kind = entry
            .credential
            .as_ref()
            .map_or(CredentialKind::Secret, |c| c.kind);
        let already_current = entry
            .credential
            .as_ref()
            .is_some_and(|c| verify::check(&c.encryption, &c.value, new) == Check::Matches);
        Ok((entry, kind, already_current))
    }

    /// Reads the user's entry (retrying transient failures). Absent: `UserNotFound`.
    /// `self_password`: for a self-rotation, the new password to try when the admin
    /// password is refused (a previous run may have changed it already).
    fn read_user(
        &mut self,
        step: &'static str,
        user: &str,
        self_password: Option<&str>,
    ) -> Result<UserEntry, Failure> {
        let request = restconf::get_user(user);
        let response = match (self.retrying(step, &request, true), self_password) {
            (Ok(response), _) => response,
            (Err(f), Some(password)) if f.kind == FailureKind::Unauthorized => {
                self.transport.use_password(password);
                self.retrying(step, &request, true).map_err(|_| f)?
            }
            (Err(f), _) => return Err(f),
        };
        let response = if response.status == 404 {
            // The device says the entry does not exist: confirm on the whole list, then
            // stop before anything could create the user.
            self.retrying("list-users", &restconf::list_users(), false)?
        } else {
            response
        };
        match restconf::find_user(&response.body, user) {
            Ok(Some(entry)) => Ok(self.seen(entry)),
            Ok(None) => Err(self.fail(
                FailureKind::UserNotFound,
                format!("user '{user}' does not exist on the device; it was not created (check the PAM user's login)"),
            )),
            Err(e) => Err(self.fail(FailureKind::UnexpectedResponse, e)),
        }
    }

    /// Records what a read showed and puts it in the last step's detail.
    fn seen(&mut self, entry: UserEntry) -> UserEntry {
        self.last_seen = describe(&entry);
        self.detail(self.last_seen.clone());
        entry
    }

    /// Sends the change; a lost or failed answer is resolved by reading the user again.
    fn change(
        &mut self,
        step: &'static str,
        user: &str,
        kind: CredentialKind,
        password: &str,
        self_rotation: bool,
    ) -> Result<(), Failure> {
        let request = restconf::change_credential(user, kind, password);
        let before = self.state;
        let mut backoff = self.limits.backoff_ms;
        for attempt in 1..=MAX_ATTEMPTS {
            match self.attempt(step, &request, false) {
                Outcome::Ok(_) => {
                    self.state = DeviceState::ChangedUnsaved;
                    if self_rotation {
                        self.transport.use_password(password);
                    }
                    self.detail(format!(
                        "{} of '{user}' changed in running-config",
                        kind_name(kind)
                    ));
                    return Ok(());
                }
                Outcome::Fatal(kind, message) => return Err(self.fail(kind, message)),
                Outcome::Transient(kind, why) => {
                    self.back_off(attempt, &mut backoff, kind, &why)?
                }
                Outcome::Ambiguous(failure, why) => {
                    // Did it apply? Ask the device before anything else.
                    self.state = DeviceState::Unknown;
                    let entry = self.reread(user, password, self_rotation).map_err(|f| {
                        self.fail(
                            f.kind,
                            format!("{why}, and the user could not be read again: {}", f.message),
                        )
                    })?;
                    match entry
                        .credential
                        .as_ref()
                        .map(|c| verify::check(&c.encryption, &c.value, password))
                    {
                        Some(Check::Matches) => {
                            self.state = DeviceState::ChangedUnsaved;
                            return Ok(());
                        }
                        Some(Check::Differs) | None => {
                            self.state = before;
                            self.back_off(attempt, &mut backoff, failure, &why)?;
                        }
                        Some(Check::Unverifiable) => {
                            return Err(self.fail(
                                FailureKind::Unreachable,
                                format!("{why}, and the stored type-6 credential cannot tell whether the change applied"),
                            ));
                        }
                    }
                }
            }
        }
        Err(self.fail(
            FailureKind::Unreachable,
            format!("the {step} did not succeed in {MAX_ATTEMPTS} attempts"),
        ))
    }

    /// Reads the user after an ambiguous change. For a self-rotation the credentials in
    /// use are those of the state we believe in; try the other password on a 401.
    fn reread(
        &mut self,
        user: &str,
        password: &str,
        self_rotation: bool,
    ) -> Result<UserEntry, Failure> {
        match self.read_user("read-back", user, None) {
            Err(f) if self_rotation && f.kind == FailureKind::Unauthorized => {
                self.transport.use_password(password);
                self.read_user("read-back", user, None)
            }
            other => other,
        }
    }

    /// Reads the user back and proves the stored credential is `password`.
    fn verify(
        &mut self,
        user: &str,
        password: &str,
        self_rotation: bool,
    ) -> Result<(StoredCredential, Verification), Failure> {
        let entry = self.reread(user, password, self_rotation)?;
        let Some(stored) = entry.credential else {
            return Err(self.fail(
                FailureKind::UnexpectedResponse,
                format!("user '{user}' has no credential after the change"),
            ));
        };
        let start = self.clock.now_ms();
        let check = verify::check(&stored.encryption, &stored.value, password);
        let took = self.clock.now_ms().saturating_sub(start);
        let (detail, verification) = match check {
            Check::Matches => (
                format!(
                    "stored {} type {} is the new password",
                    kind_name(stored.kind),
                    stored.encryption
                ),
                Verification::Verified,
            ),
            Check::Unverifiable => (
                format!(
                    "stored {} type {} cannot be checked off the device; the device accepted the change",
                    kind_name(stored.kind),
                    stored.encryption
                ),
                Verification::NotVerifiable,
            ),
            Check::Differs => {
                return Err(self.fail(
                    FailureKind::UnexpectedResponse,
                    format!("the device accepted the change but stores a {} type {} that is not the new password", kind_name(stored.kind), stored.encryption),
                ));
            }
        };
        self.steps.push(Step {
            name: "verify",
            detail,
            elapsed_ms: clamp(took),
        });
        Ok((stored, verification))
    }

    /// `cisco-ia:save-config`, retried: saving twice is harmless.
    fn save(&mut self) -> Result<(), Failure> {
        let response = self.retrying("save", &restconf::save_config(), true)?;
        let result = restconf::save_result(&response.body)
            .map_err(|e| self.fail(FailureKind::UnexpectedResponse, e))?;
        self.detail(format!("startup-config saved: {result}"));
        Ok(())
    }

    /// After `failure` at a step following the change: put `oldPassword` back (and save
    /// again when the save may have applied), and say so in the failure.
    fn roll_back(
        &mut self,
        rotation: &Rotation,
        kind: CredentialKind,
        failure: Failure,
        save_may_have_applied: bool,
    ) -> Failure {
        let Some(old) = rotation.old_password.as_ref().map(|p| p.expose_secret()) else {
            if save_may_have_applied {
                self.state = DeviceState::Unknown;
            }
            return self.fail(
                failure.kind,
                format!(
                    "{}; the payload has no oldPassword, so no rollback was possible",
                    failure.message
                ),
            );
        };
        let self_rotation = rotation.user == rotation.admin_login;
        let user = rotation.user.as_str();
        let restored = self
            .change("rollback", user, kind, old, self_rotation)
            .and_then(|()| {
                let entry = self.reread(user, old, self_rotation)?;
                match entry
                    .credential
                    .map(|c| verify::check(&c.encryption, &c.value, old))
                {
                    Some(Check::Differs) | None => Err(self.fail(
                        FailureKind::UnexpectedResponse,
                        "the restored credential is not the old password".into(),
                    )),
                    _ => Ok(()),
                }
            })
            .and_then(|()| {
                if save_may_have_applied {
                    self.save()
                } else {
                    Ok(())
                }
            });
        match restored {
            Ok(()) => {
                self.state = DeviceState::Restored;
                self.fail(
                    failure.kind,
                    format!("{}; the old password was put back", failure.message),
                )
            }
            Err(rollback) => {
                if save_may_have_applied && self.state != DeviceState::Unchanged {
                    self.state = DeviceState::Unknown;
                }
                self.fail(
                    failure.kind,
                    format!(
                        "{}; restoring the old password failed too: {}",
                        failure.message, rollback.message
                    ),
                )
            }
        }
    }

    /// Sends `request` until it succeeds, retrying transient failures, and (when
    /// `idempotent`) ambiguous ones too.
    /// `not_found_ok`: a 404 is an answer (the caller looks at the status).
    fn retrying(
        &mut self,
        step: &'static str,
        request: &Request,
        not_found_ok: bool,
    ) -> Result<Response, Failure> {
        let mut backoff = self.limits.backoff_ms;
        for attempt in 1..=MAX_ATTEMPTS {
            match self.attempt(step, request, not_found_ok) {
                Outcome::Ok(response) => return Ok(response),
                Outcome::Fatal(kind, message) => return Err(self.fail(kind, message)),
                // Only reads and the save (copying running to startup) are retried
                // blindly: repeating them changes nothing.
                Outcome::Transient(kind, why) | Outcome::Ambiguous(kind, why) => {
                    self.back_off(attempt, &mut backoff, kind, &why)?;
                }
            }
        }
        Err(self.fail(
            FailureKind::Unreachable,
            format!("the {step} did not succeed in {MAX_ATTEMPTS} attempts"),
        ))
    }

    /// Waits before the next attempt, or fails when out of attempts or time.
    fn back_off(
        &mut self,
        attempt: u32,
        backoff: &mut u64,
        kind: FailureKind,
        why: &str,
    ) -> Result<(), Failure> {
        let remaining = self.remaining_ms();
        if attempt >= MAX_ATTEMPTS || *backoff >= remaining {
            return Err(self.fail(
                kind,
                format!(
                    "{why} (gave up after {attempt} attempts, {} ms)",
                    self.elapsed_ms()
                ),
            ));
        }
        self.detail(format!("{why}; retrying in {} ms", *backoff));
        self.clock.sleep_ms(*backoff);
        *backoff = (*backoff * 2).min(MAX_BACKOFF_MS);
        Ok(())
    }

    /// One request as step `name`, sorted into an [`Outcome`].
    fn attempt(&mut self, name: &'static str, request: &Request, not_found_ok: bool) -> Outcome {
        let remaining = self.remaining_ms();
        if remaining == 0 {
            return Outcome::Fatal(
                FailureKind::Unreachable,
                format!(
                    "the deadline of {} ms passed before the {name} step",
                    self.limits.deadline_ms
                ),
            );
        }
        let start = self.clock.now_ms();
        let result = self
            .transport
            .send(request, self.limits.request_timeout_ms.min(remaining));
        let elapsed_ms = clamp(self.clock.now_ms().saturating_sub(start));
        let detail = match &result {
            Ok(response) => format!("HTTP {}", response.status),
            Err(error) => format!("no answer ({error})"),
        };
        self.steps.push(Step {
            name,
            detail,
            elapsed_ms,
        });
        match result {
            Ok(response) if not_found_ok && response.status == 404 => Outcome::Ok(response),
            Ok(response) => sort_status(name, response),
            Err(TransportError::Denied) => Outcome::Fatal(
                FailureKind::Denied,
                format!("the runner refused the {name} request (egress policy)"),
            ),
            Err(TransportError::Tls(e)) => {
                Outcome::Fatal(FailureKind::Tls, format!("TLS with the device failed: {e}"))
            }
            Err(TransportError::Connect(e)) => Outcome::Transient(
                FailureKind::Unreachable,
                format!("the device could not be reached: {e}"),
            ),
            Err(TransportError::Lost(e)) if request.method == Method::Get => Outcome::Transient(
                FailureKind::Unreachable,
                format!("the device did not answer the {name} request: {e}"),
            ),
            Err(TransportError::Lost(e)) => {
                if request.path == restconf::SAVE_CONFIG {
                    self.save_answer_lost = true;
                }
                Outcome::Ambiguous(
                    FailureKind::Unreachable,
                    format!("the device did not answer the {name} request: {e}"),
                )
            }
        }
    }

    fn remaining_ms(&self) -> u64 {
        self.limits.deadline_ms.saturating_sub(self.elapsed_ms())
    }

    fn elapsed_ms(&self) -> u64 {
        self.clock.now_ms().saturating_sub(self.start_ms)
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
        let message = if self.state == DeviceState::Unknown && !self.last_seen.is_empty() {
            format!("{message} (last seen: {})", self.last_seen)
        } else {
            message
        };
        Failure {
            kind,
            message: payload::redact(&message, self.rotation.secrets()),
            state: self.state,
            steps: self.steps.clone(),
        }
    }
}

/// Sorts a status: 2xx ok; 409 lock-denied/in-use transient; 5xx ambiguous; the rest fatal.
fn sort_status(step: &str, response: Response) -> Outcome {
    let status = response.status;
    if (200..300).contains(&status) {
        return Outcome::Ok(response);
    }
    let device = restconf::device_error(&response.body);
    let said = device
        .as_ref()
        .map(|e| match (e.tag.is_empty(), e.message.is_empty()) {
            (false, false) => format!(" {}: {}", e.tag, e.message),
            (false, true) => format!(" {}", e.tag),
            (true, false) => format!(": {}", e.message),
            (true, true) => String::new(),
        })
        .unwrap_or_default();
    let tag = device.map(|e| e.tag).unwrap_or_default();
    match status {
        409 if tag.is_empty() || tag == "lock-denied" || tag == "in-use" => Outcome::Transient(
            FailureKind::DeviceRefused,
            format!("the device is busy (HTTP 409{said})"),
        ),
        401 | 403 => Outcome::Fatal(
            FailureKind::Unauthorized,
            format!(
                "the device refused the admin credentials at the {step} step (HTTP {status}{said}): check the admin record's login and password, and that the account has privilege 15"
            ),
        ),
        400..=499 => Outcome::Fatal(
            FailureKind::DeviceRefused,
            format!("the device refused the {step} request (HTTP {status}{said})"),
        ),
        500..=599 => Outcome::Ambiguous(
            FailureKind::DeviceError,
            format!("the device failed the {step} request (HTTP {status}{said})"),
        ),
        _ => Outcome::Fatal(
            FailureKind::UnexpectedResponse,
            format!("the device answered the {step} request with HTTP {status}{said}"),
        ),
    }
}

fn clamp(ms: u64) -> u32 {
    u32::try_from(ms).unwrap_or(u32::MAX)
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
        Some(p) => format!("user '{}' with {credential}, privilege {p}", entry.name),
        None => format!("user '{}' with {credential}", entry.name),
    }
}

#[cfg(test)]
mod tests;
