//! The `Compute` seam: where the three heavy steps of a run, the base
//! k-means, the neighbour graph of the layout and the layout itself, are
//! computed. The core's own `CpuCompute` runs them on the CPU; `kleio-gpu`
//! runs the first two on burn tensors on a GPU; the app runs them in a Web
//! Worker, off the page's thread. All take the same parameters and return
//! the same types, so a run can move between them without changing anything
//! else.

use crate::kmeans::{self, KMeansError, KMeansFit, KMeansParams};
use crate::knn::{self, KnnGraph, KnnParams};
use crate::matrix::Matrix;
use crate::projection::{self, GraphSizeError, ProjectionParams};

#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum ComputeError {
    #[error(transparent)]
    KMeans(#[from] KMeansError),
    #[error(transparent)]
    Layout(#[from] GraphSizeError),
    #[error("the compute device failed: {0}")]
    Device(String),
}

#[allow(async_fn_in_trait)]
pub trait Compute {
    /// Where the work runs, for reports ("CPU, 2 threads", "GPU: …").
    fn describe(&self) -> String;
    /// Lloyd's k-means from a greedy k-means++ start (see `kmeans`).
    async fn kmeans(&self, points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, ComputeError>;
    /// The k-nearest-neighbour graph of unit vectors by cosine (see `knn`).
    async fn knn(&self, points: &Matrix, params: &KnnParams) -> Result<KnnGraph, ComputeError>;
    /// The 2-D layout of `points` from their neighbour graph (see
    /// `projection`). Its epochs are sequential, so no engine here has a
    /// faster way than the CPU; an engine may still choose which CPU.
    async fn layout(&self, points: &Matrix, graph: &KnnGraph, params: &ProjectionParams) -> Result<Vec<[f32; 2]>, ComputeError> {
        Ok(projection::project(points, graph, params)?)
    }
}

/// The core's CPU implementations: every core natively, one thread in the browser.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuCompute;

impl Compute for CpuCompute {
    fn describe(&self) -> String {
        #[cfg(not(target_family = "wasm"))]
        return format!("CPU ({} threads)", rayon::current_num_threads());
        #[cfg(target_family = "wasm")]
        return "CPU (WebAssembly, 1 thread)".into();
    }

    async fn kmeans(&self, points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, ComputeError> {
        Ok(kmeans::fit(points, params)?)
    }

    async fn knn(&self, points: &Matrix, params: &KnnParams) -> Result<KnnGraph, ComputeError> {
        Ok(knn::knn(points, params))
    }
}
