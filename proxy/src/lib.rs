//! Kleio's proxy: the only part that holds keys, talks to an LLM, or stores
//! anything shared. Today it serves the built app with a strict content
//! security policy and answers which analyst backend is in use.

mod csp;
mod error;
mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use error::AppError;
pub use routes::{app, AppState};

#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The built app (Trunk's output folder).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(args: ServeArgs) -> Result<(), AppError> {
    let state = AppState::new(&args.dist)?;
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| AppError::Startup(format!("cannot listen on {}: {e}", args.addr)))?;
    tracing::info!("Kleio is serving {} on http://{}", args.dist.display(), args.addr);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| AppError::Startup(e.to_string()))?;
    tracing::info!("Kleio stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
