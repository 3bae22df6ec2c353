//! The run a request is charged to, and the backend that charges it: typed
//! extractors, so that no handler reads the header itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kleio_core::api::RUN_HEADER;

use crate::backend::Backend;
use crate::spend::{RunBudget, UNNAMED_RUN};
use crate::{AppError, AppState};

/// The run the client named in the run header, or the shared unnamed run.
pub struct RunName(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RunName {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let run = parts.headers.get(RUN_HEADER).map(|v| v.to_str().unwrap_or("")).unwrap_or(UNNAMED_RUN);
        if run.is_empty() || run.len() > 64 {
            return Err(AppError::BadRequest(format!("{RUN_HEADER} must be 1 to 64 visible characters")));
        }
        Ok(RunName(run.to_string()))
    }
}

/// The configured backend, charging its upstream calls to the request's run.
pub struct RunBackend(pub Backend);

impl FromRequestParts<AppState> for RunBackend {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let RunName(run) = RunName::from_request_parts(parts, state).await?;
        Ok(RunBackend(state.backend().for_run(RunBudget::new(state.ledger(), &run))))
    }
}
