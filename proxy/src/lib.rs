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
mod site;
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
    /// Let anyone who reaches a non-loopback address publish dashboards
    /// without an access token (within the quota and size limits).
    #[arg(long)]
    pub allow_public_publish: bool,
}

/// Refuses to open the proxy's spending or storage to the network with no
/// access token, unless told so. With an LLM backend, the task routes would
/// let anyone reaching the address run the paper's tasks on the operator's
/// key, custom questions included; with any backend, publishing would let
/// anyone store dashboards (audited, bounded by the quotas, but under the
/// operator's name) and fill the quota that the operator's own need.
pub fn check_exposure(args: &ServeArgs, config: &Config) -> Result<(), AppError> {
    if !config.access_tokens.is_empty() || args.addr.ip().is_loopback() {
        return Ok(());
    }
    let addr = args.addr;
    let fix = "set KLEIO_ACCESS_TOKEN (or KLEIO_ACCESS_TOKEN_FILE) or listen on 127.0.0.1";
    let llm = !matches!(config.backend, config::BackendConfig::Offline);
    if llm && !args.allow_public_llm {
        return Err(AppError::Startup(format!(
            "{addr} is reachable from other machines and the backend is an LLM, but no access token is set: {fix}, or pass --allow-public-llm"
        )));
    }
    if !args.allow_public_publish {
        return Err(AppError::Startup(format!(
            "{addr} is reachable from other machines and no access token is set, so anyone could publish dashboards: \
             {fix}, or pass --allow-public-publish"
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
    check_exposure(&args, &config)?;
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

    fn serve(addr: &str, allow_public_llm: bool, allow_public_publish: bool) -> ServeArgs {
        ServeArgs { addr: addr.parse().unwrap(), dist: "dist".into(), db: "kleio.db".into(), allow_public_llm, allow_public_publish }
    }

    #[test]
    fn an_llm_is_not_served_to_the_network_without_a_token_unless_asked() {
        let err = check_exposure(&serve("0.0.0.0:8080", false, true), &anthropic(None)).unwrap_err();
        assert!(err.to_string().contains("KLEIO_ACCESS_TOKEN") && err.to_string().contains("--allow-public-llm"), "{err}");
        assert!(check_exposure(&serve("0.0.0.0:8080", true, true), &anthropic(None)).is_ok());
        assert!(check_exposure(&serve("127.0.0.1:8080", false, false), &anthropic(None)).is_ok());
        assert!(check_exposure(&serve("[::1]:8080", false, false), &anthropic(None)).is_ok());
        assert!(check_exposure(&serve("0.0.0.0:8080", false, false), &anthropic(Some("t0k3n"))).is_ok());
    }

    #[test]
    fn publishing_is_not_opened_to_the_network_without_a_token_unless_asked() {
        let err = check_exposure(&serve("0.0.0.0:8080", false, false), &Config::offline()).unwrap_err();
        assert!(err.to_string().contains("publish") && err.to_string().contains("--allow-public-publish"), "{err}");
        let err = check_exposure(&serve("192.168.1.20:8080", true, false), &anthropic(None)).unwrap_err();
        assert!(err.to_string().contains("--allow-public-publish"), "{err}");
        assert!(check_exposure(&serve("0.0.0.0:8080", false, true), &Config::offline()).is_ok(), "the offline analyst costs nothing");
        assert!(check_exposure(&serve("127.0.0.1:8080", false, false), &Config::offline()).is_ok());
        assert!(check_exposure(&serve("0.0.0.0:8080", false, false), &anthropic(Some("t0k3n"))).is_ok());
    }
}
