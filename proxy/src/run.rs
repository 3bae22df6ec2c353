//! The run and access token a request is charged to, and the backend that
//! charges them: typed extractors, so that no handler reads a header itself.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use kleio_core::api::RUN_HEADER;

use crate::backend::Backend;
use crate::limits::TokenId;
use crate::spend::{RunBudget, OPEN_ACCESS, UNNAMED_RUN};
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

/// The id of the access token the request came with, which its spending is
/// charged to: set by the access-token layer, and open access outside it.
pub struct ChargedToken(pub Arc<str>);

impl<S: Send + Sync> FromRequestParts<S> for ChargedToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        Ok(ChargedToken(parts.extensions.get::<TokenId>().map(|t| t.0.clone()).unwrap_or_else(|| Arc::from(OPEN_ACCESS))))
    }
}

/// The configured backend, charging its upstream calls to the request's
/// access token and run.
pub struct RunBackend(pub Backend);

impl FromRequestParts<AppState> for RunBackend {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let RunName(run) = RunName::from_request_parts(parts, state).await?;
        let ChargedToken(token) = ChargedToken::from_request_parts(parts, state).await?;
        Ok(RunBackend(state.backend().for_run(RunBudget::new(state.ledger(), &token, &run))))
    }
}
