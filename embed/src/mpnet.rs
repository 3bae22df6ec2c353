//! The MPNet encoder of all-mpnet-base-v2: BERT-like layers with a learned
//! relative-position bias shared by all layers, and positions counted from
//! the padding index.

use burn::nn::{Embedding, LayerNorm};
use burn::prelude::*;

use crate::encoder::{LayerNames, Layers};
use crate::model::Precision;
use crate::weights::Weights;
use crate::EmbedModelError;

#[derive(Config, Debug)]
pub struct MpNetConfig {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    #[config(default = 32)]
    pub buckets: usize,
    #[config(default = 128)]
    pub max_distance: usize,
    #[config(default = 1)]
    pub padding_idx: usize,
    #[config(default = 1e-5)]
    pub layer_norm_eps: f64,
}

const NAMES: LayerNames = LayerNames {
    query: "attention.attn.q",
    key: "attention.attn.k",
    value: "attention.attn.v",
    attn_out: "attention.attn.o",
    attn_norm: "attention.LayerNorm",
    up: "intermediate.dense",
    down: "output.dense",
    out_norm: "output.LayerNorm",
};

pub struct MpNet {
    words: Embedding,
    positions: Embedding,
    norm: LayerNorm,
    layers: Layers,
    /// `[buckets, heads]`, kept on the host: the bias table is built per sequence length.
    relative_bias: Vec<f32>,
    heads: usize,
    buckets: usize,
    max_distance: usize,
    padding_idx: usize,
}

/// The bucket of a relative position `memory − context`, exactly as the reference computes it (in f32).
pub fn relative_bucket(relative: i64, buckets: usize, max_distance: usize) -> usize {
    let half = (buckets / 2) as i64;
    let mut ret = 0i64;
    let n = -relative;
    if n < 0 {
        ret += half;
    }
    let n = n.abs();
    let max_exact = half / 2;
    if n < max_exact {
        ret += n;
    } else {
        let scaled = ((n as f32 / max_exact as f32).ln() / (max_distance as f32 / max_exact as f32).ln() * (half - max_exact) as f32) as i64;
        ret += (max_exact + scaled).min(half - 1);
    }
    ret as usize
}

impl MpNet {
    pub fn load(config: &MpNetConfig, w: &Weights, device: &Device, precision: Precision) -> Result<Self, EmbedModelError> {
        let layers = Layers::load(w, "encoder.layer", config.layers, &NAMES, config.heads, config.layer_norm_eps, device, precision)?;
        let (relative_bias, _) = w.values("encoder.relative_attention_bias.weight")?;
        Ok(MpNet {
            words: w.embedding("embeddings.word_embeddings.weight", device)?,
            positions: w.embedding("embeddings.position_embeddings.weight", device)?,
            norm: w.layer_norm("embeddings.LayerNorm", config.layer_norm_eps, device)?,
            layers,
            relative_bias,
            heads: config.heads,
            buckets: config.buckets,
            max_distance: config.max_distance,
            padding_idx: config.padding_idx,
        })
    }

    /// `[heads, len, len]`: the learned bias of each head for each pair of positions.
    fn position_bias(&self, l: usize) -> Vec<f32> {
        let mut values = vec![0.0f32; self.heads * l * l];
        for q in 0..l {
            for k in 0..l {
                let bucket = relative_bucket(k as i64 - q as i64, self.buckets, self.max_distance);
                for h in 0..self.heads {
                    values[(h * l + q) * l + k] = self.relative_bias[bucket * self.heads + h];
                }
            }
        }
        values
    }

    pub fn forward(&self, ids: &[Vec<u32>], mask: &[Vec<u8>], device: &Device) -> Result<Tensor<3>, EmbedModelError> {
        let (b, l) = (ids.len(), ids[0].len());
        let flat: Vec<i64> = ids.iter().flatten().map(|&i| i as i64).collect();
        let ids_t = Tensor::<2, Int>::from_data(TensorData::new(flat, [b, l]), device);
        // Real tokens are numbered from padding_idx + 1; padding sits at padding_idx.
        let pad = self.padding_idx as i64;
        let pos: Vec<i64> = mask
            .iter()
            .flat_map(|row| {
                let mut count = 0i64;
                row.iter()
                    .map(move |&m| {
                        if m == 1 {
                            count += 1;
                            count + pad
                        } else {
                            pad
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let pos_t = Tensor::<2, Int>::from_data(TensorData::new(pos, [b, l]), device);
        let x = self.norm.forward(self.words.forward(ids_t) + self.positions.forward(pos_t));
        self.layers.forward(x, mask, Some(self.position_bias(l)))
    }
}

#[cfg(test)]
mod tests {
    use super::relative_bucket;

    /// Values computed with the reference's `relative_position_bucket` (transformers' MPNet).
    #[test]
    fn buckets_match_the_reference() {
        let cases = [(0, 0), (1, 17), (-1, 1), (7, 23), (-7, 7), (8, 24), (-8, 8), (12, 25), (-20, 10), (100, 31), (-100, 15), (383, 31), (-383, 15)];
        for (rel, want) in cases {
            assert_eq!(relative_bucket(rel, 32, 128), want, "relative {rel}");
        }
    }
}
