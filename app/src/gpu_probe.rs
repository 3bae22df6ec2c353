//! Asks the browser whether WebGPU has an adapter, before burn-wgpu is told
//! to use one: burn-wgpu cannot be initialised safely without an adapter, and
//! a panic in WebAssembly ends the whole app.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `navigator.gpu.requestAdapter()` gave an adapter.
pub async fn webgpu_adapter_exists() -> bool {
    request_adapter().await.unwrap_or(false)
}

async fn request_adapter() -> Result<bool, JsValue> {
    let navigator = leptos::prelude::window().navigator();
    let gpu = js_sys::Reflect::get(&navigator, &"gpu".into())?;
    if gpu.is_undefined() || gpu.is_null() {
        return Ok(false);
    }
    let request: js_sys::Function = js_sys::Reflect::get(&gpu, &"requestAdapter".into())?.dyn_into()?;
    let promise: js_sys::Promise = request.call0(&gpu)?.dyn_into()?;
    let adapter = JsFuture::from(promise).await?;
    Ok(!adapter.is_null() && !adapter.is_undefined())
}
