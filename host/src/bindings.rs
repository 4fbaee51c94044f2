//! Host bindings generated from `wit/` (the only contract). Imports map to the
//! wasmtime-wasi and wasmtime-wasi-http implementations; `sandbox.rs` links them.
#![allow(missing_docs, clippy::all)]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "keeper:iosxe-rotate/rotator",
    exports: { default: async },
    require_store_data_send: true,
    with: {
        "wasi:http": wasmtime_wasi_http::p2::bindings::http,
        "wasi:io": wasmtime_wasi::p2::bindings::io,
        "wasi:clocks": wasmtime_wasi::p2::bindings::clocks,
        "wasi:cli": wasmtime_wasi::p2::bindings::cli,
    },
});

pub use exports::keeper::iosxe_rotate::rotation::{
    CheckReport, CredentialKind, DeviceState, Failure, FailureKind, Report, Settings, Step,
    Verification,
};
