//! Inside the compute worker (`worker.js`): the heavy steps of a run other
//! than embedding, on this worker's CPU, called by the page's
//! `off_page_compute`. Vectors and positions cross as typed arrays;
//! parameters, fits and graphs as JSON.

use kleio_core::compute::{Compute, CpuCompute};
use kleio_core::import::near_duplicate_groups_of;
use kleio_core::kmeans::KMeansParams;
use kleio_core::knn::{KnnGraph, KnnParams};
use kleio_core::matrix::Matrix;
use kleio_core::projection::ProjectionParams;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

fn failed(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn parse<T: DeserializeOwned>(json: &str) -> Result<T, JsError> {
    serde_json::from_str(json).map_err(failed)
}

/// Lloyd's k-means of `points` (rows of `dim`) with `params` (a
/// `KMeansParams` as JSON); the fit as JSON.
#[wasm_bindgen]
pub async fn worker_kmeans(points: Vec<f32>, dim: usize, params: String) -> Result<String, JsError> {
    let points = Matrix::new(points, dim).map_err(failed)?;
    let fit = CpuCompute.kmeans(&points, &parse::<KMeansParams>(&params)?).await.map_err(failed)?;
    serde_json::to_string(&fit).map_err(failed)
}

/// The neighbour graph of `points` with `params` (a `KnnParams` as JSON), as JSON.
#[wasm_bindgen]
pub async fn worker_knn(points: Vec<f32>, dim: usize, params: String) -> Result<String, JsError> {
    let points = Matrix::new(points, dim).map_err(failed)?;
    let graph = CpuCompute.knn(&points, &parse::<KnnParams>(&params)?).await.map_err(failed)?;
    serde_json::to_string(&graph).map_err(failed)
}

/// The 2-D layout of `points` from their neighbour `graph` (JSON) with
/// `params` (a `ProjectionParams` as JSON): x and y of each point in turn.
#[wasm_bindgen]
pub async fn worker_layout(points: Vec<f32>, dim: usize, graph: String, params: String) -> Result<Vec<f32>, JsError> {
    let points = Matrix::new(points, dim).map_err(failed)?;
    let graph: KnnGraph = parse(&graph)?;
    let layout = CpuCompute.layout(&points, &graph, &parse::<ProjectionParams>(&params)?).await.map_err(failed)?;
    Ok(layout.into_iter().flatten().collect())
}

/// For each text (`import::near_duplicate_text` of a conversation), the
/// position of the first text of its group of near duplicates.
#[wasm_bindgen]
pub fn worker_near_duplicates(texts: Vec<String>) -> Vec<u32> {
    near_duplicate_groups_of(&texts).into_iter().map(|i| i as u32).collect()
}
