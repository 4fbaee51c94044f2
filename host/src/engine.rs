//! The one wasmtime configuration, shared by `build.rs` (which precompiles the embedded
//! component with it) and the runner (which loads that artifact): a precompiled component
//! only loads into an engine configured the same way.

/// Epoch ticks are counted every this many milliseconds (see `sandbox.rs`).
pub const EPOCH_TICK_MS: u64 = 10;

pub fn config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model(true);
    // Guest code is interrupted at the next epoch check once its deadline passes: an
    // endless loop cannot outlive the run's deadline.
    config.epoch_interruption(true);
    config
}
