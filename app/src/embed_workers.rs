//! The page's side of the embedding workers: starts one Web Worker per core
//! (`embed-worker.js`, running this same WebAssembly module), gives each a
//! copy of the model, and shares every request's texts among them.
//!
//! Messages, page → worker: `{kind: "start", glue, module}` (the URL of the
//! wasm-bindgen glue and the compiled module), `{kind: "load", model,
//! safetensors, tokenizer}`, `{kind: "embed", texts}`. Worker → page:
//! `started`, `loaded {device}`, `progress {texts}` (after each batch),
//! `embedded {vectors}` (a flat Float32Array), or `failed {message}` for
//! any of them. A worker answers its messages one at a time, in order.

use futures::channel::mpsc;
use futures::lock::Mutex;
use futures::StreamExt;
use js_sys::{Array, Object, Reflect, Uint8Array};
use kleio_embed::{ComputeDevice, ModelKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

/// At most this many workers, whatever the browser's core count: each holds
/// a copy of the model (91 MB for MiniLM, 438 MB for MPNet).
const MAX_WORKERS: usize = 4;
/// MPNet's copies are large; two are the most that a run is worth on a laptop.
const MAX_MPNET_WORKERS: usize = 2;

#[wasm_bindgen]
extern "C" {
    type ImportMeta;
    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;
    /// `import.meta` of the wasm-bindgen glue, which this import is compiled
    /// into: its URL is what a worker imports to run the same module.
    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("the embedding workers could not start: {0}")]
pub struct WorkerError(String);

fn js_text(v: &JsValue) -> String {
    v.as_string().or_else(|| v.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()))).unwrap_or_else(|| format!("{v:?}"))
}

/// What a worker said.
enum Reply {
    Started,
    Loaded(String),
    Progress(usize),
    Embedded(Vec<f32>),
    Failed(String),
}

impl Reply {
    fn from_message(data: &JsValue) -> Reply {
        let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED);
        match field("kind").as_string().as_deref() {
            Some("started") => Reply::Started,
            Some("loaded") => Reply::Loaded(js_text(&field("device"))),
            Some("progress") => Reply::Progress(field("texts").as_f64().unwrap_or(0.0) as usize),
            Some("embedded") => match field("vectors").dyn_into::<js_sys::Float32Array>() {
                Ok(v) => Reply::Embedded(v.to_vec()),
                Err(v) => Reply::Failed(format!("the worker sent {v:?} instead of vectors")),
            },
            Some("failed") => Reply::Failed(js_text(&field("message"))),
            other => Reply::Failed(format!("the worker sent an unknown message {other:?}")),
        }
    }
}

/// One worker and the replies it has sent that nobody has read yet.
struct EmbedWorker {
    worker: Worker,
    /// Held from posting a message until its answer is read, so that two
    /// requests to one worker cannot read each other's answers.
    replies: Mutex<mpsc::UnboundedReceiver<Reply>>,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl EmbedWorker {
    fn spawn(script: &str) -> Result<Self, WorkerError> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(script, &options).map_err(|e| WorkerError(js_text(&e)))?;
        let (sender, replies) = mpsc::unbounded();
        let on_reply = sender.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let _ = on_reply.unbounded_send(Reply::from_message(&event.data()));
        });
        // A script that fails to load or throws outside a message reports
        // here; whoever waits for an answer must hear of it rather than hang.
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let _ = sender.unbounded_send(Reply::Failed(format!("the worker failed: {}", event.message())));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(EmbedWorker { worker, replies: Mutex::new(replies), _on_message: on_message, _on_error: on_error })
    }

    /// Posts `message` (moving `transfer`'s buffers) and waits for its
    /// answer, passing progress counts on to `on_progress` meanwhile.
    async fn ask(&self, message: &Object, transfer: &Array, on_progress: &dyn Fn(usize)) -> Result<Reply, WorkerError> {
        let mut replies = self.replies.lock().await;
        self.worker.post_message_with_transfer(message, transfer).map_err(|e| WorkerError(js_text(&e)))?;
        loop {
            match replies.next().await {
                Some(Reply::Progress(n)) => on_progress(n),
                Some(Reply::Failed(reason)) => return Err(WorkerError(reason)),
                Some(reply) => return Ok(reply),
                None => return Err(WorkerError("the worker stopped answering".into())),
            }
        }
    }
}

impl Drop for EmbedWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn message(fields: &[(&str, &JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &(*name).into(), value);
    }
    object
}

/// The model loaded in every worker, ready to embed.
pub struct EmbedWorkers {
    kind: ModelKind,
    workers: Vec<EmbedWorker>,
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
        let glue = IMPORT_META.with(ImportMeta::url);
        // The worker script sits beside the glue, wherever the app is served from.
        let script = web_sys::Url::new_with_base("embed-worker.js", &glue).map_err(|e| WorkerError(js_text(&e)))?.href();
        let workers = (0..count).map(|_| EmbedWorker::spawn(&script)).collect::<Result<Vec<_>, _>>()?;
        let module = wasm_bindgen::module();
        let start = message(&[("kind", &"start".into()), ("glue", &glue.into()), ("module", &module)]);
        let nothing = Array::new();
        let started = futures::future::join_all(workers.iter().map(|w| w.ask(&start, &nothing, &|_| {}))).await;
        for reply in started {
            if !matches!(reply?, Reply::Started) {
                return Err(out_of_turn("start"));
            }
        }
        // Each worker gets a copy of its own to take over, so that the page
        // holds the bytes only until they are handed on.
        let loads = workers.iter().map(|w| {
            let weights = Uint8Array::from(safetensors);
            let tokenizer = Uint8Array::from(tokenizer_json);
            let load = message(&[("kind", &"load".into()), ("model", &kind.folder().into()), ("safetensors", &weights), ("tokenizer", &tokenizer)]);
            let transfer = Array::of2(&weights.buffer(), &tokenizer.buffer());
            async move { w.ask(&load, &transfer, &|_| {}).await }
        });
        let mut description = None;
        for reply in futures::future::join_all(loads).await {
            match reply? {
                Reply::Loaded(d) => description = Some(d),
                _ => return Err(out_of_turn("load")),
            }
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
            let embed = message(&[("kind", &"embed".into()), ("texts", &batch)]);
            async move { worker.ask(&embed, &Array::new(), on_texts).await }
        });
        let answers = futures::future::join_all(requests).await;
        let mut out = vec![Vec::new(); texts.len()];
        for (share, answer) in shares.iter().zip(answers) {
            let Reply::Embedded(flat) = answer? else { return Err(out_of_turn("embed")) };
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

fn out_of_turn(request: &str) -> WorkerError {
    WorkerError(format!("a worker answered the {request} request with something else"))
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
