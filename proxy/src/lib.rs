//! Kleio's proxy: the only part that holds keys, talks to an LLM, or stores
//! anything shared. It serves the built app with a strict content security
//! policy, answers the LLM tasks of the paper through the configured
//! backend, and publishes dashboards only through the privacy gate.

mod answer;
mod api;
mod backend;
mod bounds;
mod cache;
pub mod config;
mod csp;
mod dashboards;
mod db;
mod error;
pub mod gate;
pub mod hosts;
mod jobs;
mod limits;
pub mod llm;
mod offline_pool;
mod prompts;
pub mod retention;
mod routes;
mod run;
pub mod secret;
mod server;
mod spend;
mod state;
mod tasks;

use std::net::SocketAddr;
use std::path::PathBuf;

use hosts::HostPolicy;

pub use config::Config;
pub use db::Db;
pub use error::AppError;
pub use gate::{Dashboard, PublishedCluster, Submission, SubmittedCluster};
pub use routes::app;
pub use state::AppState;

#[derive(clap::Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The built app (Trunk's output folder).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,
    /// The SQLite file holding the response cache, the dashboards and the jobs.
    #[arg(long, default_value = "kleio-data/kleio.db")]
    pub db: PathBuf,
    /// Serve an LLM backend on a non-loopback address without an access
    /// token: anyone who reaches the address can then spend on the key.
    #[arg(long)]
    pub allow_public_llm: bool,
}

/// Refuses to expose an LLM backend to the network with no access token,
/// unless told so: the task routes would let anyone reaching the address
/// run the paper's tasks on the operator's key, custom questions included.
pub fn check_exposure(addr: SocketAddr, config: &Config, allow_public_llm: bool) -> Result<(), AppError> {
    let llm = !matches!(config.backend, config::BackendConfig::Offline);
    if llm && config.access_tokens.is_empty() && !addr.ip().is_loopback() && !allow_public_llm {
        return Err(AppError::Startup(format!(
            "{addr} is reachable from other machines and the backend is an LLM, but no access token is set: \
             set KLEIO_ACCESS_TOKEN (or KLEIO_ACCESS_TOKEN_FILE), listen on 127.0.0.1, or pass --allow-public-llm"
        )));
    }
    Ok(())
}

/// Prunes what has expired, at start-up and then every `PRUNE_EVERY`, off the async workers.
async fn maintain(state: AppState) {
    let mut every = tokio::time::interval(retention::PRUNE_EVERY);
    loop {
        every.tick().await;
        let (db, rules) = (state.db().clone(), state.retention().clone());
        match tokio::task::spawn_blocking(move || retention::prune(&db, &rules, db::now())).await {
            Ok(Ok(pruned)) if pruned != retention::Pruned::default() => tracing::info!("pruned {pruned:?}"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("pruning the database failed: {e}"),
            Err(e) => tracing::error!("the pruning task stopped: {e}"),
        }
        state.rate_limit().prune();
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
/// The backend and limits come from the environment (see `Config::from_env`).
pub async fn serve(args: ServeArgs) -> Result<(), AppError> {
    let mut config = Config::from_env(|k| std::env::var(k).ok()).map_err(|e| AppError::Startup(e.to_string()))?;
    check_exposure(args.addr, &config, args.allow_public_llm)?;
    if config.allowed_hosts == HostPolicy::Loopback && !args.addr.ip().is_loopback() {
        // Reachable from other machines under names the proxy cannot know:
        // rebinding a name to this address gains an attacker nothing it lacks.
        tracing::info!("listening beyond loopback: any Host name is answered (KLEIO_ALLOWED_HOSTS names them)");
        config.allowed_hosts = HostPolicy::Any;
    }
    if config.access_tokens.is_empty() && !args.addr.ip().is_loopback() {
        tracing::warn!(
            "anyone reaching {} can publish dashboards (up to {} of at most {} bytes each); set KLEIO_ACCESS_TOKEN to require a token",
            args.addr,
            config.retention.max_dashboards,
            config.retention.max_dashboard_bytes
        );
    }
    let db = Db::open(&args.db).map_err(|e| AppError::Startup(e.to_string()))?;
    let state = AppState::new(&args.dist, &config, db)?;
    let listener = tokio::net::TcpListener::bind(args.addr).await.map_err(|e| AppError::Startup(format!("cannot listen on {}: {e}", args.addr)))?;
    // The bound address, not the asked one: port 0 asks the system for a free port.
    let addr = listener.local_addr().map_err(|e| AppError::Startup(format!("cannot read the address bound for {}: {e}", args.addr)))?;
    tokio::spawn(maintain(state.clone()));
    let info = state.backend().info(&state.ledger(), config.limits.conversation_tokens);
    tracing::info!("Kleio is serving {} on http://{addr} with the {} analyst ({})", args.dist.display(), info.backend.name(), info.description);
    server::serve(listener, app(state), server::HEADER_READ_TIMEOUT, shutdown_signal()).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn anthropic(token: Option<&str>) -> Config {
        let vars = [("ANTHROPIC_API_KEY", "sk-test"), ("KLEIO_ACCESS_TOKEN", token.unwrap_or(""))];
        Config::from_env(|k| vars.iter().find(|(n, v)| *n == k && !v.is_empty()).map(|(_, v)| v.to_string())).unwrap()
    }

    #[test]
    fn an_llm_is_not_served_to_the_network_without_a_token_unless_asked() {
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let err = check_exposure(public, &anthropic(None), false).unwrap_err();
        assert!(err.to_string().contains("KLEIO_ACCESS_TOKEN"), "{err}");
        assert!(check_exposure(public, &anthropic(None), true).is_ok());
        assert!(check_exposure(local, &anthropic(None), false).is_ok());
        assert!(check_exposure(public, &anthropic(Some("t0k3n")), false).is_ok());
        assert!(check_exposure(public, &Config::offline(), false).is_ok(), "the offline analyst costs nothing");
    }
}
