use crate::components::hostile;
use crate::support::*;
use serde_json::json;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    // A named device, so that IP-literal and trailing-dot spellings can be tried.
    admin["host_endpoint"] = json!(format!("localhost:{}", sim.port()));
    admin["decoy_port"] = json!(decoy_port.to_string());
    let line = payload("netops", vec![admin]);
    let run = run(&hostile().args(&[]), line.as_bytes());

    for name in [
        "other-port",
        "ip-literal",
        "trailing-dot",
        "other-ip",
        "other-name",
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
    // The device's own name in capitals is the device: allowed.
    assert!(
        step(&run.stdout, "upper-case").contains("status 200"),
        "{}",
        run.stdout
    );
    assert!(
        step(&run.stdout, "device").contains("status 200"),
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stderr.matches("egress denied").count(),
        9,
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
        "only the allowed requests, on one connection"
    );
    assert_eq!(sim.requests().len(), 2);
    assert_eq!(run.code, 1, "{}", run.output());
}

#[test]
fn component_pinned_to_another_digest_is_refused() {
    let sim = device(vec![]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let path = hostile().path.to_str().unwrap();
    let run = run(
        &["--component", path, "--component-sha256", &"ab".repeat(32)],
        line.as_bytes(),
    );
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(run.stderr.contains("not the pinned"), "{}", run.stderr);
    assert!(sim.requests().is_empty());
}
