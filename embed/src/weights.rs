//! Reading model files from bytes, so the browser can fetch and cache them.

use burn::prelude::*;
use safetensors::{Dtype, SafeTensors};

use crate::EmbedModelError;

/// A parsed safetensors file and the name it had, for error messages.
pub struct Weights<'a> {
    file: &'a str,
    tensors: SafeTensors<'a>,
}

impl<'a> Weights<'a> {
    pub fn parse(file: &'a str, bytes: &'a [u8]) -> Result<Self, EmbedModelError> {
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| EmbedModelError::Corrupt { file: file.to_string(), detail: e.to_string() })?;
        Ok(Weights { file, tensors })
    }

    /// The error for a file whose tensors do not fit the model.
    pub fn corrupt(&self, detail: String) -> EmbedModelError {
        EmbedModelError::Corrupt { file: self.file.to_string(), detail }
    }

    /// The raw f32 values and shape of one tensor.
    pub fn values(&self, name: &str) -> Result<(Vec<f32>, Vec<usize>), EmbedModelError> {
        let view =
            self.tensors.tensor(name).map_err(|_| EmbedModelError::Corrupt { file: self.file.to_string(), detail: format!("tensor {name} is missing") })?;
        if view.dtype() != Dtype::F32 {
            return Err(EmbedModelError::Corrupt { file: self.file.to_string(), detail: format!("tensor {name} is {:?}, expected F32", view.dtype()) });
        }
        let values = view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Ok((values, view.shape().to_vec()))
    }

    pub fn tensor<const D: usize>(&self, name: &str, device: &Device) -> Result<Tensor<D>, EmbedModelError> {
        let (values, shape) = self.values(name)?;
        if shape.len() != D {
            return Err(EmbedModelError::Corrupt {
                file: self.file.to_string(),
                detail: format!("tensor {name} has {} dimensions, expected {D}", shape.len()),
            });
        }
        Ok(Tensor::from_data(TensorData::new(values, shape), device))
    }

    /// A dense layer stored as PyTorch does (`weight` is `[out, in]`), as a burn `Linear` (`[in, out]`).
    pub fn linear(&self, prefix: &str, device: &Device) -> Result<burn::nn::Linear, EmbedModelError> {
        let weight: Tensor<2> = self.tensor(&format!("{prefix}.weight"), device)?;
        let bias: Tensor<1> = self.tensor(&format!("{prefix}.bias"), device)?;
        Ok(burn::nn::Linear { weight: burn::module::Param::from_tensor(weight.transpose()), bias: Some(burn::module::Param::from_tensor(bias)) })
    }

    pub fn layer_norm(&self, prefix: &str, epsilon: f64, device: &Device) -> Result<burn::nn::LayerNorm, EmbedModelError> {
        let gamma: Tensor<1> = self.tensor(&format!("{prefix}.weight"), device)?;
        let beta: Tensor<1> = self.tensor(&format!("{prefix}.bias"), device)?;
        let mut norm = burn::nn::LayerNormConfig::new(gamma.dims()[0]).with_epsilon(epsilon).init(device);
        norm.gamma = burn::module::Param::from_tensor(gamma);
        norm.beta = Some(burn::module::Param::from_tensor(beta));
        Ok(norm)
    }

    pub fn embedding(&self, name: &str, device: &Device) -> Result<burn::nn::Embedding, EmbedModelError> {
        Ok(burn::nn::Embedding { weight: burn::module::Param::from_tensor(self.tensor(name, device)?) })
    }
}
