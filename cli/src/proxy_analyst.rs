//! An `Analyst` that asks a running Kleio proxy (`--proxy URL`), so the
//! command line can use whatever backend the proxy is configured with.

use kleio_core::analyst::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub struct ProxyAnalyst {
    http: reqwest::Client,
    base: String,
    /// `KLEIO_ACCESS_TOKEN`, when the proxy needs one.
    token: Option<String>,
    /// Names this process's calls for the proxy's spending cap.
    run: String,
    description: String,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

impl ProxyAnalyst {
    /// Connects and asks the proxy which backend it runs.
    pub async fn connect(base: &str, run: String) -> anyhow::Result<Self> {
        let base = base.trim_end_matches('/').to_string();
        let http = reqwest::Client::builder().build()?;
        let token = std::env::var("KLEIO_ACCESS_TOKEN").ok().filter(|t| !t.is_empty());
        let info: serde_json::Value = http
            .get(format!("{base}/api/v1/backend"))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("the proxy at {base} did not answer: {e}"))?
            .error_for_status()?
            .json()
            .await?;
        let description = format!("proxy {base}: {}", info["description"].as_str().unwrap_or("unknown backend"));
        Ok(ProxyAnalyst { http, base, token, run, description })
    }

    async fn post<B: Serialize, R: DeserializeOwned>(&self, path: &str, body: &B) -> Result<R, AnalystError> {
        let mut request = self.http.post(format!("{}/api/v1/{path}", self.base)).header("x-kleio-run", &self.run).json(body);
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.map_err(|e| AnalystError::Backend(format!("the proxy did not answer: {e}")))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| AnalystError::Backend(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| AnalystError::Malformed(format!("the proxy's answer to {path}: {e}")));
        }
        let message = serde_json::from_slice::<ErrorBody>(&bytes).map(|b| b.error).unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
        Err(match status.as_u16() {
            402 | 429 => AnalystError::LimitReached(message),
            422 => AnalystError::Unsupported(message),
            _ => AnalystError::Backend(format!("{status}: {message}")),
        })
    }
}

#[derive(Deserialize)]
struct Keep {
    keep: bool,
}
#[derive(Deserialize)]
struct Answer {
    answer: FacetAnswer,
}
#[derive(Serialize)]
struct Batch<'a> {
    items: &'a [ExtractRequest],
}
#[derive(Deserialize)]
#[serde(untagged)]
enum Item {
    Answer { answer: FacetAnswer },
    Error { error: String },
}
#[derive(Deserialize)]
struct Results {
    results: Vec<Item>,
}
#[derive(Deserialize)]
struct Parents {
    parents: Vec<ClusterLabel>,
}
#[derive(Deserialize)]
struct Index {
    index: usize,
}

impl Analyst for ProxyAnalyst {
    fn describe(&self) -> String {
        self.description.clone()
    }
    async fn screen(&self, req: &ScreenRequest) -> Result<bool, AnalystError> {
        Ok(self.post::<_, Keep>("screen", req).await?.keep)
    }
    async fn extract(&self, req: &ExtractRequest) -> Result<FacetAnswer, AnalystError> {
        Ok(self.post::<_, Answer>("extract", req).await?.answer)
    }
    async fn extract_batch(&self, reqs: &[ExtractRequest]) -> Vec<Result<FacetAnswer, AnalystError>> {
        match self.post::<_, Results>("extract/batch", &Batch { items: reqs }).await {
            Ok(r) if r.results.len() == reqs.len() => r
                .results
                .into_iter()
                .map(|i| match i {
                    Item::Answer { answer } => Ok(answer),
                    Item::Error { error } => Err(AnalystError::Backend(error)),
                })
                .collect(),
            Ok(r) => reqs.iter().map(|_| Err(AnalystError::Malformed(format!("the proxy returned {} results for {} items", r.results.len(), reqs.len())))).collect(),
            Err(e) => reqs.iter().map(|_| Err(e.clone())).collect(),
        }
    }
    async fn name_cluster(&self, req: &NameClusterRequest) -> Result<ClusterLabel, AnalystError> {
        self.post("name-cluster", req).await
    }
    async fn propose_parents(&self, req: &ProposeParentsRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<_, Parents>("propose-parents", req).await?.parents)
    }
    async fn dedupe(&self, req: &DedupeRequest) -> Result<Vec<ClusterLabel>, AnalystError> {
        Ok(self.post::<_, Parents>("dedupe", req).await?.parents)
    }
    async fn assign(&self, req: &AssignRequest) -> Result<usize, AnalystError> {
        Ok(self.post::<_, Index>("assign", req).await?.index)
    }
    async fn rename(&self, req: &RenameRequest) -> Result<ClusterLabel, AnalystError> {
        self.post("rename", req).await
    }
    async fn audit(&self, req: &AuditRequest) -> Result<AuditVerdict, AnalystError> {
        self.post("audit", req).await
    }
}
