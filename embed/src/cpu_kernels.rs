//! Two steps of the encoder computed on the host when the device is the CPU:
//! the exact GELU, 0.5·x·(1 + erf(x/√2)), as both models were trained with,
//! and the attention softmax.
//!
//! burn's CPU backend runs both through libm's scalar `erff` and `expf`, one
//! call per value: 12 % and 7 % of MiniLM's time on the CPU. Here the values
//! go through branch-free polynomial forms that the compiler vectorises.
//! Other devices keep burn's kernels.

use burn::prelude::*;
use burn::tensor::activation;

/// Values per piece of work handed to a core.
const PIECE: usize = 1 << 14;

/// Runs `f` over the values of a CPU tensor of f32, in pieces of whole rows
/// of the last dimension on every core, or returns `None` (another device or
/// type) for the caller to use burn's kernel.
fn on_host<const D: usize>(x: &Tensor<D>, f: impl Fn(&mut [f32], usize) + Sync + Send) -> Option<Tensor<D>> {
    let device = x.device();
    if device != Device::flex() {
        return None;
    }
    let shape = x.shape();
    let last = shape[D - 1];
    // Reading a CPU tensor is immediate, in the browser too.
    let mut values = x.clone().into_data().try_into_vec::<f32>().ok()?;
    let rows_per_piece = (PIECE / last.max(1)).max(1);
    kleio_core::matrix::for_each_block(&mut values, rows_per_piece * last, |_, piece| f(piece, last));
    Some(Tensor::from_data(TensorData::new(values, shape), &device))
}

pub fn gelu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    on_host(&x, |values, _| gelu_values(values)).unwrap_or_else(|| activation::gelu(x))
}

// Inlined whole, so that the compiler vectorises the loop.
#[inline(always)]
pub(crate) fn gelu_values(values: &mut [f32]) {
    values.iter_mut().for_each(|v| *v = gelu_value(*v));
}

/// Softmax over the last dimension.
pub fn softmax<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    on_host(&x, |values, row| values.chunks_exact_mut(row).for_each(softmax_row)).unwrap_or_else(|| activation::softmax(x, D - 1))
}

/// Accumulators per reduction: independent sums and maxima let the compiler
/// use SIMD lanes; one running total would be a chain of dependent adds.
const LANES: usize = 8;

pub(crate) fn softmax_row(row: &mut [f32]) {
    let mut tops = [f32::NEG_INFINITY; LANES];
    let mut chunks = row.chunks_exact(LANES);
    for chunk in &mut chunks {
        tops.iter_mut().zip(chunk).for_each(|(t, &v)| *t = if v > *t { v } else { *t });
    }
    let top = chunks.remainder().iter().chain(&tops).copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sums = [0f32; LANES];
    let mut chunks = row.chunks_exact_mut(LANES);
    for chunk in &mut chunks {
        for (s, v) in sums.iter_mut().zip(chunk) {
            *v = exp(*v - top);
            *s += *v;
        }
    }
    let mut total: f32 = sums.iter().sum();
    for v in chunks.into_remainder() {
        *v = exp(*v - top);
        total += *v;
    }
    let scale = 1.0 / total;
    row.iter_mut().for_each(|v| *v *= scale);
}

/// e^x for x ≤ 0 (the softmax shifts by the row's largest value), relative
/// error about 2e-7: x = n·ln 2 + r with |r| ≤ ln 2 / 2, e^r by its Taylor
/// polynomial to r⁶, 2^n put straight into the exponent bits. Below -87 (and
/// for the -1e9 of masked positions) the result is 0.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5 · 2^23: adding it rounds to an integer.
    let x = x.max(-87.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // ln 2 in two parts, so n·ln 2 is exact enough for large n.
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = [1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0].iter().fold(0.0, |acc, &c| acc * r + c);
    let scale = f32::from_bits(((n as i32 + 127) as u32) << 23);
    if x <= -87.0 {
        0.0
    } else {
        p * scale
    }
}

/// erf(x) as x·P(x²) / Q(x²) on x clamped to ±4 (where erf is ±1 within
/// f32's precision), with the coefficients of the rational approximation
/// that Eigen and XLA use for single-precision erf; absolute error about 1e-7.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let p = [-2.726_142_3e-10, 2.770_681_4e-8, -2.101_024e-6, -5.692_506_4e-5, -7.349_906_3e-4, -2.954_600_5e-3, -1.609_603_3e-2];
    let q = [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329_2e-3, -1.426_474e-2];
    let numerator = x * p.iter().fold(0.0, |acc, &c| acc * x2 + c);
    let denominator = q.iter().fold(0.0, |acc, &c| acc * x2 + c);
    numerator / denominator
}

#[inline(always)]
fn gelu_value(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_approximation_matches_erf_everywhere() {
        let mut worst = 0f64;
        for i in -100_000..=100_000 {
            let x = i as f32 * 1e-4;
            worst = worst.max((erf(x) as f64 - libm::erf(x as f64)).abs());
        }
        assert!(worst < 5e-7, "largest error {worst:e}");
        assert_eq!(erf(50.0), 1.0);
        assert_eq!(erf(-50.0), -1.0);
    }

    #[test]
    fn the_exponential_matches_libm_where_the_softmax_uses_it() {
        let mut worst = 0f64;
        for i in 0..869_990 {
            let x = -(i as f32) * 1e-4;
            let reference = libm::exp(x as f64);
            worst = worst.max((exp(x) as f64 - reference).abs() / reference);
        }
        assert!(worst < 1e-6, "largest relative error {worst:e}");
        assert!(exp(-87.0) < 1e-37);
        assert_eq!(exp(-1e9), 0.0);
        assert_eq!(exp(0.0), 1.0);
    }

    #[test]
    fn softmax_on_the_cpu_matches_burns_kernel_and_masks_padding() {
        let device = Device::flex();
        let values: Vec<f32> = (0..24).map(|i| ((i * 7) % 11) as f32 * 0.9 - 4.0).chain([0.5, -1e9, 2.0, -1e9]).collect();
        let x = Tensor::<2>::from_data(TensorData::new(values, [7, 4]), &device);
        let ours = softmax(x.clone()).into_data().try_into_vec::<f32>().unwrap();
        let burns = activation::softmax(x, 1).into_data().try_into_vec::<f32>().unwrap();
        for (a, b) in ours.iter().zip(&burns) {
            assert!((a - b).abs() < 1e-6, "{a} against {b}");
        }
        assert_eq!((ours[25], ours[27]), (0.0, 0.0));
    }

    #[test]
    fn gelu_on_the_cpu_matches_burns_kernel() {
        let device = Device::flex();
        let values: Vec<f32> = (-40..=40).map(|i| i as f32 * 0.25).collect();
        let x = Tensor::<2>::from_data(TensorData::new(values.clone(), [9, 9]), &device);
        let ours = gelu(x.clone()).into_data().try_into_vec::<f32>().unwrap();
        let burns = activation::gelu(x).into_data().try_into_vec::<f32>().unwrap();
        for ((a, b), x) in ours.iter().zip(&burns).zip(&values) {
            assert!((a - b).abs() < 1e-6, "gelu({x}): {a} against {b}");
        }
    }
}
