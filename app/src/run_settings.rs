//! What a run is made from and what it makes, as `run_store` keeps them:
//! the person's choices before starting, and the finished result.

use std::collections::HashMap;

use kleio_core::analysis::Analysis;
use kleio_core::import::ImportOptions;
use kleio_core::params::RunParams;
use kleio_embed::{BackendChoice, ModelKind, Precision};
use serde::{Deserialize, Serialize};

/// What the person chose before starting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub model: ModelKind,
    pub device: BackendChoice,
    /// The arithmetic of the embedding's dense products on the CPU.
    #[serde(default)]
    pub precision: Precision,
    /// Use the proxy's analyst (an LLM) rather than the offline one in the page.
    pub proxy_analyst: bool,
    /// The seed, facets, screener and privacy minimums.
    pub params: RunParams,
    /// How the file is read: the columns chosen, a sample, duplicates kept or collapsed.
    #[serde(default)]
    pub import: ImportOptions,
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            model: ModelKind::MiniLm,
            device: BackendChoice::Auto,
            precision: Precision::F32,
            proxy_analyst: true,
            params: RunParams::default(),
            import: ImportOptions::default(),
        }
    }
}

/// A finished run, with what publishing needs and the analysis does not
/// hold; `run_store` keeps it as it is.
#[derive(Serialize, Deserialize)]
pub struct RunOutcome {
    pub analysis: Analysis,
    /// Conversation id → account, for the salted hashes a dashboard counts.
    pub accounts: HashMap<String, String>,
    /// Conversation id → the first of its group of near duplicates, for the
    /// safety views; runs kept before there was this have none.
    #[serde(default)]
    pub templates: HashMap<String, String>,
    /// Seconds each stage took, in `Stage::ALL` order.
    pub stage_seconds: Vec<f64>,
}
