//! Finding the model files on disk and loading them.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use kleio_embed::{BackendChoice, ComputeDevice, ModelFiles, ModelKind, SentenceEmbedder};

/// `$KLEIO_WEIGHTS`, else `weights/` in the current folder.
pub fn weights_dir() -> PathBuf {
    std::env::var_os("KLEIO_WEIGHTS").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("weights"))
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path)
        .map_err(|e| anyhow!("{} could not be read ({e}); fetch the model weights with `bash scripts/setup` (or point KLEIO_WEIGHTS at them)", path.display()))
}

pub fn load(kind: ModelKind, backend: BackendChoice) -> anyhow::Result<SentenceEmbedder> {
    let dir = weights_dir().join(kind.folder());
    let safetensors = read(&dir.join("model.safetensors"))?;
    let tokenizer_json = read(&dir.join("tokenizer.json"))?;
    let device = ComputeDevice::select(backend).context("choosing the compute device")?;
    SentenceEmbedder::load(kind, ModelFiles { safetensors: &safetensors, tokenizer_json: &tokenizer_json }, device).context("loading the embedding model")
}
