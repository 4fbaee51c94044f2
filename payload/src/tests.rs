use super::*;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

fn encode(v: &Value) -> String {
    STANDARD.encode(v.to_string())
}

fn admin_record() -> Value {
    json!({"uid": "a1", "title": "Cisco Authentication Record", "login": "admin",
           "password": "Adm1n-Secret", "host_endpoint": "10.0.0.1:8443"})
}

fn payload_with(records: Vec<Value>, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut top = json!({"providerRecordUid": "p", "resourceRecordUid": "r", "userRecordUid": "u",
        "newPassword": "N3w-Secret", "oldPassword": "0ld-Secret", "user": "netops",
        "records": encode(&Value::Array(records))});
    edit(top.as_object_mut().unwrap());
    encode(&top)
}

fn payload() -> String {
    payload_with(
        vec![json!({"uid": "x", "title": "Other"}), admin_record()],
        |_| {},
    )
}

#[test]
fn parses_keeper_payload() {
    let r = parse(&format!("{}\n", payload()), DEFAULT_AUTH_RECORD_TITLE).unwrap();
    assert_eq!(r.user, "netops");
    assert_eq!(r.admin_login, "admin");
    assert_eq!(r.admin_password.expose_secret(), "Adm1n-Secret");
    assert_eq!(r.new_password.expose_secret(), "N3w-Secret");
    assert_eq!(r.old_password.unwrap().expose_secret(), "0ld-Secret");
    assert_eq!(r.endpoint.to_string(), "10.0.0.1:8443");
    assert_eq!(r.tls, TlsTrust::WebPki);
}

#[test]
fn finds_admin_record_case_insensitively_and_by_custom_title() {
    let mut rec = admin_record();
    rec["title"] = json!("cisco AUTHENTICATION record");
    assert!(
        parse(
            &payload_with(vec![rec.clone()], |_| {}),
            DEFAULT_AUTH_RECORD_TITLE
        )
        .is_ok()
    );
    rec["title"] = json!("Core Switch Admin");
    assert!(parse(&payload_with(vec![rec], |_| {}), "core switch admin").is_ok());
}

#[test]
fn debug_output_redacts_secrets() {
    let r = parse(&payload(), DEFAULT_AUTH_RECORD_TITLE).unwrap();
    let debug = format!("{r:?}");
    for secret in ["Adm1n-Secret", "N3w-Secret", "0ld-Secret"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}

#[test]
fn collects_every_secret_of_the_payload() {
    let mut other =
        json!({"uid": "y", "title": "Other", "password": "0ther-Secret", "api_token": "T0ken"});
    other["password2"] = json!("2nd-Secret");
    let r = parse(
        &payload_with(vec![other, admin_record()], |_| {}),
        DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap();
    let secrets: Vec<&str> = r.secrets().collect();
    for s in [
        "Adm1n-Secret",
        "N3w-Secret",
        "0ld-Secret",
        "0ther-Secret",
        "T0ken",
        "2nd-Secret",
    ] {
        assert!(secrets.contains(&s), "{s} missing from {secrets:?}");
    }
}

#[test]
fn rejects_empty_input() {
    assert_eq!(parse("  \n", "t").unwrap_err(), PayloadError::Empty);
}

#[test]
fn rejects_non_base64() {
    assert!(matches!(
        parse("not base64!", "t"),
        Err(PayloadError::NotBase64(_))
    ));
}

#[test]
fn rejects_non_json_without_quoting_it() {
    let err = parse(&STANDARD.encode("{\"newPassword\": Sup3rSecret"), "t").unwrap_err();
    assert!(matches!(err, PayloadError::NotJson(_)));
    assert!(!err.to_string().contains("Sup3rSecret"), "{err}");
}

#[test]
fn rejects_wrong_json_types_without_quoting_them() {
    let p = payload_with(vec![admin_record()], |t| {
        t.insert("newPassword".into(), json!(123456789));
    });
    let err = parse(&p, DEFAULT_AUTH_RECORD_TITLE).unwrap_err();
    assert_eq!(err, PayloadError::NotText("newPassword"));
    assert!(!err.to_string().contains("123456789"));
}

#[test]
fn rejects_missing_top_level_fields_by_name() {
    for field in ["newPassword", "user", "records"] {
        let p = payload_with(vec![admin_record()], |t| {
            t.remove(field);
        });
        let err = parse(&p, DEFAULT_AUTH_RECORD_TITLE).unwrap_err();
        assert_eq!(err, PayloadError::MissingField(field));
        assert!(err.to_string().contains(field));
    }
}

#[test]
fn rejects_empty_new_password() {
    let p = payload_with(vec![admin_record()], |t| {
        t.insert("newPassword".into(), json!(""));
    });
    assert_eq!(
        parse(&p, DEFAULT_AUTH_RECORD_TITLE).unwrap_err(),
        PayloadError::MissingField("newPassword")
    );
}

#[test]
fn rejects_records_that_are_not_base64_json() {
    let p = payload_with(vec![], |t| {
        t.insert("records".into(), json!("@@@"));
    });
    assert!(matches!(
        parse(&p, "t"),
        Err(PayloadError::RecordsNotBase64(_))
    ));
    let p = payload_with(vec![], |t| {
        t.insert("records".into(), json!(STANDARD.encode("{}")));
    });
    assert!(matches!(
        parse(&p, "t"),
        Err(PayloadError::RecordsNotJson(_))
    ));
}

#[test]
fn names_the_titles_found_when_admin_record_is_missing() {
    let err = parse(
        &payload_with(vec![json!({"title": "Other"})], |_| {}),
        DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("'Cisco Authentication Record'") && msg.contains("'Other'"),
        "{msg}"
    );
}

#[test]
fn rejects_two_different_admin_records() {
    let mut second = admin_record();
    second["uid"] = json!("a2");
    let err = parse(
        &payload_with(vec![admin_record(), second], |_| {}),
        DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        PayloadError::AmbiguousAdminRecord { count: 2, .. }
    ));
    // The same record listed twice is fine.
    assert!(
        parse(
            &payload_with(vec![admin_record(), admin_record()], |_| {}),
            DEFAULT_AUTH_RECORD_TITLE
        )
        .is_ok()
    );
}

#[test]
fn rejects_missing_admin_fields_by_name() {
    for field in ["host_endpoint", "login", "password"] {
        let mut rec = admin_record();
        rec.as_object_mut().unwrap().remove(field);
        let err = parse(&payload_with(vec![rec], |_| {}), DEFAULT_AUTH_RECORD_TITLE).unwrap_err();
        assert!(
            matches!(err, PayloadError::MissingRecordField { field: f, .. } if f == field),
            "{err}"
        );
    }
}

#[test]
fn rejects_endpoint_with_userinfo() {
    let mut rec = admin_record();
    rec["host_endpoint"] = json!("evil@10.0.0.1");
    let err = parse(&payload_with(vec![rec], |_| {}), DEFAULT_AUTH_RECORD_TITLE).unwrap_err();
    assert!(matches!(err, PayloadError::BadEndpoint { .. }), "{err}");
}

#[test]
fn reads_tls_fields_from_admin_record() {
    let mut rec = admin_record();
    rec["tls_fingerprint"] = json!("00".repeat(32));
    let r = parse(
        &payload_with(vec![rec.clone()], |_| {}),
        DEFAULT_AUTH_RECORD_TITLE,
    )
    .unwrap();
    assert_eq!(r.tls, TlsTrust::Pinned([0; 32]));
    rec["tls_fingerprint"] = json!("zz");
    let err = parse(&payload_with(vec![rec], |_| {}), DEFAULT_AUTH_RECORD_TITLE).unwrap_err();
    assert!(err.to_string().contains("tls_fingerprint"), "{err}");
}

#[test]
fn redact_masks_every_secret_longest_first() {
    assert_eq!(
        redact("x abcdef y abc", ["abc", "abcdef", ""]),
        "x ******** y ********"
    );
}
