//! Builds the sealed rotation component from `guest/` for `wasm32-wasip2` and exposes its
//! path as `ROTATION_WASM`, so `cargo build` alone yields a runner with it embedded.
//!
//! The nested cargo (`scripts/build-component.sh`, also what auditors run) uses its own
//! target directory (sharing the outer one deadlocks on the build lock), no inherited
//! RUSTFLAGS, the workspace's Cargo.lock (`--locked`), and remapped paths so the
//! component's bytes do not depend on where it was built.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

// Shared with the runner, so the artifact matches the engine that loads it.
#[allow(dead_code)]
#[path = "src/engine.rs"]
mod engine;

const GUEST: &str = "iosxe-rotate-guest";
const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir.parent().unwrap().to_path_buf();
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    for path in [
        "guest",
        "payload",
        "wit",
        "Cargo.lock",
        "Cargo.toml",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }

    require_target();
    // One recipe for the runner's build and for auditors: scripts/build-component.sh.
    let target_dir = out_dir.join("guest-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new("sh")
        .arg(root.join("scripts/build-component.sh"))
        .arg(&target_dir)
        .env("CARGO", cargo)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("cannot run scripts/build-component.sh");
    assert!(
        status.success(),
        "building the guest component ({GUEST}) failed: see the errors above"
    );

    let wasm = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", GUEST.replace('-', "_")));
    let embedded = out_dir.join("rotation.wasm");
    std::fs::copy(&wasm, &embedded).expect("the guest build produced no component");
    println!("cargo:rustc-env=ROTATION_WASM={}", embedded.display());
    let digest: String = Sha256::digest(std::fs::read(&embedded).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!("cargo:rustc-env=ROTATION_SHA256={digest}");
    println!(
        "cargo:rustc-env=WASMTIME_VERSION={}",
        locked_version(&root, "wasmtime")
    );

    // The runner loads this instead of compiling the component at every start. The
    // `.wasm` above stays the audited artifact; this is derived from it, here.
    let precompiled = out_dir.join("rotation.cwasm");
    std::fs::write(&precompiled, precompile(&std::fs::read(&embedded).unwrap()))
        .expect("cannot write the precompiled component");
    println!("cargo:rustc-env=ROTATION_CWASM={}", precompiled.display());
    println!("cargo:rerun-if-changed=src/engine.rs");
}

fn precompile(wasm: &[u8]) -> Vec<u8> {
    let mut config = engine::config();
    let target = std::env::var("TARGET").unwrap();
    config
        .target(&target)
        .unwrap_or_else(|e| panic!("wasmtime cannot compile for {target}: {e}"));
    wasmtime::Engine::new(&config)
        .and_then(|engine| engine.precompile_component(wasm))
        .unwrap_or_else(|e| panic!("precompiling the component failed: {e:?}"))
}

/// Fails with the one command that fixes a missing `wasm32-wasip2` target.
fn require_target() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| PathBuf::from(s.trim()));
    let installed = sysroot.is_some_and(|s| s.join("lib/rustlib").join(TARGET).exists());
    if !installed {
        panic!(
            "\n\nThe {TARGET} Rust target is not installed; the sealed component needs it.\nInstall it with:\n\n    rustup target add {TARGET}\n\n"
        );
    }
}

/// The version of `package` in Cargo.lock (for `--version` and `inspect`).
fn locked_version(root: &Path, package: &str) -> String {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    let needle = format!("name = \"{package}\"\nversion = \"");
    lock.split_once(&needle)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map_or_else(|| "unknown".into(), |(version, _)| version.to_string())
}
