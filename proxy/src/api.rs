//! The task API: one route per LLM task of the paper, typed bodies in and
//! out. No route takes a prompt: the proxy is not an open relay.

use axum::extract::State;
use axum::http::HeaderMap;
use kleio_core::analyst::*;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::error::{ApiJson, AppError};
use crate::limits::truncate_conversation;
use crate::routes::AppState;
use crate::spend::{RunBudget, UNNAMED_RUN};

/// The header naming the client's run, for the spending cap.
const RUN_HEADER: &str = "x-kleio-run";

/// The run the client named in `X-Kleio-Run`, or the shared unnamed run.
pub fn run_name(headers: &HeaderMap) -> Result<&str, AppError> {
    let run = headers.get(RUN_HEADER).map(|v| v.to_str().unwrap_or("")).unwrap_or(UNNAMED_RUN);
    if run.is_empty() || run.len() > 64 {
        return Err(AppError::BadRequest(format!("{RUN_HEADER} must be 1 to 64 visible characters")));
    }
    Ok(run)
}

/// The configured backend, charging to the run the client named.
pub fn backend_for(state: &AppState, headers: &HeaderMap) -> Result<Backend, AppError> {
    Ok(state.backend().for_run(RunBudget::new(state.ledger(), run_name(headers)?)))
}

#[derive(Serialize, Deserialize)]
pub struct ScreenResponse {
    pub keep: bool,
}

pub async fn screen(State(state): State<AppState>, headers: HeaderMap, ApiJson(mut req): ApiJson<ScreenRequest>) -> Result<ApiJson<ScreenResponse>, AppError> {
    truncate_conversation(&mut req.conversation, state.limits().conversation_tokens);
    let keep = backend_for(&state, &headers)?.screen(&req).await?;
    Ok(ApiJson(ScreenResponse { keep }))
}

#[derive(Serialize, Deserialize)]
pub struct ExtractResponse {
    pub answer: FacetAnswer,
}

pub async fn extract(State(state): State<AppState>, headers: HeaderMap, ApiJson(mut req): ApiJson<ExtractRequest>) -> Result<ApiJson<ExtractResponse>, AppError> {
    truncate_conversation(&mut req.conversation, state.limits().conversation_tokens);
    let answer = backend_for(&state, &headers)?.extract(&req).await?;
    Ok(ApiJson(ExtractResponse { answer }))
}

#[derive(Serialize, Deserialize)]
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

#[derive(Serialize, Deserialize)]
pub struct BatchResponse {
    pub results: Vec<ItemResult>,
}

/// Checks the batch's size and cuts every conversation to the budget.
pub fn prepare_batch(state: &AppState, items: &mut [ExtractRequest]) -> Result<(), AppError> {
    let most = state.limits().max_batch_items;
    if items.is_empty() || items.len() > most {
        return Err(AppError::BadRequest(format!("a batch holds 1 to {most} items, not {}", items.len())));
    }
    for item in items.iter_mut() {
        truncate_conversation(&mut item.conversation, state.limits().conversation_tokens);
    }
    Ok(())
}

pub async fn extract_batch(State(state): State<AppState>, headers: HeaderMap, ApiJson(mut req): ApiJson<BatchRequest>) -> Result<ApiJson<BatchResponse>, AppError> {
    prepare_batch(&state, &mut req.items)?;
    let results = backend_for(&state, &headers)?.extract_batch(&req.items).await;
    Ok(ApiJson(BatchResponse { results: results.into_iter().map(ItemResult::from).collect() }))
}

pub async fn name_cluster(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<NameClusterRequest>) -> Result<ApiJson<ClusterLabel>, AppError> {
    Ok(ApiJson(backend_for(&state, &headers)?.name_cluster(&req).await?))
}

#[derive(Serialize, Deserialize)]
pub struct ParentsResponse {
    pub parents: Vec<ClusterLabel>,
}

pub async fn propose_parents(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<ProposeParentsRequest>) -> Result<ApiJson<ParentsResponse>, AppError> {
    Ok(ApiJson(ParentsResponse { parents: backend_for(&state, &headers)?.propose_parents(&req).await? }))
}

pub async fn dedupe(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<DedupeRequest>) -> Result<ApiJson<ParentsResponse>, AppError> {
    Ok(ApiJson(ParentsResponse { parents: backend_for(&state, &headers)?.dedupe(&req).await? }))
}

#[derive(Serialize, Deserialize)]
pub struct AssignResponse {
    /// Index into the request's `parents`.
    pub index: usize,
}

pub async fn assign(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<AssignRequest>) -> Result<ApiJson<AssignResponse>, AppError> {
    Ok(ApiJson(AssignResponse { index: backend_for(&state, &headers)?.assign(&req).await? }))
}

/// One child's placement: `{"index": …}` (into the request's `parents`) or `{"error": "…"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PlacementResult {
    Index { index: usize },
    Error { error: String },
}

#[derive(Serialize, Deserialize)]
pub struct AssignBatchResponse {
    pub results: Vec<PlacementResult>,
}

pub async fn assign_batch(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<AssignBatchRequest>) -> Result<ApiJson<AssignBatchResponse>, AppError> {
    let most = state.limits().max_batch_items;
    if req.children.is_empty() || req.children.len() > most {
        return Err(AppError::BadRequest(format!("a batch holds 1 to {most} children, not {}", req.children.len())));
    }
    req.check().map_err(|e| AppError::BadRequest(e.to_string()))?;
    let results = backend_for(&state, &headers)?.assign_batch(&req).await;
    let results = results
        .into_iter()
        .map(|r| match r {
            Ok(index) => PlacementResult::Index { index },
            Err(e) => PlacementResult::Error { error: e.to_string() },
        })
        .collect();
    Ok(ApiJson(AssignBatchResponse { results }))
}

pub async fn rename(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<RenameRequest>) -> Result<ApiJson<ClusterLabel>, AppError> {
    Ok(ApiJson(backend_for(&state, &headers)?.rename(&req).await?))
}

pub async fn audit(State(state): State<AppState>, headers: HeaderMap, ApiJson(req): ApiJson<AuditRequest>) -> Result<ApiJson<AuditVerdict>, AppError> {
    Ok(ApiJson(backend_for(&state, &headers)?.audit(&req).await?))
}
