//! The encoder layer computed on the host, for the CPU in the browser.
//!
//! burn's CPU backend is general: each layer is a dozen tensor operations,
//! the attention's head split and merge copy their tensors (`swap_dims`
//! then a contiguous product), and its products go to the gemm crate, whose
//! WebAssembly kernel is slower than `matmul.rs`'s. Here the layer is one
//! function over flat row-major buffers: the query, key and value
//! projections are one product (their weights side by side, the query's
//! already scaled by 1/√head size), each head's scores read its keys in place
//! and write its context straight into the merged buffer, and the residual
//! adds go into the layer norms' pass. The arithmetic is the same as the burn
//! layer's (`encoder.rs`), which a test holds it to; with the int8 option
//! (`Precision::Int8`) the four dense products are integer ones instead
//! (`matmul::quantized_product`), which a second test holds close to it.
//!
//! Native builds and the GPU keep burn's layer: natively burn's kernels use
//! every core and the processor's widest vectors.

use crate::cpu_kernels::{gelu_values, softmax_row};
use crate::encoder::LayerNames;
use crate::matmul::{product, quantized_product, Output, QuantizedPanels, Strided};
use crate::model::Precision;
use crate::weights::Weights;
use crate::EmbedModelError;

/// A dense layer's weights: `[inputs, outputs]`, row-major, or quantised.
enum DenseWeights {
    F32(Vec<f32>),
    Int8(QuantizedPanels),
}

struct HostLinear {
    weight: DenseWeights,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

impl HostLinear {
    /// The PyTorch layouts (`[out, in]`) of one or more dense layers over the
    /// same input, side by side in one `[in, Σ out]` layer, each scaled by its factor.
    fn load_side_by_side(w: &Weights, prefixes: &[(&str, f32)], precision: Precision) -> Result<Self, EmbedModelError> {
        let mut parts = Vec::new();
        for &(prefix, scale) in prefixes {
            let (weight, shape) = w.values(&format!("{prefix}.weight"))?;
            let (bias, _) = w.values(&format!("{prefix}.bias"))?;
            let (outputs, inputs) = match shape[..] {
                [o, i] if bias.len() == o => (o, i),
                _ => return Err(w.corrupt(format!("{prefix} has weight {shape:?} and {} biases", bias.len()))),
            };
            parts.push((weight, bias, outputs, inputs, scale));
        }
        let inputs = parts[0].3;
        if parts.iter().any(|p| p.3 != inputs) {
            return Err(w.corrupt(format!("the layers {:?} take inputs of different sizes", prefixes.iter().map(|p| p.0).collect::<Vec<_>>())));
        }
        let outputs: usize = parts.iter().map(|p| p.2).sum();
        let mut weight = vec![0.0; inputs * outputs];
        let mut bias = Vec::with_capacity(outputs);
        let mut column = 0;
        for (part_weight, part_bias, part_outputs, _, scale) in parts {
            for o in 0..part_outputs {
                for i in 0..inputs {
                    weight[i * outputs + column + o] = part_weight[o * inputs + i] * scale;
                }
            }
            bias.extend(part_bias.iter().map(|b| b * scale));
            column += part_outputs;
        }
        let weight = match precision {
            Precision::F32 => DenseWeights::F32(weight),
            Precision::Int8 => DenseWeights::Int8(QuantizedPanels::new(&weight, inputs, outputs)),
        };
        Ok(HostLinear { weight, bias, inputs, outputs })
    }

    /// `rows × outputs` values for `rows × inputs` of `x`.
    fn forward(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut out = vec![0.0; rows * self.outputs];
        match &self.weight {
            DenseWeights::F32(weight) => {
                let (input, weight) = (Strided::rows(x, 0, self.inputs), Strided::rows(weight, 0, self.outputs));
                product(rows, self.inputs, self.outputs, input, weight, Output { data: &mut out, start: 0, row_step: self.outputs });
            }
            DenseWeights::Int8(weight) => quantized_product(rows, x, weight, &mut out),
        }
        out.chunks_exact_mut(self.outputs).for_each(|row| row.iter_mut().zip(&self.bias).for_each(|(v, b)| *v += b));
        out
    }
}

struct HostNorm {
    gamma: Vec<f32>,
    beta: Vec<f32>,
    epsilon: f32,
}

impl HostNorm {
    fn load(w: &Weights, prefix: &str, epsilon: f64) -> Result<Self, EmbedModelError> {
        let (gamma, _) = w.values(&format!("{prefix}.weight"))?;
        let (beta, _) = w.values(&format!("{prefix}.bias"))?;
        Ok(HostNorm { gamma, beta, epsilon: epsilon as f32 })
    }

    /// `x ← norm(x + residual)`, row by row.
    fn add_and_normalize(&self, x: &mut [f32], residual: &[f32]) {
        let width = self.gamma.len();
        for (row, residual) in x.chunks_exact_mut(width).zip(residual.chunks_exact(width)) {
            row.iter_mut().zip(residual).for_each(|(v, r)| *v += r);
            let mean = row.iter().sum::<f32>() / width as f32;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let scale = 1.0 / (variance + self.epsilon).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * scale * g + b;
            }
        }
    }
}

/// The sequences of a batch, packed: their tokens' rows one after another,
/// with no padding, so that no product computes a padded row (batches of
/// texts sorted by length still padded 30 % of their rows).
pub struct Packed<'a> {
    /// Tokens in each sequence, in order.
    pub lengths: &'a [usize],
    /// `[heads, len, len]` for positions `0..len`, where the model adds a
    /// bias for each pair of positions (MPNet); `len` covers the longest sequence.
    pub position: Option<(&'a [f32], usize)>,
}

pub struct HostLayer {
    /// Query (scaled by 1/√head size), key and value, side by side: `[hidden, 3·hidden]`.
    query_key_value: HostLinear,
    attn_out: HostLinear,
    attn_norm: HostNorm,
    up: HostLinear,
    down: HostLinear,
    out_norm: HostNorm,
    heads: usize,
}

impl HostLayer {
    /// With `Precision::Int8` the four dense products run in integers
    /// (`matmul::quantized_product`); the attention stays in f32.
    pub fn load(w: &Weights, prefix: &str, names: &LayerNames, heads: usize, eps: f64, precision: Precision) -> Result<Self, EmbedModelError> {
        let p = |s: &str| format!("{prefix}.{s}");
        let query_key_value = {
            let (query, key, value) = (p(names.query), p(names.key), p(names.value));
            let hidden = w.values(&format!("{query}.bias"))?.0.len();
            if heads == 0 || hidden % heads != 0 {
                return Err(w.corrupt(format!("{hidden} hidden values do not split into {heads} heads")));
            }
            let scale = 1.0 / ((hidden / heads) as f32).sqrt();
            HostLinear::load_side_by_side(w, &[(&query, scale), (&key, 1.0), (&value, 1.0)], precision)?
        };
        let layer = HostLayer {
            query_key_value,
            attn_out: HostLinear::load_side_by_side(w, &[(&p(names.attn_out), 1.0)], precision)?,
            attn_norm: HostNorm::load(w, &p(names.attn_norm), eps)?,
            up: HostLinear::load_side_by_side(w, &[(&p(names.up), 1.0)], precision)?,
            down: HostLinear::load_side_by_side(w, &[(&p(names.down), 1.0)], precision)?,
            out_norm: HostNorm::load(w, &p(names.out_norm), eps)?,
            heads,
        };
        let hidden = layer.attn_out.outputs;
        let consistent = layer.query_key_value.inputs == hidden
            && layer.query_key_value.outputs == 3 * hidden
            && layer.attn_out.inputs == hidden
            && layer.attn_norm.gamma.len() == hidden
            && layer.up.inputs == hidden
            && layer.down.inputs == layer.up.outputs
            && layer.down.outputs == hidden
            && layer.out_norm.gamma.len() == hidden;
        if !consistent {
            return Err(w.corrupt(format!("the shapes of {prefix} do not fit together")));
        }
        Ok(layer)
    }

    /// `x`: the sequences' token rows, packed (`[Σ lengths, hidden]`,
    /// row-major), replaced by the layer's output.
    pub fn forward(&self, x: &mut Vec<f32>, packed: &Packed) {
        let rows: usize = packed.lengths.iter().sum();
        let query_key_value = self.query_key_value.forward(x, rows);
        let context = self.attention(&query_key_value, packed);
        let mut attended = self.attn_out.forward(&context, rows);
        self.attn_norm.add_and_normalize(&mut attended, x);
        let mut up = self.up.forward(&attended, rows);
        gelu_values(&mut up);
        let mut out = self.down.forward(&up, rows);
        self.out_norm.add_and_normalize(&mut out, &attended);
        *x = out;
    }

    /// softmax(Q·Kᵀ + bias)·V per sequence and head, each head's context
    /// written into its columns of the packed `[Σ lengths, hidden]` output.
    fn attention(&self, query_key_value: &[f32], packed: &Packed) -> Vec<f32> {
        let hidden = self.attn_out.outputs;
        let head_size = hidden / self.heads;
        let width = 3 * hidden;
        let rows: usize = packed.lengths.iter().sum();
        let longest = packed.lengths.iter().copied().max().unwrap_or(0);
        let mut context = vec![0.0; rows * hidden];
        let mut scores = vec![0.0; longest * longest];
        let mut first_row = 0;
        for &len in packed.lengths {
            let scores = &mut scores[..len * len];
            for head in 0..self.heads {
                let column = head * head_size;
                let queries = Strided::rows(query_key_value, first_row * width + column, width);
                let keys = Strided::columns(query_key_value, first_row * width + hidden + column, width);
                product(len, head_size, len, queries, keys, Output { data: scores, start: 0, row_step: len });
                for (q, row) in scores.chunks_exact_mut(len).enumerate() {
                    if let Some((position, positions)) = packed.position {
                        row.iter_mut().zip(&position[(head * positions + q) * positions..][..len]).for_each(|(s, p)| *s += p);
                    }
                    softmax_row(row);
                }
                let weights = Strided::rows(scores, 0, len);
                let values = Strided::rows(query_key_value, first_row * width + 2 * hidden + column, width);
                product(len, len, head_size, weights, values, Output { data: &mut context, start: first_row * hidden + column, row_step: hidden });
            }
            first_row += len;
        }
        context
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::{padding_bias, EncoderLayer};
    use burn::prelude::*;

    const NAMES: LayerNames = LayerNames { query: "q", key: "k", value: "v", attn_out: "o", attn_norm: "n1", up: "up", down: "down", out_norm: "n2" };

    /// A safetensors file of one layer with arbitrary (deterministic) weights.
    fn layer_file(hidden: usize, inner: usize) -> Vec<u8> {
        let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.4
        };
        for (name, outputs, inputs) in
            [("q", hidden, hidden), ("k", hidden, hidden), ("v", hidden, hidden), ("o", hidden, hidden), ("up", inner, hidden), ("down", hidden, inner)]
        {
            tensors.push((format!("l.{name}.weight"), vec![outputs, inputs], (0..outputs * inputs).map(|_| next()).collect()));
            tensors.push((format!("l.{name}.bias"), vec![outputs], (0..outputs).map(|_| next()).collect()));
        }
        for name in ["n1", "n2"] {
            tensors.push((format!("l.{name}.weight"), vec![hidden], (0..hidden).map(|_| 1.0 + next()).collect()));
            tensors.push((format!("l.{name}.bias"), vec![hidden], (0..hidden).map(|_| next()).collect()));
        }
        let bytes: Vec<(String, Vec<usize>, Vec<u8>)> =
            tensors.into_iter().map(|(name, shape, values)| (name, shape, values.iter().flat_map(|v| v.to_le_bytes()).collect())).collect();
        let views: Vec<(String, safetensors::tensor::TensorView)> = bytes
            .iter()
            .map(|(name, shape, data)| (name.clone(), safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), data).unwrap()))
            .collect();
        safetensors::serialize(views, None).unwrap()
    }

    /// One layer of random weights run by burn on padded sequences and by
    /// the host layer on the same sequences packed, with a position bias, on
    /// a batch whose head size, lengths and widths are not multiples of the
    /// kernel's tile: both outputs for every real token, in order.
    fn both_layers(precision: Precision) -> (Vec<f32>, Vec<f32>, usize) {
        let (hidden, inner, heads, batch, len) = (24, 52, 4, 3, 7);
        let file = layer_file(hidden, inner);
        let weights = Weights::parse("test.safetensors", &file).unwrap();
        let device = Device::flex();
        let burns = EncoderLayer::load(&weights, "l", &NAMES, heads, 1e-12, &device).unwrap();
        let ours = HostLayer::load(&weights, "l", &NAMES, heads, 1e-12, precision).unwrap();

        let x: Vec<f32> = (0..batch * len * hidden).map(|i| ((i * 37 % 101) as f32 / 50.0) - 1.0).collect();
        let mask: Vec<Vec<u8>> = [7, 4, 1].iter().map(|&real| (0..len).map(|j| u8::from(j < real)).collect()).collect();
        let position: Vec<f32> = (0..heads * len * len).map(|i| ((i * 13 % 17) as f32 / 8.0) - 1.0).collect();

        let tensor_bias =
            padding_bias(&mask, &device) + Tensor::<3>::from_data(TensorData::new(position.clone(), [heads, len, len]), &device).reshape([1, heads, len, len]);
        let x_tensor = Tensor::<3>::from_data(TensorData::new(x.clone(), [batch, len, hidden]), &device);
        let want = burns.forward(x_tensor, tensor_bias).into_data().try_into_vec::<f32>().unwrap();

        // The host layer takes the real tokens only, packed; burn's output is
        // compared on those rows (its padded rows are never read).
        let lengths: Vec<usize> = mask.iter().map(|row| row.iter().filter(|&&m| m == 1).count()).collect();
        let real_rows = |values: &[f32]| -> Vec<f32> {
            values.chunks_exact(len * hidden).zip(&lengths).flat_map(|(sequence, &real)| sequence[..real * hidden].to_vec()).collect()
        };
        let mut got = real_rows(&x);
        ours.forward(&mut got, &Packed { lengths: &lengths, position: Some((&position, len)) });
        (got, real_rows(&want), hidden)
    }

    #[test]
    fn the_host_layer_matches_burns_layer() {
        let (got, want, _) = both_layers(Precision::F32);
        assert_eq!(got.len(), want.len());
        for (i, (a, b)) in got.iter().zip(&want).enumerate() {
            assert!((a - b).abs() < 1e-4, "value {i}: {a} against burn's {b}");
        }
    }

    /// With integer products each token's output points the same way as
    /// the f32 layer's, within the quantisation's noise.
    #[test]
    fn the_int8_host_layer_stays_close_to_burns_layer() {
        let (got, want, hidden) = both_layers(Precision::Int8);
        assert_eq!(got.len(), want.len());
        for (token, (a, b)) in got.chunks_exact(hidden).zip(want.chunks_exact(hidden)).enumerate() {
            let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
            let cosine = dot / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|y| y * y).sum::<f32>().sqrt());
            assert!(cosine > 0.995, "token {token}: cosine {cosine} with burn's f32 layer");
        }
    }
}
