//! The router: the API under /api/v1, the app for everything else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::csp;
use crate::AppError;

/// What every handler may read. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dist: PathBuf,
    policy: String,
}

impl AppState {
    /// Reads the built app's index.html to learn which inline script to allow.
    pub fn new(dist: &Path) -> Result<Self, AppError> {
        let index = dist.join("index.html");
        let html = std::fs::read_to_string(&index).map_err(|e| AppError::Startup(format!(
            "{} could not be read ({e}); build the app first with `trunk build --release` (bash scripts/run does it)",
            index.display()
        )))?;
        let policy = csp::policy(&csp::inline_script_hashes(&html));
        Ok(AppState { inner: Arc::new(Inner { dist: dist.to_path_buf(), policy }) })
    }
}

/// Which analyst answers the LLM tasks, and what it costs.
#[derive(Serialize)]
pub struct BackendInfo {
    pub backend: &'static str,
    pub description: String,
    pub models: Vec<String>,
    /// US dollars per million input and output tokens.
    pub price_per_million_tokens: Price,
}

#[derive(Serialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn backend(State(_): State<AppState>) -> Json<BackendInfo> {
    use kleio_core::analyst::Analyst;
    Json(BackendInfo {
        backend: "offline",
        description: kleio_core::offline::OfflineAnalyst::new(0).describe(),
        models: Vec::new(),
        price_per_million_tokens: Price { input: 0.0, output: 0.0 },
    })
}

async fn api_not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("no API route {}", uri.path()))
}

pub fn app(state: AppState) -> Router {
    let index = state.inner.dist.join("index.html");
    // Unknown paths get the app itself, which routes on the client (/d/{id}, …).
    let files = ServeDir::new(&state.inner.dist).fallback(ServeFile::new(index));
    let policy = HeaderValue::from_str(&state.inner.policy).expect("the policy is ASCII");
    let api = Router::new()
        .route("/health", get(health))
        .route("/backend", get(backend))
        .fallback(api_not_found);
    Router::new()
        .nest("/api/v1", api)
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, policy))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn dist() -> tempdir::Dir {
        tempdir::Dir::new(&[
            ("index.html", "<html><script type=\"module\">import init from '/app.js'; init();</script></html>"),
            ("app.js", "export default function init() {}"),
        ])
    }

    async fn get(app: Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let res = app.oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn serves_the_app_with_spa_fallback_and_strict_headers() {
        let d = dist();
        let app = app(AppState::new(d.path()).unwrap());
        let (status, headers, body) = get(app.clone(), "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("import init"));
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("'sha256-") && csp.contains("default-src 'self'") && !csp.contains("'unsafe-inline' ;"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        let (status, _, body) = get(app.clone(), "/d/abc123").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<html>"));
        let (status, _, body) = get(app, "/app.js").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("export default"));
    }

    #[tokio::test]
    async fn api_routes_answer_json_and_unknown_ones_404() {
        let d = dist();
        let app = app(AppState::new(d.path()).unwrap());
        let (status, _, body) = get(app.clone(), "/api/v1/health").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("\"ok\""));
        let (status, _, body) = get(app.clone(), "/api/v1/backend").await;
        assert_eq!(status, StatusCode::OK);
        let info: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(info["backend"], "offline");
        let (status, _, body) = get(app, "/api/v1/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("no API route"));
    }

    #[test]
    fn a_missing_build_is_a_clear_startup_error() {
        let err = AppState::new(Path::new("/nonexistent/dist")).err().unwrap();
        assert!(err.to_string().contains("trunk build"));
    }

    /// A throwaway folder for tests, removed on drop.
    mod tempdir {
        use std::path::{Path, PathBuf};
        pub struct Dir(PathBuf);
        impl Dir {
            pub fn new(files: &[(&str, &str)]) -> Self {
                let path = std::env::temp_dir().join(format!("kleio-proxy-test-{}-{:?}", std::process::id(), std::thread::current().id()));
                std::fs::create_dir_all(&path).unwrap();
                for (name, body) in files {
                    std::fs::write(path.join(name), body).unwrap();
                }
                Dir(path)
            }
            pub fn path(&self) -> &Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
