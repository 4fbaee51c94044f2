use crate::support::*;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Builds the hostile test component (tests/hostile) once; returns its path and SHA-256.
fn hostile_component() -> &'static (PathBuf, String) {
    static BUILT: OnceLock<(PathBuf, String)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root)
            .args([
                "build",
                "--release",
                "--locked",
                "--target",
                "wasm32-wasip2",
                "-p",
                "hostile-guest",
            ])
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the hostile component failed");
        let wasm = target.join("wasm32-wasip2/release/hostile_guest.wasm");
        let digest = sha256_hex(&std::fs::read(&wasm).unwrap());
        (wasm, digest)
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A loopback listener that counts the connections it accepts.
fn decoy() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, count)
}

fn step<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("no step {name} in:\n{stdout}"))
}

#[test]
fn hostile_component_reaches_the_device_and_nothing_else() {
    let sim = device(vec![]);
    let (decoy_port, decoy_connections) = decoy();
    let mut admin = admin_record(&sim);
    admin["decoy_port"] = serde_json::json!(decoy_port.to_string());
    let (wasm, digest) = hostile_component();
    let line = payload("netops", vec![admin]);
    let run = run(
        &[
            "--component",
            wasm.to_str().unwrap(),
            "--component-sha256",
            digest,
        ],
        line.as_bytes(),
    );

    for name in [
        "other-port",
        "other-name",
        "other-ip",
        "plain-http",
        "userinfo",
        "userinfo-device",
        "device-userinfo",
    ] {
        let line = step(&run.stdout, name);
        assert!(line.contains(" denied "), "{name} was not denied: {line}");
    }
    // A scheme wasi:http does not support never reaches the policy at all.
    assert!(
        !step(&run.stdout, "other-scheme").contains("status"),
        "{}",
        run.stdout
    );
    assert!(
        step(&run.stdout, "device").contains("status 200"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.matches("egress denied").count() >= 7,
        "{}",
        run.stderr
    );

    assert_eq!(
        decoy_connections.load(Ordering::SeqCst),
        0,
        "a denied request reached the decoy"
    );
    assert_eq!(
        sim.connections(),
        1,
        "only the legitimate request may reach the device"
    );
    assert_eq!(sim.requests().len(), 1);
    assert_eq!(run.code, 1, "{}", run.output());
}

#[test]
fn component_pinned_to_another_digest_is_refused() {
    let (wasm, _) = hostile_component();
    let sim = device(vec![]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(
        &[
            "--component",
            wasm.to_str().unwrap(),
            "--component-sha256",
            &"ab".repeat(32),
        ],
        line.as_bytes(),
    );
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(run.stderr.contains("not the pinned"), "{}", run.stderr);
    assert!(sim.requests().is_empty());
}
