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

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the built-in IOS XE simulator on loopback and rotate a user on it through
    /// the sandbox, end to end (no device needed).
    Demo,
}
