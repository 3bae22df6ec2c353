//! The flags every command that runs the pipeline shares, and running it.

use std::path::Path;

use anyhow::{anyhow, Context};
use kleio_core::analysis::Analysis;
use kleio_core::analyst::{Facet, FacetKind};
use kleio_core::compute::Compute;
use kleio_core::embedder::Embedder;
use kleio_core::import::{import, ImportOptions, Imported, Sample};
use kleio_core::params::RunParams;
use kleio_core::pipeline::run as run_pipeline;
use kleio_core::progress::{Progress, Stage};
use kleio_embed::BackendChoice;

use crate::engines::{AnyAnalyst, AnyEmbedder};
use crate::progress_bars::StageBars;

/// A dataset in, a folder out, and how to run the pipeline on it.
#[derive(clap::Args)]
pub struct DatasetArgs {
    /// The dataset: JSON Lines, a JSON array, or CSV.
    pub file: std::path::PathBuf,
    /// Folder for the results (created if missing).
    #[arg(long)]
    pub out: std::path::PathBuf,
    #[command(flatten)]
    pub run: RunFlags,
}

/// The embedding models `--model` can name.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelChoice {
    /// all-MiniLM-L6-v2 (384 dimensions).
    Minilm,
    /// all-mpnet-base-v2 (768 dimensions), the paper's model.
    Mpnet,
    /// A bag-of-words baseline with no model.
    Hashing,
}

/// The defaults are the pipeline's own ([`RunParams::default`]), so the
/// flags cannot drift from what a run does without them.
#[derive(clap::Args, Clone)]
pub struct RunFlags {
    #[arg(long, default_value_t = RunParams::default().seed)]
    pub seed: u64,
    /// Fewest distinct accounts a shareable cluster may have.
    #[arg(long, default_value_t = RunParams::default().privacy.min_accounts)]
    pub min_accounts: usize,
    /// Fewest conversations a shareable cluster may have.
    #[arg(long, default_value_t = RunParams::default().privacy.min_conversations)]
    pub min_conversations: usize,
    /// Levels of the hierarchy, the base level included.
    #[arg(long, default_value_t = RunParams::default().hierarchy.levels)]
    pub levels: usize,
    /// Wanted number of top-level clusters.
    #[arg(long, default_value_t = RunParams::default().hierarchy.top)]
    pub top: usize,
    /// A built-in open-text facet to cluster (request, task or language),
    /// each into its own hierarchy and map; repeat for several, the first
    /// being the analysis's own (default: request).
    #[arg(long = "cluster", value_name = "FACET", value_parser = clustered_facet)]
    pub clustered: Vec<String>,
    /// Base clusters (default: chosen from the number of conversations).
    #[arg(long)]
    pub k: Option<usize>,
    /// The embedding model.
    #[arg(long, value_enum, default_value_t = ModelChoice::Minilm)]
    pub model: ModelChoice,
    /// auto, cpu or gpu.
    #[arg(long, default_value = "auto")]
    pub backend: BackendChoice,
    /// A running Kleio proxy whose backend answers the LLM tasks (default: the offline analyst here).
    #[arg(long)]
    pub proxy: Option<String>,
    /// The column or field holding a single text (CSV, JSON, Parquet).
    #[arg(long)]
    pub text_column: Option<String>,
    /// The field holding the messages (a list of role and content) (JSON, Parquet).
    #[arg(long)]
    pub messages_column: Option<String>,
    /// The field or column naming the account.
    #[arg(long)]
    pub account_field: Option<String>,
    /// The field or column holding the conversation's time.
    #[arg(long)]
    pub time_column: Option<String>,
    /// Analyse a sample of this many rows, chosen by --seed, instead of the whole file.
    #[arg(long)]
    pub sample: Option<usize>,
    /// Keep conversations whose user turns repeat an earlier one's (by default
    /// they are collapsed into one, with a `copies` column).
    #[arg(long)]
    pub keep_duplicates: bool,
    /// Collapse near duplicates too: conversations whose user turns share
    /// 80 % or more of their word triples with an earlier one's.
    #[arg(long, conflicts_with = "keep_duplicates")]
    pub near_duplicates: bool,
}

/// Accepts the built-in open-text facets `--cluster` can name.
fn clustered_facet(id: &str) -> Result<String, String> {
    let open: Vec<String> = Facet::built_in().into_iter().filter(|f| f.kind == FacetKind::OpenText).map(|f| f.id).collect();
    if open.iter().any(|f| f == id) {
        Ok(id.to_string())
    } else {
        Err(format!("not a built-in open-text facet; one of {}", open.join(", ")))
    }
}

impl RunFlags {
    pub fn params(&self) -> RunParams {
        let mut params = RunParams { seed: self.seed, k: self.k, ..Default::default() };
        params.privacy.min_accounts = self.min_accounts;
        params.privacy.min_conversations = self.min_conversations;
        params.hierarchy.levels = self.levels;
        params.hierarchy.top = self.top;
        for id in &self.clustered {
            if !params.facets.iter().any(|f| &f.id == id) {
                params.facets.extend(Facet::built_in().into_iter().filter(|f| &f.id == id));
            }
        }
        params.clustered = self.clustered.clone();
        params
    }

    /// Reads and imports a dataset, reporting skipped rows.
    pub fn import(&self, file: &Path) -> anyhow::Result<Imported> {
        self.import_rows(file, self.keep_duplicates)
    }

    /// Imports a labelled evaluation set: every row counts, copies included,
    /// since each carries its own labels or planted details.
    pub fn import_labelled(&self, file: &Path) -> anyhow::Result<Imported> {
        self.import_rows(file, true)
    }

    fn import_rows(&self, file: &Path, keep_duplicates: bool) -> anyhow::Result<Imported> {
        let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let options = ImportOptions {
            text_field: self.text_column.clone(),
            messages_field: self.messages_column.clone(),
            account_field: self.account_field.clone(),
            time_field: self.time_column.clone(),
            sample: self.sample.map(|size| Sample { size, seed: self.seed }),
            keep_duplicates,
            near_duplicates: self.near_duplicates && !keep_duplicates,
        };
        let imported = import(&bytes, &options).map_err(|e| anyhow!("{}: {e}", file.display()))?;
        let report = &imported.report;
        if let Some(sampled) = report.sampled {
            eprintln!("sampled {} of {} rows (seed {})", report.rows_read, sampled.rows_in_file, sampled.seed);
        }
        let near = match report.near_duplicates_dropped {
            0 => String::new(),
            n => format!(", {n} of them near"),
        };
        eprintln!(
            "imported {} conversations from {} rows ({} skipped, {} duplicates collapsed{near})",
            imported.conversations.len(),
            report.rows_read,
            report.rows_skipped(),
            report.duplicates_dropped
        );
        for s in report.skipped.iter().take(5) {
            eprintln!("  skipped row {}: {}", s.line, s.reason);
        }
        if let Some(damaged) = &report.damaged {
            eprintln!("  {}: {damaged}", file.display());
        }
        Ok(imported)
    }

    /// The analyst and embedder the flags ask for.
    pub async fn engines(&self, run_name: &str) -> anyhow::Result<(AnyAnalyst, AnyEmbedder)> {
        let analyst = AnyAnalyst::choose(self.proxy.as_deref(), self.seed, format!("{run_name}-{}", self.seed)).await?;
        let embedder = AnyEmbedder::choose(self.model, self.backend)?;
        Ok((analyst, embedder))
    }
}

/// Runs the pipeline with progress bars on stderr, clustering on `compute`
/// (`AnyEmbedder::compute` picks it for the embedder's device).
pub async fn analyse(
    imported: Imported,
    params: RunParams,
    analyst: &AnyAnalyst,
    embedder: &impl Embedder,
    compute: &impl Compute,
) -> anyhow::Result<Analysis> {
    let mut bars = StageBars::new();
    bars.report(Stage::Import, 1, 1);
    eprintln!("embedding with {}; clustering on {}", embedder.describe(), compute.describe());
    let analysis = run_pipeline(imported, params, analyst, embedder, compute, &mut bars).await?;
    bars.finish();
    Ok(analysis)
}

/// A runtime for the network calls of `--proxy`; the pipeline runs on it too.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}
