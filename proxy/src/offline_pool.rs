//! The offline analyst on tokio's blocking pool. Its tasks are plain CPU work
//! (k-means for parents, TF-IDF, the audit rules), and run inline they would
//! hold one of the few async worker threads (one per core) for as long as
//! they take, so that a few large requests stall every other request, the
//! health check and static files included. Here at most one task per core
//! runs at once; the others wait for a permit without holding a worker.

use std::sync::Arc;

use kleio_core::analyst::*;
use kleio_core::offline::OfflineAnalyst;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct PooledOffline {
    analyst: OfflineAnalyst,
    permits: Arc<Semaphore>,
}

impl PooledOffline {
    pub fn new(analyst: OfflineAnalyst) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        PooledOffline { analyst, permits: Arc::new(Semaphore::new(cores)) }
    }

    /// Runs `task` with the analyst on the blocking pool, once a permit is free.
    async fn run<T: Send + 'static>(&self, task: impl FnOnce(OfflineAnalyst) -> T + Send + 'static) -> Result<T, AnalystError> {
        let _permit = self.permits.acquire().await.map_err(|_| AnalystError::Cancelled)?;
        let analyst = self.analyst.clone();
        tokio::task::spawn_blocking(move || task(analyst)).await.map_err(|e| AnalystError::Backend(format!("the offline analyst stopped: {e}")))
    }
}

/// One task of the trait, run on the pool with an owned copy of its request.
macro_rules! pooled {
    ($self:ident, $method:ident, $req:expr) => {{
        let req = $req.clone();
        $self.run(move |a| futures::executor::block_on(a.$method(&req))).await
    }};
}

impl Analyst for PooledOffline {
    fn describe(&self) -> String {
        self.analyst.describe()
    }
    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        pooled!(self, screen, req)?
    }
    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        pooled!(self, extract, req)?
    }
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        let owned = reqs.to_vec();
        match self.run(move |a| futures::executor::block_on(a.extract_batch(&owned))).await {
            Ok(answers) => answers,
            Err(e) => reqs.iter().map(|_| Err(e.clone())).collect(),
        }
    }
    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        pooled!(self, name_cluster, req)?
    }
    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        pooled!(self, propose_parents, req)?
    }
    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        pooled!(self, dedupe, req)?
    }
    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        pooled!(self, assign, req)?
    }
    async fn assign_batch(&self, req: &AssignBatchRequest) -> Vec<Result<usize, AnalystError>> {
        let children = req.children.len();
        match pooled!(self, assign_batch, req) {
            Ok(answers) => answers,
            Err(e) => (0..children).map(|_| Err(e.clone())).collect(),
        }
    }
    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        pooled!(self, rename, req)?
    }
    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        pooled!(self, audit, req)?
    }
}
