//! Building the test components (tests/hostile, tests/hostile-imports) once per test run.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A built test component: its path and SHA-256 (hex), as `--component` wants them.
pub struct Built {
    pub path: PathBuf,
    pub sha256: String,
}

impl Built {
    /// `--component PATH --component-sha256 HEX`, followed by `extra`.
    pub fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "--component",
            self.path.to_str().unwrap(),
            "--component-sha256",
            &self.sha256,
        ];
        args.extend_from_slice(extra);
        args
    }
}

pub fn hostile() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build("hostile-guest"))
}

pub fn hostile_imports() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build("hostile-imports"))
}

fn build(package: &str) -> Built {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("test-components");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            "wasm32-wasip2",
            "-p",
            package,
        ])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(
        status.success(),
        "building the test component {package} failed"
    );
    let path = target.join(format!(
        "wasm32-wasip2/release/{}.wasm",
        package.replace('-', "_")
    ));
    let sha256 = sha256_hex(&std::fs::read(&path).unwrap());
    Built { path, sha256 }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
