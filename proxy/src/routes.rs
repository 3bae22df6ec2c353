//! The router: the API under the contract's prefix, the app for everything else.

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post, MethodRouter};
use axum::Router;
use kleio_core::api::{self, HealthResponse, Method, Route};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::error::ApiJson;
use crate::hosts::check_host;
use crate::limits::{rate_limit, require_token};
use crate::{api as tasks, dashboards, jobs, site, AppError, AppState};

async fn health() -> ApiJson<HealthResponse> {
    ApiJson(HealthResponse { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into() })
}

async fn backend(State(state): State<AppState>) -> ApiJson<api::BackendInfo> {
    let mut info = state.backend().info(&state.ledger(), state.limits().conversation_tokens);
    info.dataset_origins = state.dataset_origins().to_vec();
    ApiJson(info)
}

/// A dashboard's page may be embedded in any page (the share panel's
/// snippet says how); every other page of the app keeps its frame ban.
async fn frame_dashboards(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let dashboard = api::dashboard_id(request.uri().path()).is_some();
    let mut response = next.run(request).await;
    if dashboard {
        let headers = response.headers_mut();
        headers.remove(header::X_FRAME_OPTIONS);
        if let Ok(policy) = HeaderValue::from_str(state.dashboard_policy()) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    response
}

async fn api_not_found(uri: axum::http::Uri) -> AppError {
    AppError::NotFound(format!("no API route {}", uri.path()))
}

/// Registers handlers at the contract's routes, each under its own method
/// and path, so that a path is written in `kleio_core::api` and nowhere else.
trait ServeRoutes {
    fn serve<R: Route, H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self;
}

impl ServeRoutes for Router<AppState> {
    fn serve<R: Route, H: Handler<T, AppState>, T: 'static>(self, handler: H) -> Self {
        let method: MethodRouter<AppState> = match R::METHOD {
            Method::Get => get(handler),
            Method::Post => post(handler),
            Method::Delete => delete(handler),
        };
        self.route(R::PATH, method)
    }
}

/// The longest pause while a request body arrives.
const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub fn app(state: AppState) -> Router {
    let index = state.dist().join("index.html");
    // Unknown paths get the app itself, which routes on the client (/d/{id}, …).
    // scripts/build writes a .gz beside the module and its glue; a browser that
    // accepts gzip gets that (about a quarter of the size), any other the file itself.
    let files = ServeDir::new(state.dist()).precompressed_gzip().fallback(ServeFile::new(index));
    let policy = HeaderValue::from_str(state.policy()).expect("the policy is ASCII");
    // What costs money or stores something needs the access token, when one is set.
    let guarded = Router::new()
        .serve::<api::Screen, _, _>(tasks::screen)
        .serve::<api::Extract, _, _>(tasks::extract)
        .serve::<api::ExtractBatch, _, _>(tasks::extract_batch)
        .serve::<api::CreateExtractJob, _, _>(jobs::create)
        .serve::<api::PollExtractJob, _, _>(jobs::poll)
        .serve::<api::NameCluster, _, _>(tasks::name_cluster)
        .serve::<api::ProposeParents, _, _>(tasks::propose_parents)
        .serve::<api::Dedupe, _, _>(tasks::dedupe)
        .serve::<api::Assign, _, _>(tasks::assign)
        .serve::<api::AssignBatch, _, _>(tasks::assign_batch)
        .serve::<api::Rename, _, _>(tasks::rename)
        .serve::<api::Audit, _, _>(tasks::audit)
        .serve::<api::Publish, _, _>(dashboards::publish)
        .route_layer(middleware::from_fn_with_state(state.access_tokens().clone(), require_token));
    let open = Router::new()
        .serve::<api::Health, _, _>(health)
        .serve::<api::GetBackend, _, _>(backend)
        .serve::<api::ReadDashboard, _, _>(dashboards::read)
        .serve::<api::DeleteDashboard, _, _>(dashboards::remove)
        .serve::<api::DashboardSite, _, _>(site::download)
        .merge(guarded)
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(state.rate_limit().clone(), rate_limit))
        .layer(DefaultBodyLimit::max(state.limits().max_body_bytes))
        // A body that stops arriving for this long ends the request (the
        // headers have their own limit, in server.rs).
        .layer(RequestBodyTimeoutLayer::new(BODY_READ_TIMEOUT));
    // No CORS layer: browsers refuse cross-origin API calls, so only the app
    // this proxy serves can use it from a browser.
    Router::new()
        .nest(api::PREFIX, open)
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, policy))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(middleware::from_fn_with_state(state.clone(), frame_dashboards))
        .layer(middleware::from_fn_with_state(state.allowed_hosts().clone(), check_host))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::db::Db;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use http_body_util::BodyExt;
    use std::path::Path;
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
        // The hash of the inline loader above, computed apart (Python's hashlib).
        let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).unwrap();
        assert_eq!(script_src, "script-src 'self' 'wasm-unsafe-eval' 'sha256-WN3FHuG6vmV+0abH/qaNAU0XcODQuncbcPlsPt0rWSU='");
        assert!(csp.starts_with("default-src 'self';"));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        assert!(csp.ends_with("frame-ancestors 'none'"));
        // A dashboard's page is the app too, but any page may embed it.
        let (status, headers, body) = get(app.clone(), "/d/abc123").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<html>"));
        assert!(headers.get(header::X_FRAME_OPTIONS).is_none());
        assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("frame-ancestors *"));
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
        let info: api::BackendInfo = serde_json::from_str(&body).unwrap();
        assert_eq!(info.backend, api::BackendKind::Offline);
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
