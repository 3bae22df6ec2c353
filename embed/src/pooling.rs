//! Sentence vectors from token vectors: the mean over real tokens, then unit length.

use burn::prelude::*;

/// `tokens`: `[batch, len, hidden]`; `mask`: `[batch, len]` with 1 for real tokens.
/// Padding contributes nothing; a row with no real token (impossible after
/// tokenisation, which adds special tokens) divides by a tiny floor, not zero.
pub fn mean_pool(tokens: Tensor<3>, mask: Tensor<2>) -> Tensor<2> {
    let [b, l, _] = tokens.dims();
    let m = mask.reshape([b, l, 1]);
    let summed = (tokens * m.clone()).sum_dim(1).squeeze_dim::<2>(1);
    let counts = m.sum_dim(1).squeeze_dim::<2>(1).clamp_min(1e-9);
    summed / counts
}

/// Each row scaled to unit L2 norm (rows of zeros stay zero).
pub fn l2_normalize(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-12);
    x / norm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f32], b: &[f32]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn mean_pool_ignores_padding() {
        let d = Device::flex();
        let tokens = Tensor::<3>::from_data(TensorData::new(vec![1.0f32, 2.0, 3.0, 4.0, 100.0, 100.0, 5.0, 6.0, 0.0, 0.0, 0.0, 0.0], [2, 3, 2]), &d);
        let mask = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 1.0, 0.0, 1.0, 0.0, 0.0], [2, 3]), &d);
        let pooled = mean_pool(tokens, mask).into_data().try_to_vec::<f32>().unwrap();
        close(&pooled, &[2.0, 3.0, 5.0, 6.0]);
    }

    #[test]
    fn normalize_gives_unit_rows_and_keeps_zeros() {
        let d = Device::flex();
        let x = Tensor::<2>::from_data(TensorData::new(vec![3.0f32, 4.0, 0.0, 0.0], [2, 2]), &d);
        close(&l2_normalize(x).into_data().try_to_vec::<f32>().unwrap(), &[0.6, 0.8, 0.0, 0.0]);
    }

    #[test]
    fn padding_bias_masks_only_padding() {
        let d = Device::flex();
        let bias = crate::encoder::padding_bias(&[vec![1, 1, 0]], &d).into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(bias[..2], [0.0, 0.0]);
        assert!(bias[2] < -1e8);
    }
}
