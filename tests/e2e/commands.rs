//! The subcommands a Keeper admin or network engineer uses by hand.

use crate::support::*;
use serde_json::{Value, json};
use std::process::{Command, Stdio};

#[test]
fn check_reports_ready_and_changes_nothing() {
    let sim = device(vec![("netops", secret_user(5))]);
    let before = (sim.running(), sim.startup());
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["check"], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout
            .contains(&format!("device certificate SHA-256 {}", sim.fingerprint())),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("trusted by the admin record's tls_fingerprint pin"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("user 'netops' exists (secret type 9, privilege 5)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("a rotation would change the secret of 'netops'"),
        "{}",
        run.stdout
    );
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
    assert_eq!((sim.running(), sim.startup()), before);
}

#[test]
fn check_of_a_missing_user_is_not_ready() {
    let sim = device(vec![]);
    let line = payload("ghost", vec![admin_record(&sim)]);
    let run = run(&["check"], line.as_bytes());
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(run.stderr.contains("not ready"), "{}", run.stderr);
    assert!(
        run.stderr.contains("user 'ghost' does not exist"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_json_says_ready_with_kind_and_privilege() {
    let sim = device(vec![("netops", password_user(3))]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["check", "--json"], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.output());
    let report: Value = serde_json::from_str(run.stdout.trim()).expect("one JSON object");
    assert_eq!(report["ready"], json!(true));
    assert_eq!(report["credential_kind"], json!("password"));
    assert_eq!(report["privilege"], json!(3));
    assert_eq!(report["tls_fingerprint"], json!(sim.fingerprint()));
}

#[test]
fn rotation_json_is_one_object_with_the_device_state() {
    let sim = device(vec![("netops", secret_user(5))]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["--json"], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["state"], json!("changed-saved"));
    assert_eq!(report["verification"], json!("verified"));
    assert_eq!(report["exit_code"], json!(0));
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["read-user", "change", "read-back", "verify", "save"]
    );
}

#[test]
fn failure_json_carries_kind_state_and_exit_code() {
    let sim = device(vec![]);
    let line = payload("ghost", vec![admin_record(&sim)]);
    let run = run(&["--json"], line.as_bytes());
    assert_eq!(run.code, 1);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["kind"], json!("user-not-found"));
    assert_eq!(report["state"], json!("unchanged"));
    assert_eq!(report["exit_code"], json!(1));
}

#[test]
fn quiet_prints_only_the_final_line() {
    let sim = device(vec![("netops", secret_user(5))]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["-q"], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    assert!(
        run.stdout.starts_with("rotated the secret"),
        "{}",
        run.stdout
    );
}

#[test]
fn payload_builder_round_trips_through_the_runner() {
    let sim = device(vec![("netops", secret_user(5))]);
    let passwords = format!("{ADMIN_PASSWORD}\n{NEW_PASSWORD}\n{OLD_PASSWORD}\n");
    let built = run(
        &[
            "payload",
            "--host",
            &sim.endpoint(),
            "--login",
            "admin",
            "--user",
            "netops",
            "--tls-fingerprint",
            &sim.fingerprint(),
        ],
        passwords.as_bytes(),
    );
    assert_eq!(built.code, 0, "{}", built.output());
    let line = built.stdout.trim();
    let parsed = payload::parse(line, payload::DEFAULT_AUTH_RECORD_TITLE).unwrap();
    assert_eq!(
        (parsed.user.as_str(), parsed.admin_login.as_str()),
        ("netops", "admin")
    );
    let rotated = run(&[], line.as_bytes());
    assert_eq!(rotated.code, 0, "{}", rotated.output());
    assert_promise(&rotated, &sim, "netops");
}

#[test]
fn payload_builder_refuses_missing_passwords_and_bad_hosts() {
    let no_new = run(
        &[
            "payload", "--host", "10.0.0.1", "--login", "admin", "--user", "u",
        ],
        b"only-admin",
    );
    assert_eq!(no_new.code, 2);
    assert!(
        no_new.stderr.contains("new password is required"),
        "{}",
        no_new.stderr
    );
    let bad_host = run(
        &[
            "payload",
            "--host",
            "admin@10.0.0.1",
            "--login",
            "a",
            "--user",
            "u",
        ],
        b"",
    );
    assert_eq!(bad_host.code, 2);
    assert!(bad_host.stderr.contains("--host"), "{}", bad_host.stderr);
}

#[test]
fn demo_rotates_on_the_built_in_simulator() {
    let run = run(&["demo"], b"");
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout
            .contains("accepts old password: yes, new password: no"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("accepts old password: no, new password: yes"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("startup-config holds the new password: yes"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("verified to be the new password"),
        "{}",
        run.stdout
    );
}

#[test]
fn version_names_the_component_digest() {
    let run = run(&["--version"], b"");
    let digest = run
        .stdout
        .split("component sha256 ")
        .nth(1)
        .unwrap_or_default();
    assert!(
        digest.len() > 64 && digest[..64].chars().all(|c| c.is_ascii_hexdigit()),
        "{}",
        run.stdout
    );
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["check", "--help"],
        vec!["payload", "--help"],
    ] {
        let run = run(&args, b"");
        assert_eq!(run.code, 0, "{args:?}");
        assert!(run.stdout.contains("Example"), "{args:?}:\n{}", run.stdout);
    }
}

#[test]
fn binary_needs_no_shared_library_beyond_the_c_runtime() {
    let out = Command::new("ldd")
        .arg(env!("CARGO_BIN_EXE_iosxe-rotate"))
        .stdout(Stdio::piped())
        .output();
    let Ok(out) = out else {
        return; // no ldd on this system: nothing to check
    };
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let lib = line.split_whitespace().next().unwrap_or_default();
        let allowed = [
            "linux-vdso.so",
            "libc.so",
            "libm.so",
            "libgcc_s.so",
            "ld-linux",
            "statically linked",
        ];
        assert!(
            allowed.iter().any(|a| lib.contains(a) || line.contains(a)),
            "unexpected library: {line}"
        );
    }
}
