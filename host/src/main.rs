//! `iosxe-rotate`: the native runner Keeper executes as a post-rotation script.
//!
//! Order of a run: read the payload line from stdin (`input`), parse it with the shared
//! parser to learn the device endpoint and TLS trust (`payload`), build the egress policy
//! (`egress`) and TLS configuration (`tls`), load the sealed component (`component`) into
//! a sandbox that links only its world's imports (`sandbox`), call its `rotate` with the
//! line, and turn the result into log lines and an exit code (`outcome`). The component
//! does all device logic; the runner knows the envelope and the transport only.

mod bindings;
mod cli;
mod component;
mod demo;
mod egress;
mod engine;
mod input;
mod inspect;
mod log;
mod make_payload;
mod outcome;
mod run;
mod sandbox;
mod tls;
mod transport;

use clap::Parser as _;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Instant;

/// When `main` started (what `--timings` counts from).
static STARTED: OnceLock<Instant> = OnceLock::new();

fn main() -> ExitCode {
    STARTED.get_or_init(Instant::now);
    let cli = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            log::Log::default().error(&format!("cannot start the async runtime: {e}"));
            return ExitCode::from(outcome::BAD_INPUT);
        }
    };
    runtime.block_on(run::main(cli))
}
