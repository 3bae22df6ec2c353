//! The one error type of the proxy, and how it becomes an HTTP response.
//! Every error body is JSON: `{"error": "…"}`.

use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kleio_core::analyst::AnalystError;

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

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match &self {
            AppError::Startup(_) | AppError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Analyst(AnalystError::Unsupported(_)) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Analyst(AnalystError::LimitReached(_)) => StatusCode::PAYMENT_REQUIRED,
            AppError::Analyst(AnalystError::Malformed(_) | AnalystError::Backend(_)) => StatusCode::BAD_GATEWAY,
            AppError::Analyst(AnalystError::Cancelled) => StatusCode::SERVICE_UNAVAILABLE,
        };
        if status.is_server_error() {
            tracing::error!("{self}");
        }
        let mut response = (status, Json(serde_json::json!({ "error": self.to_string() }))).into_response();
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
