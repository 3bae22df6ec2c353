//! The transformer layer BERT and MPNet share: self-attention with an additive
//! bias (the padding mask, plus MPNet's relative positions), then a GELU
//! feed-forward block, each followed by a residual connection and LayerNorm.

use crate::cpu_kernels::{gelu, softmax};
use burn::nn::{LayerNorm, Linear};
use burn::prelude::*;

use crate::host_encoder::{HostLayer, Packed};
use crate::model::Precision;
use crate::weights::Weights;
use crate::EmbedModelError;

/// A model's stack of layers, as burn modules on the device or, for the CPU
/// in the browser, as the host layer of `host_encoder.rs`.
pub enum Layers {
    Device(Vec<EncoderLayer>),
    Host(Vec<HostLayer>),
}

impl Layers {
    /// Layers `{stack}.0` to `{stack}.{count - 1}`; integer products
    /// (`Precision::Int8`) exist on the host path only.
    #[allow(clippy::too_many_arguments)]
    pub fn load(
        w: &Weights,
        stack: &str,
        count: usize,
        names: &LayerNames,
        heads: usize,
        eps: f64,
        device: &Device,
        precision: Precision,
    ) -> Result<Self, EmbedModelError> {
        let prefixes = (0..count).map(|i| format!("{stack}.{i}"));
        if cfg!(target_arch = "wasm32") && *device == Device::flex() {
            Ok(Layers::Host(prefixes.map(|p| HostLayer::load(w, &p, names, heads, eps, precision)).collect::<Result<_, _>>()?))
        } else if precision == Precision::Int8 {
            Err(EmbedModelError::Unsupported("int8 products run on the CPU in the browser only".into()))
        } else {
            Ok(Layers::Device(prefixes.map(|p| EncoderLayer::load(w, &p, names, heads, eps, device)).collect::<Result<_, _>>()?))
        }
    }

    /// `x`: `[batch, len, hidden]`; `mask`: 1 for each real token, per row;
    /// `position`: `[heads, len, len]` of position biases, where the model has them.
    pub fn forward(&self, x: Tensor<3>, mask: &[Vec<u8>], position: Option<Vec<f32>>) -> Result<Tensor<3>, EmbedModelError> {
        let device = x.device();
        let [b, l, h] = x.dims();
        match self {
            Layers::Device(layers) => {
                let mut bias = padding_bias(mask, &device);
                if let Some(position) = position {
                    let heads = position.len() / (l * l).max(1);
                    bias = bias + Tensor::<3>::from_data(TensorData::new(position, [heads, l, l]), &device).reshape([1, heads, l, l]);
                }
                Ok(layers.iter().fold(x, |x, layer| layer.forward(x, bias.clone())))
            }
            Layers::Host(layers) => {
                let padded = x.into_data().convert::<f32>().try_into_vec::<f32>().map_err(|e| EmbedModelError::Readback(format!("{e:?}")))?;
                let lengths: Vec<usize> = mask.iter().map(|row| row.iter().filter(|&&m| m == 1).count()).collect();
                // Right-padded rows: each sequence's real tokens come first.
                let mut values: Vec<f32> =
                    padded.chunks_exact(l * h).zip(&lengths).flat_map(|(sequence, &real)| sequence[..real * h].iter().copied()).collect();
                let packed = Packed { lengths: &lengths, position: position.as_deref().map(|p| (p, l)) };
                layers.iter().for_each(|layer| layer.forward(&mut values, &packed));
                // Back to the padded shape the pooling takes; padded rows are zeros, which it skips.
                let mut out = vec![0.0; b * l * h];
                let mut first = 0;
                for (sequence, &real) in out.chunks_exact_mut(l * h).zip(&lengths) {
                    sequence[..real * h].copy_from_slice(&values[first..first + real * h]);
                    first += real * h;
                }
                Ok(Tensor::from_data(TensorData::new(out, [b, l, h]), &device))
            }
        }
    }
}

/// Where a checkpoint keeps each part of a layer.
pub struct LayerNames {
    pub query: &'static str,
    pub key: &'static str,
    pub value: &'static str,
    pub attn_out: &'static str,
    pub attn_norm: &'static str,
    pub up: &'static str,
    pub down: &'static str,
    pub out_norm: &'static str,
}

#[derive(Module, Debug)]
pub struct EncoderLayer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    up: Linear,
    down: Linear,
    out_norm: LayerNorm,
    heads: usize,
}

impl EncoderLayer {
    pub fn load(w: &Weights, prefix: &str, names: &LayerNames, heads: usize, eps: f64, device: &Device) -> Result<Self, EmbedModelError> {
        let p = |s: &str| format!("{prefix}.{s}");
        Ok(EncoderLayer {
            query: w.linear(&p(names.query), device)?,
            key: w.linear(&p(names.key), device)?,
            value: w.linear(&p(names.value), device)?,
            attn_out: w.linear(&p(names.attn_out), device)?,
            attn_norm: w.layer_norm(&p(names.attn_norm), eps, device)?,
            up: w.linear(&p(names.up), device)?,
            down: w.linear(&p(names.down), device)?,
            out_norm: w.layer_norm(&p(names.out_norm), eps, device)?,
            heads,
        })
    }

    /// `x`: `[batch, len, hidden]`; `bias`: broadcastable to `[batch, heads, len, len]`.
    pub fn forward(&self, x: Tensor<3>, bias: Tensor<4>) -> Tensor<3> {
        let [b, l, h] = x.dims();
        let dh = h / self.heads;
        let split = |t: Tensor<3>| t.reshape([b, l, self.heads, dh]).swap_dims(1, 2);
        let q = split(self.query.forward(x.clone()));
        let k = split(self.key.forward(x.clone()));
        let v = split(self.value.forward(x.clone()));
        let scores = q.matmul(k.swap_dims(2, 3)).div_scalar((dh as f64).sqrt()) + bias;
        let context = softmax(scores).matmul(v).swap_dims(1, 2).reshape([b, l, h]);
        let attended = self.attn_norm.forward(self.attn_out.forward(context) + x);
        let ff = self.down.forward(gelu(self.up.forward(attended.clone())));
        self.out_norm.forward(ff + attended)
    }
}

/// `[batch, 1, 1, len]` additive mask: 0 where a token is real, a large negative where it is padding.
pub fn padding_bias(mask: &[Vec<u8>], device: &Device) -> Tensor<4> {
    let b = mask.len();
    let l = mask.first().map_or(0, Vec::len);
    let values: Vec<f32> = mask.iter().flatten().map(|&m| if m == 1 { 0.0 } else { -1e9 }).collect();
    Tensor::<2>::from_data(TensorData::new(values, [b, l]), device).reshape([b, 1, 1, l])
}
