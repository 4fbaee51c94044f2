use crate::support::*;
use serde_json::json;

#[test]
fn secret_user_is_rotated_saved_and_stays_a_secret() {
    let sim = device(vec![("netops", secret_user(5))]);
    let run = rotate(
        "netops",
        vec![
            json!({"uid": "x", "title": "PAM Config"}),
            admin_record(&sim),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout.contains("rotated the secret of user 'netops'"),
        "{}",
        run.stdout
    );
    for config in [sim.running(), sim.startup()] {
        let user = &config.users["netops"];
        assert!(user.accepts(NEW_PASSWORD) && !user.accepts(OLD_PASSWORD));
        assert!(
            user.password.is_none(),
            "a secret user must not get a password"
        );
        assert_eq!(user.secret.as_ref().unwrap().encryption, "9");
        assert_eq!(user.privilege, Some(5), "other leaves are kept");
    }
}

#[test]
fn password_user_is_rotated_as_a_password() {
    let sim = device(vec![("netops", password_user(1))]);
    let run = rotate("netops", vec![admin_record(&sim)]);
    assert_eq!(run.code, 0, "{}", run.output());
    let user = &sim.startup().users["netops"];
    assert!(user.accepts(NEW_PASSWORD));
    assert!(user.secret.is_none());
}

#[test]
fn reads_the_user_patches_native_reads_back_then_saves() {
    let sim = device(vec![("netops", secret_user(5))]);
    assert_eq!(rotate("netops", vec![admin_record(&sim)]).code, 0);
    let user = "/restconf/data/Cisco-IOS-XE-native:native/username=netops";
    let sent: Vec<(String, String)> = sim
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    let expected = [
        ("GET", user),
        ("PATCH", "/restconf/data/Cisco-IOS-XE-native:native"),
        ("GET", user),
        ("POST", "/restconf/operations/cisco-ia:save-config"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(sent, expected);
    assert_eq!(
        sim.handshakes(),
        1,
        "all requests of a rotation share one TLS session"
    );
    assert_eq!(sim.connections(), 1);
}

#[test]
fn missing_user_fails_and_is_not_created() {
    let sim = device(vec![]);
    let run = rotate("ghost", vec![admin_record(&sim)]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("user 'ghost' does not exist"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not changed"), "{}", run.stderr);
    assert!(!sim.running().users.contains_key("ghost"));
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn wrong_admin_password_fails_without_change() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin["password"] = json!("not-the-admin-password");
    let before = sim.running();
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("refused the admin credentials"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("HTTP 401"), "{}", run.stderr);
    assert_eq!(sim.running(), before);
    assert!(!run.output().contains("not-the-admin-password"));
}

#[test]
fn admin_without_privilege_15_is_refused() {
    let sim = device(vec![
        ("netops", secret_user(5)),
        ("helpdesk", password_user(7)),
    ]);
    let mut admin = admin_record(&sim);
    admin["login"] = json!("helpdesk");
    admin["password"] = json!(OLD_PASSWORD);
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(run.stderr.contains("HTTP 403"), "{}", run.stderr);
    assert!(run.stderr.contains("privilege 15"), "{}", run.stderr);
}

#[test]
fn custom_admin_record_title_is_honoured() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin["title"] = json!("Core Switch Admin");
    let line = payload("netops", vec![admin]);
    let run = run(
        &["--auth-record-title", "core switch admin"],
        line.as_bytes(),
    );
    assert_eq!(run.code, 0, "{}", run.output());
}
