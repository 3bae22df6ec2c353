//! The two sentence-transformers and the `Embedder` that runs them.

use burn::prelude::*;
use kleio_core::embedder::{EmbedError, Embedder};

use crate::bert::{Bert, BertConfig};
use crate::device::ComputeDevice;
use crate::mpnet::{MpNet, MpNetConfig};
use crate::pooling::{l2_normalize, mean_pool};
use crate::tokenize::TextTokenizer;
use crate::weights::Weights;
use crate::EmbedModelError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// all-MiniLM-L6-v2: 6 layers, 384 dimensions. Fast; the default.
    MiniLm,
    /// all-mpnet-base-v2: 12 layers, 768 dimensions. The paper's model.
    MpNet,
}

impl std::str::FromStr for ModelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "minilm" => Ok(ModelKind::MiniLm),
            "mpnet" => Ok(ModelKind::MpNet),
            other => Err(format!("unknown model {other:?}: expected minilm or mpnet")),
        }
    }
}

impl ModelKind {
    /// The folder under `weights/` that `scripts/setup` fills.
    pub fn folder(self) -> &'static str {
        match self {
            ModelKind::MiniLm => "minilm",
            ModelKind::MpNet => "mpnet",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::MiniLm => "all-MiniLM-L6-v2",
            ModelKind::MpNet => "all-mpnet-base-v2",
        }
    }
    /// The model an embedder's description names (`SentenceEmbedder`'s
    /// `describe` starts with the model's name), as an analysis records it.
    pub fn of_description(description: &str) -> Option<ModelKind> {
        [ModelKind::MiniLm, ModelKind::MpNet].into_iter().find(|k| description.starts_with(k.name()))
    }
    pub fn dim(self) -> usize {
        match self {
            ModelKind::MiniLm => 384,
            ModelKind::MpNet => 768,
        }
    }
    /// sentence-transformers' `max_seq_length`, special tokens included.
    pub fn max_seq_len(self) -> usize {
        match self {
            ModelKind::MiniLm => 256,
            ModelKind::MpNet => 384,
        }
    }
    fn pad_id(self) -> u32 {
        match self {
            ModelKind::MiniLm => 0,
            ModelKind::MpNet => 1,
        }
    }
}

/// The arithmetic of the encoder's dense products.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// f32 throughout: the default, cosine >= 0.999 with sentence-transformers.
    /// Stored as `fp32`, the name everything else uses; settings saved as
    /// `f32` before still read.
    #[default]
    #[serde(rename = "fp32", alias = "f32")]
    F32,
    /// The dense products in integers (7-bit weights per column, 8-bit
    /// activations per row, as onnxruntime's dynamic quantisation), on the
    /// CPU in the browser only; fast where relaxed SIMD has its 8-bit dot
    /// product (`Precision::int8_is_fast`).
    Int8,
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "fp32" | "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            other => Err(format!("unknown precision {other:?}: expected fp32 or int8")),
        }
    }
}

/// What a description of a device says after it when the products are in integers.
const INT8_PRODUCTS: &str = "with int8 products";

impl Precision {
    /// The name `FromStr` reads back: `fp32` or `int8`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::F32 => "fp32",
            Precision::Int8 => "int8",
        }
    }

    /// Whether this build has the fast integer kernel: elsewhere int8 is slower than f32.
    pub fn int8_is_fast() -> bool {
        crate::matmul::FAST_INTEGER_PRODUCT
    }

    /// The precision an embedder's description names
    /// (`SentenceEmbedder::device_description` writes it).
    pub fn of_description(description: &str) -> Precision {
        if description.contains(INT8_PRODUCTS) {
            Precision::Int8
        } else {
            Precision::F32
        }
    }
}

/// The bytes of a model's files.
pub struct ModelFiles<'a> {
    pub safetensors: &'a [u8],
    pub tokenizer_json: &'a [u8],
}

enum Network {
    Bert(Bert),
    MpNet(MpNet),
}

/// A loaded model on a device, ready to embed.
pub struct SentenceEmbedder {
    kind: ModelKind,
    precision: Precision,
    network: Network,
    tokenizer: TextTokenizer,
    device: ComputeDevice,
    /// Most tokens (batch × padded length) run through the network at once;
    /// bounds memory and, on a GPU, the largest buffer.
    pub max_batch_tokens: usize,
}

impl SentenceEmbedder {
    pub fn load(kind: ModelKind, files: ModelFiles, device: ComputeDevice) -> Result<Self, EmbedModelError> {
        Self::load_with(kind, files, device, Precision::F32)
    }

    /// As [`load`](Self::load), with the dense products in `precision`.
    pub fn load_with(kind: ModelKind, files: ModelFiles, device: ComputeDevice, precision: Precision) -> Result<Self, EmbedModelError> {
        let weights_name = format!("weights/{}/model.safetensors", kind.folder());
        let tokenizer_name = format!("weights/{}/tokenizer.json", kind.folder());
        let w = Weights::parse(&weights_name, files.safetensors)?;
        let d = &device.device;
        let network = match kind {
            ModelKind::MiniLm => Network::Bert(Bert::load(&BertConfig::new(384, 6, 12), &w, d, precision)?),
            ModelKind::MpNet => Network::MpNet(MpNet::load(&MpNetConfig::new(768, 12, 12), &w, d, precision)?),
        };
        let tokenizer = TextTokenizer::from_bytes(&tokenizer_name, files.tokenizer_json, kind.max_seq_len())?;
        // On the CPU smaller batches stay in cache (2,048 tokens embedded 2,000
        // texts in 0.8 of the time 8,192 took); a GPU wants big ones.
        let max_batch_tokens = if device.is_gpu { 8192 } else { 2048 };
        Ok(SentenceEmbedder { kind, precision, network, tokenizer, device, max_batch_tokens })
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    pub fn device(&self) -> &ComputeDevice {
        &self.device
    }

    /// The device's description, and the precision where it is not f32.
    pub fn device_description(&self) -> String {
        match self.precision {
            Precision::F32 => self.device.description.clone(),
            Precision::Int8 => format!("{} {INT8_PRODUCTS}", self.device.description),
        }
    }

    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, EmbedModelError> {
        self.tokenizer.ids(text)
    }

    /// Most attention scores (batch × padded length², per head) in one batch,
    /// so the largest buffer, the scores of every head, fits the device's
    /// binding limit. Unlimited on the CPU.
    fn max_batch_scores(&self) -> usize {
        const HEADS: u64 = 12;
        match self.device.max_binding_bytes {
            Some(bytes) => usize::try_from(bytes / (HEADS * 4)).unwrap_or(usize::MAX).max(1),
            None => usize::MAX,
        }
    }

    /// Groups texts of similar token length so padding is not wasted: sorted by
    /// length, cut into batches of at most `max_batch_tokens` padded tokens and
    /// `max_batch_scores` attention scores (rows × padded length²).
    pub fn plan_batches(lengths: &[usize], max_batch_tokens: usize, max_batch_scores: usize) -> Vec<Vec<usize>> {
        let mut order: Vec<usize> = (0..lengths.len()).collect();
        order.sort_by_key(|&i| (lengths[i], i));
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        for i in order {
            // Sorted ascending, so this text is the longest of the batch so far.
            let longest = lengths[i].max(1);
            let rows = current.len() + 1;
            let too_big = longest * rows > max_batch_tokens || longest.saturating_mul(longest).saturating_mul(rows) > max_batch_scores;
            if !current.is_empty() && too_big {
                batches.push(std::mem::take(&mut current));
            }
            current.push(i);
        }
        if !current.is_empty() {
            batches.push(current);
        }
        batches
    }

    /// Runs one batch and returns its unit vectors as a flat row-major buffer.
    async fn run_batch(&self, ids: &[&Vec<u32>]) -> Result<Vec<f32>, EmbedModelError> {
        let l = ids.iter().map(|v| v.len()).max().unwrap_or(1);
        let pad = self.kind.pad_id();
        let padded: Vec<Vec<u32>> = ids
            .iter()
            .map(|v| {
                let mut row = (*v).clone();
                row.resize(l, pad);
                row
            })
            .collect();
        let mask: Vec<Vec<u8>> = ids.iter().map(|v| (0..l).map(|j| u8::from(j < v.len())).collect()).collect();
        let d = &self.device.device;
        let tokens = match &self.network {
            Network::Bert(m) => m.forward(&padded, &mask, d),
            Network::MpNet(m) => m.forward(&padded, &mask, d),
        }?;
        let mask_f: Vec<f32> = mask.iter().flatten().map(|&m| m as f32).collect();
        let mask_t = Tensor::<2>::from_data(TensorData::new(mask_f, [ids.len(), l]), d);
        let pooled = l2_normalize(mean_pool(tokens, mask_t));
        // Read back asynchronously: a synchronous read-back panics in the browser.
        let data = pooled.into_data_async().await.map_err(|e| EmbedModelError::Readback(format!("{e:?}")))?;
        data.try_to_vec::<f32>().map_err(|e| EmbedModelError::Readback(format!("{e:?}")))
    }

    /// Unit vectors for `texts`, in order, batched by length.
    pub async fn embed_texts(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedModelError> {
        self.embed_texts_with(texts, async |_| {}).await
    }

    /// Unit vectors for `texts`, in order, batched by length, awaiting
    /// `after_batch(texts in it)` after each batch: a caller on a browser's
    /// page lets it repaint there and counts progress. Callers should hand
    /// over all their texts at once rather than cut them into pieces first,
    /// since a batch pads every text to its longest (in a run's order, pieces
    /// of 16 summaries padded to 4.3 times their tokens).
    pub async fn embed_texts_with(&self, texts: &[String], mut after_batch: impl AsyncFnMut(usize)) -> Result<Vec<Vec<f32>>, EmbedModelError> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.tokenizer.ids(t)).collect::<Result<_, _>>()?;
        let lengths: Vec<usize> = ids.iter().map(Vec::len).collect();
        let dim = self.kind.dim();
        let mut out = vec![Vec::new(); texts.len()];
        for batch in Self::plan_batches(&lengths, self.max_batch_tokens, self.max_batch_scores()) {
            let rows: Vec<&Vec<u32>> = batch.iter().map(|&i| &ids[i]).collect();
            let flat = self.run_batch(&rows).await?;
            for (k, &i) in batch.iter().enumerate() {
                out[i] = flat[k * dim..(k + 1) * dim].to_vec();
            }
            after_batch(batch.len()).await;
        }
        Ok(out)
    }
}

impl Embedder for SentenceEmbedder {
    fn dim(&self) -> usize {
        self.kind.dim()
    }
    fn describe(&self) -> String {
        format!("{} on {}", self.kind.name(), self.device_description())
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_texts(texts).await.map_err(|e| EmbedError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::{Precision, SentenceEmbedder};

    #[test]
    fn batches_group_by_length_and_respect_the_token_budget() {
        let lengths = [5, 100, 6, 7, 100, 3];
        let batches = SentenceEmbedder::plan_batches(&lengths, 200, usize::MAX);
        let flat: Vec<usize> = batches.iter().flatten().copied().collect();
        assert_eq!(flat, vec![5, 0, 2, 3, 1, 4]);
        for b in &batches {
            let longest = b.iter().map(|&i| lengths[i]).max().unwrap();
            assert!(longest * b.len() <= 200 || b.len() == 1);
        }
    }

    #[test]
    fn batches_also_respect_the_attention_score_budget() {
        // 4 texts of 100 tokens fit a 1,000-token budget, but only 2 fit 25,000 scores (2 × 100²).
        let lengths = [100, 100, 100, 100];
        let batches = SentenceEmbedder::plan_batches(&lengths, 1000, 25_000);
        assert_eq!(batches, vec![vec![0, 1], vec![2, 3]]);
        // A single text over the budget still runs, alone.
        assert_eq!(SentenceEmbedder::plan_batches(&[300], 1000, 25_000), vec![vec![0]]);
    }

    #[test]
    fn a_precision_is_stored_and_parsed_by_its_one_name() {
        for precision in [Precision::F32, Precision::Int8] {
            assert_eq!(serde_json::to_string(&precision).unwrap(), format!("\"{}\"", precision.name()));
            assert_eq!(precision.name().parse::<Precision>(), Ok(precision));
        }
        assert_eq!(serde_json::from_str::<Precision>("\"f32\"").unwrap(), Precision::F32, "settings saved before");
    }
}
