//! Helpers: a Keeper-shaped payload, a simulator with known users, and running the
//! built runner exactly as Keeper does (payload line on stdin), checking its output
//! never contains a secret.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use iosxe_sim::{SimConfig, Simulator, User};
use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Command, Stdio};

pub const ADMIN_PASSWORD: &str = "Adm1n-Pa55!";
pub const OLD_PASSWORD: &str = "0ld-Pa55-w0rd";
pub const NEW_PASSWORD: &str = "N3w-Pa55-w0rd%$";

/// A device with `admin` (privilege 15, type-0 password) plus `users`.
pub fn device(users: Vec<(&str, User)>) -> Simulator {
    device_with(users, SimConfig::default())
}

pub fn device_with(users: Vec<(&str, User)>, mut config: SimConfig) -> Simulator {
    config
        .users
        .push(("admin".into(), User::admin(ADMIN_PASSWORD)));
    config
        .users
        .extend(users.into_iter().map(|(n, u)| (n.to_string(), u)));
    Simulator::start(config).expect("simulator starts")
}

/// A user with a secret stored as type 9 of `OLD_PASSWORD`.
pub fn secret_user(privilege: u8) -> User {
    User {
        privilege: Some(privilege),
        secret: Some(iosxe_sim::Credential {
            encryption: "9".into(),
            value: iosxe_sim::type9_hash(OLD_PASSWORD),
        }),
        ..User::default()
    }
}

/// A user with a type-0 password `OLD_PASSWORD`.
pub fn password_user(privilege: u8) -> User {
    User {
        privilege: Some(privilege),
        password: Some(iosxe_sim::Credential {
            encryption: "0".into(),
            value: OLD_PASSWORD.into(),
        }),
        ..User::default()
    }
}

/// The admin record for `sim`, pinned to its certificate.
pub fn admin_record(sim: &Simulator) -> Value {
    json!({"uid": "adminUid", "title": "Cisco Authentication Record", "login": "admin",
           "password": ADMIN_PASSWORD, "host_endpoint": sim.endpoint(),
           "tls_fingerprint": sim.fingerprint()})
}

/// Keeper's payload line: base64 JSON whose `records` is base64 JSON again.
pub fn payload(user: &str, records: Vec<Value>) -> String {
    payload_with(user, NEW_PASSWORD, Some(OLD_PASSWORD), records)
}

/// [`payload`] with chosen passwords (`old: None` leaves `oldPassword` out).
pub fn payload_with(user: &str, new: &str, old: Option<&str>, records: Vec<Value>) -> String {
    let mut top = json!({
        "providerRecordUid": "provUid", "resourceRecordUid": "resUid", "userRecordUid": "userUid",
        "user": user, "newPassword": new,
        "records": STANDARD.encode(Value::Array(records).to_string()),
    });
    if let Some(old) = old {
        top["oldPassword"] = json!(old);
    }
    STANDARD.encode(top.to_string())
}

/// Checks the promise on `user`: exit 0 means running and startup hold the new password;
/// exit 1 means both hold the old one.
pub fn assert_promise(run: &Run, sim: &Simulator, user: &str) {
    let (running, startup) = (sim.running(), sim.startup());
    let (running, startup) = (&running.users[user], &startup.users[user]);
    let expected = match run.code {
        0 => NEW_PASSWORD,
        1 => OLD_PASSWORD,
        code => panic!("exit {code} makes no promise:\n{}", run.output()),
    };
    for (name, config) in [("running", running), ("startup", startup)] {
        assert!(
            config.accepts(expected),
            "exit {} but {name} does not hold the {} password:\n{}",
            run.code,
            if run.code == 0 { "new" } else { "old" },
            run.output()
        );
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs the built runner with `stdin` piped in (a newline is added, as `echo` does).
pub fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iosxe-rotate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_clear()
        .spawn()
        .expect("runner starts");
    let mut input = child.stdin.take().unwrap();
    // The runner may stop reading early (oversized input): ignore a broken pipe.
    let _ = input.write_all(stdin);
    let _ = input.write_all(b"\n");
    drop(input);
    let out = child.wait_with_output().expect("runner ends");
    let run = Run {
        code: out
            .status
            .code()
            .expect("runner exited, not killed by a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    for secret in [ADMIN_PASSWORD, OLD_PASSWORD, NEW_PASSWORD] {
        assert!(
            !run.output().contains(secret),
            "a password appeared in the output:\n{}",
            run.output()
        );
    }
    assert!(
        !run.stderr.contains("panicked"),
        "the runner panicked:\n{}",
        run.stderr
    );
    run
}

/// Runs the rotation of `user` on `sim` with `records`.
pub fn rotate(user: &str, records: Vec<Value>) -> Run {
    run(&[], payload(user, records).as_bytes())
}
