//! Every credential kind is rotated as the kind it is, verified, and nothing else of the
//! user changes; reruns and self-rotation are harmless.

use crate::support::*;
use iosxe_sim::{Credential, SimConfig, User};

fn user_with(password: Option<Credential>, secret: Option<Credential>) -> User {
    User {
        privilege: Some(7),
        description: Some("NOC operator".into()),
        view: Some("noc-view".into()),
        password,
        secret,
        ..User::default()
    }
}

fn secret(encryption: &str, value: String) -> Option<Credential> {
    Some(Credential {
        encryption: encryption.into(),
        value,
    })
}

/// Rotates `user` and checks the kind and every other leaf are kept.
fn rotates_keeping_kind_and_leaves(user: User, config: SimConfig, expected_type: &str) {
    let had_secret = user.secret.is_some();
    let sim = device_with(vec![("netops", user.clone())], config);
    let run = rotate("netops", vec![admin_record(&sim)]);
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout
            .contains(&format!("stored as type {expected_type}, verified")),
        "{}",
        run.stdout
    );
    assert_promise(&run, &sim, "netops");
    let after = sim.startup().users["netops"].clone();
    assert_eq!(
        after.secret.is_some(),
        had_secret,
        "the credential kind changed"
    );
    assert_eq!(
        after.password.is_some(),
        !had_secret,
        "the credential kind changed"
    );
    assert_eq!(
        (after.privilege, after.description, after.view),
        (user.privilege, user.description, user.view),
        "other leaves of the user changed"
    );
}

#[test]
fn type_5_secret_stays_a_secret() {
    let u = user_with(None, secret("5", iosxe_sim::type5_hash(OLD_PASSWORD)));
    rotates_keeping_kind_and_leaves(u, SimConfig::default(), "9");
}

#[test]
fn type_8_secret_stays_a_secret() {
    let u = user_with(None, secret("8", iosxe_sim::type8_hash(OLD_PASSWORD)));
    rotates_keeping_kind_and_leaves(u, SimConfig::default(), "9");
}

#[test]
fn type_9_secret_stays_a_secret() {
    let u = user_with(None, secret("9", iosxe_sim::type9_hash(OLD_PASSWORD)));
    rotates_keeping_kind_and_leaves(u, SimConfig::default(), "9");
}

#[test]
fn type_0_password_stays_a_password() {
    let u = user_with(secret("0", OLD_PASSWORD.into()), None);
    rotates_keeping_kind_and_leaves(u, SimConfig::default(), "0");
}

#[test]
fn type_7_password_is_verified_under_service_password_encryption() {
    let u = user_with(secret("7", iosxe_sim::type7_encode(OLD_PASSWORD, 3)), None);
    let config = SimConfig {
        service_password_encryption: true,
        ..SimConfig::default()
    };
    rotates_keeping_kind_and_leaves(u, config, "7");
}

#[test]
fn keeper_rerun_with_swapped_passwords_and_repeated_runs_are_harmless() {
    let sim = device(vec![("netops", secret_user(5))]);
    let records = || vec![admin_record(&sim)];
    assert_eq!(rotate("netops", records()).code, 0);
    // The same rotation again: the device already holds the new password.
    let again = rotate("netops", records());
    assert_eq!(again.code, 0, "{}", again.output());
    assert!(again.stdout.contains("already held it"), "{}", again.stdout);
    // Keeper's rollback reruns with old and new swapped.
    let swapped = payload_with("netops", OLD_PASSWORD, Some(NEW_PASSWORD), records());
    let back = run(&[], swapped.as_bytes());
    assert_eq!(back.code, 0, "{}", back.output());
    assert!(sim.startup().users["netops"].accepts(OLD_PASSWORD));
    assert!(sim.running().users["netops"].accepts(OLD_PASSWORD));
}

#[test]
fn admin_rotating_itself_uses_the_new_password_after_the_change() {
    let sim = device(vec![]);
    let mut admin = admin_record(&sim);
    // The admin record's password is the admin's current one; Keeper rotates it.
    admin["password"] = serde_json::json!(ADMIN_PASSWORD);
    let line = payload_with("admin", NEW_PASSWORD, Some(ADMIN_PASSWORD), vec![admin]);
    let run = run(&[], line.as_bytes());
    assert_eq!(run.code, 0, "{}", run.output());
    for config in [sim.running(), sim.startup()] {
        assert!(config.users["admin"].accepts(NEW_PASSWORD));
        assert_eq!(config.users["admin"].privilege, Some(15));
    }
    // Read back and save authenticated with the new password.
    assert_eq!(sim.requests().len(), 4);
}
