//! Kleio's side of `bench/import_peers.py`: a dataset file imported in
//! memory, timed, as the browser and `kleio analyze` import it.
//!
//!   cargo bench -p kleio --bench import -- FILE [SAMPLE]
//!
//! One JSON line on stdout: rows, conversations and the best of three times
//! (the file is read once, before timing). SAMPLE draws a seeded sample of
//! that many rows instead of importing all of them.

use std::time::Instant;

use anyhow::Context;
use kleio_core::import::{import, ImportOptions, Sample};

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds `--bench`; the rest are ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let file = args.first().context("missing the file; see the header of cli/benches/import.rs")?;
    let sample = args.get(1).map(|s| s.parse::<usize>()).transpose()?.map(|size| Sample { size, seed: 0 });
    let bytes = std::fs::read(file).with_context(|| format!("reading {file}"))?;
    let options = ImportOptions { sample, keep_duplicates: true, ..ImportOptions::default() };
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        let started = Instant::now();
        let imported = import(&bytes, &options)?;
        best = best.min(started.elapsed().as_secs_f64());
        last = Some(imported);
    }
    let imported = last.context("imported nothing")?;
    let rows = imported.report.sampled.map_or(imported.report.rows_read, |s| s.rows_in_file);
    println!(
        "{}",
        serde_json::json!({ "rows_in_file": rows, "rows_read": imported.report.rows_read, "conversations": imported.conversations.len(), "seconds": best })
    );
    Ok(())
}
