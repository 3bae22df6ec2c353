//! Lloyd's k-means from a greedy k-means++ start, on the device.
//!
//! The same method as the core's CPU k-means (`kleio_core::kmeans`), with the
//! same random draws in the same order, so that on the same points and seed
//! both pick the same centres unless two candidates tie in the last bits of
//! a float (the device sums in a different order). Each Lloyd iteration is
//! two matrix products per tile: the scores of the tile's points against the
//! centres, and the one-hot matrix of its labels against the points, which
//! sums each cluster's members without atomics, so results repeat exactly.
//!
//! Two differences from the CPU path, both rare in practice: the device does
//! not use Hamerly's bounds (a product on a GPU is cheaper than the
//! bookkeeping), and a centre that loses all its members keeps its place
//! instead of jumping to the farthest point; a cluster left empty at the end
//! is dropped by `Clustering::from_labels` either way. The device reads back
//! whether anything changed every `CHECK_EVERY` iterations, not every one.

use burn::prelude::*;
use kleio_core::compute::ComputeError;
use kleio_core::kmeans::{absolute_tolerance, KMeansError, KMeansFit, KMeansParams};
use kleio_core::matrix::Matrix;
use kleio_embed::ComputeDevice;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::rows::DeviceRows;

/// Iterations between reads of "did any label change, how far did the centres move".
const CHECK_EVERY: usize = 8;

pub async fn fit(points: &Matrix, params: &KMeansParams, compute: &ComputeDevice) -> Result<KMeansFit, ComputeError> {
    if params.k == 0 {
        return Err(KMeansError::ZeroK.into());
    }
    let n = points.rows();
    if n == 0 {
        return Err(KMeansError::NoPoints.into());
    }
    if let Some(bad) = (0..n).find(|&i| points.row(i).iter().any(|x| !x.is_finite())) {
        return Err(KMeansError::NotFinite(bad).into());
    }
    let k = params.k.min(n);
    let rows = DeviceRows::upload(points, compute);
    let start = plus_plus(&rows, k, params.seed);
    let tolerance = absolute_tolerance(points, params.tolerance);
    lloyd(&rows, start, params.max_iterations.max(1) as usize, tolerance).await
}

/// Greedy k-means++ with the CPU path's draws: the first centre, then
/// `2 + ln k` uniform numbers per further centre, all from one ChaCha8 stream.
fn plus_plus(rows: &DeviceRows, k: usize, seed: u64) -> Tensor<2> {
    let (n, device) = (rows.n, &rows.device);
    let trials = 2 + (k as f64).ln() as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let first = rng.gen_range(0..n);
    let s = slab_of(rows, first);
    let mut centres = vec![rows.slabs[s].clone().narrow(0, first - rows.offsets[s], 1)];
    if k == 1 {
        return Tensor::cat(centres, 0);
    }
    let draws: Vec<f32> = (0..(k - 1) * trials).map(|_| rng.gen::<f64>() as f32).collect();
    let draws = Tensor::<2>::from_data(TensorData::new(draws, [k - 1, trials]), device);
    let mut closest = distances_to(rows, centres[0].clone());
    let mut potential = closest.clone().sum().reshape([1, 1]);
    // Row positions, for turning drawn indices into one-hot rows per block.
    let positions: Vec<Tensor<2, Int>> = (0..rows.slabs.len())
        .map(|j| Tensor::<1, Int>::arange(rows.offsets[j] as i64..(rows.offsets[j] + rows.slab_len(j)) as i64, device).reshape([1, rows.slab_len(j)]))
        .collect();
    for c in 1..k {
        let r = draws.clone().narrow(0, c - 1, 1) * potential.clone();
        let picked = draw_candidates(closest.clone(), r, trials);
        let candidates = (0..rows.slabs.len())
            .map(|j| picked.clone().equal(positions[j].clone()).float().matmul(rows.slabs[j].clone()))
            .reduce(|a, b| a + b)
            .expect("at least one block");
        let with_each = distances_to(rows, candidates.clone()).min_pair(closest.clone());
        let totals = with_each.clone().sum_dim(0);
        let best = totals.clone().argmin(1);
        potential = totals.gather(1, best.clone());
        closest = with_each.gather(1, best.clone().expand([n, 1]));
        centres.push(candidates.select(0, best.reshape([1])));
    }
    Tensor::cat(centres, 0)
}

/// For each of the `t` thresholds in `r` (`[1, t]`), the first point whose
/// running total of `weights` (`[n, 1]`) reaches it, as `[t, 1]` indices.
///
/// A prefix sum over all n points would do, but burn's cumulative sum reads
/// every earlier element for every element (n² reads: seconds per draw at
/// 100,000 points). So the points are laid out as a √n × √n grid: the sums
/// of its rows, and their running totals, pick the row; the running totals
/// inside that row pick the point. About 3n reads instead of n²/2.
fn draw_candidates(weights: Tensor<2>, r: Tensor<2>, trials: usize) -> Tensor<2, Int> {
    let n = weights.dims()[0];
    let width = (n as f64).sqrt().ceil().max(1.0) as usize;
    let height = n.div_ceil(width);
    let device = weights.device();
    let padded = if height * width > n { Tensor::cat(vec![weights, Tensor::zeros([height * width - n, 1], &device)], 0) } else { weights };
    let grid = padded.reshape([height, width]);
    let row_sums = grid.clone().sum_dim(1);
    let row_totals = row_sums.clone().cumsum(0);
    // The row where each threshold falls, and what the rows before it hold.
    let row = row_totals.clone().lower(r.clone()).int().sum_dim(0).clamp_max((height - 1) as i64).reshape([trials, 1]);
    let before = (row_totals - row_sums).gather(0, row.clone());
    let within = r.transpose() - before;
    let in_row = grid.select(0, row.clone().reshape([trials])).cumsum(1);
    let column = in_row.lower(within).int().sum_dim(1).clamp_max((width - 1) as i64);
    (row.mul_scalar(width as i64) + column).clamp_max((n - 1) as i64)
}

/// The block holding row `i`.
fn slab_of(rows: &DeviceRows, i: usize) -> usize {
    rows.offsets.iter().rposition(|&o| o <= i).unwrap_or(0)
}

/// `[n, c]`: every point's squared distance to each of the `c` rows of `centres`.
fn distances_to(rows: &DeviceRows, centres: Tensor<2>) -> Tensor<2> {
    let centre_norms = centres.clone().powf_scalar(2.0).sum_dim(1).transpose();
    let transposed = centres.transpose();
    let blocks: Vec<Tensor<2>> = rows
        .slabs
        .iter()
        .zip(&rows.norms)
        .map(|(slab, norms)| (norms.clone() + centre_norms.clone() - slab.clone().matmul(transposed.clone()).mul_scalar(2.0)).clamp_min(0.0))
        .collect();
    Tensor::cat(blocks, 0)
}

/// One assignment over every tile: labels `[n, 1]`, squared distances to
/// the chosen centres `[n, 1]`, and the per-centre sums `[k, dim]` and counts `[k, 1]`.
struct Assignment {
    labels: Tensor<2, Int>,
    distances: Tensor<2>,
    sums: Tensor<2>,
    counts: Tensor<2>,
}

fn assign(rows: &DeviceRows, centres: &Tensor<2>) -> Assignment {
    let [k, dim] = centres.dims();
    let device = &rows.device;
    let centre_norms = centres.clone().powf_scalar(2.0).sum_dim(1).transpose();
    let transposed = centres.clone().transpose();
    let ids = Tensor::<1, Int>::arange(0..k as i64, device).reshape([1, k]);
    let tile = rows.tile_rows(k.max(dim));
    let (mut labels, mut distances) = (Vec::new(), Vec::new());
    let mut sums = Tensor::<2>::zeros([k, dim], device);
    let mut counts = Tensor::<2>::zeros([1, k], device);
    for (slab, norms) in rows.slabs.iter().zip(&rows.norms) {
        let len = slab.dims()[0];
        for start in (0..len).step_by(tile) {
            let size = tile.min(len - start);
            let x = slab.clone().narrow(0, start, size);
            // |x − c|² = |x|² + |c|² − 2 x·c; |x|² is the same for every c, so add it after the choice.
            let partial = centre_norms.clone() - x.clone().matmul(transposed.clone()).mul_scalar(2.0);
            let (best, label) = partial.min_dim_with_indices(1);
            let one_hot = label.clone().equal(ids.clone()).float();
            sums = sums + one_hot.clone().transpose().matmul(x);
            counts = counts + one_hot.sum_dim(0);
            distances.push((best + norms.clone().narrow(0, start, size)).clamp_min(0.0));
            labels.push(label);
        }
    }
    Assignment { labels: Tensor::cat(labels, 0), distances: Tensor::cat(distances, 0), sums, counts: counts.transpose() }
}

async fn lloyd(rows: &DeviceRows, mut centres: Tensor<2>, max_iterations: usize, tolerance: f64) -> Result<KMeansFit, ComputeError> {
    let mut previous: Option<Tensor<2, Int>> = None;
    let mut iterations = 0;
    let mut settled: Option<Assignment> = None;
    for it in 0..max_iterations {
        let a = assign(rows, &centres);
        let empty = a.counts.clone().equal_elem(0.0);
        let moved = (a.sums.clone() / a.counts.clone().clamp_min(1.0)).mask_where(empty.expand(centres.dims()), centres.clone());
        let shift = (moved.clone() - centres.clone()).powf_scalar(2.0).sum();
        centres = moved;
        iterations = it + 1;
        if let Some(prev) = &previous {
            if iterations % CHECK_EVERY == 0 || iterations == max_iterations {
                let changed = a.labels.clone().not_equal(prev.clone()).int().sum();
                let changed = read_scalar_int(changed).await?;
                if changed == 0 {
                    settled = Some(a);
                    break;
                }
                if read_scalar(shift).await? as f64 <= tolerance {
                    break;
                }
            }
        }
        previous = Some(a.labels);
    }
    // Unless the labels settled, assign once more so that they belong to the final centres.
    let a = match settled {
        Some(a) => a,
        None => assign(rows, &centres),
    };
    let inertia = read_scalar(a.distances.sum()).await? as f64;
    let labels: Vec<u32> =
        a.labels.into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<i64>().map_err(crate::readback)?.into_iter().map(|l| l as u32).collect();
    let [k, dim] = centres.dims();
    let data: Vec<f32> = centres.into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<f32>().map_err(crate::readback)?;
    debug_assert_eq!(data.len(), k * dim);
    let centers = Matrix::new(data, dim).map_err(|e| ComputeError::Device(e.to_string()))?;
    Ok(KMeansFit { labels, centers, iterations, inertia })
}

async fn read_scalar(t: Tensor<1>) -> Result<f32, ComputeError> {
    let v = t.into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<f32>().map_err(crate::readback)?;
    v.first().copied().ok_or_else(|| ComputeError::Device("an empty result came back".into()))
}

async fn read_scalar_int(t: Tensor<1, Int>) -> Result<i64, ComputeError> {
    let v = t.into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<i64>().map_err(crate::readback)?;
    v.first().copied().ok_or_else(|| ComputeError::Device("an empty result came back".into()))
}
