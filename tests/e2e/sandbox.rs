//! What a component can do to the runner: each abuse is stopped with a clear failure.

use crate::components::{hostile, hostile_imports};
use crate::support::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Runs the hostile component in `mode` against a fresh device.
fn hostile_run(mode: &str, extra: &[&str]) -> (iosxe_sim::Simulator, Run, Duration) {
    let sim = device(vec![]);
    let mut admin = admin_record(&sim);
    admin["hostile_mode"] = json!(mode);
    let line = payload("netops", vec![admin]);
    let start = Instant::now();
    let run = run(&hostile().args(extra), line.as_bytes());
    (sim, run, start.elapsed())
}

#[test]
fn endless_loop_is_stopped_at_the_deadline() {
    let (sim, run, took) = hostile_run("loop", &["--deadline", "1"]);
    assert!(took < Duration::from_secs(15), "took {took:?}");
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("ran past the run's deadline"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("not changed"), "{}", run.stderr);
    assert!(sim.requests().is_empty());
}

#[test]
fn memory_bomb_is_stopped_at_the_memory_limit() {
    let (_, run, _) = hostile_run("memory", &[]);
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("memory limit of 64 MiB"),
        "{}",
        run.stderr
    );
}

#[test]
fn request_flood_is_capped() {
    let (sim, run, _) = hostile_run("flood", &[]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("flood"))
        .unwrap_or_default();
    let answered: usize = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(999);
    assert!((1..=4).contains(&answered), "{line}");
    assert!(line.contains("refused by the limit"), "{line}");
    assert!(sim.connections() <= 4, "{} connections", sim.connections());
    assert!(
        run.stderr.contains("more than 4 requests at once"),
        "{}",
        run.stderr
    );
}

#[test]
fn huge_request_body_is_cut_off() {
    let (sim, run, _) = hostile_run("big-body", &[]);
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("big-body"))
        .unwrap_or_default();
    assert!(line.contains("error"), "{line}\n{}", run.output());
    assert!(
        sim.requests().iter().all(|r| r.body.len() <= 1024 * 1024),
        "a body over 1 MiB reached the device"
    );
}

#[test]
fn component_sees_no_environment_and_no_arguments() {
    let (_, run, _) = hostile_run("env", &[]);
    assert!(
        run.stdout.contains("0 variables, 0 arguments"),
        "{}",
        run.stdout
    );
}

#[test]
fn component_importing_files_or_sockets_fails_to_instantiate_naming_the_import() {
    let sim = device(vec![]);
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&hostile_imports().args(&[]), line.as_bytes());
    assert_eq!(run.code, 2, "{}", run.output());
    assert!(
        run.stderr.contains("could not be instantiated"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("wasi:filesystem") || run.stderr.contains("wasi:sockets"),
        "{}",
        run.stderr
    );
    assert!(sim.requests().is_empty());
}

/// The `import` lines of `wit/rotation.wit`'s world, without versions.
fn world_imports() -> Vec<String> {
    let wit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../wit/rotation.wit"))
        .unwrap();
    wit.lines()
        .filter_map(|l| l.trim().strip_prefix("import "))
        .map(|i| {
            i.trim_end_matches(';')
                .split('@')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn inspect_lists_exactly_the_imports_of_the_wit_world() {
    let run = run(&["inspect", "--json"], b"");
    assert_eq!(run.code, 0, "{}", run.output());
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut imports: Vec<String> = report["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap().split('@').next().unwrap().to_string())
        .collect();
    imports.sort();
    let mut world = world_imports();
    world.sort();
    // Imports the world pulls in through wasi:http (io, http types) come on top.
    for import in &imports {
        let known =
            world.contains(import) || import.starts_with("wasi:io/") || import == "wasi:http/types";
        assert!(
            known,
            "the component imports {import}, which wit/ does not declare"
        );
    }
    for forbidden in [
        "wasi:filesystem",
        "wasi:sockets",
        "wasi:random",
        "wasi:clocks/wall-clock",
    ] {
        assert!(
            !imports.iter().any(|i| i.starts_with(forbidden)),
            "imports {forbidden}"
        );
    }
    assert_eq!(
        report["exports"][0]["name"]
            .as_str()
            .unwrap()
            .split('@')
            .next(),
        Some("keeper:iosxe-rotate/rotation")
    );
    assert_eq!(
        report["exports"][0]["functions"],
        json!(["rotate", "check"])
    );
    let version = crate::support::run(&["--version"], b"");
    assert!(
        version.stdout.contains(report["sha256"].as_str().unwrap()),
        "{}",
        version.stdout
    );
}

#[test]
fn inspect_shows_a_pinned_files_digest_and_imports() {
    let built = hostile_imports();
    let run = run(&built.args(&["inspect"]), b"");
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(run.stdout.contains(&built.sha256), "{}", run.stdout);
    assert!(run.stdout.contains("wasi:filesystem"), "{}", run.stdout);
}
