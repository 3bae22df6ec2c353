//! `kleio analyze`: the whole pipeline natively.

use anyhow::Context;

use crate::run_flags::{analyse, runtime, DatasetArgs};

/// Writes `analysis.json` into `--out`.
pub type Args = DatasetArgs;

pub fn run(args: Args) -> anyhow::Result<()> {
    let imported = args.run.import(&args.file)?;
    let analysis = runtime()?.block_on(async {
        let (analyst, embedder) = args.run.engines("analyze").await?;
        analyse(imported, args.run.params(), &analyst, &embedder, &embedder.compute()).await
    })?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let path = args.out.join("analysis.json");
    let json = serde_json::to_vec_pretty(&analysis)?;
    std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
    for facet in analysis.hierarchy_facets() {
        let Some(view) = analysis.viewed_by(&facet) else { continue };
        let shareable = view.clusters.iter().filter(|c| c.shareable).count();
        let base = view.clusters.iter().filter(|c| c.level == 0).count();
        let top = view.clusters.iter().filter(|c| c.level + 1 == view.levels).count();
        let placed = view.conversations.iter().filter(|c| c.cluster.is_some()).count();
        eprintln!(
            "{facet}: {placed} conversations → {base} base clusters, {} levels, {top} at the top; {shareable} of {} clusters pass the privacy gates",
            view.levels,
            view.clusters.len()
        );
    }
    eprintln!("wrote {}", path.display());
    Ok(())
}
