//! `iosxe-rotate inspect`: what an auditor compares with `wit/` and with their own build,
//! read from the component itself.

use crate::cli::RunArgs;
use crate::component::{Source, sha256_hex};
use crate::log::Log;
use crate::outcome::BAD_INPUT;
use crate::sandbox::{MEMORY_LIMIT, Sandbox};
use crate::transport::{
    MAX_CONCURRENT_REQUESTS, MAX_REQUEST_BODY, MAX_REQUESTS, MAX_RESPONSE_BODY,
};
use serde_json::json;
use std::process::ExitCode;
use wasmtime::component::types::ComponentItem;

pub const EGRESS_RULE: &str = "the component may send HTTPS requests only to the host and port of the admin record's host_endpoint (default port 443), connected to that validated address; every other host, port, scheme or authority with user information is denied; `check` lets only GET and HEAD out";

pub fn run(args: &RunArgs, source: &Source, wasm: &[u8], file: Option<&str>) -> ExitCode {
    let log = Log::default();
    let loaded = Sandbox::new().and_then(|sandbox| {
        let component = sandbox.load(source)?;
        Ok((sandbox, component))
    });
    let (sandbox, component) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            log.error(&format!("cannot load the component: {e:#}"));
            return ExitCode::from(BAD_INPUT);
        }
    };
    let engine = sandbox.engine();
    let ty = component.component_type();
    let imports: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    let exports: Vec<(String, Vec<String>)> = ty
        .exports(engine)
        .map(|(name, item)| {
            let functions = match item.ty {
                ComponentItem::ComponentInstance(instance) => instance
                    .exports(engine)
                    .filter(|(_, item)| matches!(item.ty, ComponentItem::ComponentFunc(_)))
                    .map(|(f, _)| f.to_string())
                    .collect(),
                _ => Vec::new(),
            };
            (name.to_string(), functions)
        })
        .collect();
    let limits = format!(
        "memory {} MiB; guest code stopped at --deadline + 5 s (epoch interruption); response body {} MiB; request body {} MiB; {MAX_CONCURRENT_REQUESTS} requests at once, {MAX_REQUESTS} per run",
        MEMORY_LIMIT >> 20,
        MAX_RESPONSE_BODY >> 20,
        MAX_REQUEST_BODY >> 20,
    );
    let digest = sha256_hex(wasm);
    let runner = format!("iosxe-rotate {}", env!("CARGO_PKG_VERSION"));
    let wasmtime = env!("WASMTIME_VERSION");
    if args.json {
        let report = json!({
            "component": file.unwrap_or("embedded"), "sha256": digest, "size": wasm.len(),
            "world": "keeper:iosxe-rotate/rotator",
            "exports": exports.iter().map(|(n, f)| json!({"name": n, "functions": f})).collect::<Vec<_>>(),
            "imports": imports, "runner": runner, "wasmtime": wasmtime,
            "egress": EGRESS_RULE, "limits": limits,
        });
        println!("{report}");
        return ExitCode::SUCCESS;
    }
    println!("component  {}", file.unwrap_or("embedded in this runner"));
    println!("sha256     {digest}");
    println!("size       {} bytes", wasm.len());
    println!("world      keeper:iosxe-rotate/rotator (wit/rotation.wit)");
    for (i, (name, functions)) in exports.iter().enumerate() {
        let label = if i == 0 { "exports" } else { "" };
        println!("{label:<10} {name} ({})", functions.join(", "));
    }
    for (i, name) in imports.iter().enumerate() {
        let label = if i == 0 { "imports" } else { "" };
        println!("{label:<10} {name}");
    }
    println!("runner     {runner}, wasmtime {wasmtime}");
    println!("egress     {EGRESS_RULE}");
    println!("limits     {limits}");
    ExitCode::SUCCESS
}
