//! Which component runs: the sealed one embedded at build time, or a file pinned by its
//! SHA-256 (checked before anything is compiled).

use sha2::{Digest, Sha256};
use std::path::Path;

/// The rotation component built from `guest/` by `build.rs`: the audited artifact.
pub static EMBEDDED: &[u8] = include_bytes!(env!("ROTATION_WASM"));

/// [`EMBEDDED`] precompiled by `build.rs` with `engine::config()`, loaded without JIT.
pub static PRECOMPILED: &[u8] = include_bytes!(env!("ROTATION_CWASM"));

/// Which component a run uses.
pub enum Source {
    /// The sealed component built into the runner (loaded precompiled).
    Embedded,
    /// A `--component` file whose digest was checked (compiled at load).
    File(Vec<u8>),
}

#[derive(Debug, thiserror::Error)]
pub enum ComponentError {
    #[error("cannot read component {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("--component-sha256 is not 64 hex digits")]
    BadDigest,
    #[error("component {path} has SHA-256 {actual}, not the pinned {expected}: refusing to run it")]
    Mismatch {
        path: String,
        actual: String,
        expected: String,
    },
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads `path` and returns its bytes only if their SHA-256 is `expected` (hex).
pub fn read_pinned(path: &Path, expected: &str) -> Result<Vec<u8>, ComponentError> {
    let expected = payload::parse_fingerprint(expected).ok_or(ComponentError::BadDigest)?;
    let expected: String = expected.iter().map(|b| format!("{b:02x}")).collect();
    let bytes = std::fs::read(path).map_err(|error| ComponentError::Read {
        path: path.display().to_string(),
        error,
    })?;
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(ComponentError::Mismatch {
            path: path.display().to_string(),
            actual,
            expected,
        });
    }
    Ok(bytes)
}
