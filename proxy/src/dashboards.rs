//! Published dashboards: stored once, immutably, under an unguessable id;
//! read by anyone with the link; removed only with the publisher's delete token.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kleio_core::api::{dashboard_page, PublishRefused, Published, DELETE_TOKEN_HEADER};
use kleio_core::publish::PrivacyReport;
use rand::RngCore;
use rusqlite::OptionalExtension;
use sha2::{Digest, Sha256};

use crate::db::now;
use crate::error::{ApiJson, AppError};
use crate::gate::{gate, Dashboard, GateError, Submission};
use crate::AppState;

/// 128 random bits (id) or 256 (token), URL-safe.
fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

fn sha256_hex(s: &str) -> String {
    format!("{:x}", Sha256::digest(s.as_bytes()))
}

pub fn valid_id(id: &str) -> Result<(), AppError> {
    if id.len() == 22 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no dashboard {id:?}")))
    }
}

pub async fn publish(State(state): State<AppState>, ApiJson(submission): ApiJson<Submission>) -> Result<Response, AppError> {
    let gated = match gate(&submission, state.privacy(), state.backend()).await {
        Ok(g) => g,
        Err(e @ (GateError::Invalid(_) | GateError::Title(_))) => return Err(AppError::BadRequest(e.to_string())),
    };
    if gated.clusters.is_empty() {
        let body = PublishRefused { error: "no cluster passed the privacy gates, so nothing was published".into(), removed: gated.removed };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, ApiJson(body)).into_response());
    }
    let quota = state.retention().max_dashboards;
    let stored: i64 = state.db().with(|c| c.query_row("SELECT COUNT(*) FROM dashboards", [], |r| r.get(0)))?;
    if u64::try_from(stored).unwrap_or(0) >= quota {
        return Err(AppError::QuotaReached(format!("this proxy already holds its quota of {quota} dashboards (KLEIO_MAX_DASHBOARDS); delete one first")));
    }
    let id = random_token(16);
    let delete_token = random_token(32);
    let report = PrivacyReport { audit_prompt_version: state.backend().audit_prompt_version(), ..gated.report };
    let dashboard =
        Dashboard { id: id.clone(), title: gated.title, facet: gated.facet, created_at: now(), privacy: gated.privacy, clusters: gated.clusters, report };
    let body = serde_json::to_string(&dashboard).map_err(|e| AppError::Database(e.to_string()))?;
    let most = state.retention().max_dashboard_bytes;
    if body.len() > most {
        return Err(AppError::TooLarge(format!(
            "the dashboard would take {} bytes, over this proxy's limit of {most} (KLEIO_MAX_DASHBOARD_BYTES); publish fewer levels or clusters",
            body.len()
        )));
    }
    state.db().with(|c| {
        c.execute(
            "INSERT INTO dashboards (id, body, delete_token_sha256, created_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![id, body, sha256_hex(&delete_token), dashboard.created_at],
        )
    })?;
    tracing::info!("published dashboard {id} with {} clusters ({} removed)", dashboard.clusters.len(), gated.removed.len());
    let out = Published { url: dashboard_page(&id), id, delete_token, published: dashboard.clusters.len(), removed: gated.removed };
    Ok((StatusCode::CREATED, ApiJson(out)).into_response())
}

/// How long a browser or a shared cache may keep a dashboard before asking
/// again. A dashboard never changes, so a day's copy is never stale; but a
/// deleted one must stop being served, so not for longer. Asking again
/// costs a 304 thanks to the ETag.
const DASHBOARD_MAX_AGE_S: u32 = 86_400;

/// A dashboard's JSON as it was stored. An expired dashboard is gone even
/// before the next pruning removes it.
pub fn stored_dashboard(state: &AppState, id: &str) -> Result<String, AppError> {
    let cutoff = state.retention().dashboard_cutoff(now()).unwrap_or(i64::MIN);
    let body: Option<String> = state
        .db()
        .with(|c| c.query_row("SELECT body FROM dashboards WHERE id = ?1 AND created_at >= ?2", rusqlite::params![id, cutoff], |r| r.get(0)).optional())?;
    body.ok_or_else(|| AppError::NotFound(format!("no dashboard {id:?}")))
}

pub async fn read(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    valid_id(&id)?;
    let body = stored_dashboard(&state, &id)?;
    // The body under an id never changes, so its hash is a strong ETag.
    let etag = format!("\"{}\"", &sha256_hex(&body)[..32]);
    let cached = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let cache_control = format!("public, max-age={DASHBOARD_MAX_AGE_S}");
    let common = [(header::ETAG, etag), (header::CACHE_CONTROL, cache_control), (header::VARY, "accept-encoding".to_string())];
    if cached {
        return Ok((StatusCode::NOT_MODIFIED, common).into_response());
    }
    let gzip = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).is_some_and(accepts_gzip);
    let json = (header::CONTENT_TYPE, "application/json".to_string());
    Ok(match gzip.then(|| gzipped(body.as_bytes())).flatten() {
        Some(zipped) => (common, [json, (header::CONTENT_ENCODING, "gzip".to_string())], zipped).into_response(),
        None => (common, [json], body).into_response(),
    })
}

/// Whether an Accept-Encoding header takes gzip (and does not refuse it with `q=0`).
fn accepts_gzip(accept: &str) -> bool {
    accept.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| p.strip_prefix("q=").is_some_and(|q| q.parse::<f32>().is_ok_and(|q| q == 0.0)));
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
    })
}

fn gzipped(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 4), flate2::Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

pub async fn remove(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<StatusCode, AppError> {
    valid_id(&id)?;
    let token = headers
        .get(DELETE_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::Forbidden(format!("send the delete token in the {DELETE_TOKEN_HEADER} header")))?;
    let stored: Option<String> =
        state.db().with(|c| c.query_row("SELECT delete_token_sha256 FROM dashboards WHERE id = ?1", [&id], |r| r.get(0)).optional())?;
    let stored = stored.ok_or_else(|| AppError::NotFound(format!("no dashboard {id:?}")))?;
    if stored != sha256_hex(token) {
        return Err(AppError::Forbidden("the delete token does not match this dashboard".into()));
    }
    state.db().with(|c| c.execute("DELETE FROM dashboards WHERE id = ?1", [&id]))?;
    tracing::info!("removed dashboard {id}");
    Ok(StatusCode::NO_CONTENT)
}
