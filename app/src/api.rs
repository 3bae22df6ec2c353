//! Every network call the app makes lives here.

use kleio_core::analysis::Analysis;
use kleio_core::publish::Dashboard;
use serde::Deserialize;

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request failed: {0}")]
    Network(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the answer could not be read: {0}")]
    Decode(String),
}

#[derive(Clone, Debug, Deserialize)]
pub struct BackendInfo {
    pub description: String,
}

async fn get_json<T: for<'de> Deserialize<'de>>(url: &str) -> Result<T, ApiError> {
    let res = gloo_net::http::Request::get(url).send().await.map_err(|e| ApiError::Network(e.to_string()))?;
    if !res.ok() {
        return Err(ApiError::Status(res.status()));
    }
    res.json::<T>().await.map_err(|e| ApiError::Decode(e.to_string()))
}

pub async fn backend() -> Result<BackendInfo, ApiError> {
    get_json("/api/v1/backend").await
}

pub async fn demo_analysis() -> Result<Analysis, ApiError> {
    get_json("/demo/analysis.json").await
}

/// A published dashboard, as the proxy stored it.
pub async fn dashboard(id: String) -> Result<Dashboard, ApiError> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(ApiError::Status(404));
    }
    get_json(&format!("/api/v1/dashboards/{id}")).await
}
