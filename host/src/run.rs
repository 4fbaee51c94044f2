//! One run, from the payload line to the exit code.

use crate::cli::{Cli, Command, RunArgs};
use crate::component::{self, Source};
use crate::egress::EgressPolicy;
use crate::log::Log;
use crate::outcome::{self, BAD_INPUT, Mode};
use crate::sandbox::{Call, Finished, Sandbox};
use crate::transport::{EgressHooks, TransportFacts};
use crate::{bindings, input, tls};
use payload::TlsTrust;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroize as _;

pub async fn main(cli: Cli) -> ExitCode {
    let source = match (&cli.run.component, &cli.run.component_sha256) {
        (Some(path), Some(digest)) => match component::read_pinned(path, digest) {
            Ok(bytes) => Source::File(bytes),
            Err(e) => return refuse(&Log::default(), &e.to_string()),
        },
        _ => Source::Embedded,
    };
    let call = match cli.command {
        Some(Command::Demo) => return crate::demo::run().await,
        Some(Command::Payload(args)) => return crate::make_payload::run(&args, &cli.run),
        Some(Command::Inspect) => {
            let file = cli.run.component.as_ref().map(|p| p.display().to_string());
            let wasm = match &source {
                Source::File(bytes) => bytes.as_slice(),
                Source::Embedded => component::EMBEDDED,
            };
            return crate::inspect::run(&cli.run, &source, wasm, file.as_deref());
        }
        Some(Command::Check) => Call::Check,
        None => Call::Rotate,
    };
    let line = match input::read_payload_line(std::io::stdin().lock()) {
        Ok(line) => line,
        Err(e) => return refuse(&Log::default(), &e.to_string()),
    };
    run(line, &cli.run, &source, call).await
}

/// Runs `call` with `line` as Keeper's payload in the sandbox.
pub async fn run(mut line: String, args: &RunArgs, source: &Source, call: Call) -> ExitCode {
    let rotation = match payload::parse(&line, &args.auth_record_title) {
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
    let trust = describe_trust(&rotation.tls);
    let seen = tls::SeenCertificate::default();
    let tls_config = match tls::client_config(&rotation.tls, seen.clone()) {
        Ok(config) => config,
        Err(e) => return refuse(&log, &e.to_string()),
    };
    let policy = EgressPolicy::new(rotation.endpoint.clone());
    let policy = match call {
        Call::Rotate => policy,
        // The runner, not the component, guarantees that a dry run changes nothing.
        Call::Check => policy.read_only(),
    };
    let facts = Arc::new(TransportFacts::default());
    let hooks = EgressHooks::new(policy, tls_config, seen.clone(), facts.clone(), log.clone());
    // The runner needs nothing else from the payload: drop (and zeroize) its secrets.
    drop(rotation);

    let sandbox = match Sandbox::new() {
        Ok(sandbox) => sandbox,
        Err(e) => return refuse(&log, &format!("cannot create the sandbox: {e:#}")),
    };
    let component = match sandbox.load(source) {
        Ok(component) => component,
        Err(e) => {
            return refuse(
                &log,
                &format!("the component is not a valid WebAssembly component: {e:#}"),
            );
        }
    };
    let timing = &args.timing;
    let settings = bindings::Settings {
        auth_record_title: args.auth_record_title.clone(),
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
        .run(&component, hooks, call, &line, &settings, backstop)
        .await;
    line.zeroize();
    log.component_output(&finished.output);
    if args.timings {
        print_timings(&finished, called, &log);
    }
    let mode = match (args.json, args.quiet) {
        (true, _) => Mode::Json,
        (false, true) => Mode::Quiet,
        (false, false) => Mode::Text,
    };
    let fingerprint = seen
        .lock()
        .ok()
        .and_then(|s| *s)
        .map(|fp| tls::format_fingerprint(&fp));
    let context = outcome::Context {
        what: match call {
            Call::Rotate => "rotation",
            Call::Check => "check (not ready)",
        },
        device: &device,
        trust: &trust,
        fingerprint: fingerprint.as_deref(),
        facts: &facts,
        log: &log,
        mode,
    };
    outcome::finish(finished.result, &context)
}

fn describe_trust(trust: &TlsTrust) -> String {
    match trust {
        TlsTrust::WebPki => "public roots (webpki) and host name".into(),
        TlsTrust::Ca(_) => "the admin record's tls_ca and host name".into(),
        TlsTrust::Pinned(_) => "the admin record's tls_fingerprint pin".into(),
        TlsTrust::Insecure => "nothing (tls_verify = false)".into(),
    }
}

/// `--timings`: where the run's time went, for the benchmark.
fn print_timings(finished: &Finished, called: Instant, log: &Log) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let start = *crate::STARTED.get_or_init(Instant::now);
    let verify: u32 = match &finished.result {
        Ok(crate::sandbox::Answer::Rotate(Ok(report))) => report
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
