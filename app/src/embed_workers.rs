//! The page's side of the embedding workers: starts one Web Worker per core
//! (`module_worker`, running this same WebAssembly module), gives each a
//! copy of the model (`embed_worker` is the workers' side), and shares every
//! request's texts among them.

use js_sys::{Array, Float32Array, Uint8Array};
use kleio_embed::{ComputeDevice, ModelKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::module_worker::{js_text, ModuleWorker, WorkerError};

/// At most this many workers, whatever the browser's core count: each holds
/// a copy of the model (91 MB for MiniLM, 438 MB for MPNet).
const MAX_WORKERS: usize = 4;
/// MPNet's copies are large; two are the most that a run is worth on a laptop.
const MAX_MPNET_WORKERS: usize = 2;

/// The model loaded in every worker, ready to embed.
pub struct EmbedWorkers {
    kind: ModelKind,
    workers: Vec<ModuleWorker>,
    device: ComputeDevice,
}

impl EmbedWorkers {
    /// How many workers a run of `kind` gets on this browser.
    pub fn count_for(kind: ModelKind) -> usize {
        let cores = leptos::prelude::window().navigator().hardware_concurrency() as usize;
        let cap = if kind == ModelKind::MpNet { MAX_MPNET_WORKERS } else { MAX_WORKERS };
        cores.clamp(1, cap)
    }

    /// Starts `count` workers and loads `kind` from its files' bytes in each.
    pub async fn start(kind: ModelKind, count: usize, safetensors: &[u8], tokenizer_json: &[u8]) -> Result<Self, WorkerError> {
        let workers = futures::future::join_all((0..count).map(|_| ModuleWorker::start())).await.into_iter().collect::<Result<Vec<_>, _>>()?;
        // Each worker gets a copy of its own to take over, so that the page
        // holds the bytes only until they are handed on.
        let loads = workers.iter().map(|w| {
            let weights = Uint8Array::from(safetensors);
            let tokenizer = Uint8Array::from(tokenizer_json);
            async move {
                let model = JsValue::from(kind.folder());
                let buffers = (weights.buffer(), tokenizer.buffer());
                w.call("worker_load_model", &[&model, &weights, &tokenizer], &[&buffers.0, &buffers.1]).await
            }
        });
        let mut description = None;
        for reply in futures::future::join_all(loads).await {
            description = Some(js_text(&reply?));
        }
        let on = description.unwrap_or_else(|| ComputeDevice::cpu().description);
        let device = ComputeDevice { description: format!("{on} in {count} Web Worker{}", if count == 1 { "" } else { "s" }), ..ComputeDevice::cpu() };
        Ok(EmbedWorkers { kind, workers, device })
    }

    pub fn device(&self) -> &ComputeDevice {
        &self.device
    }

    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// Unit vectors for `texts`, in order. The texts are shared out by
    /// length, so each worker gets about as many tokens as the others, and
    /// each worker batches its share by length itself; `on_texts` hears of
    /// every finished batch.
    pub async fn embed(&self, texts: &[String], on_texts: &dyn Fn(usize)) -> Result<Vec<Vec<f32>>, WorkerError> {
        let shares = share_by_length(texts, self.workers.len());
        let shares: Vec<Vec<usize>> = shares.into_iter().filter(|share| !share.is_empty()).collect();
        let requests = self.workers.iter().zip(&shares).map(|(worker, share)| {
            let batch: Array = share.iter().map(|&i| JsValue::from_str(&texts[i])).collect();
            async move { worker.call_reporting("worker_embed", &[&batch], &[], Some(on_texts)).await }
        });
        let answers = futures::future::join_all(requests).await;
        let mut out = vec![Vec::new(); texts.len()];
        for (share, answer) in shares.iter().zip(answers) {
            let flat = answer?.dyn_into::<Float32Array>().map_err(|v| WorkerError(format!("a worker sent {v:?} instead of vectors")))?.to_vec();
            let dim = self.kind.dim();
            if flat.len() != share.len() * dim {
                return Err(WorkerError(format!("a worker sent {} numbers for {} texts of {dim}", flat.len(), share.len())));
            }
            for (&i, vector) in share.iter().zip(flat.chunks_exact(dim)) {
                out[i] = vector.to_vec();
            }
        }
        Ok(out)
    }
}

/// The indices of `texts` dealt into `count` shares, longest first and in
/// turn, so the shares' lengths (a proxy for their tokens) come out even.
fn share_by_length(texts: &[String], count: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(texts[i].len()));
    let mut shares = vec![Vec::new(); count.max(1)];
    for (turn, i) in order.into_iter().enumerate() {
        let n = shares.len();
        shares[turn % n].push(i);
    }
    shares
}
