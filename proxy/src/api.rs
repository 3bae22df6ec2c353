//! The task API's handlers: one per LLM task of the paper, with the request
//! and response types of the contract in `kleio_core::api`. No route takes
//! a prompt: the proxy is not an open relay.

use axum::extract::State;
use kleio_core::analyst::*;
use kleio_core::api::{
    AssignBatchResponse, AssignResponse, BatchRequest, BatchResponse, ExtractResponse, ItemResult, ParentsResponse, PlacementResult, ScreenResponse,
};

use crate::bounds::Checked;
use crate::error::{ApiJson, AppError};
use crate::limits::truncate_conversation;
use crate::run::RunBackend;
use crate::AppState;

pub async fn screen(
    State(state): State<AppState>,
    RunBackend(backend): RunBackend,
    Checked(mut req): Checked<ScreenRequest>,
) -> Result<ApiJson<ScreenResponse>, AppError> {
    truncate_conversation(&mut req.conversation, state.limits().conversation_tokens);
    let keep = backend.screen(&req).await?;
    Ok(ApiJson(ScreenResponse { keep }))
}

pub async fn extract(
    State(state): State<AppState>,
    RunBackend(backend): RunBackend,
    Checked(mut req): Checked<ExtractRequest>,
) -> Result<ApiJson<ExtractResponse>, AppError> {
    truncate_conversation(&mut req.conversation, state.limits().conversation_tokens);
    let answer = backend.extract(&req).await?;
    Ok(ApiJson(ExtractResponse { answer }))
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

pub async fn extract_batch(
    State(state): State<AppState>,
    RunBackend(backend): RunBackend,
    Checked(mut req): Checked<BatchRequest>,
) -> Result<ApiJson<BatchResponse>, AppError> {
    prepare_batch(&state, &mut req.items)?;
    let results = backend.extract_batch(&req.items).await;
    Ok(ApiJson(BatchResponse { results: results.into_iter().map(ItemResult::from).collect() }))
}

pub async fn name_cluster(RunBackend(backend): RunBackend, Checked(req): Checked<NameClusterRequest>) -> Result<ApiJson<ClusterLabel>, AppError> {
    Ok(ApiJson(backend.name_cluster(&req).await?))
}

pub async fn propose_parents(RunBackend(backend): RunBackend, Checked(req): Checked<ProposeParentsRequest>) -> Result<ApiJson<ParentsResponse>, AppError> {
    Ok(ApiJson(ParentsResponse { parents: backend.propose_parents(&req).await? }))
}

pub async fn dedupe(RunBackend(backend): RunBackend, Checked(req): Checked<DedupeRequest>) -> Result<ApiJson<ParentsResponse>, AppError> {
    Ok(ApiJson(ParentsResponse { parents: backend.dedupe(&req).await? }))
}

pub async fn assign(RunBackend(backend): RunBackend, Checked(req): Checked<AssignRequest>) -> Result<ApiJson<AssignResponse>, AppError> {
    Ok(ApiJson(AssignResponse { index: backend.assign(&req).await? }))
}

pub async fn assign_batch(
    State(state): State<AppState>,
    RunBackend(backend): RunBackend,
    Checked(req): Checked<AssignBatchRequest>,
) -> Result<ApiJson<AssignBatchResponse>, AppError> {
    let most = state.limits().max_batch_items;
    if req.children.is_empty() || req.children.len() > most {
        return Err(AppError::BadRequest(format!("a batch holds 1 to {most} children, not {}", req.children.len())));
    }
    req.check().map_err(|e| AppError::BadRequest(e.to_string()))?;
    let results = backend.assign_batch(&req).await;
    Ok(ApiJson(AssignBatchResponse { results: results.into_iter().map(PlacementResult::from).collect() }))
}

pub async fn rename(RunBackend(backend): RunBackend, Checked(req): Checked<RenameRequest>) -> Result<ApiJson<ClusterLabel>, AppError> {
    Ok(ApiJson(backend.rename(&req).await?))
}

pub async fn audit(RunBackend(backend): RunBackend, Checked(req): Checked<AuditRequest>) -> Result<ApiJson<AuditVerdict>, AppError> {
    Ok(ApiJson(backend.audit(&req).await?))
}
