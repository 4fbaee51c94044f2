//! Each injected fault must keep the promise: exit 0 means running and startup hold the
//! new password; exit 1 means both hold the old one; anything else says so.

use crate::support::*;
use iosxe_sim::{Faults, SimConfig};
use std::time::{Duration, Instant};

fn patches(sim: &iosxe_sim::Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count()
}

fn with_fault(faults: Faults) -> (iosxe_sim::Simulator, Run) {
    let sim = device(vec![("netops", secret_user(5))]);
    sim.set_faults(faults);
    // A short back-off keeps the suite fast; the sequence is the same.
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["--backoff", "0.05"], line.as_bytes());
    assert_promise(&run, &sim, "netops");
    (sim, run)
}

#[test]
fn lock_denied_twice_is_retried_and_succeeds() {
    let (sim, run) = with_fault(Faults {
        lock_denied: 2,
        ..Faults::default()
    });
    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(patches(&sim), 3);
    assert!(
        run.stdout.contains("HTTP 409 lock-denied"),
        "{}",
        run.stdout
    );
}

#[test]
fn patch_failing_with_500_before_applying_is_retried() {
    let (sim, run) = with_fault(Faults {
        patch_fails: 1,
        ..Faults::default()
    });
    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(patches(&sim), 2);
}

#[test]
fn patch_applied_but_answer_lost_is_found_by_reading_again_not_repeated() {
    let (sim, run) = with_fault(Faults {
        patch_answer_lost: 1,
        ..Faults::default()
    });
    assert_eq!(run.code, 0, "{}", run.output());
    assert_eq!(
        patches(&sim),
        1,
        "the change applied: it must not be sent again"
    );
}

#[test]
fn save_failing_restores_the_old_password() {
    let (sim, run) = with_fault(Faults {
        save_fails: 100,
        ..Faults::default()
    });
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("the old password was put back"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("restored on the device"),
        "{}",
        run.stderr
    );
    assert_eq!(patches(&sim), 2, "change, then rollback");
}

#[test]
fn save_answer_lost_once_is_retried() {
    let (_, run) = with_fault(Faults {
        save_answer_lost: 1,
        ..Faults::default()
    });
    assert_eq!(run.code, 0, "{}", run.output());
}

#[test]
fn device_storing_something_else_is_caught_by_verification_and_rolled_back() {
    let (_, run) = with_fault(Faults {
        patch_stores_other: 1,
        ..Faults::default()
    });
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(
        run.stderr.contains("not the new password"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("put back"), "{}", run.stderr);
}

#[test]
fn device_slower_than_the_deadline_fails_cleanly_in_time() {
    let sim = device(vec![("netops", secret_user(5))]);
    sim.set_faults(Faults {
        delay: Duration::from_secs(3),
        ..Faults::default()
    });
    let start = Instant::now();
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(
        &[
            "--deadline",
            "2",
            "--request-timeout",
            "1",
            "--backoff",
            "0.2",
        ],
        line.as_bytes(),
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(run.code, 1, "{}", run.output());
    assert!(run.stderr.contains("not changed"), "{}", run.stderr);
    assert_promise(&run, &sim, "netops");
}

#[test]
fn save_failing_without_old_password_says_no_rollback_was_possible() {
    let sim = device(vec![("netops", secret_user(5))]);
    sim.set_faults(Faults {
        save_fails: 100,
        ..Faults::default()
    });
    let line = payload_with("netops", NEW_PASSWORD, None, vec![admin_record(&sim)]);
    let run = run(&["--backoff", "0.05"], line.as_bytes());
    assert_eq!(run.code, 3, "{}", run.output());
    assert!(
        run.stderr.contains("no rollback was possible"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("running configuration holds the NEW password"),
        "{}",
        run.stderr
    );
    assert!(sim.running().users["netops"].accepts(NEW_PASSWORD));
    assert!(
        sim.startup().users["netops"].accepts(OLD_PASSWORD),
        "startup must be unchanged"
    );
}

#[test]
fn type_6_password_is_rotated_and_reported_as_not_verifiable() {
    let sim = device_with(
        vec![("netops", password_user(5))],
        SimConfig {
            password_encryption_aes: true,
            ..SimConfig::default()
        },
    );
    let run = rotate("netops", vec![admin_record(&sim)]);
    assert_eq!(run.code, 0, "{}", run.output());
    assert!(
        run.stdout
            .contains("stored as type 6, which only the device can check"),
        "{}",
        run.stdout
    );
    assert_promise(&run, &sim, "netops");
}

#[test]
fn device_that_stops_answering_after_the_change_is_reported_as_state_unknown() {
    let sim = device(vec![("netops", secret_user(5))]);
    sim.set_faults(Faults {
        silent_after_patch: true,
        ..Faults::default()
    });
    let line = payload("netops", vec![admin_record(&sim)]);
    let run = run(&["--backoff", "0.05"], line.as_bytes());
    assert_eq!(run.code, 3, "{}", run.output());
    assert!(run.stderr.contains("state is unknown"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("last seen: user 'netops' with secret type 9"),
        "{}",
        run.stderr
    );
    // It did apply: the message must not claim the old password is in place.
    assert!(sim.running().users["netops"].accepts(NEW_PASSWORD));
    assert!(sim.startup().users["netops"].accepts(OLD_PASSWORD));
}
