//! The capability sandbox: one engine, a linker holding exactly the imports of
//! `wit/rotation.wit`'s world, and a store per run whose only outside capability is the
//! egress-checked HTTP transport.

use crate::bindings::{CheckReport, Failure, Report, Rotator, Settings};
use crate::component::{PRECOMPILED, Source};
use crate::engine::{self, EPOCH_TICK_MS};
use crate::transport::EgressHooks;
use std::time::{Duration, Instant};
use wasmtime::component::{Component, HasData, Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::cli::{WasiCli, WasiCliView as _};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView as _};
use wasmtime_wasi::p2::bindings::{cli, clocks};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// Linear memory a component may grow to. The rotation needs a few MiB.
pub const MEMORY_LIMIT: usize = 64 * 1024 * 1024;
/// What the component may print before further output is dropped.
const OUTPUT_LIMIT: usize = 64 * 1024;

pub struct Sandbox {
    engine: Engine,
    linker: Linker<State>,
}

/// Per-run store data.
struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: EgressHooks,
    limits: StoreLimits,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

struct Io;
impl HasData for Io {
    type Data<'a> = &'a mut ResourceTable;
}

/// Which export to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Rotate,
    Check,
}

/// What the component returned.
pub enum Answer {
    Rotate(Result<Report, Failure>),
    Check(Result<CheckReport, Failure>),
}

/// What a run in the sandbox gave.
pub struct Finished {
    pub result: Result<Answer, SandboxError>,
    /// What the component wrote to stdout/stderr.
    pub output: bytes::Bytes,
    /// When the component was instantiated, ready to run its first instruction.
    pub ready: Option<Instant>,
}

/// How a run ended when the component did not return a result.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("the component could not be instantiated: {0:#}")]
    Instantiate(wasmtime::Error),
    #[error("{}", describe_trap(.0))]
    Trap(wasmtime::Error),
    #[error("the component did not finish within {0:?}")]
    Deadline(Duration),
}

impl Sandbox {
    pub fn new() -> wasmtime::Result<Sandbox> {
        let engine = Engine::new(&engine::config())?;
        // Epochs advance on their own thread; a store's deadline is counted in ticks.
        let ticker = engine.weak();
        std::thread::spawn(move || {
            while let Some(engine) = ticker.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(Duration::from_millis(EPOCH_TICK_MS));
            }
        });
        let mut linker = Linker::new(&engine);
        link_world_imports(&mut linker)?;
        Ok(Sandbox { engine, linker })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads the embedded component without compiling it, or compiles a `--component`
    /// file (whose digest the caller checked).
    pub fn load(&self, source: &Source) -> wasmtime::Result<Component> {
        match source {
            // SAFETY: `PRECOMPILED` was produced by this crate's build script from the
            // embedded component, with the same wasmtime version and `engine::config()`;
            // deserialize only ever sees bytes we made ourselves.
            Source::Embedded => unsafe { Component::deserialize(&self.engine, PRECOMPILED) },
            Source::File(bytes) => Component::new(&self.engine, bytes),
        }
    }

    /// Calls `call` in a fresh store whose only capability is `hooks`. Returns the
    /// component's answer, and whatever it printed.
    pub async fn run(
        &self,
        component: &Component,
        hooks: EgressHooks,
        call: Call,
        payload: &str,
        settings: &Settings,
        deadline: Duration,
    ) -> Finished {
        let output = MemoryOutputPipe::new(OUTPUT_LIMIT);
        // Defaults: no env, no args, no preopens, stdin closed, no sockets.
        let wasi = WasiCtx::builder()
            .stdout(output.clone())
            .stderr(output.clone())
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        let state = State {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            hooks,
            limits: StoreLimitsBuilder::new()
                .memory_size(MEMORY_LIMIT)
                .trap_on_grow_failure(true)
                .build(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        // Guest code (not host calls) traps once the deadline has passed.
        store.set_epoch_deadline((deadline.as_millis() as u64).div_ceil(EPOCH_TICK_MS));
        let mut ready = None;
        let call = async {
            let rotator = Rotator::instantiate_async(&mut store, component, &self.linker)
                .await
                .map_err(SandboxError::Instantiate)?;
            ready = Some(Instant::now());
            let rotation = rotator.keeper_iosxe_rotate_rotation();
            match call {
                Call::Rotate => rotation
                    .call_rotate(&mut store, payload, settings)
                    .await
                    .map(Answer::Rotate),
                Call::Check => rotation
                    .call_check(&mut store, payload, settings)
                    .await
                    .map(Answer::Check),
            }
            .map_err(SandboxError::Trap)
        };
        let result = match tokio::time::timeout(deadline, call).await {
            Ok(result) => result,
            Err(_) => Err(SandboxError::Deadline(deadline)),
        };
        Finished {
            result,
            output: output.contents(),
            ready,
        }
    }
}

/// Links exactly the imports of the `rotator` world: `wasi:io`, the monotonic clock, the
/// `wasi:cli` interfaces the Rust runtime needs (backed by an empty context), and
/// `wasi:http`. No filesystem, sockets, random or wall clock: a component importing any
/// of them fails to instantiate with the import's name.
fn link_world_imports(linker: &mut Linker<State>) -> wasmtime::Result<()> {
    use wasmtime_wasi_io::bindings::wasi::io;
    let l = linker;
    io::error::add_to_linker::<State, Io>(l, |s| &mut s.table)?;
    io::poll::add_to_linker::<State, Io>(l, |s| &mut s.table)?;
    io::streams::add_to_linker::<State, Io>(l, |s| &mut s.table)?;
    clocks::monotonic_clock::add_to_linker::<State, WasiClocks>(l, State::clocks)?;
    cli::environment::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::exit::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::stdin::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::stdout::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::stderr::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::terminal_input::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::terminal_output::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::terminal_stdin::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::terminal_stdout::add_to_linker::<State, WasiCli>(l, State::cli)?;
    cli::terminal_stderr::add_to_linker::<State, WasiCli>(l, State::cli)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(l)?;
    Ok(())
}

/// A trap in words: the limits a component can hit are named as such.
fn describe_trap(error: &wasmtime::Error) -> String {
    let text = format!("{error:?}");
    if matches!(
        error.downcast_ref::<wasmtime::Trap>(),
        Some(wasmtime::Trap::Interrupt)
    ) {
        "the component ran past the run's deadline and was stopped".into()
    } else if text.contains("growing memory") || text.contains("memory.grow") {
        format!(
            "the component tried to use more than its memory limit of {} MiB and was stopped",
            MEMORY_LIMIT >> 20
        )
    } else {
        format!("the component trapped: {error:#}")
    }
}
