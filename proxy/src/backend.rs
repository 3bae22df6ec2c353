//! The analyst the configuration chose, behind one type the routes use.

use std::sync::Arc;

use kleio_core::analyst::Analyst;
use kleio_core::api::{BackendInfo, BackendKind, ModelInfo, ModelRole};
use kleio_core::offline::OfflineAnalyst;
use tokio::sync::Semaphore;

use crate::cache::ResponseCache;
use crate::config::{BackendConfig, Config, ModelChoice};
use crate::llm::anthropic::Anthropic;
use crate::llm::openai::OpenAiCompatible;
use crate::offline_pool::PooledOffline;
use crate::prompts::{Prompts, Task};
use crate::secret::Redactor;
use crate::spend::{RunBudget, SpendLedger, OPEN_ACCESS, UNNAMED_RUN};

#[derive(Clone)]
pub enum Backend {
    Offline(PooledOffline),
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

impl Backend {
    pub fn from_config(config: &Config, cache: ResponseCache, ledger: Arc<SpendLedger>, redactor: Redactor) -> Result<Backend, BackendError> {
        let budget = RunBudget::new(ledger, OPEN_ACCESS, UNNAMED_RUN);
        let permits = Arc::new(Semaphore::new(config.limits.upstream_concurrency));
        // Redirects are not followed: one would carry the key to wherever
        // the upstream's answer pointed.
        let http = || {
            reqwest::Client::builder()
                .connect_timeout(std::time::Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| BackendError::Http(e.to_string()))
        };
        Ok(match &config.backend {
            BackendConfig::Offline => Backend::Offline(PooledOffline::new(OfflineAnalyst::new(0))),
            BackendConfig::Anthropic { base_url, key, fast, strong, message_batches } => {
                let model = Anthropic::new(http()?, base_url.clone(), key.clone(), config.retry.clone(), permits, redactor);
                Backend::Anthropic {
                    analyst: LlmAnalyst::new(model, fast.clone(), strong.clone(), Prompts::load()?, cache, &config.retry, budget),
                    message_batches: *message_batches,
                }
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

    /// The version of the audit prompt, for an LLM backend (the offline
    /// analyst audits by rules, with no prompt).
    pub fn audit_prompt_version(&self) -> Option<u32> {
        match self {
            Backend::Offline(_) => None,
            Backend::Anthropic { analyst, .. } => Some(analyst.prompt_version(Task::Audit)),
            Backend::OpenAi(a) => Some(a.prompt_version(Task::Audit)),
        }
    }

    /// What `/backend` reports.
    pub fn info(&self, ledger: &SpendLedger, conversation_tokens: usize) -> BackendInfo {
        let (backend, models, cache, message_batches) = match self {
            Backend::Offline(_) => (BackendKind::Offline, None, None, false),
            Backend::Anthropic { analyst, message_batches } => (BackendKind::Anthropic, Some(analyst.models()), Some(analyst.cache()), *message_batches),
            Backend::OpenAi(a) => (BackendKind::OpenAi, Some(a.models()), Some(a.cache()), false),
        };
        let models: Vec<ModelInfo> = models
            .map(|(fast, strong): (&ModelChoice, &ModelChoice)| {
                [(ModelRole::Fast, fast), (ModelRole::Strong, strong)]
                    .into_iter()
                    .map(|(role, m)| ModelInfo { role, name: m.name.clone(), temperature: m.temperature, price_per_million_tokens: m.price })
                    .collect()
            })
            .unwrap_or_default();
        let (hits, misses) = cache.map(ResponseCache::lookups).unwrap_or((0, 0));
        BackendInfo {
            backend,
            description: self.describe(),
            models,
            prompt_versions: self.versions().prompt_versions,
            message_batches,
            cache_hit_rate: cache.and_then(ResponseCache::hit_rate),
            cache_lookups: hits + misses,
            // The offline analyst spends nothing, whatever the ledger holds.
            spent_usd: if backend.is_llm() { ledger.total() } else { 0.0 },
            spending_caps: ledger.caps(),
            conversation_tokens,
            // The routes add the configured origins; the analyst does not know them.
            dataset_origins: Vec::new(),
        }
    }
}

kleio_core::delegate_analyst!(Backend, a, [Backend::Offline(a), Backend::Anthropic { analyst: a, .. }, Backend::OpenAi(a)]);
