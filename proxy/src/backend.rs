//! The analyst the configuration chose, behind one type the routes use.

use std::sync::Arc;

use kleio_core::analyst::Analyst;
use kleio_core::offline::OfflineAnalyst;
use serde::Serialize;
use tokio::sync::Semaphore;

use crate::cache::ResponseCache;
use crate::config::{BackendConfig, Config, Price};
use crate::llm::anthropic::Anthropic;
use crate::llm::openai::OpenAiCompatible;
use crate::prompts::Prompts;
use crate::secret::Redactor;
use crate::spend::{RunBudget, SpendLedger, UNNAMED_RUN};

#[derive(Clone)]
pub enum Backend {
    Offline(OfflineAnalyst),
    Anthropic { analyst: LlmAnalyst<Anthropic>, message_batches: bool },
    OpenAi(LlmAnalyst<OpenAiCompatible>),
}

pub use crate::tasks::LlmAnalyst;

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Prompts(#[from] crate::prompts::TemplateError),
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
}

/// What `GET /api/v1/backend` reports.
#[derive(Serialize)]
pub struct BackendInfo {
    pub backend: &'static str,
    pub description: String,
    pub models: Vec<ModelInfo>,
    /// Whether batch extraction goes through Anthropic's Message Batches API (half price).
    pub message_batches: bool,
    /// Share of task calls answered from the cache since start-up; null before the first.
    pub cache_hit_rate: Option<f64>,
    pub cache_lookups: u64,
    /// US dollars spent upstream since start-up.
    pub spent_usd: f64,
    pub max_run_usd: Option<f64>,
    /// Where a conversation is cut before an LLM reads it, in tokens.
    pub conversation_tokens: usize,
}

#[derive(Serialize)]
pub struct ModelInfo {
    /// `fast` (extraction, screening, audit) or `strong` (naming, hierarchy).
    pub role: &'static str,
    pub name: String,
    pub temperature: f32,
    /// US dollars per million input and output tokens.
    pub price_per_million_tokens: Price,
}

impl Backend {
    pub fn from_config(config: &Config, cache: ResponseCache, ledger: Arc<SpendLedger>, redactor: Redactor) -> Result<Backend, BackendError> {
        let budget = RunBudget::new(ledger, UNNAMED_RUN);
        let permits = Arc::new(Semaphore::new(config.limits.upstream_concurrency));
        let http = || reqwest::Client::builder().connect_timeout(std::time::Duration::from_secs(10)).build().map_err(|e| BackendError::Http(e.to_string()));
        Ok(match &config.backend {
            BackendConfig::Offline => Backend::Offline(OfflineAnalyst::new(0)),
            BackendConfig::Anthropic { base_url, key, fast, strong, message_batches } => {
                let model = Anthropic::new(http()?, base_url.clone(), key.clone(), config.retry.clone(), permits, redactor);
                Backend::Anthropic { analyst: LlmAnalyst::new(model, fast.clone(), strong.clone(), Prompts::load()?, cache, &config.retry, budget), message_batches: *message_batches }
            }
            BackendConfig::OpenAiCompatible { base_url, key, fast, strong } => {
                let model = OpenAiCompatible::new(http()?, base_url.clone(), key.clone(), config.retry.clone(), permits, redactor);
                Backend::OpenAi(LlmAnalyst::new(model, fast.clone(), strong.clone(), Prompts::load()?, cache, &config.retry, budget))
            }
        })
    }

    /// The same backend, charging upstream calls to `budget`'s run.
    pub fn for_run(&self, budget: RunBudget) -> Backend {
        match self {
            Backend::Offline(a) => Backend::Offline(a.clone()),
            Backend::Anthropic { analyst, message_batches } => Backend::Anthropic { analyst: analyst.for_run(budget), message_batches: *message_batches },
            Backend::OpenAi(a) => Backend::OpenAi(a.for_run(budget)),
        }
    }

    pub fn info(&self, ledger: &SpendLedger, conversation_tokens: usize) -> BackendInfo {
        let llm = |name: &'static str, a_models: (&crate::config::ModelChoice, &crate::config::ModelChoice), cache: &ResponseCache, batches: bool| {
            let (hits, misses) = cache.lookups();
            BackendInfo {
                backend: name,
                description: self.describe(),
                models: [("fast", a_models.0), ("strong", a_models.1)]
                    .into_iter()
                    .map(|(role, m)| ModelInfo { role, name: m.name.clone(), temperature: m.temperature, price_per_million_tokens: m.price })
                    .collect(),
                message_batches: batches,
                cache_hit_rate: cache.hit_rate(),
                cache_lookups: hits + misses,
                spent_usd: ledger.total(),
                max_run_usd: ledger.cap(),
                conversation_tokens,
            }
        };
        match self {
            Backend::Offline(_) => BackendInfo {
                backend: "offline",
                description: self.describe(),
                models: Vec::new(),
                message_batches: false,
                cache_hit_rate: None,
                cache_lookups: 0,
                spent_usd: 0.0,
                max_run_usd: ledger.cap(),
                conversation_tokens,
            },
            Backend::Anthropic { analyst, message_batches } => llm("anthropic", analyst.models(), analyst.cache(), *message_batches),
            Backend::OpenAi(a) => llm("openai", a.models(), a.cache(), false),
        }
    }
}

kleio_core::delegate_analyst!(Backend, a, [Backend::Offline(a), Backend::Anthropic { analyst: a, .. }, Backend::OpenAi(a)]);
