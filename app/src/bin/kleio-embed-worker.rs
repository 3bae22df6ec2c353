//! The embedding workers' own module: inside each worker (`worker.js`, see
//! `module_worker`) the model lives here, one copy per worker, and embeds on
//! the CPU what the page sends. The page's side is `embed_workers`.
//!
//! A module of its own rather than the app's: it holds the encoder and the
//! tokenizer only, so it is small enough to build twice, once with relaxed
//! SIMD's fused multiply-add (`--features relaxed-simd`, 1.2x faster) and
//! once without, for browsers that lack it; the page picks one
//! (`embed_workers::EmbedModule`). `scripts/build` builds both into
//! `dist/embed/`.

use std::cell::RefCell;
use std::rc::Rc;

use kleio_embed::{ComputeDevice, ModelFiles, ModelKind, Precision, SentenceEmbedder, WARM_UP_TEXT};
use wasm_bindgen::prelude::*;

thread_local! {
    /// This worker's model; a worker serves one page and one model.
    static MODEL: RefCell<Option<Rc<SentenceEmbedder>>> = const { RefCell::new(None) };
}

/// Loads `model` (`minilm` or `mpnet`) from its files' bytes on this
/// worker's CPU, with its dense products in `precision` (`fp32` or `int8`;
/// int8 only in the build with relaxed SIMD, where its kernel is fast, and
/// fp32 in the other), embeds one text to prove it works, and says on what
/// it runs.
#[wasm_bindgen]
pub async fn worker_load_model(model: String, precision: String, safetensors: Vec<u8>, tokenizer_json: Vec<u8>) -> Result<String, JsError> {
    let kind: ModelKind = model.parse().map_err(|e: String| JsError::new(&e))?;
    let asked: Precision = precision.parse().map_err(|e: String| JsError::new(&e))?;
    let precision = if Precision::int8_is_fast() { asked } else { Precision::F32 };
    // Free the old copy before building the new one: both at once double the memory.
    MODEL.set(None);
    let files = ModelFiles { safetensors: &safetensors, tokenizer_json: &tokenizer_json };
    let loaded = SentenceEmbedder::load_with(kind, files, ComputeDevice::cpu(), precision).map_err(|e| JsError::new(&e.to_string()))?;
    drop(safetensors);
    loaded.embed_texts(&[WARM_UP_TEXT.to_string()]).await.map_err(|e| JsError::new(&e.to_string()))?;
    let description = loaded.device_description();
    MODEL.set(Some(Rc::new(loaded)));
    Ok(description)
}

/// The unit vectors of `texts`, one after another in one flat array,
/// calling `on_batch(texts in it)` after each batch.
#[wasm_bindgen]
pub async fn worker_embed(texts: Vec<String>, on_batch: js_sys::Function) -> Result<Vec<f32>, JsError> {
    let model = MODEL.with_borrow(Clone::clone).ok_or_else(|| JsError::new("no model is loaded in this worker"))?;
    let report = async |n: usize| {
        // A progress count the page cannot take is no reason to stop embedding.
        let _ = on_batch.call1(&JsValue::NULL, &JsValue::from(n as u32));
    };
    let vectors = model.embed_texts_with(&texts, report).await.map_err(|e| JsError::new(&e.to_string()))?;
    Ok(vectors.concat())
}

/// Nothing runs when the module starts; the page calls the exports above.
fn main() {}
