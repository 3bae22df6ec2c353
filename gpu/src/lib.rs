//! k-means and the neighbour graph of the layout on burn tensors: on a GPU
//! through burn-wgpu (WebGPU in the browser, Vulkan or Metal natively), or on
//! any other burn device. `TensorCompute` is the core's `Compute` seam over
//! such a device.
//!
//! The points go to the device once, cut into row blocks ("slabs") that each
//! fit one buffer binding; everything after that is matrix products and
//! reductions on the device, in tiles sized so that no n × n matrix exists.
//! Results come back once at the end (k-means also reads two numbers every
//! few iterations, to know when to stop). Nothing reads synchronously, so it
//! runs in the browser, where a synchronous read-back would panic.

mod kmeans;
mod knn;
mod rows;

use kleio_core::compute::{Compute, ComputeError, CpuCompute};
use kleio_core::kmeans::{KMeansFit, KMeansParams};
use kleio_core::knn::{KnnGraph, KnnParams};
use kleio_core::matrix::Matrix;
use kleio_embed::ComputeDevice;

pub use rows::DeviceRows;

/// The core's `Compute` on a burn device.
#[derive(Clone, Debug)]
pub struct TensorCompute {
    device: ComputeDevice,
}

impl TensorCompute {
    pub fn new(device: ComputeDevice) -> Self {
        TensorCompute { device }
    }

    pub fn device(&self) -> &ComputeDevice {
        &self.device
    }
}

impl Compute for TensorCompute {
    fn describe(&self) -> String {
        self.device.description.clone()
    }

    async fn kmeans(&self, points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, ComputeError> {
        kmeans::fit(points, params, &self.device).await
    }

    async fn knn(&self, points: &Matrix, params: &KnnParams) -> Result<KnnGraph, ComputeError> {
        knn::exact(points, params.k, &self.device).await
    }
}

/// Below this many points the CPU is quicker than a GPU: the work is too
/// small to hide the cost of launching kernels (k-means++ alone launches a
/// few dozen per centre) and of moving the points to the device.
pub const GPU_FROM_POINTS: usize = 5_000;

/// The compute that goes with an embedding device: on a GPU, tensors for
/// inputs of at least [`GPU_FROM_POINTS`] points and the core's CPU code for
/// smaller ones; the core's CPU code on a CPU (it is faster there than
/// burn's CPU backend: it skips work the bounds of k-means prove needless,
/// and searches neighbours by cells).
#[derive(Clone, Debug)]
pub enum DeviceCompute {
    Cpu(CpuCompute),
    /// A GPU, used for large inputs.
    Gpu(TensorCompute),
    /// Tensors whatever the size, for tests and for callers who ask for the device by name.
    Tensor(TensorCompute),
}

impl DeviceCompute {
    pub fn for_device(device: &ComputeDevice) -> Self {
        if device.is_gpu {
            DeviceCompute::Gpu(TensorCompute::new(device.clone()))
        } else {
            DeviceCompute::Cpu(CpuCompute)
        }
    }

    /// Which one runs `n` points.
    /// Whether k-means and the neighbour graph of `points` rows run on the
    /// CPU here, so that a caller may run them on a CPU of its choosing.
    pub fn runs_on_cpu(&self, points: usize) -> bool {
        matches!(self.pick(points), Either::Cpu(_))
    }

    fn pick(&self, n: usize) -> Either<'_> {
        match self {
            DeviceCompute::Cpu(c) => Either::Cpu(c),
            DeviceCompute::Gpu(_) if n < GPU_FROM_POINTS => Either::Cpu(&CpuCompute),
            DeviceCompute::Gpu(t) | DeviceCompute::Tensor(t) => Either::Tensor(t),
        }
    }
}

enum Either<'a> {
    Cpu(&'a CpuCompute),
    Tensor(&'a TensorCompute),
}

impl Compute for DeviceCompute {
    fn describe(&self) -> String {
        match self {
            DeviceCompute::Cpu(c) => c.describe(),
            DeviceCompute::Gpu(t) => format!("{} (CPU below {GPU_FROM_POINTS} points)", t.describe()),
            DeviceCompute::Tensor(t) => t.describe(),
        }
    }

    async fn kmeans(&self, points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, ComputeError> {
        match self.pick(points.rows()) {
            Either::Cpu(c) => c.kmeans(points, params).await,
            Either::Tensor(t) => t.kmeans(points, params).await,
        }
    }

    async fn knn(&self, points: &Matrix, params: &KnnParams) -> Result<KnnGraph, ComputeError> {
        match self.pick(points.rows()) {
            Either::Cpu(c) => c.knn(points, params).await,
            Either::Tensor(t) => t.knn(points, params).await,
        }
    }
}

/// Reading back from the device failed.
fn readback(e: impl std::fmt::Debug) -> ComputeError {
    ComputeError::Device(format!("reading results from the device failed: {e:?}"))
}
