//! One rotation run, from the payload line to the exit code.

use crate::cli::{Cli, Command, Timing};
use crate::component::{self, Source};
use crate::egress::EgressPolicy;
use crate::log::Log;
use crate::outcome::{self, BAD_INPUT};
use crate::sandbox::{Finished, Sandbox};
use crate::transport::{EgressHooks, TransportFacts};
use crate::{bindings, input, tls};
use payload::TlsTrust;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroize as _;

pub async fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Demo) => crate::demo::run().await,
        None => {
            let line = match input::read_payload_line(std::io::stdin().lock()) {
                Ok(line) => line,
                Err(e) => return refuse(&Log::default(), &e.to_string()),
            };
            let component = match (&cli.component, &cli.component_sha256) {
                (Some(path), Some(digest)) => match component::read_pinned(path, digest) {
                    Ok(bytes) => Source::File(bytes),
                    Err(e) => return refuse(&Log::default(), &e.to_string()),
                },
                _ => Source::Embedded,
            };
            rotate(
                line,
                &cli.auth_record_title,
                &cli.timing,
                &component,
                cli.timings,
            )
            .await
        }
    }
}

/// Rotates with `line` as Keeper's payload, running `component`.
pub async fn rotate(
    mut line: String,
    auth_record_title: &str,
    timing: &Timing,
    component: &Source,
    timings: bool,
) -> ExitCode {
    let rotation = match payload::parse(&line, auth_record_title) {
        Ok(rotation) => rotation,
        Err(e) => {
            line.zeroize();
            return refuse(&Log::default(), &e.to_string());
        }
    };
    let log = Log::with_secrets(rotation.secrets());
    let device = rotation.endpoint.to_string();
    if rotation.tls == TlsTrust::Insecure {
        log.warn(&format!(
            "tls_verify is false on the admin record: the certificate of {device} is NOT verified, so anyone on the path can read the passwords; set tls_fingerprint instead"
        ));
    }
    let seen = tls::SeenCertificate::default();
    let tls_config = match tls::client_config(&rotation.tls, seen.clone()) {
        Ok(config) => config,
        Err(e) => return refuse(&log, &e.to_string()),
    };
    let facts = Arc::new(TransportFacts::default());
    let hooks = EgressHooks::new(
        EgressPolicy::new(rotation.endpoint.clone()),
        tls_config,
        seen,
        facts.clone(),
        log.clone(),
    );
    // The runner needs nothing else from the payload: drop (and zeroize) its secrets.
    drop(rotation);

    let sandbox = match Sandbox::new() {
        Ok(sandbox) => sandbox,
        Err(e) => return refuse(&log, &format!("cannot create the sandbox: {e:#}")),
    };
    let component = match sandbox.load(component) {
        Ok(component) => component,
        Err(e) => {
            return refuse(
                &log,
                &format!("the component is not a valid WebAssembly component: {e:#}"),
            );
        }
    };
    let settings = bindings::Settings {
        auth_record_title: auth_record_title.to_string(),
        connect_timeout_ms: timing.connect_timeout,
        request_timeout_ms: timing.request_timeout,
        deadline_ms: timing.deadline,
        backoff_ms: timing.backoff,
    };
    // The component keeps its own deadline; this backstop also covers a component that
    // does not (a hung host call, an endless loop in a foreign component).
    let backstop = Duration::from_millis(u64::from(timing.deadline)) + Duration::from_secs(5);
    let called = Instant::now();
    let finished = sandbox
        .rotate(&component, hooks, &line, &settings, backstop)
        .await;
    line.zeroize();
    log.component_output(&finished.output);
    if timings {
        print_timings(&finished, called, &log);
    }
    outcome::finish(finished.result, &facts, &device, &log)
}

/// `--timings`: where the run's time went, for the benchmark.
fn print_timings(finished: &Finished, called: Instant, log: &Log) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let start = *crate::STARTED.get_or_init(Instant::now);
    let verify: u32 = match &finished.result {
        Ok(Ok(report)) => report
            .steps
            .iter()
            .filter(|s| s.name == "verify")
            .map(|s| s.elapsed_ms)
            .sum(),
        _ => 0,
    };
    let ready = finished.ready.unwrap_or(called);
    log.warn(&format!(
        "timings: ready_ms={:.2} rotation_ms={:.2} verify_ms={verify} total_ms={:.2}",
        ms(ready - start),
        ms(ready.elapsed()),
        ms(start.elapsed())
    ));
}

fn refuse(log: &Log, message: &str) -> ExitCode {
    log.error(&format!("{message}; nothing was sent to the device"));
    ExitCode::from(BAD_INPUT)
}
