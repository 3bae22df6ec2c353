//! The exact k-nearest-neighbour graph on the device: for a tile of query
//! rows, the scores against every block of points (one matrix product each),
//! the best `k + 1` of each block (a top-k reduction), and the best of those.
//! A GPU does every pair faster than the CPU does the cell search, and exact
//! is better.

use burn::prelude::*;
use kleio_core::compute::ComputeError;
use kleio_core::knn::KnnGraph;
use kleio_core::matrix::Matrix;
use kleio_embed::ComputeDevice;

use crate::rows::DeviceRows;

pub async fn exact(points: &Matrix, k: usize, compute: &ComputeDevice) -> Result<KnnGraph, ComputeError> {
    let n = points.rows();
    let k = k.min(n.saturating_sub(1));
    if k == 0 {
        return KnnGraph::from_rows(0, Vec::new(), Vec::new()).map_err(|e| ComputeError::Device(e.to_string()));
    }
    let rows = DeviceRows::upload(points, compute);
    // The point itself is (almost always) its own best match: ask for one more.
    let wanted = k + 1;
    let widest = (0..rows.slabs.len()).map(|s| rows.slab_len(s)).max().unwrap_or(1);
    let tile = rows.tile_rows(widest);
    let transposed: Vec<Tensor<2>> = rows.slabs.iter().map(|s| s.clone().transpose()).collect();
    let (mut value_tiles, mut index_tiles) = (Vec::new(), Vec::new());
    for slab in &rows.slabs {
        let len = slab.dims()[0];
        for start in (0..len).step_by(tile) {
            let queries = slab.clone().narrow(0, start, tile.min(len - start));
            let (mut values, mut indices) = (Vec::new(), Vec::new());
            for (j, other) in transposed.iter().enumerate() {
                let scores = queries.clone().matmul(other.clone());
                let (v, i) = scores.topk_with_indices(wanted.min(rows.slab_len(j)), 1);
                values.push(v);
                indices.push(i.add_scalar(rows.offsets[j] as i64));
            }
            let (v, i) = if values.len() == 1 {
                (values.remove(0), indices.remove(0))
            } else {
                let (v, at) = Tensor::cat(values, 1).topk_with_indices(wanted, 1);
                (v, Tensor::cat(indices, 1).gather(1, at))
            };
            value_tiles.push(v);
            index_tiles.push(i);
        }
    }
    let values: Vec<f32> = Tensor::cat(value_tiles, 0).into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<f32>().map_err(crate::readback)?;
    let indices: Vec<i64> = Tensor::cat(index_tiles, 0).into_data_async().await.map_err(crate::readback)?.try_into_vec_as::<i64>().map_err(crate::readback)?;
    let width = values.len() / n;
    let (mut out_indices, mut out_distances) = (Vec::with_capacity(n * k), Vec::with_capacity(n * k));
    for q in 0..n {
        let mut row: Vec<(f32, u32)> = (0..width).map(|c| (values[q * width + c], indices[q * width + c] as u32)).filter(|&(_, j)| j as usize != q).collect();
        // Nearest first, ties to the lower index, as the CPU search orders them.
        row.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        row.truncate(k);
        for (s, j) in row {
            out_indices.push(j);
            out_distances.push((1.0 - s).max(0.0));
        }
    }
    KnnGraph::from_rows(k, out_indices, out_distances).map_err(|e| ComputeError::Device(e.to_string()))
}
