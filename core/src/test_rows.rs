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

/// Four plain request topics, 400 rows from 50 accounts, each text the
/// topic (`id` r{i} holds topic i % 4) and a number, so the topics make
/// their own clusters.
pub fn four_topics() -> Imported {
    let topics = ["set an alarm for the morning", "play some jazz music", "what is the weather in paris", "book a table for dinner"];
    let rows: Vec<serde_json::Value> = (0..400)
        .map(|i| serde_json::json!({"id": format!("r{i}"), "account_id": format!("u{}", i % 50), "messages": [{"role": "user", "content": format!("{} {}", topics[i % 4], i % 7)}]}))
        .collect();
    imported(&rows)
}
