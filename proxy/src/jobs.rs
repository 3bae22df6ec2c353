//! Extraction jobs: large batches that may take a while. With Anthropic and
//! `KLEIO_ANTHROPIC_BATCHES=1` a job is a Message Batch (half price,
//! finished within hours); other backends finish the job at once. Jobs live
//! in SQLite, so polling resumes after a restart of the proxy.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kleio_core::analyst::{Analyst, ExtractRequest, FacetAnswer};
use kleio_core::api::{BatchRequest, ItemResult, JobStatus, JobView};
use rand::RngCore;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::api::prepare_batch;
use crate::backend::{Backend, LlmAnalyst};
use crate::bounds::Checked;
use crate::db::now;
use crate::error::{ApiJson, AppError};
use crate::llm::anthropic::Anthropic;
use crate::run::{ChargedToken, RunBackend, RunName};
use crate::spend::{RunBudget, OPEN_ACCESS};
use crate::tasks::parse_extract;
use crate::AppState;

/// Message Batches cost half the list price.
const BATCH_DISCOUNT: f64 = 0.5;

#[derive(Serialize, Deserialize)]
struct JobState {
    status: JobStatus,
    run: String,
    /// The access token's id, to which the batch is charged.
    #[serde(default = "open_access")]
    token: String,
    /// What the batch was charged when it started (its worst case), corrected
    /// to its real cost when its results are read.
    #[serde(default)]
    charged_usd: f64,
    /// The upstream Message Batch, while one is running.
    upstream_batch: Option<String>,
    /// The requests, kept only until the job ends.
    items: Vec<ExtractRequest>,
    results: Vec<Option<ItemResult>>,
}

fn open_access() -> String {
    OPEN_ACCESS.to_string()
}

fn view(id: &str, job: &JobState) -> JobView {
    let done = job.results.iter().filter(|r| r.is_some()).count();
    JobView {
        id: id.to_string(),
        status: job.status,
        total: job.results.len(),
        done,
        results: (job.status == JobStatus::Ended)
            .then(|| job.results.iter().map(|r| r.clone().unwrap_or(ItemResult::Error { error: "no result".into() })).collect()),
    }
}

fn save(state: &AppState, id: &str, job: &JobState) -> Result<(), AppError> {
    let json = serde_json::to_string(job).map_err(|e| AppError::Database(e.to_string()))?;
    state.db().with(|c| c.execute("INSERT OR REPLACE INTO extraction_jobs (id, state, created_at) VALUES (?1, ?2, ?3)", rusqlite::params![id, json, now()]))?;
    Ok(())
}

fn load(state: &AppState, id: &str) -> Result<JobState, AppError> {
    let json: Option<String> = state.db().with(|c| c.query_row("SELECT state FROM extraction_jobs WHERE id = ?1", [id], |r| r.get(0)).optional())?;
    let json = json.ok_or_else(|| AppError::NotFound(format!("no extraction job {id:?}")))?;
    serde_json::from_str(&json).map_err(|e| AppError::Database(format!("job {id}: {e}")))
}

pub async fn create(
    State(state): State<AppState>,
    RunName(run): RunName,
    ChargedToken(token): ChargedToken,
    RunBackend(backend): RunBackend,
    Checked(mut req): Checked<BatchRequest>,
) -> Result<Response, AppError> {
    prepare_batch(&state, &mut req.items)?;
    let mut id_bytes = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut id_bytes);
    let id = format!("job-{}", id_bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
    let token = token.to_string();
    let job = match &backend {
        Backend::Anthropic { analyst, message_batches: true } => start_message_batch(analyst, req.items, run, token).await?,
        _ => {
            let results = backend.extract_batch(&req.items).await;
            JobState {
                status: JobStatus::Ended,
                run,
                token,
                charged_usd: 0.0,
                upstream_batch: None,
                items: Vec::new(),
                results: results.into_iter().map(|r| Some(ItemResult::from(r))).collect(),
            }
        }
    };
    save(&state, &id, &job)?;
    let status = if job.status == JobStatus::Ended { StatusCode::CREATED } else { StatusCode::ACCEPTED };
    Ok((status, ApiJson(view(&id, &job))).into_response())
}

/// Answers what the cache knows and sends the rest as one Message Batch.
async fn start_message_batch(analyst: &LlmAnalyst<Anthropic>, items: Vec<ExtractRequest>, run: String, token: String) -> Result<JobState, AppError> {
    let mut results = vec![None; items.len()];
    let mut upstream = Vec::new();
    let mut worst_case = 0.0;
    for (i, item) in items.iter().enumerate() {
        let call = analyst.prepare_extract(item);
        match analyst.cached::<FacetAnswer>(&call) {
            Some(answer) => results[i] = Some(ItemResult::Answer { answer }),
            None => {
                worst_case += call.max_cost() * BATCH_DISCOUNT;
                upstream.push((format!("item-{i}"), call.request));
            }
        }
    }
    if upstream.is_empty() {
        return Ok(JobState { status: JobStatus::Ended, run, token, charged_usd: 0.0, upstream_batch: None, items: Vec::new(), results });
    }
    // The whole batch's worst case is held before it is sent and charged once
    // it is accepted; reading its results corrects the charge to the real cost.
    let reservation = analyst.budget().reserve(worst_case)?;
    let batch = analyst.model().create_batch(&upstream).await.map_err(|e| AppError::Analyst(kleio_core::analyst::AnalystError::Backend(e.to_string())))?;
    reservation.settle(worst_case);
    tracing::info!("started Message Batch {batch} for {} items", upstream.len());
    Ok(JobState { status: JobStatus::Running, run, token, charged_usd: worst_case, upstream_batch: Some(batch), items, results })
}

pub async fn poll(State(state): State<AppState>, Path(id): Path<String>) -> Result<ApiJson<JobView>, AppError> {
    let mut job = load(&state, &id)?;
    if job.status == JobStatus::Running {
        let Backend::Anthropic { analyst, .. } = state.backend().for_run(RunBudget::new(state.ledger(), &job.token, &job.run)) else {
            return Err(AppError::BadRequest("this job is a Message Batch, but the proxy no longer runs the Anthropic backend".into()));
        };
        if finish_message_batch(&analyst, &mut job).await? {
            save(&state, &id, &job)?;
        }
    }
    Ok(ApiJson(view(&id, &job)))
}

/// Collects an ended batch's results; items whose answer cannot be read
/// are asked again directly. Returns whether the job changed.
async fn finish_message_batch(analyst: &LlmAnalyst<Anthropic>, job: &mut JobState) -> Result<bool, AppError> {
    let batch = job.upstream_batch.clone().ok_or_else(|| AppError::Database("a running job without its batch id".into()))?;
    let upstream_err = |e: crate::llm::UpstreamError| AppError::Analyst(kleio_core::analyst::AnalystError::Backend(e.to_string()));
    let status = analyst.model().batch_status(&batch).await.map_err(upstream_err)?;
    if !status.ended {
        return Ok(false);
    }
    let url = status.results_url.ok_or_else(|| upstream_err(crate::llm::UpstreamError::Decode("an ended batch without results_url".into())))?;
    let mut calls = HashMap::new();
    let mut prefills = HashMap::new();
    for (i, item) in job.items.iter().enumerate().filter(|(i, _)| job.results[*i].is_none()) {
        let call = analyst.prepare_extract(item);
        prefills.insert(format!("item-{i}"), call.request.prefill.trim_end().to_string());
        calls.insert(format!("item-{i}"), (i, call));
    }
    let mut cost = 0.0;
    for (custom_id, outcome) in analyst.model().batch_results(&url, &prefills).await.map_err(upstream_err)? {
        let Some((i, call)) = calls.get(&custom_id) else { continue };
        if let Ok(response) = &outcome {
            cost += response.usage.cost(call.price) * BATCH_DISCOUNT;
        }
        let parsed = outcome.and_then(|r| parse_extract(&job.items[*i].facet.kind, &r.text));
        job.results[*i] = Some(match parsed {
            Ok(answer) => {
                analyst.remember(call, &answer);
                ItemResult::Answer { answer }
            }
            Err(_) => {
                // The reason can quote the answer, and so the conversation: it is not logged.
                tracing::warn!("batch item {custom_id} failed or could not be read; asking directly");
                ItemResult::from(analyst.extract(&job.items[*i]).await)
            }
        });
    }
    analyst.budget().correct(cost - job.charged_usd);
    job.charged_usd = cost;
    for r in job.results.iter_mut().filter(|r| r.is_none()) {
        *r = Some(ItemResult::Error { error: "the Message Batch returned no result for this item".into() });
    }
    job.status = JobStatus::Ended;
    job.upstream_batch = None;
    job.items.clear();
    Ok(true)
}
