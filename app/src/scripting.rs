//! What the app offers scripts on the page (`window.wasmBindings`, set by
//! Trunk's loader): reading a file, embedding texts, k-means, the layout and
//! the search by meaning, exactly as a run and the explorer do them, for notebooks, bookmarklets, the browser
//! parity tests and the browser benchmarks.

use kleio_core::compute::Compute;
use kleio_core::embedder::Embedder;
use kleio_core::kmeans::KMeansParams;
use kleio_core::knn::KnnParams;
use kleio_core::matrix::Matrix;
use kleio_core::projection::{project, ProjectionParams};
use kleio_embed::{BackendChoice, ComputeDevice, ModelKind, Precision};
use kleio_gpu::{DeviceCompute, TensorCompute};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::embedding;
use crate::gpu_probe::webgpu_adapter_exists;
use crate::runner::now_ms;

#[derive(Serialize)]
struct Embedded {
    /// The model and the device it ran on, in words.
    device: String,
    vectors: Vec<Vec<f32>>,
}

/// Embeds `texts` with `model` (`minilm` or `mpnet`) on `device` (`auto`,
/// `gpu` or `cpu`), with the CPU's products in `precision` (`fp32`, the
/// default, or `int8`), and resolves to JSON: `{"device": "...", "vectors": [[...], ...]}`.
#[wasm_bindgen]
pub async fn embed(texts: Vec<String>, model: String, device: String, precision: Option<String>) -> Result<String, JsError> {
    let kind: ModelKind = model.parse().map_err(|e: String| JsError::new(&e))?;
    let choice: BackendChoice = device.parse().map_err(|e: String| JsError::new(&e))?;
    let precision: Precision = precision.as_deref().unwrap_or(Precision::F32.name()).parse().map_err(|e: String| JsError::new(&e))?;
    let model = embedding::load(kind, choice, precision).await.map_err(|e| JsError::new(&e.to_string()))?;
    let vectors = model.embed(&texts).await.map_err(|e| JsError::new(&e.to_string()))?;
    serde_json::to_string(&Embedded { device: model.describe(), vectors }).map_err(|e| JsError::new(&e.to_string()))
}

#[derive(Serialize)]
struct Clustered {
    device: String,
    iterations: usize,
    inertia: f64,
    labels: Vec<u32>,
}

#[derive(Serialize)]
struct Laid {
    device: String,
    /// Milliseconds the neighbour graph took, of the whole call.
    knn_ms: f64,
    /// x, y for each point in turn.
    positions: Vec<f32>,
}

fn js_error(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Where k-means and the layout run for `device`: `auto` as a run does (the
/// GPU for large inputs where there is one), `gpu` on the GPU whatever the
/// size, `cpu` on the CPU.
async fn compute_for(device: &str) -> Result<DeviceCompute, JsError> {
    let choice: BackendChoice = device.parse().map_err(|e: String| JsError::new(&e))?;
    let found = ComputeDevice::select_in_browser(choice, webgpu_adapter_exists().await).await.map_err(js_error)?;
    Ok(match choice {
        BackendChoice::Gpu => DeviceCompute::Tensor(TensorCompute::new(found)),
        _ => DeviceCompute::for_device(&found),
    })
}

/// k-means of `vectors` (rows of `dim`) into `k` clusters, at most
/// `iterations` Lloyd steps and no tolerance stop, from `seed`, on `device`
/// (see `compute_for`). Resolves to
/// JSON `{"device", "iterations", "inertia", "labels"}`.
#[wasm_bindgen]
pub async fn kmeans(vectors: Vec<f32>, dim: usize, k: usize, iterations: u32, seed: u32, device: String) -> Result<String, JsError> {
    let points = Matrix::new(vectors, dim).map_err(js_error)?;
    let compute = compute_for(&device).await?;
    let params = KMeansParams { max_iterations: iterations as u64, tolerance: 0.0, ..KMeansParams::new(k, seed as u64) };
    let fit = compute.kmeans(&points, &params).await.map_err(js_error)?;
    let out = Clustered { device: compute.describe(), iterations: fit.iterations, inertia: fit.inertia, labels: fit.labels };
    serde_json::to_string(&out).map_err(js_error)
}

/// The 2-D layout of unit `vectors` (rows of `dim`) from `seed`, with a run's
/// defaults (15 neighbours). Resolves to JSON `{"device", "knn_ms", "positions"}`.
#[wasm_bindgen]
pub async fn layout(vectors: Vec<f32>, dim: usize, seed: u32, device: String) -> Result<String, JsError> {
    let points = Matrix::new(vectors, dim).map_err(js_error)?;
    let compute = compute_for(&device).await?;
    let params = ProjectionParams { seed: seed as u64, ..Default::default() };
    let start = now_ms();
    let graph = compute.knn(&points, &KnnParams::new(params.graph_k(), seed as u64)).await.map_err(js_error)?;
    let knn_ms = now_ms() - start;
    let positions = project(&points, &graph, &params).map_err(js_error)?.into_iter().flatten().collect();
    serde_json::to_string(&Laid { device: compute.describe(), knn_ms, positions }).map_err(js_error)
}

#[derive(Serialize)]
struct Searched {
    hits: Vec<kleio_core::semantic::Hit>,
    /// Milliseconds of the search alone, the vectors already in the module.
    ms: f64,
}

/// The `k` rows of `vectors` (rows of `dim`) nearest `query`, as the
/// explorer's search by meaning finds them. Resolves to JSON `{"hits", "ms"}`.
#[wasm_bindgen]
pub fn nearest(vectors: Vec<f32>, dim: usize, query: Vec<f32>, k: usize) -> Result<String, JsError> {
    if dim == 0 || !vectors.len().is_multiple_of(dim) || query.len() != dim {
        return Err(JsError::new("vectors must be whole rows of dim numbers, and the query one such row"));
    }
    let rows: Vec<Vec<f32>> = vectors.chunks(dim).map(<[f32]>::to_vec).collect();
    let start = now_ms();
    let hits = kleio_core::semantic::nearest(&rows, &query, k);
    let ms = now_ms() - start;
    serde_json::to_string(&Searched { hits, ms }).map_err(js_error)
}

#[derive(Serialize)]
struct FileRead {
    conversations: usize,
    report: kleio_core::import::ImportReport,
    /// Milliseconds from the file to its conversations, the footer included.
    ms: f64,
}

/// Reads `file` into conversations as the app does (a Parquet file by its
/// footer and the row groups it needs; anything else whole), with `options`
/// (core's `ImportOptions` as JSON, `{}` for the defaults). Resolves to
/// JSON `{"conversations", "report", "ms"}`.
#[wasm_bindgen]
pub async fn read_file(file: web_sys::File, options: String) -> Result<String, JsError> {
    let options: kleio_core::import::ImportOptions = serde_json::from_str(&options).map_err(js_error)?;
    let start = now_ms();
    let upload = crate::dataset::open(file).await.map_err(|e| JsError::new(&e))?;
    let imported = crate::dataset::read(&upload.source, &options, |_, _| {}).await.map_err(js_error)?;
    let ms = now_ms() - start;
    serde_json::to_string(&FileRead { conversations: imported.conversations.len(), report: imported.report, ms }).map_err(js_error)
}
