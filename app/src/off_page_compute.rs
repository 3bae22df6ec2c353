//! The run's `Compute` off the page's thread: what `DeviceCompute` would run
//! on the CPU (k-means and the neighbour graph below the GPU's threshold or
//! without one, the layout always, and the near-duplicate groups) goes to
//! one Web Worker running this module (`compute_worker` is its side), so
//! that the page answers input throughout a run. What runs on a GPU stays
//! with the page, since the GPU works apart from the page's thread anyway.

use js_sys::Float32Array;
use kleio_core::compute::{Compute, ComputeError};
use kleio_core::import::{near_duplicate_groups, near_duplicate_text};
use kleio_core::kmeans::{KMeansFit, KMeansParams};
use kleio_core::knn::{KnnGraph, KnnParams};
use kleio_core::matrix::Matrix;
use kleio_core::model::Conversation;
use kleio_core::projection::ProjectionParams;
use kleio_gpu::DeviceCompute;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::module_worker::{ModuleWorker, WorkerError};

/// Starts the compute worker; without one (a browser that refuses it) the
/// same work runs on the page, which then stutters but finishes.
pub async fn start_worker() -> Option<ModuleWorker> {
    match ModuleWorker::start().await {
        Ok(worker) => Some(worker),
        Err(e) => {
            leptos::logging::warn!("the compute worker could not start ({e}); k-means and the layout run on the page's thread");
            None
        }
    }
}

pub struct OffPageCompute {
    pub device: DeviceCompute,
    pub worker: Option<ModuleWorker>,
}

fn worker_failed(e: WorkerError) -> ComputeError {
    ComputeError::Device(format!("the compute worker failed: {e}"))
}

fn to_json(value: &impl Serialize) -> Result<JsValue, ComputeError> {
    serde_json::to_string(value).map(JsValue::from).map_err(|e| ComputeError::Device(e.to_string()))
}

fn from_json<T: DeserializeOwned>(answer: JsValue) -> Result<T, ComputeError> {
    let text = answer.as_string().ok_or_else(|| ComputeError::Device(format!("the compute worker sent {answer:?} instead of JSON")))?;
    serde_json::from_str(&text).map_err(|e| ComputeError::Device(format!("the compute worker's answer did not read: {e}")))
}

/// A copy of `points`' values to hand over (its buffer is transferred) and their row length.
fn matrix_args(points: &Matrix) -> (Float32Array, JsValue) {
    (Float32Array::from(points.as_slice()), JsValue::from(points.dim()))
}

impl OffPageCompute {
    /// The worker, where `rows` points' k-means and graph would run on the CPU.
    fn worker_for(&self, rows: usize) -> Option<&ModuleWorker> {
        self.worker.as_ref().filter(|_| self.device.runs_on_cpu(rows))
    }
}

impl Compute for OffPageCompute {
    fn describe(&self) -> String {
        match self.worker {
            Some(_) => format!("{}, off the page in a Web Worker", self.device.describe()),
            None => self.device.describe(),
        }
    }

    async fn kmeans(&self, points: &Matrix, params: &KMeansParams) -> Result<KMeansFit, ComputeError> {
        let Some(worker) = self.worker_for(points.rows()) else { return self.device.kmeans(points, params).await };
        let (values, dim) = matrix_args(points);
        from_json(worker.call("worker_kmeans", &[&values, &dim, &to_json(params)?], &[&values.buffer()]).await.map_err(worker_failed)?)
    }

    async fn knn(&self, points: &Matrix, params: &KnnParams) -> Result<KnnGraph, ComputeError> {
        let Some(worker) = self.worker_for(points.rows()) else { return self.device.knn(points, params).await };
        let (values, dim) = matrix_args(points);
        from_json(worker.call("worker_knn", &[&values, &dim, &to_json(params)?], &[&values.buffer()]).await.map_err(worker_failed)?)
    }

    async fn layout(&self, points: &Matrix, graph: &KnnGraph, params: &ProjectionParams) -> Result<Vec<[f32; 2]>, ComputeError> {
        let Some(worker) = self.worker.as_ref() else { return self.device.layout(points, graph, params).await };
        let (values, dim) = matrix_args(points);
        let answer = worker.call("worker_layout", &[&values, &dim, &to_json(graph)?, &to_json(params)?], &[&values.buffer()]).await.map_err(worker_failed)?;
        let flat = answer.dyn_into::<Float32Array>().map_err(|v| ComputeError::Device(format!("the compute worker sent {v:?} instead of positions")))?.to_vec();
        if flat.len() != 2 * points.rows() {
            return Err(ComputeError::Device(format!("the compute worker sent {} coordinates for {} points", flat.len(), points.rows())));
        }
        Ok(flat.chunks_exact(2).map(|p| [p[0], p[1]]).collect())
    }
}

/// `import::near_duplicate_groups` of `conversations`, in `worker` where
/// there is one.
pub async fn near_duplicate_groups_off_page(worker: Option<&ModuleWorker>, conversations: &[Conversation]) -> Vec<usize> {
    if let Some(worker) = worker {
        let texts: js_sys::Array = conversations.iter().map(|c| JsValue::from(near_duplicate_text(c))).collect();
        match worker.call("worker_near_duplicates", &[&texts], &[]).await {
            Ok(answer) => {
                let firsts = js_sys::Uint32Array::new(&answer).to_vec();
                if firsts.len() == conversations.len() {
                    return firsts.into_iter().map(|i| i as usize).collect();
                }
                leptos::logging::warn!("the compute worker sent {} groups for {} conversations; grouping on the page", firsts.len(), conversations.len());
            }
            Err(e) => leptos::logging::warn!("grouping near duplicates in the compute worker failed ({e}); grouping on the page"),
        }
    }
    near_duplicate_groups(conversations)
}
