//! `iosxe-rotate demo`: a real rotation through the sandbox against the built-in
//! simulator. Filled in by the onboarding issue.

use std::process::ExitCode;

pub async fn run() -> ExitCode {
    crate::log::Log::default().error("demo is not built yet");
    ExitCode::from(crate::outcome::BAD_INPUT)
}
