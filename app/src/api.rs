//! Every network call the app makes lives here.

use kleio_core::analysis::Analysis;
use kleio_core::api::{self as contract, BackendInfo, ErrorBody, Published, Route, RUN_HEADER};
use kleio_core::publish::{Dashboard, Submission};
use kleio_core::task_api::{Transport, TransportResponse};
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the answer could not be read: {0}")]
    Decode(String),
    #[error("the server refused ({0}): {1}")]
    Refused(u16, String),
}

async fn get_json<T: for<'de> Deserialize<'de>>(url: &str) -> Result<T, ApiError> {
    let res = gloo_net::http::Request::get(url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if !res.ok() {
        return Err(ApiError::Status(res.status()));
    }
    res.json::<T>().await.map_err(|e| ApiError::Decode(e.to_string()))
}

pub async fn backend() -> Result<BackendInfo, ApiError> {
    get_json(&contract::GetBackend::url()).await
}

pub async fn demo_analysis() -> Result<Analysis, ApiError> {
    get_json("/demo/analysis.json").await
}

/// A published dashboard, as the proxy stored it.
pub async fn dashboard(id: String) -> Result<Dashboard, ApiError> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ApiError::Status(404));
    }
    get_json(&contract::ReadDashboard::url_for(&id)).await
}

/// An exported site's dashboard, from the file its `index.html` names.
pub async fn exported_dashboard(file: String) -> Result<Dashboard, ApiError> {
    get_json(&file).await
}

/// Where a published dashboard's static site downloads from (a link, not a call).
pub fn dashboard_site(id: &str) -> String {
    contract::DashboardSite::url_for(id)
}

/// The name of the browser cache that keeps model files between visits.
const MODEL_CACHE: &str = "kleio-models-v1";

/// A model file's bytes: from the browser's cache when an earlier visit
/// fetched it, else from the server (and then kept in the cache). A cache
/// that cannot be opened (private windows may refuse) only costs a download.
pub async fn model_file(url: &str) -> Result<Vec<u8>, ApiError> {
    let cache = open_model_cache().await;
    if let Some(cache) = &cache {
        if let Ok(hit) = JsFuture::from(cache.match_with_str(url)).await {
            if let Ok(response) = hit.dyn_into::<web_sys::Response>() {
                return response_bytes(&response).await;
            }
        }
    }
    let response = gloo_net::http::Request::get(url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        return Err(ApiError::Status(response.status()));
    }
    let raw: web_sys::Response = response.into();
    if let Some(cache) = &cache {
        if let Ok(copy) = raw.clone() {
            // Best effort: a full disk only means the next visit downloads again.
            let _ = JsFuture::from(cache.put_with_str(url, &copy)).await;
        }
    }
    response_bytes(&raw).await
}

async fn open_model_cache() -> Option<web_sys::Cache> {
    let caches = leptos::prelude::window().caches().ok()?;
    JsFuture::from(caches.open(MODEL_CACHE)).await.ok()?.dyn_into().ok()
}

async fn response_bytes(response: &web_sys::Response) -> Result<Vec<u8>, ApiError> {
    let promise = response.array_buffer().map_err(|e| ApiError::Decode(format!("{e:?}")))?;
    let buffer = JsFuture::from(promise).await.map_err(|e| ApiError::Network(format!("{e:?}")))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A dataset file at a link on another site, fetched by the browser itself
/// (the proxy never fetches a person's link), a chunk at a time:
/// `progress(received, total)` after each, `total` when the server said it.
/// Aborting `abort` cancels the download.
/// `progress` hears of each part as it comes, with the bytes so far and the
/// file's length when the server says it.
pub async fn dataset_file(url: &str, abort: &web_sys::AbortSignal, mut progress: impl FnMut(&[u8], u64, Option<u64>)) -> Result<Vec<u8>, ApiError> {
    let response = gloo_net::http::Request::get(url).abort_signal(Some(abort)).send().await.map_err(|e| {
        if abort.aborted() {
            ApiError::Network("cancelled".into())
        } else {
            // A refused CORS read, a policy block and an unreachable host look
            // the same to a page, so all three are named.
            ApiError::Network(format!(
                "nothing came back ({e}): the site may not let other sites' pages read its files (no CORS header), \
                 this Kleio's policy may not allow the site, or it cannot be reached"
            ))
        }
    })?;
    if !response.ok() {
        return Err(ApiError::Status(response.status()));
    }
    let total = response.headers().get("content-length").and_then(|v| v.parse::<u64>().ok());
    let raw: web_sys::Response = response.into();
    let Some(body) = raw.body() else { return response_bytes(&raw).await };
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().dyn_into().map_err(|e| ApiError::Decode(format!("{e:?}")))?;
    let mut bytes = Vec::with_capacity(total.unwrap_or(0).min(1 << 30) as usize);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|e| {
            let why = if abort.aborted() { "cancelled".to_string() } else { format!("the download broke off: {e:?}") };
            ApiError::Network(why)
        })?;
        let field = |name: &str| js_sys::Reflect::get(&chunk, &name.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
        if field("done").as_bool().unwrap_or(true) {
            break;
        }
        let part = js_sys::Uint8Array::new(&field("value"));
        let at = bytes.len();
        bytes.resize(at + part.length() as usize, 0);
        part.copy_to(&mut bytes[at..]);
        progress(&bytes[at..], bytes.len() as u64, total);
    }
    Ok(bytes)
}

/// The proxy's task API over `fetch`, for runs that use the proxy's analyst.
pub struct FetchTransport {
    /// Names this run's calls for the proxy's spending cap.
    pub run: String,
}

impl Transport for FetchTransport {
    async fn post_json(&self, url: &str, body: String) -> Result<TransportResponse, String> {
        let response = gloo_net::http::Request::post(url)
            .header("content-type", "application/json")
            .header(RUN_HEADER, &self.run)
            .body(body)
            .map_err(|e| e.to_string())?
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let body = response.binary().await.map_err(|e| e.to_string())?;
        Ok(TransportResponse { status, body })
    }
}

/// Deletes a dashboard this browser published, with its delete token. A
/// dashboard already gone (deleted elsewhere, or expired) counts as deleted.
pub async fn delete_dashboard(id: &str, delete_token: &str) -> Result<(), ApiError> {
    let response = gloo_net::http::Request::delete(&contract::DeleteDashboard::url_for(id))
        .header(kleio_core::api::DELETE_TOKEN_HEADER, delete_token)
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    match response.status() {
        204 | 404 => Ok(()),
        status => Err(ApiError::Refused(status, response.json::<ErrorBody>().await.map(|b| b.error).unwrap_or_default())),
    }
}

/// Sends aggregates to the proxy's publish gate.
pub async fn publish(submission: &Submission) -> Result<Published, ApiError> {
    let response = gloo_net::http::Request::post(&contract::Publish::url())
        .json(submission)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    if !response.ok() {
        let message = response.json::<ErrorBody>().await.map(|b| b.error).unwrap_or_default();
        return Err(ApiError::Refused(response.status(), message));
    }
    response.json().await.map_err(|e| ApiError::Decode(e.to_string()))
}
