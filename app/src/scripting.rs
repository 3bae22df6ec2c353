//! What the app offers scripts on the page (`window.wasmBindings`, set by
//! Trunk's loader): embedding texts exactly as a run does, for notebooks,
//! bookmarklets and the browser parity tests.

use kleio_core::embedder::Embedder;
use kleio_embed::{BackendChoice, ModelKind};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::embedding;

#[derive(Serialize)]
struct Embedded {
    /// The model and the device it ran on, in words.
    device: String,
    vectors: Vec<Vec<f32>>,
}

/// Embeds `texts` with `model` (`minilm` or `mpnet`) on `device` (`auto`,
/// `gpu` or `cpu`) and resolves to JSON: `{"device": "...", "vectors": [[...], ...]}`.
#[wasm_bindgen]
pub async fn embed(texts: Vec<String>, model: String, device: String) -> Result<String, JsError> {
    let kind: ModelKind = model.parse().map_err(|e: String| JsError::new(&e))?;
    let choice: BackendChoice = device.parse().map_err(|e: String| JsError::new(&e))?;
    let model = embedding::load(kind, choice).await.map_err(|e| JsError::new(&e.to_string()))?;
    let vectors = model.embed(&texts).await.map_err(|e| JsError::new(&e.to_string()))?;
    serde_json::to_string(&Embedded { device: model.describe(), vectors }).map_err(|e| JsError::new(&e.to_string()))
}
