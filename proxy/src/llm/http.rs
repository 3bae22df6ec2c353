//! One HTTP exchange with a model server, its failures sorted into
//! [`UpstreamError`]s that say whether a retry may help.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::UpstreamError;
use crate::secret::Redactor;

/// Upstream error bodies are cut to this many characters before they are
/// logged or passed on.
const ERROR_BODY_CHARS: usize = 400;

/// Sends `request` and returns the body of a 2xx answer.
pub async fn send(request: reqwest::RequestBuilder, timeout: Duration, redactor: &Redactor) -> Result<bytes::Bytes, UpstreamError> {
    let response = request.timeout(timeout).send().await.map_err(|e| classify(e, timeout, redactor))?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    // A body that breaks off midway (the connection closes before
    // Content-Length bytes arrived) is a transport error, and transient.
    let body = response.bytes().await.map_err(|e| classify(e, timeout, redactor))?;
    if status.is_success() {
        return Ok(body);
    }
    let text: String = String::from_utf8_lossy(&body).chars().take(ERROR_BODY_CHARS).collect();
    Err(UpstreamError::Status { status: status.as_u16(), body: redactor.redact(&text), retry_after })
}

/// Parses a 2xx body as JSON; a truncated or garbled body is transient.
pub fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, UpstreamError> {
    serde_json::from_slice(body).map_err(|e| UpstreamError::Decode(e.to_string()))
}

fn classify(e: reqwest::Error, timeout: Duration, redactor: &Redactor) -> UpstreamError {
    if e.is_timeout() {
        UpstreamError::Timeout(timeout)
    } else {
        // reqwest's messages name the URL, never the headers; redact anyway.
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        UpstreamError::Transport(redactor.redact(&msg))
    }
}

/// `retry-after` in seconds (what Anthropic and OpenAI send), capped at a minute.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(60.0)))
}
