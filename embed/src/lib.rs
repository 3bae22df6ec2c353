//! Sentence embeddings for Kleio: all-MiniLM-L6-v2 (BERT, 384-d, the default)
//! and all-mpnet-base-v2 (MPNet, 768-d, the paper's), in burn, on whichever
//! device the caller picks at run time (wgpu's GPU or the flex CPU backend).
//!
//! Weights and tokenizers arrive as bytes, so the browser can fetch and cache
//! them; nothing here reads files. Results match sentence-transformers: the
//! same tokenisation and truncation, mean pooling over the attention mask, L2
//! normalisation.

mod bert;
mod cpu_kernels;
mod device;
mod encoder;
mod host_encoder;
mod matmul;
mod model;
mod mpnet;
mod pooling;
mod tokenize;
mod weights;

pub use device::{BackendChoice, ComputeDevice, DeviceError};
pub use model::{ModelFiles, ModelKind, Precision, SentenceEmbedder};

/// What a freshly loaded model embeds first (on a page or in a worker), so
/// that a device that cannot run it fails at load rather than mid-run.
pub const WARM_UP_TEXT: &str = "Kleio warms up the model.";

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum EmbedModelError {
    #[error("{file} is not a valid model file ({detail}); fetch the weights again with `bash scripts/setup`")]
    Corrupt { file: String, detail: String },
    #[error("tokenizing failed: {0}")]
    Tokenize(String),
    #[error("reading results from the device failed: {0}")]
    Readback(String),
    #[error("{0}")]
    Unsupported(String),
}
