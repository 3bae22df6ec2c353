//! `kleio analyze`: the whole pipeline natively, with the offline analyst.

use std::path::PathBuf;

use anyhow::{anyhow, Context};
use kleio_core::embedder::{Embedder, HashingEmbedder};
use kleio_core::import::{import, ImportOptions};
use kleio_core::offline::OfflineAnalyst;
use kleio_core::pipeline::{run as run_pipeline, RunParams};
use kleio_core::progress::{Progress, Stage};
use kleio_embed::BackendChoice;

use crate::progress_bars::StageBars;

#[derive(clap::Args)]
pub struct Args {
    /// The dataset: JSON Lines, a JSON array, or CSV.
    file: PathBuf,
    /// Folder to write analysis.json into (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fewest distinct accounts a shareable cluster may have.
    #[arg(long, default_value_t = 5)]
    min_accounts: usize,
    /// Fewest conversations a shareable cluster may have.
    #[arg(long, default_value_t = 10)]
    min_conversations: usize,
    /// Levels of the hierarchy, the base level included.
    #[arg(long, default_value_t = 3)]
    levels: usize,
    /// Wanted number of top-level clusters.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// Base clusters (default: chosen from the number of conversations).
    #[arg(long)]
    k: Option<usize>,
    /// minilm, mpnet, or hashing (a bag-of-words baseline with no model).
    #[arg(long, default_value = "minilm")]
    model: String,
    /// auto, cpu or gpu.
    #[arg(long, default_value = "auto")]
    backend: BackendChoice,
    /// CSV only: the column holding the text.
    #[arg(long)]
    text_column: Option<String>,
    /// The field or column naming the account.
    #[arg(long)]
    account_field: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let options = ImportOptions { csv_text_column: args.text_column.clone(), account_field: args.account_field.clone() };
    let imported = import(&bytes, &options).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
    let report = &imported.report;
    eprintln!(
        "imported {} conversations from {} rows ({} skipped)",
        imported.conversations.len(), report.rows_read, report.rows_skipped()
    );
    for s in report.skipped.iter().take(5) {
        eprintln!("  skipped row {}: {}", s.line, s.reason);
    }
    let mut params = RunParams { seed: args.seed, k: args.k, ..Default::default() };
    params.privacy.min_accounts = args.min_accounts;
    params.privacy.min_conversations = args.min_conversations;
    params.hierarchy.levels = args.levels;
    params.hierarchy.top = args.top;
    let analyst = OfflineAnalyst::new(args.seed);
    let mut bars = StageBars::new();
    let analysis = match args.model.as_str() {
        "hashing" => execute(imported, params, &analyst, &HashingEmbedder { dim: 512 }, &mut bars)?,
        name => {
            let kind = name.parse().map_err(|e: String| anyhow!(e))?;
            let embedder = crate::models::load(kind, args.backend)?;
            execute(imported, params, &analyst, &embedder, &mut bars)?
        }
    };
    bars.finish();
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let path = args.out.join("analysis.json");
    let json = serde_json::to_vec_pretty(&analysis)?;
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    let shareable = analysis.clusters.iter().filter(|c| c.shareable).count();
    let base = analysis.clusters.iter().filter(|c| c.level == 0).count();
    let top = analysis.clusters.iter().filter(|c| c.level + 1 == analysis.levels).count();
    eprintln!(
        "{} conversations → {base} base clusters, {} levels, {top} at the top; {shareable} of {} clusters pass the privacy gates",
        analysis.conversations.len(), analysis.levels, analysis.clusters.len()
    );
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn execute<E: Embedder>(
    imported: kleio_core::import::Imported,
    params: RunParams,
    analyst: &OfflineAnalyst,
    embedder: &E,
    progress: &mut dyn Progress,
) -> anyhow::Result<kleio_core::analysis::Analysis> {
    progress.report(Stage::Import, 1, 1);
    futures::executor::block_on(run_pipeline(imported, params, analyst, embedder, progress)).map_err(Into::into)
}
