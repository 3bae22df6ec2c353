//! Kleio's core: the pure pipeline of the Clio method, shared by the browser
//! app, the proxy and the command line. It does no IO: data, seeds, an
//! `Analyst`, an `Embedder` and a `Compute` come in as arguments, results go out as values.

pub mod analysis;
pub mod analyst;
pub mod api;
pub mod breakdown;
pub mod checkpoint;
pub mod cluster_index;
pub mod cluster_stats;
pub mod colouring;
pub mod compare;
pub mod compute;
pub mod cost;
pub mod dashboard_compare;
pub mod embedder;
pub mod eval;
pub mod facets;
pub mod hierarchy;
pub mod import;
pub mod kmeans;
pub mod knn;
pub mod language;
pub mod matrix;
pub mod model;
pub mod offline;
pub mod params;
pub mod pipeline;
pub mod privacy;
pub mod progress;
pub mod projection;
pub mod publish;
pub mod safety;
pub mod script;
pub mod semantic;
pub mod task_api;
#[cfg(test)]
mod test_rows;
mod twin_names;
pub mod vector;

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("invalid run parameters: {0}")]
    Params(String),
    #[error(transparent)]
    Analyst(#[from] analyst::AnalystError),
    #[error(transparent)]
    Embed(#[from] embedder::EmbedError),
    #[error("clustering failed: {0}")]
    Cluster(#[from] kmeans::KMeansError),
    #[error("clustering or layout failed: {0}")]
    Compute(#[from] compute::ComputeError),
    #[error("vectors of different lengths: {0}")]
    Shape(#[from] matrix::MatrixError),
    #[error("the run was cancelled")]
    Cancelled,
}
