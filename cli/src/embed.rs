//! `kleio embed`: one text per line in, one JSON vector per line out.

use std::io::{BufRead, BufWriter, Write};

use anyhow::Context;
use kleio_embed::{BackendChoice, ModelKind};

#[derive(clap::Args)]
pub struct Args {
    /// minilm (all-MiniLM-L6-v2, 384-d) or mpnet (all-mpnet-base-v2, 768-d).
    #[arg(long, default_value = "minilm")]
    model: ModelKind,
    /// auto (a hardware GPU if present, else CPU), cpu, or gpu (any adapter).
    #[arg(long, default_value = "auto")]
    backend: BackendChoice,
}

/// Texts are embedded in chunks so the output starts early and memory stays flat.
const CHUNK: usize = 1024;

pub fn run(args: Args) -> anyhow::Result<()> {
    let embedder = crate::models::load(args.model, args.backend)?;
    eprintln!("kleio embed: {} on {}", args.model.name(), embedder.device().description);
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut chunk: Vec<String> = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<String>, out: &mut BufWriter<_>| -> anyhow::Result<()> {
        let vectors = futures::executor::block_on(embedder.embed_texts(chunk))?;
        for v in vectors {
            serde_json::to_writer(&mut *out, &v)?;
            out.write_all(b"\n")?;
        }
        chunk.clear();
        Ok(())
    };
    for line in stdin.lock().lines() {
        chunk.push(line.context("reading stdin (is it UTF-8 text?)")?);
        if chunk.len() == CHUNK {
            flush(&mut chunk, &mut out)?;
        }
    }
    if !chunk.is_empty() {
        flush(&mut chunk, &mut out)?;
    }
    out.flush()?;
    Ok(())
}
