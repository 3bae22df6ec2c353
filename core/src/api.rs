//! The task API's contract, in one place: every route of the proxy as a type
//! naming its method, its path, its request and its response; the headers;
//! what `/backend` reports; and the ids of the built-in facets.
//!
//! The proxy registers its routes from these paths and answers with these
//! types, [`crate::task_api::TaskApiAnalyst`] posts by route type, and the
//! app and the command line decode the same [`BackendInfo`]. A route is
//! changed here or nowhere (after rust-analyzer's `lsp/ext.rs`).

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::analyst::{AnalystError, AuditRequest, AuditVerdict, ClusterLabel, DedupeRequest, ExtractRequest, FacetAnswer};
use crate::analyst::{AssignBatchRequest, AssignRequest, NameClusterRequest, ProposeParentsRequest, RenameRequest, ScreenRequest};
use crate::cost::Price;
use crate::privacy::HiddenReason;
use crate::publish::{Dashboard, Submission};

/// Where the API lives under the proxy's origin; every route's path is relative to it.
pub const PREFIX: &str = "/api/v1";

/// The header naming the client's run, which the spending cap charges.
pub const RUN_HEADER: &str = "x-kleio-run";

/// The header that carries a dashboard's delete token.
pub const DELETE_TOKEN_HEADER: &str = "x-delete-token";

/// The stand-in for an id in a route's path (axum's syntax).
const ID: &str = "{id}";

/// The ids of the built-in facets. A custom facet has an id of its own.
pub mod facet_id {
    /// The user's overall request: the facet a run clusters by default.
    pub const REQUEST: &str = "request";
    /// The task the model is asked to perform.
    pub const TASK: &str = "task";
    /// The conversation's languages, in the analyst's words (an extracted
    /// facet) or detected (the computed facet of the same name).
    pub const LANGUAGE: &str = "language";
    /// How concerning the conversation is, from 1 to 5.
    pub const CONCERN: &str = "concern";
    /// The question a person writes in the app's run settings.
    pub const CUSTOM: &str = "custom";
    /// Computed facets, which no analyst answers.
    pub const TURNS: &str = "turns";
    pub const MONTH: &str = "month";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Delete,
}

/// One route of the API.
pub trait Route {
    const METHOD: Method;
    /// Relative to [`PREFIX`]; `{id}` stands for a path parameter.
    const PATH: &'static str;
    /// The JSON body sent (`()` for routes that take none).
    type Request: Serialize + DeserializeOwned;
    /// The JSON body answered on success (`()` for routes that answer none).
    type Response: Serialize + DeserializeOwned;

    /// The path under the origin, for example `/api/v1/screen`.
    fn url() -> String {
        format!("{PREFIX}{}", Self::PATH)
    }

    /// The path under the origin with `id` in the place of `{id}`.
    fn url_for(id: &str) -> String {
        Self::url().replace(ID, id)
    }
}

macro_rules! routes {
    ($($(#[$doc:meta])* $name:ident: $method:ident $path:literal, $request:ty => $response:ty;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl Route for $name {
                const METHOD: Method = Method::$method;
                const PATH: &'static str = $path;
                type Request = $request;
                type Response = $response;
            }
        )+
        /// Every route's method and path, for the checks that no route is
        /// served or called but these.
        pub const ROUTES: &[(Method, &str)] = &[$((Method::$method, $path)),+];
    };
}

routes! {
    /// Whether the proxy is up.
    Health: Get "/health", () => HealthResponse;
    /// Which backend answers, its models and prices, the cache and the spend.
    GetBackend: Get "/backend", () => BackendInfo;
    /// The screener's yes/no question (paper G.3).
    Screen: Post "/screen", ScreenRequest => ScreenResponse;
    /// One facet of one conversation (paper G.4).
    Extract: Post "/extract", ExtractRequest => ExtractResponse;
    /// Many extractions; one failure never fails the others.
    ExtractBatch: Post "/extract/batch", BatchRequest => BatchResponse;
    /// The same as a job (a Message Batch when enabled), polled until it has ended.
    CreateExtractJob: Post "/extract/jobs", BatchRequest => JobView;
    PollExtractJob: Get "/extract/jobs/{id}", () => JobView;
    /// A base cluster's name from members and contrast (paper G.5).
    NameCluster: Post "/name-cluster", NameClusterRequest => ClusterLabel;
    /// Parent proposals for one neighbourhood (paper G.7).
    ProposeParents: Post "/propose-parents", ProposeParentsRequest => ParentsResponse;
    Dedupe: Post "/dedupe", DedupeRequest => ParentsResponse;
    Assign: Post "/assign", AssignRequest => AssignResponse;
    /// One step of the hierarchy: every child placed under one of the same parents.
    AssignBatch: Post "/assign/batch", AssignBatchRequest => AssignBatchResponse;
    Rename: Post "/rename", RenameRequest => ClusterLabel;
    /// The privacy audit on the paper's 1–5 scale (Table 6).
    Audit: Post "/audit", AuditRequest => AuditVerdict;
    /// Aggregates through the publish gate; answers the share link.
    Publish: Post "/dashboards", Submission => Published;
    ReadDashboard: Get "/dashboards/{id}", () => Dashboard;
    /// Needs the delete token in [`DELETE_TOKEN_HEADER`]; answers 204.
    DeleteDashboard: Delete "/dashboards/{id}", () => ();
    /// The dashboard as a static site: a zip (not JSON) of the app's files
    /// and the dashboard, to host anywhere without a proxy.
    DashboardSite: Get "/dashboards/{id}/site", () => ();
}

/// The `<meta>` name by which an exported site's `index.html` tells the app
/// to show the dashboard in the file its content names, and nothing else.
pub const EXPORTED_DASHBOARD_META: &str = "kleio-dashboard";
/// That file, beside `index.html` in an exported site.
pub const EXPORTED_DASHBOARD_FILE: &str = "dashboard.json";

/// Where the app shows a published dashboard (a page, not an API route).
pub const DASHBOARD_PAGE: &str = "/d/{id}";

/// The page of dashboard `id`.
pub fn dashboard_page(id: &str) -> String {
    DASHBOARD_PAGE.replace(ID, id)
}

/// The dashboard id of a page's path, if it is a dashboard's page (a
/// trailing slashes allowed): the inverse of [`dashboard_page`].
pub fn dashboard_id(path: &str) -> Option<&str> {
    let prefix = DASHBOARD_PAGE.strip_suffix(ID).unwrap_or(DASHBOARD_PAGE);
    let id = path.strip_prefix(prefix)?;
    let id = id.trim_end_matches('/');
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// Every error's body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthResponse {
    pub status: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScreenResponse {
    pub keep: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExtractResponse {
    pub answer: FacetAnswer,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BatchRequest {
    pub items: Vec<ExtractRequest>,
}

/// One item's outcome: `{"answer": …}` or `{"error": "…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ItemResult {
    Answer { answer: FacetAnswer },
    Error { error: String },
}

impl From<Result<FacetAnswer, AnalystError>> for ItemResult {
    fn from(r: Result<FacetAnswer, AnalystError>) -> Self {
        match r {
            Ok(answer) => ItemResult::Answer { answer },
            Err(e) => ItemResult::Error { error: e.to_string() },
        }
    }
}

impl From<ItemResult> for Result<FacetAnswer, AnalystError> {
    fn from(r: ItemResult) -> Self {
        match r {
            ItemResult::Answer { answer } => Ok(answer),
            ItemResult::Error { error } => Err(AnalystError::Backend(error)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<ItemResult>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParentsResponse {
    pub parents: Vec<ClusterLabel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignResponse {
    /// Index into the request's `parents`.
    pub index: usize,
}

/// One child's placement: `{"index": …}` (into the request's `parents`) or `{"error": "…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlacementResult {
    Index { index: usize },
    Error { error: String },
}

impl From<Result<usize, AnalystError>> for PlacementResult {
    fn from(r: Result<usize, AnalystError>) -> Self {
        match r {
            Ok(index) => PlacementResult::Index { index },
            Err(e) => PlacementResult::Error { error: e.to_string() },
        }
    }
}

impl From<PlacementResult> for Result<usize, AnalystError> {
    fn from(r: PlacementResult) -> Self {
        match r {
            PlacementResult::Index { index } => Ok(index),
            PlacementResult::Error { error } => Err(AnalystError::Backend(error)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssignBatchResponse {
    pub results: Vec<PlacementResult>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Running,
    Ended,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: String,
    pub status: JobStatus,
    pub total: usize,
    pub done: usize,
    /// In the order of the request's items, once the job has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ItemResult>>,
}

/// A cluster the gate kept out, and why; returned to the publisher only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Removed {
    pub id: String,
    pub reasons: Vec<HiddenReason>,
}

/// What the proxy answers a publication that passed the gate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Published {
    pub id: String,
    /// Where the read-only dashboard opens ([`dashboard_page`]).
    pub url: String,
    /// Shown once: the only way to remove the dashboard later.
    pub delete_token: String,
    pub published: usize,
    pub removed: Vec<Removed>,
}

/// The body of a publication refused because no cluster passed the gates:
/// the error, and what was removed and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishRefused {
    pub error: String,
    pub removed: Vec<Removed>,
}

/// Which analyst a proxy runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// The rule-based analyst: no model, no key, no cost.
    Offline,
    Anthropic,
    /// Any server that speaks OpenAI's chat completions.
    #[serde(rename = "openai")]
    OpenAi,
}

impl BackendKind {
    /// Whether an LLM answers (and so a run may cost money).
    pub fn is_llm(self) -> bool {
        self != BackendKind::Offline
    }

    /// The name it has on the wire (and in `KLEIO_BACKEND`).
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Offline => "offline",
            BackendKind::Anthropic => "anthropic",
            BackendKind::OpenAi => "openai",
        }
    }
}

impl std::str::FromStr for BackendKind {
    type Err = String;

    /// A name as [`BackendKind::name`] gives it, in any case.
    fn from_str(s: &str) -> Result<Self, String> {
        let all = [BackendKind::Offline, BackendKind::Anthropic, BackendKind::OpenAi];
        all.into_iter().find(|k| k.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|k| k.name()).collect();
            format!("{s:?} is not one of {}", names.join(", "))
        })
    }
}

/// The two models an LLM backend uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelRole {
    /// Extraction, screening and the audit.
    Fast,
    /// Naming and the hierarchy.
    Strong,
}

/// What `GET /api/v1/backend` reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    pub backend: BackendKind,
    pub description: String,
    /// The LLMs behind the analyst (none for the offline one).
    pub models: Vec<ModelInfo>,
    /// Task (`extract`, `name_cluster`, …) → the version of the prompt the
    /// analyst sends for it (none for the offline one).
    #[serde(default)]
    pub prompt_versions: BTreeMap<String, u32>,
    /// Whether batch extraction goes through Anthropic's Message Batches API (half price).
    pub message_batches: bool,
    /// Share of task calls answered from the cache since start-up; null before the first.
    pub cache_hit_rate: Option<f64>,
    pub cache_lookups: u64,
    /// US dollars spent upstream since start-up.
    pub spent_usd: f64,
    /// The proxy's spending caps.
    pub spending_caps: SpendCaps,
    /// Where a conversation is cut before an LLM reads it, in tokens.
    pub conversation_tokens: usize,
    /// The origins the app may fetch a dataset file from by its link (the
    /// page's content security policy allows these and no others); see
    /// [`DatasetOrigin`].
    #[serde(default)]
    pub dataset_origins: Vec<String>,
}

/// An origin a dataset may be opened from by link: `https://host`,
/// `https://*.domain` (any name under the domain, as a content security
/// policy reads it), with an optional port; `http://` only for loopback
/// hosts, so a link never travels in the clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetOrigin {
    scheme: String,
    /// Lower-case; a leading `*.` for any name under the rest.
    host: String,
    port: Option<u16>,
}

/// The Hugging Face hub and the hosts its download links redirect to.
pub const DEFAULT_DATASET_ORIGINS: &[&str] = &["https://huggingface.co", "https://*.huggingface.co", "https://*.hf.co"];

impl DatasetOrigin {
    /// Reads an origin as an operator writes it, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<DatasetOrigin, String> {
        let (scheme, rest) = text.split_once("://").ok_or_else(|| format!("{text:?} is not an origin like https://example.org"))?;
        let scheme = scheme.to_ascii_lowercase();
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p.parse::<u16>().map_err(|_| format!("{text:?} has a port that is not a number"))?)),
            None => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let name = host.strip_prefix("*.").unwrap_or(&host);
        let valid_name = !name.is_empty() && name.split('.').all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        if !valid_name {
            return Err(format!("{text:?} has no valid host name (a path or query does not belong in an origin)"));
        }
        let origin = DatasetOrigin { scheme, host, port };
        match origin.scheme.as_str() {
            "https" => Ok(origin),
            "http" if origin.is_loopback() => Ok(origin),
            "http" => Err(format!("{text:?}: plain http is allowed only for localhost and 127.0.0.1")),
            _ => Err(format!("{text:?}: only https (or http for localhost) links can be opened")),
        }
    }

    fn is_loopback(&self) -> bool {
        matches!(self.host.as_str(), "localhost" | "127.0.0.1")
    }

    /// Whether a link (`scheme://host[:port]/…`) is under this origin.
    pub fn allows(&self, url: &str) -> bool {
        let Some((scheme, rest)) = url.split_once("://") else { return false };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        // A link with credentials (user@host) is refused: its host is easy to misread.
        if authority.contains('@') {
            return false;
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (h, p.parse::<u16>().ok()),
            _ => (authority, None),
        };
        let host = host.to_ascii_lowercase();
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "https" => 443,
            "http" => 80,
            _ => return false,
        };
        let host_matches = match self.host.strip_prefix("*.") {
            Some(domain) => host.len() > domain.len() + 1 && host.ends_with(domain) && host[..host.len() - domain.len()].ends_with('.'),
            None => host == self.host,
        };
        scheme.eq_ignore_ascii_case(&self.scheme) && host_matches && port.unwrap_or(default_port) == self.port.unwrap_or(default_port)
    }

    /// As a content security policy source.
    pub fn source(&self) -> String {
        match self.port {
            Some(p) => format!("{}://{}:{p}", self.scheme, self.host),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// Spending caps, in US dollars; `None` is no cap. A call is refused unless
/// its worst-case cost fits under every cap that applies to it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendCaps {
    /// Everything the proxy spends, over its database's life.
    pub total_usd: Option<f64>,
    /// What one access token spends, over the database's life.
    pub per_token_usd: Option<f64>,
    /// What one access token spends in a UTC day.
    pub per_token_day_usd: Option<f64>,
    /// What one run (the run header) spends while the proxy runs.
    pub per_run_usd: Option<f64>,
}

impl BackendInfo {
    pub fn model(&self, role: ModelRole) -> Option<&ModelInfo> {
        self.models.iter().find(|m| m.role == role)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub role: ModelRole,
    pub name: String,
    pub temperature: f32,
    /// US dollars per million input and output tokens.
    pub price_per_million_tokens: Price,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_links_are_allowed_only_under_the_configured_origins() {
        let origins: Vec<DatasetOrigin> = DEFAULT_DATASET_ORIGINS.iter().map(|o| DatasetOrigin::parse(o).unwrap()).collect();
        let allowed = |url: &str| origins.iter().any(|o| o.allows(url));
        assert!(allowed("https://huggingface.co/datasets/allenai/WildChat-1M/resolve/main/data/train-00000-of-00014.parquet"));
        assert!(allowed("https://cas-bridge.xethub.hf.co/xet-bridge-us/abc?X-Amz=1"));
        assert!(allowed("HTTPS://HuggingFace.co:443/x"));
        assert!(!allowed("http://huggingface.co/x"), "not in the clear");
        assert!(!allowed("https://huggingface.co.evil.example/x"));
        assert!(!allowed("https://evilhf.co/x"));
        assert!(!allowed("https://hf.co/x"), "*.hf.co is the names under hf.co");
        assert!(!allowed("https://huggingface.co@evil.example/x"));
        assert!(!allowed("https://huggingface.co:8443/x"));
        assert!(!allowed("javascript:alert(1)"));
        let local = DatasetOrigin::parse("http://127.0.0.1:8123").unwrap();
        assert!(local.allows("http://127.0.0.1:8123/files/a.parquet") && !local.allows("http://127.0.0.1:8124/a"));
        assert_eq!(local.source(), "http://127.0.0.1:8123");
        for bad in ["http://example.org", "ftp://example.org", "https://", "https://exa mple.org", "https://example.org/path", "example.org", "https://x:port"]
        {
            assert!(DatasetOrigin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_are_under_the_prefix_with_the_id_in_place() {
        assert_eq!(Screen::url(), "/api/v1/screen");
        assert_eq!(PollExtractJob::url_for("job-1"), "/api/v1/extract/jobs/job-1");
        assert_eq!(dashboard_page("abc"), "/d/abc");
        assert_eq!(dashboard_id(&dashboard_page("abc")), Some("abc"));
        assert_eq!(dashboard_id("/d/abc/"), Some("abc"));
        for not_one in ["/", "/d/", "/d/a/b", "/dashboards/abc"] {
            assert_eq!(dashboard_id(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for (method, path) in ROUTES {
            assert!(path.starts_with('/'), "{path}");
            assert!(seen.insert((format!("{method:?}"), *path)), "{method:?} {path} twice");
        }
        assert_eq!(ROUTES.len(), 18);
    }

    #[test]
    fn backend_info_keeps_its_wire_names() {
        let info = BackendInfo {
            backend: BackendKind::OpenAi,
            description: "d".into(),
            models: vec![ModelInfo { role: ModelRole::Fast, name: "m".into(), temperature: 0.2, price_per_million_tokens: Price::default() }],
            prompt_versions: BTreeMap::from([("audit".into(), 2)]),
            message_batches: false,
            cache_hit_rate: None,
            cache_lookups: 0,
            spent_usd: 0.0,
            spending_caps: SpendCaps { per_token_day_usd: Some(2.0), ..SpendCaps::default() },
            conversation_tokens: 8000,
            dataset_origins: vec!["https://*.hf.co".into()],
        };
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["backend"], "openai");
        assert_eq!(json["models"][0]["role"], "fast");
        assert_eq!(json["prompt_versions"]["audit"], 2);
        assert_eq!(serde_json::from_value::<BackendInfo>(json).unwrap(), info);
        for kind in [BackendKind::Offline, BackendKind::Anthropic, BackendKind::OpenAi] {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(kind.name().to_uppercase().parse::<BackendKind>(), Ok(kind));
        }
        assert_eq!("gemini".parse::<BackendKind>(), Err("\"gemini\" is not one of offline, anthropic, openai".into()));
    }
}
