//! The transport that lets the command line use a running Kleio proxy
//! (`--proxy URL`) as its analyst; the task API's JSON is core's contract.

use kleio_core::analyst::AnalystVersions;
use kleio_core::api::{self, BackendInfo, Route, RUN_HEADER};
use kleio_core::task_api::{TaskApiAnalyst, Transport, TransportResponse};

pub type ProxyAnalyst = TaskApiAnalyst<ReqwestTransport>;

pub struct ReqwestTransport {
    http: reqwest::Client,
    base: String,
    /// `KLEIO_ACCESS_TOKEN`, when the proxy needs one.
    token: Option<String>,
    /// Names this process's calls for the proxy's spending cap.
    run: String,
}

impl Transport for ReqwestTransport {
    async fn post_json(&self, url: &str, body: String) -> Result<TransportResponse, String> {
        let mut request =
            self.http.post(format!("{}{url}", self.base)).header(RUN_HEADER, &self.run).header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| e.to_string())?.to_vec();
        Ok(TransportResponse { status, body })
    }
}

/// Connects and asks the proxy which backend it runs.
pub async fn connect(base: &str, run: String) -> anyhow::Result<ProxyAnalyst> {
    let base = base.trim_end_matches('/').to_string();
    let http = reqwest::Client::builder().build()?;
    let token = std::env::var("KLEIO_ACCESS_TOKEN").ok().filter(|t| !t.is_empty());
    let info: BackendInfo = http
        .get(format!("{base}{}", api::GetBackend::url()))
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("the proxy at {base} did not answer: {e}"))?
        .error_for_status()?
        .json()
        .await
        .map_err(|e| anyhow::anyhow!("the proxy at {base} answered /backend with something that is not a Kleio backend report: {e}"))?;
    let description = format!("proxy {base}: {}", info.description);
    let versions = AnalystVersions::of_backend(&info);
    Ok(TaskApiAnalyst::new(ReqwestTransport { http, base, token, run }, description, versions))
}
