//! The router: the API under /api/v1, the app for everything else.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use kleio_core::privacy::PrivacyParams;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::backend::{Backend, BackendInfo};
use crate::cache::ResponseCache;
use crate::config::{Config, Limits};
use crate::db::Db;
use crate::limits::{rate_limit, require_token, AccessToken, ClientRateLimit};
use crate::secret::Redactor;
use crate::spend::SpendLedger;
use crate::{api, csp, dashboards, jobs, AppError};

/// What every handler may read. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    dist: PathBuf,
    policy: String,
    backend: Backend,
    ledger: Arc<SpendLedger>,
    db: Db,
    limits: Limits,
    privacy: PrivacyParams,
    access_token: AccessToken,
    rate_limit: ClientRateLimit,
}

impl AppState {
    /// Reads the built app's index.html (to learn which inline script to
    /// allow) and sets up the configured backend over `db`.
    pub fn new(dist: &Path, config: &Config, db: Db) -> Result<Self, AppError> {
        let index = dist.join("index.html");
        let html = std::fs::read_to_string(&index).map_err(|e| AppError::Startup(format!(
            "{} could not be read ({e}); build the app first with `trunk build --release` (bash scripts/run does it)",
            index.display()
        )))?;
        let policy = csp::policy(&csp::inline_script_hashes(&html));
        let ledger = SpendLedger::new(config.limits.max_run_usd);
        let backend = Backend::from_config(config, ResponseCache::new(db.clone()), ledger.clone(), Redactor::new(config.secrets())).map_err(|e| AppError::Startup(e.to_string()))?;
        Ok(AppState {
            inner: Arc::new(Inner {
                dist: dist.to_path_buf(),
                policy,
                backend,
                ledger,
                db,
                limits: config.limits.clone(),
                privacy: config.privacy.clone(),
                access_token: AccessToken::new(config.access_token.as_ref()),
                rate_limit: ClientRateLimit::per_minute(config.limits.requests_per_minute),
            }),
        })
    }

    pub fn backend(&self) -> &Backend {
        &self.inner.backend
    }
    pub fn ledger(&self) -> Arc<SpendLedger> {
        self.inner.ledger.clone()
    }
    pub fn db(&self) -> &Db {
        &self.inner.db
    }
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }
    pub fn privacy(&self) -> &PrivacyParams {
        &self.inner.privacy
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn backend(State(state): State<AppState>) -> Json<BackendInfo> {
    Json(state.backend().info(&state.inner.ledger, state.limits().conversation_tokens))
}

async fn api_not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("no API route {}", uri.path()))
}

pub fn app(state: AppState) -> Router {
    let index = state.inner.dist.join("index.html");
    // Unknown paths get the app itself, which routes on the client (/d/{id}, …).
    let files = ServeDir::new(&state.inner.dist).fallback(ServeFile::new(index));
    let policy = HeaderValue::from_str(&state.inner.policy).expect("the policy is ASCII");
    // What costs money or stores something needs the access token, when one is set.
    let guarded = Router::new()
        .route("/screen", post(api::screen))
        .route("/extract", post(api::extract))
        .route("/extract/batch", post(api::extract_batch))
        .route("/extract/jobs", post(jobs::create))
        .route("/extract/jobs/{id}", get(jobs::poll))
        .route("/name-cluster", post(api::name_cluster))
        .route("/propose-parents", post(api::propose_parents))
        .route("/dedupe", post(api::dedupe))
        .route("/assign", post(api::assign))
        .route("/assign/batch", post(api::assign_batch))
        .route("/rename", post(api::rename))
        .route("/audit", post(api::audit))
        .route("/dashboards", post(dashboards::publish))
        .route_layer(middleware::from_fn_with_state(state.inner.access_token.clone(), require_token));
    let api = Router::new()
        .route("/health", get(health))
        .route("/backend", get(backend))
        .route("/dashboards/{id}", get(dashboards::read).delete(dashboards::remove))
        .merge(guarded)
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(state.inner.rate_limit.clone(), rate_limit))
        .layer(DefaultBodyLimit::max(state.inner.limits.max_body_bytes));
    // No CORS layer: browsers refuse cross-origin API calls, so only the app
    // this proxy serves can use it from a browser.
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
        let app = app(AppState::new(d.path(), &Config::offline(), Db::in_memory()).unwrap());
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
        let app = app(AppState::new(d.path(), &Config::offline(), Db::in_memory()).unwrap());
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
        let err = AppState::new(Path::new("/nonexistent/dist"), &Config::offline(), Db::in_memory()).err().unwrap();
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
