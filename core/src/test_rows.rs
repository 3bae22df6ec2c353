//! For unit tests: an analysis of JSON rows, made by the whole pipeline with
//! the offline analyst and the model-free embedder, so that what a module
//! computes from an analysis is tested on a real one.

use crate::analysis::Analysis;
use crate::compute::CpuCompute;
use crate::embedder::HashingEmbedder;
use crate::import::{import, ImportOptions, Imported};
use crate::offline::OfflineAnalyst;
use crate::params::RunParams;
use crate::pipeline::run;
use crate::progress::Silent;

/// The rows read as one file, every copy kept (the tests repeat texts on purpose).
pub fn imported(rows: &[serde_json::Value]) -> Imported {
    let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
    import(text.join("\n").as_bytes(), &ImportOptions { keep_duplicates: true, ..ImportOptions::default() }).unwrap()
}

/// The analysis of `imported` with `seed`, on 128-dimensional hashed words.
pub fn analyse(imported: Imported, seed: u64) -> Analysis {
    futures::executor::block_on(run(
        imported,
        RunParams { seed, ..Default::default() },
        &OfflineAnalyst::new(seed),
        &HashingEmbedder { dim: 128 },
        &CpuCompute,
        &mut Silent,
    ))
    .unwrap()
}
