//! The sentence-transformer in the browser: picks the device (WebGPU when
//! the browser has an adapter, else the CPU), fetches the weights (cached by
//! the browser between visits), and runs the model where it is fastest: on
//! the CPU in one Web Worker per core (`embed_workers`), on a GPU from the
//! page, which only waits for the device.

use std::cell::RefCell;
use std::rc::Rc;

use kleio_core::embedder::{EmbedError, Embedder};
use kleio_embed::{BackendChoice, ComputeDevice, ModelFiles, ModelKind, Precision, SentenceEmbedder, WARM_UP_TEXT};

use crate::api;
use crate::embed_workers::{EmbedModule, EmbedWorkers};
use crate::gpu_probe::webgpu_adapter_exists;
use crate::module_worker::WorkerError;

/// Most padded tokens in one batch run on the page's own thread on the CPU
/// (where workers could not start): the page cannot repaint during a batch,
/// and 512 tokens of MiniLM take about a second there.
const PAGE_CPU_BATCH_TOKENS: usize = 512;

/// The last model loaded, whether it is on a GPU, and the precision asked for.
#[derive(Clone)]
struct Loaded {
    kind: ModelKind,
    on_gpu: bool,
    precision: Precision,
    model: Rc<LoadedModel>,
}

thread_local! {
    /// Kept because loading takes seconds.
    static LOADED: RefCell<Option<Loaded>> = const { RefCell::new(None) };
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum EmbeddingError {
    #[error("no device: {0}")]
    Device(String),
    #[error("fetching the model failed: {0} (is `bash scripts/setup` done on the server?)")]
    Fetch(String),
    #[error(transparent)]
    Model(#[from] kleio_embed::EmbedModelError),
    #[error("the model loaded but could not embed on {device}: {reason}")]
    WarmUp { device: String, reason: String },
    #[error("the embedding workers failed: {0}")]
    Workers(#[from] WorkerError),
}

/// A model ready to embed, and where it runs.
pub enum LoadedModel {
    /// On the page's thread: a GPU, or the CPU where workers could not start.
    OnPage(Box<SentenceEmbedder>),
    /// On the CPU, a copy in each of several Web Workers.
    InWorkers(EmbedWorkers),
}

impl LoadedModel {
    pub fn device(&self) -> &ComputeDevice {
        match self {
            LoadedModel::OnPage(model) => model.device(),
            LoadedModel::InWorkers(workers) => workers.device(),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            LoadedModel::OnPage(model) => model.kind().name(),
            LoadedModel::InWorkers(workers) => workers.kind().name(),
        }
    }

    /// Unit vectors for `texts`, in order, telling `on_texts` of every
    /// finished batch. On the page it yields to the browser after each
    /// batch, so the page repaints and the progress shows.
    pub async fn embed_reporting(&self, texts: &[String], on_texts: &dyn Fn(usize)) -> Result<Vec<Vec<f32>>, EmbeddingError> {
        match self {
            LoadedModel::OnPage(model) => {
                let after_batch = async |n: usize| {
                    on_texts(n);
                    gloo_timers::future::TimeoutFuture::new(0).await;
                };
                Ok(model.embed_texts_with(texts, after_batch).await?)
            }
            LoadedModel::InWorkers(workers) => Ok(workers.embed(texts, on_texts).await?),
        }
    }
}

impl Embedder for LoadedModel {
    fn dim(&self) -> usize {
        match self {
            LoadedModel::OnPage(model) => model.dim(),
            LoadedModel::InWorkers(workers) => workers.kind().dim(),
        }
    }
    fn describe(&self) -> String {
        format!("{} on {}", self.kind_name(), self.device().description)
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_reporting(texts, &|_| {}).await.map_err(|e| EmbedError(e.to_string()))
    }
}

/// The model `kind` on the device `choice` picks, loaded once per page.
/// `precision` is the CPU's: int8 products run in the embedding workers'
/// relaxed-SIMD build only, and a GPU or the other build computes in f32;
/// the model's description says which.
pub async fn load(kind: ModelKind, choice: BackendChoice, precision: Precision) -> Result<Rc<LoadedModel>, EmbeddingError> {
    let device = ComputeDevice::select_in_browser(choice, webgpu_adapter_exists().await).await.map_err(|e| EmbeddingError::Device(e.to_string()))?;
    if let Some(loaded) = LOADED.with_borrow(Clone::clone) {
        // A GPU computes in f32 whatever was asked.
        if loaded.kind == kind && loaded.on_gpu == device.is_gpu && (loaded.on_gpu || loaded.precision == precision) {
            return Ok(loaded.model);
        }
    }
    // Drop the previous model before fetching the next: two would double the memory.
    LOADED.set(None);
    let folder = kind.folder();
    let safetensors = api::model_file(&format!("/models/{folder}/model.safetensors")).await.map_err(|e| EmbeddingError::Fetch(e.to_string()))?;
    let tokenizer_json = api::model_file(&format!("/models/{folder}/tokenizer.json")).await.map_err(|e| EmbeddingError::Fetch(e.to_string()))?;
    let model = if device.is_gpu {
        LoadedModel::OnPage(Box::new(load_on_page(kind, &safetensors, &tokenizer_json, device).await?))
    } else {
        match EmbedWorkers::start(kind, EmbedModule::for_this_browser(), precision, EmbedWorkers::count_for(kind), &safetensors, &tokenizer_json).await {
            Ok(workers) => LoadedModel::InWorkers(workers),
            Err(e) => {
                // Slower and the page stutters, but the run still goes on.
                leptos::logging::warn!("{e}; embedding on the page's thread instead");
                let mut model = load_on_page(kind, &safetensors, &tokenizer_json, device).await?;
                model.max_batch_tokens = model.max_batch_tokens.min(PAGE_CPU_BATCH_TOKENS);
                LoadedModel::OnPage(Box::new(model))
            }
        }
    };
    let model = Rc::new(model);
    LOADED.set(Some(Loaded { kind, on_gpu: model.device().is_gpu, precision, model: model.clone() }));
    Ok(model)
}

async fn load_on_page(kind: ModelKind, safetensors: &[u8], tokenizer_json: &[u8], device: ComputeDevice) -> Result<SentenceEmbedder, EmbeddingError> {
    let model = SentenceEmbedder::load(kind, ModelFiles { safetensors, tokenizer_json }, device)?;
    // One short text first: on a GPU it compiles the kernels before the run
    // counts time, and a device that cannot run the model fails here, with
    // its name, rather than in the middle of a run.
    model.embed(&[WARM_UP_TEXT.to_string()]).await.map_err(|e| EmbeddingError::WarmUp { device: model.device().description.clone(), reason: e.to_string() })?;
    Ok(model)
}

/// A loaded model that counts the texts it has embedded, for the run's progress.
pub struct ProgressEmbedder {
    pub model: Rc<LoadedModel>,
    pub on_texts: Box<dyn Fn(usize)>,
}

impl Embedder for ProgressEmbedder {
    fn dim(&self) -> usize {
        self.model.dim()
    }
    fn describe(&self) -> String {
        self.model.describe()
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.model.embed_reporting(texts, &self.on_texts).await.map_err(|e| EmbedError(e.to_string()))
    }
}
