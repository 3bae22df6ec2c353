//! Anthropic's Messages API, and its Message Batches API for large extractions.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::http::{json, send};
use super::{with_retries, ChatModel, ChatRequest, ChatResponse, UpstreamError, Usage};
use crate::config::RetryPolicy;
use crate::secret::{Redactor, Secret};

const API_VERSION: &str = "2023-06-01";

#[derive(Clone)]
pub struct Anthropic {
    http: reqwest::Client,
    base_url: String,
    key: Secret,
    retry: RetryPolicy,
    /// Caps the calls in flight towards Anthropic, whoever asks.
    permits: Arc<Semaphore>,
    redactor: Redactor,
}

impl Anthropic {
    pub fn new(http: reqwest::Client, base_url: String, key: Secret, retry: RetryPolicy, permits: Arc<Semaphore>, redactor: Redactor) -> Self {
        Anthropic { http, base_url, key, retry, permits, redactor }
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(format!("{}{path}", self.base_url)).header("x-api-key", self.key.expose()).header("anthropic-version", API_VERSION)
    }

    /// Sends `build()` with retries, one concurrency permit per attempt.
    async fn call(&self, build: impl Fn() -> reqwest::RequestBuilder) -> Result<bytes::Bytes, UpstreamError> {
        with_retries(&self.retry, || async {
            let _permit = self.permits.acquire().await.map_err(|_| UpstreamError::Transport("the proxy is shutting down".into()))?;
            send(build(), self.retry.timeout, &self.redactor).await
        })
        .await
    }

    /// Starts a Message Batch of many prompts; returns the batch id.
    pub async fn create_batch(&self, requests: &[(String, ChatRequest)]) -> Result<String, UpstreamError> {
        let body = json!({
            "requests": requests.iter().map(|(id, r)| json!({ "custom_id": id, "params": params(r) })).collect::<Vec<_>>()
        });
        let bytes = self.call(|| self.post("/v1/messages/batches").json(&body)).await?;
        let batch: BatchObject = json(&bytes)?;
        Ok(batch.id)
    }

    /// Whether the batch has ended, and where its results are.
    pub async fn batch_status(&self, batch_id: &str) -> Result<BatchStatus, UpstreamError> {
        let url = format!("{}/v1/messages/batches/{batch_id}", self.base_url);
        let bytes = self.call(|| self.http.get(&url).header("x-api-key", self.key.expose()).header("anthropic-version", API_VERSION)).await?;
        let batch: BatchObject = json(&bytes)?;
        Ok(BatchStatus { ended: batch.processing_status == "ended", results_url: batch.results_url })
    }

    /// The results of an ended batch, by custom id, with each prompt's prefill put back.
    pub async fn batch_results(
        &self,
        results_url: &str,
        prefills: &std::collections::HashMap<String, String>,
    ) -> Result<Vec<(String, Result<ChatResponse, String>)>, UpstreamError> {
        // The address comes from the upstream's answer: the key goes there
        // only if it is the configured server's own origin.
        if !same_origin(results_url, &self.base_url) {
            return Err(UpstreamError::Decode(format!("the batch's results_url is not at the origin of {}, so the key is not sent there", self.base_url)));
        }
        let bytes = self.call(|| self.http.get(results_url).header("x-api-key", self.key.expose()).header("anthropic-version", API_VERSION)).await?;
        let text = String::from_utf8_lossy(&bytes);
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: BatchResultLine = serde_json::from_str(line).map_err(|e| UpstreamError::Decode(format!("a batch result line: {e}")))?;
            let outcome = match row.result.kind.as_str() {
                "succeeded" => match row.result.message {
                    Some(m) => Ok(m.into_response(prefills.get(&row.custom_id).map(String::as_str).unwrap_or(""))),
                    None => Err("the batch said succeeded but sent no message".to_string()),
                },
                other => Err(self.redactor.redact(&format!("the batch item {other}: {}", row.result.error.map(|e| e.to_string()).unwrap_or_default()))),
            };
            out.push((row.custom_id, outcome));
        }
        Ok(out)
    }
}

/// Whether two URLs share scheme, host and port. Anything that does not
/// parse is no origin of ours.
fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin(),
        _ => false,
    }
}

pub struct BatchStatus {
    pub ended: bool,
    pub results_url: Option<String>,
}

/// The request body of one prompt. The system prompt (the part shared by
/// every call of a task) is marked for Anthropic's prompt cache.
fn params(r: &ChatRequest) -> Value {
    let mut messages = vec![json!({ "role": "user", "content": r.user })];
    // The API refuses a final assistant turn that ends in whitespace.
    let prefill = r.prefill.trim_end();
    if !prefill.is_empty() {
        messages.push(json!({ "role": "assistant", "content": prefill }));
    }
    json!({
        "model": r.model,
        "max_tokens": r.max_tokens,
        "temperature": r.temperature,
        "system": [{ "type": "text", "text": r.system, "cache_control": { "type": "ephemeral" } }],
        "messages": messages,
    })
}

impl ChatModel for Anthropic {
    fn backend_name(&self) -> &'static str {
        "anthropic"
    }

    async fn complete(&self, req: &ChatRequest) -> Result<ChatResponse, UpstreamError> {
        let body = params(req);
        let bytes = self.call(|| self.post("/v1/messages").json(&body)).await?;
        let message: Message = json(&bytes)?;
        Ok(message.into_response(req.prefill.trim_end()))
    }
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Vec<ContentBlock>,
    #[serde(default)]
    usage: MessageUsage,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize, Default)]
struct MessageUsage {
    #[serde(default)]
    input_tokens: u64,
    #[serde(default)]
    output_tokens: u64,
    #[serde(default)]
    cache_read_input_tokens: Option<u64>,
    #[serde(default)]
    cache_creation_input_tokens: Option<u64>,
}

impl Message {
    fn into_response(self, prefill: &str) -> ChatResponse {
        let mut text = prefill.to_string();
        for block in self.content.into_iter().filter(|b| b.kind == "text") {
            text.push_str(&block.text);
        }
        let u = self.usage;
        ChatResponse {
            text,
            usage: Usage {
                input_tokens: u.input_tokens,
                output_tokens: u.output_tokens,
                cache_read_tokens: u.cache_read_input_tokens.unwrap_or(0),
                cache_write_tokens: u.cache_creation_input_tokens.unwrap_or(0),
            },
        }
    }
}

#[derive(Deserialize)]
struct BatchObject {
    id: String,
    processing_status: String,
    #[serde(default)]
    results_url: Option<String>,
}

#[derive(Deserialize)]
struct BatchResultLine {
    custom_id: String,
    result: BatchResult,
}

#[derive(Deserialize)]
struct BatchResult {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    message: Option<Message>,
    #[serde(default)]
    error: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_marks_the_system_prompt_for_caching_and_trims_the_prefill() {
        let p =
            params(&ChatRequest { model: "m".into(), temperature: 0.2, max_tokens: 10, system: "sys".into(), user: "u".into(), prefill: "<answer> ".into() });
        assert_eq!(p["system"][0]["cache_control"]["type"], "ephemeral");
        assert_eq!(p["messages"][1]["content"], "<answer>");
        let p = params(&ChatRequest { model: "m".into(), temperature: 0.2, max_tokens: 10, system: "s".into(), user: "u".into(), prefill: String::new() });
        assert_eq!(p["messages"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_message_becomes_prefill_plus_text_with_cache_usage() {
        let m: Message = serde_json::from_str(
            r#"{"content":[{"type":"text","text":"yes</answer>"}],"usage":{"input_tokens":5,"output_tokens":2,"cache_read_input_tokens":100}}"#,
        )
        .unwrap();
        let r = m.into_response("<answer>");
        assert_eq!(r.text, "<answer>yes</answer>");
        assert_eq!(r.usage.cache_read_tokens, 100);
    }
}
