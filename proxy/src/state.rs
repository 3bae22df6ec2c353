//! What every handler may read, built once at start-up from the configuration.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kleio_core::api::DatasetOrigin;
use kleio_core::privacy::PrivacyParams;

use crate::backend::Backend;
use crate::cache::ResponseCache;
use crate::config::{Config, Limits};
use crate::csp;
use crate::db::Db;
use crate::hosts::HostPolicy;
use crate::limits::{AccessTokens, ClientRateLimit};
use crate::retention::Retention;
use crate::secret::Redactor;
use crate::site::{zip_app_files, AppFiles};
use crate::spend::{utc_today, SpendLedger};
use crate::AppError;

/// What every handler may read. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dist: PathBuf,
    policy: String,
    dashboard_policy: String,
    /// The app's files zipped for a dashboard's static site, on the first download.
    app_files: tokio::sync::OnceCell<Arc<AppFiles>>,
    dataset_origins: Vec<String>,
    backend: Backend,
    ledger: Arc<SpendLedger>,
    db: Db,
    limits: Limits,
    privacy: PrivacyParams,
    access_tokens: AccessTokens,
    rate_limit: ClientRateLimit,
    allowed_hosts: HostPolicy,
    retention: Retention,
}

impl AppState {
    /// Reads the built app's index.html (to learn which inline script to
    /// allow) and sets up the configured backend over `db`.
    pub fn new(dist: &Path, config: &Config, db: Db) -> Result<Self, AppError> {
        let index = dist.join("index.html");
        let html = std::fs::read_to_string(&index).map_err(|e| {
            AppError::Startup(format!(
                "{} could not be read ({e}); build the app first with `trunk build --release` (bash scripts/run does it)",
                index.display()
            ))
        })?;
        let hashes = csp::inline_script_hashes(&html);
        let policy = csp::policy(&hashes, &config.dataset_origins, csp::Framing::Nowhere);
        let dashboard_policy = csp::policy(&hashes, &config.dataset_origins, csp::Framing::Anywhere);
        let ledger = SpendLedger::new(config.limits.spend, Some(db.clone()), utc_today());
        let backend = Backend::from_config(config, ResponseCache::new(db.clone()), ledger.clone(), Redactor::new(config.secrets()))
            .map_err(|e| AppError::Startup(e.to_string()))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                dist: dist.to_path_buf(),
                policy,
                dashboard_policy,
                app_files: tokio::sync::OnceCell::new(),
                dataset_origins: config.dataset_origins.iter().map(DatasetOrigin::source).collect(),
                backend,
                ledger,
                db,
                limits: config.limits.clone(),
                privacy: config.privacy.clone(),
                access_tokens: AccessTokens::new(&config.access_tokens),
                rate_limit: ClientRateLimit::per_minute(config.limits.requests_per_minute),
                allowed_hosts: config.allowed_hosts.clone(),
                retention: config.retention.clone(),
            }),
        })
    }

    pub fn backend(&self) -> &Backend {
        &self.inner.backend
    }
    pub fn ledger(&self) -> Arc<SpendLedger> {
        self.inner.ledger.clone()
    }
    pub fn db(&self) -> &Db {
        &self.inner.db
    }
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }
    pub fn privacy(&self) -> &PrivacyParams {
        &self.inner.privacy
    }
    /// The folder of the built app.
    pub fn dist(&self) -> &Path {
        &self.inner.dist
    }
    /// The origins a dataset may be fetched from by link, as the policy names them.
    pub fn dataset_origins(&self) -> &[String] {
        &self.inner.dataset_origins
    }
    /// The content security policy every response carries.
    pub fn policy(&self) -> &str {
        &self.inner.policy
    }
    /// The policy of a dashboard's page, which any page may embed.
    pub fn dashboard_policy(&self) -> &str {
        &self.inner.dashboard_policy
    }
    /// The app's files, zipped for a dashboard's static site.
    pub async fn app_files(&self) -> Result<Arc<AppFiles>, AppError> {
        self.inner.app_files.get_or_try_init(|| zip_app_files(&self.inner.dist)).await.cloned()
    }
    pub fn access_tokens(&self) -> &AccessTokens {
        &self.inner.access_tokens
    }
    pub fn rate_limit(&self) -> &ClientRateLimit {
        &self.inner.rate_limit
    }
    pub fn allowed_hosts(&self) -> &HostPolicy {
        &self.inner.allowed_hosts
    }
    pub fn retention(&self) -> &Retention {
        &self.inner.retention
    }
}
