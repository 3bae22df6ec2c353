//! The proxy's configuration, read from the environment (and key files) once
//! at start-up. Every knob has a default; `KLEIO_*` variables override them.
//! See the README's "Configuration" table for the full list.

use std::time::Duration;

use kleio_core::api::{BackendKind, DatasetOrigin, DEFAULT_DATASET_ORIGINS};
use kleio_core::privacy::PrivacyParams;

use crate::hosts::HostPolicy;
use crate::retention::Retention;
use crate::secret::Secret;
use crate::spend::SpendCaps;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("{var} is not valid: {why}")]
    Invalid { var: &'static str, why: String },
    #[error("{var} names the file {path}, which could not be read: {why}")]
    KeyFile { var: &'static str, path: String, why: String },
}

/// US dollars per million tokens: core's, which the app's cost estimate reads back.
pub use kleio_core::cost::Price;

/// One model and how it is called.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelChoice {
    pub name: String,
    pub temperature: f32,
    pub price: Price,
}

/// Which backend answers the LLM tasks.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendConfig {
    /// The core's rule-based analyst: no key, no network, no cost.
    Offline,
    Anthropic {
        base_url: String,
        key: Secret,
        /// Facet extraction, screening and the audit (the paper's small model).
        fast: ModelChoice,
        /// Naming and the hierarchy (the paper's stronger model).
        strong: ModelChoice,
        /// Send batch extractions through the Message Batches API (half price, asynchronous).
        message_batches: bool,
    },
    OpenAiCompatible {
        base_url: String,
        key: Option<Secret>,
        fast: ModelChoice,
        strong: ModelChoice,
    },
}

/// Bounds on what one client may ask and what the proxy sends upstream.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub max_body_bytes: usize,
    /// Conversations are cut to about this many tokens before any analyst sees them.
    pub conversation_tokens: usize,
    pub max_batch_items: usize,
    /// Requests in flight towards the upstream at once.
    pub upstream_concurrency: usize,
    /// Requests per minute per client address.
    pub requests_per_minute: u32,
    /// Spending caps: in total, per access token (in total and per day), per run.
    pub spend: SpendCaps,
}

/// How upstream calls are retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    pub timeout: Duration,
    /// Retries after the first attempt, on 429, 529, 5xx, timeouts and broken bodies.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, with full jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Extra attempts when an answer cannot be parsed.
    pub malformed_retries: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub backend: BackendConfig,
    pub limits: Limits,
    pub retry: RetryPolicy,
    /// When any is set, the task API and publishing need `Authorization: Bearer <token>`
    /// with one of them; each token has its own spending caps.
    pub access_tokens: Vec<Secret>,
    /// The publish gate's minimums; a publisher may ask for stricter ones, never laxer.
    pub privacy: PrivacyParams,
    /// The `Host` names the proxy answers to (DNS rebinding).
    pub allowed_hosts: HostPolicy,
    /// How long and how much the proxy keeps.
    pub retention: Retention,
    /// Where the app may fetch a dataset file by its link: the page's
    /// content security policy allows these origins and no others. The
    /// proxy itself never fetches a user's link.
    pub dataset_origins: Vec<DatasetOrigin>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 << 20,
            conversation_tokens: 8_000,
            max_batch_items: 1_000,
            upstream_concurrency: 8,
            requests_per_minute: 6_000,
            spend: SpendCaps::default(),
        }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            timeout: Duration::from_secs(120),
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            malformed_retries: 1,
        }
    }
}

impl Config {
    /// The offline analyst with default limits: what runs with no environment.
    pub fn offline() -> Self {
        Config {
            backend: BackendConfig::Offline,
            limits: Limits::default(),
            retry: RetryPolicy::default(),
            access_tokens: Vec::new(),
            privacy: PrivacyParams::default(),
            allowed_hosts: HostPolicy::Loopback,
            retention: Retention::default(),
            dataset_origins: default_dataset_origins(),
        }
    }

    /// Reads the configuration through `var` (the process environment in
    /// production, a map in tests). `*_FILE` variants read a secret from a file.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let secret = |name: &'static str, file_name: &'static str| -> Result<Option<Secret>, ConfigError> {
            if let Some(v) = var(name) {
                return Ok(Some(Secret::new(v.trim())));
            }
            match var(file_name) {
                Some(path) => std::fs::read_to_string(&path).map(|s| Some(Secret::new(s.trim()))).map_err(|e| ConfigError::KeyFile {
                    var: file_name,
                    path,
                    why: e.to_string(),
                }),
                None => Ok(None),
            }
        };
        let number = |name: &'static str| -> Result<Option<f64>, ConfigError> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .ok_or(ConfigError::Invalid { var: name, why: format!("{v:?} is not a non-negative number") })
                })
                .transpose()
        };
        let price = |name: &'static str, default: Price| -> Result<Price, ConfigError> {
            let Some(v) = var(name) else { return Ok(default) };
            let parts: Vec<Option<f64>> = v.split(',').map(|p| p.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0)).collect();
            match parts.as_slice() {
                [Some(input), Some(output)] => Ok(Price { input: *input, output: *output }),
                _ => Err(ConfigError::Invalid { var: name, why: format!("{v:?} is not \"input,output\" dollars per million tokens") }),
            }
        };
        let model = |name_var: &'static str,
                     default_name: Option<&str>,
                     temp_var: &'static str,
                     default_temp: f32,
                     price_var: &'static str|
         -> Result<ModelChoice, ConfigError> {
            let name = var(name_var)
                .or(default_name.map(str::to_string))
                .ok_or(ConfigError::Invalid { var: name_var, why: "an OpenAI-compatible server needs a model name".into() })?;
            let temperature = number(temp_var)?.map(|t| t as f32).unwrap_or(default_temp);
            if temperature > 2.0 {
                return Err(ConfigError::Invalid { var: temp_var, why: format!("{temperature} is above 2") });
            }
            let price = price(price_var, known_price(&name))?;
            Ok(ModelChoice { name, temperature, price })
        };

        let mut limits = Limits::default();
        let mut retry = RetryPolicy::default();
        let count = |name: &'static str, minimum: f64| -> Result<Option<f64>, ConfigError> {
            match number(name)? {
                Some(x) if x < minimum || x.fract() != 0.0 => {
                    Err(ConfigError::Invalid { var: name, why: format!("{x} is not a whole number of at least {minimum}") })
                }
                other => Ok(other),
            }
        };
        if let Some(x) = count("KLEIO_MAX_BODY_BYTES", 1024.0)? {
            limits.max_body_bytes = x as usize;
        }
        if let Some(x) = count("KLEIO_CONVERSATION_TOKENS", 100.0)? {
            limits.conversation_tokens = x as usize;
        }
        if let Some(x) = count("KLEIO_MAX_BATCH_ITEMS", 1.0)? {
            limits.max_batch_items = x as usize;
        }
        if let Some(x) = count("KLEIO_UPSTREAM_CONCURRENCY", 1.0)? {
            limits.upstream_concurrency = x as usize;
        }
        if let Some(x) = count("KLEIO_RATE_PER_MINUTE", 1.0)? {
            limits.requests_per_minute = x.min(u32::MAX as f64) as u32;
        }
        limits.spend = SpendCaps {
            total_usd: number("KLEIO_MAX_TOTAL_USD")?,
            per_token_usd: number("KLEIO_MAX_TOKEN_USD")?,
            per_token_day_usd: number("KLEIO_MAX_TOKEN_DAY_USD")?,
            per_run_usd: number("KLEIO_MAX_RUN_USD")?,
        };
        if let Some(x) = number("KLEIO_UPSTREAM_TIMEOUT_SECS")? {
            retry.timeout = Duration::from_secs_f64(x.max(0.001));
        }
        if let Some(x) = count("KLEIO_MAX_RETRIES", 0.0)? {
            retry.max_retries = x as u32;
        }
        if let Some(x) = number("KLEIO_RETRY_BASE_MS")? {
            retry.base_delay = Duration::from_secs_f64(x / 1000.0);
        }

        let mut privacy = PrivacyParams::default();
        if let Some(x) = count("KLEIO_MIN_ACCOUNTS", 1.0)? {
            privacy.min_accounts = x as usize;
        }
        if let Some(x) = count("KLEIO_MIN_CONVERSATIONS", 1.0)? {
            privacy.min_conversations = x as usize;
        }
        if let Some(x) = count("KLEIO_MIN_AUDIT_SCORE", 1.0)? {
            privacy.min_audit_score = x.min(5.0) as u8;
        }

        let anthropic_key = secret("ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY_FILE")?;
        let openai_url = var("KLEIO_OPENAI_BASE_URL");
        let chosen = match var("KLEIO_BACKEND") {
            Some(name) => Some(name.parse::<BackendKind>().map_err(|why| ConfigError::Invalid { var: "KLEIO_BACKEND", why })?),
            None => None,
        };
        let backend = match (chosen, anthropic_key, openai_url) {
            (Some(BackendKind::Offline), _, _) => BackendConfig::Offline,
            (Some(BackendKind::Anthropic) | None, Some(key), _) => BackendConfig::Anthropic {
                base_url: var("ANTHROPIC_BASE_URL").unwrap_or_else(|| "https://api.anthropic.com".into()).trim_end_matches('/').to_string(),
                key,
                fast: model("KLEIO_MODEL_FAST", Some("claude-haiku-4-5"), "KLEIO_TEMPERATURE_FAST", 0.2, "KLEIO_PRICE_FAST")?,
                strong: model("KLEIO_MODEL_STRONG", Some("claude-sonnet-4-5"), "KLEIO_TEMPERATURE_STRONG", 1.0, "KLEIO_PRICE_STRONG")?,
                message_batches: matches!(var("KLEIO_ANTHROPIC_BATCHES").as_deref(), Some("1" | "true" | "yes")),
            },
            (Some(BackendKind::OpenAi) | None, _, Some(url)) => {
                let fast = model("KLEIO_MODEL_FAST", None, "KLEIO_TEMPERATURE_FAST", 0.2, "KLEIO_PRICE_FAST")?;
                let strong = model("KLEIO_MODEL_STRONG", Some(&fast.name), "KLEIO_TEMPERATURE_STRONG", 1.0, "KLEIO_PRICE_STRONG")?;
                BackendConfig::OpenAiCompatible {
                    base_url: url.trim_end_matches('/').to_string(),
                    key: secret("KLEIO_OPENAI_API_KEY", "KLEIO_OPENAI_API_KEY_FILE")?,
                    fast,
                    strong,
                }
            }
            (None, None, None) => BackendConfig::Offline,
            (Some(BackendKind::Anthropic), None, _) => {
                let why = "it asks for Anthropic but neither ANTHROPIC_API_KEY nor ANTHROPIC_API_KEY_FILE is set".into();
                return Err(ConfigError::Invalid { var: "KLEIO_BACKEND", why });
            }
            (Some(BackendKind::OpenAi), _, None) => {
                let why = "it asks for an OpenAI-compatible server but KLEIO_OPENAI_BASE_URL is not set".into();
                return Err(ConfigError::Invalid { var: "KLEIO_BACKEND", why });
            }
        };
        // Several tokens (one per class, say) are separated by commas or white space, or one per line of the file.
        let access_tokens = secret("KLEIO_ACCESS_TOKEN", "KLEIO_ACCESS_TOKEN_FILE")?
            .map(|all| all.expose().split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()).map(Secret::new).collect())
            .unwrap_or_default();
        let allowed_hosts = var("KLEIO_ALLOWED_HOSTS").map(|v| HostPolicy::parse(&v)).unwrap_or(HostPolicy::Loopback);
        let mut retention = Retention::default();
        if let Some(x) = count("KLEIO_CACHE_DAYS", 1.0)? {
            retention.cache_days = x.min(u32::MAX as f64) as u32;
        }
        if let Some(x) = count("KLEIO_CACHE_MAX_ROWS", 1.0)? {
            retention.cache_max_rows = x as u64;
        }
        if let Some(x) = count("KLEIO_JOB_DAYS", 1.0)? {
            retention.job_days = x.min(u32::MAX as f64) as u32;
        }
        if let Some(x) = count("KLEIO_DASHBOARD_DAYS", 0.0)? {
            retention.dashboard_days = (x > 0.0).then(|| x.min(u32::MAX as f64) as u32);
        }
        if let Some(x) = count("KLEIO_MAX_DASHBOARDS", 1.0)? {
            retention.max_dashboards = x as u64;
        }
        if let Some(x) = count("KLEIO_MAX_DASHBOARD_BYTES", 1024.0)? {
            retention.max_dashboard_bytes = x as usize;
        }
        let dataset_origins = match var("KLEIO_DATASET_ORIGINS") {
            // No link can be opened.
            Some(list) if list.trim().eq_ignore_ascii_case("none") => Vec::new(),
            Some(list) => list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|o| !o.is_empty())
                .map(DatasetOrigin::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|why| ConfigError::Invalid { var: "KLEIO_DATASET_ORIGINS", why })?,
            None => default_dataset_origins(),
        };
        Ok(Config { backend, limits, retry, access_tokens, privacy, allowed_hosts, retention, dataset_origins })
    }

    /// Every secret in the configuration, for the redactor.
    pub fn secrets(&self) -> Vec<Secret> {
        let mut out = self.access_tokens.clone();
        match &self.backend {
            BackendConfig::Anthropic { key, .. } => out.push(key.clone()),
            BackendConfig::OpenAiCompatible { key: Some(key), .. } => out.push(key.clone()),
            _ => {}
        }
        out
    }
}

fn default_dataset_origins() -> Vec<DatasetOrigin> {
    DEFAULT_DATASET_ORIGINS.iter().filter_map(|o| DatasetOrigin::parse(o).ok()).collect()
}

/// List prices of the default models (US dollars per million tokens, as
/// published by Anthropic); other models cost nothing unless `KLEIO_PRICE_*` says.
fn known_price(model: &str) -> Price {
    match model {
        m if m.starts_with("claude-haiku-4") => Price { input: 1.0, output: 5.0 },
        m if m.starts_with("claude-sonnet-4") => Price { input: 3.0, output: 15.0 },
        m if m.starts_with("claude-opus-4") => Price { input: 5.0, output: 25.0 },
        _ => Price { input: 0.0, output: 0.0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn no_environment_means_offline() {
        assert_eq!(Config::from_env(env(&[])).unwrap(), Config::offline());
    }

    #[test]
    fn an_anthropic_key_selects_claude_with_the_papers_split() {
        let c = Config::from_env(env(&[("ANTHROPIC_API_KEY", "sk-1"), ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9/")])).unwrap();
        let BackendConfig::Anthropic { base_url, fast, strong, message_batches, .. } = c.backend else { panic!() };
        assert_eq!(base_url, "http://127.0.0.1:9");
        assert!(fast.name.contains("haiku") && strong.name.contains("sonnet"));
        assert!(fast.temperature < strong.temperature);
        assert!(fast.price.input > 0.0 && !message_batches);
    }

    #[test]
    fn an_openai_server_needs_a_model_name_and_bad_values_are_named() {
        let err = Config::from_env(env(&[("KLEIO_OPENAI_BASE_URL", "http://localhost:8000/v1")])).unwrap_err();
        assert!(err.to_string().contains("KLEIO_MODEL_FAST"));
        let c = Config::from_env(env(&[("KLEIO_OPENAI_BASE_URL", "http://localhost:8000/v1"), ("KLEIO_MODEL_FAST", "qwen")])).unwrap();
        assert!(matches!(c.backend, BackendConfig::OpenAiCompatible { ref strong, .. } if strong.name == "qwen"));
        let err = Config::from_env(env(&[("KLEIO_MAX_RUN_USD", "lots")])).unwrap_err();
        assert!(err.to_string().contains("KLEIO_MAX_RUN_USD"));
        let err = Config::from_env(env(&[("KLEIO_MAX_TOKEN_DAY_USD", "-")])).unwrap_err();
        assert!(err.to_string().contains("KLEIO_MAX_TOKEN_DAY_USD"));
        let err = Config::from_env(env(&[("KLEIO_BACKEND", "anthropic")])).unwrap_err();
        assert!(err.to_string().contains("ANTHROPIC_API_KEY"));
        let err = Config::from_env(env(&[("ANTHROPIC_API_KEY_FILE", "/nonexistent/key")])).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/key"));
    }

    #[test]
    fn dataset_origins_default_to_the_hugging_face_hosts_and_are_checked() {
        let sources = |c: &Config| c.dataset_origins.iter().map(DatasetOrigin::source).collect::<Vec<_>>();
        assert_eq!(sources(&Config::from_env(env(&[])).unwrap()), DEFAULT_DATASET_ORIGINS);
        let c = Config::from_env(env(&[("KLEIO_DATASET_ORIGINS", "https://data.example.org, http://127.0.0.1:9000")])).unwrap();
        assert_eq!(sources(&c), ["https://data.example.org", "http://127.0.0.1:9000"]);
        assert!(Config::from_env(env(&[("KLEIO_DATASET_ORIGINS", "none")])).unwrap().dataset_origins.is_empty(), "none: no link opens");
        let err = Config::from_env(env(&[("KLEIO_DATASET_ORIGINS", "http://data.example.org")])).unwrap_err();
        assert!(err.to_string().contains("KLEIO_DATASET_ORIGINS") && err.to_string().contains("plain http"), "{err}");
    }

    #[test]
    fn several_access_tokens_and_every_spending_cap_are_read() {
        let c = Config::from_env(env(&[
            ("KLEIO_ACCESS_TOKEN", "class-a, class-b\nclass-c"),
            ("KLEIO_MAX_TOTAL_USD", "20"),
            ("KLEIO_MAX_TOKEN_USD", "5"),
            ("KLEIO_MAX_TOKEN_DAY_USD", "1.5"),
            ("KLEIO_MAX_RUN_USD", "0.5"),
        ]))
        .unwrap();
        let tokens: Vec<&str> = c.access_tokens.iter().map(|t| t.expose()).collect();
        assert_eq!(tokens, ["class-a", "class-b", "class-c"]);
        assert_eq!(c.limits.spend, SpendCaps { total_usd: Some(20.0), per_token_usd: Some(5.0), per_token_day_usd: Some(1.5), per_run_usd: Some(0.5) });
    }
}
