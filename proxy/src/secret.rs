//! API keys and tokens: values that must never reach a response or a log line.

use std::fmt;
use std::sync::Arc;

/// A secret value. `Debug` and `Display` print a placeholder, so a secret
/// inside a config struct or an error cannot leak by formatting.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }
    /// The value itself, for the one header that carries it upstream.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Removes every known secret from text that came from outside (an upstream
/// error body may echo the key it rejected) before it is logged or returned.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    secrets: Vec<Secret>,
}

impl Redactor {
    pub fn new(secrets: impl IntoIterator<Item = Secret>) -> Self {
        Redactor { secrets: secrets.into_iter().filter(|s| !s.expose().is_empty()).collect() }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.expose()) {
                out = out.replace(s.expose(), "[redacted]");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_format_and_are_redacted_from_text() {
        let key = Secret::new("sk-ant-test-123");
        assert!(!format!("{key:?}").contains("sk-ant"));
        let r = Redactor::new([key, Secret::new("")]);
        assert_eq!(r.redact("invalid x-api-key sk-ant-test-123 given"), "invalid x-api-key [redacted] given");
    }
}
