use crate::support::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

/// Runs `stdin` and expects a refusal (exit 2) whose message contains `expected`.
fn refused(stdin: &[u8], expected: &str) {
    let run = run(&[], stdin);
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.stderr.contains(expected),
        "expected {expected:?} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("nothing was sent to the device"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "one line:\n{}", run.stderr);
}

fn top(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> Vec<u8> {
    let records = json!([{"title": "Cisco Authentication Record", "login": "admin",
        "password": ADMIN_PASSWORD, "host_endpoint": "127.0.0.1:9"}]);
    let mut top = json!({"user": "netops", "newPassword": NEW_PASSWORD,
        "records": STANDARD.encode(records.to_string())});
    edit(top.as_object_mut().unwrap());
    STANDARD.encode(top.to_string()).into_bytes()
}

#[test]
fn empty_stdin_is_refused() {
    refused(b"", "the payload is empty");
}

#[test]
fn non_base64_is_refused() {
    refused(b"this is not base64!", "not base64");
}

#[test]
fn non_json_is_refused() {
    refused(STANDARD.encode("not json").as_bytes(), "not a JSON object");
}

#[test]
fn missing_records_is_refused() {
    refused(
        &top(|t| {
            t.remove("records");
        }),
        "no `records`",
    );
}

#[test]
fn missing_admin_record_is_refused_naming_the_title() {
    let line = payload("netops", vec![json!({"title": "Something Else"})]);
    refused(
        line.as_bytes(),
        "no record titled 'Cisco Authentication Record'",
    );
}

#[test]
fn missing_new_password_is_refused() {
    refused(
        &top(|t| {
            t.remove("newPassword");
        }),
        "no `newPassword`",
    );
}

#[test]
fn missing_host_endpoint_is_refused() {
    let line = payload(
        "netops",
        vec![
            json!({"title": "Cisco Authentication Record", "login": "admin", "password": ADMIN_PASSWORD}),
        ],
    );
    refused(line.as_bytes(), "has no `host_endpoint`");
}

#[test]
fn endpoint_with_userinfo_or_path_is_refused() {
    for endpoint in ["admin@10.0.0.1", "https://10.0.0.1", "10.0.0.1/restconf"] {
        let line = payload(
            "netops",
            vec![json!({"title": "Cisco Authentication Record",
            "login": "admin", "password": ADMIN_PASSWORD, "host_endpoint": endpoint})],
        );
        refused(line.as_bytes(), "`host_endpoint` is not host[:port]");
    }
}

#[test]
fn oversized_line_is_refused() {
    let big = vec![b'A'; payload::MAX_PAYLOAD_BYTES + 10];
    refused(&big, "longer than");
}

#[test]
fn binary_input_is_refused() {
    refused(&[0xff, 0xfe, 0x00, 0x80], "not text");
}

#[test]
fn component_with_wrong_digest_is_refused_before_compiling() {
    let dir = std::env::temp_dir().join(format!("iosxe-rotate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("not-a-component.wasm");
    std::fs::write(&file, b"\0asm junk").unwrap();
    let args = [
        "--component",
        file.to_str().unwrap(),
        "--component-sha256",
        &"00".repeat(32),
    ];
    let run = run(&args, &top(|_| {}));
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(run.stderr.contains("not the pinned"), "{}", run.stderr);
}
