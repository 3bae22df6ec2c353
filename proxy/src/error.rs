//! The one error type of the proxy, and how it becomes an HTTP response.
//! Every error body is JSON: `{"error": "…"}`.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kleio_core::analyst::AnalystError;
use kleio_core::api::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("startup failed: {0}")]
    Startup(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("this route needs the access token: send `Authorization: Bearer <KLEIO_ACCESS_TOKEN>`")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests from this address; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Analyst(#[from] AnalystError),
    #[error("the proxy's database failed: {0}")]
    Database(String),
    #[error("{0}")]
    QuotaReached(String),
    /// A failure of the proxy's own that is neither its database nor its start.
    #[error("the proxy failed: {0}")]
    Internal(String),
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!("{} (the limit is KLEIO_MAX_BODY_BYTES)", r.body_text()))
        } else {
            AppError::BadRequest(r.body_text())
        }
    }
}

impl From<rusqlite::Error> for AppError {
    fn from(e: rusqlite::Error) -> Self {
        AppError::Database(e.to_string())
    }
}

impl AppError {
    /// What the log says of this error: the proxy's own words in full, but
    /// of an analyst's error only its kind and length, since its message
    /// can quote a model's answer and so the conversation it read.
    fn log_line(&self) -> String {
        match self {
            AppError::Analyst(e @ (AnalystError::Malformed(m) | AnalystError::Backend(m) | AnalystError::Unsupported(m) | AnalystError::LimitReached(m))) => {
                let kind = match e {
                    AnalystError::Malformed(_) => "the analyst's answer could not be read",
                    AnalystError::Backend(_) => "the analyst backend failed",
                    AnalystError::Unsupported(_) => "the analyst cannot answer this",
                    _ => "a limit was reached",
                };
                format!("{kind} (a message of {} characters, not logged)", m.chars().count())
            }
            other => other.to_string(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Startup(_) | AppError::Database(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::QuotaReached(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Analyst(AnalystError::Unsupported(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Analyst(AnalystError::LimitReached(_)) => StatusCode::PAYMENT_REQUIRED,
            AppError::Analyst(AnalystError::Malformed(_) | AnalystError::Backend(_)) => StatusCode::BAD_GATEWAY,
            AppError::Analyst(AnalystError::Cancelled) => StatusCode::SERVICE_UNAVAILABLE,
        };
        if status.is_server_error() {
            tracing::error!("{}", self.log_line());
        }
        let mut response = (status, Json(ErrorBody { error: self.to_string() })).into_response();
        if let AppError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

/// `Json` whose rejections are `AppError`s, so a bad body gets a JSON error.
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
