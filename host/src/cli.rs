//! Command-line flags.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "iosxe-rotate",
    version,
    about = "Rotates a Cisco IOS XE user's password for Keeper PAM, inside a WebAssembly sandbox that may reach only the device.",
    after_help = "Keeper pipes the payload on stdin:\n  echo \"$BASE64_PAYLOAD\" | iosxe-rotate\n\nExit codes: 0 rotated and saved; 1 failed, device unchanged; 2 bad input; 3 failed, device changed or state unknown."
)]
pub struct Cli {
    /// Title of the vault record with the device's host_endpoint, login and password
    /// (matched case-insensitively).
    #[arg(long, value_name = "TITLE", default_value = payload::DEFAULT_AUTH_RECORD_TITLE)]
    pub auth_record_title: String,

    /// Run this component file instead of the embedded one (requires --component-sha256).
    #[arg(long, value_name = "FILE", requires = "component_sha256")]
    pub component: Option<PathBuf>,

    /// SHA-256 (hex) the --component file must have; it is refused otherwise.
    #[arg(long, value_name = "HEX", requires = "component")]
    pub component_sha256: Option<String>,

    #[command(flatten)]
    pub timing: Timing,

    /// Print where the run's time went (component ready, rotation, verification) to
    /// stderr; used by the benchmark.
    #[arg(long)]
    pub timings: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Time limits of a rotation (seconds; fractions allowed).
#[derive(clap::Args, Debug, Clone)]
pub struct Timing {
    /// Longest wait for a TCP+TLS connection to the device.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
    pub connect_timeout: u32,

    /// Longest wait for one answer from the device.
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = seconds)]
    pub request_timeout: u32,

    /// The whole rotation, retries and rollback included; the run always ends by then.
    #[arg(long, value_name = "SECS", default_value = "120", value_parser = seconds)]
    pub deadline: u32,

    /// First wait before retrying a transient failure (doubles each time, up to 8 s).
    #[arg(long, value_name = "SECS", default_value = "0.5", value_parser = seconds)]
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
    Demo,
}
