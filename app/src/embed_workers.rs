//! The page's side of the embedding workers: starts one Web Worker per core
//! (`module_worker`, each running the embedding module, `bin/kleio-embed-worker.rs`,
//! in the build this browser can run), gives each a copy of the model, and
//! shares every request's texts among them.

use js_sys::{Array, Float32Array, Uint8Array};
use kleio_embed::{ComputeDevice, ModelKind, Precision};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::module_worker::{app_url, js_text, ModuleWorker, WorkerError};

/// The two builds of the embedding module (`scripts/build` puts them in `dist/embed/`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedModule {
    /// With relaxed SIMD's fused multiply-add, where the browser has it (Chromium since 114).
    Relaxed,
    /// 128-bit SIMD only, for every other browser with WebAssembly SIMD.
    Plain,
}

/// A module whose one function returns a fused multiply-add of three zero
/// vectors (`f32x4.relaxed_madd`): it validates exactly where the browser
/// has relaxed SIMD.
#[rustfmt::skip]
const RELAXED_SIMD_PROBE: [u8; 82] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,       // types: () -> v128
    0x03, 0x02, 0x01, 0x00,                         // functions: one, of that type
    0x0a, 0x3d, 0x01, 0x3b, 0x00,                   // code: one body of 59 bytes, no locals
    0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // v128.const 0
    0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xfd, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xfd, 0x85, 0x02,                               // f32x4.relaxed_madd
    0x0b,                                           // end
];

impl EmbedModule {
    /// The build this browser runs: relaxed SIMD where the browser validates
    /// a module that uses it. `localStorage["kleio.simd"] = "plain"` forces
    /// the plain build (to compare the two, or where a browser's relaxed
    /// SIMD misbehaves).
    pub fn for_this_browser() -> Self {
        let forced_plain = leptos::prelude::window()
            .local_storage()
            .ok()
            .flatten()
            .and_then(|storage| storage.get_item("kleio.simd").ok().flatten())
            .is_some_and(|choice| choice == "plain");
        let has_relaxed = js_sys::WebAssembly::validate(&Uint8Array::from(&RELAXED_SIMD_PROBE[..]).into()).unwrap_or(false);
        if has_relaxed && !forced_plain {
            EmbedModule::Relaxed
        } else {
            EmbedModule::Plain
        }
    }

    fn folder(self) -> &'static str {
        match self {
            EmbedModule::Relaxed => "embed/relaxed",
            EmbedModule::Plain => "embed/plain",
        }
    }

    /// Fetches and compiles the module once, for every worker to instantiate.
    async fn compile(self) -> Result<(String, JsValue), WorkerError> {
        let folder = self.folder();
        let glue = app_url(&format!("{folder}/kleio-embed-worker.js"))?;
        let wasm = app_url(&format!("{folder}/kleio-embed-worker_bg.wasm"))?;
        let failed = |what: &str, e: JsValue| WorkerError(format!("{what} {wasm}: {}", js_text(&e)));
        let response: web_sys::Response =
            JsFuture::from(leptos::prelude::window().fetch_with_str(&wasm)).await.map_err(|e| failed("fetching", e))?.unchecked_into();
        if !response.ok() {
            return Err(WorkerError(format!("fetching {wasm}: HTTP {}", response.status())));
        }
        let bytes = JsFuture::from(response.array_buffer().map_err(|e| failed("reading", e))?).await.map_err(|e| failed("reading", e))?;
        let module = JsFuture::from(js_sys::WebAssembly::compile(&bytes)).await.map_err(|e| failed("compiling", e))?;
        Ok((glue, module))
    }
}

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

    /// Starts `count` workers running `module` and loads `kind` from its
    /// files' bytes in each, with its products in `precision` where the
    /// module can (int8 in the relaxed build only; the description says).
    pub async fn start(
        kind: ModelKind,
        module: EmbedModule,
        precision: Precision,
        count: usize,
        safetensors: &[u8],
        tokenizer_json: &[u8],
    ) -> Result<Self, WorkerError> {
        let (glue, compiled) = module.compile().await?;
        let workers =
            futures::future::join_all((0..count).map(|_| ModuleWorker::start_module(&glue, &compiled))).await.into_iter().collect::<Result<Vec<_>, _>>()?;
        // Each worker gets a copy of its own to take over, so that the page
        // holds the bytes only until they are handed on.
        let loads = workers.iter().map(|w| {
            let weights = Uint8Array::from(safetensors);
            let tokenizer = Uint8Array::from(tokenizer_json);
            async move {
                let model = JsValue::from(kind.folder());
                let precision = JsValue::from(precision.name());
                let buffers = (weights.buffer(), tokenizer.buffer());
                w.call("worker_load_model", &[&model, &precision, &weights, &tokenizer], &[&buffers.0, &buffers.1]).await
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
