use crate::support::*;
use iosxe_sim::{CertMode, SimConfig};
use serde_json::json;

#[test]
fn untrusted_certificate_is_refused_with_its_fingerprint() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin.as_object_mut().unwrap().remove("tls_fingerprint");
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(run.stderr.contains("not trusted"), "{}", run.stderr);
    assert!(run.stderr.contains(&sim.fingerprint()), "{}", run.stderr);
    assert!(run.stderr.contains("tls_fingerprint"), "{}", run.stderr);
    assert_eq!(sim.handshakes(), 0, "no TLS session may be completed");
    assert!(sim.requests().is_empty());
}

#[test]
fn pinned_fingerprint_is_accepted_in_any_case_and_without_colons() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin["tls_fingerprint"] = json!(sim.fingerprint().replace(':', "").to_lowercase());
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 0, "{}", run.output());
}

#[test]
fn wrong_pin_is_refused() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin["tls_fingerprint"] = json!("AB".repeat(32));
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("does not match tls_fingerprint"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&sim.fingerprint()), "{}", run.stderr);
    assert!(sim.requests().is_empty());
}

#[test]
fn ca_file_is_accepted() {
    let sim = device_with(
        vec![("netops", secret_user(5))],
        SimConfig {
            cert: CertMode::CaSigned,
            ..SimConfig::default()
        },
    );
    let mut admin = admin_record(&sim);
    admin.as_object_mut().unwrap().remove("tls_fingerprint");
    admin["tls_ca"] = json!(sim.ca_pem().unwrap());
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 0, "{}", run.output());
}

#[test]
fn insecure_opt_in_works_and_is_warned() {
    let sim = device(vec![("netops", secret_user(5))]);
    let mut admin = admin_record(&sim);
    admin.as_object_mut().unwrap().remove("tls_fingerprint");
    admin["tls_verify"] = json!("false");
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stderr.contains("warning: tls_verify is false"),
        "{}",
        run.stderr
    );
}

#[test]
fn certificate_for_another_name_is_refused_when_verifying_by_ca() {
    let sim = device_with(
        vec![("netops", secret_user(5))],
        SimConfig {
            cert: CertMode::CaSignedOtherName,
            ..SimConfig::default()
        },
    );
    let mut admin = admin_record(&sim);
    admin.as_object_mut().unwrap().remove("tls_fingerprint");
    admin["tls_ca"] = json!(sim.ca_pem().unwrap());
    let run = rotate("netops", vec![admin]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(run.stderr.contains("not trusted"), "{}", run.stderr);
    assert!(run.stderr.contains("NotValidForName"), "{}", run.stderr);
    assert!(sim.requests().is_empty());
}
