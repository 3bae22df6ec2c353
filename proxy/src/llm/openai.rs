//! Any OpenAI-compatible chat-completions server: vLLM, llama.cpp's server, Ollama.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;
use tokio::sync::Semaphore;

use super::http::{json, send};
use super::{with_retries, ChatModel, ChatRequest, ChatResponse, UpstreamError, Usage};
use crate::config::RetryPolicy;
use crate::secret::{Redactor, Secret};

#[derive(Clone)]
pub struct OpenAiCompatible {
    http: reqwest::Client,
    /// Up to and including the version, for example `http://localhost:8000/v1`.
    base_url: String,
    key: Option<Secret>,
    retry: RetryPolicy,
    permits: Arc<Semaphore>,
    redactor: Redactor,
}

impl OpenAiCompatible {
    pub fn new(http: reqwest::Client, base_url: String, key: Option<Secret>, retry: RetryPolicy, permits: Arc<Semaphore>, redactor: Redactor) -> Self {
        OpenAiCompatible { http, base_url, key, retry, permits, redactor }
    }
}

/// Chat-completions servers cannot all continue a started answer, so the
/// prefill becomes an instruction, and is put back in front of an answer
/// that did not repeat it.
fn body(r: &ChatRequest) -> serde_json::Value {
    let prefill = r.prefill.trim();
    let user = if prefill.is_empty() { r.user.clone() } else { format!("{}\n\nBegin your reply with exactly: {prefill}", r.user) };
    json!({
        "model": r.model,
        "temperature": r.temperature,
        "max_tokens": r.max_tokens,
        "messages": [
            { "role": "system", "content": r.system },
            { "role": "user", "content": user },
        ],
    })
}

fn with_prefill(prefill: &str, answer: &str) -> String {
    let prefill = prefill.trim();
    let answer = answer.trim_start();
    // The tag the prefill opens last (`<answer>`): if the reply opens it
    // itself, the reply stands alone.
    let opened = prefill.rfind('<').map(|i| prefill[i..].to_ascii_lowercase());
    let repeats = opened.is_some_and(|tag| answer.to_ascii_lowercase().contains(&tag));
    if prefill.is_empty() || answer.starts_with(prefill) || repeats {
        answer.to_string()
    } else {
        format!("{prefill}{answer}")
    }
}

impl ChatModel for OpenAiCompatible {
    fn backend_name(&self) -> &'static str {
        "openai"
    }

    async fn complete(&self, req: &ChatRequest) -> Result<ChatResponse, UpstreamError> {
        let url = format!("{}/chat/completions", self.base_url);
        let payload = body(req);
        let bytes = with_retries(&self.retry, || async {
            let _permit = self.permits.acquire().await.map_err(|_| UpstreamError::Transport("the proxy is shutting down".into()))?;
            let mut request = self.http.post(&url).json(&payload);
            if let Some(key) = &self.key {
                request = request.bearer_auth(key.expose());
            }
            send(request, self.retry.timeout, &self.redactor).await
        })
        .await?;
        let completion: Completion = json(&bytes)?;
        let answer = completion
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .ok_or_else(|| UpstreamError::Decode("the answer had no message content".into()))?;
        Ok(ChatResponse {
            text: with_prefill(&req.prefill, &answer),
            usage: Usage { input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens, ..Usage::default() },
        })
    }
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: CompletionUsage,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize, Default)]
struct CompletionUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefill_is_asked_for_and_put_back_when_missing() {
        let b = body(&ChatRequest { model: "m".into(), temperature: 0.0, max_tokens: 5, system: "s".into(), user: "u".into(), prefill: "<answer>".into() });
        assert!(b["messages"][1]["content"].as_str().unwrap().ends_with("exactly: <answer>"));
        assert_eq!(with_prefill("<answer>", "yes</answer>"), "<answer>yes</answer>");
        assert_eq!(with_prefill("<answer>", " <answer>yes</answer>"), "<answer>yes</answer>");
        assert_eq!(with_prefill("My answer: <answer>", "<ANSWER>yes</answer>"), "<ANSWER>yes</answer>");
    }
}
