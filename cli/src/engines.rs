//! The analyst and the embedder a command runs with, chosen by its flags:
//! one concrete type each, so the pipeline is compiled once.

use kleio_core::compute::CpuCompute;
use kleio_core::embedder::{EmbedError, Embedder, HashingEmbedder};
use kleio_core::offline::OfflineAnalyst;
use kleio_embed::{BackendChoice, ModelKind, SentenceEmbedder};
use kleio_gpu::DeviceCompute;

use crate::proxy_analyst::{self, ProxyAnalyst};
use crate::run_flags::ModelChoice;

pub enum AnyAnalyst {
    Offline(OfflineAnalyst),
    Proxy(Box<ProxyAnalyst>),
}

impl AnyAnalyst {
    /// The proxy at `url` when given, else the offline analyst.
    pub async fn choose(proxy: Option<&str>, seed: u64, run: String) -> anyhow::Result<AnyAnalyst> {
        Ok(match proxy {
            Some(url) => AnyAnalyst::Proxy(Box::new(proxy_analyst::connect(url, run).await?)),
            None => AnyAnalyst::Offline(OfflineAnalyst::new(seed)),
        })
    }
}

kleio_core::delegate_analyst!(AnyAnalyst, a, [AnyAnalyst::Offline(a), AnyAnalyst::Proxy(a)]);

pub enum AnyEmbedder {
    Hashing(HashingEmbedder),
    Model(Box<SentenceEmbedder>),
}

impl AnyEmbedder {
    /// A sentence model (weights from disk) or the hashing baseline (no model).
    pub fn choose(model: ModelChoice, backend: BackendChoice) -> anyhow::Result<AnyEmbedder> {
        let kind = match model {
            ModelChoice::Hashing => return Ok(AnyEmbedder::Hashing(HashingEmbedder { dim: 512 })),
            ModelChoice::Minilm => ModelKind::MiniLm,
            ModelChoice::Mpnet => ModelKind::MpNet,
        };
        Ok(AnyEmbedder::Model(Box::new(crate::models::load(kind, backend)?)))
    }
}

impl AnyEmbedder {
    /// Where k-means and the neighbour graph run: on the embedding's device.
    pub fn compute(&self) -> DeviceCompute {
        match self {
            AnyEmbedder::Hashing(_) => DeviceCompute::Cpu(CpuCompute),
            AnyEmbedder::Model(e) => DeviceCompute::for_device(e.device()),
        }
    }
}

impl Embedder for AnyEmbedder {
    fn dim(&self) -> usize {
        match self {
            AnyEmbedder::Hashing(e) => e.dim(),
            AnyEmbedder::Model(e) => e.dim(),
        }
    }
    fn describe(&self) -> String {
        match self {
            AnyEmbedder::Hashing(e) => e.describe(),
            AnyEmbedder::Model(e) => e.describe(),
        }
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        match self {
            AnyEmbedder::Hashing(e) => e.embed(texts).await,
            AnyEmbedder::Model(e) => e.embed(texts).await,
        }
    }
}
