//! The BERT encoder of all-MiniLM-L6-v2.

use burn::nn::{Embedding, LayerNorm};
use burn::prelude::*;

use crate::encoder::{LayerNames, Layers};
use crate::model::Precision;
use crate::weights::Weights;
use crate::EmbedModelError;

#[derive(Config, Debug)]
pub struct BertConfig {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    #[config(default = 1e-12)]
    pub layer_norm_eps: f64,
}

const NAMES: LayerNames = LayerNames {
    query: "attention.self.query",
    key: "attention.self.key",
    value: "attention.self.value",
    attn_out: "attention.output.dense",
    attn_norm: "attention.output.LayerNorm",
    up: "intermediate.dense",
    down: "output.dense",
    out_norm: "output.LayerNorm",
};

pub struct Bert {
    words: Embedding,
    positions: Embedding,
    token_types: Embedding,
    norm: LayerNorm,
    layers: Layers,
}

impl Bert {
    pub fn load(config: &BertConfig, w: &Weights, device: &Device, precision: Precision) -> Result<Self, EmbedModelError> {
        let layers = Layers::load(w, "encoder.layer", config.layers, &NAMES, config.heads, config.layer_norm_eps, device, precision)?;
        Ok(Bert {
            words: w.embedding("embeddings.word_embeddings.weight", device)?,
            positions: w.embedding("embeddings.position_embeddings.weight", device)?,
            token_types: w.embedding("embeddings.token_type_embeddings.weight", device)?,
            norm: w.layer_norm("embeddings.LayerNorm", config.layer_norm_eps, device)?,
            layers,
        })
    }

    /// Token vectors `[batch, len, hidden]` for right-padded ids and their mask.
    pub fn forward(&self, ids: &[Vec<u32>], mask: &[Vec<u8>], device: &Device) -> Result<Tensor<3>, EmbedModelError> {
        let (b, l) = (ids.len(), ids[0].len());
        let flat: Vec<i64> = ids.iter().flatten().map(|&i| i as i64).collect();
        let ids_t = Tensor::<2, Int>::from_data(TensorData::new(flat, [b, l]), device);
        let pos: Vec<i64> = (0..b).flat_map(|_| 0..l as i64).collect();
        let pos_t = Tensor::<2, Int>::from_data(TensorData::new(pos, [b, l]), device);
        let types_t = Tensor::<2, Int>::zeros([b, l], device);
        let x = self.words.forward(ids_t) + self.positions.forward(pos_t) + self.token_types.forward(types_t);
        self.layers.forward(self.norm.forward(x), mask, None)
    }
}
