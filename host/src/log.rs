//! Everything the runner prints goes through [`Log`], which masks every secret of the
//! payload: a device (or a hostile component) echoing a password cannot put it in the
//! run's output.

use payload::{ExposeSecret, SecretString};
use std::io::Write;
use std::sync::Arc;

#[derive(Clone, Default)]
pub struct Log {
    secrets: Arc<Vec<SecretString>>,
}

impl Log {
    pub fn with_secrets<'a>(secrets: impl Iterator<Item = &'a str>) -> Log {
        let secrets: Vec<SecretString> = secrets
            .filter(|s| !s.is_empty())
            .map(|s| SecretString::from(s.to_string()))
            .collect();
        Log {
            secrets: Arc::new(secrets),
        }
    }

    pub fn redact(&self, text: &str) -> String {
        payload::redact(text, self.secrets.iter().map(|s| s.expose_secret()))
    }

    /// A line of the run's log (stdout).
    pub fn info(&self, line: &str) {
        let _ = writeln!(std::io::stdout().lock(), "{}", self.redact(line));
    }

    /// A diagnostic (stderr).
    pub fn warn(&self, line: &str) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "iosxe-rotate: warning: {}",
            self.redact(line)
        );
    }

    /// The one line that says why the run failed (stderr).
    pub fn error(&self, line: &str) {
        let _ = writeln!(
            std::io::stderr().lock(),
            "iosxe-rotate: error: {}",
            self.redact(line)
        );
    }

    /// Output the component wrote to its stdout/stderr, forwarded to stderr.
    pub fn component_output(&self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        for line in text.lines() {
            let _ = writeln!(std::io::stderr().lock(), "component: {}", self.redact(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_secret_longest_first() {
        let log = Log::with_secrets(["abc", "abcdef", ""].into_iter());
        assert_eq!(log.redact("x abcdef y abc"), "x ******** y ********");
    }
}
