//! Command-line flags.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (component sha256 ",
    env!("ROTATION_SHA256"),
    ", wasmtime ",
    env!("WASMTIME_VERSION"),
    ")"
);

#[derive(Parser, Debug)]
#[command(
    name = "iosxe-rotate",
    version = VERSION,
    about = "Rotates a Cisco IOS XE user's password for Keeper PAM, inside a WebAssembly sandbox that may reach only the device.",
    after_help = "\
Without a command, rotates: Keeper pipes the payload (one base64 line) on stdin.

Examples:
  echo \"$BASE64_PAYLOAD\" | iosxe-rotate                 # what Keeper runs
  echo \"$BASE64_PAYLOAD\" | iosxe-rotate check           # dry run, changes nothing
  iosxe-rotate demo                                      # try it on the built-in simulator
  iosxe-rotate payload --host 10.0.0.1 --login admin --user netops | iosxe-rotate

Exit codes: 0 rotated and saved; 1 failed, device holds the old password;
2 bad input, nothing sent; 3 failed, device changed or state unknown."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,
}

/// How a rotation or a check runs.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Title of the vault record with the device's host_endpoint, login and password
    /// (matched case-insensitively).
    #[arg(long, global = true, value_name = "TITLE", default_value = payload::DEFAULT_AUTH_RECORD_TITLE)]
    pub auth_record_title: String,

    /// Run this component file instead of the embedded one (requires --component-sha256).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        requires = "component_sha256"
    )]
    pub component: Option<PathBuf>,

    /// SHA-256 (hex) the --component file must have; it is refused otherwise.
    #[arg(long, global = true, value_name = "HEX", requires = "component")]
    pub component_sha256: Option<String>,

    #[command(flatten)]
    pub timing: Timing,

    /// Print one JSON object (the component's report or failure, the device state and
    /// the exit code) on stdout instead of the step lines.
    #[arg(long, global = true)]
    pub json: bool,

    /// Print only the final line.
    #[arg(short, long, global = true, conflicts_with = "json")]
    pub quiet: bool,

    /// Print where the run's time went (component ready, rotation, verification) to
    /// stderr; used by the benchmark.
    #[arg(long, global = true)]
    pub timings: bool,
}

impl Default for RunArgs {
    fn default() -> Self {
        RunArgs {
            auth_record_title: payload::DEFAULT_AUTH_RECORD_TITLE.into(),
            component: None,
            component_sha256: None,
            timing: Timing::default(),
            json: false,
            quiet: false,
            timings: false,
        }
    }
}

/// Time limits of a rotation (seconds; fractions allowed).
#[derive(Args, Debug, Clone)]
pub struct Timing {
    /// Longest wait for a TCP+TLS connection to the device.
    #[arg(long, global = true, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub connect_timeout: u32,

    /// Longest wait for one answer from the device.
    #[arg(long, global = true, value_name = "SECS", default_value = "30", value_parser = seconds)]
    pub request_timeout: u32,

    /// The whole rotation, retries and rollback included; the run always ends by then.
    #[arg(long, global = true, value_name = "SECS", default_value = "120", value_parser = seconds)]
    pub deadline: u32,

    /// First wait before retrying a transient failure (doubles each time, up to 8 s).
    #[arg(long, global = true, value_name = "SECS", default_value = "0.5", value_parser = seconds)]
    pub backoff: u32,
}

/// Parses seconds (e.g. `2.5`) into milliseconds, between 0.001 and 3600.
fn seconds(text: &str) -> Result<u32, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(0.001..=3600.0).contains(&secs) {
        return Err("expected between 0.001 and 3600 seconds".into());
    }
    Ok((secs * 1000.0).round() as u32)
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            connect_timeout: 10_000,
            request_timeout: 30_000,
            deadline: 120_000,
            backoff: 500,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the built-in IOS XE simulator on loopback and rotate a user on it through
    /// the sandbox, end to end (no device needed).
    #[command(after_help = "Example:\n  iosxe-rotate demo")]
    Demo,

    /// Dry run on the same stdin payload: TLS trust, admin login, the user's presence,
    /// credential kind and privilege, and what a rotation would do. Changes nothing (the
    /// runner lets only GET requests out). Exit 0: ready; 1: not ready; 2: bad input.
    #[command(after_help = "Example:\n  echo \"$BASE64_PAYLOAD\" | iosxe-rotate check")]
    Check,

    /// Print, from the component itself, what an auditor checks: its SHA-256 and size,
    /// the world it exports and every interface it imports, the runner and wasmtime
    /// versions, the egress rule and the limits. `--component` inspects a file instead.
    #[command(
        after_help = "Examples:\n  iosxe-rotate inspect\n  iosxe-rotate inspect --json\n  iosxe-rotate inspect --component other.wasm --component-sha256 HEX"
    )]
    Inspect,

    /// Build a Keeper-shaped payload line for testing by hand. Passwords are asked for
    /// (not echoed) on a terminal, or read from stdin one per line: admin password, new
    /// password, then optionally the old password. Never from the command line.
    #[command(after_help = "\
Examples:
  iosxe-rotate payload --host 10.0.0.1 --login admin --user netops | iosxe-rotate check
  printf '%s\\n' \"$ADMIN_PW\" \"$NEW_PW\" \"$OLD_PW\" | iosxe-rotate payload --host sw1:8443 \\
      --login admin --user netops --tls-fingerprint AB:CD:... > payload.txt")]
    Payload(PayloadArgs),
}

#[derive(Args, Debug)]
pub struct PayloadArgs {
    /// The device's host_endpoint: host[:port].
    #[arg(long, value_name = "HOST[:PORT]")]
    pub host: String,
    /// The admin login on the device (privilege 15).
    #[arg(long, value_name = "NAME")]
    pub login: String,
    /// The device user to rotate.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Pin the device certificate by SHA-256 (tls_fingerprint).
    #[arg(long, value_name = "HEX")]
    pub tls_fingerprint: Option<String>,
    /// Trust this PEM CA file (tls_ca).
    #[arg(long, value_name = "FILE", conflicts_with = "tls_fingerprint")]
    pub tls_ca: Option<PathBuf>,
    /// Do not verify the device certificate (tls_verify = false).
    #[arg(long, conflicts_with_all = ["tls_fingerprint", "tls_ca"])]
    pub insecure: bool,
}
