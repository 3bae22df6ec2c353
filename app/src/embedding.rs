//! The sentence-transformer in the browser: picks the device (WebGPU when
//! the browser has an adapter, else the CPU), fetches the weights (cached by
//! the browser between visits), and hands the pipeline an embedder that lets
//! the page repaint between small batches.

use std::cell::RefCell;
use std::rc::Rc;

use kleio_core::embedder::{EmbedError, Embedder};
use kleio_embed::{BackendChoice, ComputeDevice, ModelFiles, ModelKind, SentenceEmbedder};

use crate::api;
use crate::gpu_probe::webgpu_adapter_exists;

/// Texts embedded between two chances for the page to repaint and to count progress.
const TEXTS_PER_SLICE: usize = 16;

thread_local! {
    /// The last model loaded, with the device it is on and its choice: loading takes seconds.
    static LOADED: RefCell<Option<(ModelKind, bool, Rc<SentenceEmbedder>)>> = const { RefCell::new(None) };
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
}

/// The model `kind` on the device `choice` picks, loaded once per page.
pub async fn load(kind: ModelKind, choice: BackendChoice) -> Result<Rc<SentenceEmbedder>, EmbeddingError> {
    let device = ComputeDevice::select_in_browser(choice, webgpu_adapter_exists().await).await.map_err(|e| EmbeddingError::Device(e.to_string()))?;
    if let Some((k, gpu, m)) = LOADED.with_borrow(Clone::clone) {
        if k == kind && gpu == device.is_gpu {
            return Ok(m);
        }
    }
    // Drop the previous model before fetching the next: two would double the memory.
    LOADED.set(None);
    let folder = kind.folder();
    let safetensors = api::model_file(&format!("/models/{folder}/model.safetensors")).await.map_err(|e| EmbeddingError::Fetch(e.to_string()))?;
    let tokenizer_json = api::model_file(&format!("/models/{folder}/tokenizer.json")).await.map_err(|e| EmbeddingError::Fetch(e.to_string()))?;
    let model = Rc::new(SentenceEmbedder::load(kind, ModelFiles { safetensors: &safetensors, tokenizer_json: &tokenizer_json }, device)?);
    // One short text first: on a GPU it compiles the kernels before the run
    // counts time, and a device that cannot run the model fails here, with
    // its name, rather than in the middle of a run.
    model.embed(&["Kleio warms up the model.".to_string()]).await.map_err(|e| EmbeddingError::WarmUp { device: model.device().description.clone(), reason: e.to_string() })?;
    LOADED.set(Some((kind, model.device().is_gpu, model.clone())));
    Ok(model)
}

/// Embeds in slices, yielding to the browser after each, and counts texts done.
pub struct SlicedEmbedder {
    pub model: Rc<SentenceEmbedder>,
    pub on_texts: Box<dyn Fn(usize)>,
}

impl Embedder for SlicedEmbedder {
    fn dim(&self) -> usize {
        self.model.dim()
    }
    fn describe(&self) -> String {
        self.model.describe()
    }
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut out = Vec::with_capacity(texts.len());
        for slice in texts.chunks(TEXTS_PER_SLICE) {
            out.extend(self.model.embed(slice).await?);
            (self.on_texts)(slice.len());
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        Ok(out)
    }
}
