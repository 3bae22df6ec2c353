//! Talking to language models. Only this module knows a provider's JSON.
//!
//! [`ChatModel`] is the seam: one prompt (system, user turn, assistant
//! prefill) in, the answer text and its token usage out. The task logic in
//! `crate::tasks` is written against it; `anthropic.rs` and `openai.rs`
//! implement it, `retry.rs` makes every call resilient.

pub mod anthropic;
mod http;
pub mod openai;
mod retry;

use std::future::Future;
use std::time::Duration;

pub use retry::with_retries;

/// One prompt, rendered.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub temperature: f32,
    pub max_tokens: u32,
    /// The shared prefix of every call of a task: instructions and privacy
    /// rules. Anthropic's prompt cache is keyed on it.
    pub system: String,
    pub user: String,
    /// The start of the assistant's answer, which the model continues.
    pub prefill: String,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Input tokens served from the provider's prompt cache.
    pub cache_read_tokens: u64,
    /// Input tokens written to the provider's prompt cache.
    pub cache_write_tokens: u64,
}

impl Usage {
    /// The cost in US dollars at the given price, with Anthropic's prompt
    /// cache multipliers (reads 0.1×, writes 1.25× the input price).
    pub fn cost(&self, price: crate::config::Price) -> f64 {
        let input = self.input_tokens as f64 + 0.1 * self.cache_read_tokens as f64 + 1.25 * self.cache_write_tokens as f64;
        (input * price.input + self.output_tokens as f64 * price.output) / 1e6
    }
}

/// The answer: the prefill followed by what the model wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatResponse {
    pub text: String,
    pub usage: Usage,
}

/// Why an upstream call failed, after retries where they apply.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum UpstreamError {
    #[error("the model server answered {status}: {body}")]
    Status { status: u16, body: String, retry_after: Option<Duration> },
    #[error("the model server did not answer within {0:?}")]
    Timeout(Duration),
    #[error("the connection to the model server failed: {0}")]
    Transport(String),
    #[error("the model server's answer could not be read: {0}")]
    Decode(String),
}

impl UpstreamError {
    /// What went wrong, without the body or message an upstream sent, which
    /// can quote the request and so the conversation: for logs.
    pub fn kind(&self) -> String {
        match self {
            UpstreamError::Status { status, .. } => format!("the model server answered {status}"),
            UpstreamError::Timeout(d) => format!("no answer within {d:?}"),
            UpstreamError::Transport(_) => "the connection failed".into(),
            UpstreamError::Decode(_) => "the answer could not be decoded".into(),
        }
    }

    /// Rate limits (429), overload (529), server errors, timeouts and broken
    /// bodies pass; client errors (400, 401, 403, 404) would fail again.
    pub fn is_transient(&self) -> bool {
        match self {
            UpstreamError::Status { status, .. } => matches!(status, 408 | 409 | 429) || *status >= 500,
            UpstreamError::Timeout(_) | UpstreamError::Transport(_) | UpstreamError::Decode(_) => true,
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            UpstreamError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A chat model behind some API.
pub trait ChatModel: Send + Sync + 'static {
    /// `anthropic` or `openai`: part of every cache key.
    fn backend_name(&self) -> &'static str;
    fn complete(&self, req: &ChatRequest) -> impl Future<Output = Result<ChatResponse, UpstreamError>> + Send;
}
