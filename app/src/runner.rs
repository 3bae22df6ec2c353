//! One run of the whole pipeline in the browser, on conversations already
//! read (see `dataset`): the analyst (the proxy's, or the offline one in the
//! page), the sentence-transformer on WebGPU or the CPU, k-means and the
//! layout on the GPU or off the page in a worker, and progress per stage
//! into signals the page shows.

use std::cell::Cell;
use std::collections::HashMap;

use futures::future::LocalBoxFuture;

use kleio_core::analyst::AnalystVersions;
use kleio_core::api::BackendInfo;
use kleio_core::import::Imported;
use kleio_core::model::Conversation;
use kleio_core::offline::OfflineAnalyst;
use kleio_core::pipeline;
use kleio_core::progress::{Progress, Stage};
use kleio_core::task_api::TaskApiAnalyst;
use kleio_gpu::DeviceCompute;
use leptos::prelude::*;

use crate::api::FetchTransport;
use crate::embedding::{self, ProgressEmbedder};
use crate::off_page_compute::{self, OffPageCompute};
use crate::run_settings::{RunOutcome, RunSettings};
use crate::run_store::IdbCheckpoints;

/// How far one stage has come.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StageState {
    pub done: usize,
    pub total: usize,
    /// `performance.now()` at the first report of the current round, for the time left.
    pub started_ms: Option<f64>,
    pub finished_ms: Option<f64>,
    /// Time spent in the stage's earlier rounds (one per clustered facet).
    pub earlier_ms: f64,
    /// Units an earlier try of this run had finished and kept.
    pub restored: usize,
}

impl StageState {
    /// Time spent in the stage until `now`, every round counted.
    pub fn elapsed_ms(&self, now: f64) -> f64 {
        self.earlier_ms + self.started_ms.map(|t| self.finished_ms.unwrap_or(now) - t).unwrap_or(0.0)
    }
}

/// The run's progress: one state per stage, in `Stage::ALL` order, and what
/// is happening right now in words.
#[derive(Clone, Copy)]
pub struct RunProgress {
    pub stages: RwSignal<Vec<StageState>>,
    pub status: RwSignal<String>,
    /// Something the person should know that does not stop the run.
    pub notice: RwSignal<Option<String>>,
    pub cancel: RwSignal<bool>,
}

impl RunProgress {
    pub fn new() -> Self {
        RunProgress {
            stages: RwSignal::new(vec![StageState::default(); Stage::ALL.len()]),
            status: RwSignal::new(String::new()),
            notice: RwSignal::new(None),
            cancel: RwSignal::new(false),
        }
    }

    /// Back to the state before a run.
    pub fn reset(&self) {
        self.stages.set(vec![StageState::default(); Stage::ALL.len()]);
        self.status.set(String::new());
        self.notice.set(None);
        self.cancel.set(false);
    }

    fn update(&self, stage: Stage, done: usize, total: usize) {
        let now = now_ms();
        let index = stage_index(stage);
        self.stages.update(|all| {
            // A report for a later stage finishes every earlier one that is still open.
            for earlier in all.iter_mut().take(index) {
                if earlier.finished_ms.is_none() {
                    earlier.finished_ms = Some(now);
                    earlier.done = earlier.total.max(earlier.done);
                }
            }
            let s = &mut all[index];
            // A finished stage that starts over is the next clustered facet's round.
            if let (Some(start), Some(end)) = (s.started_ms, s.finished_ms) {
                if done < total {
                    s.earlier_ms += end - start;
                    s.started_ms = None;
                    s.finished_ms = None;
                }
            }
            s.started_ms.get_or_insert(now);
            s.done = done;
            s.total = total;
            if done >= total && s.finished_ms.is_none() {
                s.finished_ms = Some(now);
            }
        });
    }

    fn restored(&self, stage: Stage, units: usize) {
        self.stages.update(|all| all[stage_index(stage)].restored += units);
    }

    /// `n` more texts embedded: finer than the pipeline's own reports, which
    /// come every few hundred texts. Only while the embedding stage is open,
    /// since the hierarchy embeds cluster names later.
    fn count_embedded(&self, n: usize) {
        self.stages.update(|all| {
            let embedding = &mut all[stage_index(Stage::Embedding)];
            if embedding.finished_ms.is_none() && embedding.started_ms.is_some() {
                embedding.done = (embedding.done + n).min(embedding.total);
            }
        });
    }
}

fn stage_index(stage: Stage) -> usize {
    Stage::ALL.iter().position(|s| *s == stage).unwrap_or(0)
}

impl Default for RunProgress {
    fn default() -> Self {
        Self::new()
    }
}

pub fn now_ms() -> f64 {
    window().performance().map(|p| p.now()).unwrap_or(0.0)
}

/// The page's thread runs at most this long between pauses of a run, so
/// that a click or a key is answered in the meantime (a task over 50 ms is
/// a "long task" to the browser).
const PAGE_WORK_BETWEEN_PAUSES_MS: f64 = 40.0;

struct Sink {
    progress: RunProgress,
    /// Where embedding runs, in words: the status line's start.
    device_status: String,
    last_pause_ms: Cell<f64>,
}

impl Progress for Sink {
    fn report(&mut self, stage: Stage, done: usize, total: usize) {
        self.progress.update(stage, done, total);
    }
    fn restored(&mut self, stage: Stage, units: usize) {
        self.progress.restored(stage, units);
    }
    fn clustering_facet(&mut self, facet: &str, index: usize, count: usize) {
        if count > 1 {
            self.progress.status.set(format!("{}; clustering the {facet:?} facet ({} of {count})", self.device_status, index + 1));
        }
    }
    fn cancelled(&self) -> bool {
        self.progress.cancel.get_untracked()
    }
    /// A timer of 0 ms puts the run behind whatever the browser has waiting
    /// (input, painting); a resolved promise would not, as it runs first.
    fn pause(&self) -> LocalBoxFuture<'static, ()> {
        let now = now_ms();
        if now - self.last_pause_ms.get() < PAGE_WORK_BETWEEN_PAUSES_MS {
            return Box::pin(std::future::ready(()));
        }
        self.last_pause_ms.set(now);
        Box::pin(gloo_timers::future::TimeoutFuture::new(0))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the embedding model could not be loaded: {0}")]
    Model(#[from] embedding::EmbeddingError),
    #[error("{0}")]
    Pipeline(#[from] kleio_core::PipelineError),
}

/// Runs the pipeline on `imported`, keeping finished work under `run_id` (see
/// `run_store`) and taking what an earlier try of the same run kept; the
/// analyst is `proxy_analyst`'s where the settings ask for it. Returns
/// the outcome and the conversations it was made from, for reading.
pub async fn run(
    imported: Imported,
    settings: RunSettings,
    run_id: String,
    proxy_analyst: Option<BackendInfo>,
    progress: RunProgress,
) -> Result<(RunOutcome, Vec<Conversation>), RunError> {
    progress.update(Stage::Import, imported.conversations.len(), imported.conversations.len());
    let accounts: HashMap<String, String> = imported.conversations.iter().filter_map(|c| Some((c.id.clone(), c.account.clone()?))).collect();
    // One worker takes the run's CPU-heavy steps other than embedding, from
    // the near-duplicate groups on, so that the page stays responsive.
    let worker = off_page_compute::start_worker().await;
    let groups = off_page_compute::near_duplicate_groups_off_page(worker.as_ref(), &imported.conversations).await;
    let templates: HashMap<String, String> =
        imported.conversations.iter().zip(&groups).map(|(c, &first)| (c.id.clone(), imported.conversations[first].id.clone())).collect();
    // Read in the explorer, in this browser only.
    let conversations = imported.conversations.clone();

    progress.status.set(format!("loading {} (the first time, the weights download once)", settings.model.name()));
    let model = embedding::load(settings.model, settings.device, settings.precision).await?;
    let device_status = format!("embedding on {}", model.device().description);
    progress.status.set(device_status.clone());
    // k-means and the neighbour graph run where the embeddings did: on the
    // GPU, or the CPU (the worker's).
    let compute = OffPageCompute { device: DeviceCompute::for_device(model.device()), worker };
    let embedder = ProgressEmbedder { model, on_texts: Box::new(move |n| progress.count_embedded(n)) };
    let params = settings.params.clone();
    let seed = params.seed;
    let mut sink = Sink { progress, last_pause_ms: Cell::new(now_ms()), device_status };
    let checkpoints = IdbCheckpoints { run: run_id.clone() };
    let analysis = match proxy_analyst.filter(|_| settings.proxy_analyst) {
        Some(info) => {
            let transport = FetchTransport { run: format!("browser-{run_id}") };
            let analyst = TaskApiAnalyst::new(transport, format!("the proxy's {}", info.description), AnalystVersions::of_backend(&info));
            pipeline::run_resumable(imported, params, &analyst, &embedder, &compute, &mut sink, &checkpoints).await?
        }
        None => pipeline::run_resumable(imported, params, &OfflineAnalyst::new(seed), &embedder, &compute, &mut sink, &checkpoints).await?,
    };
    progress.status.set("done".into());
    let end = now_ms();
    let stage_seconds = progress.stages.get_untracked().iter().map(|s| s.elapsed_ms(end) / 1000.0).collect();
    Ok((RunOutcome { analysis, accounts, templates, stage_seconds }, conversations))
}
