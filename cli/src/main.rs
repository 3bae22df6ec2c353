//! `kleio`: analyze a dataset, embed texts, or serve the app and its API.

mod analyze;
mod embed;
mod engines;
mod eval;
mod models;
mod progress_bars;
mod proxy_analyst;
mod run_flags;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "kleio", version, about = "See how people use AI assistants without reading their conversations.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on a file (offline analyst, or --proxy URL); write DIR/analysis.json.
    Analyze(analyze::Args),
    /// Embed one text per line of stdin; write one JSON array per line to stdout.
    Embed(embed::Args),
    /// Measure a run against known labels or planted private details.
    #[command(subcommand)]
    Eval(eval::Command),
    /// Serve the built app and the API (the proxy).
    Serve(kleio_proxy::ServeArgs),
}

fn main() -> anyhow::Result<()> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    keep_freed_memory();
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Embed(args) => embed::run(args),
        Command::Eval(command) => eval::run(command),
        Command::Serve(args) => {
            tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,tower_http=info".into()))
                .with_writer(std::io::stderr)
                .init();
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(kleio_proxy::serve(args)).map_err(Into::into)
        }
    }
}

/// Embedding on the CPU allocates and frees tensors of megabytes for every
/// batch. glibc's malloc hands memory that large back to the kernel when it
/// is freed (an own mapping, or trimming the top of the heap), so each batch
/// paid for fresh zeroed pages: about a fifth of `kleio embed`'s time went
/// to the kernel (BENCHMARKS.md). Freed memory is now kept for reuse.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets two of the allocator's thresholds, and runs
    // before any other thread exists. 32 MiB is glibc's largest mapping
    // threshold; a failed call leaves the defaults, which are merely slower.
    #[allow(unsafe_code)]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
