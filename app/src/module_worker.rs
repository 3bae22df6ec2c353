//! One Web Worker running this app's own WebAssembly module (`worker.js`),
//! and the page's way to call the module's `worker_*` exports there and
//! await their answers. The embedding workers (`embed_workers`) and the
//! compute worker (`compute_worker`) are made of these.
//!
//! Messages, page → worker: `{kind: "start", glue, module}` (the URL of the
//! wasm-bindgen glue and the compiled module), then `{kind: "call", name,
//! args, progress}`. Worker → page: `answer {value}` (the function's return
//! value; a typed array is transferred), `progress {n}` (from a function
//! called with `progress: true`, which gets a callback after its
//! arguments), or `failed {message}`. A worker answers its messages one at a
//! time, in order.

use futures::channel::mpsc;
use futures::lock::Mutex;
use futures::StreamExt;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

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

/// The absolute URL of a file of the built app: files sit beside the app's
/// glue, wherever the app is served from.
pub fn app_url(path: &str) -> Result<String, WorkerError> {
    let glue = IMPORT_META.with(ImportMeta::url);
    Ok(web_sys::Url::new_with_base(path, &glue).map_err(|e| WorkerError(js_text(&e)))?.href())
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("{0}")]
pub struct WorkerError(pub String);

pub fn js_text(v: &JsValue) -> String {
    v.as_string().or_else(|| v.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message()))).unwrap_or_else(|| format!("{v:?}"))
}

/// What a worker said.
enum Reply {
    Answer(JsValue),
    Progress(usize),
    Failed(String),
}

impl Reply {
    fn from_message(data: &JsValue) -> Reply {
        let field = |name: &str| Reflect::get(data, &name.into()).unwrap_or(JsValue::UNDEFINED);
        match field("kind").as_string().as_deref() {
            Some("answer") => Reply::Answer(field("value")),
            Some("progress") => Reply::Progress(field("n").as_f64().unwrap_or(0.0) as usize),
            Some("failed") => Reply::Failed(js_text(&field("message"))),
            other => Reply::Failed(format!("the worker sent an unknown message {other:?}")),
        }
    }
}

/// A started worker and the replies it has sent that nobody has read yet.
pub struct ModuleWorker {
    worker: Worker,
    /// Held from posting a message until its answer is read, so that two
    /// requests to one worker cannot read each other's answers.
    replies: Mutex<mpsc::UnboundedReceiver<Reply>>,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl ModuleWorker {
    /// Starts a worker and instantiates this module in it, from the module
    /// the page already compiled.
    pub async fn start() -> Result<Self, WorkerError> {
        Self::start_module(&IMPORT_META.with(ImportMeta::url), &wasm_bindgen::module()).await
    }

    /// Starts a worker running another module: `glue` is the URL of its
    /// wasm-bindgen glue, `module` the compiled `WebAssembly.Module`.
    pub async fn start_module(glue: &str, module: &JsValue) -> Result<Self, WorkerError> {
        let worker = Self::spawn(&app_url("worker.js")?)?;
        let start = message(&[("kind", &"start".into()), ("glue", &glue.into()), ("module", module)]);
        worker.ask(&start, &Array::new(), &|_| {}).await?;
        Ok(worker)
    }

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
        Ok(ModuleWorker { worker, replies: Mutex::new(replies), _on_message: on_message, _on_error: on_error })
    }

    /// Calls the module's export `name` in the worker with `args`, moving
    /// `transfer`'s buffers there, and returns what it returned.
    pub async fn call(&self, name: &str, args: &[&JsValue], transfer: &[&JsValue]) -> Result<JsValue, WorkerError> {
        self.call_reporting(name, args, transfer, None).await
    }

    /// As [`call`](Self::call), for an export that reports progress through
    /// a callback after its arguments: `on_progress` hears each report.
    pub async fn call_reporting(
        &self,
        name: &str,
        args: &[&JsValue],
        transfer: &[&JsValue],
        on_progress: Option<&dyn Fn(usize)>,
    ) -> Result<JsValue, WorkerError> {
        let args: Array = args.iter().copied().collect();
        let transfer: Array = transfer.iter().copied().collect();
        let call = message(&[("kind", &"call".into()), ("name", &name.into()), ("args", &args), ("progress", &on_progress.is_some().into())]);
        self.ask(&call, &transfer, on_progress.unwrap_or(&|_| {})).await
    }

    /// Posts `message` and waits for its answer, passing progress counts on
    /// to `on_progress` meanwhile.
    async fn ask(&self, message: &Object, transfer: &Array, on_progress: &dyn Fn(usize)) -> Result<JsValue, WorkerError> {
        let mut replies = self.replies.lock().await;
        self.worker.post_message_with_transfer(message, transfer).map_err(|e| WorkerError(js_text(&e)))?;
        loop {
            match replies.next().await {
                Some(Reply::Progress(n)) => on_progress(n),
                Some(Reply::Answer(value)) => return Ok(value),
                Some(Reply::Failed(reason)) => return Err(WorkerError(reason)),
                None => return Err(WorkerError("the worker stopped answering".into())),
            }
        }
    }
}

impl Drop for ModuleWorker {
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
