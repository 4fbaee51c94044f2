//! End-to-end tests: the built `iosxe-rotate` runs as Keeper runs it (payload on stdin)
//! against the IOS XE simulator over real HTTPS on loopback.

mod components;
mod support;

/// Malformed input is refused before anything runs.
mod bad_input;
/// check, payload, demo, --json, -q, --version, --help.
mod commands;
/// The sandbox lets a component reach the device and nothing else.
mod egress;
/// Injected device faults never leave vault and device out of step.
mod faults;
/// Each credential kind, reruns and self-rotation.
mod kinds;
/// Rotations that succeed or fail on the device's answer.
mod rotation;
/// Limits and least capability: what a component cannot do to the runner.
mod sandbox;
/// Trust in the device's certificate.
mod tls;
