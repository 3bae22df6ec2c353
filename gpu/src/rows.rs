//! The points on the device, and how big a tile of work may be there.

use burn::prelude::*;
use kleio_core::matrix::Matrix;
use kleio_embed::ComputeDevice;

/// The largest working buffer (a tile of scores) this code makes, whatever
/// the device allows: enough to keep a GPU busy, small enough to leave room.
const MAX_TILE_BYTES: u64 = 512 << 20;

/// The points as row blocks, each small enough for one buffer binding.
pub struct DeviceRows {
    /// `[rows, dim]` blocks, in order.
    pub slabs: Vec<Tensor<2>>,
    /// Each block's squared row lengths, `[rows, 1]`.
    pub norms: Vec<Tensor<2>>,
    /// Index of each block's first row.
    pub offsets: Vec<usize>,
    pub n: usize,
    pub dim: usize,
    /// Bytes one working tile may take.
    pub tile_bytes: u64,
    pub device: Device,
}

impl DeviceRows {
    pub fn upload(points: &Matrix, compute: &ComputeDevice) -> Self {
        let (n, dim) = (points.rows(), points.dim());
        let binding = compute.max_binding_bytes.unwrap_or(u64::MAX);
        // Half the binding limit per block: some kernels bind a block and its copy.
        let slab_rows = usize::try_from(binding / 2 / (4 * dim as u64)).unwrap_or(usize::MAX).clamp(1, n.max(1));
        let device = compute.device.clone();
        let mut slabs = Vec::new();
        let mut norms = Vec::new();
        let mut offsets = Vec::new();
        for start in (0..n).step_by(slab_rows) {
            let len = slab_rows.min(n - start);
            let data = points.as_slice()[start * dim..(start + len) * dim].to_vec();
            let slab = Tensor::<2>::from_data(TensorData::new(data, [len, dim]), &device);
            norms.push(slab.clone().powf_scalar(2.0).sum_dim(1));
            slabs.push(slab);
            offsets.push(start);
        }
        let tile_bytes = binding.min(MAX_TILE_BYTES);
        DeviceRows { slabs, norms, offsets, n, dim, tile_bytes, device }
    }

    /// Rows per tile when each row of the tile holds `width` floats.
    pub fn tile_rows(&self, width: usize) -> usize {
        usize::try_from(self.tile_bytes / (4 * width.max(1) as u64)).unwrap_or(usize::MAX).clamp(1, 8192)
    }

    pub fn slab_len(&self, s: usize) -> usize {
        self.slabs[s].dims()[0]
    }
}
