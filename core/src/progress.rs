//! Progress reporting and cancellation, passed into a run by its caller.

use futures::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};

use crate::PipelineError;

/// The stages of a run, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Import,
    Facets,
    Embedding,
    Clustering,
    Naming,
    Hierarchy,
    Projection,
    Audit,
}

impl Stage {
    pub const ALL: [Stage; 8] =
        [Stage::Import, Stage::Facets, Stage::Embedding, Stage::Clustering, Stage::Naming, Stage::Hierarchy, Stage::Projection, Stage::Audit];
    pub fn label(self) -> &'static str {
        match self {
            Stage::Import => "import",
            Stage::Facets => "facets",
            Stage::Embedding => "embedding",
            Stage::Clustering => "clustering",
            Stage::Naming => "naming",
            Stage::Hierarchy => "hierarchy",
            Stage::Projection => "projection",
            Stage::Audit => "audit",
        }
    }
}

pub trait Progress {
    /// `done` of `total` units of `stage` are finished.
    fn report(&mut self, stage: Stage, done: usize, total: usize);
    /// The stages from embedding on now work on the answers to `facet`, the
    /// `index`-th (from 0) of the run's `count` clustered facets; they are
    /// reported again from the start for each.
    fn clustering_facet(&mut self, _facet: &str, _index: usize, _count: usize) {}
    /// `units` of `stage` were not done again: an earlier try of the same
    /// run had kept them (see `checkpoint`).
    fn restored(&mut self, _stage: Stage, _units: usize) {}
    /// Checked between units of work; a run that sees `true` stops with `Cancelled`.
    fn cancelled(&self) -> bool {
        false
    }
    /// Awaited between units of work: a caller that shares its thread with
    /// other work (a browser page that must answer input) returns a future
    /// that lets that work run first. It ends at once by default.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// Between two units of work: stops a cancelled run, and lets the caller's
/// other work run (see [`Progress::pause`]).
pub async fn between_units(progress: &dyn Progress) -> Result<(), PipelineError> {
    if progress.cancelled() {
        return Err(PipelineError::Cancelled);
    }
    progress.pause().await;
    Ok(())
}

/// For callers that do not watch.
pub struct Silent;

impl Progress for Silent {
    fn report(&mut self, _: Stage, _: usize, _: usize) {}
}
